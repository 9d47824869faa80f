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

// waitCall is WaitForPayment or WaitForRefund.
type waitCall func(*Client, context.Context, string) (*Transaction, error)

// settleCases are the two settle calls, each with how the query lists the
// transaction it waits for and the sentinel of a listed failure.
var settleCases = []struct {
	name   string
	call   waitCall
	listed func(respcd string) map[string]any
	failed error
}{
	{"WaitForPayment", (*Client).WaitForPayment, func(respcd string) map[string]any {
		return sampleTx("20191227000200020061752831", waitNo, respcd)
	}, ErrPaymentFailed},
	{"WaitForRefund", (*Client).WaitForRefund, func(respcd string) map[string]any {
		tx := sampleTx("20191227000200020061752831", waitNo, respcd)
		tx["order_type"] = "refund"
		tx["origssn"] = "20191227000200020061750001"
		return tx
	}, ErrRefundFailed},
}

// The faults a query can meet on its way: none of them says anything about
// the payment or refund waited for.
var (
	proxyForbidden = statusPage(http.StatusForbidden, "<html><body><h1>403 Forbidden</h1></body></html>")
	badGateway     = statusPage(http.StatusBadGateway, htmlGatewayError)
	tooManyPage    = statusPage(http.StatusTooManyRequests, "slow down")
	maintenance    = func() *http.Response {
		return jsonResponse(`{"respcd": "1100", "resperr": "System under maintenance (1100)", "respmsg": ""}`)
	}
	signatureRefused = func() *http.Response { return jsonResponse(`{"respcd": "1108", "resperr": "Signature error"}`) }
	truncated        = func() *http.Response {
		return jsonResponse(`{"respmsg": "", "resperr": "ok", "respcd": "0000", "data": [{"syssn": "2019122700020002006175`)
	}
	garbled  = func() *http.Response { return jsonResponse("\x1f\x8b\x08\x00 garbage \xff{") }
	nullPage = func() *http.Response { return jsonResponse(`{"respcd": "0000", "data": [null]}`) }
	hung     = func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done() // a query that never answers: the per-query timeout cuts it
		return nil, r.Context().Err()
	}
	errReset = errors.New("connection reset by peer")
)

func TestWaitSettles(t *testing.T) {
	for _, sc := range settleCases {
		succeeded := sc.listed("0000")
		tests := []struct {
			name     string
			answers  []any
			requests int
		}{
			{"succeeded at once", []any{txs(succeeded)}, 1},
			{"pending codes then succeeded", []any{txs(sc.listed("1143")), txs(sc.listed("1145")), txs(sc.listed("1295")),
				txs(sc.listed("1296")), txs(sc.listed("1298")), txs(succeeded)}, 6},
			// Processed late: the gateway lists the transaction only after
			// the client gave up on the request that made it.
			{"not listed, then listed late", []any{txs(), txs(), txs(succeeded)}, 3},
			{"listed without respcd yet", []any{txs(sc.listed("")), txs(succeeded)}, 2},
			{"another number listed: not ours", []any{txs(sampleTx("20191227000200020061750000", "OTHER", "0000")), txs(succeeded)}, 2},
			{"query itself pending", []any{func() *http.Response { return jsonResponse(`{"respcd": "1145", "resperr": "processing"}`) }, txs(succeeded)}, 2},
			// Query makes three attempts per poll on 5xx, 429 and
			// connection errors; the wait goes on after all three.
			{"5xx and 429 waited out", []any{badGateway, badGateway, badGateway, tooManyPage, tooManyPage, tooManyPage, txs(succeeded)}, 7},
			{"connection errors waited out", []any{errReset, errReset, errReset, txs(succeeded)}, 4},
		}
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, fastPoll)
				sequenceGateway(t, e, tt.answers...)
				tx, err := sc.call(e.client, t.Context(), waitNo)
				require.NoError(t, err)
				require.NotNil(t, tx)
				assert.True(t, tx.Paid())
				assert.Equal(t, "20191227000200020061752831", tx.SysSN)
				assert.Equal(t, int64(10), tx.Amount)
				reqs := e.requests()
				require.Len(t, reqs, tt.requests)
				for _, r := range reqs {
					assert.Equal(t, queryPath, r.Path)
					assertSentWindow(t, r)
					assertSigned(t, r, MD5)
				}
			})
		}
	}
}

// The two calendar months a settle poll searches at testNow (2019-12-25,
// UTC+8): the current one, then the one before when nothing is listed.
var (
	thisMonth = map[string]string{"out_trade_no": waitNo, "start_time": "2019-12-01 00:00:00", "end_time": "2019-12-31 23:59:59"}
	lastMonth = map[string]string{"out_trade_no": waitNo, "start_time": "2019-11-01 00:00:00", "end_time": "2019-11-30 23:59:59"}
)

// assertSentWindow checks that a settle query asked for waitNo in one of
// the two months.
func assertSentWindow(t *testing.T, r received) {
	t.Helper()
	if r.Params.Get("start_time") == lastMonth["start_time"] {
		assertSentParams(t, r, lastMonth)
		return
	}
	assertSentParams(t, r, thisMonth)
}

// TestWaitSearchesTheMonthBefore: a search by out_trade_no is limited to
// one calendar month (QF Pay's current documentation), so a payment or
// refund not listed in the current month is looked for in the month
// before, where one made before the month's end is found.
func TestWaitSearchesTheMonthBefore(t *testing.T) {
	for _, sc := range settleCases {
		t.Run(sc.name+"/listed in the month before", func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, txs(), txs(sc.listed("0000")))
			tx, err := sc.call(e.client, t.Context(), waitNo)
			require.NoError(t, err)
			assert.True(t, tx.Paid())
			reqs := e.requests()
			require.Len(t, reqs, 2)
			assertSentParams(t, reqs[0], thisMonth)
			assertSentParams(t, reqs[1], lastMonth)
		})
		t.Run(sc.name+"/listed in the current month: one query", func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, txs(sc.listed("1145")), txs(sc.listed("0000")))
			tx, err := sc.call(e.client, t.Context(), waitNo)
			require.NoError(t, err)
			assert.True(t, tx.Paid())
			reqs := e.requests()
			require.Len(t, reqs, 2, "a pending listing is not searched for again in the month before")
			assertSentParams(t, reqs[0], thisMonth)
			assertSentParams(t, reqs[1], thisMonth)
		})
		t.Run(sc.name+"/client outside UTC+8: its own months, with txzone", func(t *testing.T) {
			e := setup(t, fastPoll, WithLocation(time.UTC))
			sequenceGateway(t, e, txs(), txs(), txs(sc.listed("0000")))
			_, err := sc.call(e.client, t.Context(), waitNo)
			require.NoError(t, err)
			reqs := e.requests()
			require.Len(t, reqs, 3)
			assertSentParams(t, reqs[0], map[string]string{"out_trade_no": waitNo, "txzone": "+0000",
				"start_time": "2019-12-01 00:00:00", "end_time": "2019-12-31 23:59:59"})
			assertSentParams(t, reqs[1], map[string]string{"out_trade_no": waitNo, "txzone": "+0000",
				"start_time": "2019-11-01 00:00:00", "end_time": "2019-11-30 23:59:59"})
		})
	}
}

// TestWaitPicksItsKind checks that a payment and its refunds listed under
// one number are told apart: WaitForPayment settles the payment,
// WaitForRefund the refund, each whatever the other's state.
func TestWaitPicksItsKind(t *testing.T) {
	payment := func(respcd string) map[string]any { return settleCases[0].listed(respcd) }
	refund := func(respcd string) map[string]any {
		tx := settleCases[1].listed(respcd)
		tx["syssn"] = "20191227000200020061752999"
		return tx
	}
	t.Run("payment pending while a refund is listed succeeded", func(t *testing.T) {
		e := setup(t, fastPoll)
		sequenceGateway(t, e, txs(refund("0000"), payment("1143")), txs(refund("0000"), payment("0000")))
		tx, err := e.client.WaitForPayment(t.Context(), waitNo)
		require.NoError(t, err)
		assert.Equal(t, "20191227000200020061752831", tx.SysSN)
		assert.Equal(t, OrderTypePayment, tx.OrderType)
		assert.Len(t, e.requests(), 2)
	})
	t.Run("refund pending while the payment is listed succeeded", func(t *testing.T) {
		e := setup(t, fastPoll)
		sequenceGateway(t, e, txs(payment("0000"), refund("1145")), txs(payment("0000"), refund("0000")))
		tx, err := e.client.WaitForRefund(t.Context(), waitNo)
		require.NoError(t, err)
		assert.Equal(t, "20191227000200020061752999", tx.SysSN)
		assert.Equal(t, "20191227000200020061750001", tx.OrigSysSN)
		assert.True(t, tx.IsRefund())
		assert.Len(t, e.requests(), 2)
	})
	t.Run("only a payment under a refund's number", func(t *testing.T) {
		e := setup(t, fastPoll)
		sequenceGateway(t, e, txs(payment("0000")))
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		tx, err := e.client.WaitForRefund(ctx, waitNo)
		assert.Nil(t, tx)
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		var ue *UnsettledError
		require.ErrorAs(t, err, &ue)
		assert.True(t, ue.OtherKind)
		assert.Nil(t, ue.Last)
		assert.Contains(t, err.Error(), "a payment is listed under this number")
	})
}

func TestWaitFails(t *testing.T) {
	for _, sc := range settleCases {
		for _, code := range []string{"1205", "1181", "1142", "1201", "2005"} {
			t.Run(sc.name+"/"+code, func(t *testing.T) {
				failed := sc.listed(code)
				failed["errmsg"] = "交易失败"
				e := setup(t, fastPoll)
				sequenceGateway(t, e, txs(sc.listed("1143")), txs(failed))
				tx, err := sc.call(e.client, t.Context(), waitNo)
				require.NotNil(t, tx, "the failed transaction comes back with the error")
				assert.Equal(t, code, tx.RespCode)
				assert.Equal(t, "20191227000200020061752831", tx.SysSN)
				assert.True(t, tx.Failed())
				require.ErrorIs(t, err, sc.failed)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, code, apiErr.Code)
				assert.Equal(t, "交易失败", apiErr.Message)
				assert.Equal(t, CodeDescription(code), apiErr.Description())
				assert.Equal(t, queryPath, apiErr.Path)
				assert.Equal(t, waitNo, apiErr.OutTradeNo, "the number waited for")
				assert.Equal(t, tx.SysSN, apiErr.SysSN, "the failed transaction's")
				assert.Contains(t, err.Error(), "listed as failed")
				assert.Contains(t, err.Error(), waitNo)
				assert.NotErrorIs(t, err, ErrPending)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
				for _, other := range []error{ErrPaymentFailed, ErrRefundFailed} {
					if other != sc.failed {
						assert.NotErrorIs(t, err, other)
					}
				}
				assert.Len(t, e.requests(), 2)
			})
		}
	}
}

// TestWaitNeverFailsOnAQueryFault checks each fault class a query can meet:
// none ends the wait early, none reads as a failure of the payment or
// refund. Followed by a listing, the wait settles; with nothing after it
// until ctx ends, the outcome is unknown and says why.
func TestWaitNeverFailsOnAQueryFault(t *testing.T) {
	faults := []struct {
		name   string
		answer any
		say    string // in the unknown outcome's message
	}{
		{"proxy 403 page", proxyForbidden, "HTTP 403"},
		{"502 page", badGateway, "HTTP 502"},
		{"query refused 1100", maintenance, "respcd 1100"},
		{"signature refused 1108", signatureRefused, "respcd 1108"},
		{"truncated body", truncated, "malformed response"},
		{"garbled body", garbled, "malformed response"},
		{"null transaction", nullPage, "malformed response"},
		{"429", tooManyPage, "HTTP 429"},
		{"connection reset", errReset, "connection reset"},
		{"timeout", hung, "deadline exceeded"},
	}
	for _, sc := range settleCases {
		for _, f := range faults {
			t.Run(sc.name+"/"+f.name+"/then listed", func(t *testing.T) {
				e := setup(t, fastPoll, WithTimeout(50*time.Millisecond))
				sequenceGateway(t, e, f.answer, f.answer, f.answer, f.answer, txs(sc.listed("0000")))
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				tx, err := sc.call(e.client, ctx, waitNo)
				require.NoError(t, err)
				assert.True(t, tx.Paid())
				assert.Len(t, e.requests(), 5)
			})
			t.Run(sc.name+"/"+f.name+"/until ctx ends", func(t *testing.T) {
				// In parallel, with room for several queries of 20ms even on
				// a loaded machine: the last query, cut short by ctx, is not
				// what the error reports, the ones before it are.
				t.Parallel()
				e := setup(t, fastPoll, WithTimeout(20*time.Millisecond))
				sequenceGateway(t, e, f.answer)
				ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
				defer cancel()
				tx, err := sc.call(e.client, ctx, waitNo)
				assert.Nil(t, tx)
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				assert.NotErrorIs(t, err, sc.failed)
				assert.NotErrorIs(t, err, ErrPending)
				var apiErr *APIError
				assert.False(t, errors.As(err, &apiErr), "no *APIError to mistake for a decline: %v", err)
				var ue *UnsettledError
				require.ErrorAs(t, err, &ue)
				require.Error(t, ue.LastErr)
				assert.Contains(t, err.Error(), f.say)
				assert.Contains(t, err.Error(), "not listed")
				assert.Greater(t, len(e.requests()), 1, "queried again after the fault")
			})
		}
	}
}

func TestWaitContextEnds(t *testing.T) {
	for _, sc := range settleCases {
		tests := []struct {
			name    string
			answer  []any
			last    string // respcd of UnsettledError.Last; "-" none
			message string
		}{
			{"still pending", []any{txs(sc.listed("1143"))}, "1143", `still pending (respcd "1143", syssn 20191227000200020061752831)`},
			{"never listed", []any{txs()}, "-", "not listed yet"},
			{"pending, then the gateway down", []any{txs(sc.listed("1298")), badGateway}, "1298", `still pending (respcd "1298"`},
			// A query cut short by ctx itself says nothing about the gateway.
			{"never listed, last query cut short", []any{txs(), hung}, "-", "not listed yet"},
		}
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, fastPoll)
				sequenceGateway(t, e, tt.answer...)
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
				defer cancel()
				start := time.Now()
				tx, err := sc.call(e.client, ctx, waitNo)
				assert.Less(t, time.Since(start), 5*time.Second)
				assert.Nil(t, tx, "no transaction: nothing is proven")
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.NotErrorIs(t, err, ErrPending)
				assert.NotErrorIs(t, err, sc.failed)
				assert.Contains(t, err.Error(), "outcome unknown")
				assert.Contains(t, err.Error(), tt.message)
				assert.Contains(t, err.Error(), waitNo)
				assert.Contains(t, err.Error(), "under the same out_trade_no")
				var ue *UnsettledError
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, waitNo, ue.OutTradeNo)
				if tt.last == "-" {
					assert.Nil(t, ue.Last)
				} else {
					require.NotNil(t, ue.Last)
					assert.Equal(t, tt.last, ue.Last.RespCode)
				}
				assert.Greater(t, len(e.requests()), 1, "polled more than once")
			})
		}
		t.Run(sc.name+"/cancelled", func(t *testing.T) {
			e := setup(t, fastPoll)
			sequenceGateway(t, e, txs(sc.listed("1143")))
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			tx, err := sc.call(e.client, ctx, waitNo)
			assert.Nil(t, tx)
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
		})
		t.Run(sc.name+"/no deadline: bounded by the call timeout", func(t *testing.T) {
			e := setup(t, fastPoll, WithTimeout(30*time.Millisecond))
			sequenceGateway(t, e, txs(sc.listed("1143")))
			_, err := sc.call(e.client, context.Background(), waitNo)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
		})
	}
	t.Run("refund advice", func(t *testing.T) {
		e := setup(t, fastPoll)
		sequenceGateway(t, e, txs())
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		_, err := e.client.WaitForRefund(ctx, waitNo)
		assert.Contains(t, err.Error(), "waiting for refund out_trade_no")
		assert.Contains(t, err.Error(), "do not refund again under a new number")
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
	require.ErrorIs(t, err, ErrOutcomeUnknown)
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

func TestWaitValidation(t *testing.T) {
	tests := []struct{ name, no, msg string }{
		{"empty", "", "OutTradeNo is required"},
		{"comma", "A,B", "without commas"},
		{"too long", strings.Repeat("x", 129), "at most 128"},
	}
	for _, sc := range settleCases {
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, fastPoll)
				sequenceGateway(t, e, txs(sampleTx("1", "x", "0000")))
				tx, err := sc.call(e.client, t.Context(), tt.no)
				assert.Nil(t, tx)
				require.ErrorIs(t, err, ErrInvalidRequest)
				assert.ErrorIs(t, err, ErrOutcomeUnknown, "nothing proven: never a failure")
				assert.NotErrorIs(t, err, sc.failed)
				assert.Contains(t, err.Error(), tt.msg)
				assert.Empty(t, e.requests())
			})
		}
	}
}
