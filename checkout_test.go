package qfpay

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkoutDigest hashes s by hand, independently of Sign, as the checkout
// boilerplate does: the hash, in lower-case hex.
func checkoutDigest(s string, t SignType) string {
	if t == SHA256 {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checkoutClient is a client with the placeholder credentials of the
// documentation's checkout sample, on its live-test host, with the test
// clock.
func checkoutClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient("APPCODE", "CLIENTKEY", append([]Option{WithEnvironment(HongKongTest), WithClock(func() time.Time { return testNow })}, opts...)...)
	require.NoError(t, err)
	return c
}

// docCheckout is the order of the documentation's checkout sample
// (section "Hosted checkout page", "Signature").
func docCheckout() *CheckoutRequest {
	return &CheckoutRequest{
		Amount: 300, Currency: CurrencyHKD, OutTradeNo: "123", TxTime: time.Date(2020, 6, 28, 18, 33, 20, 0, beijing),
		ReturnURL: "https://m.example/ok", FailedURL: "https://m.example/fail", NotifyURL: "https://m.example/notify",
		PaySource: PaySourceRemotePay, GoodsName: "G1",
	}
}

func TestCheckoutURL(t *testing.T) {
	with := func(change func(r *CheckoutRequest)) *CheckoutRequest {
		r := docCheckout()
		change(r)
		return r
	}
	tests := []struct {
		name string
		opts []Option
		req  *CheckoutRequest
		// url is the expected URL up to the signature, with
		// "{sign_type}" for md5 or sha256; signed the string hashed
		// before the key, likewise.
		url    string
		signed string
	}{
		{
			name:   "the documentation's sample",
			req:    docCheckout(),
			url:    "https://test-openapi-hk.qfapi.com/checkstand/#/?appcode=APPCODE&failed_url=https%3A%2F%2Fm.example%2Ffail&goods_name=G1&notify_url=https%3A%2F%2Fm.example%2Fnotify&out_trade_no=123&paysource=remotepay_checkout&return_url=https%3A%2F%2Fm.example%2Fok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28%2018%3A33%3A20",
			signed: "appcode=APPCODE&failed_url=https://m.example/fail&goods_name=G1&notify_url=https://m.example/notify&out_trade_no=123&paysource=remotepay_checkout&return_url=https://m.example/ok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28 18:33:20",
		},
		{
			name:   "lang sent in its sorted place, not signed",
			req:    with(func(r *CheckoutRequest) { r.Lang = CheckoutLangTraditionalChinese }),
			url:    "https://test-openapi-hk.qfapi.com/checkstand/#/?appcode=APPCODE&failed_url=https%3A%2F%2Fm.example%2Ffail&goods_name=G1&lang=zh-hk&notify_url=https%3A%2F%2Fm.example%2Fnotify&out_trade_no=123&paysource=remotepay_checkout&return_url=https%3A%2F%2Fm.example%2Fok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28%2018%3A33%3A20",
			signed: "appcode=APPCODE&failed_url=https://m.example/fail&goods_name=G1&notify_url=https://m.example/notify&out_trade_no=123&paysource=remotepay_checkout&return_url=https://m.example/ok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28 18:33:20",
		},
		{
			name:   "spaces and a Chinese goods name: %20 and UTF-8 on the wire, raw in the signature",
			req:    with(func(r *CheckoutRequest) { r.GoodsName = "港式 奶茶 x2" }),
			url:    "https://test-openapi-hk.qfapi.com/checkstand/#/?appcode=APPCODE&failed_url=https%3A%2F%2Fm.example%2Ffail&goods_name=%E6%B8%AF%E5%BC%8F%20%E5%A5%B6%E8%8C%B6%20x2&notify_url=https%3A%2F%2Fm.example%2Fnotify&out_trade_no=123&paysource=remotepay_checkout&return_url=https%3A%2F%2Fm.example%2Fok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28%2018%3A33%3A20",
			signed: "appcode=APPCODE&failed_url=https://m.example/fail&goods_name=港式 奶茶 x2&notify_url=https://m.example/notify&out_trade_no=123&paysource=remotepay_checkout&return_url=https://m.example/ok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28 18:33:20",
		},
		{
			name: "every optional field, the client's mchid as mchntid, '+' and '&' in a URL, lang",
			opts: []Option{WithMerchantID("ZaMVg12345")},
			req: with(func(r *CheckoutRequest) {
				r.ReturnURL = "https://m.example/ok?o=1&q=a+b"
				r.CancelURL = "https://m.example/cart"
				r.GoodsName = ""
				r.DeviceID = "web-1"
				r.ExpireMinutes = 30
				r.PageExpiresAt = time.UnixMilli(1715686118000)
				r.LimitPay = LimitPayNoCredit
				r.Lang = CheckoutLangEnglish
			}),
			url:    "https://test-openapi-hk.qfapi.com/checkstand/#/?appcode=APPCODE&cancel_url=https%3A%2F%2Fm.example%2Fcart&checkout_expired_time=1715686118000&expired_time=30&failed_url=https%3A%2F%2Fm.example%2Ffail&lang=en&limit_pay=no_credit&mchntid=ZaMVg12345&notify_url=https%3A%2F%2Fm.example%2Fnotify&out_trade_no=123&paysource=remotepay_checkout&return_url=https%3A%2F%2Fm.example%2Fok%3Fo%3D1%26q%3Da%2Bb&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28%2018%3A33%3A20&udid=web-1",
			signed: "appcode=APPCODE&cancel_url=https://m.example/cart&checkout_expired_time=1715686118000&expired_time=30&failed_url=https://m.example/fail&limit_pay=no_credit&mchntid=ZaMVg12345&notify_url=https://m.example/notify&out_trade_no=123&paysource=remotepay_checkout&return_url=https://m.example/ok?o=1&q=a+b&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2020-06-28 18:33:20&udid=web-1",
		},
		{
			name: "the request's own mchntid, txdtm now in UTC+8 whatever the client's zone",
			opts: []Option{WithMerchantID("ZaMVg12345"), WithLocation(time.UTC)},
			req: with(func(r *CheckoutRequest) {
				r.MerchantID = "Agent0001"
				r.TxTime = time.Time{}
			}),
			url:    "https://test-openapi-hk.qfapi.com/checkstand/#/?appcode=APPCODE&failed_url=https%3A%2F%2Fm.example%2Ffail&goods_name=G1&mchntid=Agent0001&notify_url=https%3A%2F%2Fm.example%2Fnotify&out_trade_no=123&paysource=remotepay_checkout&return_url=https%3A%2F%2Fm.example%2Fok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2019-12-25%2014%3A21%3A28",
			signed: "appcode=APPCODE&failed_url=https://m.example/fail&goods_name=G1&mchntid=Agent0001&notify_url=https://m.example/notify&out_trade_no=123&paysource=remotepay_checkout&return_url=https://m.example/ok&sign_type={sign_type}&txamt=300&txcurrcd=HKD&txdtm=2019-12-25 14:21:28",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				c := checkoutClient(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				req := *tt.req
				got, err := c.CheckoutURL(&req)
				require.NoError(t, err)
				lower := strings.ToLower(string(st))
				signed := strings.ReplaceAll(tt.signed, "{sign_type}", lower)
				want := strings.ReplaceAll(tt.url, "{sign_type}", lower) + "&sign=" + checkoutDigest(signed+"CLIENTKEY", st)
				assert.Equal(t, want, got)
				assert.Equal(t, *tt.req, req, "the caller's request is left as it was")
				assertNoKey(t, got, "checkout URL")
				assert.NotContains(t, got, "CLIENTKEY")

				// What a browser's page reads from the fragment.
				u, err := url.Parse(got)
				require.NoError(t, err)
				assert.Equal(t, "/checkstand/", u.Path)
				assert.Empty(t, u.RawQuery, "nothing in the query string: the parameters stay in the fragment")
				raw, ok := strings.CutPrefix(u.EscapedFragment(), "/?")
				require.True(t, ok, "fragment %q", u.EscapedFragment())
				pairs := strings.Split(raw, "&")
				assert.True(t, strings.HasPrefix(pairs[len(pairs)-1], "sign="), "sign comes last")
				assert.NotContains(t, raw, "+", "a space is %20, never '+'")
				fields, err := url.ParseQuery(raw)
				require.NoError(t, err)
				assert.Equal(t, lower, fields.Get("sign_type"))
				assert.Equal(t, string(req.Lang), fields.Get("lang"))
			})
		}
	}
}

// TestCheckoutSignatureLowerHex pins the one choice the documentation
// leaves open: its boilerplate's lower-case hex digest.
func TestCheckoutSignatureLowerHex(t *testing.T) {
	assert.True(t, checkoutLowerHex)
	got, err := checkoutClient(t).CheckoutURL(docCheckout())
	require.NoError(t, err)
	_, sign, ok := strings.Cut(got, "&sign=")
	require.True(t, ok)
	assert.Len(t, sign, 32)
	assert.Equal(t, strings.ToLower(sign), sign)
}

func TestCheckoutURLPage(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"live test", WithEnvironment(HongKongTest), CheckoutPageHongKongTest},
		{"production", WithEnvironment(HongKongLive), CheckoutPageHongKongLive},
		{"a local sandbox", WithBaseURL("http://127.0.0.1:8787/"), "http://127.0.0.1:8787/checkstand/#/?"},
		{"a base URL's user:password left out", WithBaseURL("https://user:secret@gw.example/qf"), "https://gw.example/qf/checkstand/#/?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkoutClient(t, tt.opt).CheckoutURL(docCheckout())
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(got, tt.want+"appcode=APPCODE&"), got)
			assert.NotContains(t, got, "secret")
		})
	}
}

func TestCheckoutURLValidation(t *testing.T) {
	with := func(change func(r *CheckoutRequest)) *CheckoutRequest {
		r := docCheckout()
		change(r)
		return r
	}
	n := strings.Repeat
	tests := []struct {
		name  string
		req   *CheckoutRequest
		field string // "" when valid
	}{
		{"nil", nil, wholeRequest},
		{"the sample", docCheckout(), ""},
		{"Amount 0", with(func(r *CheckoutRequest) { r.Amount = 0 }), "txamt"},
		{"Amount of 12 digits", with(func(r *CheckoutRequest) { r.Amount = MaxAmount + 1 }), "txamt"},
		{"no Currency", with(func(r *CheckoutRequest) { r.Currency = "" }), "txcurrcd"},
		{"lower-case Currency", with(func(r *CheckoutRequest) { r.Currency = "hkd" }), "txcurrcd"},
		{"no OutTradeNo", with(func(r *CheckoutRequest) { r.OutTradeNo = "" }), "out_trade_no"},
		{"OutTradeNo of 129", with(func(r *CheckoutRequest) { r.OutTradeNo = n("o", 129) }), "out_trade_no"},
		{"no ReturnURL", with(func(r *CheckoutRequest) { r.ReturnURL = "" }), "return_url"},
		{"ReturnURL http on a public host", with(func(r *CheckoutRequest) { r.ReturnURL = "http://m.example/ok" }), "return_url"},
		{"ReturnURL http on loopback", with(func(r *CheckoutRequest) { r.ReturnURL = "http://localhost:8080/ok" }), ""},
		{"ReturnURL javascript:", with(func(r *CheckoutRequest) { r.ReturnURL = "javascript:alert(1)" }), "return_url"},
		{"ReturnURL of 257", with(func(r *CheckoutRequest) { r.ReturnURL = "https://m.example/" + n("r", 239) }), "return_url"},
		{"ReturnURL of 256", with(func(r *CheckoutRequest) { r.ReturnURL = "https://m.example/" + n("r", 238) }), ""},
		{"no FailedURL", with(func(r *CheckoutRequest) { r.FailedURL = "" }), "failed_url"},
		{"FailedURL relative", with(func(r *CheckoutRequest) { r.FailedURL = "/fail" }), "failed_url"},
		{"CancelURL http on a public host", with(func(r *CheckoutRequest) { r.CancelURL = "http://m.example/cart" }), "cancel_url"},
		{"CancelURL of 257", with(func(r *CheckoutRequest) { r.CancelURL = "https://m.example/" + n("c", 239) }), "cancel_url"},
		{"no NotifyURL", with(func(r *CheckoutRequest) { r.NotifyURL = "" }), "notify_url"},
		{"NotifyURL on port 8443", with(func(r *CheckoutRequest) { r.NotifyURL = "https://m.example:8443/n" }), "notify_url"},
		{"no PaySource", with(func(r *CheckoutRequest) { r.PaySource = "" }), "paysource"},
		{"PaySource not ending in _checkout", with(func(r *CheckoutRequest) { r.PaySource = "remotepay" }), "paysource"},
		{"PaySource only _checkout", with(func(r *CheckoutRequest) { r.PaySource = "_checkout" }), "paysource"},
		{"PaySource of 18, longer than the table's 12", with(func(r *CheckoutRequest) { r.PaySource = "remotepay_checkout" }), ""},
		{"GoodsName of 65", with(func(r *CheckoutRequest) { r.GoodsName = n("g", 65) }), "goods_name"},
		{"GoodsName with a newline", with(func(r *CheckoutRequest) { r.GoodsName = "tea\nx" }), "goods_name"},
		{"Lang zh-tw", with(func(r *CheckoutRequest) { r.Lang = "zh-tw" }), "lang"},
		{"Lang zh-cn", with(func(r *CheckoutRequest) { r.Lang = CheckoutLangSimplifiedChinese }), ""},
		{"MerchantID of 17", with(func(r *CheckoutRequest) { r.MerchantID = n("m", 17) }), "mchntid"},
		{"DeviceID of 41", with(func(r *CheckoutRequest) { r.DeviceID = n("d", 41) }), "udid"},
		{"ExpireMinutes 4", with(func(r *CheckoutRequest) { r.ExpireMinutes = 4 }), "expired_time"},
		{"ExpireMinutes 121", with(func(r *CheckoutRequest) { r.ExpireMinutes = 121 }), "expired_time"},
		{"PageExpiresAt now", with(func(r *CheckoutRequest) { r.PageExpiresAt = testNow }), "checkout_expired_time"},
		{"PageExpiresAt a second later", with(func(r *CheckoutRequest) { r.PageExpiresAt = testNow.Add(time.Second) }), ""},
		{"LimitPay other", with(func(r *CheckoutRequest) { r.LimitPay = "credit" }), "limit_pay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkoutClient(t).CheckoutURL(tt.req)
			if tt.field == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, got)
				return
			}
			assert.Empty(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			want := tt.field
			if want == wholeRequest {
				want = ""
			}
			assert.Equal(t, want, ve.Field, "%v", err)
			assertNoKey(t, err.Error(), "error")
		})
	}
}
