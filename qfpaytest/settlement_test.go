package qfpaytest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// queryFaults are the fault classes a settling query can meet. None of them
// says anything about the payment or refund being settled.
var queryFaults = []struct {
	name  string
	fault qfpaytest.Fault
}{
	{"proxy 403 page", qfpaytest.ErrorPage(http.StatusForbidden)},
	{"502 page", qfpaytest.ErrorPage(http.StatusBadGateway)},
	{"query refused 1100", qfpaytest.Fault{Refuse: true}},
	{"truncated body", qfpaytest.Fault{Truncate: true}},
	{"body cut by a closed connection", qfpaytest.Fault{Truncate: true, Drop: true}},
	{"garbled body", qfpaytest.Fault{Garble: true}},
	{"wrong-shape JSON", qfpaytest.Fault{Body: `{"respcd": "0000", "data": "no"}`}},
	{"429", qfpaytest.Fault{Status: http.StatusTooManyRequests}},
	{"dropped connection", qfpaytest.Fault{Drop: true}},
	{"timeout", qfpaytest.Fault{Latency: time.Second}},
}

// settleClient is an SDK client that polls fast, gives a query 200ms
// (WithTimeout bounds each query of a wait) and does not retry inside a
// query, so that every fault reaches the settle loop.
func settleClient(t *testing.T, srv *qfpaytest.Server) *qfpay.Client {
	return newClient(t, srv, qfpay.WithPollInterval(time.Millisecond, 5*time.Millisecond),
		qfpay.WithTimeout(200*time.Millisecond), qfpay.WithRetry(qfpay.RetryPolicy{MaxAttempts: 1}))
}

// TestSettleThroughQueryFaults drives WaitForPayment and WaitForRefund
// through the sandbox while their queries meet each fault class: the wait
// goes on and settles the transaction the gateway holds, never reporting a
// failure; with nothing but faults until ctx ends, the outcome is unknown.
func TestSettleThroughQueryFaults(t *testing.T) {
	for _, f := range queryFaults {
		t.Run(f.name, func(t *testing.T) {
			srv := newServer(t)
			client := settleClient(t, srv)
			pay, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 900,
				Currency: qfpay.CurrencyHKD, OutTradeNo: "settle-pay", AuthCode: qfpaytest.AuthCodeSuccess})
			require.NoError(t, err)
			_, err = client.Refund(t.Context(), &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "settle-refund", Amount: 400})
			require.NoError(t, err)

			fault := f.fault
			fault.Count = 3
			srv.InjectFault(pathQuery, fault)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			tx, err := client.WaitForPayment(ctx, "settle-pay")
			require.NoError(t, err, "three faulty queries, then the listing")
			assert.Equal(t, pay.SysSN, tx.SysSN)
			assert.True(t, tx.Paid())

			srv.InjectFault(pathQuery, fault)
			tx, err = client.WaitForRefund(ctx, "settle-refund")
			require.NoError(t, err)
			assert.True(t, tx.IsRefund())
			assert.Equal(t, pay.SysSN, tx.OrigSysSN)
			assert.Equal(t, int64(400), tx.Amount)

			// Only faults: the wait ends with ctx, outcome unknown, never a
			// failure of the payment.
			fault.Count = 0
			srv.InjectFault(pathQuery, fault)
			short, cancelShort := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancelShort()
			for _, wait := range []func(context.Context, string) (*qfpay.Transaction, error){client.WaitForPayment, client.WaitForRefund} {
				tx, err = wait(short, "settle-pay")
				assert.Nil(t, tx)
				require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				assert.NotErrorIs(t, err, qfpay.ErrPaymentFailed)
				assert.NotErrorIs(t, err, qfpay.ErrRefundFailed)
			}
		})
	}
}

// TestSettleMoneyMovementFaults: a payment or refund whose own answer is
// broken after the gateway processed it is never a decline; settling it by
// the same out_trade_no finds it done, and re-sending it under the same
// number is refused as a duplicate, so nothing moves twice.
func TestSettleMoneyMovementFaults(t *testing.T) {
	faults := []struct {
		name  string
		fault qfpaytest.Fault
	}{
		{"proxy 403 page", qfpaytest.ErrorPage(http.StatusForbidden)},
		{"502 page", qfpaytest.ErrorPage(http.StatusBadGateway)},
		{"truncated body", qfpaytest.Fault{Truncate: true}},
		{"garbled body", qfpaytest.Fault{Garble: true}},
		{"dropped connection", qfpaytest.Fault{Drop: true}},
		{"timeout", qfpaytest.Fault{Latency: time.Second}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srv := newServer(t)
			client := settleClient(t, srv)
			fault := f.fault
			fault.AfterProcessing, fault.Count = true, 1
			srv.InjectFault(pathPayment, fault)
			req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 1200, Currency: qfpay.CurrencyHKD,
				OutTradeNo: "fault-pay", AuthCode: qfpaytest.AuthCodeSuccess}
			_, err := client.Payment(t.Context(), req)
			require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown)
			var apiErr *qfpay.APIError
			assert.False(t, errors.As(err, &apiErr) && apiErr.Declined(), "never a decline: %v", err)

			tx, err := client.WaitForPayment(t.Context(), req.OutTradeNo)
			require.NoError(t, err)
			assert.Equal(t, int64(1200), tx.Amount)

			// The recipe's re-send under the same number: the gateway
			// keeps its one transaction.
			_, err = client.Payment(t.Context(), req)
			require.ErrorIs(t, err, qfpay.ErrDuplicate)

			srv.InjectFault(pathRefund, fault)
			refund := &qfpay.RefundRequest{SysSN: tx.SysSN, OutTradeNo: "fault-refund", Amount: 1200}
			_, err = client.Refund(t.Context(), refund)
			require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown)
			rtx, err := client.WaitForRefund(t.Context(), refund.OutTradeNo)
			require.NoError(t, err)
			assert.Equal(t, int64(1200), rtx.Amount)
			_, err = client.Refund(t.Context(), refund)
			require.ErrorIs(t, err, qfpay.ErrDuplicate)

			var payments, refunds int
			for _, st := range srv.Transactions() {
				if st.OrderType == qfpay.OrderTypeRefund {
					refunds++
				} else {
					payments++
				}
			}
			assert.Equal(t, 1, payments, "charged once")
			assert.Equal(t, 1, refunds, "refunded once")
		})
	}
}

// TestSettleLateProcessing: the gateway applies a payment only after the
// client gave up on it. The SDK says the outcome is unknown; the wait sees
// nothing listed at first, then the payment, and settles it.
func TestSettleLateProcessing(t *testing.T) {
	for _, drop := range []bool{false, true} {
		name := map[bool]string{false: "held, then processed", true: "dropped, then processed"}[drop]
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			client := settleClient(t, srv)
			srv.InjectFault(pathPayment, qfpaytest.Fault{Late: 400 * time.Millisecond, Drop: drop, Count: 1})
			req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 700, Currency: qfpay.CurrencyHKD,
				OutTradeNo: "late-pay", AuthCode: qfpaytest.AuthCodeSuccess}
			_, err := client.Payment(t.Context(), req)
			require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown)
			_, listed := srv.Transaction("late-pay")
			assert.False(t, listed, "not processed yet")

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			tx, err := client.WaitForPayment(ctx, req.OutTradeNo)
			require.NoError(t, err)
			assert.Equal(t, int64(700), tx.Amount)
		})
	}
}

// TestSettlePendingByTheClock: a consumer-presented payment left pending
// settles on the server's clock even when nobody queries; WaitForPayment
// then finds it paid, or failed for AuthCodePendingThenFail, the one
// outcome that proves paying again is safe.
func TestSettlePendingByTheClock(t *testing.T) {
	tests := []struct {
		code   string
		failed bool
	}{
		{qfpaytest.AuthCodePending, false},
		{qfpaytest.AuthCodeSlowNetwork, false},
		{qfpaytest.AuthCodePendingThenFail, true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithPendingQueries(-1))
			client := settleClient(t, srv)
			_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 500,
				Currency: qfpay.CurrencyHKD, OutTradeNo: "pending-pay", AuthCode: tt.code})
			require.ErrorIs(t, err, qfpay.ErrPending)
			srv.Advance(qfpaytest.DefaultPendingFor)
			tx, err := client.WaitForPayment(t.Context(), "pending-pay")
			if tt.failed {
				require.ErrorIs(t, err, qfpay.ErrPaymentFailed)
				require.NotNil(t, tx)
				assert.Equal(t, "1205", tx.RespCode)
				return
			}
			require.NoError(t, err)
			assert.True(t, tx.Paid())
		})
	}
}
