package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestSandboxBinary builds the command, starts it, pays through it and
// stops it with SIGINT.
func TestSandboxBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "qfpay-sandbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(re *regexp.Regexp) []string {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				require.True(t, ok, "output ended before %s", re)
				if m := re.FindStringSubmatch(l); m != nil {
					return m
				}
			case <-ctx.Done():
				t.Fatalf("no line matching %s", re)
			}
		}
	}

	base := next(regexp.MustCompile(`listening on (http://\S+)`))[1]
	assert.Equal(t, qfpaytest.SandboxAppCode, next(regexp.MustCompile(`app code:\s+(\S+)`))[1])
	assert.Equal(t, qfpaytest.SandboxClientKey, next(regexp.MustCompile(`client key:\s+(\S+)`))[1], "the default key is printed for curl users")
	statusPage := next(regexp.MustCompile(`status page: (http://\S+/) `))[1]
	assert.Equal(t, base+"/", statusPage)

	params := url.Values{
		"pay_type": {"800101"}, "txamt": {"10"}, "txcurrcd": {"HKD"},
		"out_trade_no": {"bin-1"}, "txdtm": {"2019-12-25 14:21:28"},
	}
	req, err := http.NewRequest(http.MethodPost, base+"/trade/v1/payment", strings.NewReader(params.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-QF-APPCODE", qfpaytest.SandboxAppCode)
	// Signed with the SDK: internal/sandbox's tests sign by an independent
	// reference; this test is about the built command.
	req.Header.Set("X-QF-SIGN", qfpay.Sign(params, qfpaytest.SandboxClientKey, qfpay.MD5))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	var ans map[string]any
	require.NoError(t, json.Unmarshal(body, &ans))
	assert.Equal(t, "0000", ans["respcd"], "%s", body)
	assert.Equal(t, base+"/pay/"+ans["syssn"].(string), ans["qrcode"], "links point at the sandbox's address")

	logLine := next(regexp.MustCompile(`msg=request .*path=/trade/v1/payment.*`))
	assert.Regexp(t, `method=POST .*status=200 respcd=0000 duration=`, logLine[0])

	// The status page (admin is on by default) lists the payment.
	resp, err = http.Get(statusPage)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), `<tr data-syssn="`+ans["syssn"].(string)+`">`)

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	next(regexp.MustCompile(`QF Pay sandbox stopped`))
	require.NoError(t, cmd.Wait(), "exits 0 on SIGINT")
}
