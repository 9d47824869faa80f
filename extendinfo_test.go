package qfpay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// h5 is a complete WeChat Pay H5 extend_info.
var h5 = WeChatExtendInfo{WapURL: "https://m.shop.example/", WapName: "Milk Tea Shop", ShopperIP: "203.0.113.7"}

// realName is a complete real-name extend_info.
var realName = WeChatExtendInfo{PayerIDNumber: "11010519491231002X", PayerName: "张三"}

func TestWeChatExtendInfoJSON(t *testing.T) {
	tests := []struct {
		name string
		e    WeChatExtendInfo
		want string
	}{
		{"H5 scene", h5,
			`{"scene_info":{"h5_info":{"type":"Wap","wap_url":"https://m.shop.example/","wap_name":"Milk Tea Shop"}},"spbill_create_ip":"203.0.113.7"}`},
		{"H5 URL with & < > kept as is, not \\u-escaped",
			WeChatExtendInfo{WapURL: "https://m.example/?a=1&b=<2>", WapName: "A&B", ShopperIP: "2001:db8::7"},
			`{"scene_info":{"h5_info":{"type":"Wap","wap_url":"https://m.example/?a=1&b=<2>","wap_name":"A&B"}},"spbill_create_ip":"2001:db8::7"}`},
		{"real name, Chinese as UTF-8", realName, `{"user_creid":"11010519491231002X","user_truename":"张三"}`},
		{"a quote in a name is escaped", WeChatExtendInfo{WapURL: "https://m.example/", WapName: `Tea "House"`, ShopperIP: "10.0.0.1"},
			`{"scene_info":{"h5_info":{"type":"Wap","wap_url":"https://m.example/","wap_name":"Tea \"House\""}},"spbill_create_ip":"10.0.0.1"}`},
		{"zero value", WeChatExtendInfo{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.e.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			viaJSON, err := json.Marshal(tt.e)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(viaJSON), "json.Marshal uses MarshalJSON")

			v := url.Values{}
			require.NoError(t, tt.e.EncodeValues("extend_info", &v))
			if tt.e.IsZero() {
				assert.Empty(t, v, "the zero value sends nothing")
			} else {
				assert.Equal(t, url.Values{"extend_info": {tt.want}}, v)
			}
		})
	}
}

func TestWeChatExtendInfoIsZero(t *testing.T) {
	assert.True(t, WeChatExtendInfo{}.IsZero())
	for name, e := range map[string]WeChatExtendInfo{
		"WapURL": {WapURL: "x"}, "WapName": {WapName: "x"}, "ShopperIP": {ShopperIP: "x"},
		"PayerIDNumber": {PayerIDNumber: "x"}, "PayerName": {PayerName: "x"},
	} {
		t.Run(name, func(t *testing.T) { assert.False(t, e.IsZero()) })
	}
}

// TestPaymentExtendInfoAndRMBTag sends payments with extend_info and
// rmb_tag: each valid one is sent once, each invalid one refused before
// sending with a *ValidationError naming the parameter.
func TestPaymentExtendInfoAndRMBTag(t *testing.T) {
	const jsapi = "oo3Lss8d0hLOuyTuSJMVwLTk68JE"
	with := func(pt PayType, e WeChatExtendInfo) *PaymentRequest {
		return &PaymentRequest{PayType: pt, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "X1", ExtendInfo: e}
	}
	h5With := func(change func(*WeChatExtendInfo)) *PaymentRequest {
		e := h5
		change(&e)
		return with(PayTypeWeChatH5, e)
	}
	realNameWith := func(change func(*WeChatExtendInfo)) *PaymentRequest {
		e := realName
		change(&e)
		return with(PayTypeWeChatMPM, e)
	}
	rmb := func(pt PayType, c Currency, tag string) *PaymentRequest {
		return &PaymentRequest{PayType: pt, Amount: 300, Currency: c, OutTradeNo: "X1", GoodsName: "qfpay", RMBTag: tag}
	}
	tests := []struct {
		name   string
		req    *PaymentRequest
		field  string // "" when sent
		reason string // a part of the refusal's reason
	}{
		{"H5 complete", with(PayTypeWeChatH5, h5), "", ""},
		{"H5 with an IPv6 shopper", h5With(func(e *WeChatExtendInfo) { e.ShopperIP = "2001:db8::7" }), "", ""},
		{"H5 without extend_info", with(PayTypeWeChatH5, WeChatExtendInfo{}), "extend_info", "WapURL, WapName and ShopperIP are all required"},
		{"H5 without WapURL", h5With(func(e *WeChatExtendInfo) { e.WapURL = "" }), "extend_info", "all required"},
		{"H5 without WapName", h5With(func(e *WeChatExtendInfo) { e.WapName = "" }), "extend_info", "all required"},
		{"H5 without ShopperIP", h5With(func(e *WeChatExtendInfo) { e.ShopperIP = "" }), "extend_info", "all required"},
		{"H5 with a relative WapURL", h5With(func(e *WeChatExtendInfo) { e.WapURL = "/shop" }), "extend_info", "ExtendInfo.WapURL"},
		{"H5 with a javascript: WapURL", h5With(func(e *WeChatExtendInfo) { e.WapURL = "javascript:alert(1)" }), "extend_info", "absolute http(s) URL"},
		{"H5 with a host name for ShopperIP", h5With(func(e *WeChatExtendInfo) { e.ShopperIP = "shopper.example" }), "extend_info", "not an IP address"},
		{"H5 with an IP and port", h5With(func(e *WeChatExtendInfo) { e.ShopperIP = "203.0.113.7:443" }), "extend_info", "not an IP address"},
		{"H5 with a zoned IPv6", h5With(func(e *WeChatExtendInfo) { e.ShopperIP = "fe80::1%eth0" }), "extend_info", "not an IP address"},
		{"H5 with a newline in WapName", h5With(func(e *WeChatExtendInfo) { e.WapName = "Tea\nShop" }), "extend_info", "control character"},
		{"H5 WapName not UTF-8", h5With(func(e *WeChatExtendInfo) { e.WapName = "caf\xe9" }), "extend_info", "not valid UTF-8"},
		{"H5 with the real-name fields", h5With(func(e *WeChatExtendInfo) { e.PayerIDNumber, e.PayerName = realName.PayerIDNumber, realName.PayerName }),
			"extend_info", "real-name check"},

		{"real name on WeChat MPM", with(PayTypeWeChatMPM, realName), "", ""},
		{"real name on WeChat in-app", func() *PaymentRequest { r := with(PayTypeWeChatInApp, realName); r.GoodsName = "qfpay"; return r }(), "", ""},
		{"real name on WeChat JSAPI", func() *PaymentRequest { r := with(PayTypeWeChatJSAPI, realName); r.SubOpenID = jsapi; return r }(), "", ""},
		{"real name on the mini program", func() *PaymentRequest { r := with(PayTypeWeChatMiniProgram, realName); r.SubOpenID = jsapi; return r }(), "", ""},
		{"no extend_info on WeChat MPM", with(PayTypeWeChatMPM, WeChatExtendInfo{}), "", ""},
		{"real name, ID number ending in a digit", realNameWith(func(e *WeChatExtendInfo) { e.PayerIDNumber = "110105194912310021" }), "", ""},
		{"real name without the name", realNameWith(func(e *WeChatExtendInfo) { e.PayerName = "" }), "extend_info", "go together"},
		{"real name without the ID number", realNameWith(func(e *WeChatExtendInfo) { e.PayerIDNumber = "" }), "extend_info", "go together"},
		{"ID number of 17 characters", realNameWith(func(e *WeChatExtendInfo) { e.PayerIDNumber = "1101051949123100X" }), "extend_info", "not a PRC resident identity card number"},
		{"ID number with a lower-case x", realNameWith(func(e *WeChatExtendInfo) { e.PayerIDNumber = "11010519491231002x" }), "extend_info", "17 digits and a check digit or X"},
		{"ID number with X inside", realNameWith(func(e *WeChatExtendInfo) { e.PayerIDNumber = "1101051949123X0021" }), "extend_info", "not a PRC"},
		{"name with a control character", realNameWith(func(e *WeChatExtendInfo) { e.PayerName = "张\t三" }), "extend_info", "ExtendInfo.PayerName holds a control character"},
		{"H5 fields on WeChat MPM", with(PayTypeWeChatMPM, h5), "extend_info", "are for WeChat Pay H5 (800212), not 800201"},
		{"extend_info on Alipay", with(PayTypeAlipayMPM, realName), "extend_info", "taken only by WeChat Pay H5 (800212)"},
		{"extend_info on WeChat CPM", func() *PaymentRequest { r := with(PayTypeWeChatCPM, h5); r.AuthCode = "134857901234588557"; return r }(),
			"extend_info", "not by 800208"},

		{"rmb_tag on WeChat MPM in CNY", rmb(PayTypeWeChatMPM, CurrencyCNY, RMBTagYes), "", ""},
		{"rmb_tag on WeChat in-app in CNY", rmb(PayTypeWeChatInApp, CurrencyCNY, RMBTagYes), "", ""},
		{"rmb_tag in HKD", rmb(PayTypeWeChatMPM, CurrencyHKD, RMBTagYes), "rmb_tag", "Currency must be CNY, not HKD"},
		{"rmb_tag N", rmb(PayTypeWeChatMPM, CurrencyCNY, "N"), "rmb_tag", `RMBTag "N": the only value is "Y"`},
		{"rmb_tag y", rmb(PayTypeWeChatMPM, CurrencyCNY, "y"), "rmb_tag", "the only value"},
		{"rmb_tag on WeChat JSAPI", func() *PaymentRequest {
			r := rmb(PayTypeWeChatJSAPI, CurrencyCNY, RMBTagYes)
			r.SubOpenID = jsapi
			return r
		}(),
			"rmb_tag", "taken only by pay types [800201 800210], not 800207"},
		{"rmb_tag on WeChat Pay H5", func() *PaymentRequest {
			r := with(PayTypeWeChatH5, h5)
			r.Currency, r.RMBTag = CurrencyCNY, RMBTagYes
			return r
		}(),
			"rmb_tag", "not 800212"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			_, err := e.client.Payment(context.Background(), tt.req)
			assertValidation(t, e, err == nil, err, tt.field)
			if tt.field != "" {
				assert.Contains(t, err.Error(), tt.reason)
				assert.NotContains(t, err.Error(), realName.PayerIDNumber[:17], "the ID number stays out of errors")
			}
		})
	}
}

// TestPaymentRefusesCardPresent: the card-present codes are paid at a
// terminal, never sent to /trade/v1/payment.
func TestPaymentRefusesCardPresent(t *testing.T) {
	for _, p := range []PayType{PayTypeVisaMastercardOffline, PayTypeUnionPayCardOffline, PayTypeAmexCardOffline} {
		t.Run(string(p), func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			_, err := e.client.Payment(t.Context(), &PaymentRequest{PayType: p, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "C1"})
			assertValidation(t, e, false, err, "pay_type")
			assert.Contains(t, err.Error(), "is a card presented at a QF Pay terminal")
			assert.True(t, strings.Contains(err.Error(), p.Description()), err.Error())
		})
	}
}
