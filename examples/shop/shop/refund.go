package shop

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Refund refunds amount (minor units) of a paid order (API section
// "Refunds"). The refund gets its own out_trade_no, written to the database
// with the amount reserved before anything is sent; it is refused with
// ErrRefundTooLarge when amount is above what was paid less what is
// refunded or reserved (refunds whose outcome is unknown count as made). The
// answer is read with the same recipe as Pay's: no error → succeeded;
// ErrInvalidRequest → nothing sent, failed, returned; a decline of the first
// send → failed (the amount is free again); anything else → unknown,
// settled with WaitForRefund for up to Config.SettleWait, then by the settle
// worker.
func (s *Shop) Refund(ctx context.Context, orderID string, amount int64) (*Refund, error) {
	r, err := s.newRefund(ctx, orderID, amount)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Refund(ctx, r.request())
	if err := s.afterRefund(ctx, r, true, resp, err, s.cfg.SettleWait); err != nil {
		return nil, err
	}
	return s.refund(context.WithoutCancel(ctx), r.OutTradeNo)
}

// newRefund reserves amount of a paid order and writes the refund, state
// sent with one send counted.
func (s *Shop) newRefund(ctx context.Context, orderID string, amount int64) (*Refund, error) {
	if amount <= 0 {
		return nil, fmt.Errorf("%w: refund amount must be above zero (minor units), got %d", ErrInvalid, amount)
	}
	var no string
	err := s.st.inTx(ctx, func(q querier) error {
		var state State
		var paid int64
		var currency, syssn string
		err := q.row(ctx, `SELECT state, amount, currency, paid_syssn FROM orders WHERE id = ?`, orderID).
			Scan(&state, &paid, &currency, &syssn)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %q", ErrNotFound, orderID)
		}
		if err != nil {
			return fmt.Errorf("shop: read order %q: %w", orderID, err)
		}
		if state != StatePaid || syssn == "" {
			return fmt.Errorf("%w: %q is %s", ErrNotPaid, orderID, state)
		}
		var reserved int64
		var seq int
		if err := q.row(ctx,
			`SELECT COALESCE(SUM(CASE WHEN state != 'failed' THEN amount END), 0), COALESCE(MAX(seq), 0) FROM refunds WHERE order_id = ?`,
			orderID).Scan(&reserved, &seq); err != nil {
			return fmt.Errorf("shop: read refunds of %q: %w", orderID, err)
		}
		if reserved+amount > paid {
			return fmt.Errorf("%w: %d asked, %d paid, %d refunded or reserved", ErrRefundTooLarge, amount, paid, reserved)
		}
		seq++
		no = fmt.Sprintf("%s-r%d", orderID, seq)
		now := s.now()
		_, err = q.exec(ctx,
			`INSERT INTO refunds (out_trade_no, order_id, seq, payment_syssn, amount, currency, tx_time, state, sends, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?)`,
			no, orderID, seq, syssn, amount, currency, dbTime(now.Truncate(time.Second)), dbTime(now), dbTime(now))
		if err != nil {
			return fmt.Errorf("shop: write refund %q: %w", no, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.refund(ctx, no)
}

func (s *Shop) refund(ctx context.Context, outTradeNo string) (*Refund, error) {
	rs, err := s.refunds(ctx, `WHERE out_trade_no = ?`, outTradeNo)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: refund %q", ErrUnknownNumber, outTradeNo)
	}
	return &rs[0], nil
}

// request is the refund's request, the same on every send.
func (r *Refund) request() *qfpay.RefundRequest {
	return &qfpay.RefundRequest{SysSN: r.PaymentSysSN, OutTradeNo: r.OutTradeNo, Amount: r.Amount, TxTime: r.TxTime}
}

// afterRefund records the answer to a send of refund r as Refund says.
func (s *Shop) afterRefund(ctx context.Context, r *Refund, first bool, resp *qfpay.RefundResponse, err error, wait time.Duration) error {
	rec := context.WithoutCancel(ctx)
	var apiErr *qfpay.APIError
	switch {
	case err == nil:
		rerr := s.recordRefund(rec, r.OutTradeNo, outcome{refund: RefundSucceeded, source: fromAnswer,
			syssn: resp.SysSN, amount: resp.Amount, currency: r.Currency})
		if !errors.Is(rerr, ErrMismatch) {
			return rerr
		}
		err = rerr
	case errors.Is(err, qfpay.ErrInvalidRequest) && first:
		if rerr := s.recordRefund(rec, r.OutTradeNo, outcome{refund: RefundFailed, source: fromShop,
			code: "invalid", reason: err.Error()}); rerr != nil {
			return rerr
		}
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	case first && errors.As(err, &apiErr) && apiErr.Declined():
		return s.recordRefund(rec, r.OutTradeNo, outcome{refund: RefundFailed, source: fromAnswer,
			code: apiErr.Code, reason: apiErr.Error()})
	}
	out := outcome{refund: RefundUnknown, source: fromAnswer, reason: err.Error(),
		listed: errors.Is(err, qfpay.ErrPending) || errors.Is(err, qfpay.ErrDuplicate)}
	if errors.As(err, &apiErr) {
		out.code = apiErr.Code
	}
	if resp != nil && errors.Is(err, qfpay.ErrPending) {
		out.syssn = resp.SysSN
	}
	if rerr := s.recordRefund(rec, r.OutTradeNo, out); rerr != nil {
		return rerr
	}
	return s.settleRefund(ctx, r.OutTradeNo, wait)
}

// settleRefund waits up to wait for QF Pay to list the refund as succeeded
// or failed, and records what it lists.
func (s *Shop) settleRefund(ctx context.Context, outTradeNo string, wait time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tx, err := s.client.WaitForRefund(wctx, outTradeNo)
	rec := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return s.recordRefund(rec, outTradeNo, outcome{refund: RefundSucceeded, source: fromListing,
			syssn: tx.SysSN, amount: tx.Amount, currency: tx.Currency})
	case errors.Is(err, qfpay.ErrRefundFailed) && tx != nil:
		return s.recordRefund(rec, outTradeNo, outcome{refund: RefundFailed, source: fromListing,
			syssn: tx.SysSN, code: tx.RespCode, reason: err.Error()})
	}
	var unsettled *qfpay.UnsettledError
	if errors.As(err, &unsettled) && unsettled.Last != nil {
		return s.recordRefund(rec, outTradeNo, outcome{source: fromListing, listed: true, syssn: unsettled.Last.SysSN})
	}
	s.log.Debug("refund still unknown", "out_trade_no", outTradeNo, "err", err)
	return nil
}
