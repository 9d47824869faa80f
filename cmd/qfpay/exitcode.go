package main

import (
	"errors"

	"github.com/qfpay-go/qfpay"
)

// Exit codes of the qfpay command, for scripts (see exitCodesHelp).
const (
	exitOK          = 0   // success
	exitError       = 1   // network, API refusal, an aborted confirmation, anything else
	exitUsage       = 2   // bad input or usage: nothing was sent
	exitDeclined    = 3   // declined, or listed as failed
	exitUnknown     = 4   // outcome unknown: settle it (the message says how)
	exitBadSign     = 5   // the signature does not verify
	exitInterrupted = 130 // interrupted (SIGINT, SIGTERM)
)

// exitCodesHelp is the table of exit codes in qfpay --help.
const exitCodesHelp = `Exit codes:
  0    success
  1    error: network, an API refusal, a confirmation not given, anything else
  2    bad input or usage, found before anything was sent
  3    declined, or listed as failed (a payment, refund or cancel)
  4    outcome unknown: money may have moved; the message says what to run to settle it
  5    the signature does not verify (verify-notification)
  130  interrupted`

// usageError is bad input found by the command itself or by cobra (an
// unknown flag, a missing argument, a missing setting): nothing was sent.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: errorf(format, args...)}
}

// interruptedError is the error of a command whose context ended because
// the process was interrupted.
type interruptedError struct{ err error }

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// exitCodeError ends a command with a given code; its message, when not
// empty, is printed like any error.
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

// moneyPaths are the API paths that move money: a refusal of one of them
// is a decline (exit 3); a refusal of a query or a bill is an API error
// (exit 1).
var moneyPaths = map[string]bool{
	"/trade/v1/payment":  true,
	"/trade/v1/refund":   true,
	"/trade/v1/reversal": true,
	"/trade/v1/close":    true,
}

// exitCode maps the error a command returned to the process's exit code.
// The order matters: an invalid number given to WaitForPayment matches
// both ErrInvalidRequest and ErrOutcomeUnknown, and nothing was sent.
func exitCode(err error) int {
	var (
		coded     *exitCodeError
		usage     *usageError
		invalid   *qfpay.ValidationError
		interrupt *interruptedError
		apiErr    *qfpay.APIError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &coded):
		return coded.code
	case errors.As(err, &interrupt):
		return exitInterrupted
	case errors.As(err, &usage), errors.As(err, &invalid), errors.Is(err, qfpay.ErrInvalidRequest):
		return exitUsage
	case errors.Is(err, qfpay.ErrInvalidSignature):
		return exitBadSign
	case errors.Is(err, qfpay.ErrOutcomeUnknown):
		return exitUnknown
	case errors.Is(err, qfpay.ErrPaymentFailed), errors.Is(err, qfpay.ErrRefundFailed), errors.Is(err, errCancelFailed):
		return exitDeclined
	case errors.As(err, &apiErr) && apiErr.Declined() && moneyPaths[apiErr.Path]:
		return exitDeclined
	}
	return exitError
}
