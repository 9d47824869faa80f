package qfpay

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/qfpay-go/qfpay/internal/loopback"
)

// oauthRequest is the query of /tool/v1/get_weixin_oauth_code.
type oauthRequest struct {
	AppCode     string `url:"app_code"`
	RedirectURI string `url:"redirect_uri"`
	MerchantID  string `url:"mchid,omitempty"`
}

func (r *oauthRequest) validate() error {
	if err := validateAbsoluteURL("redirect_uri", "redirectURI", r.RedirectURI); err != nil {
		return err
	}
	if strings.Contains(r.RedirectURI, "&") {
		return invalidField("redirect_uri", "redirectURI must not contain '&': the URL's signature covers "+
			"\"app_code=...&redirect_uri=<redirectURI>\" as plain text and is handed to the customer's browser, "+
			"so each '&name=value' in redirectURI would make it a valid signature for a request with those "+
			"parameters (a refund, say); carry at most one query parameter, or put the state in the path")
	}
	return checkLength("redirect_uri", "redirectURI", r.RedirectURI, maxURL)
}

var epWeChatOAuth = endpoint{method: "GET", path: "/tool/v1/get_weixin_oauth_code", mchid: true}

// WeChatOAuthURL returns the URL to send a customer's WeChat browser to for
// a WeChat oauth_code (GET /tool/v1/get_weixin_oauth_code, API section
// "WeChat Pay JSAPI", "GET oauth_code"). WeChat then sends the customer back
// to redirectURI, an absolute http(s) URL of at most 512 characters, with a
// code query parameter for WeChatOpenID.
//
// redirectURI must not contain '&': the signature in the URL covers
// "app_code=<app code>&redirect_uri=<redirectURI>" (with mchid when set) as
// plain text, and the URL is handed to the customer's browser. A
// redirectURI ending in "&syssn=...&txamt=..." would make that signature
// valid for another request carrying those parameters, such as a refund.
// One query parameter is fine ("https://shop.example/wx/callback?order=42");
// keep further state in the path or on the server.
//
// It is the first step of a WeChat JSAPI payment for a merchant without a
// WeChat official account of its own, made on QF Pay's account (API section
// "JSAPI without a Real Name Registered Official Account"; indirect
// settlement only). In the customer's WeChat browser:
//
//  1. redirect the customer to WeChatOAuthURL; WeChat sends them back to
//     redirectURI with a one-time code query parameter;
//  2. WeChatOpenID turns the code into the customer's openid;
//  3. Payment with PayTypeWeChatJSAPI and SubOpenID set to the openid;
//  4. redirect the customer to WeChatCheckoutURL built from the answer's
//     WeChatJSAPIParams, QF Pay's page that starts WeChat Pay.
//
// The code and the openid must be fetched again for every payment.
//
// The URL carries app_code, redirect_uri, the client's mchid (when set) and
// sign as query parameters, as the API requires here instead of headers.
// The signature is always MD5, even for a client made WithSignType(SHA256):
// a browser redirect cannot carry the X-QF-SIGNTYPE header, and without it
// the gateway checks MD5, as the documentation's sample signs. Nothing is
// sent; the URL is only built.
func (c *Client) WeChatOAuthURL(redirectURI string) (string, error) {
	req := &oauthRequest{AppCode: c.appCode, RedirectURI: redirectURI}
	if err := req.validate(); err != nil {
		return "", err
	}
	form, err := c.form(&epWeChatOAuth, req)
	if err != nil {
		return "", err
	}
	form.Set("sign", signForm(form, c.clientKey(), MD5))
	return c.baseURL + epWeChatOAuth.path + "?" + form.Encode(), nil
}

// openIDRequest is the query of /tool/v1/get_weixin_openid.
type openIDRequest struct {
	Code string `url:"code"`
}

func (r *openIDRequest) validate() error {
	if r.Code == "" {
		return invalidField("code", "code (from the WeChat OAuth redirect) is required")
	}
	return nil
}

type openIDResponse struct {
	OpenID string `json:"openid"`
}

func (r *openIDResponse) check() error {
	if r.OpenID == "" {
		return errors.New("success without openid")
	}
	return nil
}

var epWeChatOpenID = endpoint{method: "GET", path: "/tool/v1/get_weixin_openid", retry: true, singleUse: true, mchid: true}

// WeChatOpenID exchanges the code WeChat appended to the redirect URI of
// WeChatOAuthURL for the customer's WeChat openid (GET
// /tool/v1/get_weixin_openid, API section "WeChat Pay JSAPI", "GET openid"),
// the SubOpenID of a PayTypeWeChatJSAPI payment. A code can be used once, so
// the call is retried only when the request cannot have reached the gateway
// (the connection failed, or a 429 refused it); after any other failure
// (a timeout, a 5xx) the code may be spent: send the customer through
// WeChatOAuthURL again for a new one.
func (c *Client) WeChatOpenID(ctx context.Context, code string) (string, error) {
	resp, err := do[openIDResponse](ctx, c, &epWeChatOpenID, &openIDRequest{Code: code})
	if err != nil {
		return "", err
	}
	return resp.OpenID, nil
}

// Hosts of QF Pay's WeChat checkout page (/q/direct). The host is regional:
// ask QF Pay which one serves the merchant's environment.
const (
	// WeChatCheckoutHost is the host the API documentation names.
	WeChatCheckoutHost = "https://o2.qfpay.com"
	// WeChatCheckoutHostThailand is the host of the documentation's Thai
	// sample.
	WeChatCheckoutHostThailand = "https://o2-th.qfapi.com"
	// WeChatCheckoutHostHongKong is the host QF Pay's current documentation
	// names (section "WeChat Pay JSAPI" of the Hong Kong developer centre),
	// for HongKongTest and HongKongLive.
	WeChatCheckoutHostHongKong = "https://o2-hk.qfapi.com"
)

// WeChatCheckout is what the WeChat checkout page shows besides the wallet
// parameters (API section "WeChat Pay JSAPI", "GET WeChat Pay Data").
type WeChatCheckout struct {
	// MerchantName is mchntnm, the business name shown (required, at most
	// 128 characters).
	MerchantName string
	// Amount is txamt in minor units (required, > 0, at most MaxAmount):
	// the payment's amount.
	Amount int64
	// Currency is currency, the payment's currency (required, three
	// upper-case letters).
	Currency Currency
	// GoodsName is goods_name (optional; at most 64 characters, valid
	// UTF-8, no control characters).
	GoodsName string
	// RedirectURL is redirect_url, where the customer goes once the payment
	// is complete (required): an absolute http(s) URL of at most 512
	// characters. The spec's sample writes "www.example.com", which a
	// browser would read as a relative path: it is refused.
	RedirectURL string
}

// WeChatCheckoutURL returns the address of QF Pay's WeChat checkout page
// (GET <host>/q/direct, API section "WeChat Pay JSAPI", "GET WeChat Pay
// Data") for a PayTypeWeChatJSAPI payment: redirect the customer's WeChat
// browser there and the page starts WeChat Pay with p, the payment's
// PaymentResponse.WeChatJSAPIParams. host is the regional checkout host,
// such as WeChatCheckoutHost: an https:// URL with no query or fragment
// (http:// only for a loopback host, for tests). The URL is not signed; p
// carries WeChat's own signature. The merchant's fields are checked against
// the API's table (see WeChatCheckout) and a missing or out-of-range one is
// refused with a *ValidationError naming its wire name. WeChat's parameters
// in p are required but their lengths are not checked: they are the
// gateway's own answer, passed on as it is, and the table's String(16) for
// appId is shorter than the 18-character app ids of WeChat and of the
// API's own samples.
func WeChatCheckoutURL(host string, p *WeChatJSAPIParams, o WeChatCheckout) (string, error) {
	if err := validateAbsoluteURL("host", "host", host); err != nil {
		return "", err
	}
	u, _ := url.Parse(host)
	if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
		return "", invalidField("host", "host %q: the checkout page must be https:// (http:// only for a loopback host)", redactURL(host))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", invalidField("host", "host %q must have no query or fragment", redactURL(host))
	}
	if p == nil {
		return "", invalid("nil *WeChatJSAPIParams")
	}
	q := url.Values{}
	for _, f := range []struct{ name, value string }{
		{"appId", p.AppID}, {"timeStamp", p.TimeStamp}, {"nonceStr", p.NonceStr},
		{"package", p.Package}, {"signType", p.SignType}, {"paySign", p.PaySign},
	} {
		if f.value == "" {
			return "", invalidField(f.name, "%s (of the payment's pay_params) is required", f.name)
		}
		q.Set(f.name, f.value)
	}
	if o.MerchantName == "" {
		return "", invalidField("mchntnm", "MerchantName is required")
	}
	if err := checkLength("mchntnm", "MerchantName", o.MerchantName, 128); err != nil {
		return "", err
	}
	q.Set("mchntnm", o.MerchantName)
	if err := validateAmount(o.Amount); err != nil {
		return "", err
	}
	q.Set("txamt", strconv.FormatInt(o.Amount, 10))
	if err := validateCurrency("currency", o.Currency); err != nil {
		return "", err
	}
	q.Set("currency", string(o.Currency))
	if o.GoodsName != "" {
		if err := validateGoodsName("goods_name", o.GoodsName); err != nil {
			return "", err
		}
		q.Set("goods_name", o.GoodsName)
	}
	if err := validateAbsoluteURL("redirect_url", "RedirectURL", o.RedirectURL); err != nil {
		return "", err
	}
	if err := checkLength("redirect_url", "RedirectURL", o.RedirectURL, maxURL); err != nil {
		return "", err
	}
	q.Set("redirect_url", o.RedirectURL)
	u = u.JoinPath("q", "direct")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
