package qfpaytest_test

// Each class of fault a flaky network or gateway produces, on every API
// path, before and after processing: what the client receives (raw HTTP)
// and what the server's ledger holds afterwards.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// faultPath is one API path faults are tried on: a server prepared so that
// one request to path changes the ledger, and a look at whether it did.
type faultPath struct {
	name string
	path string
	opts []qfpaytest.Option
	// setup prepares srv and returns the request's parameters.
	setup func(t *testing.T, srv *qfpaytest.Server) url.Values
	// applied reports whether the request was processed.
	applied func(t *testing.T, srv *qfpaytest.Server) bool
}

// unpaid makes a payment waiting for the customer with pay type payType.
func unpaid(t *testing.T, srv *qfpaytest.Server, outTradeNo, payType string) string {
	t.Helper()
	a := post(t, srv, "/trade/v1/payment", form("pay_type", payType, "txamt", "100", "txcurrcd", "HKD",
		"out_trade_no", outTradeNo, "txdtm", txdtm))
	requireCode(t, a, "0000")
	return a.str("syssn")
}

func exists(ref string) func(*testing.T, *qfpaytest.Server) bool {
	return func(_ *testing.T, srv *qfpaytest.Server) bool {
		_, ok := srv.Transaction(ref)
		return ok
	}
}

func cancelled(ref string, want qfpay.CancelStatus) func(*testing.T, *qfpaytest.Server) bool {
	return func(t *testing.T, srv *qfpaytest.Server) bool {
		tx, ok := srv.Transaction(ref)
		require.True(t, ok)
		return tx.Cancel == want
	}
}

var faultPaths = []faultPath{
	{
		name: "payment", path: "/trade/v1/payment",
		setup: func(*testing.T, *qfpaytest.Server) url.Values {
			return cpm("fp-pay", "10", qfpaytest.AuthCodeSuccess)
		},
		applied: exists("fp-pay"),
	},
	{
		name: "refund", path: "/trade/v1/refund",
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			return refund(paid(t, srv, "fp-paid", "100"), "fp-refund", "10")
		},
		applied: exists("fp-refund"),
	},
	{
		name: "reversal", path: "/trade/v1/reversal",
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			return form("syssn", unpaid(t, srv, "fp-alipay", "800101"), "txamt", "100", "txdtm", txdtm)
		},
		applied: cancelled("fp-alipay", qfpay.CancelReversed),
	},
	{
		name: "close", path: "/trade/v1/close",
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			return form("syssn", unpaid(t, srv, "fp-wechat", "800201"), "txamt", "100", "txdtm", txdtm)
		},
		applied: cancelled("fp-wechat", qfpay.CancelClosed),
	},
	{
		name: "authtrade", path: "/trade/v1/authtrade",
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			f := post(t, srv, "/trade/v1/payment", form("pay_type", "801801", "txamt", "100", "txcurrcd", "HKD",
				"out_trade_no", "fp-freeze", "txdtm", txdtm, "auth_code", qfpaytest.AuthCodeSuccess))
			requireCode(t, f, "0000")
			return form("syssn", f.str("syssn"), "out_trade_no", "fp-deduct", "txamt", "30", "txdtm", txdtm)
		},
		applied: exists("fp-deduct"),
	},
	{
		name: "add_note", path: "/trade/v1/add_note",
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			return form("code", appCode, "syssn", paid(t, srv, "fp-noted", "10"), "note", "table 4")
		},
		applied: func(t *testing.T, srv *qfpaytest.Server) bool {
			tx, ok := srv.Transaction("fp-noted")
			require.True(t, ok)
			return tx.Note == "table 4"
		},
	},
	{
		// With no pending queries, the first query that lists a pending
		// payment settles it: the ledger shows whether it was processed.
		name: "query", path: "/trade/v1/query", opts: []qfpaytest.Option{qfpaytest.WithPendingQueries(0)},
		setup: func(t *testing.T, srv *qfpaytest.Server) url.Values {
			requireCode(t, post(t, srv, "/trade/v1/payment", cpm("fp-pending", "10", qfpaytest.AuthCodePending)), "1145")
			return form("out_trade_no", "fp-pending")
		},
		applied: func(t *testing.T, srv *qfpaytest.Server) bool {
			tx, ok := srv.Transaction("fp-pending")
			require.True(t, ok)
			return tx.RespCode == "0000"
		},
	},
}

// rawAnswer is what a client read, as far as it could.
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// send posts params to path, signed, with client, and reads the answer;
// the error is the transport's or the body's.
func send(srv *qfpaytest.Server, client *http.Client, path string, params url.Values) (rawAnswer, error) {
	return sendCtx(context.Background(), srv, client, path, params)
}

// sendCtx is send with a context.
func sendCtx(ctx context.Context, srv *qfpaytest.Server, client *http.Client, path string, params url.Values) (rawAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, strings.NewReader(params.Encode()))
	if err != nil {
		return rawAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-QF-APPCODE", appCode)
	req.Header.Set("X-QF-SIGN", refSign(params, clientKey, false))
	resp, err := client.Do(req)
	if err != nil {
		return rawAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: body}, err
}

// reference is the answer path gives when nothing fails, from a server of
// its own prepared the same way (the servers' clocks and counters agree).
func reference(t *testing.T, p faultPath) []byte {
	t.Helper()
	srv := newServer(t, p.opts...)
	a, err := send(srv, noRedirect, p.path, p.setup(t, srv))
	require.NoError(t, err)
	require.True(t, json.Valid(a.body))
	return a.body
}

// refusalJSON is the body of a Refuse fault with code.
func refusalJSON(code string) string {
	return `{"respcd":"` + code + `","resperr":"` + qfpay.CodeDescription(code) + ` (` + code + `)","respmsg":""}` + "\n"
}

// faultCase is one fault tried on every path, before and after processing.
type faultCase struct {
	name  string
	fault qfpaytest.Fault
	// check checks what the client received; ref is the answer the
	// request would have had (nil before processing).
	check func(t *testing.T, a rawAnswer, err error, ref []byte)
}

// runFaultCases sends, on every path, one request hit by each fault,
// before and after processing, and checks what the client got and that
// the ledger holds the request exactly when it was processed.
func runFaultCases(t *testing.T, cases []faultCase) {
	for _, fc := range cases {
		for _, p := range faultPaths {
			for _, after := range []bool{false, true} {
				name := fc.name + "/" + p.name + "/before processing"
				if after {
					name = fc.name + "/" + p.name + "/after processing"
				}
				t.Run(name, func(t *testing.T) {
					var ref []byte
					if after {
						ref = reference(t, p)
					}
					srv := newServer(t, p.opts...)
					params := p.setup(t, srv)
					f := fc.fault
					f.AfterProcessing, f.Count = after, 1
					srv.InjectFault(p.path, f)
					a, err := send(srv, noRedirect, p.path, params)
					fc.check(t, a, err, ref)
					assert.Equal(t, after, p.applied(t, srv), "processed exactly when the fault hit after processing")

					// The fault is spent: the same request again is answered.
					again, err := send(srv, noRedirect, p.path, params)
					require.NoError(t, err)
					assert.True(t, json.Valid(again.body), "%s", again.body)
				})
			}
		}
	}
}

func TestFaultTruncated(t *testing.T) {
	runFaultCases(t, []faultCase{{
		name:  "half the answer",
		fault: qfpaytest.Fault{Truncate: true},
		check: func(t *testing.T, a rawAnswer, err error, ref []byte) {
			require.NoError(t, err, "a whole HTTP answer")
			if ref == nil {
				ref = []byte(refusalJSON("1100"))
			}
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Equal(t, string(ref[:len(ref)/2]), string(a.body))
			assert.Equal(t, strconv.Itoa(len(ref)/2), a.header.Get("Content-Length"))
			assert.False(t, json.Valid(a.body))
		},
	}, {
		name:  "connection lost mid-body",
		fault: qfpaytest.Fault{Truncate: true, Drop: true},
		check: func(t *testing.T, a rawAnswer, err error, ref []byte) {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body ends before its Content-Length")
			if ref == nil {
				ref = []byte(refusalJSON("1100"))
			}
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, strconv.Itoa(len(ref)), a.header.Get("Content-Length"), "the whole answer announced")
			assert.Equal(t, string(ref[:len(ref)/2]), string(a.body), "half of it arrived")
		},
	}})
}

func TestFaultGarbled(t *testing.T) {
	runFaultCases(t, []faultCase{{
		name:  "not JSON",
		fault: qfpaytest.Fault{Garble: true},
		check: func(t *testing.T, a rawAnswer, err error, _ []byte) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Equal(t, qfpaytest.GarbledBody, string(a.body))
			assert.False(t, json.Valid(a.body))
		},
	}, {
		name:  "JSON of the wrong shape",
		fault: qfpaytest.Fault{Body: `["respcd", "0000"]`},
		check: func(t *testing.T, a rawAnswer, err error, _ []byte) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"), "the gateway's by default")
			assert.Equal(t, `["respcd", "0000"]`, string(a.body))
		},
	}})
}

func TestFaultRefused(t *testing.T) {
	for _, code := range []string{"", "1297"} {
		want := code
		if want == "" {
			want = qfpaytest.DefaultRefuseCode
		}
		runFaultCases(t, []faultCase{{
			name:  "respcd " + want,
			fault: qfpaytest.Fault{Refuse: true, RefuseCode: code},
			check: func(t *testing.T, a rawAnswer, err error, _ []byte) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, a.status)
				assert.Equal(t, "application/json", a.header.Get("Content-Type"))
				assert.Equal(t, refusalJSON(want), string(a.body))
			},
		}})
	}
	assert.Equal(t, `{"respcd":"1100","resperr":"System under maintenance (1100)","respmsg":""}`+"\n", refusalJSON("1100"))
}

func TestFaultErrorPage(t *testing.T) {
	var cases []faultCase
	for _, tt := range []struct {
		status int
		page   string
	}{
		{http.StatusForbidden, "<html><body><h1>403 Forbidden</h1></body></html>"},
		{http.StatusBadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>"},
	} {
		cases = append(cases, faultCase{
			name:  strconv.Itoa(tt.status),
			fault: qfpaytest.ErrorPage(tt.status),
			check: func(t *testing.T, a rawAnswer, err error, _ []byte) {
				require.NoError(t, err)
				assert.Equal(t, tt.status, a.status)
				assert.Equal(t, "text/html", a.header.Get("Content-Type"))
				assert.Equal(t, tt.page, string(a.body))
			},
		})
	}
	runFaultCases(t, cases)
}

func TestFaultDropEveryPath(t *testing.T) {
	runFaultCases(t, []faultCase{{
		name:  "drop",
		fault: qfpaytest.Fault{Drop: true},
		check: func(t *testing.T, _ rawAnswer, err error, _ []byte) {
			require.Error(t, err, "no answer at all")
		},
	}, {
		name:  "status 503",
		fault: qfpaytest.Fault{Status: http.StatusServiceUnavailable},
		check: func(t *testing.T, a rawAnswer, err error, _ []byte) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, a.status)
			assert.Equal(t, "503 Service Unavailable (injected by qfpaytest)\n", string(a.body))
		},
	}})
}

// lateRecords waits for the log record of a request processed late.
func lateRecord(t *testing.T, logs logRecords) map[string]string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case rec := <-logs:
			if strings.HasPrefix(rec["note"], "processed late") {
				return rec
			}
		case <-timeout:
			t.Fatal("no request processed late")
		}
	}
}

func TestFaultLate(t *testing.T) {
	const late = 300 * time.Millisecond
	for _, p := range faultPaths {
		for _, tt := range []struct {
			name string
			drop bool
		}{
			{"dropped at once", true},
			{"held until the client gives up", false},
		} {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				logs := make(logRecords, 100)
				srv := newServer(t, append([]qfpaytest.Option{qfpaytest.WithLogger(slog.New(logs))}, p.opts...)...)
				params := p.setup(t, srv)
				srv.InjectFault(p.path, qfpaytest.Fault{Late: late, Drop: tt.drop, Count: 1})
				// The held client gives up a moment after its request is
				// written, long before it is processed.
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
					WroteRequest: func(httptrace.WroteRequestInfo) { time.AfterFunc(20*time.Millisecond, cancel) },
				})
				start := time.Now()
				_, err := sendCtx(ctx, srv, noRedirect, p.path, params)
				require.Error(t, err, "no answer")
				if !tt.drop {
					require.ErrorIs(t, err, context.Canceled, "the client gave up")
				}
				// Read the ledger, then the time: if the delay has not passed
				// yet, nothing can have been processed.
				early := p.applied(t, srv)
				if time.Since(start) < late {
					assert.False(t, early, "not processed before the delay")
				}
				rec := lateRecord(t, logs)
				assert.GreaterOrEqual(t, time.Since(start), late)
				assert.Equal(t, p.path, rec["path"])
				assert.Equal(t, "200", rec["status"])
				assert.True(t, p.applied(t, srv), "processed after the delay")
			})
		}
	}
}

func TestFaultLateProcessing(t *testing.T) {
	t.Run("held until processed, then closed unanswered", func(t *testing.T) {
		srv := newServer(t)
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Late: 100 * time.Millisecond, Count: 1})
		start := time.Now()
		_, err := send(srv, noRedirect, "/trade/v1/payment", cpm("held-1", "10", qfpaytest.AuthCodeSuccess))
		require.Error(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		tx, ok := srv.Transaction("held-1")
		require.True(t, ok, "processed before the connection closed")
		assert.Equal(t, "0000", tx.RespCode)
	})
	t.Run("an out_trade_no used in the meantime is refused with 2011", func(t *testing.T) {
		logs := make(logRecords, 100)
		srv := newServer(t, qfpaytest.WithLogger(slog.New(logs)))
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Late: 200 * time.Millisecond, Drop: true, Count: 1})
		_, err := send(srv, noRedirect, "/trade/v1/payment", cpm("twice", "10", qfpaytest.AuthCodeSuccess))
		require.Error(t, err)
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("twice", "20", qfpaytest.AuthCodeSuccess)), "0000")
		rec := lateRecord(t, logs)
		assert.Equal(t, "2011", rec["respcd"])
		txs := srv.Transactions()
		require.Len(t, txs, 1, "one payment")
		assert.Equal(t, int64(20), txs[0].Amount, "the one sent second")
	})
	t.Run("the payment processed late is notified", func(t *testing.T) {
		rc := newReceiver(t, reply{200, "SUCCESS"})
		srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL))
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Late: 50 * time.Millisecond, Drop: true, Count: 1})
		_, err := send(srv, noRedirect, "/trade/v1/payment", cpm("notified", "10", qfpaytest.AuthCodeSuccess))
		require.Error(t, err)
		d := waitDeliveries(t, srv, 1)
		require.Len(t, d, 1)
		assert.Equal(t, "notified", d[0].OutTradeNo)
		assert.True(t, d[0].Delivered)
	})
	t.Run("Close abandons what is not processed yet", func(t *testing.T) {
		srv := qfpaytest.NewServer(appCode, clientKey)
		defer srv.Close()
		srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Late: time.Hour, Count: 1})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/trade/v1/payment", strings.NewReader(""))
		require.NoError(t, err)
		_, err = http.DefaultClient.Do(req)
		require.Error(t, err)
		start := time.Now()
		srv.Close()
		assert.Less(t, time.Since(start), 5*time.Second, "Close does not wait an hour")
		assert.Empty(t, srv.Transactions())
	})
}

func TestFaultString(t *testing.T) {
	tests := []struct {
		fault qfpaytest.Fault
		want  string
	}{
		{qfpaytest.Fault{Latency: time.Second, Status: 502}, "latency 1s, status 502"},
		{qfpaytest.Fault{Drop: true, AfterProcessing: true}, "drop, after processing"},
		{qfpaytest.Fault{Truncate: true, AfterProcessing: true}, "truncated, after processing"},
		{qfpaytest.Fault{Truncate: true, Drop: true}, "truncated, then drop"},
		{qfpaytest.Fault{Garble: true}, "garbled"},
		{qfpaytest.Fault{Refuse: true}, "refused 1100"},
		{qfpaytest.Fault{Refuse: true, RefuseCode: "1297", AfterProcessing: true}, "refused 1297, after processing"},
		{qfpaytest.ErrorPage(403), "status 403 text/html body"},
		{qfpaytest.Fault{Body: "[]"}, "status 200 application/json body"},
		{qfpaytest.Fault{Late: 2 * time.Second, Latency: time.Second, AfterProcessing: true}, "held, processed late 2s"},
		{qfpaytest.Fault{Late: time.Second, Drop: true}, "dropped, processed late 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.fault.String())
		})
	}
}
