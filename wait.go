package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WaitForPayment settles the outcome of the payment with the merchant's
// number outTradeNo (API sections "Transaction Enquiry" and "Payment
// Status"): it queries the payment by out_trade_no until the gateway lists
// it in a final state, waiting between queries a random time up to the
// client's poll interval, doubled at each query and capped
// (WithPollInterval; DefaultPollPolicy by default). Use it after a Payment
// that answered anything but success or a first-send decline (ErrPending,
// ErrOutcomeUnknown, ErrDuplicate, an HTTP error page), or to wait for a
// customer to pay a QR code.
//
// It returns exactly one of three outcomes:
//   - (tx, nil): the gateway lists the payment as succeeded (respcd 0000;
//     check Cancel to learn whether it was reversed or refunded since, and
//     tx.Amount and tx.Currency against the order);
//   - (tx, err) with errors.Is(err, ErrPaymentFailed): the gateway lists the
//     payment with a final failure code (errors.As gives an *APIError with
//     it). This is the only proof that paying again, under a new
//     out_trade_no, is safe;
//   - (nil, err) with errors.Is(err, ErrOutcomeUnknown), for everything
//     else: ctx ended (err also wraps ctx.Err()) while the payment was
//     pending, not listed, or the queries failed. errors.As gives an
//     *UnsettledError saying what was last seen. Nothing is proven: do not
//     pay again under a new number. Wait again later, or re-send the same
//     payment request under the same out_trade_no (always safe: the gateway
//     refuses a second transaction under one number).
//
// A query that is refused (a respcd such as 1100), garbled, cut short,
// answered by a proxy's page, rate-limited (honouring Retry-After) or timed
// out never ends the wait early and is never reported as a failure of the
// payment: the wait goes on until a listed final state or the end of ctx.
// Pending codes (1143, 1145, 1295, 1296, 1298) and a listing without respcd
// are waited out too.
//
// Give ctx the deadline you are prepared to wait (up to a QR code's expiry,
// say); without one the wait is bounded by the client's call timeout
// (WithTimeout). When the query lists several transactions for the number,
// the payment is taken, not a refund. An invalid outTradeNo sends nothing
// and matches both ErrInvalidRequest and ErrOutcomeUnknown.
func (c *Client) WaitForPayment(ctx context.Context, outTradeNo string) (*Transaction, error) {
	return c.settle(ctx, &settlePayment, outTradeNo)
}

// WaitForRefund settles the outcome of the refund whose own number (the
// RefundRequest's OutTradeNo, not the payment's) is outTradeNo, by query
// (API sections "Refunds" and "Transaction Enquiry"), as WaitForPayment does
// for payments. Use it after a Refund that answered anything but success
// or a first-send decline.
//
// It returns exactly one of three outcomes: (tx, nil) when the gateway
// lists the refund as succeeded; (tx, err) with errors.Is(err,
// ErrRefundFailed) when it lists the refund with a final failure code, the
// only proof that refunding again under a new number is safe; or (nil, err)
// with errors.Is(err, ErrOutcomeUnknown) (and ctx's error) when ctx ended
// first. Then do not refund again under a new number: wait again later, or
// re-send the same refund request under the same out_trade_no. Failed
// queries never end the wait early, as for WaitForPayment.
func (c *Client) WaitForRefund(ctx context.Context, outTradeNo string) (*Transaction, error) {
	return c.settle(ctx, &settleRefund, outTradeNo)
}

// settlement is what differs between settling a payment and a refund.
type settlement struct {
	// what names the transaction in errors: "payment" or "refund".
	what string
	// failed is the sentinel of a listed failure.
	failed error
	// refund picks refunds from the query's answer; else payments.
	refund bool
}

var (
	settlePayment = settlement{what: "payment", failed: ErrPaymentFailed}
	settleRefund  = settlement{what: "refund", failed: ErrRefundFailed, refund: true}
)

// settle polls the query endpoint until the transaction outTradeNo is
// listed in a final state or ctx ends.
func (c *Client) settle(ctx context.Context, k *settlement, outTradeNo string) (*Transaction, error) {
	req := &QueryRequest{OutTradeNos: []string{outTradeNo}}
	if err := validateOutTradeNo(outTradeNo); err != nil {
		return nil, &UnsettledError{Kind: k.what, OutTradeNo: outTradeNo, Err: err}
	}
	if err := req.validate(); err != nil {
		return nil, &UnsettledError{Kind: k.what, OutTradeNo: outTradeNo, Err: err}
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	state := &UnsettledError{Kind: k.what, OutTradeNo: outTradeNo}
	for poll := 1; ; poll++ {
		tx, other, err := c.find(ctx, k, req)
		switch {
		case err == nil:
			state.LastErr = nil
			state.OtherKind = state.OtherKind || other
			if tx != nil {
				switch {
				case tx.Paid():
					return tx, nil
				case tx.Failed():
					return tx, fmt.Errorf("qfpay: %s out_trade_no %s is listed as failed: %w: %w", k.what,
						strconv.Quote(outTradeNo), k.failed,
						&APIError{Code: tx.RespCode, Message: tx.ErrMsg, HTTPStatus: http.StatusOK, Path: epQuery.path,
							OutTradeNo: outTradeNo, SysSN: tx.SysSN})
				}
				state.Last = tx
			}
		case ctx.Err() == nil:
			// A query cut short by ctx itself says nothing new about the
			// gateway; any other failure is kept for the final error.
			state.LastErr = err
		}
		wait := jitter(c.poll.MinInterval, c.poll.MaxInterval, poll)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			// The gateway said when to ask again (429, 503): not sooner.
			wait = apiErr.RetryAfter
		}
		if err := pollSleep(ctx, wait); err != nil {
			state.Err = err
			return nil, state
		}
	}
}

// find looks for the transaction of one settle poll: in the current
// calendar month and, when it is not listed there, in the month before.
// QF Pay's current documentation (transaction enquiry, fixed 2025-05-09)
// ignores start_time/end_time only for a search by syssn: a search by
// out_trade_no is limited to one calendar month, the current one by
// default, so a payment made just before a month ended would never be found
// after it. Both windows are sent explicitly, in the client's zone (with
// txzone when it is not UTC+8), so that the gateway's default month and the
// client's cannot differ. A transaction older than the month before is out
// of a wait's reach: Query it with its own Start and End.
func (c *Client) find(ctx context.Context, k *settlement, req *QueryRequest) (tx *Transaction, other bool, err error) {
	now := c.now().In(c.loc)
	this := monthStart(now)
	for _, window := range [2][2]time.Time{
		{this, this.AddDate(0, 1, 0).Add(-time.Second)},
		{this.AddDate(0, -1, 0), this.Add(-time.Second)},
	} {
		q := *req
		q.Start, q.End = window[0], window[1]
		resp, err := c.pollQuery(ctx, &q)
		if err != nil {
			return nil, other, err
		}
		t, o := k.pick(resp.Transactions, req.OutTradeNos[0])
		other = other || o
		if t != nil {
			return t, other, nil
		}
	}
	return nil, other, nil
}

// pollQuery runs one query of a wait, bounded by the client's call timeout
// (WithTimeout) even when the wait's ctx allows longer: a query that hangs
// costs one call's time, not the whole wait.
func (c *Client) pollQuery(ctx context.Context, req *QueryRequest) (*QueryResponse, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	return c.Query(ctx, req)
}

// pollSleep waits d between two of WaitForPayment's queries, or until ctx
// ends; tests replace it to see the waits.
var pollSleep = sleep

// pick finds the transaction to settle in a query answer: the payment (or
// refund) with number outTradeNo, leaving the other kind and other numbers
// aside. other tells whether a transaction of the other kind was listed
// under the number.
func (k *settlement) pick(txs []Transaction, outTradeNo string) (tx *Transaction, other bool) {
	for i := range txs {
		t := &txs[i]
		if t.OutTradeNo != "" && t.OutTradeNo != outTradeNo {
			continue
		}
		if t.IsRefund() != k.refund {
			other = true
			continue
		}
		if tx == nil {
			tx = t
		}
	}
	return tx, other
}

// UnsettledError is the error of WaitForPayment and WaitForRefund when the
// outcome is still unknown: ctx ended before the gateway listed the
// transaction in a final state (or the number was invalid). It matches
// ErrOutcomeUnknown and unwraps to ctx's error. Nothing is proven: do not
// pay (or refund) again under a new number; wait again later or re-send the
// same request under the same out_trade_no.
type UnsettledError struct {
	// Kind is "payment" or "refund".
	Kind string
	// OutTradeNo is the number waited for.
	OutTradeNo string
	// Last is the last listing of the transaction seen, still pending; nil
	// when the gateway never listed it.
	Last *Transaction
	// LastErr is the failure of the last query, when the last query failed
	// (it is not unwrapped: the wait's outcome is unknown, whatever the
	// query's failure was).
	LastErr error
	// OtherKind tells that a transaction of the other kind (a payment when
	// waiting for a refund, or the reverse) was listed under OutTradeNo:
	// the number may have been passed to the wrong call.
	OtherKind bool
	// Err is why the wait ended: ctx's error, or the validation error of
	// an invalid OutTradeNo.
	Err error
}

// Error says that the outcome is unknown, what was last seen and what to
// do.
func (e *UnsettledError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "qfpay: waiting for %s out_trade_no %s: outcome unknown", e.Kind, strconv.Quote(e.OutTradeNo))
	switch {
	case e.Last != nil:
		fmt.Fprintf(&b, ": still pending (respcd %q, syssn %s)", e.Last.RespCode, e.Last.SysSN)
	case e.LastErr != nil:
		fmt.Fprintf(&b, ": not listed; the last query failed: %v", e.LastErr)
	default:
		b.WriteString(": not listed yet")
	}
	if e.OtherKind {
		other := "refund"
		if e.Kind == "refund" {
			other = "payment"
		}
		fmt.Fprintf(&b, " (a %s is listed under this number: is it the right one?)", other)
	}
	fmt.Fprintf(&b, ": do not %s again under a new number; wait again later, or re-send the same request under the same out_trade_no", strings.TrimSuffix(e.Kind, "ment"))
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns why the wait ended (ctx's error).
func (e *UnsettledError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *UnsettledError) Is(target error) bool { return target == ErrOutcomeUnknown }
