package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// WaitForPayment settles the outcome of the payment with the merchant's
// number outTradeNo (API sections "Transaction Enquiry" and "Payment
// Status"): it queries the payment by out_trade_no, and again while the
// payment is pending (1143, 1145, 1298) or not listed yet, waiting between
// queries a random time up to the client's poll interval, doubled at each
// query and capped (WithPollInterval; DefaultPollPolicy by default). Use it
// after a Payment that answered ErrPending or ErrOutcomeUnknown, or to wait
// for a customer to pay a QR code.
//
// It returns:
//   - the transaction and nil once it is paid (respcd 0000; check Cancel to
//     learn whether it was reversed or refunded since);
//   - the transaction and an *APIError with the transaction's respcd, its
//     description and errmsg, when the payment failed for good; paying
//     again with a new out_trade_no is then safe;
//   - nil and the query's error when a query fails with an error that
//     waiting will not mend (an invalid request, a signature error, an
//     unreadable answer). Connection errors, HTTP 5xx and 429 answers are
//     waited out;
//   - when ctx ends first: the last pending transaction seen (or nil) and
//     an error wrapping ctx.Err() that says the outcome is still unknown. It
//     also matches ErrPending when the payment was last seen pending, and
//     ErrOutcomeUnknown when it was never listed. Do not pay again under a
//     new number then: wait longer, or reverse or close the payment first.
//
// Give ctx the deadline you are prepared to wait (up to a QR code's expiry,
// say); without one the wait is bounded by the client's call timeout
// (WithTimeout). When the query lists several transactions for the number,
// the payment is taken, not a refund.
func (c *Client) WaitForPayment(ctx context.Context, outTradeNo string) (*Transaction, error) {
	if err := validateOutTradeNo(outTradeNo); err != nil {
		return nil, err
	}
	req := &QueryRequest{OutTradeNos: []string{outTradeNo}}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	var last *Transaction
	var lastErr error
	for poll := 1; ; poll++ {
		resp, err := c.Query(ctx, req)
		if err == nil || ctx.Err() == nil {
			// A query cut short by ctx says nothing new about the gateway.
			lastErr = err
		}
		switch {
		case err == nil:
			if tx := paymentOf(resp.Transactions, outTradeNo); tx != nil {
				switch {
				case tx.Paid():
					return tx, nil
				case tx.Pending() || tx.RespCode == "":
					last = tx
				default:
					return tx, &APIError{Code: tx.RespCode, Message: tx.ErrMsg, HTTPStatus: http.StatusOK, Path: epQuery.path}
				}
			}
		case !waitable(err):
			return nil, err
		}
		wait := jitter(c.poll.MinInterval, c.poll.MaxInterval, poll)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			// The gateway said when to ask again (429, 503): not sooner.
			wait = apiErr.RetryAfter
		}
		if err := pollSleep(ctx, wait); err != nil {
			return last, waitError(outTradeNo, last, lastErr, err)
		}
	}
}

// pollSleep waits d between two of WaitForPayment's queries, or until ctx
// ends; tests replace it to see the waits.
var pollSleep = sleep

// paymentOf picks the payment with number outTradeNo from a query answer,
// leaving refunds (and transactions of other numbers) aside.
func paymentOf(txs []Transaction, outTradeNo string) *Transaction {
	for i := range txs {
		tx := &txs[i]
		if tx.IsRefund() || (tx.OutTradeNo != "" && tx.OutTradeNo != outTradeNo) {
			continue
		}
		return tx
	}
	return nil
}

// waitable tells whether a query error may go away by waiting: a
// connection error, an HTTP 5xx or 429, a pending code on the query itself.
func waitable(err error) bool {
	if errors.Is(err, ErrInvalidRequest) || errors.Is(err, ErrMalformedResponse) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Code == "" {
			return apiErr.HTTPStatus == http.StatusTooManyRequests || apiErr.HTTPStatus >= 500
		}
		return apiErr.Pending()
	}
	// Anything else failed to get an answer at all.
	return true
}

// waitError is WaitForPayment's error when ctx ended before the outcome
// was known.
func waitError(outTradeNo string, last *Transaction, lastErr, ctxErr error) error {
	prefix := "qfpay: waiting for payment out_trade_no " + strconv.Quote(outTradeNo)
	const advice = "do not pay again under a new number; query it later or reverse it"
	switch {
	case last != nil:
		return fmt.Errorf("%s: still pending (respcd %q), outcome unknown: %s: %w: %w", prefix, last.RespCode, advice, ctxErr, ErrPending)
	case lastErr != nil:
		return fmt.Errorf("%s: outcome unknown (last query failed: %v): %s: %w: %w", prefix, lastErr, advice, ctxErr, ErrOutcomeUnknown)
	default:
		return fmt.Errorf("%s: not listed yet, outcome unknown: %s: %w: %w", prefix, advice, ctxErr, ErrOutcomeUnknown)
	}
}
