package qfpay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors for conditions a caller branches on with errors.Is.
var (
	// ErrPending matches the return codes whose text says the outcome is
	// not known yet: 1143 (the customer is entering the password), 1145
	// (processing), 1295 and 1296 (the connection is slow, waiting for a
	// network response) and 1298 (slow network: do not pay again, confirm
	// later). Settle it with WaitForPayment (WaitForRefund for a refund);
	// never pay again with a new out_trade_no. A call that returns
	// ErrPending also returns its decoded response, so the caller holds
	// SysSN.
	ErrPending = errors.New("qfpay: outcome pending: settle it by query, do not pay again")

	// ErrDuplicate matches the return codes 1102 (duplicate request) and
	// 2011 (out_trade_no used before): the gateway already holds a
	// transaction under this out_trade_no. On a re-send it means the first
	// send arrived: settle it with WaitForPayment or WaitForRefund and
	// check its amount. It is never a decline, and never a reason to pay
	// again under a new number.
	ErrDuplicate = errors.New("qfpay: out_trade_no already at the gateway: settle it by query")

	// ErrPaymentFailed matches WaitForPayment's error when the gateway
	// lists the payment with a final failure code: the only proof that
	// paying again, under a new out_trade_no, is safe. The listed
	// transaction is returned with it, and errors.As gives an *APIError
	// with its code.
	ErrPaymentFailed = errors.New("qfpay: payment failed: the gateway lists it as failed")

	// ErrRefundFailed matches WaitForRefund's error when the gateway lists
	// the refund with a final failure code: refunding again, under a new
	// out_trade_no, is then safe. The listed refund is returned with it.
	ErrRefundFailed = errors.New("qfpay: refund failed: the gateway lists it as failed")

	// ErrRateLimited matches an HTTP 429 answer: the merchant sent more than
	// the gateway's limits (100 requests a second, 400 a minute). The
	// request was refused, not executed. APIError.RetryAfter says when to
	// try again if the gateway said so.
	ErrRateLimited = errors.New("qfpay: rate limited by the gateway (HTTP 429)")

	// ErrOutcomeUnknown matches a failure after a payment, refund, reversal,
	// close or deduction may have reached the gateway (a timeout, a
	// connection lost after the request was written, an HTTP error page,
	// an unreadable answer): money may have moved. errors.As gives
	// *OutcomeUnknownError with the OutTradeNo. Settle it with
	// WaitForPayment or WaitForRefund by the same out_trade_no; never send
	// the payment again under a new number (re-sending the same request,
	// same out_trade_no, is always safe).
	//
	// WaitForPayment and WaitForRefund return it too (as *UnsettledError)
	// when their context ends before the gateway lists a final state.
	ErrOutcomeUnknown = errors.New("qfpay: outcome unknown: query by out_trade_no before doing anything else")

	// ErrInvalidRequest matches a request refused before anything was sent:
	// a required field missing, an amount not above zero, a value out of
	// range. Nothing reached the gateway.
	ErrInvalidRequest = errors.New("qfpay: invalid request")

	// ErrMalformedResponse matches an answer that could not be read as the
	// API's JSON: an empty or non-JSON body, a missing respcd, a field of
	// the wrong type.
	ErrMalformedResponse = errors.New("qfpay: malformed response")

	// ErrInvalidSignature matches a notification whose X-QF-SIGN does not
	// match the body and the client key.
	ErrInvalidSignature = errors.New("qfpay: invalid notification signature")
)

// Return codes with a meaning of their own.
const (
	CodeSuccess         = "0000" // the call succeeded
	CodePasswordPending = "1143" // the customer is entering the wallet password
	CodeProcessing      = "1145" // please wait while processing
	CodeSlowNetwork     = "1298" // slow network: do not pay again, confirm later
	CodeSlowConnection  = "1295" // the connection is slow, waiting for a network response
	CodeSlowConnection2 = "1296" // the same, "try again later or use other payment methods"
	CodeSignatureError  = "1108" // the signature did not match
	CodeDuplicate       = "1102" // duplicate request
	CodeSerialRepeated  = "2011" // out_trade_no used before
)

// APIError is the gateway's answer to a call that did not succeed: a
// respcd other than 0000, or an HTTP answer that is not a usable response.
// It is made in one place, the client's request path, for every call.
type APIError struct {
	// Code is the respcd return code ("1272"); empty when the answer had
	// none (an HTTP error page, say).
	Code string
	// Message is the gateway's resperr text.
	Message string
	// Detail is the gateway's respmsg text.
	Detail string
	// HTTPStatus is the HTTP status of the answer.
	HTTPStatus int
	// Path is the API path called ("/trade/v1/refund").
	Path string
	// OutTradeNo is the out_trade_no the request sent (the payment's, or a
	// refund's or deduction's own number; a query's comma-joined list), so
	// that the error can be joined to the order; empty for a call sent
	// without one. For WaitForPayment's and WaitForRefund's listed
	// failure, the number waited for.
	OutTradeNo string
	// SysSN is the syssn the request sent (the payment a refund or
	// reversal refers to, the freeze of a deduction); for WaitForPayment's
	// and WaitForRefund's listed failure, the failed transaction's; empty
	// otherwise.
	SysSN string
	// RetryAfter is the wait the gateway asked for with a Retry-After header
	// (HTTP 429 or 503), zero when it named none.
	RetryAfter time.Duration
}

// Error describes the failure with the code, the spec's description of the
// code and the gateway's own messages.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("qfpay: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	switch {
	case e.Code != "":
		b.WriteString("respcd ")
		b.WriteString(e.Code)
		if d := e.Description(); d != "" {
			b.WriteString(" (")
			b.WriteString(d)
			b.WriteString(")")
		}
	default:
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
	}
	// A gateway message that only repeats the description ("Please wait
	// while processing (1145)") is not said twice.
	if e.Message != "" && (e.Description() == "" || !strings.Contains(e.Message, e.Description())) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Detail != "" && e.Detail != e.Message {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Description is the API documentation's description of Code ("The refund
// amount is greater than the maximum amount that can be refunded for the
// original transaction" for 1272), or "" for a code it does not list.
func (e *APIError) Description() string { return CodeDescription(e.Code) }

// Pending reports whether the code says the outcome is not known yet
// (1143, 1145, 1295, 1296, 1298).
func (e *APIError) Pending() bool { return isPendingCode(e.Code) }

// Duplicate reports whether the code says the gateway already holds a
// transaction under the out_trade_no sent (1102, 2011).
func (e *APIError) Duplicate() bool { return e.Code == CodeDuplicate || e.Code == CodeSerialRepeated }

// Declined reports whether the gateway refused the request outright: an
// HTTP 2xx answer with a return code that is neither success, pending
// (ErrPending) nor duplicate (ErrDuplicate). An HTTP error page carries no
// decision (it has no code, or may not come from the gateway) and is not a
// decline.
//
// On the first send of an out_trade_no, a declined payment or refund moved
// no money: paying again under a new number is safe. A decline of a
// re-send proves nothing about the first send (a payment code used twice
// is declined the second time even though the first charged it): settle
// that with WaitForPayment or WaitForRefund.
func (e *APIError) Declined() bool {
	return e.Code != "" && e.Code != CodeSuccess && !e.Pending() && !e.Duplicate() &&
		e.HTTPStatus >= 200 && e.HTTPStatus <= 299
}

// Is lets errors.Is match ErrPending for the pending codes, ErrDuplicate
// for 1102/2011 and ErrRateLimited for HTTP 429.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrPending:
		return e.Pending()
	case ErrDuplicate:
		return e.Duplicate()
	case ErrRateLimited:
		return e.HTTPStatus == 429
	}
	return false
}

// isPendingCode tells whether a return code says the outcome is not known
// yet: the codes whose description says to wait, query or confirm later.
// No other code is ever taken for "still in progress".
func isPendingCode(code string) bool {
	switch code {
	case CodePasswordPending, CodeProcessing, CodeSlowConnection, CodeSlowConnection2, CodeSlowNetwork:
		return true
	}
	return false
}

// CodeDescription returns the API documentation's description of a return
// code (section "Transaction Status Codes"), or "" for a code it does not
// list.
func CodeDescription(code string) string { return codeDescriptions[code] }

// OutcomeUnknownError is the error of a payment, refund, reversal, close or
// deduction whose outcome cannot be known from the answer: the request may
// have reached the gateway. It matches ErrOutcomeUnknown and unwraps to the
// underlying failure. Settle it by querying OutTradeNo (WaitForPayment or
// Query); do not send the money movement again under a new number.
type OutcomeUnknownError struct {
	// Path is the API path called.
	Path string
	// OutTradeNo is the merchant's number of the request, the key to query
	// it by. It may be empty for calls made by SysSN only.
	OutTradeNo string
	// SysSN is the transaction number the request referred to, if any.
	SysSN string
	// Err is what went wrong.
	Err error
}

// Error says that the outcome is unknown, how to settle it and why.
func (e *OutcomeUnknownError) Error() string {
	ref := ""
	switch {
	case e.OutTradeNo != "":
		ref = " for out_trade_no " + strconv.Quote(e.OutTradeNo)
	case e.SysSN != "":
		ref = " for syssn " + strconv.Quote(e.SysSN)
	}
	return fmt.Sprintf("qfpay: %s: outcome unknown%s: query it before doing anything else: %v", e.Path, ref, e.Err)
}

// Unwrap returns the underlying failure.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// ValidationError is the error of a request refused before anything was
// sent: a required field missing, a value longer than the API's parameter
// table allows, a value the API does not accept. It matches
// ErrInvalidRequest with errors.Is; errors.As gives the parameter at fault.
// Nothing reached the gateway: correct the request and send it again.
type ValidationError struct {
	// Field is the wire name of the parameter at fault ("txamt",
	// "txcurrcd", "mchid", ...), or "" for a problem with the request as a
	// whole, such as a nil request.
	Field string
	// Reason says what is wrong and what the API accepts.
	Reason string
}

// Error reads "qfpay: invalid request: <field>: <reason>".
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "qfpay: invalid request: " + e.Reason
	}
	return "qfpay: invalid request: " + e.Field + ": " + e.Reason
}

// Is lets errors.Is match ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }
