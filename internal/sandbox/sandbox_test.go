package sandbox

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
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
			err := Run(t.Context(), tt.args, io.Discard, io.Discard)
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
		done <- Run(ctx, []string{"-addr", "127.0.0.1:0", "-client-key", "my-own-key", "-mchid", "ZaMVg12345"}, pw, io.Discard)
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
	go func() { done <- Run(ctx, args, pw, io.Discard) }()
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

// get GETs rawURL and returns the status and the body.
func get(t *testing.T, rawURL string) (int, string) {
	t.Helper()
	resp, err := http.Get(rawURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestRunAdmin: the status page and the admin API are on unless
// -admin=false, and the startup text names them.
func TestRunAdmin(t *testing.T) {
	t.Run("on by default", func(t *testing.T) {
		base, lines := startRun(t, "-addr", "127.0.0.1:0")
		page := nextLine(t, lines, regexp.MustCompile(`^  status page: (http://\S+) \(loopback clients only\)$`))[1]
		assert.Equal(t, base+"/", page)
		curl := nextLine(t, lines, regexp.MustCompile(`^  admin API:   curl -s (http://\S+) `))[1]
		assert.Equal(t, base+"/_sandbox/v1/transactions", curl)

		status, body := get(t, page)
		assert.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "<title>QF Pay sandbox</title>")
		assert.Contains(t, body, "No transactions yet")

		status, body = get(t, curl)
		assert.Equal(t, http.StatusOK, status)
		var ans struct {
			Now          time.Time               `json:"now"`
			Transactions []qfpaytest.Transaction `json:"transactions"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &ans), body)
		assert.False(t, ans.Now.IsZero())
		assert.Empty(t, ans.Transactions)
		assert.NotNil(t, ans.Transactions, "an empty list, not null")
	})
	t.Run("-admin=false", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var out []string
		done := make(chan error, 1)
		pr, pw := io.Pipe()
		go func() { done <- Run(ctx, []string{"-addr", "127.0.0.1:0", "-admin=false"}, pw, io.Discard) }()
		sc := bufio.NewScanner(pr)
		var base string
		for sc.Scan() {
			out = append(out, sc.Text())
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				base = m[1]
			}
			if strings.Contains(sc.Text(), "curl -X POST") {
				break
			}
		}
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		for _, path := range []string{"/", "/_sandbox/v1/transactions"} {
			status, _ := get(t, base+path)
			assert.Equal(t, http.StatusNotFound, status, path)
		}
		cancel()
		require.NoError(t, <-done)
		pw.Close()
		assert.NotContains(t, strings.Join(out, "\n"), "status page")
	})
}

func TestLocalAddr(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		{"loopback", "127.0.0.1:8787", "127.0.0.1:8787"},
		{"every IPv4 interface", "0.0.0.0:8787", "127.0.0.1:8787"},
		{"every IPv6 interface", "[::]:8787", "[::1]:8787"},
		{"one interface", "192.0.2.1:80", "192.0.2.1:80"},
		{"IPv6 loopback", "[::1]:1", "[::1]:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(tt.addr))
			assert.Equal(t, tt.want, localAddr(addr))
		})
	}
}

// TestFlagSet: each flag sets its Options field; without flags the
// defaults are the sandbox's own.
func TestFlagSet(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want func(o *Options)
	}{
		{"defaults", nil, func(*Options) {}},
		{"-addr", []string{"-addr", ":0"}, func(o *Options) { o.Addr = ":0" }},
		{"-app-code", []string{"-app-code", "A"}, func(o *Options) { o.AppCode = "A" }},
		{"-client-key", []string{"-client-key", "K"}, func(o *Options) { o.ClientKey = "K" }},
		{"-mchid", []string{"-mchid", "M"}, func(o *Options) { o.MerchantID = "M" }},
		{"-notify-url", []string{"-notify-url", "http://x/n"}, func(o *Options) { o.NotifyURL = "http://x/n" }},
		{"-auto-pay", []string{"-auto-pay", "5s"}, func(o *Options) { o.AutoPay = 5 * time.Second }},
		{"-admin=false", []string{"-admin=false"}, func(o *Options) { o.Admin = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			require.NoError(t, FlagSet("qfpay sandbox", &o, io.Discard).Parse(tt.args))
			want := Options{Addr: DefaultAddr, AppCode: qfpaytest.SandboxAppCode, ClientKey: qfpaytest.SandboxClientKey, Admin: true}
			tt.want(&want)
			assert.Equal(t, want, o)
		})
	}
	t.Run("-h", func(t *testing.T) {
		var help strings.Builder
		require.NoError(t, Run(t.Context(), []string{"-h"}, io.Discard, &help))
		assert.Contains(t, help.String(), "usage: qfpay-sandbox "+Usage)
		assert.Contains(t, help.String(), "-admin")
	})
}
