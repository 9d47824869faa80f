package qfpaytest_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestPendingSettlesByClock: a consumer-presented payment answered pending
// settles when the server's clock reaches WithPendingFor, with nobody
// querying it.
func TestPendingSettlesByClock(t *testing.T) {
	tests := []struct {
		name     string
		authCode string
		first    string
		final    string
	}{
		{"pending", qfpaytest.AuthCodePending, "1145", "0000"},
		{"password pending", qfpaytest.AuthCodePasswordPending, "1143", "0000"},
		{"slow network", qfpaytest.AuthCodeSlowNetwork, "1298", "0000"},
		{"pending then failed", qfpaytest.AuthCodePendingThenFail, "1145", "1205"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL))
			requireCode(t, post(t, srv, "/trade/v1/payment", cpm("clock-1", "10", tt.authCode)), tt.first)

			srv.Advance(qfpaytest.DefaultPendingFor - time.Second)
			tx, _ := srv.Transaction("clock-1")
			assert.Equal(t, tt.first, tx.RespCode, "still pending a second before")
			assert.Empty(t, srv.Deliveries())

			srv.Advance(time.Second)
			assert.Len(t, srv.Deliveries(), map[bool]int{true: 1, false: 0}[tt.final == "0000"],
				"notified once Advance returns, when paid")
			tx, _ = srv.Transaction("clock-1")
			assert.Equal(t, tt.final, tx.RespCode)
			if tt.final == "0000" {
				assert.True(t, tx.PayTime.Equal(t0.Add(qfpaytest.DefaultPendingFor)), "paid when it settled: %s", tx.PayTime)
				assert.Equal(t, "clock-1", waitDeliveries(t, srv, 1)[0].OutTradeNo)
			} else {
				assert.True(t, tx.PayTime.IsZero())
			}
			assert.Equal(t, tt.final, queryOne(t, srv, tx.SysSN)["respcd"])
		})
	}
}

func TestPendingSettlementRules(t *testing.T) {
	t.Run("settled on a running clock, nobody querying", func(t *testing.T) {
		rc := newReceiver(t, reply{200, "SUCCESS"})
		srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithPendingFor(50*time.Millisecond))
		t.Cleanup(srv.Close)
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("run-1", "10", qfpaytest.AuthCodePending)), "1145")
		d := waitDeliveries(t, srv, 1)
		assert.Equal(t, "run-1", d[0].OutTradeNo)
		assert.True(t, d[0].Delivered)
		tx, _ := srv.Transaction("run-1")
		assert.Equal(t, "0000", tx.RespCode)
	})
	t.Run("settled when a clock of WithClock jumps", func(t *testing.T) {
		var now atomic.Pointer[time.Time]
		start := t0
		now.Store(&start)
		srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithClock(func() time.Time { return *now.Load() }))
		t.Cleanup(srv.Close)
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("jump-1", "10", qfpaytest.AuthCodePending)), "1145")
		later := t0.Add(time.Hour)
		now.Store(&later)
		require.Eventually(t, func() bool {
			tx, _ := srv.Transaction("jump-1")
			return tx.RespCode == "0000"
		}, 5*time.Second, 10*time.Millisecond)
	})
	t.Run("WithPendingFor", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingFor(time.Minute), qfpaytest.WithPendingQueries(-1))
		a := post(t, srv, "/trade/v1/payment", cpm("pf-1", "10", qfpaytest.AuthCodePending))
		requireCode(t, a, "1145")
		for range 5 {
			assert.Equal(t, "1145", queryOne(t, srv, a.str("syssn"))["respcd"], "queries never settle it")
		}
		srv.Advance(time.Minute - time.Second)
		assert.Equal(t, "1145", queryOne(t, srv, a.str("syssn"))["respcd"])
		srv.Advance(time.Second)
		tx, _ := srv.Transaction("pf-1")
		assert.Equal(t, "0000", tx.RespCode)
	})
	t.Run("WithPendingFor(0) settles at the first look", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingFor(0))
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("pf-0", "10", qfpaytest.AuthCodePending)), "1145")
		tx, _ := srv.Transaction("pf-0")
		assert.Equal(t, "0000", tx.RespCode)
	})
	t.Run("a negative WithPendingFor leaves it to the queries", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingFor(-1))
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("pf-n", "10", qfpaytest.AuthCodePending)), "1145")
		srv.Advance(24 * time.Hour)
		tx, _ := srv.Transaction("pf-n")
		assert.Equal(t, "1145", tx.RespCode, "not by time")
		var got []any
		for range 3 {
			got = append(got, queryOne(t, srv, tx.SysSN)["respcd"])
		}
		assert.Equal(t, []any{"1145", "1145", "0000"}, got, "by DefaultPendingQueries queries")
	})
	t.Run("the queries settle it first", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingQueries(0))
		a := post(t, srv, "/trade/v1/payment", cpm("pq-0", "10", qfpaytest.AuthCodePending))
		assert.Equal(t, "0000", queryOne(t, srv, a.str("syssn"))["respcd"])
		tx, _ := srv.Transaction("pq-0")
		assert.True(t, tx.PayTime.Equal(t0), "paid at the query")
	})
	t.Run("reversed before its time: stays reversed", func(t *testing.T) {
		rc := newReceiver(t, reply{200, "SUCCESS"})
		srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL))
		a := post(t, srv, "/trade/v1/payment", cpm("rv-p", "10", qfpaytest.AuthCodePending))
		requireCode(t, post(t, srv, "/trade/v1/reversal", form("syssn", a.str("syssn"), "txamt", "10", "txdtm", txdtm)), "0000")
		srv.Advance(time.Hour)
		tx, _ := srv.Transaction("rv-p")
		assert.Equal(t, "1142", tx.RespCode)
		assert.Equal(t, qfpay.CancelReversed, tx.Cancel)
		assert.Empty(t, srv.Deliveries())
	})
	t.Run("SetNow settles too", func(t *testing.T) {
		srv := newServer(t)
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("sn-1", "10", qfpaytest.AuthCodePendingThenFail)), "1145")
		srv.SetNow(t0.Add(time.Hour))
		tx, _ := srv.Transaction("sn-1")
		assert.Equal(t, "1205", tx.RespCode)
	})
}

// TestPendingRefunds: under WithPendingRefunds a refund is answered 1145,
// holds its amount while pending, and settles by the pending rules.
func TestPendingRefunds(t *testing.T) {
	t.Run("by the clock", func(t *testing.T) {
		rc := newReceiver(t, reply{200, "SUCCESS"})
		srv := newServer(t, qfpaytest.WithPendingRefunds(), qfpaytest.WithNotifyURL(rc.URL))
		syssn := paid(t, srv, "pr-pay", "100")
		waitDeliveries(t, srv, 1)
		r := post(t, srv, "/trade/v1/refund", refund(syssn, "pr-1", "60"))
		requireCode(t, r, "1145")
		assert.Equal(t, "60", r.str("txamt"))
		listed := queryOne(t, srv, r.str("syssn"))
		assert.Equal(t, "1145", listed["respcd"])
		assert.Equal(t, "refund", listed["order_type"])
		assert.Equal(t, "0", queryOne(t, srv, syssn)["cancel"], "nothing refunded yet")
		requireCode(t, post(t, srv, "/trade/v1/refund", refund(syssn, "pr-2", "41")), "1272")
		assert.Len(t, srv.Deliveries(), 1, "a pending refund is not notified")

		srv.Advance(qfpaytest.DefaultPendingFor)
		tx, _ := srv.Transaction("pr-1")
		assert.Equal(t, "0000", tx.RespCode)
		assert.True(t, tx.PayTime.Equal(t0.Add(qfpaytest.DefaultPendingFor)))
		p, _ := srv.Transaction("pr-pay")
		assert.Equal(t, int64(60), p.Refunded)
		assert.Equal(t, qfpay.CancelPartiallyRefunded, p.Cancel)
		d := waitDeliveries(t, srv, 2)
		assert.Equal(t, "refund", d[1].Type)
		assert.Equal(t, "pr-1", d[1].OutTradeNo)
	})
	t.Run("by the queries", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingRefunds())
		syssn := paid(t, srv, "prq-pay", "100")
		r := post(t, srv, "/trade/v1/refund", refund(syssn, "prq-1", "100"))
		requireCode(t, r, "1145")
		var got []any
		for range 3 {
			got = append(got, queryOne(t, srv, r.str("syssn"))["respcd"])
		}
		assert.Equal(t, []any{"1145", "1145", "0000"}, got)
		assert.Equal(t, "3", queryOne(t, srv, syssn)["cancel"], "refunded in full")
	})
	t.Run("failed: the amount can be refunded again", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingRefunds())
		syssn := paid(t, srv, "prf-pay", "100")
		requireCode(t, post(t, srv, "/trade/v1/refund", refund(syssn, "prf-1", "100")), "1145")
		require.NoError(t, srv.Fail("prf-1", "1269"))
		srv.Advance(time.Hour)
		tx, _ := srv.Transaction("prf-1")
		assert.Equal(t, "1269", tx.RespCode, "failed for good")
		p, _ := srv.Transaction("prf-pay")
		assert.Zero(t, p.Refunded)
		assert.Equal(t, qfpay.CancelNone, p.Cancel)
		requireCode(t, post(t, srv, "/trade/v1/refund", refund(syssn, "prf-2", "100")), "1145")
	})
}

func TestFail(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *qfpaytest.Server) string // the ref to fail
		code  string
		err   error // nil: failed
	}{
		{"a payment waiting for the customer", func(t *testing.T, srv *qfpaytest.Server) string {
			return unpaid(t, srv, "fl-mpm", "800201")
		}, "1205", nil},
		{"a pending CPM payment, by out_trade_no", func(t *testing.T, srv *qfpaytest.Server) string {
			requireCode(t, post(t, srv, "/trade/v1/payment", cpm("fl-cpm", "10", qfpaytest.AuthCodePending)), "1145")
			return "fl-cpm"
		}, "1297", nil},
		{"a paid payment", func(t *testing.T, srv *qfpaytest.Server) string {
			return paid(t, srv, "fl-paid", "10")
		}, "1205", qfpaytest.ErrSettled},
		{"a refund settled at once", func(t *testing.T, srv *qfpaytest.Server) string {
			requireCode(t, post(t, srv, "/trade/v1/refund", refund(paid(t, srv, "fl-p", "10"), "fl-r", "10")), "0000")
			return "fl-r"
		}, "1205", qfpaytest.ErrSettled},
		{"a closed payment", func(t *testing.T, srv *qfpaytest.Server) string {
			syssn := unpaid(t, srv, "fl-closed", "800201")
			requireCode(t, post(t, srv, "/trade/v1/close", form("syssn", syssn, "txamt", "100", "txdtm", txdtm)), "0000")
			return syssn
		}, "1205", qfpaytest.ErrSettled},
		{"an expired payment", func(t *testing.T, srv *qfpaytest.Server) string {
			syssn := unpaid(t, srv, "fl-exp", "800201")
			srv.Advance(time.Hour)
			return syssn
		}, "1205", qfpaytest.ErrSettled},
		{"a failed payment", func(t *testing.T, srv *qfpaytest.Server) string {
			requireCode(t, post(t, srv, "/trade/v1/payment", cpm("fl-f", "10", qfpaytest.AuthCodeInvalid)), "1202")
			return "fl-f"
		}, "1205", qfpaytest.ErrSettled},
		{"unknown", func(*testing.T, *qfpaytest.Server) string { return "nobody" }, "1205", qfpaytest.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t)
			ref := tt.setup(t, srv)
			before, _ := srv.Transaction(ref)
			srv.SetNotifyURL(rc.URL)
			err := srv.Fail(ref, tt.code)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				after, _ := srv.Transaction(ref)
				assert.Equal(t, before, after, "unchanged")
				return
			}
			require.NoError(t, err)
			tx, _ := srv.Transaction(ref)
			assert.Equal(t, tt.code, tx.RespCode)
			assert.Equal(t, tt.code, queryOne(t, srv, tx.SysSN)["respcd"], "listed failed")
			assert.ErrorIs(t, srv.Pay(ref), qfpaytest.ErrNotPayable, "the customer can no longer pay")
			assert.ErrorIs(t, srv.Fail(ref, tt.code), qfpaytest.ErrSettled, "failed once")
			srv.Advance(time.Hour)
			tx, _ = srv.Transaction(ref)
			assert.Equal(t, tt.code, tx.RespCode, "the clock does not settle it again")
			assert.Empty(t, srv.Deliveries(), "a failure is not notified")
		})
	}
	t.Run("not a failure code", func(t *testing.T) {
		srv := newServer(t)
		syssn := unpaid(t, srv, "fl-bad", "800201")
		for _, code := range []string{"0000", "1143", "1145", "1298", "", "120", "12055", "12a5"} {
			err := srv.Fail(syssn, code)
			require.Error(t, err, code)
			assert.Contains(t, err.Error(), "qfpaytest: respcd")
			assert.NotErrorIs(t, err, qfpaytest.ErrSettled)
		}
		tx, _ := srv.Transaction(syssn)
		assert.Equal(t, "1143", tx.RespCode, "still waiting")
	})
}
