package qfpay

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecLimits sends, for each limit of the API's parameter tables, a
// request just within it (sent once and answered) and one just beyond it
// (refused with a *ValidationError naming the parameter's wire name,
// matching ErrInvalidRequest, and no HTTP call at all).
func TestSpecLimits(t *testing.T) {
	ctx := context.Background()
	pay := func(change func(r *PaymentRequest)) func(*Client) error {
		return func(c *Client) error {
			r := docPaymentRequest()
			change(r)
			_, err := c.Payment(ctx, r)
			return err
		}
	}
	refund := func(change func(r *RefundRequest)) func(*Client) error {
		return func(c *Client) error {
			r := docRefundRequest()
			change(r)
			_, err := c.Refund(ctx, r)
			return err
		}
	}
	query := func(r *QueryRequest) func(*Client) error {
		return func(c *Client) error { _, err := c.Query(ctx, r); return err }
	}
	unfreeze := func(change func(r *UnfreezeRequest)) func(*Client) error {
		return func(c *Client) error {
			r := &UnfreezeRequest{SysSN: "20190722000300020081074842", MerchantID: "R1zQrTdJnn"}
			change(r)
			_, err := c.UnfreezeFunds(ctx, r)
			return err
		}
	}
	deduct := func(change func(r *DeductRequest)) func(*Client) error {
		return func(c *Client) error {
			r := &DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 1}
			change(r)
			_, err := c.DeductFunds(ctx, r)
			return err
		}
	}
	n := strings.Repeat
	const jsapi = "oo3Lss8d0hLOuyTuSJMVwLTk68JE"
	tests := []struct {
		name  string
		call  func(*Client) error
		field string // "" when the request is within every limit
	}{
		// txamt Int(11): eleven digits at most, above zero.
		{"payment txamt of 11 digits", pay(func(r *PaymentRequest) { r.Amount = 99_999_999_999 }), ""},
		{"payment txamt of 12 digits", pay(func(r *PaymentRequest) { r.Amount = 100_000_000_000 }), "txamt"},
		{"refund txamt of 12 digits", refund(func(r *RefundRequest) { r.Amount = 100_000_000_000 }), "txamt"},
		{"unfreeze txamt of 12 digits", unfreeze(func(r *UnfreezeRequest) { r.Amount = 100_000_000_000 }), "txamt"},
		{"unfreeze txamt of 11 digits", unfreeze(func(r *UnfreezeRequest) { r.Amount = 99_999_999_999 }), ""},
		{"deduct txamt of 12 digits", deduct(func(r *DeductRequest) { r.Amount = 100_000_000_000 }), "txamt"},

		// txcurrcd String(3): three upper-case letters, never corrected.
		{"txcurrcd HKD", pay(func(r *PaymentRequest) { r.Currency = CurrencyHKD }), ""},
		{"txcurrcd EURO", pay(func(r *PaymentRequest) { r.Currency = "EURO" }), "txcurrcd"},
		{"txcurrcd hkd", pay(func(r *PaymentRequest) { r.Currency = "hkd" }), "txcurrcd"},
		{"txcurrcd Hkd", pay(func(r *PaymentRequest) { r.Currency = "Hkd" }), "txcurrcd"},
		{"txcurrcd HK", pay(func(r *PaymentRequest) { r.Currency = "HK" }), "txcurrcd"},
		{"txcurrcd 344", pay(func(r *PaymentRequest) { r.Currency = "344" }), "txcurrcd"},
		{"txcurrcd with a blank", pay(func(r *PaymentRequest) { r.Currency = "HKD " }), "txcurrcd"},

		// mchid String(16), udid String(40), on every call taking them.
		{"payment mchid of 16", pay(func(r *PaymentRequest) { r.MerchantID = n("M", 16) }), ""},
		{"payment mchid of 17", pay(func(r *PaymentRequest) { r.MerchantID = n("M", 17) }), "mchid"},
		{"refund mchid of 17", refund(func(r *RefundRequest) { r.MerchantID = n("M", 17) }), "mchid"},
		{"query mchid of 17", query(&QueryRequest{MerchantID: n("M", 17)}), "mchid"},
		{"unfreeze mchid of 17", unfreeze(func(r *UnfreezeRequest) { r.MerchantID = n("M", 17) }), "mchid"},
		{"deduct mchid of 17", deduct(func(r *DeductRequest) { r.MerchantID = n("M", 17) }), "mchid"},
		{"payment udid of 40", pay(func(r *PaymentRequest) { r.DeviceID = n("u", 40) }), ""},
		{"payment udid of 41", pay(func(r *PaymentRequest) { r.DeviceID = n("u", 41) }), "udid"},
		{"refund udid of 41", refund(func(r *RefundRequest) { r.DeviceID = n("u", 41) }), "udid"},
		{"unfreeze udid of 41", unfreeze(func(r *UnfreezeRequest) { r.DeviceID = n("u", 41) }), "udid"},
		{"deduct udid of 41", deduct(func(r *DeductRequest) { r.DeviceID = n("u", 41) }), "udid"},

		// txzone String(5): ±HHMM.
		{"txzone +0545", pay(func(r *PaymentRequest) { r.TimeZone = "+0545" }), ""},
		{"txzone -0500", pay(func(r *PaymentRequest) { r.TimeZone = "-0500" }), ""},
		{"txzone +08:00", pay(func(r *PaymentRequest) { r.TimeZone = "+08:00" }), "txzone"},
		{"txzone +8", pay(func(r *PaymentRequest) { r.TimeZone = "+8" }), "txzone"},
		{"txzone 0800", pay(func(r *PaymentRequest) { r.TimeZone = "0800" }), "txzone"},
		{"txzone +1500", pay(func(r *PaymentRequest) { r.TimeZone = "+1500" }), "txzone"},
		{"txzone +0860", pay(func(r *PaymentRequest) { r.TimeZone = "+0860" }), "txzone"},
		{"txzone UTC+8", pay(func(r *PaymentRequest) { r.TimeZone = "UTC+8" }), "txzone"},
		{"refund txzone +08:00", refund(func(r *RefundRequest) { r.TimeZone = "+08:00" }), "txzone"},
		{"query txzone +08:00", query(&QueryRequest{TimeZone: "+08:00"}), "txzone"},
		{"unfreeze txzone +08:00", unfreeze(func(r *UnfreezeRequest) { r.TimeZone = "+08:00" }), "txzone"},
		{"deduct txzone +08:00", deduct(func(r *DeductRequest) { r.TimeZone = "+08:00" }), "txzone"},

		// auth_code String(128), openid String(64), sub_openid String(128).
		{"auth_code of 128", pay(func(r *PaymentRequest) { r.PayType, r.AuthCode = PayTypeAlipayCPM, n("1", 128) }), ""},
		{"auth_code of 129", pay(func(r *PaymentRequest) { r.PayType, r.AuthCode = PayTypeAlipayCPM, n("1", 129) }), "auth_code"},
		{"openid of 64", pay(func(r *PaymentRequest) { r.PayType, r.OpenID = PayTypeAlipayServiceWindowH5, n("2", 64) }), ""},
		{"openid of 65", pay(func(r *PaymentRequest) { r.PayType, r.OpenID = PayTypeAlipayServiceWindowH5, n("2", 65) }), "openid"},
		{"sub_openid of 128", pay(func(r *PaymentRequest) { r.PayType, r.SubOpenID = PayTypeWeChatJSAPI, n("o", 128) }), ""},
		{"sub_openid of 129", pay(func(r *PaymentRequest) { r.PayType, r.SubOpenID = PayTypeWeChatMiniProgram, n("o", 129) }), "sub_openid"},

		// goods_name String(64), UTF-8, no control characters.
		{"goods_name of 64 Chinese characters", pay(func(r *PaymentRequest) { r.GoodsName = n("茶", 64) }), ""},
		{"goods_name of 65", pay(func(r *PaymentRequest) { r.GoodsName = n("g", 65) }), "goods_name"},
		{"goods_name with a newline", pay(func(r *PaymentRequest) { r.GoodsName = "tea\nset" }), "goods_name"},
		{"goods_name with a NUL", pay(func(r *PaymentRequest) { r.GoodsName = "tea\x00" }), "goods_name"},
		{"goods_name not UTF-8", pay(func(r *PaymentRequest) { r.GoodsName = "caf\xe9" }), "goods_name"},

		// out_trade_no String(128), on each call taking it.
		{"payment out_trade_no of 129", pay(func(r *PaymentRequest) { r.OutTradeNo = n("A", 129) }), "out_trade_no"},
		{"refund syssn of 129", refund(func(r *RefundRequest) { r.SysSN = n("2", 129) }), "syssn"},
		{"query out_trade_no entry of 129", query(&QueryRequest{OutTradeNos: []string{"A1", n("A", 129)}}), "out_trade_no"},
		{"query syssn entry of 129", query(&QueryRequest{SysSNs: []string{n("2", 129)}}), "syssn"},
		{"unfreeze out_trade_no of 129", unfreeze(func(r *UnfreezeRequest) { r.OutTradeNo = n("A", 129) }), "out_trade_no"},
		{"deduct out_trade_no of 129", deduct(func(r *DeductRequest) { r.OutTradeNo = n("A", 129) }), "out_trade_no"},

		// pay_tag: ALIPAYHK or ALIPAYCN; limit_pay: no_credit.
		{"pay_tag ALIPAYCN", pay(func(r *PaymentRequest) { r.PayTag = PayTagAlipayCN }), ""},
		{"pay_tag ALIPAYHK", pay(func(r *PaymentRequest) { r.PayTag = PayTagAlipayHK }), ""},
		{"pay_tag alipayhk", pay(func(r *PaymentRequest) { r.PayTag = "alipayhk" }), "pay_tag"},
		{"pay_tag ALIPAYUS", pay(func(r *PaymentRequest) { r.PayTag = "ALIPAYUS" }), "pay_tag"},
		{"limit_pay no_credit", pay(func(r *PaymentRequest) { r.LimitPay = LimitPayNoCredit }), ""},
		{"limit_pay credit", pay(func(r *PaymentRequest) { r.LimitPay = "credit" }), "limit_pay"},
		{"limit_pay NO_CREDIT", pay(func(r *PaymentRequest) { r.LimitPay = "NO_CREDIT" }), "limit_pay"},

		// return_url: absolute http(s), String(512), 200 for Alipay WAP.
		{"Alipay WAP return_url of 200", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOnlineWAP, "https://m.example/"+n("r", 182)
		}), ""},
		{"Alipay WAP return_url of 201", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOnlineWAP, "https://m.example/"+n("r", 183)
		}), "return_url"},
		{"Alipay HK WAP return_url of 201", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayHKOnlineWAP, "https://m.example/"+n("r", 183)
		}), "return_url"},
		{"Alipay overseas WAP (801107) return_url of 200", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOverseasWAP, "https://m.example/"+n("r", 182)
		}), ""},
		{"Alipay overseas WAP (801107) return_url of 201", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOverseasWAP, "https://m.example/"+n("r", 183)
		}), "return_url"},
		{"Alipay web return_url of 201", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOnlineQR, "https://m.example/"+n("r", 183)
		}), ""},
		{"GrabPay return_url of 512", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "https://m.example/"+n("r", 494)
		}), ""},
		{"return_url javascript:", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "javascript:alert(document.cookie)"
		}), "return_url"},
		{"return_url data:", pay(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "data:text/html,<script>alert(1)</script>"
		}), "return_url"},
		{"return_url relative", pay(func(r *PaymentRequest) { r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "/orders/done" }), "return_url"},
		{"return_url without scheme", pay(func(r *PaymentRequest) { r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "www.example.com" }), "return_url"},
		{"return_url protocol-relative", pay(func(r *PaymentRequest) { r.PayType, r.ReturnURL = PayTypeGrabPayOnline, "//evil.example/x" }), "return_url"},
		{"deduct return_url javascript:", deduct(func(r *DeductRequest) { r.ReturnURL = "javascript:alert(1)" }), "return_url"},
		{"deduct return_url https", deduct(func(r *DeductRequest) { r.ReturnURL = "https://shop.example/done" }), ""},
		{"deduct return_url of 513", deduct(func(r *DeductRequest) { r.ReturnURL = "https://m.example/" + n("r", 495) }), "return_url"},
		{"deduct return_url of 512", deduct(func(r *DeductRequest) { r.ReturnURL = "https://m.example/" + n("r", 494) }), ""},

		// expired_time: only the pay types the API lists, 5 to 120.
		{"expired_time on WeChat MPM", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeWeChatMPM, 30 }), ""},
		{"expired_time on Alipay HK WAP", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeAlipayHKOnlineWAP, 30 }), ""},
		{"expired_time on WeChat HK in-app", pay(func(r *PaymentRequest) {
			r.PayType, r.GoodsName, r.ExpireMinutes = PayTypeWeChatPayHKInApp, "qfpay", 30
		}), ""},
		{"expired_time on the mini program", pay(func(r *PaymentRequest) {
			r.PayType, r.SubOpenID, r.ExpireMinutes = PayTypeWeChatMiniProgram, jsapi, 30
		}), ""},
		{"expired_time on Alipay overseas web 801101", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeAlipayOverseasWeb, 30 }), ""},
		{"expired_time on Alipay overseas WAP 801107", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeAlipayOverseasWAP, 5 }), ""},
		{"expired_time on Alipay HK web 801514", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeAlipayHKOnlineWeb, 120 }), ""},
		{"expired_time on UnionPay web 800714", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeUnionPayWeb, 30 }), ""},
		{"expired_time on PayMe web 805814", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypePayMeWeb, 30 }), ""},
		{"expired_time on PayMe WAP 805812, not listed", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypePayMeWAP, 30 }), "expired_time"},
		{"expired_time on WeChat H5 800212, not listed", pay(func(r *PaymentRequest) {
			r.PayType, r.ExtendInfo, r.ExpireMinutes = PayTypeWeChatH5, WeChatExtendInfo{WapURL: "https://m.example/", WapName: "M", ShopperIP: "10.0.0.1"}, 30
		}), "expired_time"},
		{"expired_time 4 on 801101", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeAlipayOverseasWeb, 4 }), "expired_time"},
		{"expired_time on a CPM", pay(func(r *PaymentRequest) {
			r.PayType, r.AuthCode, r.ExpireMinutes = PayTypeAlipayCPM, "280438849930815813", 30
		}), "expired_time"},
		{"expired_time on UnionPay MPM, not listed", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeUnionPayMPM, 30 }), "expired_time"},
		{"expired_time on FPS MPM, not listed", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeFPSMPM, 30 }), "expired_time"},
		{"expired_time on WeChat JSAPI", pay(func(r *PaymentRequest) {
			r.PayType, r.SubOpenID, r.ExpireMinutes = PayTypeWeChatJSAPI, jsapi, 30
		}), "expired_time"},
		{"expired_time 121 on a listed pay type", pay(func(r *PaymentRequest) { r.PayType, r.ExpireMinutes = PayTypeWeChatMPM, 121 }), "expired_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			// Any request, to any URL, is recorded and counted.
			e.mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				e.record(r)
				return httpmock.NewStringResponse(http.StatusNotFound, ""), nil
			})
			for path, file := range map[string]string{
				"/trade/v1/payment": "payment_doc.json", "/trade/v1/refund": "refund_doc.json", "/trade/v1/query": "query_doc.json",
				"/trade/v1/reversal": "unfreeze_ok.json", "/trade/v1/authtrade": "authtrade_ok.json",
			} {
				e.respondFile(http.MethodPost, path, file)
			}
			err := tt.call(e.client)
			assertValidation(t, e, err == nil, err, tt.field)
		})
	}
}

// TestWithMerchantIDLimit: the client's mchid is held to String(16) when
// the client is made, not on each call.
func TestWithMerchantIDLimit(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, WithMerchantID(strings.Repeat("M", 17)))
	assert.Nil(t, c)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "mchid", ve.Field)
	assert.ErrorIs(t, err, ErrInvalidRequest)

	c, err = NewClient(testAppCode, testClientKey, WithMerchantID(" "+strings.Repeat("M", 16)+" "))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("M", 16), c.MerchantID())
}

func TestValidationError(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"a field", &ValidationError{Field: "txamt", Reason: "Amount must be above zero"}, "qfpay: invalid request: txamt: Amount must be above zero"},
		{"the request as a whole", &ValidationError{Reason: "nil *PaymentRequest"}, "qfpay: invalid request: nil *PaymentRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, tt.err, ErrInvalidRequest)
			assert.NotErrorIs(t, tt.err, ErrMalformedResponse)
			wrapped := errors.Join(errors.New("context"), tt.err)
			var ve *ValidationError
			require.ErrorAs(t, wrapped, &ve)
			assert.Same(t, tt.err, ve)
			assert.ErrorIs(t, wrapped, ErrInvalidRequest)
		})
	}
}
