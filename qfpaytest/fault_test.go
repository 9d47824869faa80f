package qfpaytest_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// logRecords is a slog handler that passes each record's message and
// attributes to a channel.
type logRecords chan map[string]string

func (c logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (c logRecords) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	select {
	case c <- m:
	default:
	}
	return nil
}
func (c logRecords) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c logRecords) WithGroup(string) slog.Handler      { return c }

func TestFaultStatus(t *testing.T) {
	tests := []struct {
		name       string
		fault      qfpaytest.Fault
		status     int
		retryAfter string
	}{
		{"503", qfpaytest.Fault{Status: http.StatusServiceUnavailable, Count: 1}, 503, ""},
		{"502", qfpaytest.Fault{Status: http.StatusBadGateway, Count: 1}, 502, ""},
		{"429 with Retry-After", qfpaytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond, Count: 1}, 429, "2"},
		{"latency then 500", qfpaytest.Fault{Latency: 20 * time.Millisecond, Status: 500, Count: 1}, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			srv.InjectFault("/trade/v1/payment", tt.fault)
			start := time.Now()
			a := post(t, srv, "/trade/v1/payment", cpm("f-1", "10", "1"))
			assert.GreaterOrEqual(t, time.Since(start), tt.fault.Latency)
			assert.Equal(t, tt.status, a.status)
			assert.Equal(t, tt.retryAfter, a.header.Get("Retry-After"))
			assert.Contains(t, string(a.body), "injected")
			assert.Empty(t, srv.Transactions(), "refused before processing")

			requireCode(t, post(t, srv, "/trade/v1/payment", cpm("f-1", "10", "1")), "0000")
		})
	}
}

func TestFaultLatency(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault("/trade/v1/query", qfpaytest.Fault{Latency: 30 * time.Millisecond, Count: 1})
	start := time.Now()
	requireCode(t, post(t, srv, "/trade/v1/query", form()), "0000")
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

func TestFaultLatencyClientGivesUp(t *testing.T) {
	logs := make(logRecords, 100)
	srv := newServer(t, qfpaytest.WithLogger(slog.New(logs)))
	srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Latency: 10 * time.Second})
	client := newClient(t, srv)
	// Long enough for the request to be sent on a loaded machine, far
	// shorter than the latency.
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := client.Payment(ctx, paymentReq("lat-1", 10))
	require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown, "the request was sent: the SDK cannot know")
	select {
	case rec := <-logs:
		assert.Equal(t, "request", rec["msg"])
		assert.Equal(t, "aborted during latency", rec["note"])
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not notice the client giving up")
	}
	assert.Empty(t, srv.Transactions(), "a client that gave up during latency before processing left nothing")
}

func TestFaultDrop(t *testing.T) {
	tests := []struct {
		name      string
		after     bool
		processed bool
	}{
		{"before processing", false, false},
		{"after processing", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Drop: true, AfterProcessing: tt.after, Count: 1})
			client := newClient(t, srv)
			_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 10,
				Currency: qfpay.CurrencyHKD, OutTradeNo: "drop-1", AuthCode: qfpaytest.AuthCodeSuccess})
			var unknown *qfpay.OutcomeUnknownError
			require.ErrorAs(t, err, &unknown)
			assert.Equal(t, "drop-1", unknown.OutTradeNo)

			// Settle it as the SDK says: query by out_trade_no.
			q, err := client.Query(t.Context(), &qfpay.QueryRequest{OutTradeNos: []string{"drop-1"}})
			require.NoError(t, err)
			if tt.processed {
				require.Len(t, q.Transactions, 1)
				assert.True(t, q.Transactions[0].Paid())
			} else {
				assert.Empty(t, q.Transactions)
			}
		})
	}
	t.Run("raw client", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/trade/v1/query", qfpaytest.Fault{Drop: true, Count: 1})
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/trade/v1/query", strings.NewReader(""))
		require.NoError(t, err)
		_, err = http.DefaultClient.Do(req)
		require.Error(t, err, "no answer at all")
	})
}

func TestFaultThroughSDK(t *testing.T) {
	t.Run("query retried through 502", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/trade/v1/query", qfpaytest.Fault{Status: 502, Count: 2})
		_, err := newClient(t, srv).Query(t.Context(), &qfpay.QueryRequest{})
		require.NoError(t, err, "the third attempt gets through")
	})
	t.Run("payment not retried through 500", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Status: 500, Count: 1})
		_, err := newClient(t, srv).Payment(t.Context(), paymentReq("p500", 10))
		assert.ErrorIs(t, err, qfpay.ErrOutcomeUnknown, "a 5xx page says nothing about the payment")
		assert.Empty(t, srv.Transactions())
	})
	t.Run("429", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Status: 429, RetryAfter: 3 * time.Second, Count: 1})
		_, err := newClient(t, srv).Payment(t.Context(), paymentReq("p429", 10))
		require.ErrorIs(t, err, qfpay.ErrRateLimited)
		assert.False(t, errors.Is(err, qfpay.ErrOutcomeUnknown))
		var apiErr *qfpay.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 3*time.Second, apiErr.RetryAfter)
	})
}

func TestFaultSelection(t *testing.T) {
	status := func(t *testing.T, srv *qfpaytest.Server, path string) int {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("count, order and every path", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault(qfpaytest.AllPaths, qfpaytest.Fault{Status: 500, Count: 2})
		srv.InjectFault("/a", qfpaytest.Fault{Status: 502, Count: 1})
		srv.InjectFault("/a", qfpaytest.Fault{Status: 503, Count: 1})
		var got []int
		for _, p := range []string{"/a", "/a", "/a", "/b", "/a", "/b"} {
			got = append(got, status(t, srv, p))
		}
		assert.Equal(t, []int{502, 503, 500, 500, 404, 404}, got)
	})
	t.Run("unlimited until cleared", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/a", qfpaytest.Fault{Status: 500})
		for range 5 {
			assert.Equal(t, 500, status(t, srv, "/a"))
		}
		srv.ClearFaults()
		assert.Equal(t, 404, status(t, srv, "/a"))
	})
	t.Run("probability", func(t *testing.T) {
		// run sends 100 requests to a server with a 30% fault and returns
		// the statuses answered.
		run := func(opts ...qfpaytest.Option) []int {
			srv := newServer(t, opts...)
			srv.InjectFault("/a", qfpaytest.Fault{Status: 500, Probability: 0.3})
			var got []int
			for range 100 {
				got = append(got, status(t, srv, "/a"))
			}
			return got
		}
		first := run()
		hits := 0
		for _, s := range first {
			if s == 500 {
				hits++
			}
		}
		assert.InDelta(t, 30, hits, 15, "about 30%% of 100 requests hit")
		assert.Equal(t, first, run(), "the same faults from run to run")
		assert.Equal(t, first, run(qfpaytest.WithSeed(qfpaytest.DefaultSeed)), "the default seed is DefaultSeed")
		seeded := run(qfpaytest.WithSeed(42))
		assert.NotEqual(t, first, seeded, "another seed hits other requests")
		assert.Equal(t, seeded, run(qfpaytest.WithSeed(42)), "the same seed, the same faults")
	})
}
