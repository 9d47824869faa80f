package shop

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Unsettled counts what the settle worker still has to settle.
type Unsettled struct {
	// Payments are attempts sent, unknown or awaiting the customer.
	Payments int
	// Refunds are refunds sent or unknown.
	Refunds int
}

// Total is Payments + Refunds.
func (u Unsettled) Total() int { return u.Payments + u.Refunds }

// Settle makes one pass of the settle worker (API section "Transaction
// Enquiry"): for every payment and refund whose outcome is not known it
// waits up to Config.SettleTimeout for QF Pay to list it as succeeded or
// failed (WaitForPayment, WaitForRefund), and records what it lists. One
// that QF Pay has never been seen to hold (no syssn, no pending or
// duplicate answer) is sent again, the same request under the same
// out_trade_no: harmless if the first send arrived (QF Pay answers
// "duplicate"), and the way to resolve one that never did. It settles:
//
//   - payments and refunds unknown;
//   - payments and refunds sent longer than Config.StaleAfter ago (the
//     process stopped during the call);
//   - payments awaiting the customer whose QR code or checkout has expired
//     (until then QF Pay's notification says when the customer paid).
//
// It returns what is still unsettled after the pass.
func (s *Shop) Settle(ctx context.Context) (Unsettled, error) {
	now := s.now()
	stale := dbTime(now.Add(-s.cfg.StaleAfter))
	attempts, err := s.attempts(ctx,
		`WHERE a.state = 'unknown' OR (a.state = 'sent' AND a.updated_at < ?) OR a.state = 'awaiting' ORDER BY a.updated_at`, stale)
	if err != nil {
		return Unsettled{}, err
	}
	refunds, err := s.refunds(ctx, `WHERE state = 'unknown' OR (state = 'sent' AND updated_at < ?) ORDER BY updated_at`, stale)
	if err != nil {
		return Unsettled{}, err
	}

	sem := make(chan struct{}, s.cfg.SettleConcurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	run := func(f func() error) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	for i := range attempts {
		a := &attempts[i]
		if a.State == StateAwaiting && now.Before(a.expiresAt()) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		run(func() error { return s.settleAttempt(ctx, a) })
	}
	for i := range refunds {
		if ctx.Err() != nil {
			break
		}
		r := &refunds[i]
		run(func() error { return s.settleRefundRow(ctx, r) })
	}
	wg.Wait()
	left, err := s.Unsettled(context.WithoutCancel(ctx))
	return left, errors.Join(append(errs, err)...)
}

// expiresAt is when QF Pay expires the attempt's QR code or checkout if
// the customer has not paid: txdtm plus its expiry, plus a minute for the
// clocks of the shop and of QF Pay to disagree.
func (a *Attempt) expiresAt() time.Time {
	minutes := a.ExpireMinutes
	if minutes == 0 {
		minutes = DefaultExpireMinutes
	}
	return a.TxTime.Add(time.Duration(minutes)*time.Minute + time.Minute)
}

// settleAttempt settles one payment attempt: wait for its listing, then,
// if QF Pay was never seen to hold it, send the same request again.
func (s *Shop) settleAttempt(ctx context.Context, a *Attempt) error {
	if err := s.settlePayment(ctx, a.OutTradeNo, s.cfg.SettleTimeout); err != nil {
		return err
	}
	cur, err := s.attempt(ctx, a.OutTradeNo)
	if err != nil || cur.Listed || (cur.State != StateUnknown && cur.State != StateSent) || ctx.Err() != nil {
		return err
	}
	// Never listed: send the same request again, counting the send first.
	if err := s.countSend(ctx, "attempts", cur.OutTradeNo); err != nil {
		return err
	}
	s.log.Info("sending the payment again under the same number", "out_trade_no", cur.OutTradeNo, "send", cur.Sends+1)
	resp, perr := s.client.Payment(ctx, cur.request())
	return s.afterPayment(ctx, cur, false, resp, perr, s.cfg.SettleTimeout)
}

// settleRefundRow settles one refund, as settleAttempt does a payment.
func (s *Shop) settleRefundRow(ctx context.Context, r *Refund) error {
	if err := s.settleRefund(ctx, r.OutTradeNo, s.cfg.SettleTimeout); err != nil {
		return err
	}
	cur, err := s.refund(ctx, r.OutTradeNo)
	if err != nil || cur.Listed || (cur.State != RefundUnknown && cur.State != RefundSent) || ctx.Err() != nil {
		return err
	}
	if err := s.countSend(ctx, "refunds", cur.OutTradeNo); err != nil {
		return err
	}
	s.log.Info("sending the refund again under the same number", "out_trade_no", cur.OutTradeNo, "send", cur.Sends+1)
	resp, rerr := s.client.Refund(ctx, cur.request())
	return s.afterRefund(ctx, cur, false, resp, rerr, s.cfg.SettleTimeout)
}

// countSend counts one more send of a number before it is made, so that a
// decline of it is never taken for the decline of a first send.
func (s *Shop) countSend(ctx context.Context, table, outTradeNo string) error {
	return s.st.inTx(ctx, func(q querier) error {
		_, err := q.exec(ctx, `UPDATE `+table+` SET sends = sends + 1, updated_at = ? WHERE out_trade_no = ?`,
			dbTime(s.now()), outTradeNo)
		if err != nil {
			return fmt.Errorf("shop: count a send of %q: %w", outTradeNo, err)
		}
		return nil
	})
}

// Unsettled counts the payments and refunds whose outcome is not final.
func (s *Shop) Unsettled(ctx context.Context) (Unsettled, error) {
	var u Unsettled
	err := s.st.q().row(ctx,
		`SELECT (SELECT COUNT(*) FROM attempts WHERE state IN ('sent', 'unknown', 'awaiting')),
		        (SELECT COUNT(*) FROM refunds WHERE state IN ('sent', 'unknown'))`).Scan(&u.Payments, &u.Refunds)
	if err != nil {
		return u, fmt.Errorf("shop: count unsettled: %w", err)
	}
	return u, nil
}

// RunSettleWorker runs Settle every Config.SettleInterval until ctx ends.
// Errors are logged; the next pass tries again.
func (s *Shop) RunSettleWorker(ctx context.Context) {
	t := time.NewTicker(s.cfg.SettleInterval)
	defer t.Stop()
	for {
		left, err := s.Settle(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("settle pass", "err", err, "unsettled_payments", left.Payments, "unsettled_refunds", left.Refunds)
		case left.Total() > 0:
			s.log.Debug("settle pass", "unsettled_payments", left.Payments, "unsettled_refunds", left.Refunds)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
