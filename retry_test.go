package qfpay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
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

// specPaymentJSON is the documentation's sample answer to a payment (section
// "API Endpoint for Payments"), as recorded in testdata.
var specPaymentJSON = mustReadTestdata("payment_doc.json")

// queryPageJSON is a query answer listing one paid transaction.
const queryPageJSON = `{"respcd": "0000", "resperr": "", "respmsg": "", "page": "1", "page_size": "10",
 "data": [{"syssn": "20191225000200020060996533", "out_trade_no": "01234567890123", "pay_type": "800101",
 "order_type": "payment", "txamt": "10", "txcurrcd": "EUR", "respcd": "0000", "cancel": "0"}]}`

const (
	pathPayment = "/trade/v1/payment"
	pathQuery   = "/trade/v1/query"
	pathRefund  = "/trade/v1/refund"
	htmlPage    = "<html><head><title>Bad Gateway</title></head><body>nginx</body></html>"
)

// testPaymentRequest is an Alipay MPM payment of 0.10 EUR numbered no.
func testPaymentRequest(no string) *PaymentRequest {
	return &PaymentRequest{PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyEUR, OutTradeNo: no, GoodsName: "coffee", DeviceID: "qiantai2"}
}

func testRefundRequest(no string) *RefundRequest {
	return &RefundRequest{SysSN: "20191225000200020060996533", OutTradeNo: no, Amount: 10}
}

// scripted is one attempt's outcome on the mock transport: an HTTP answer or,
// when err is set, a transport error.
type scripted struct {
	status int
	body   string
	header []string
	err    error
}

// script answers method path with steps in turn, the last one repeating,
// and returns a function giving the arrival time of each attempt.
func (e *testEnv) script(method, path string, steps ...scripted) func() []time.Time {
	var mu sync.Mutex
	var times []time.Time
	e.respondFunc(method, path, func(*http.Request) (*http.Response, error) {
		mu.Lock()
		i := len(times)
		times = append(times, time.Now())
		mu.Unlock()
		s := steps[min(i, len(steps)-1)]
		if s.err != nil {
			return nil, s.err
		}
		resp := httpmock.NewStringResponse(s.status, s.body)
		if strings.HasPrefix(s.body, "{") {
			resp.Header.Set("Content-Type", "application/json")
		} else {
			resp.Header.Set("Content-Type", "text/html")
		}
		for i := 0; i+1 < len(s.header); i += 2 {
			resp.Header.Set(s.header[i], s.header[i+1])
		}
		return resp, nil
	})
	return func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(times)
	}
}

var (
	connReset  = scripted{err: errors.New("read tcp 10.0.0.1:50000->10.0.0.2:443: read: connection reset by peer")}
	html500    = scripted{status: 500, body: htmlPage}
	html502    = scripted{status: 502, body: htmlPage}
	html503    = scripted{status: 503, body: htmlPage}
	empty429   = scripted{status: 429}
	queryPage  = scripted{status: 200, body: queryPageJSON}
	paymentOK  = scripted{status: 200, body: specPaymentJSON}
	queryByOTN = &QueryRequest{OutTradeNos: []string{"01234567890123"}}
)

func TestQueryRetriedUntilSuccess(t *testing.T) {
	tests := []struct {
		name string
		fail scripted
	}{
		{"connection error", connReset},
		{"HTTP 500", html500},
		{"HTTP 502", html502},
		{"HTTP 503", html503},
		{"HTTP 429", empty429},
		{"HTTP 429 with a JSON body", scripted{status: 429, body: `{"respcd": "1100", "resperr": "too many requests"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.script("POST", pathQuery, tt.fail, tt.fail, queryPage)

			resp, err := e.client.Query(context.Background(), queryByOTN)
			require.NoError(t, err)
			require.Len(t, resp.Transactions, 1)
			assert.Equal(t, "20191225000200020060996533", resp.Transactions[0].SysSN)
			assert.True(t, resp.Transactions[0].Paid())

			reqs := e.requests()
			require.Len(t, reqs, 3, "two failures, then the success")
			for i, r := range reqs {
				assert.Equal(t, reqs[0].RawBody, r.RawBody, "attempt %d sends the same body", i+1)
				assert.Equal(t, reqs[0].Header.Get("X-QF-SIGN"), r.Header.Get("X-QF-SIGN"), "attempt %d has the same signature", i+1)
				assert.Equal(t, "01234567890123", r.Params.Get("out_trade_no"))
				assertSigned(t, r, MD5)
			}
		})
	}
}

func TestQueryRetryStopsAtMaxAttempts(t *testing.T) {
	t.Run("answers: the last one is returned", func(t *testing.T) {
		e := setup(t)
		e.script("POST", pathQuery, html500, html502, html503, queryPage)

		resp, err := e.client.Query(context.Background(), queryByOTN)
		assert.Nil(t, resp)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.HTTPStatus, "the third attempt's answer")
		assert.Equal(t, pathQuery, apiErr.Path)
		assert.Len(t, e.requests(), 3)
	})
	t.Run("connection errors: the last one is returned", func(t *testing.T) {
		e := setup(t)
		e.script("POST", pathQuery, scripted{err: errors.New("first")}, scripted{err: errors.New("second")}, scripted{err: errors.New("third")}, queryPage)

		_, err := e.client.Query(context.Background(), queryByOTN)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "third")
		assert.True(t, strings.HasPrefix(err.Error(), "qfpay: POST /trade/v1/query: "), err.Error())
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a query moves no money")
		assert.Len(t, e.requests(), 3)
	})
	t.Run("a policy without backoff retries at once", func(t *testing.T) {
		e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 3}))
		times := e.script("POST", pathQuery, html503, empty429, queryPage)

		_, err := e.client.Query(context.Background(), queryByOTN)
		require.NoError(t, err)
		at := times()
		require.Len(t, at, 3)
		assert.Less(t, at[2].Sub(at[0]), 100*time.Millisecond)
	})
	t.Run("a larger policy makes more attempts", func(t *testing.T) {
		e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 5, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		e.script("POST", pathQuery, html503)

		_, err := e.client.Query(context.Background(), queryByOTN)
		require.Error(t, err)
		assert.Len(t, e.requests(), 5)
	})
}

func TestRetryDisabled(t *testing.T) {
	for _, attempts := range []int{1, 0, -1} {
		t.Run(fmt.Sprintf("MaxAttempts %d", attempts), func(t *testing.T) {
			e := setup(t, WithRetry(RetryPolicy{MaxAttempts: attempts}))
			e.respond("POST", pathQuery, 503, htmlPage)

			_, err := e.client.Query(context.Background(), queryByOTN)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 503, apiErr.HTTPStatus)
			assertSigned(t, e.last(), MD5)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		fail     scripted
		max      time.Duration
		min, lim time.Duration // bounds of the wait between the attempts
	}{
		{"429 Retry-After seconds honoured", scripted{status: 429, header: []string{"Retry-After", "1"}}, 3 * time.Second, time.Second, 2500 * time.Millisecond},
		{"503 Retry-After seconds honoured", scripted{status: 503, body: htmlPage, header: []string{"Retry-After", "1"}}, 3 * time.Second, time.Second, 2500 * time.Millisecond},
		{"no Retry-After: jittered backoff within MinBackoff", empty429, 150 * time.Millisecond, 0, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: tt.max}))
			times := e.script("POST", pathQuery, tt.fail, queryPage)

			_, err := e.client.Query(context.Background(), queryByOTN)
			require.NoError(t, err)
			at := times()
			require.Len(t, at, 2)
			gap := at[1].Sub(at[0])
			assert.GreaterOrEqual(t, gap, tt.min)
			assert.Less(t, gap, tt.lim)
		})
	}
}

// TestRetryAfterBeyondMaxBackoff: the gateway's Retry-After is honoured in
// full, whatever MaxBackoff; when it ends after the call's deadline, the
// answer comes back at once with the wait it asked for.
func TestRetryAfterBeyondMaxBackoff(t *testing.T) {
	inAnHour := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		policy   RetryPolicy
		fail     scripted
		requests int
		min, lim time.Duration // bounds of the call's duration
	}{
		{"Retry-After 1s over MaxBackoff 150ms: waited for", RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 150 * time.Millisecond},
			scripted{status: 429, header: []string{"Retry-After", "1"}}, 2, time.Second, 2500 * time.Millisecond},
		{"Retry-After 1s with a policy without backoff: waited for", RetryPolicy{MaxAttempts: 3},
			scripted{status: 503, body: htmlPage, header: []string{"Retry-After", "1"}}, 2, time.Second, 2500 * time.Millisecond},
		{"Retry-After 60s, beyond the client's call timeout: at once", RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 150 * time.Millisecond},
			scripted{status: 429, header: []string{"Retry-After", "60"}}, 1, 0, 500 * time.Millisecond},
		{"Retry-After date in an hour: at once", RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 150 * time.Millisecond},
			scripted{status: 503, body: htmlPage, header: []string{"Retry-After", inAnHour}}, 1, 0, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, WithRetry(tt.policy))
			e.script("POST", pathQuery, tt.fail, queryPage)

			start := time.Now()
			resp, err := e.client.Query(context.Background(), queryByOTN)
			took := time.Since(start)
			assert.GreaterOrEqual(t, took, tt.min)
			assert.Less(t, took, tt.lim)
			assert.Len(t, e.requests(), tt.requests, "never sent again before the gateway said")
			if tt.requests > 1 {
				require.NoError(t, err)
				return
			}
			assert.Nil(t, resp)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.fail.status, apiErr.HTTPStatus)
			assert.Greater(t, apiErr.RetryAfter, DefaultTimeout)
		})
	}
}

func TestRetryAfterParsedIntoAPIError(t *testing.T) {
	e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	e.respond("POST", pathQuery, 429, "", "Retry-After", "7")

	_, err := e.client.Query(context.Background(), queryByOTN)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 7*time.Second, apiErr.RetryAfter)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, "01234567890123", e.last().Params.Get("out_trade_no"))
}

func TestRetryStopsWithTheContext(t *testing.T) {
	// The gateway asks for 5s; the policy would wait that long.
	slow := scripted{status: 503, body: htmlPage, header: []string{"Retry-After", "5"}}
	policy := WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Second})

	t.Run("cancelled during the backoff", func(t *testing.T) {
		e := setup(t, policy)
		e.script("POST", pathQuery, slow, queryPage)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)

		start := time.Now()
		resp, err := e.client.Query(ctx, queryByOTN)
		assert.Less(t, time.Since(start), 2*time.Second, "returns when cancelled, not after the backoff")
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, context.Canceled)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the last answer is kept")
		assert.Equal(t, 503, apiErr.HTTPStatus)
		assert.Contains(t, err.Error(), "gave up waiting to retry")
		assert.Len(t, e.requests(), 1)
	})
	t.Run("deadline before the backoff ends: the last answer at once", func(t *testing.T) {
		e := setup(t, policy)
		e.script("POST", pathQuery, slow, queryPage)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()

		start := time.Now()
		_, err := e.client.Query(ctx, queryByOTN)
		assert.Less(t, time.Since(start), 500*time.Millisecond, "does not sleep into the deadline")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 5*time.Second, apiErr.RetryAfter)
		assert.Len(t, e.requests(), 1)
	})
	t.Run("cancelled before the call: nothing sent", func(t *testing.T) {
		e := setup(t)
		e.script("POST", pathQuery, queryPage)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		_, err := e.client.Query(ctx, queryByOTN)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, e.requests())
	})
}

func TestQueryNotRetriedOnDefiniteAnswers(t *testing.T) {
	tests := []struct {
		name  string
		fail  scripted
		check func(t *testing.T, err error)
	}{
		{"respcd 1104", scripted{status: 200, body: `{"respcd": "1104", "resperr": "parameter error"}`}, func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "1104", apiErr.Code)
		}},
		{"HTTP 500 carrying a respcd", scripted{status: 500, body: `{"respcd": "1100", "resperr": "maintenance"}`}, func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "1100", apiErr.Code)
			assert.Equal(t, 500, apiErr.HTTPStatus)
		}},
		{"HTTP 400 page", scripted{status: 400, body: htmlPage}, func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 400, apiErr.HTTPStatus)
		}},
		{"malformed 200", scripted{status: 200, body: "<html>"}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
		}},
		{"answer over the size limit", scripted{status: 200, body: `{"respcd": "0000", "data": [], "pad": "` + strings.Repeat("x", DefaultMaxResponseBytes) + `"}`}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "larger than")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.script("POST", pathQuery, tt.fail, queryPage)
			_, err := e.client.Query(context.Background(), queryByOTN)
			tt.check(t, err)
			assert.Len(t, e.requests(), 1)
		})
	}
}

func TestMoneyMovingCallsNeverRetried(t *testing.T) {
	calls := []struct {
		name string
		path string
		call func(c *Client) error
	}{
		{"Payment", pathPayment, func(c *Client) error {
			_, err := c.Payment(context.Background(), testPaymentRequest("P-1"))
			return err
		}},
		{"Refund", pathRefund, func(c *Client) error {
			_, err := c.Refund(context.Background(), testRefundRequest("R-1"))
			return err
		}},
	}
	failures := []struct {
		name    string
		fail    scripted
		unknown bool // may have reached the gateway
	}{
		{"HTTP 500", html500, true},
		{"HTTP 502", html502, true},
		{"HTTP 503", html503, true},
		{"HTTP 503 Retry-After", scripted{status: 503, body: htmlPage, header: []string{"Retry-After", "0"}}, true},
		{"HTTP 429", empty429, false},
		{"connection error", connReset, true},
		{"dial error", scripted{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, false},
	}
	for _, call := range calls {
		for _, f := range failures {
			t.Run(call.name+"/"+f.name, func(t *testing.T) {
				e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 10, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
				e.script("POST", call.path, f.fail, paymentOK)

				err := call.call(e.client)
				require.Error(t, err)
				assert.Len(t, e.requests(), 1, "sent exactly once")
				assert.Equal(t, f.unknown, errors.Is(err, ErrOutcomeUnknown), "outcome unknown: %v", err)
			})
		}
	}
	t.Run("an endpoint flagged both retry and movesMoney", func(t *testing.T) {
		e := setup(t)
		e.script("POST", pathPayment, html503, paymentOK)
		ep := epPayment
		ep.retry = true
		err := e.client.call(context.Background(), &ep, testPaymentRequest("P-2"), new(PaymentResponse))
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Len(t, e.requests(), 1)
	})
}

// TestSingleUseCallRetriedOnlyWhenUnsent: a WeChat OAuth code is spent by
// the first request that reaches the gateway, so WeChatOpenID is repeated
// only after a failure that proves nothing reached it (a dial error, a 429
// refusal), never after one that may have spent the code.
func TestSingleUseCallRetriedOnlyWhenUnsent(t *testing.T) {
	const code = "011QipnO1yMIla1VJdoO1FUrnO1Qipnv"
	openIDOK := scripted{status: 200, body: mustReadTestdata("wechat_openid_ok.json")}
	tests := []struct {
		name    string
		fail    scripted
		retried bool
	}{
		{"dial error", scripted{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, true},
		{"HTTP 429", empty429, true},
		{"HTTP 429 with a respcd", scripted{status: 429, body: `{"respcd": "1100", "resperr": "busy"}`}, true},
		{"connection error after sending", connReset, false},
		{"HTTP 500", html500, false},
		{"HTTP 502", html502, false},
		{"HTTP 503 Retry-After", scripted{status: 503, body: htmlPage, header: []string{"Retry-After", "0"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
			e.script(http.MethodGet, "/tool/v1/get_weixin_openid", tt.fail, openIDOK)
			openID, err := e.client.WeChatOpenID(context.Background(), code)
			if tt.retried {
				require.NoError(t, err)
				assert.Equal(t, "oo3Lss8d0hLOuyTuSJMVwLTk68JE", openID)
				assert.Len(t, e.requests(), 2, "retried once")
				return
			}
			require.Error(t, err)
			assert.Empty(t, openID)
			assert.Len(t, e.requests(), 1, "the code is sent once")
			for _, r := range e.requests() {
				assert.Equal(t, code, r.Params.Get("code"))
			}
		})
	}
	t.Run("answer lost after the request was written, over TCP", func(t *testing.T) {
		c, hits := gateway(t, hangUp, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		_, err := c.WeChatOpenID(context.Background(), code)
		require.Error(t, err)
		assert.Equal(t, int32(1), hits.Load(), "the code reached the gateway once")
	})
	t.Run("the query path, not single-use, retries the same failures", func(t *testing.T) {
		e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		e.script(http.MethodPost, pathQuery, html502, queryPage)
		_, err := e.client.Query(context.Background(), queryByOTN)
		require.NoError(t, err)
		assert.Len(t, e.requests(), 2)
	})
}

// gateway starts a local server with handler and returns a client for it
// and the number of requests that reached the handler.
func gateway(t *testing.T, handler http.HandlerFunc, opts ...Option) (*Client, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(testAppCode, testClientKey, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	require.NoError(t, err)
	return c, &hits
}

// reply answers every request with status and body.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// stall reads the request and answers only after the client gave up.
func stall(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// cutShort reads the request and promises an answer longer than what it
// writes before hanging up.
func cutShort(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"respcd\": \"0000\", \"sys")
	_ = buf.Flush()
	_ = conn.Close()
}

// hangUp reads the whole request, then drops the connection without a word.
func hangUp(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset, not a clean close
	}
	_ = conn.Close()
}

func TestPaymentOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
		timeout time.Duration // the caller's deadline, if any
		cause   func(t *testing.T, err error)
	}{
		{name: "timeout after the request was written", handler: stall, timeout: 150 * time.Millisecond, cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{name: "WithTimeout bounds a call without deadline", handler: stall, opts: []Option{WithTimeout(150 * time.Millisecond)}, cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{name: "connection reset after the request was written", handler: hangUp, cause: func(t *testing.T, err error) {
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
		}},
		{name: "connection lost while reading the answer", handler: cutShort, cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Contains(t, err.Error(), "reading the answer")
		}},
		{name: "HTML 502", handler: reply(502, htmlPage), cause: func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 502, apiErr.HTTPStatus)
			assert.Empty(t, apiErr.Code)
			assert.Contains(t, apiErr.Detail, "Bad Gateway")
		}},
		// A proxy or WAF in front of the gateway may answer any status after
		// forwarding the request: only the gateway's own words (a respcd, or
		// its documented 429) tell what happened.
		{name: "proxy 403 page", handler: reply(403, "<html><body><h1>403 Forbidden</h1></body></html>"), cause: func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 403, apiErr.HTTPStatus)
			assert.False(t, apiErr.Declined(), "an error page is no decline")
		}},
		{name: "HTTP 400 page", handler: reply(400, htmlPage), cause: func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 400, apiErr.HTTPStatus)
		}},
		{name: "0000 without syssn", handler: reply(200, `{"respcd": "0000", "resperr": "success", "out_trade_no": "P-42"}`), cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "syssn")
		}},
		{name: "0000 cut short", handler: reply(200, `{"respcd": "0000", "syssn": "2019122500020002006`), cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
		}},
		{name: "0000 with a field of the wrong type", handler: reply(200, `{"respcd": "0000", "syssn": "1", "txamt": {"value": 10}}`), cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "txamt")
		}},
		{name: "empty 200", handler: reply(200, ""), cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
		}},
		{name: "answer over the size limit", handler: reply(200, `{"respcd": "0000", "syssn": "1", "qrcode": "`+strings.Repeat("x", 200)+`"}`), opts: []Option{WithMaxResponseBytes(128)}, cause: func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "larger than 128 bytes")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, hits := gateway(t, tt.handler, tt.opts...)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}

			resp, err := c.Payment(ctx, testPaymentRequest("P-42"))
			assert.Nil(t, resp)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			var oue *OutcomeUnknownError
			require.ErrorAs(t, err, &oue)
			assert.Equal(t, "P-42", oue.OutTradeNo)
			assert.Equal(t, pathPayment, oue.Path)
			assert.Empty(t, oue.SysSN)
			assert.Contains(t, err.Error(), `outcome unknown for out_trade_no "P-42": query it`)
			tt.cause(t, err)
			assert.Equal(t, int32(1), hits.Load(), "sent once")
		})
	}
}

func TestRefundOutcomeUnknown(t *testing.T) {
	c, hits := gateway(t, reply(503, htmlPage))
	_, err := c.Refund(context.Background(), testRefundRequest("R-7"))
	var oue *OutcomeUnknownError
	require.ErrorAs(t, err, &oue)
	assert.Equal(t, "R-7", oue.OutTradeNo, "the refund's own number")
	assert.Equal(t, "20191225000200020060996533", oue.SysSN, "the refunded payment")
	assert.Equal(t, pathRefund, oue.Path)
	assert.Equal(t, int32(1), hits.Load())
}

func TestPaymentOutcomeKnown(t *testing.T) {
	closedPort := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		return "http://" + addr
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		req     *PaymentRequest
		baseURL func(t *testing.T) string // instead of the local server
		ctx     func() context.Context
		sent    int32
		check   func(t *testing.T, resp *PaymentResponse, err error)
	}{
		{name: "validation error", handler: reply(200, specPaymentJSON), req: &PaymentRequest{PayType: PayTypeAlipayMPM, Currency: CurrencyEUR, OutTradeNo: "P-1"}, check: func(t *testing.T, _ *PaymentResponse, err error) {
			assert.ErrorIs(t, err, ErrInvalidRequest)
		}},
		{name: "dial error to a closed port", baseURL: closedPort, check: func(t *testing.T, _ *PaymentResponse, err error) {
			var opErr *net.OpError
			require.ErrorAs(t, err, &opErr)
			assert.Equal(t, "dial", opErr.Op)
			assert.True(t, strings.HasPrefix(err.Error(), "qfpay: POST /trade/v1/payment: "), err.Error())
		}},
		{name: "context cancelled before the call", handler: reply(200, specPaymentJSON), ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, check: func(t *testing.T, _ *PaymentResponse, err error) {
			assert.ErrorIs(t, err, context.Canceled)
		}},
		{name: "HTTP 429", handler: reply(429, ""), sent: 1, check: func(t *testing.T, _ *PaymentResponse, err error) {
			assert.ErrorIs(t, err, ErrRateLimited)
		}},
		{name: "respcd 1201", handler: reply(200, `{"respcd": "1201", "resperr": "insufficient balance", "respmsg": ""}`), sent: 1, check: func(t *testing.T, _ *PaymentResponse, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "1201", apiErr.Code)
			assert.Equal(t, "insufficient balance", apiErr.Message)
		}},
		{name: "respcd 1143 pending", handler: reply(200, `{"respcd": "1143", "syssn": "20191225000200020060996533", "out_trade_no": "P-1"}`), sent: 1, check: func(t *testing.T, resp *PaymentResponse, err error) {
			assert.ErrorIs(t, err, ErrPending)
			require.NotNil(t, resp)
			assert.Equal(t, "20191225000200020060996533", resp.SysSN)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, hits := gateway(t, tt.handler)
			if tt.baseURL != nil {
				var err error
				c, err = NewClient(testAppCode, testClientKey, WithBaseURL(tt.baseURL(t)))
				require.NoError(t, err)
			}
			req := tt.req
			if req == nil {
				req = testPaymentRequest("P-1")
			}
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}

			resp, err := c.Payment(ctx, req)
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			var oue *OutcomeUnknownError
			assert.False(t, errors.As(err, &oue))
			tt.check(t, resp, err)
			assert.Equal(t, tt.sent, hits.Load())
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, MinBackoff: 10 * time.Millisecond, MaxBackoff: 70 * time.Millisecond}
	t.Run("full jitter under a doubling ceiling, capped", func(t *testing.T) {
		for attempt, ceiling := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 4: 70 * time.Millisecond, 30: 70 * time.Millisecond} {
			var most time.Duration
			for range 500 {
				d := p.backoff(attempt, 0)
				require.GreaterOrEqual(t, d, time.Duration(0))
				require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
				most = max(most, d)
			}
			assert.Greater(t, most, ceiling/2, "attempt %d: waits spread up to the ceiling", attempt)
		}
	})
	t.Run("the gateway's wait, in full", func(t *testing.T) {
		assert.Equal(t, 30*time.Millisecond, p.backoff(1, 30*time.Millisecond))
		assert.Equal(t, time.Minute, p.backoff(1, time.Minute), "not cut to MaxBackoff")
	})
	t.Run("no backoff allowed", func(t *testing.T) {
		assert.Zero(t, RetryPolicy{MaxAttempts: 3}.backoff(2, 0))
		assert.Equal(t, time.Second, RetryPolicy{MaxAttempts: 3}.backoff(2, time.Second), "but the gateway's wait")
	})
	t.Run("bad bounds refused", func(t *testing.T) {
		_, err := NewClient(testAppCode, testClientKey, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Second, MaxBackoff: time.Millisecond}))
		assert.ErrorIs(t, err, ErrInvalidRequest)
		_, err = NewClient(testAppCode, testClientKey, WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: -time.Second}))
		assert.ErrorIs(t, err, ErrInvalidRequest)
	})
}
