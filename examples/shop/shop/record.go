package shop

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Where an outcome comes from, for the log.
const (
	fromAnswer       = "answer"       // the answer to Payment or Refund
	fromListing      = "listing"      // WaitForPayment or WaitForRefund
	fromNotification = "notification" // a signed notification
	fromShop         = "shop"         // the shop's own conclusion
)

// outcome is what the shop learnt about one out_trade_no.
type outcome struct {
	state  State       // for a payment attempt
	refund RefundState // for a refund
	source string
	syssn  string
	// listed: QF Pay is known to hold the number (it answered with a
	// syssn, a pending code or "duplicate").
	listed         bool
	qrCode, payURL string
	code, reason   string
	// amount and currency QF Pay stated, checked against the order before
	// anything is marked paid or refunded.
	amount   int64
	currency qfpay.Currency
	// note is the notification this outcome comes from, recorded under its
	// syssn in the same transaction.
	note *qfpay.Notification
}

// What recording an outcome did, for the log.
type effect int

const (
	applied   effect = iota // the state changed
	confirmed               // it was in that state already (a second notification, say)
	noted                   // only that QF Pay holds the number was recorded
	ignored                 // the state machine refused the change (a late answer after paid)
)

// recordAttempt applies an outcome to a payment attempt and its order in one
// transaction. A change the state machine does not allow is ignored (and
// logged): this is what keeps a late answer from overwriting "paid". An
// outcome without a state only records that QF Pay holds the number.
func (s *Shop) recordAttempt(ctx context.Context, outTradeNo string, out outcome) error {
	var eff effect
	var from State
	err := s.st.inTx(ctx, func(q querier) error {
		a, err := attemptTx(ctx, q, outTradeNo)
		if err != nil {
			return err
		}
		from = a.State
		if out.note != nil {
			if err := recordNotification(ctx, q, out.note, s.now()); err != nil {
				return err
			}
		}
		if out.state == StatePaid && (out.amount != a.amount || out.currency != a.currency) {
			return fmt.Errorf("%w: %s says out_trade_no %q (syssn %s) paid %d %s, the order is %d %s",
				ErrMismatch, out.source, outTradeNo, out.syssn, out.amount, out.currency, a.amount, a.currency)
		}
		now := dbTime(s.now())
		if out.listed || out.syssn != "" {
			if _, err := q.exec(ctx,
				`UPDATE attempts SET listed = 1, syssn = COALESCE(syssn, NULLIF(?, '')) WHERE out_trade_no = ?`,
				out.syssn, outTradeNo); err != nil {
				return fmt.Errorf("shop: record syssn of %q: %w", outTradeNo, err)
			}
		}
		switch {
		case out.state == "":
			eff = noted
			return nil
		case a.State == out.state:
			eff = confirmed
			return nil
		case !allowed(a.State, out.state):
			eff = ignored
			return nil
		}
		eff = applied
		if a.State == StateFailed {
			s.log.Error("QF Pay captured a payment the shop held for failed",
				"out_trade_no", outTradeNo, "syssn", out.syssn, "source", out.source, "code", a.Code)
		}
		if _, err := q.exec(ctx,
			`UPDATE attempts SET state = ?1, qr_code = COALESCE(NULLIF(?2, ''), qr_code), pay_url = COALESCE(NULLIF(?3, ''), pay_url),
			 code = ?4, reason = ?5, updated_at = ?6,
			 -- a payment code is a bearer token: kept only while the request may be sent again
			 auth_code = CASE WHEN ?1 IN ('paid', 'failed') THEN '' ELSE auth_code END
			 WHERE out_trade_no = ?7`,
			out.state, out.qrCode, out.payURL, out.code, out.reason, now, outTradeNo); err != nil {
			return fmt.Errorf("shop: record outcome of %q: %w", outTradeNo, err)
		}
		return s.followAttempt(ctx, q, a, out, now)
	})
	s.logOutcome(ctx, "payment", outTradeNo, string(from), string(out.state), out, eff, err)
	return err
}

// followAttempt moves the order with its attempt: to paid once any attempt
// is captured (final), otherwise to the state of its current attempt.
func (s *Shop) followAttempt(ctx context.Context, q querier, a *Attempt, out outcome, now string) error {
	if out.state != StatePaid {
		_, err := q.exec(ctx,
			`UPDATE orders SET state = ?, updated_at = ? WHERE id = ? AND current_out_trade_no = ? AND state != 'paid'`,
			out.state, now, a.orderID, a.OutTradeNo)
		if err != nil {
			return fmt.Errorf("shop: update order %s: %w", a.orderID, err)
		}
		return nil
	}
	var paidNo string
	if err := q.row(ctx, `SELECT paid_out_trade_no FROM orders WHERE id = ?`, a.orderID).Scan(&paidNo); err != nil {
		return fmt.Errorf("shop: read order %s: %w", a.orderID, err)
	}
	if paidNo != "" {
		// Only possible if QF Pay captured a payment it had listed as
		// failed: refund one of them.
		s.log.Error("order charged twice: refund one of the payments", "order", a.orderID,
			"paid_out_trade_no", paidNo, "out_trade_no", a.OutTradeNo)
		return nil
	}
	syssn := out.syssn
	if syssn == "" {
		syssn = a.SysSN
	}
	_, err := q.exec(ctx,
		`UPDATE orders SET state = 'paid', paid_out_trade_no = ?, paid_syssn = ?, updated_at = ? WHERE id = ?`,
		a.OutTradeNo, syssn, now, a.orderID)
	if err != nil {
		return fmt.Errorf("shop: mark order %s paid: %w", a.orderID, err)
	}
	return nil
}

// recordRefund applies an outcome to a refund, as recordAttempt does.
func (s *Shop) recordRefund(ctx context.Context, outTradeNo string, out outcome) error {
	var eff effect
	var from RefundState
	err := s.st.inTx(ctx, func(q querier) error {
		r, err := refundTx(ctx, q, outTradeNo)
		if err != nil {
			return err
		}
		from = r.State
		if out.note != nil {
			if err := recordNotification(ctx, q, out.note, s.now()); err != nil {
				return err
			}
		}
		if out.refund == RefundSucceeded && (out.amount != r.Amount || out.currency != r.Currency) {
			return fmt.Errorf("%w: %s says refund out_trade_no %q (syssn %s) refunded %d %s, the refund is %d %s",
				ErrMismatch, out.source, outTradeNo, out.syssn, out.amount, out.currency, r.Amount, r.Currency)
		}
		if out.listed || out.syssn != "" {
			if _, err := q.exec(ctx,
				`UPDATE refunds SET listed = 1, syssn = COALESCE(syssn, NULLIF(?, '')) WHERE out_trade_no = ?`,
				out.syssn, outTradeNo); err != nil {
				return fmt.Errorf("shop: record syssn of refund %q: %w", outTradeNo, err)
			}
		}
		switch {
		case out.refund == "":
			eff = noted
			return nil
		case r.State == out.refund:
			eff = confirmed
			return nil
		case !refundAllowed(r.State, out.refund):
			eff = ignored
			return nil
		}
		eff = applied
		if r.State == RefundFailed {
			s.log.Error("QF Pay made a refund the shop held for failed", "out_trade_no", outTradeNo, "syssn", out.syssn, "source", out.source)
		}
		if _, err := q.exec(ctx, `UPDATE refunds SET state = ?, code = ?, reason = ?, updated_at = ? WHERE out_trade_no = ?`,
			out.refund, out.code, out.reason, dbTime(s.now()), outTradeNo); err != nil {
			return fmt.Errorf("shop: record outcome of refund %q: %w", outTradeNo, err)
		}
		return nil
	})
	s.logOutcome(ctx, "refund", outTradeNo, string(from), string(out.refund), out, eff, err)
	return err
}

// logOutcome logs what recording an outcome did: unknown outcomes and
// failures to record as warnings and errors, someone may look at them.
func (s *Shop) logOutcome(ctx context.Context, kind, outTradeNo, from, to string, out outcome, eff effect, err error) {
	attrs := []any{"out_trade_no", outTradeNo, "source", out.source}
	for _, kv := range [][2]string{{"syssn", out.syssn}, {"code", out.code}, {"reason", out.reason}} {
		if kv[1] != "" {
			attrs = append(attrs, kv[0], kv[1])
		}
	}
	switch {
	case err != nil:
		s.log.Error(kind+" outcome not recorded", append(attrs, "outcome", to, "err", err)...)
	case eff == ignored:
		s.log.Info(kind+" outcome ignored: it moved on", append(attrs, "state", from, "outcome", to)...)
	case eff == confirmed || eff == noted:
		s.log.Debug(kind+" outcome confirmed", append(attrs, "state", from)...)
	case to == string(StateUnknown):
		s.log.Warn(kind+" outcome unknown: to be settled", append(attrs, "state", to)...)
	default:
		s.log.Info(kind, append(attrs, "state", to)...)
	}
}

func refundAllowed(from, to RefundState) bool { return slices.Contains(refundTransitions[from], to) }

// recordNotification keeps a notification under its syssn: a second
// delivery of the same one only counts.
func recordNotification(ctx context.Context, q querier, n *qfpay.Notification, at time.Time) error {
	_, err := q.exec(ctx,
		`INSERT INTO notifications (syssn, notify_type, out_trade_no, amount, currency, first_at, last_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (syssn) DO UPDATE SET deliveries = deliveries + 1, last_at = excluded.last_at`,
		n.SysSN, string(n.Type), n.OutTradeNo, n.Amount, string(n.Currency), dbTime(at), dbTime(at))
	if err != nil {
		return fmt.Errorf("shop: record notification %s: %w", n.SysSN, err)
	}
	return nil
}
