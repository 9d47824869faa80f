package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The root package's extracts, inside this repository.
var specDir = filepath.Join("..", "..", "..", "testdata")

func TestRun(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", "..", "..", "tables_gen.go"))
	require.NoError(t, err)
	tests := []struct {
		name       string
		args       func(out string) []string
		wantStatus int
		wantStderr string
		wantFile   bool
	}{
		{"generates", func(out string) []string { return []string{"-spec", specDir, "-o", out} }, 0, "", true},
		{"unknown flag", func(out string) []string { return []string{"-x", "-o", out} }, 2, "flag provided but not defined: -x", false},
		{"extra argument", func(out string) []string { return []string{"-o", out, "more"} }, 2, `gentables: unexpected arguments ["more"]`, false},
		{"no extracts", func(out string) []string { return []string{"-spec", t.TempDir(), "-o", out} }, 1, "gentables: open ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "tables_gen.go")
			var stderr bytes.Buffer
			assert.Equal(t, tt.wantStatus, run(tt.args(out), &stderr))
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
			if !tt.wantFile {
				assert.NoFileExists(t, out)
				return
			}
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, string(committed), string(got), "the committed tables_gen.go is current")
		})
	}
}
