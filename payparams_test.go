package qfpay

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paymentAnswer runs a payment answered with testdata/file and returns the
// response.
func paymentAnswer(t *testing.T, file string) *PaymentResponse {
	t.Helper()
	e := setup(t)
	e.respondFile(http.MethodPost, "/trade/v1/payment", file)
	resp, err := e.client.Payment(context.Background(), docPaymentRequest())
	require.NoError(t, err)
	return resp
}

func TestWeChatAppParams(t *testing.T) {
	got, err := paymentAnswer(t, "payment_wechat_app.json").WeChatAppParams()
	require.NoError(t, err)
	assert.Equal(t, WeChatAppParams{
		AppID:     "wx3c6896fa9b351f2a",
		PartnerID: "316525492",
		PrepayID:  "wx131253044253463a81dc336e1254149882",
		Package:   "Sign=WXPay",
		NonceStr:  "7786db42d9a245c2b1cfc717ac59376e",
		TimeStamp: "1568350384", // a JSON number in the answer
		Sign:      "XwFjohEKWdkhhT4ueg7BxeDn8tT9LcqoZYdXzifTMYyDGe3/tRchpii6vWgOn21tPSaAtqo766gvifXgDEOwR+ILKN8t97r624IJlrH0EkvSUSLh9E/cga9scXGVy0jPWHM/oVvVzJIvXew79CwZFCNTSJok2KmpSm9X9oPg7PGXbqvNMHltf+YlIOsuiz391qVmFtTE5A/cpA50+06T7iW8GYsOJQTTJed75VY+aSzNo5C6ju6WSgJKpAJJ0ocl+ONtmOp6GLVBSQXaMC4PitQcebcoP2J6fFgQ+YcPwHXasCYEnn4LaFN7zT/AjGg3E3gdCx3ksGNBOazYBRVz+g==",
	}, *got)
}

func TestAlipayAppParams(t *testing.T) {
	got, err := paymentAnswer(t, "payment_alipay_app.json").AlipayAppParams()
	require.NoError(t, err)
	fields := map[string]string{
		"body":                        "test_app",
		"forex_biz":                   "FP",
		"seller_id":                   "2088231067382451",
		"product_code":                "NEW_WAP_OVERSEAS_SELLER",
		"total_fee":                   "0.1", // a JSON number in the answer
		"service":                     "mobile.securitypay.pay",
		"payment_inst":                "ALIPAYHK",
		"subject":                     "qfpay",
		"secondary_merchant_name":     "HKTest (Branch Store)",
		"_input_charset":              "UTF-8",
		"sign":                        "GetP0UKfKIAoCdeop7oFhMaVkDfMGZ9cFjpAHXgvNxZG1FYhsMDcrkgn38LmyN8p9mhzOPEuNWVCZaXjutkqGn9FG%2F1uD8%2FPT8lwyNUNLZ%2BxTJ5mY2RpmGJsQhU2aICbE%2F1uGAPYaQsbN0mFwTLs7IkIXE8lz5kG4VneLyO3%2BZQ%3D",
		"currency":                    "HKD",
		"out_trade_no":                "20190725000300020082770207",
		"payment_type":                "1",
		"secondary_merchant_id":       "2319316",
		"sign_type":                   "RSA",
		"notify_url":                  "https://o2.qfpay.com/online-test/trade/alipay_hk/v1/notify",
		"partner":                     "2088231067382451",
		"it_b_pay":                    "30m",
		"return_url":                  "",
		"secondary_merchant_industry": "5311", // a JSON number in the answer
	}
	assert.Equal(t, AlipayAppParams{
		Service:                   "mobile.securitypay.pay",
		Partner:                   "2088231067382451",
		SellerID:                  "2088231067382451",
		OutTradeNo:                "20190725000300020082770207",
		Subject:                   "qfpay",
		Body:                      "test_app",
		TotalFee:                  "0.1",
		Currency:                  "HKD",
		ForexBiz:                  "FP",
		ProductCode:               "NEW_WAP_OVERSEAS_SELLER",
		PaymentInst:               "ALIPAYHK",
		PaymentType:               "1",
		NotifyURL:                 "https://o2.qfpay.com/online-test/trade/alipay_hk/v1/notify",
		ReturnURL:                 "",
		ItBPay:                    "30m",
		InputCharset:              "UTF-8",
		SecondaryMerchantID:       "2319316",
		SecondaryMerchantName:     "HKTest (Branch Store)",
		SecondaryMerchantIndustry: "5311",
		Sign:                      fields["sign"],
		SignType:                  "RSA",
		Fields:                    fields,
	}, *got)
}

func TestWeChatJSAPIParams(t *testing.T) {
	want := WeChatJSAPIParams{
		AppID:     "wxd930ea5d5a258f4f",
		TimeStamp: "1593746074",
		NonceStr:  "69d8a67fe34e44ca9bb2a20dd299cc58",
		Package:   "prepay_id=wx03111434674853b80d25e0911996417600",
		SignType:  "MD5",
		PaySign:   "B0AECE676746F2A310CB06F27641E809",
	}
	resp := paymentAnswer(t, "payment_wechat_jsapi.json")
	got, err := resp.WeChatJSAPIParams()
	require.NoError(t, err)
	assert.Equal(t, want, *got)

	t.Run("pay_params sent as a JSON string", func(t *testing.T) {
		quoted, err := json.Marshal(string(resp.PayParams))
		require.NoError(t, err)
		got, err := (&PaymentResponse{PayParams: quoted}).WeChatJSAPIParams()
		require.NoError(t, err)
		assert.Equal(t, want, *got)
	})
	t.Run("timeStamp as a number", func(t *testing.T) {
		raw := `{"appId": "wxd930ea5d5a258f4f", "timeStamp": 1593746074, "nonceStr": "n", "package": "prepay_id=wx1", "signType": "MD5", "paySign": "S"}`
		got, err := (&PaymentResponse{PayParams: json.RawMessage(raw)}).WeChatJSAPIParams()
		require.NoError(t, err)
		assert.Equal(t, "1593746074", got.TimeStamp)
	})
}

func TestAlipayTradeNO(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/payment", http.StatusOK,
		`{"respcd": "0000", "syssn": "20200413000300020087033883", "pay_type": "800107", "pay_params": {"tradeNO": "2020041322001453561406303428"}}`)
	req := &PaymentRequest{PayType: PayTypeAlipayServiceWindowH5, Amount: 100, Currency: CurrencyHKD, OutTradeNo: "H5-1", OpenID: "2088802811715388"}
	resp, err := e.client.Payment(context.Background(), req)
	require.NoError(t, err)
	got, err := resp.AlipayTradeNO()
	require.NoError(t, err)
	assert.Equal(t, "2020041322001453561406303428", got)

	got, err = (&PaymentResponse{PayParams: json.RawMessage(`{"tradeNO": 2020041322001453561406303428}`)}).AlipayTradeNO()
	require.NoError(t, err)
	assert.Equal(t, "2020041322001453561406303428", got, "a bare number keeps every digit")
}

func TestPayParamsUnusable(t *testing.T) {
	accessors := map[string]func(*PaymentResponse) (any, error){
		"WeChatJSAPIParams": func(r *PaymentResponse) (any, error) { return r.WeChatJSAPIParams() },
		"WeChatAppParams":   func(r *PaymentResponse) (any, error) { return r.WeChatAppParams() },
		"AlipayAppParams":   func(r *PaymentResponse) (any, error) { return r.AlipayAppParams() },
		"AlipayTradeNO":     func(r *PaymentResponse) (any, error) { return r.AlipayTradeNO() },
	}
	tests := []struct {
		name, raw, want string // raw "" means absent
	}{
		{"absent", "", "missing"},
		{"null", "null", "missing"},
		{"blank", "  ", "missing"},
		{"empty string", `""`, "not a JSON object"},
		{"a string that is not JSON", `"prepay_id=wx1"`, "not a JSON object"},
		{"a bad JSON string", `"unterminated`, "pay_params"},
		{"a number", `42`, "not a JSON object"},
		{"an array", `[{"appId": "wx1"}]`, "not a JSON object"},
		{"garbage", `{appId: wx1}`, "not a JSON object"},
		{"empty object", `{}`, "without"},
		{"a field of the wrong type", `{"appId": {"id": 1}, "appid": [1], "partner": {}, "tradeNO": {}}`, "field"},
	}
	for name, get := range accessors {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				var raw json.RawMessage
				if tt.raw != "" {
					raw = json.RawMessage(tt.raw)
				}
				got, err := get(&PaymentResponse{PayParams: raw})
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), "pay_params")
				assert.Contains(t, err.Error(), tt.want)
				switch v := got.(type) {
				case string:
					assert.Empty(t, v)
				default:
					assert.Nil(t, v)
				}
			})
		}
	}
}

func TestPayParamsOfAnotherWallet(t *testing.T) {
	wechat := paymentAnswer(t, "payment_wechat_app.json")
	alipay := paymentAnswer(t, "payment_alipay_app.json")
	jsapi := paymentAnswer(t, "payment_wechat_jsapi.json")

	_, err := alipay.WeChatAppParams()
	assert.ErrorIs(t, err, ErrMalformedResponse)
	_, err = wechat.AlipayAppParams()
	assert.ErrorIs(t, err, ErrMalformedResponse)
	_, err = wechat.WeChatJSAPIParams()
	assert.ErrorIs(t, err, ErrMalformedResponse, "the app's appid is not the JSAPI's appId")
	_, err = jsapi.WeChatAppParams()
	assert.ErrorIs(t, err, ErrMalformedResponse)
	_, err = jsapi.AlipayTradeNO()
	assert.ErrorIs(t, err, ErrMalformedResponse)
	_, err = paymentAnswer(t, "payment_doc.json").WeChatJSAPIParams()
	assert.ErrorIs(t, err, ErrMalformedResponse, "an MPM answer has no pay_params")
}

func TestAlipayAppParamsFieldNotText(t *testing.T) {
	raw := `{"partner": "2088231067382451", "out_trade_no": "1", "sign": "s", "extra": {"nested": true}}`
	got, err := (&PaymentResponse{PayParams: json.RawMessage(raw)}).AlipayAppParams()
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrMalformedResponse)
	assert.Contains(t, err.Error(), "extra")
}
