package main

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

// sign is the documentation's signature, computed independently.
func sign(params url.Values, key string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + "=" + params.Get(k)
	}
	sum := md5.Sum([]byte(strings.Join(pairs, "&") + key))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

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

	params := url.Values{
		"pay_type": {"800101"}, "txamt": {"10"}, "txcurrcd": {"HKD"},
		"out_trade_no": {"bin-1"}, "txdtm": {"2019-12-25 14:21:28"},
	}
	req, err := http.NewRequest(http.MethodPost, base+"/trade/v1/payment", strings.NewReader(params.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-QF-APPCODE", qfpaytest.SandboxAppCode)
	req.Header.Set("X-QF-SIGN", sign(params, qfpaytest.SandboxClientKey))
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

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	next(regexp.MustCompile(`qfpay-sandbox stopped`))
	require.NoError(t, cmd.Wait(), "exits 0 on SIGINT")
}

func TestRunRefusesBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, "unexpected arguments"},
		{"empty key", []string{"-client-key", ""}, "must not be empty"},
		{"bad address", []string{"-addr", "127.0.0.1:99999"}, "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, io.Discard, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestHTTPServerTimeouts: the sandbox's http.Server bounds how long a
// client may take to send its request and read the answer.
func TestHTTPServerTimeouts(t *testing.T) {
	h := http.NewServeMux()
	hs := newHTTPServer(h)
	assert.Same(t, h, hs.Handler)
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout, "WriteTimeout": hs.WriteTimeout,
	} {
		assert.Positive(t, d, name)
	}
	assert.Equal(t, readHeaderTimeout, hs.ReadHeaderTimeout)
	assert.Equal(t, readTimeout, hs.ReadTimeout)
	assert.Equal(t, writeTimeout, hs.WriteTimeout)
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-client-key", "my-own-key", "-mchid", "ZaMVg12345"}, pw, io.Discard)
	}()
	sc := bufio.NewScanner(pr)
	var out []string
	for sc.Scan() {
		out = append(out, sc.Text())
		if strings.Contains(sc.Text(), "mchid:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	cancel()
	require.NoError(t, <-done)
	pw.Close()
	text := strings.Join(out, "\n")
	assert.NotContains(t, text, "my-own-key", "a key given on the command line is never printed")
	assert.Contains(t, text, "ZaMVg12345")
}

// startRun runs the command in-process with args until the test ends, and
// returns its base URL and its output lines from then on.
func startRun(t *testing.T, args ...string) (base string, lines <-chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, pw, io.Discard) }()
	out := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out <- sc.Text()
		}
		close(out)
	}()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
		pw.Close()
	})
	return nextLine(t, out, regexp.MustCompile(`listening on (http://\S+)`))[1], out
}

// nextLine returns the submatches of the next line of lines matching re.
func nextLine(t *testing.T, lines <-chan string, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "output ended before a line matching %s", re)
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no line matching %s", re)
		}
	}
}

// postForm sends params signed with key under appCode and returns the
// answer's respcd.
func postForm(t *testing.T, rawURL, appCode, key string, params url.Values) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(params.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-QF-APPCODE", appCode)
	req.Header.Set("X-QF-SIGN", sign(params, key))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var ans struct {
		RespCD string `json:"respcd"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	return ans.RespCD
}

// TestRunCredentialsAndNotifyURL: -app-code and -client-key are the
// credentials the sandbox checks, and -notify-url receives the signed
// notification of a payment.
func TestRunCredentialsAndNotifyURL(t *testing.T) {
	type notification struct {
		body []byte
		sign string
	}
	got := make(chan notification, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- notification{body, r.Header.Get("X-QF-SIGN")}
		io.WriteString(w, "SUCCESS")
	}))
	defer receiver.Close()

	const appCode, key = "MY0OWN0APP0CODE", "MY0OWN0CLIENT0KEY"
	base, lines := startRun(t, "-addr", "127.0.0.1:0", "-app-code", appCode, "-client-key", key, "-notify-url", receiver.URL+"/notify")
	payment := url.Values{
		"pay_type": {"800208"}, "txamt": {"10"}, "txcurrcd": {"HKD"}, "out_trade_no": {"flags-1"},
		"txdtm": {"2019-12-25 14:21:28"}, "auth_code": {qfpaytest.AuthCodeSuccess},
	}
	assert.Equal(t, "1106", postForm(t, base+"/trade/v1/payment", qfpaytest.SandboxAppCode, key, payment), "the default app code is not this sandbox's")
	assert.Equal(t, "1108", postForm(t, base+"/trade/v1/payment", appCode, qfpaytest.SandboxClientKey, payment), "signed with the default key")
	require.Equal(t, "0000", postForm(t, base+"/trade/v1/payment", appCode, key, payment))
	nextLine(t, lines, regexp.MustCompile(`msg=request method=POST path=/trade/v1/payment status=200 respcd=0000 `))

	select {
	case n := <-got:
		assert.Contains(t, string(n.body), `"out_trade_no": "flags-1"`)
		sum := md5.Sum(append(n.body, key...))
		assert.Equal(t, strings.ToUpper(hex.EncodeToString(sum[:])), n.sign, "X-QF-SIGN is the MD5 of the body and -client-key")
	case <-time.After(10 * time.Second):
		t.Fatal("no notification at -notify-url")
	}
}

// TestRunPrintedCurlWorks runs the curl command the sandbox prints, as a
// newcomer would copy it.
func TestRunPrintedCurlWorks(t *testing.T) {
	base, lines := startRun(t, "-addr", "127.0.0.1:0")
	m := nextLine(t, lines, regexp.MustCompile(`curl -X POST (\S+) -H 'X-QF-APPCODE: (\S+)' -H 'X-QF-SIGN: (\S+)'`))
	assert.Equal(t, base+"/trade/v1/query", m[1])
	req, err := http.NewRequest(http.MethodPost, m[1], nil)
	require.NoError(t, err)
	req.Header.Set("X-QF-APPCODE", m[2])
	req.Header.Set("X-QF-SIGN", m[3])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var ans struct {
		RespCD string `json:"respcd"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	assert.Equal(t, "0000", ans.RespCD)
}
