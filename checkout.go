package qfpay

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CheckoutLang is lang, the language of the hosted checkout page.
type CheckoutLang string

// The languages of the hosted checkout page. Without one the page follows
// the browser's language.
const (
	CheckoutLangEnglish            CheckoutLang = "en"    // English
	CheckoutLangTraditionalChinese CheckoutLang = "zh-hk" // traditional Chinese (Hong Kong)
	CheckoutLangSimplifiedChinese  CheckoutLang = "zh-cn" // simplified Chinese
)

// PaySourceRemotePay is the paysource of the documentation's checkout
// sample. QF Pay's rule is only that a checkout's paysource ends in
// "_checkout".
const PaySourceRemotePay = "remotepay_checkout"

// checkoutPaySourceSuffix ends every checkout paysource.
const checkoutPaySourceSuffix = "_checkout"

// checkoutPath is where the checkout page lives on an API host; the signed
// parameters follow it directly, in the URL's fragment.
const checkoutPath = "/checkstand/#/?"

// checkoutLowerHex says the checkout signature is written in lower-case
// hex, unlike the request signature (upper-case, see Sign). The only
// precise statement of the checkout signature, QF Pay's boilerplate page,
// hashes with a JavaScript library that returns lower-case hex and sends
// it as is; the documentation does not say whether the page compares
// without regard to case (open question 9 of the current documentation's
// digest). This constant is the one place the choice is made.
const checkoutLowerHex = true

// CheckoutRequest is one order to pay on QF Pay's hosted checkout page
// (current documentation, section "Hosted checkout page"; not in the API
// documentation): a QF Pay page listing the wallets and cards (with 3-D
// Secure and Apple Pay) activated for the merchant, so that nothing of the
// payment runs in the merchant's own page. Client.CheckoutURL checks it
// against the documentation's table and refuses a value that breaks it
// with a *ValidationError naming the parameter.
type CheckoutRequest struct {
	// Amount is txamt in minor units (required, above 0, at most
	// MaxAmount; QF Pay advises more than 200 to pass its risk control).
	Amount int64 `url:"txamt"`
	// Currency is txcurrcd (required): three upper-case letters.
	Currency Currency `url:"txcurrcd"`
	// OutTradeNo is the merchant's number of the order, unique per
	// checkout (required, at most 128 characters): the key to confirm the
	// payment with WaitForPayment or Query. A checkout that failed or was
	// left needs a new number.
	OutTradeNo string `url:"out_trade_no"`
	// TxTime is txdtm, the order time; zero means now. Written in UTC+8,
	// the API's zone (the page takes no txzone).
	TxTime time.Time `url:"txdtm,omitempty"`
	// ReturnURL is return_url, where the shopper's browser goes after
	// paying (required). It, FailedURL and CancelURL are each an https://
	// URL (http:// only for a loopback host, for tests) of at most 256
	// characters. No parameter is added to them and a visit proves
	// nothing: confirm the payment by its notification or by query.
	ReturnURL string `url:"return_url"`
	// FailedURL is failed_url, where the browser goes after a failure or
	// once PageExpiresAt has passed (required).
	FailedURL string `url:"failed_url"`
	// CancelURL is cancel_url, the target of the page's "back to the
	// shop" button (optional).
	CancelURL string `url:"cancel_url,omitempty"`
	// NotifyURL is notify_url, where the gateway posts the order's
	// payment notification (required; see PaymentRequest.NotifyURL for
	// its rules).
	NotifyURL string `url:"notify_url"`
	// PaySource is paysource (required): it must end in "_checkout", such
	// as PaySourceRemotePay. The documentation's String(12) is not
	// checked: its own example has 18 characters.
	PaySource string `url:"paysource"`
	// GoodsName is goods_name, shown on the page (at most 64 characters,
	// valid UTF-8, no control characters; QF Pay advises at most 20
	// letters or Chinese characters and no special characters). Leave it
	// empty for the merchant's name to appear on the clearing file.
	GoodsName string `url:"goods_name,omitempty"`
	// Lang is lang, the page's language; empty follows the browser. It is
	// sent but, as the documentation requires, not signed.
	Lang CheckoutLang `url:"lang,omitempty"`
	// MerchantID is mchntid (note: not mchid), the merchant of an agent (at
	// most 16 characters); empty means the client's WithMerchantID value.
	MerchantID string `url:"mchntid,omitempty"`
	// DeviceID is udid (at most 40 characters).
	DeviceID string `url:"udid,omitempty"`
	// ExpireMinutes is expired_time, how long a wallet's QR code on the
	// page stays payable, 5 to 120 minutes (0: the gateway's default);
	// honoured by WeChat Pay, Alipay and AlipayHK only.
	ExpireMinutes int `url:"expired_time,omitempty"`
	// PageExpiresAt is checkout_expired_time, when the page gives up and
	// sends the shopper to FailedURL, sent as epoch milliseconds (the
	// documentation's example; its String(3) type is a misprint). Zero:
	// the page does not expire by itself. It must be later than now.
	PageExpiresAt time.Time `url:"-"`
	// LimitPay is limit_pay: LimitPayNoCredit refuses credit cards (WeChat
	// Pay only).
	LimitPay string `url:"limit_pay,omitempty"`
}

// epCheckout describes the checkout page's parameters for the request
// path's encoder: txdtm defaults to now, in UTC+8 (no txzone).
var epCheckout = endpoint{method: "GET", path: "/checkstand/", txdtm: true}

// CheckoutURL returns the signed address of QF Pay's hosted checkout page
// for req (current documentation, section "Hosted checkout page"):
// redirect the shopper's browser to it (HTTP 303 or a link). Nothing is
// sent; the URL is only built, and may be built again for the same order.
// The shopper pays on QF Pay's page; the payment's notification goes to
// req.NotifyURL, and WaitForPayment (or Query) by req.OutTradeNo confirms
// it. A visit to ReturnURL proves nothing, as anybody can open it.
//
// The URL is the page on the client's base URL, "/checkstand/#/?" (that is
// CheckoutPageHongKongTest or CheckoutPageHongKongLive; QF Pay documents
// the page on no other host, so confirm it with QF Pay before sending
// shoppers to another environment's), followed by the parameters sorted by name, each value
// percent-encoded with %20 for a space, and sign last. The parameters are
// those of req, without empty ones, plus appcode (the client's app code)
// and sign_type ("md5" or "sha256", the client's WithSignType). They sit in
// the URL's fragment, after "#/?", so no server (QF Pay's or a proxy's)
// logs them.
//
// sign is the hash named by sign_type of every parameter sent except sign
// and lang, empty ones left out, sorted by name and joined as name=value
// with '&' over the raw values, followed by the client key: the request
// signature (see Sign), written in lower-case hex as QF Pay's sample does
// (the documentation leaves the case open). The client key itself is
// never in the URL.
func (c *Client) CheckoutURL(req *CheckoutRequest) (string, error) {
	if err := req.validate(c.now()); err != nil {
		return "", err
	}
	params, err := c.params(&epCheckout, req)
	if err != nil {
		return "", err
	}
	if params.Get("mchntid") == "" && c.mchid != "" {
		params.Set("mchntid", c.mchid)
	}
	if !req.PageExpiresAt.IsZero() {
		params.Set("checkout_expired_time", strconv.FormatInt(req.PageExpiresAt.UnixMilli(), 10))
	}
	params.Set("appcode", c.appCode)
	params.Set("sign_type", strings.ToLower(string(c.signType)))
	lang := params.Get("lang")
	params.Del("lang")
	sign := Sign(params, c.clientKey(), c.signType)
	if checkoutLowerHex {
		sign = strings.ToLower(sign)
	}
	if lang != "" {
		params.Set("lang", lang)
	}
	// url.Values.Encode sorts by name and escapes with QueryEscape, which
	// writes a space as '+' and a '+' as "%2B": every '+' left is a space,
	// which the page (decodeURIComponent) reads only as %20.
	query := strings.ReplaceAll(params.Encode(), "+", "%20")
	return c.checkoutPage() + query + "&sign=" + sign, nil
}

// checkoutPage is the checkout page of the client's environment, up to and
// including the "?" the parameters follow. A base URL's user:password is
// left out: the URL is handed to the shopper's browser.
func (c *Client) checkoutPage() string {
	base := c.baseURL
	if u, err := url.Parse(base); err == nil && u.User != nil {
		u.User = nil
		base = u.String()
	}
	return base + checkoutPath
}

func (r *CheckoutRequest) validate(now time.Time) error {
	if r == nil {
		return invalid("nil *CheckoutRequest")
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	if err := validateCurrency("txcurrcd", r.Currency); err != nil {
		return err
	}
	if err := validateOutTradeNo(r.OutTradeNo); err != nil {
		return err
	}
	for _, u := range []struct {
		field, name, value string
		required           bool
	}{
		{"return_url", "ReturnURL", r.ReturnURL, true},
		{"failed_url", "FailedURL", r.FailedURL, true},
		{"cancel_url", "CancelURL", r.CancelURL, false},
	} {
		if u.value == "" && !u.required {
			continue
		}
		if err := validateSecureURL(u.field, u.name, u.value); err != nil {
			return err
		}
		if err := checkLength(u.field, u.name, u.value, maxNotifyURL); err != nil {
			return err
		}
	}
	if r.NotifyURL == "" {
		return invalidField("notify_url", "NotifyURL is required: the checkout's notification goes there")
	}
	if err := validateNotifyURL(r.NotifyURL); err != nil {
		return err
	}
	if r.PaySource == "" {
		return invalidField("paysource", "PaySource is required, such as %q", PaySourceRemotePay)
	}
	if len(r.PaySource) <= len(checkoutPaySourceSuffix) || !strings.HasSuffix(r.PaySource, checkoutPaySourceSuffix) {
		return invalidField("paysource", "PaySource %q must end in %q, such as %q", r.PaySource, checkoutPaySourceSuffix, PaySourceRemotePay)
	}
	if err := validateGoodsName("goods_name", r.GoodsName); err != nil {
		return err
	}
	switch r.Lang {
	case "", CheckoutLangEnglish, CheckoutLangTraditionalChinese, CheckoutLangSimplifiedChinese:
	default:
		return invalidField("lang", "Lang %q: the page takes %q, %q or %q", r.Lang,
			CheckoutLangEnglish, CheckoutLangTraditionalChinese, CheckoutLangSimplifiedChinese)
	}
	if err := checkLength("mchntid", "MerchantID", r.MerchantID, maxMerchantID); err != nil {
		return err
	}
	if err := checkLength("udid", "DeviceID", r.DeviceID, maxDeviceID); err != nil {
		return err
	}
	if r.ExpireMinutes != 0 && (r.ExpireMinutes < 5 || r.ExpireMinutes > 120) {
		return invalidField("expired_time", "ExpireMinutes must be within 5 to 120 minutes, got %d", r.ExpireMinutes)
	}
	if !r.PageExpiresAt.IsZero() && !r.PageExpiresAt.After(now) {
		return invalidField("checkout_expired_time", "PageExpiresAt %s is not in the future", r.PageExpiresAt.Format(time.RFC3339))
	}
	if r.LimitPay != "" && r.LimitPay != LimitPayNoCredit {
		return invalidField("limit_pay", "LimitPay %q: the only value the API takes is %q", r.LimitPay, LimitPayNoCredit)
	}
	return nil
}
