package shop

import (
	"context"
	"errors"
	"net/http"

	"github.com/qfpay-go/qfpay"
)

// NotificationHandler is the endpoint QF Pay posts its notifications to
// (API section "Asynchronous Notifications"; register its URL with QF Pay).
// The shop's client's handler (qfpay.Client.NotificationHandler) checks the
// signature with the client's key, reads the times in the client's zone
// and answers 200 SUCCESS only once HandleNotification returned nil, so a
// notification that could not be recorded is delivered again.
func (s *Shop) NotificationHandler() http.Handler {
	return s.client.NotificationHandler(s.HandleNotification, qfpay.WithHandlerLogger(s.log))
}

// HandleNotification records a verified notification: a payment marks its
// attempt and order paid, a refund marks the refund succeeded. It is
// idempotent: the notification is kept under its syssn (a second delivery
// only counts), and paid is final, so a notification that arrives before
// Payment returned stays paid whatever the late answer says. A notification
// whose amount or currency is not the order's is refused (an error: QF Pay
// keeps it and retries) and logged; it never marks anything paid. One for a
// number this shop never sent is logged and acknowledged.
func (s *Shop) HandleNotification(ctx context.Context, n *qfpay.Notification) error {
	var err error
	switch n.Type {
	case qfpay.NotifyPayment:
		err = s.recordAttempt(ctx, n.OutTradeNo, outcome{state: StatePaid, source: fromNotification,
			syssn: n.SysSN, amount: n.Amount, currency: n.Currency, note: n})
	case qfpay.NotifyRefund:
		err = s.recordRefund(ctx, n.OutTradeNo, outcome{refund: RefundSucceeded, source: fromNotification,
			syssn: n.SysSN, amount: n.Amount, currency: n.Currency, note: n})
	default:
		s.log.Info("notification ignored", "notify_type", n.Type, "syssn", n.SysSN, "out_trade_no", n.OutTradeNo)
		return nil
	}
	if errors.Is(err, ErrUnknownNumber) {
		s.log.Warn("notification for a number this shop never sent", "notify_type", n.Type, "syssn", n.SysSN, "out_trade_no", n.OutTradeNo)
		return nil
	}
	return err
}
