package qfpay

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qfpay-go/qfpay/internal/loopback"
)

// The checks every call file's validate method shares. Each refuses a value
// with a *ValidationError naming the parameter's wire name, before anything
// is sent. Lengths are counted in characters (Unicode code points), as the
// API's parameter tables give them (String(n)).

// MaxAmount is the largest txamt the API takes: its parameter tables type
// txamt Int(11), eleven digits of minor units.
const MaxAmount = 99_999_999_999

// Lengths of the API's parameter tables (String(n)), in characters.
const (
	maxOutTradeNo = 128 // out_trade_no
	maxMerchantID = 16  // mchid
	maxDeviceID   = 40  // udid
	maxAuthCode   = 128 // auth_code
	maxOpenID     = 64  // openid (the Alipay user_id)
	maxSubOpenID  = 128 // sub_openid (the WeChat openid)
	maxGoodsName  = 64  // goods_name
	maxSysSN      = 128 // syssn of a refund or query
	maxURL        = 512 // return_url, redirect_uri, redirect_url
	// maxNotifyURL is notify_url's String(256) (current documentation),
	// which the checkout page also gives its return_url, failed_url and
	// cancel_url.
	maxNotifyURL = 256
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

// validateAmount checks a txamt: above zero and at most eleven digits.
func validateAmount(amount int64) error {
	if amount <= 0 {
		return invalidField("txamt", "Amount must be above zero (minor units), got %d", amount)
	}
	if amount > MaxAmount {
		return invalidField("txamt", "Amount %d has more than the 11 digits the API takes (Int(11), at most %d)", amount, int64(MaxAmount))
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

// validateCurrency checks a required currency code (txcurrcd, or currency
// on the WeChat checkout page): exactly three upper-case letters, as the
// API's String(3) and its currency table write them. A lower-case code is
// refused rather than corrected, so that what is signed is what the caller
// wrote.
func validateCurrency(field string, c Currency) error {
	if c == "" {
		return invalidField(field, "Currency is required")
	}
	ok := len(c) == 3
	for i := 0; ok && i < len(c); i++ {
		ok = 'A' <= c[i] && c[i] <= 'Z'
	}
	if !ok {
		return invalidField(field, "Currency %q must be three upper-case letters, such as HKD", string(c))
	}
	return nil
}

// validateTimeZone checks an optional txzone: "+HHMM" or "-HHMM" (String(5)),
// at most 14 hours and 59 minutes. "+08:00" and "+8" are refused.
func validateTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	ok := len(tz) == 5 && (tz[0] == '+' || tz[0] == '-')
	for i := 1; ok && i < 5; i++ {
		ok = '0' <= tz[i] && tz[i] <= '9'
	}
	if !ok {
		return invalidField("txzone", "TimeZone %q must be +HHMM or -HHMM, such as +0800", tz)
	}
	if h, m := (tz[1]-'0')*10+tz[2]-'0', (tz[3]-'0')*10+tz[4]-'0'; h > 14 || m > 59 {
		return invalidField("txzone", "TimeZone %q is not a zone offset (at most 14 hours, 59 minutes)", tz)
	}
	return nil
}

// validateMerchantFields checks the optional mchid, udid and txzone most
// calls take.
func validateMerchantFields(mchid, udid, txzone string) error {
	if err := checkLength("mchid", "MerchantID", mchid, maxMerchantID); err != nil {
		return err
	}
	if err := checkLength("udid", "DeviceID", udid, maxDeviceID); err != nil {
		return err
	}
	return validateTimeZone(txzone)
}

// validateGoodsName checks an optional goods_name as far as the API's rules
// can be checked: at most 64 characters, valid UTF-8 (the API asks for
// UTF-8) and no control characters. The table's "cannot exceed 20
// alphanumeric or contain special characters" is not enforced: it
// contradicts the String(64) type and the Chinese names the same row allows,
// and names no set of special characters.
func validateGoodsName(field, name string) error {
	if !utf8.ValidString(name) {
		return invalidField(field, "GoodsName is not valid UTF-8")
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		return invalidField(field, "GoodsName holds a control character at byte %d", i)
	}
	return checkLength(field, "GoodsName", name, maxGoodsName)
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
		return invalidField(field, "%s %q must be an absolute http(s) URL", name, redactURL(s))
	}
	return nil
}

// validateSecureURL checks that s, a required URL, is an absolute https://
// URL, or http:// for a loopback host (a local test server such as
// qfpaytest): the rule of the base URL (see WithBaseURL), for the URLs of a
// checkout, which pass through the customer's browser.
func validateSecureURL(field, name, s string) error {
	if err := validateAbsoluteURL(field, name, s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
		return invalidField(field, "%s %q must be https:// (http:// only for a loopback host, for tests)", name, redactURL(s))
	}
	return nil
}

// validateNotifyURL checks an optional notify_url, the per-order address of
// the asynchronous notification (current documentation, "Public payment
// request parameters" and "Asynchronous notification"): at most 256
// characters, https:// on the default port, as the gateway notifies on
// ports 80 and 443 only and a notification carries the order's data; or
// http:// with any port for a loopback host, for a local test server. An
// https:// URL on another port would never be notified and is refused.
func validateNotifyURL(s string) error {
	if s == "" {
		return nil
	}
	if err := validateSecureURL("notify_url", "NotifyURL", s); err != nil {
		return err
	}
	if u, _ := url.Parse(s); u.Scheme == "https" && u.Port() != "" && u.Port() != "443" {
		return invalidField("notify_url", "NotifyURL %q: the gateway notifies on ports 80 and 443 only, not %s", redactURL(s), u.Port())
	}
	return checkLength("notify_url", "NotifyURL", s, maxNotifyURL)
}

// redactURL is raw with its userinfo (user:password@) replaced, for error
// messages, logs and printed clients.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return "(an unreadable URL, not shown as it may hold a password)"
		}
		return raw
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	return u.String()
}

// validateTarget checks the syssn or out_trade_no naming the transaction a
// reversal, close, unfreeze or deduction applies to.
func validateTarget(sysSN, outTradeNo string) error {
	if sysSN == "" && outTradeNo == "" {
		return invalidField("syssn", "SysSN or OutTradeNo (the transaction to act on) is required")
	}
	if err := checkLength("syssn", "SysSN", sysSN, maxSysSN); err != nil {
		return err
	}
	if outTradeNo != "" {
		return validateOutTradeNo(outTradeNo)
	}
	return nil
}

// validateText refuses a value that is not valid UTF-8 or holds a control
// character: nothing a free-text field (a name, a customer's or product's text, a
// field of extend_info) can be. Its value stays out of the error.
func validateText(field, name, s string) error {
	if !utf8.ValidString(s) {
		return invalidField(field, "%s is not valid UTF-8", name)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return invalidField(field, "%s holds a control character at byte %d", name, i)
	}
	return nil
}
