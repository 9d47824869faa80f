package shop

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay"
)

// PayInput is how the customer pays an order.
type PayInput struct {
	// PayType is the wallet and scenario (required).
	PayType qfpay.PayType `json:"pay_type"`
	// AuthCode is the code scanned from the customer's wallet
	// (consumer-presented pay types).
	AuthCode string `json:"auth_code,omitempty"`
	// ReturnURL is where an online checkout sends the customer back.
	ReturnURL string `json:"return_url,omitempty"`
	// ExpireMinutes is how long a QR code or checkout stays payable, 5 to
	// 120 (0: QF Pay's 30).
	ExpireMinutes int `json:"expire_minutes,omitempty"`
}

// Pay pays an order that is new or whose last payment failed (API section
// "API Endpoint for Payments"). It writes a new attempt with a new
// out_trade_no to the database, and only then sends it; it then reads the
// answer with the recipe every merchant must follow:
//
//   - no error: paid (consumer-presented) or awaiting the customer (QR
//     code, checkout);
//   - qfpay.ErrInvalidRequest: nothing was sent; the attempt fails and the
//     error is returned, to be fixed;
//   - a decline (APIError.Declined) of this first send: proven not
//     charged; the order is failed and may be paid again, under a new
//     number;
//   - anything else (ErrPending, ErrOutcomeUnknown, ErrDuplicate,
//     ErrRateLimited, any other error): the outcome is unknown. Pay settles
//     it with WaitForPayment for up to Config.SettleWait; if QF Pay still
//     cannot say, the order stays unknown for the settle worker, and the
//     customer must not pay again.
//
// It returns the order as it then stands; its State says the outcome. It
// fails with ErrAlreadyPaid or ErrPaymentInProgress when the order may not
// be paid now.
func (s *Shop) Pay(ctx context.Context, orderID string, in PayInput) (*Order, error) {
	a, err := s.newAttempt(ctx, orderID, in)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Payment(ctx, a.request())
	if err := s.afterPayment(ctx, a, true, resp, err, s.cfg.SettleWait); err != nil {
		return nil, err
	}
	// The outcome is recorded even when the customer went away: read the
	// order past the end of ctx too.
	return s.Order(context.WithoutCancel(ctx), orderID)
}

// newAttempt writes the next attempt of an order, in state sent with one
// send counted, before anything is sent: if the process stops during the
// call, the settle worker finds the number and settles it.
func (s *Shop) newAttempt(ctx context.Context, orderID string, in PayInput) (*Attempt, error) {
	if in.PayType == "" || !in.PayType.Known() {
		return nil, fmt.Errorf("%w: unknown pay type %q", ErrInvalid, in.PayType)
	}
	var no string
	err := s.st.inTx(ctx, func(q querier) error {
		var state State
		err := q.row(ctx, `SELECT state FROM orders WHERE id = ?`, orderID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %q", ErrNotFound, orderID)
		}
		if err != nil {
			return fmt.Errorf("shop: read order %q: %w", orderID, err)
		}
		switch state {
		case StatePaid:
			return ErrAlreadyPaid
		case StateSent, StateAwaiting, StateUnknown:
			return ErrPaymentInProgress
		}
		// A new number only after every earlier one is proven failed.
		var open, seq int
		if err := q.row(ctx,
			`SELECT COALESCE(SUM(state != 'failed'), 0), COALESCE(MAX(seq), 0) FROM attempts WHERE order_id = ?`,
			orderID).Scan(&open, &seq); err != nil {
			return fmt.Errorf("shop: read attempts of %q: %w", orderID, err)
		}
		if open > 0 {
			return ErrPaymentInProgress
		}
		seq++
		no = fmt.Sprintf("%s-%d", orderID, seq)
		now := s.now()
		if _, err := q.exec(ctx,
			`INSERT INTO attempts (out_trade_no, order_id, seq, pay_type, auth_code, return_url, expire_minutes, tx_time,
			 state, sends, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?)`,
			no, orderID, seq, string(in.PayType), in.AuthCode, in.ReturnURL, in.ExpireMinutes,
			dbTime(now.Truncate(time.Second)), dbTime(now), dbTime(now)); err != nil {
			return fmt.Errorf("shop: write attempt %q: %w", no, err)
		}
		if _, err := q.exec(ctx,
			`UPDATE orders SET state = 'sent', current_out_trade_no = ?, updated_at = ? WHERE id = ?`,
			no, dbTime(now), orderID); err != nil {
			return fmt.Errorf("shop: update order %q: %w", orderID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.attempt(ctx, no)
}

// attempt reads one attempt by its number.
func (s *Shop) attempt(ctx context.Context, outTradeNo string) (*Attempt, error) {
	as, err := s.attempts(ctx, `WHERE a.out_trade_no = ?`, outTradeNo)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownNumber, outTradeNo)
	}
	return &as[0], nil
}

// request is the attempt's payment request, the same on every send: the
// same number, amount, code and txdtm.
func (a *Attempt) request() *qfpay.PaymentRequest {
	return &qfpay.PaymentRequest{
		PayType:       a.PayType,
		Amount:        a.amount,
		Currency:      a.currency,
		OutTradeNo:    a.OutTradeNo,
		TxTime:        a.TxTime,
		AuthCode:      a.authCode,
		ReturnURL:     a.returnURL,
		ExpireMinutes: a.ExpireMinutes,
	}
}

// afterPayment records the answer to a send of attempt a (the first send
// when first) by the recipe of Pay, settling an unknown outcome for up to
// wait. It returns an error only for an invalid request or a failure to
// record.
func (s *Shop) afterPayment(ctx context.Context, a *Attempt, first bool, resp *qfpay.PaymentResponse, err error, wait time.Duration) error {
	// What QF Pay said is recorded even if the caller went away meanwhile.
	rec := context.WithoutCancel(ctx)
	var apiErr *qfpay.APIError
	switch {
	case err == nil && a.PayType.IsConsumerPresented():
		rerr := s.recordAttempt(rec, a.OutTradeNo, outcome{state: StatePaid, source: fromAnswer,
			syssn: resp.SysSN, amount: resp.Amount, currency: resp.Currency})
		if !errors.Is(rerr, ErrMismatch) {
			return rerr
		}
		// An answer that does not state the order's amount proves nothing:
		// settle by the listing.
		err = rerr
	case err == nil:
		return s.recordAttempt(rec, a.OutTradeNo, outcome{state: StateAwaiting, source: fromAnswer,
			syssn: resp.SysSN, qrCode: resp.QRCode, payURL: resp.PayURL})
	case errors.Is(err, qfpay.ErrInvalidRequest) && first:
		// Refused before sending: nothing reached QF Pay.
		if rerr := s.recordAttempt(rec, a.OutTradeNo, outcome{state: StateFailed, source: fromShop,
			code: "invalid", reason: err.Error()}); rerr != nil {
			return rerr
		}
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	case first && errors.As(err, &apiErr) && apiErr.Declined():
		// A refusal of the first send of this number: nothing was charged.
		return s.recordAttempt(rec, a.OutTradeNo, outcome{state: StateFailed, source: fromAnswer,
			code: apiErr.Code, reason: apiErr.Error()})
	}
	// Everything else, a decline of a re-send included, leaves the outcome
	// unknown: settle it by the same number.
	out := outcome{state: StateUnknown, source: fromAnswer, reason: err.Error(),
		listed: errors.Is(err, qfpay.ErrPending) || errors.Is(err, qfpay.ErrDuplicate)}
	if errors.As(err, &apiErr) {
		out.code = apiErr.Code
	}
	if resp != nil && errors.Is(err, qfpay.ErrPending) {
		out.syssn = resp.SysSN
	}
	if rerr := s.recordAttempt(rec, a.OutTradeNo, out); rerr != nil {
		return rerr
	}
	return s.settlePayment(ctx, a.OutTradeNo, wait)
}

// settlePayment waits up to wait for QF Pay to list the payment as
// succeeded or failed, and records what it lists. An outcome still unknown
// is left to the settle worker.
func (s *Shop) settlePayment(ctx context.Context, outTradeNo string, wait time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tx, err := s.client.WaitForPayment(wctx, outTradeNo)
	rec := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return s.recordAttempt(rec, outTradeNo, outcome{state: StatePaid, source: fromListing,
			syssn: tx.SysSN, amount: tx.Amount, currency: tx.Currency})
	case errors.Is(err, qfpay.ErrPaymentFailed) && tx != nil:
		return s.recordAttempt(rec, outTradeNo, outcome{state: StateFailed, source: fromListing,
			syssn: tx.SysSN, code: tx.RespCode, reason: err.Error()})
	}
	// qfpay.ErrOutcomeUnknown: QF Pay could not say yet. Leave it unknown,
	// noting whether QF Pay lists the number (then it is never re-sent).
	var unsettled *qfpay.UnsettledError
	if errors.As(err, &unsettled) && unsettled.Last != nil {
		return s.recordAttempt(rec, outTradeNo, outcome{source: fromListing, listed: true, syssn: unsettled.Last.SysSN})
	}
	s.log.Debug("payment still unknown", "out_trade_no", outTradeNo, "err", err)
	return nil
}
