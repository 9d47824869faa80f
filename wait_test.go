package qfpay

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const waitNo = "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL"

// fastPoll makes WaitForPayment poll every millisecond or two.
var fastPoll = WithPollInterval(time.Millisecond, 2*time.Millisecond)

// refundOf is a refund of the payment waitNo, as a query may list it.
func refundOf() map[string]any {
	tx := sampleTx("20191227000200020061752999", waitNo, "0000")
	tx["order_type"] = "refund"
	tx["origssn"] = "20191227000200020061752831"
	return tx
}

// sequenceGateway answers the query endpoint with answers[i] for the i-th
// request, repeating the last one; an answer is a query page of
// transactions, a whole *http.Response or error when given as such, or a
// responder of its own.
func sequenceGateway(t *testing.T, e *testEnv, answers ...any) *atomic.Int32 {
	var n atomic.Int32
	e.respondFunc(http.MethodPost, queryPath, func(r *http.Request) (*http.Response, error) {
		i := min(int(n.Add(1)), len(answers)) - 1
		switch a := answers[i].(type) {
		case []map[string]any:
			return jsonResponse(queryAnswer(t, 1, 10, a)), nil
		case func() *http.Response:
			return a(), nil
		case error:
			return nil, a
		case func(*http.Request) (*http.Response, error):
			return a(r)
		default:
			t.Fatalf("answer %T", a)
			return nil, nil
		}
	})
	return &n
}

func txs(items ...map[string]any) []map[string]any { return append([]map[string]any{}, items...) }

func statusPage(status int, body string) func() *http.Response {
	return func() *http.Response {
		r := jsonResponse(body)
		r.StatusCode = status
		r.Header.Set("Content-Type", "text/html")
		return r
	}
}

func TestWaitForPaymentSettles(t *testing.T) {
	paid := sampleTx("20191227000200020061752831", waitNo, "0000")
	pending1143 := sampleTx("20191227000200020061752831", waitNo, "1143")
	pending1145 := sampleTx("20191227000200020061752831", waitNo, "1145")
	unavailable := statusPage(http.StatusServiceUnavailable, htmlGatewayError)
	tooMany := statusPage(http.StatusTooManyRequests, "slow down")
	tests := []struct {
		name     string
		answers  []any
		requests int
	}{
		{"paid at once", []any{txs(paid)}, 1},
		{"pending then paid", []any{txs(pending1143), txs(pending1145), txs(paid)}, 3},
		{"not listed then paid", []any{txs(), txs(), txs(paid)}, 3},
		{"listed without respcd yet, then paid", []any{txs(sampleTx("20191227000200020061752831", waitNo, "")), txs(paid)}, 2},
		{"refund listed first: the payment is taken", []any{txs(refundOf(), pending1143), txs(refundOf(), paid)}, 2},
		{"another number listed: not ours", []any{txs(sampleTx("20191227000200020061750000", "OTHER", "0000")), txs(paid)}, 2},
		{"query itself pending", []any{func() *http.Response { return jsonResponse(`{"respcd": "1145", "resperr": "processing"}`) }, txs(paid)}, 2},
		// Query makes three attempts per poll on 5xx and 429.
		{"5xx and 429 waited out", []any{unavailable, unavailable, unavailable, tooMany, tooMany, tooMany, txs(paid)}, 7},
		{"connection errors waited out", []any{errors.New("connection reset by peer"), errors.New("connection reset by peer"), errors.New("connection reset by peer"), txs(paid)}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, tt.answers...)
			tx, err := e.client.WaitForPayment(t.Context(), waitNo)
			require.NoError(t, err)
			require.NotNil(t, tx)
			assert.True(t, tx.Paid())
			assert.Equal(t, "20191227000200020061752831", tx.SysSN)
			assert.Equal(t, OrderTypePayment, tx.OrderType)
			reqs := e.requests()
			require.Len(t, reqs, tt.requests)
			for _, r := range reqs {
				assert.Equal(t, queryPath, r.Path)
				assertSentParams(t, r, map[string]string{"out_trade_no": waitNo})
				assertSigned(t, r, MD5)
			}
		})
	}
}

func TestWaitForPaymentFails(t *testing.T) {
	failed := sampleTx("20191227000200020061752831", waitNo, "1205")
	failed["errmsg"] = "交易失败"
	e := setup(t, fastPoll)
	sequenceGateway(t, e, txs(sampleTx("20191227000200020061752831", waitNo, "1143")), txs(failed))
	tx, err := e.client.WaitForPayment(t.Context(), waitNo)
	require.NotNil(t, tx, "the failed transaction comes back with the error")
	assert.Equal(t, "1205", tx.RespCode)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1205", apiErr.Code)
	assert.Equal(t, "交易失败", apiErr.Message)
	assert.Equal(t, "The transaction failed. Please try again later", apiErr.Description())
	assert.Equal(t, queryPath, apiErr.Path)
	assert.NotErrorIs(t, err, ErrPending)
	assert.Len(t, e.requests(), 2)
}

func TestWaitForPaymentQueryErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer any
		is     error
		code   string
	}{
		{"signature error", func() *http.Response { return jsonResponse(`{"respcd": "1108", "resperr": "Signature error"}`) }, nil, "1108"},
		{"unreadable answer", func() *http.Response { return jsonResponse("<html>maintenance</html>") }, ErrMalformedResponse, ""},
		{"HTTP 400 page", statusPage(http.StatusBadRequest, "bad request"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, tt.answer, txs(sampleTx("1", waitNo, "0000")))
			tx, err := e.client.WaitForPayment(t.Context(), waitNo)
			assert.Nil(t, tx)
			var apiErr *APIError
			switch {
			case tt.is != nil:
				assert.ErrorIs(t, err, tt.is)
			case errors.As(err, &apiErr):
				assert.Equal(t, tt.code, apiErr.Code)
			default:
				t.Fatalf("want an *APIError, got %v", err)
			}
			assert.Len(t, e.requests(), 1, "not polled again")
		})
	}
}

func TestWaitForPaymentContextEnds(t *testing.T) {
	pending := sampleTx("20191227000200020061752831", waitNo, "1143")
	tests := []struct {
		name    string
		answer  any
		wantTx  bool
		is      error
		message string
	}{
		{"still pending", txs(pending), true, ErrPending, `still pending (respcd "1143")`},
		{"never listed", txs(), false, ErrOutcomeUnknown, "not listed yet"},
		{"gateway down", statusPage(http.StatusBadGateway, htmlGatewayError), false, ErrOutcomeUnknown, "last query failed"},
		// A query cut short by ctx itself says nothing about the gateway.
		{"never listed, last query cut short", []any{txs(), func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}}, false, ErrOutcomeUnknown, "not listed yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, fastPoll)
			if answers, ok := tt.answer.([]any); ok {
				sequenceGateway(t, e, answers...)
			} else {
				sequenceGateway(t, e, tt.answer)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
			defer cancel()
			start := time.Now()
			tx, err := e.client.WaitForPayment(ctx, waitNo)
			assert.Less(t, time.Since(start), 5*time.Second)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), "outcome unknown")
			assert.Contains(t, err.Error(), tt.message)
			assert.Contains(t, err.Error(), waitNo)
			if tt.wantTx {
				require.NotNil(t, tx)
				assert.Equal(t, "1143", tx.RespCode)
			} else {
				assert.Nil(t, tx)
			}
			assert.Greater(t, len(e.requests()), 1, "polled more than once")
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		e := setup(t, fastPoll)
		sequenceGateway(t, e, txs(pending))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := e.client.WaitForPayment(ctx, waitNo)
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("no deadline: bounded by the call timeout", func(t *testing.T) {
		e := setup(t, fastPoll, WithTimeout(30*time.Millisecond))
		sequenceGateway(t, e, txs(pending))
		_, err := e.client.WaitForPayment(context.Background(), waitNo)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, ErrPending)
	})
}

func TestWaitForPaymentBacksOff(t *testing.T) {
	// With 10ms..20ms bounds, 60ms allow at most about 6 polls after the
	// first; without waits it would be hundreds.
	e := setup(t, WithPollInterval(10*time.Millisecond, 20*time.Millisecond))
	sequenceGateway(t, e, txs(sampleTx("1", waitNo, "1143")))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Millisecond)
	defer cancel()
	_, err := e.client.WaitForPayment(ctx, waitNo)
	require.ErrorIs(t, err, ErrPending)
	n := len(e.requests())
	assert.GreaterOrEqual(t, n, 2)
	assert.Less(t, n, 60, "polls are spaced, got %d in 60ms", n)
}

func TestWaitForPaymentBackoffSchedule(t *testing.T) {
	// The waits between queries, seen through pollSleep: full jitter under
	// a ceiling of MinInterval doubled at each query, capped at MaxInterval.
	var waits []time.Duration
	orig := pollSleep
	pollSleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	t.Cleanup(func() { pollSleep = orig })

	const lo, hi = 10 * time.Millisecond, 300 * time.Millisecond
	const pendingPolls = 12
	e := setup(t, WithPollInterval(lo, hi))
	answers := make([]any, 0, pendingPolls+1)
	for range pendingPolls {
		answers = append(answers, txs(sampleTx("20191227000200020061752831", waitNo, "1145")))
	}
	sequenceGateway(t, e, append(answers, txs(sampleTx("20191227000200020061752831", waitNo, "0000")))...)
	tx, err := e.client.WaitForPayment(t.Context(), waitNo)
	require.NoError(t, err)
	assert.True(t, tx.Paid())
	require.Len(t, waits, pendingPolls, "one wait after each pending answer")

	jittered := false
	for i, d := range waits {
		ceiling := min(hi, lo<<i)
		assert.GreaterOrEqual(t, d, time.Duration(0), "wait %d", i+1)
		assert.LessOrEqual(t, d, ceiling, "wait %d: above its ceiling %v", i+1, ceiling)
		jittered = jittered || d != ceiling
	}
	assert.True(t, jittered, "waits are random, not the ceiling itself: %v", waits)
	// From the sixth wait on the ceiling is hi: with seven draws up to
	// 300ms, all of them under 10ms would take odds of about 1 in 10^10.
	assert.Greater(t, slices.Max(waits[5:]), lo, "the ceiling grows past MinInterval: %v", waits)
}

// TestWaitForPaymentHonoursRetryAfter checks that a query refused with
// HTTP 429 and Retry-After is not asked again sooner than the gateway said,
// even when the poll interval is shorter.
func TestWaitForPaymentHonoursRetryAfter(t *testing.T) {
	var waits []time.Duration
	orig := pollSleep
	pollSleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	t.Cleanup(func() { pollSleep = orig })

	// Retries inside Query are off, so that its 429 reaches WaitForPayment.
	e := setup(t, WithPollInterval(time.Millisecond, 2*time.Millisecond), WithRetry(RetryPolicy{MaxAttempts: 1}))
	limited := func() *http.Response {
		r := jsonResponse(`{"respcd": "", "resperr": "too many requests"}`)
		r.StatusCode = http.StatusTooManyRequests
		r.Header.Set("Retry-After", "7")
		return r
	}
	sequenceGateway(t, e, limited, txs(sampleTx("20191227000200020061752831", waitNo, "0000")))
	tx, err := e.client.WaitForPayment(t.Context(), waitNo)
	require.NoError(t, err)
	assert.True(t, tx.Paid())
	assert.Equal(t, []time.Duration{7 * time.Second}, waits)
}

func TestWaitForPaymentValidation(t *testing.T) {
	tests := []struct{ name, no, msg string }{
		{"empty", "", "OutTradeNo is required"},
		{"comma", "A,B", "without commas"},
		{"too long", strings.Repeat("x", 129), "at most 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, txs(sampleTx("1", "x", "0000")))
			tx, err := e.client.WaitForPayment(t.Context(), tt.no)
			assert.Nil(t, tx)
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}
