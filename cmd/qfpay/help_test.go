package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryCommandHasHelp(t *testing.T) {
	a := newApp(context.Background(), strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			n++
			t.Run(sub.CommandPath(), func(t *testing.T) {
				assert.NotEmpty(t, sub.Short, "Short")
				assert.NotEmpty(t, sub.Long, "Long")
				if sub.Runnable() && len(sub.Commands()) == 0 {
					assert.NotEmpty(t, sub.Example, "Example")
					for line := range strings.Lines(sub.Example) {
						if strings.HasPrefix(line, "      ") {
							continue // the continuation of a line ending in \
						}
						assert.True(t, strings.HasPrefix(line, "  qfpay "+strings.TrimPrefix(sub.CommandPath(), "qfpay ")) ||
							strings.HasPrefix(line, "  echo ") || strings.HasPrefix(line, "  pbpaste "), "example %q", line)
					}
				}
			})
			walk(sub)
		}
	}
	walk(a.rootCmd())
	assert.Greater(t, n, 10)
}

func TestRootHelp(t *testing.T) {
	s := newSandbox(t)
	r := s.run(t, "", "--help")
	require.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, exitCodesHelp)
	for _, cmd := range []string{"tx", "refund", "cancel", "bill", "sign", "verify-notification", "config", "completion"} {
		assert.Regexp(t, `(?m)^  `+cmd+` +\S`, r.stdout)
	}
	assert.Empty(t, r.stderr)

	r = s.run(t, "", "--version")
	require.Equal(t, exitOK, r.code)
	assert.Regexp(t, `^qfpay version \d+\.\d+\.\d+\n$`, r.stdout)

	r = s.run(t, "", "tx")
	require.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "qfpay tx [command]")
}

func TestUnknownCommand(t *testing.T) {
	s := newSandbox(t)
	r := s.run(t, "", "refnud")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `qfpay: unknown command "refnud" for "qfpay"`)
	assert.Contains(t, r.stderr, "Run 'qfpay --help' for usage.")
}

func TestCompletion(t *testing.T) {
	s := newSandbox(t)
	for shell, marker := range map[string]string{
		"bash":       "__start_qfpay",
		"zsh":        "#compdef qfpay",
		"fish":       "complete -c qfpay",
		"powershell": "Register-ArgumentCompleter",
	} {
		t.Run(shell, func(t *testing.T) {
			r := s.run(t, "", "completion", shell)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, marker)
			assert.Empty(t, r.stderr)
		})
	}
	t.Run("completes subcommands", func(t *testing.T) {
		r := s.run(t, "", "__complete", "tx", "")
		require.Equal(t, exitOK, r.code, r.stderr)
		for _, sub := range []string{"get", "list", "wait"} {
			assert.Contains(t, r.stdout, sub+"\t")
		}
	})
}
