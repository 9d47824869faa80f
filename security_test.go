package qfpay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientPrintsNoKey(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, WithMerchantID("MCH1"), WithSignType(SHA256))
	require.NoError(t, err)
	type holder struct{ Client Client }
	type unexported struct{ c Client } // fmt cannot call methods here
	values := map[string]any{
		"*Client":                c,
		"Client":                 *c,
		"struct with Client":     holder{*c},
		"struct with *Client":    struct{ C *Client }{c},
		"unexported Client":      unexported{*c},
		"slice of *Client":       []*Client{c},
		"map of Client by value": map[string]Client{"a": *c},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			t.Run(name+" "+verb, func(t *testing.T) {
				assertNoKey(t, fmt.Sprintf(verb, v), verb)
			})
		}
	}
	assert.Equal(t, `qfpay.Client{app_code: D5589D2A1F2E42A9A60C37A1B2C3D4E5, env: https://openapi-test.qfpay.com, sign_type: SHA256, mchid: "MCH1"}`, fmt.Sprint(c))
	assert.Equal(t, c.String(), fmt.Sprintf("%+v", *c))
	assert.Equal(t, c.GoString(), fmt.Sprintf("%#v", c))
	assert.Equal(t, fmt.Sprintf("%q", c.String()), fmt.Sprintf("%q", c))
}

func TestClientLogsNoKey(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, WithMerchantID("MCH1"))
	require.NoError(t, err)
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	}
	for hname, newHandler := range handlers {
		for vname, v := range map[string]any{"*Client": c, "Client": *c} {
			t.Run(hname+" "+vname, func(t *testing.T) {
				var buf bytes.Buffer
				logger := slog.New(newHandler(&buf))
				logger.Info("configured", "client", v)
				logger.Info("configured", slog.Any("client", v), slog.Group("g", "client", v))
				assertNoKey(t, buf.String(), "log output")
				assert.Contains(t, buf.String(), testAppCode)
				assert.Contains(t, buf.String(), "MCH1")
			})
		}
	}
	t.Run("JSON shape", func(t *testing.T) {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("configured", "client", c)
		var line map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
		assert.Equal(t, map[string]any{"app_code": testAppCode, "env": string(Sandbox), "sign_type": "MD5", "mchid": "MCH1"}, line["client"])
	})
}

// TestKeyNeverSent dumps whole requests as the server read them: the key is
// in none of them, and the signature only in X-QF-SIGN.
func TestKeyNeverSent(t *testing.T) {
	for _, st := range []SignType{MD5, SHA256} {
		t.Run(string(st), func(t *testing.T) {
			var mu sync.Mutex
			var dumps []string
			var sigs []string
			c, _ := gateway(t, func(w http.ResponseWriter, r *http.Request) {
				dump, err := httputil.DumpRequest(r, true)
				assert.NoError(t, err) // not require: the server's goroutine
				mu.Lock()
				dumps = append(dumps, string(dump))
				sigs = append(sigs, r.Header.Get("X-QF-SIGN"))
				mu.Unlock()
				reply(200, specPaymentJSON)(w, r)
			}, WithSignType(st))
			_, err := c.Payment(context.Background(), testPaymentRequest("P-1"))
			require.NoError(t, err)
			_, _ = c.Query(context.Background(), queryByOTN)
			_, _ = c.Refund(context.Background(), testRefundRequest("R-1"))

			require.Len(t, dumps, 3)
			for i, d := range dumps {
				assertNoKey(t, d, "request on the wire")
				assert.Equal(t, 1, strings.Count(d, sigs[i]), "the signature is sent once, in its header")
			}
		})
	}
}

// failureModes provokes every kind of failure the client reports and
// returns each error by name, with the signatures the server received.
func failureModes(t *testing.T, opts ...Option) (map[string]error, []string) {
	t.Helper()
	errs := map[string]error{}
	var mu sync.Mutex
	var sigs []string
	record := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			sigs = append(sigs, r.Header.Get("X-QF-SIGN"))
			mu.Unlock()
			h(w, r)
		}
	}
	pay := func(name string, h http.HandlerFunc, extra ...Option) {
		c, _ := gateway(t, record(h), append(slices.Clone(opts), extra...)...)
		_, errs[name] = c.Payment(context.Background(), testPaymentRequest("P-"+name))
	}
	query := func(name string, h http.HandlerFunc) {
		c, _ := gateway(t, record(h), append(slices.Clone(opts), WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))...)
		_, errs[name] = c.Query(context.Background(), queryByOTN)
	}

	_, errs["NewClient bad base URL"] = NewClient(testAppCode, testClientKey, WithBaseURL("ftp://qfpay.example"))
	_, errs["NewClient bad sign type"] = NewClient(testAppCode, testClientKey, WithSignType("CRC32"))
	_, errs["NewClient bad retry"] = NewClient(testAppCode, testClientKey, WithRetry(RetryPolicy{MinBackoff: -1}))
	c, _ := gateway(t, reply(200, specPaymentJSON), opts...)
	_, errs["validation"] = c.Payment(context.Background(), &PaymentRequest{PayType: PayTypeAlipayMPM, OutTradeNo: "P-1"})
	_, errs["query validation"] = c.Query(context.Background(), &QueryRequest{PageSize: 1000})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	dead, err := NewClient(testAppCode, testClientKey, append(slices.Clone(opts), WithBaseURL(closed))...)
	require.NoError(t, err)
	_, errs["dial error"] = dead.Payment(context.Background(), testPaymentRequest("P-dial"))

	pay("HTTP 400", reply(400, htmlPage))
	pay("HTTP 429", reply(429, ""))
	pay("HTTP 500", reply(500, htmlPage))
	pay("HTTP 502", reply(502, htmlPage))
	pay("respcd 1108", reply(200, `{"respcd": "1108", "resperr": "signature error", "respmsg": "sign mismatch"}`))
	pay("respcd 1143", reply(200, `{"respcd": "1143", "syssn": "1"}`))
	pay("malformed", reply(200, "<html>oops</html>"))
	pay("0000 without syssn", reply(200, `{"respcd": "0000"}`))
	pay("too large", reply(200, `{"respcd": "0000", "syssn": "1", "x": "`+strings.Repeat("y", 100)+`"}`), WithMaxResponseBytes(64))
	pay("timeout", stall, WithTimeout(100*time.Millisecond))
	pay("connection reset", hangUp)
	query("query retries exhausted", reply(503, htmlPage))
	query("query malformed", reply(200, `{"respcd": "0000", "data": 7}`))

	limited, _ := gateway(t, record(reply(200, specPaymentJSON)), append(slices.Clone(opts), WithRateLimit(1, 0))...)
	_, _ = limited.Payment(context.Background(), testPaymentRequest("P-first"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, errs["rate limit wait"] = limited.Payment(ctx, testPaymentRequest("P-second"))

	mu.Lock()
	defer mu.Unlock()
	return errs, slices.Clone(sigs)
}

func TestErrorsCarryNoSecrets(t *testing.T) {
	errs, sigs := failureModes(t)
	require.NotEmpty(t, sigs)
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			require.Error(t, err)
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				assertNoKey(t, s, "error text")
				for _, sig := range sigs {
					assert.NotContains(t, s, sig, "the signature")
				}
			}
			assert.True(t, strings.HasPrefix(err.Error(), "qfpay: "), err.Error())
		})
	}
}

// TestLoggerLogsNoSecrets runs successful, retried and failing calls with a
// debug logger: every attempt is logged, and neither the key, nor a
// signature, nor the string that was signed is.
func TestLoggerLogsNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	var bufMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&buf, &bufMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	var mu sync.Mutex
	var sigs, canonical []string
	queries := 0
	c, _ := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		assert.NoError(t, r.ParseForm()) // not require: the server's goroutine
		mu.Lock()
		sigs = append(sigs, r.Header.Get("X-QF-SIGN"))
		canonical = append(canonical, canonicalString(r.PostForm))
		first := r.URL.Path == pathQuery && queries == 0
		if r.URL.Path == pathQuery {
			queries++
		}
		mu.Unlock()
		switch {
		case first:
			reply(503, htmlPage)(w, r)
		case r.URL.Path == pathQuery:
			reply(200, queryPageJSON)(w, r)
		case r.PostForm.Get("out_trade_no") == "P-bad":
			reply(502, htmlPage)(w, r)
		default:
			reply(200, specPaymentJSON)(w, r)
		}
	}, WithLogger(logger), WithMerchantID("MCH1"), WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))

	_, err := c.Payment(context.Background(), testPaymentRequest("P-ok"))
	require.NoError(t, err)
	_, err = c.Query(context.Background(), queryByOTN)
	require.NoError(t, err)
	_, err = c.Payment(context.Background(), testPaymentRequest("P-bad"))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	_, err = c.Payment(context.Background(), &PaymentRequest{OutTradeNo: "P-invalid"})
	require.ErrorIs(t, err, ErrInvalidRequest)

	out := buf.String()
	assertNoKey(t, out, "log output")
	require.Len(t, sigs, 4)
	for i := range sigs {
		assert.NotContains(t, out, sigs[i], "signature")
		assert.NotContains(t, out, canonical[i], "signed string")
	}

	type line struct {
		Level, Msg, Method, Path, Respcd, Error string
		Status, Attempt                         int
	}
	var lines []line
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		lines = append(lines, l)
	}
	want := []line{
		{Level: "DEBUG", Msg: "qfpay request", Method: "POST", Path: pathPayment, Respcd: "0000", Status: 200, Attempt: 1},
		{Level: "WARN", Msg: "qfpay request", Method: "POST", Path: pathQuery, Status: 503, Attempt: 1, Error: "qfpay: /trade/v1/query: HTTP 503: Service Unavailable: <html><head><title>Bad Gateway</title></head><body>nginx</body></html>"},
		{Level: "DEBUG", Msg: "qfpay request", Method: "POST", Path: pathQuery, Respcd: "0000", Status: 200, Attempt: 2},
		{Level: "WARN", Msg: "qfpay request", Method: "POST", Path: pathPayment, Status: 502, Attempt: 1, Error: "qfpay: /trade/v1/payment: HTTP 502: Bad Gateway: <html><head><title>Bad Gateway</title></head><body>nginx</body></html>"},
	}
	assert.Equal(t, want, lines, "one line per attempt; nothing for a request refused before sending")
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestRedirectsNotFollowed: a gateway (or anything in its place) answering
// with a redirect gets no signed request sent on to the host it names, and
// its answer is an error: for a payment, one of unknown outcome. It holds
// for the default HTTP client and for the caller's, whose CheckRedirect
// would follow, and the caller's client is left as it was.
func TestRedirectsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		reply(200, specPaymentJSON)(w, r)
	}))
	t.Cleanup(other.Close)

	follows := func(*http.Request, []*http.Request) error { return nil }
	clients := map[string]func() *http.Client{
		"default client":                        nil,
		"caller's client without CheckRedirect": func() *http.Client { return &http.Client{} },
		"caller's client that follows":          func() *http.Client { return &http.Client{CheckRedirect: follows} },
	}
	for cname, mk := range clients {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", cname, status), func(t *testing.T) {
				elsewhere.Store(0)
				var opts []Option
				var hc *http.Client
				if mk != nil {
					hc = mk()
					opts = append(opts, WithHTTPClient(hc))
				}
				c, hits := gateway(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", other.URL+r.URL.Path)
					reply(status, `{"respcd": "0000", "syssn": "20191225000200020060996533"}`)(w, r)
				}, append(opts, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))...)

				pay, err := c.Payment(context.Background(), testPaymentRequest("P-redirect"))
				assert.Nil(t, pay, "never a success")
				require.ErrorIs(t, err, ErrOutcomeUnknown, "the host that redirected may have executed the payment")
				var ou *OutcomeUnknownError
				require.ErrorAs(t, err, &ou)
				assert.Equal(t, "P-redirect", ou.OutTradeNo)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.HTTPStatus)
				assert.Empty(t, apiErr.Code, "a redirect's body is no answer of the gateway")
				assert.Contains(t, err.Error(), "redirect not followed (to "+other.URL+pathPayment+")")

				page, err := c.Query(context.Background(), queryByOTN)
				assert.Nil(t, page)
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.HTTPStatus)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)

				assert.Equal(t, int32(2), hits.Load(), "one payment, one query: a redirect is not retried")
				assert.Zero(t, elsewhere.Load(), "nothing reaches the host the redirect names")
				if hc != nil {
					if cname == "caller's client that follows" {
						require.NotNil(t, hc.CheckRedirect)
						assert.NoError(t, hc.CheckRedirect(nil, nil), "the caller's CheckRedirect is left as it was")
					} else {
						assert.Nil(t, hc.CheckRedirect, "the caller's client is left as it was")
					}
				}
			})
		}
	}
}

// TestPlainHTTPOnlyForLoopback: http:// sends signed requests and answers
// in clear text, so it is taken for this machine only, unless the caller
// says WithInsecureHTTP.
func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string // the URL called; "" when NewClient refuses
	}{
		{"https anywhere", []Option{WithBaseURL("https://openapi-hk.qfapi.com")}, "https://openapi-hk.qfapi.com/trade/v1/query"},
		{"http to 127.0.0.1", []Option{WithBaseURL("http://127.0.0.1:8787")}, "http://127.0.0.1:8787/trade/v1/query"},
		{"http to 127.8.9.10", []Option{WithBaseURL("http://127.8.9.10")}, "http://127.8.9.10/trade/v1/query"},
		{"http to localhost", []Option{WithBaseURL("http://localhost:8080/qf")}, "http://localhost:8080/qf/trade/v1/query"},
		{"http to LOCALHOST", []Option{WithBaseURL("http://LOCALHOST")}, "http://LOCALHOST/trade/v1/query"},
		{"http to ::1", []Option{WithBaseURL("http://[::1]:8080")}, "http://[::1]:8080/trade/v1/query"},
		{"http to a gateway", []Option{WithBaseURL("http://openapi-hk.qfapi.com")}, ""},
		{"http environment", []Option{WithEnvironment("http://openapi-hk.qfapi.com")}, ""},
		{"http to a private address", []Option{WithBaseURL("http://10.0.0.5:8787")}, ""},
		{"http to 0.0.0.0", []Option{WithBaseURL("http://0.0.0.0:8787")}, ""},
		{"http to a name starting with 127.0.0.1", []Option{WithBaseURL("http://127.0.0.1.evil.example")}, ""},
		{"http to a name starting with localhost", []Option{WithBaseURL("http://localhost.evil.example")}, ""},
		{"http to a gateway, insecure allowed", []Option{WithBaseURL("http://10.0.0.5:8787"), WithInsecureHTTP()}, "http://10.0.0.5:8787/trade/v1/query"},
		{"insecure allowed before the base URL", []Option{WithInsecureHTTP(), WithBaseURL("http://qfpay.lan")}, "http://qfpay.lan/trade/v1/query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, urls := recordURLs(t)
			c, err := NewClient(testAppCode, testClientKey, append([]Option{WithHTTPClient(hc)}, tt.opts...)...)
			if tt.want == "" {
				assert.Nil(t, c)
				require.ErrorIs(t, err, ErrInvalidRequest)
				assert.Contains(t, err.Error(), "plain http:// is allowed only for a loopback host")
				assert.Contains(t, err.Error(), "WithInsecureHTTP")
				return
			}
			require.NoError(t, err)
			_, err = c.Query(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, urls())
		})
	}
}

// TestBaseURLUserinfoNeverShown: a base URL's user:password (a proxy's,
// say) is used for the requests but appears in no printed client, log line
// or error.
func TestBaseURLUserinfoNeverShown(t *testing.T) {
	const base = "https://alice:s3cr3t@proxy.example/qfpay"
	mock := httpmock.NewMockTransport()
	var auth []string
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		auth = append(auth, r.Header.Get("Authorization"))
		return nil, errors.New("connection reset by peer")
	})
	var logs bytes.Buffer
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(base), WithHTTPClient(&http.Client{Transport: mock}),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)

	_, payErr := c.Payment(context.Background(), testPaymentRequest("P-proxy"))
	require.ErrorIs(t, payErr, ErrOutcomeUnknown)
	_, queryErr := c.Query(context.Background(), queryByOTN)
	require.Error(t, queryErr)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("configured", "client", c)
	_, badErr := NewClient(testAppCode, testClientKey, WithBaseURL("ftp://alice:s3cr3t@proxy.example"))
	require.Error(t, badErr)

	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("alice:s3cr3t")), auth[0], "the userinfo is still used")
	shown := map[string]string{
		"String":         c.String(),
		"%v":             fmt.Sprintf("%v", c),
		"%#v":            fmt.Sprintf("%#v", *c),
		"logs":           logs.String(),
		"payment error":  payErr.Error(),
		"query error":    queryErr.Error(),
		"base URL error": badErr.Error(),
		"LogValue":       c.LogValue().String(),
		"Environment":    fmt.Sprint(c.Environment()),
		"Environment %q": fmt.Sprintf("%q", c.Environment()),
	}
	for name, s := range shown {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, s, "alice")
			assert.NotContains(t, s, "s3cr3t")
		})
	}
	assert.Contains(t, c.String(), "env: https://redacted@proxy.example/qfpay")
	assert.Contains(t, payErr.Error(), "https://redacted@proxy.example/qfpay/trade/v1/payment")
	assert.Equal(t, "https://redacted@proxy.example/qfpay", c.Environment().String())
	assert.Equal(t, Environment(base), c.Environment(), "the value itself keeps the userinfo, to build a client with")
}

// TestBlankNotificationKey: a key of blanks only verifies nothing, since
// anyone could sign with it; a key with a trailing newline (read from a
// file) is used without it, as NewClient uses it.
func TestBlankNotificationKey(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	for _, key := range []string{"", " ", "\t", " \n\r\t "} {
		t.Run(fmt.Sprintf("key %q", key), func(t *testing.T) {
			sig := notifySig(body, key) // what anyone can compute
			err := VerifyNotification([]byte(body), sig, key)
			require.ErrorIs(t, err, ErrInvalidSignature)
			assert.Contains(t, err.Error(), "empty or blank")
			n, err := ParseNotification([]byte(body), sig, key)
			assert.Nil(t, n)
			require.ErrorIs(t, err, ErrInvalidSignature)

			called := false
			h := NotificationHandler(key, func(context.Context, *Notification) error { called = true; return nil })
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest(http.MethodPost, body, sig))
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.False(t, called)
		})
	}
	t.Run("key with a trailing newline", func(t *testing.T) {
		sig := notifySig(body, testClientKey)
		require.NoError(t, VerifyNotification([]byte(body), sig, testClientKey+"\n"))
		assert.Equal(t, sig, SignNotification([]byte(body), " "+testClientKey+"\n"))
	})
}
