package qfpay

import (
	"fmt"
	"net/url"
	"unicode/utf8"
)

// The checks every call file's validate method shares. Each refuses a value
// with a *ValidationError naming the parameter's wire name, before anything
// is sent. Lengths are counted in characters (Unicode code points), as the
// API's parameter tables give them (String(n)).

// Lengths of the API's parameter tables (String(n)), in characters.
const (
	maxOutTradeNo = 128 // out_trade_no
	maxURL        = 512 // return_url, redirect_uri, redirect_url
)

// invalidField makes the *ValidationError of the parameter whose wire name
// is field.
func invalidField(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// invalid makes the *ValidationError of a problem with the request as a
// whole (a nil request, say), which no single parameter carries.
func invalid(format string, args ...any) error {
	return invalidField("", format, args...)
}

// validateAmount checks a txamt: above zero.
func validateAmount(amount int64) error {
	if amount <= 0 {
		return invalidField("txamt", "Amount must be above zero (minor units), got %d", amount)
	}
	return nil
}

// validateOutTradeNo checks a required out_trade_no.
func validateOutTradeNo(no string) error {
	if no == "" {
		return invalidField("out_trade_no", "OutTradeNo is required")
	}
	return checkLength("out_trade_no", "OutTradeNo", no, maxOutTradeNo)
}

// checkLength refuses a value of more than max characters.
func checkLength(field, name, value string, max int) error {
	if n := utf8.RuneCountInString(value); n > max {
		return invalidField(field, "%s has %d characters, at most %d", name, n, max)
	}
	return nil
}

// validateAbsoluteURL checks that s, a required URL the customer's browser
// is sent to (or the SDK sends requests to), is an absolute http or https
// URL: javascript:, data:, relative and scheme-less URLs are refused.
func validateAbsoluteURL(field, name, s string) error {
	if s == "" {
		return invalidField(field, "%s is required", name)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidField(field, "%s %q must be an absolute http(s) URL", name, s)
	}
	return nil
}
