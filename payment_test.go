package qfpay

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docPaymentRequest is the documentation's first payment request (API
// section "API Endpoint for Payments"), without the mchid.
func docPaymentRequest() *PaymentRequest {
	return &PaymentRequest{PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyEUR, OutTradeNo: "01234567890123"}
}

// assertSentForm checks one call as the gateway received it: a form POST to
// path with the API's headers, exactly body, and a signature that matches
// both the parameters received and exactly the string signed (sorted raw
// pairs, before the key).
func assertSentForm(t *testing.T, r received, path, body, signed string, st SignType) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, path, r.Path)
	assert.Empty(t, r.RawQuery, "parameters go in the body, not the URL")
	assert.Equal(t, "application/x-www-form-urlencoded; charset=UTF-8", r.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, body, r.RawBody)
	assertSigned(t, r, st)
	assert.Equal(t, referenceHash(signed+testClientKey, st), r.Header.Get("X-QF-SIGN"), "signed %q", signed)
}

// wholeRequest stands, in validation tables, for a *ValidationError about
// the request as a whole (a nil request), whose Field is "".
const wholeRequest = "(request)"

// assertValidation checks the outcome of a validation case: with field ""
// the call was sent once and answered; otherwise it was refused before
// anything was sent, with a *ValidationError whose Field is field (the
// parameter's wire name, or "" for wholeRequest) and which matches
// ErrInvalidRequest.
func assertValidation(t *testing.T, e *testEnv, answered bool, err error, field string) {
	t.Helper()
	if field == "" {
		require.NoError(t, err)
		assert.True(t, answered)
		assert.Len(t, e.requests(), 1)
		return
	}
	assert.False(t, answered)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was sent")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	if field == wholeRequest {
		field = ""
	}
	assert.Equal(t, field, ve.Field, "Field of %q", err)
	assert.NotEmpty(t, ve.Reason)
	assert.True(t, strings.HasPrefix(err.Error(), "qfpay: invalid request: "+ve.Field), err.Error())
	assert.Empty(t, e.requests(), "nothing is sent for an invalid request")
	assert.Zero(t, e.mock.GetTotalCallCount(), "no HTTP call")
}

func TestPaymentRequestBody(t *testing.T) {
	in := func(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, loc)
	}
	tests := []struct {
		name   string
		opts   []Option
		req    PaymentRequest
		body   string // the exact form body
		signed string // the exact string signed, before the key
	}{
		{
			name:   "MPM, the documentation's request, txdtm now",
			opts:   []Option{WithMerchantID("ZaMVg12345")},
			req:    *docPaymentRequest(),
			body:   "mchid=ZaMVg12345&out_trade_no=01234567890123&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2019-12-25+14%3A21%3A28",
			signed: "mchid=ZaMVg12345&out_trade_no=01234567890123&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2019-12-25 14:21:28",
		},
		{
			name: "MPM with expiry, goods name, device and limit_pay",
			req: PaymentRequest{PayType: PayTypeWeChatMPM, Amount: 300, Currency: CurrencyTHB, OutTradeNo: "3Z6HPCS6RN54J2Y8LUQM8RBDVBA9URYE",
				ExpireMinutes: 30, GoodsName: "qfpay", DeviceID: "qiantai2", LimitPay: LimitPayNoCredit},
			body:   "expired_time=30&goods_name=qfpay&limit_pay=no_credit&out_trade_no=3Z6HPCS6RN54J2Y8LUQM8RBDVBA9URYE&pay_type=800201&txamt=300&txcurrcd=THB&txdtm=2019-12-25+14%3A21%3A28&udid=qiantai2",
			signed: "expired_time=30&goods_name=qfpay&limit_pay=no_credit&out_trade_no=3Z6HPCS6RN54J2Y8LUQM8RBDVBA9URYE&pay_type=800201&txamt=300&txcurrcd=THB&txdtm=2019-12-25 14:21:28&udid=qiantai2",
		},
		{
			name: "CPM with auth_code, the documentation's request",
			req: PaymentRequest{PayType: PayTypeWeChatCPM, Amount: 10, Currency: CurrencyHKD, OutTradeNo: "Native201907221520536a25477909",
				AuthCode: "134857901234588557", GoodsName: "qfpay", DeviceID: "AA", TxTime: in(2019, 7, 22, 15, 20, 54, beijing)},
			body:   "auth_code=134857901234588557&goods_name=qfpay&out_trade_no=Native201907221520536a25477909&pay_type=800208&txamt=10&txcurrcd=HKD&txdtm=2019-07-22+15%3A20%3A54&udid=AA",
			signed: "auth_code=134857901234588557&goods_name=qfpay&out_trade_no=Native201907221520536a25477909&pay_type=800208&txamt=10&txcurrcd=HKD&txdtm=2019-07-22 15:20:54&udid=AA",
		},
		{
			name: "online WAP: return_url URL-encoded on the wire, raw in the signature",
			req: PaymentRequest{PayType: PayTypeAlipayOnlineWAP, Amount: 300, Currency: CurrencyTHB, OutTradeNo: "BUFB3PT9ZDUWEUAE4ATD21JKNHVEIIPV",
				GoodsName: "咖啡 x2", ReturnURL: "https://shop.example/return?order=42&lang=en", PayTag: PayTagAlipayCN},
			body:   "goods_name=%E5%92%96%E5%95%A1+x2&out_trade_no=BUFB3PT9ZDUWEUAE4ATD21JKNHVEIIPV&pay_tag=ALIPAYCN&pay_type=801112&return_url=https%3A%2F%2Fshop.example%2Freturn%3Forder%3D42%26lang%3Den&txamt=300&txcurrcd=THB&txdtm=2019-12-25+14%3A21%3A28",
			signed: "goods_name=咖啡 x2&out_trade_no=BUFB3PT9ZDUWEUAE4ATD21JKNHVEIIPV&pay_tag=ALIPAYCN&pay_type=801112&return_url=https://shop.example/return?order=42&lang=en&txamt=300&txcurrcd=THB&txdtm=2019-12-25 14:21:28",
		},
		{
			name:   "Alipay service window H5 with openid",
			req:    PaymentRequest{PayType: PayTypeAlipayServiceWindowH5, Amount: 100, Currency: CurrencyHKD, OutTradeNo: "H5-0001", OpenID: "2088802811715388"},
			body:   "openid=2088802811715388&out_trade_no=H5-0001&pay_type=800107&txamt=100&txcurrcd=HKD&txdtm=2019-12-25+14%3A21%3A28",
			signed: "openid=2088802811715388&out_trade_no=H5-0001&pay_type=800107&txamt=100&txcurrcd=HKD&txdtm=2019-12-25 14:21:28",
		},
		{
			name:   "WeChat JSAPI with sub_openid",
			req:    PaymentRequest{PayType: PayTypeWeChatJSAPI, Amount: 1, Currency: CurrencyTHB, OutTradeNo: "48213957206419573810", SubOpenID: "oo3Lss8d0hLOuyTuSJMVwLTk68JE"},
			body:   "out_trade_no=48213957206419573810&pay_type=800207&sub_openid=oo3Lss8d0hLOuyTuSJMVwLTk68JE&txamt=1&txcurrcd=THB&txdtm=2019-12-25+14%3A21%3A28",
			signed: "out_trade_no=48213957206419573810&pay_type=800207&sub_openid=oo3Lss8d0hLOuyTuSJMVwLTk68JE&txamt=1&txcurrcd=THB&txdtm=2019-12-25 14:21:28",
		},
		{
			name: "WeChat mini program with sub_openid, the documentation's payload",
			req: PaymentRequest{PayType: PayTypeWeChatMiniProgram, Amount: 100, Currency: CurrencySGD, OutTradeNo: "0123456789",
				SubOpenID: "oS80_5dxekECAOlVBeQFk34q123s", TxTime: in(2020, 7, 3, 3, 14, 29, beijing)},
			body:   "out_trade_no=0123456789&pay_type=800213&sub_openid=oS80_5dxekECAOlVBeQFk34q123s&txamt=100&txcurrcd=SGD&txdtm=2020-07-03+03%3A14%3A29",
			signed: "out_trade_no=0123456789&pay_type=800213&sub_openid=oS80_5dxekECAOlVBeQFk34q123s&txamt=100&txcurrcd=SGD&txdtm=2020-07-03 03:14:29",
		},
		{
			name: "WeChat in-app with goods_name, the documentation's request",
			req: PaymentRequest{PayType: PayTypeWeChatInApp, Amount: 10, Currency: CurrencyHKD, OutTradeNo: "O5DNgEgL1XpvbvQSfPhN",
				GoodsName: "qfpay", GoodsInfo: "test_app", DeviceID: "AA", TxTime: in(2019, 9, 13, 4, 53, 3, beijing)},
			body:   "goods_info=test_app&goods_name=qfpay&out_trade_no=O5DNgEgL1XpvbvQSfPhN&pay_type=800210&txamt=10&txcurrcd=HKD&txdtm=2019-09-13+04%3A53%3A03&udid=AA",
			signed: "goods_info=test_app&goods_name=qfpay&out_trade_no=O5DNgEgL1XpvbvQSfPhN&pay_type=800210&txamt=10&txcurrcd=HKD&txdtm=2019-09-13 04:53:03&udid=AA",
		},
		{
			name: "Alipay HK in-app with pay_tag and mchid, the documentation's request",
			opts: []Option{WithMerchantID("R1zQrTdJnn")},
			req: PaymentRequest{PayType: PayTypeAlipayHKInApp, Amount: 10, Currency: CurrencyHKD, OutTradeNo: "Native20190725152211e999e6db0e",
				GoodsName: "qfpay", GoodsInfo: "test_app", PayTag: PayTagAlipayHK, DeviceID: "AA", TxTime: in(2019, 7, 25, 15, 22, 12, beijing)},
			body:   "goods_info=test_app&goods_name=qfpay&mchid=R1zQrTdJnn&out_trade_no=Native20190725152211e999e6db0e&pay_tag=ALIPAYHK&pay_type=801510&txamt=10&txcurrcd=HKD&txdtm=2019-07-25+15%3A22%3A12&udid=AA",
			signed: "goods_info=test_app&goods_name=qfpay&mchid=R1zQrTdJnn&out_trade_no=Native20190725152211e999e6db0e&pay_tag=ALIPAYHK&pay_type=801510&txamt=10&txcurrcd=HKD&txdtm=2019-07-25 15:22:12&udid=AA",
		},
		{
			name: "pre-authorization with the request's own txzone, the documentation's request",
			opts: []Option{WithMerchantID("R1zQrTdJnn")},
			req: PaymentRequest{PayType: "801802", Amount: 1, Currency: CurrencyUSD, OutTradeNo: "alipay201909261129164551bcdd40",
				GoodsName: "goodcode1", TimeZone: "+0800", TxTime: in(2019, 9, 26, 11, 29, 16, beijing)},
			body:   "goods_name=goodcode1&mchid=R1zQrTdJnn&out_trade_no=alipay201909261129164551bcdd40&pay_type=801802&txamt=1&txcurrcd=USD&txdtm=2019-09-26+11%3A29%3A16&txzone=%2B0800",
			signed: "goods_name=goodcode1&mchid=R1zQrTdJnn&out_trade_no=alipay201909261129164551bcdd40&pay_type=801802&txamt=1&txcurrcd=USD&txdtm=2019-09-26 11:29:16&txzone=+0800",
		},
		{
			name: "card online with a per-order notify_url: URL-encoded on the wire, raw in the signature",
			req: PaymentRequest{PayType: PayTypeVisaMastercardOnline, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "N1",
				NotifyURL: "https://shop.example/qfpay/notify?shop=7&x=a b"},
			body:   "notify_url=https%3A%2F%2Fshop.example%2Fqfpay%2Fnotify%3Fshop%3D7%26x%3Da+b&out_trade_no=N1&pay_type=802801&txamt=300&txcurrcd=HKD&txdtm=2019-12-25+14%3A21%3A28",
			signed: "notify_url=https://shop.example/qfpay/notify?shop=7&x=a b&out_trade_no=N1&pay_type=802801&txamt=300&txcurrcd=HKD&txdtm=2019-12-25 14:21:28",
		},
		{
			name: "WeChat Pay H5: extend_info's JSON string URL-encoded on the wire, signed raw",
			req: PaymentRequest{PayType: PayTypeWeChatH5, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "H5W-1",
				ExtendInfo: WeChatExtendInfo{WapURL: "https://m.shop.example/?a=1&b=2", WapName: "Milk Tea Shop", ShopperIP: "203.0.113.7"}},
			body: "extend_info=%7B%22scene_info%22%3A%7B%22h5_info%22%3A%7B%22type%22%3A%22Wap%22%2C%22wap_url%22%3A%22https%3A%2F%2Fm.shop.example%2F%3Fa%3D1%26b%3D2%22%2C%22wap_name%22%3A%22Milk+Tea+Shop%22%7D%7D%2C%22spbill_create_ip%22%3A%22203.0.113.7%22%7D" +
				"&out_trade_no=H5W-1&pay_type=800212&txamt=300&txcurrcd=HKD&txdtm=2019-12-25+14%3A21%3A28",
			signed: `extend_info={"scene_info":{"h5_info":{"type":"Wap","wap_url":"https://m.shop.example/?a=1&b=2","wap_name":"Milk Tea Shop"}},"spbill_create_ip":"203.0.113.7"}` +
				"&out_trade_no=H5W-1&pay_type=800212&txamt=300&txcurrcd=HKD&txdtm=2019-12-25 14:21:28",
		},
		{
			name: "WeChat real-name check: extend_info with the payer's Chinese name as UTF-8",
			req: PaymentRequest{PayType: PayTypeWeChatMPM, Amount: 300, Currency: CurrencyCNY, OutTradeNo: "RN-1",
				ExtendInfo: WeChatExtendInfo{PayerIDNumber: "11010519491231002X", PayerName: "张三"}},
			body:   "extend_info=%7B%22user_creid%22%3A%2211010519491231002X%22%2C%22user_truename%22%3A%22%E5%BC%A0%E4%B8%89%22%7D&out_trade_no=RN-1&pay_type=800201&txamt=300&txcurrcd=CNY&txdtm=2019-12-25+14%3A21%3A28",
			signed: `extend_info={"user_creid":"11010519491231002X","user_truename":"张三"}&out_trade_no=RN-1&pay_type=800201&txamt=300&txcurrcd=CNY&txdtm=2019-12-25 14:21:28`,
		},
		{
			name: "WeChat Pay HK in renminbi: rmb_tag Y",
			req: PaymentRequest{PayType: PayTypeWeChatInApp, Amount: 500, Currency: CurrencyCNY, OutTradeNo: "RMB-1",
				GoodsName: "qfpay", RMBTag: RMBTagYes},
			body:   "goods_name=qfpay&out_trade_no=RMB-1&pay_type=800210&rmb_tag=Y&txamt=500&txcurrcd=CNY&txdtm=2019-12-25+14%3A21%3A28",
			signed: "goods_name=qfpay&out_trade_no=RMB-1&pay_type=800210&rmb_tag=Y&txamt=500&txcurrcd=CNY&txdtm=2019-12-25 14:21:28",
		},
		{
			name:   "renumbered Alipay online WAP, 801107",
			req:    PaymentRequest{PayType: PayTypeAlipayOverseasWAP, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "AW-1", ExpireMinutes: 15},
			body:   "expired_time=15&out_trade_no=AW-1&pay_type=801107&txamt=300&txcurrcd=HKD&txdtm=2019-12-25+14%3A21%3A28",
			signed: "expired_time=15&out_trade_no=AW-1&pay_type=801107&txamt=300&txcurrcd=HKD&txdtm=2019-12-25 14:21:28",
		},
		{
			name:   "explicit TxTime in UTC written in the client's zone",
			req:    PaymentRequest{PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyEUR, OutTradeNo: "T1", TxTime: in(2019, 12, 31, 20, 5, 0, time.UTC)},
			body:   "out_trade_no=T1&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2020-01-01+04%3A05%3A00",
			signed: "out_trade_no=T1&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2020-01-01 04:05:00",
		},
		{
			name: "empty optionals neither sent nor signed",
			req: PaymentRequest{PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyEUR, OutTradeNo: "T2",
				AuthCode: "", ExpireMinutes: 0, GoodsName: "", GoodsInfo: "", MerchantID: "", TimeZone: "", DeviceID: "",
				ReturnURL: "", LimitPay: "", PayTag: "", OpenID: "", SubOpenID: "", NotifyURL: "", ExtendInfo: WeChatExtendInfo{}, RMBTag: ""},
			body:   "out_trade_no=T2&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2019-12-25+14%3A21%3A28",
			signed: "out_trade_no=T2&pay_type=800101&txamt=10&txcurrcd=EUR&txdtm=2019-12-25 14:21:28",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
				req := tt.req
				_, err := e.client.Payment(context.Background(), &req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), "/trade/v1/payment", tt.body, tt.signed, st)
				assert.Equal(t, tt.req, req, "the caller's request is left as it was")
			})
		}
	}
}

// TestPaymentSignatureVectors sends the reference vectors' payments and
// compares X-QF-SIGN with the independently computed signature.
func TestPaymentSignatureVectors(t *testing.T) {
	for _, vec := range loadVectors(t).Requests {
		if vec.Params["pay_type"] == "" || vec.Key != testClientKey {
			continue
		}
		t.Run(vec.Name, func(t *testing.T) {
			p := vec.Params
			txdtm, err := time.ParseInLocation("2006-01-02 15:04:05", p["txdtm"], beijing)
			require.NoError(t, err)
			amount, err := strconv.ParseInt(p["txamt"], 10, 64)
			require.NoError(t, err)
			e := setup(t, WithSignType(SignType(vec.SignType)), WithMerchantID(p["mchid"]))
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			_, err = e.client.Payment(context.Background(), &PaymentRequest{
				PayType: PayType(p["pay_type"]), Amount: amount, Currency: Currency(p["txcurrcd"]), OutTradeNo: p["out_trade_no"],
				TxTime: txdtm, AuthCode: p["auth_code"], GoodsName: p["goods_name"], DeviceID: p["udid"],
			})
			require.NoError(t, err)
			r := e.last()
			assert.Len(t, r.Params, len(p), "exactly the vector's parameters: %v", r.Params)
			for k, v := range p {
				assert.Equal(t, v, r.Params.Get(k), k)
			}
			assert.Equal(t, vec.Signature, r.Header.Get("X-QF-SIGN"))
		})
	}
}

func TestPaymentDecodesSamples(t *testing.T) {
	tests := []struct {
		file      string
		want      PaymentResponse
		payParams string // JSON, "" when the answer has none
	}{
		{"payment_doc.json", PaymentResponse{
			SysSN:      "20191225000200020060996533",
			OutTradeNo: "01234567890123",
			PayType:    "800101",
			Amount:     10,
			Currency:   "EUR",
			TxTime:     time.Date(2019, 12, 25, 14, 21, 28, 0, beijing),
			SysTime:    time.Date(2019, 12, 25, 14, 22, 37, 0, beijing),
			PayTime:    time.Date(2019, 12, 25, 14, 22, 37, 0, beijing),
			QRCode:     "https://qr.alipay.com/bax01781r3pu4fjaqazt4091",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
		}, ""},
		{"payment_mpm.json", PaymentResponse{
			SysSN:         "20200423066200020000976054",
			OutTradeNo:    "364ZK6BAJGYHMU3TUX0X7MGIGQL4O8KI",
			PayType:       "800101",
			Amount:        1,
			Currency:      "EUR",
			TxTime:        time.Date(2020, 4, 23, 11, 9, 24, 0, beijing),
			SysTime:       time.Date(2020, 4, 23, 11, 9, 27, 0, beijing),
			QRCode:        "https://qr.alipay.com/bax03190uxd47wbekffy6033",
			DeviceID:      "qiantai2",
			SurchargeFee:  "0",
			SurchargeRate: "0",
			RespCode:      "0000",
			Message:       "success",
		}, ""},
		{"payment_cpm.json", PaymentResponse{
			SysSN:      "20190722000300020081074842",
			OutTradeNo: "201907221520536a25477909",
			PayType:    "800108",
			Amount:     10,
			Currency:   "EUR",
			TxTime:     time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
			SysTime:    time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
			PayTime:    time.Date(2019, 7, 22, 15, 20, 56, 0, beijing),
			ChannelSN:  "4200000384201907223585006133",
			DeviceID:   "AA",
			RespCode:   "0000",
			Message:    "交易成功",
			Detail:     "OK",
		}, ""},
		{"payment_online_web.json", PaymentResponse{
			SysSN:      "20200413000300020087033882",
			OutTradeNo: "4K35N374II7UJJ8RGIAE45O2CVHGHFF0",
			PayType:    "801114",
			Amount:     300,
			Currency:   "THB",
			TxTime:     time.Date(2020, 4, 13, 10, 30, 34, 0, beijing),
			SysTime:    time.Date(2020, 4, 13, 10, 30, 34, 0, beijing),
			PayTime:    time.Date(2020, 4, 13, 10, 30, 34, 0, beijing),
			PayURL:     "https://globalmapi.alipay.com/gateway.do?total_fee=3.0&secondary_merchant_name=###merchant_name###&out_trade_no=20200413000300020087033882&secondary_merchant_industry=7011&service=create_forex_trade&_input_charset=UTF-8&sign=02beb99974ce6167666280b9727c4444&currency=THB&notify_url=https%3A%2F%2Fo2.qfpay.com%2Fonline-test%2Ftrade%2Falipay%2Fv1%2Fonline_notify&order_valid_time=1800&secondary_merchant_id=2565075&sign_type=MD5&partner=2088631377368888&product_code=NEW_OVERSEAS_SELLER&order_gmt_create=2020-04-13+10%3A30%3A34&return_url=&subject=###merchant_name###",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
		}, ""},
		{"payment_online_wap.json", PaymentResponse{
			SysSN:      "20200413000200020087171988",
			OutTradeNo: "BUFB3PT9ZDUWEUAE4ATD21JKNHVEIIPV",
			PayType:    "801112",
			Amount:     300,
			Currency:   "THB",
			TxTime:     time.Date(2020, 4, 13, 11, 32, 3, 0, beijing),
			SysTime:    time.Date(2020, 4, 13, 11, 32, 3, 0, beijing),
			PayTime:    time.Date(2020, 4, 13, 11, 32, 3, 0, beijing),
			PayURL:     "https://globalmapi.alipay.com/gateway.do?total_fee=3.0&secondary_merchant_name=###merchant_name###&out_trade_no=20200413000200020087171988&secondary_merchant_industry=7011&service=create_forex_trade_wap&_input_charset=UTF-8&sign=f16ef36efbb55058d1c1d36fef89bcf8&currency=THB&timeout_rule=30m&notify_url=https%3A%2F%2Fo2.qfpay.com%2Fonline-test%2Ftrade%2Falipay%2Fv1%2Fonline_notify&secondary_merchant_id=2565075&sign_type=MD5&partner=2088631377368888&product_code=NEW_WAP_OVERSEAS_SELLER&return_url=&subject=###merchant_name###",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
		}, ""},
		{"payment_wechat_mpm.json", PaymentResponse{
			SysSN:      "20200410000300020086358791",
			OutTradeNo: "3Z6HPCS6RN54J2Y8LUQM8RBDVBA9URYE",
			PayType:    "800201",
			Amount:     300,
			Currency:   "THB",
			TxTime:     time.Date(2020, 4, 10, 11, 45, 44, 0, beijing),
			SysTime:    time.Date(2020, 4, 10, 11, 45, 44, 0, beijing),
			PayTime:    time.Date(2020, 4, 10, 11, 45, 44, 0, beijing),
			QRCode:     "weixin://wxpay/bizpayurl?pr=4PsXP5N",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
			Detail:     "OK",
		}, ""},
		{"payment_wechat_app.json", PaymentResponse{
			SysSN:      "20190913152100020001567741",
			OutTradeNo: "O5DNgEgL1XpvbvQSfPhN",
			PayType:    "800210",
			Amount:     10,
			Currency:   "HKD",
			TxTime:     time.Date(2019, 9, 13, 4, 53, 3, 0, beijing),
			SysTime:    time.Date(2019, 9, 13, 12, 53, 4, 0, beijing),
			PayTime:    time.Date(2019, 9, 13, 12, 53, 4, 0, beijing),
			DeviceID:   "AA",
			RespCode:   "0000",
			Message:    "交易成功",
		}, `{"package": "Sign=WXPay", "timestamp": 1568350384,
			"sign": "XwFjohEKWdkhhT4ueg7BxeDn8tT9LcqoZYdXzifTMYyDGe3/tRchpii6vWgOn21tPSaAtqo766gvifXgDEOwR+ILKN8t97r624IJlrH0EkvSUSLh9E/cga9scXGVy0jPWHM/oVvVzJIvXew79CwZFCNTSJok2KmpSm9X9oPg7PGXbqvNMHltf+YlIOsuiz391qVmFtTE5A/cpA50+06T7iW8GYsOJQTTJed75VY+aSzNo5C6ju6WSgJKpAJJ0ocl+ONtmOp6GLVBSQXaMC4PitQcebcoP2J6fFgQ+YcPwHXasCYEnn4LaFN7zT/AjGg3E3gdCx3ksGNBOazYBRVz+g==",
			"partnerid": "316525492", "appid": "wx3c6896fa9b351f2a", "prepayid": "wx131253044253463a81dc336e1254149882", "noncestr": "7786db42d9a245c2b1cfc717ac59376e"}`},
		{"payment_alipay_app.json", PaymentResponse{
			SysSN:      "20190725000300020082770207",
			OutTradeNo: "Native20190725152211e999e6db0e",
			PayType:    "801510",
			Amount:     10,
			Currency:   "HKD",
			TxTime:     time.Date(2019, 7, 25, 15, 22, 12, 0, beijing),
			SysTime:    time.Date(2019, 7, 25, 15, 22, 14, 0, beijing),
			PayTime:    time.Date(2019, 7, 25, 15, 22, 14, 0, beijing),
			DeviceID:   "AA",
			RespCode:   "0000",
			Message:    "交易成功",
		}, `{"body": "test_app", "forex_biz": "FP", "seller_id": "2088231067382451", "product_code": "NEW_WAP_OVERSEAS_SELLER",
			"total_fee": 0.1, "service": "mobile.securitypay.pay", "payment_inst": "ALIPAYHK", "subject": "qfpay",
			"secondary_merchant_name": "HKTest (Branch Store)", "_input_charset": "UTF-8",
			"sign": "GetP0UKfKIAoCdeop7oFhMaVkDfMGZ9cFjpAHXgvNxZG1FYhsMDcrkgn38LmyN8p9mhzOPEuNWVCZaXjutkqGn9FG%2F1uD8%2FPT8lwyNUNLZ%2BxTJ5mY2RpmGJsQhU2aICbE%2F1uGAPYaQsbN0mFwTLs7IkIXE8lz5kG4VneLyO3%2BZQ%3D",
			"currency": "HKD", "out_trade_no": "20190725000300020082770207", "payment_type": "1", "secondary_merchant_id": "2319316",
			"sign_type": "RSA", "notify_url": "https://o2.qfpay.com/online-test/trade/alipay_hk/v1/notify", "partner": "2088231067382451",
			"it_b_pay": "30m", "return_url": "", "secondary_merchant_industry": 5311}`},
		{"payment_wechat_jsapi.json", PaymentResponse{
			SysSN:      "20200703000300020093847561",
			OutTradeNo: "0123456789",
			PayType:    "800213",
			Amount:     100,
			Currency:   "SGD",
			TxTime:     time.Date(2020, 7, 3, 3, 14, 29, 0, beijing),
			SysTime:    time.Date(2020, 7, 3, 11, 14, 34, 0, beijing),
			PayTime:    time.Date(2020, 7, 3, 11, 14, 34, 0, beijing),
			RespCode:   "0000",
			Message:    "交易成功",
		}, `{"appId": "wxd930ea5d5a258f4f", "timeStamp": "1593746074", "nonceStr": "69d8a67fe34e44ca9bb2a20dd299cc58",
			"package": "prepay_id=wx03111434674853b80d25e0911996417600", "signType": "MD5", "paySign": "B0AECE676746F2A310CB06F27641E809"}`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", tt.file)
			got, err := e.client.Payment(context.Background(), docPaymentRequest())
			require.NoError(t, err)
			require.NotNil(t, got)
			if tt.payParams == "" {
				assert.Nil(t, got.PayParams)
			} else {
				assert.JSONEq(t, tt.payParams, string(got.PayParams))
			}
			got.PayParams = nil
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestPaymentTimesReadInClientLocation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	e := setup(t, WithLocation(tokyo))
	e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
	got, err := e.client.Payment(context.Background(), docPaymentRequest())
	require.NoError(t, err)
	assert.Equal(t, time.Date(2019, 12, 25, 14, 22, 37, 0, tokyo), got.SysTime)
	assert.Same(t, tokyo, got.SysTime.Location())
	assert.Equal(t, time.Date(2019, 12, 25, 14, 21, 28, 0, tokyo), got.TxTime)
}

func TestPaymentPending(t *testing.T) {
	tests := []struct {
		file, code string
	}{
		{"payment_1143.json", CodePasswordPending},
		{"payment_1145.json", CodeProcessing},
		{"payment_1298.json", CodeSlowNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", tt.file)
			req := &PaymentRequest{PayType: PayTypeWeChatCPM, Amount: 10, Currency: CurrencyHKD, OutTradeNo: "Native201907221520536a25477909", AuthCode: "134857901234588557"}
			got, err := e.client.Payment(context.Background(), req)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrPending)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a pending answer is an answer")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
			assert.True(t, apiErr.Pending())
			assert.Equal(t, CodeDescription(tt.code), apiErr.Description())
			assert.NotEmpty(t, apiErr.Description())
			require.NotNil(t, got, "the response comes back with ErrPending")
			assert.Equal(t, "20190722000300020081074842", got.SysSN)
			assert.Equal(t, tt.code, got.RespCode)
			assert.Equal(t, int64(10), got.Amount)
			assert.Equal(t, time.Date(2019, 7, 22, 15, 20, 54, 0, beijing), got.SysTime)
			assert.Len(t, e.requests(), 1, "a payment is never re-sent")
		})
	}
}

func TestPaymentRefused(t *testing.T) {
	tests := []struct {
		name, file  string
		status      int
		code        string
		message     string
		detail      string
		description string
	}{
		{"signature error", "payment_1108.json", http.StatusOK, "1108", "Signature error (1108)", "签名错误", "Signature error"},
		{"signature error on HTTP 400", "payment_1108.json", http.StatusBadRequest, "1108", "Signature error (1108)", "签名错误", "Signature error"},
		{"pre-authorization refused, the documentation's sample", "payment_1297.json", http.StatusOK, "1297",
			"Network busy, don't worry, we are fixing it (1297)", "预授权发码参数异常或参数缺失",
			"The banking system is busy. Please try again later or use other payment methods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, "/trade/v1/payment", tt.status, readTestdata(t, tt.file))
			got, err := e.client.Payment(context.Background(), docPaymentRequest())
			assert.Nil(t, got, "no response on a refusal")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Equal(t, tt.detail, apiErr.Detail)
			assert.Equal(t, tt.status, apiErr.HTTPStatus)
			assert.Equal(t, "/trade/v1/payment", apiErr.Path)
			assert.Equal(t, tt.description, apiErr.Description())
			assert.NotErrorIs(t, err, ErrPending)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a refusal with a respcd is a known outcome")
			assert.NotErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), tt.code)
			assert.Contains(t, err.Error(), tt.description)
			assert.Len(t, e.requests(), 1)
		})
	}
}

func TestPaymentValidation(t *testing.T) {
	with := func(change func(r *PaymentRequest)) *PaymentRequest {
		r := docPaymentRequest()
		change(r)
		return r
	}
	tests := []struct {
		name  string
		req   *PaymentRequest
		field string // "" when the request is valid
	}{
		{"nil request", nil, wholeRequest},
		{"no PayType", with(func(r *PaymentRequest) { r.PayType = "" }), "pay_type"},
		{"no Currency", with(func(r *PaymentRequest) { r.Currency = "" }), "txcurrcd"},
		{"no OutTradeNo", with(func(r *PaymentRequest) { r.OutTradeNo = "" }), "out_trade_no"},
		{"Amount 0", with(func(r *PaymentRequest) { r.Amount = 0 }), "txamt"},
		{"Amount negative", with(func(r *PaymentRequest) { r.Amount = -10 }), "txamt"},
		{"OutTradeNo of 129 characters", with(func(r *PaymentRequest) { r.OutTradeNo = strings.Repeat("A", 129) }), "out_trade_no"},
		{"OutTradeNo of 128 characters", with(func(r *PaymentRequest) { r.OutTradeNo = strings.Repeat("A", 128) }), ""},
		{"OutTradeNo of 128 multi-byte characters", with(func(r *PaymentRequest) { r.OutTradeNo = strings.Repeat("号", 128) }), ""},
		{"ExpireMinutes 4", with(func(r *PaymentRequest) { r.ExpireMinutes = 4 }), "expired_time"},
		{"ExpireMinutes 5", with(func(r *PaymentRequest) { r.ExpireMinutes = 5 }), ""},
		{"ExpireMinutes 120", with(func(r *PaymentRequest) { r.ExpireMinutes = 120 }), ""},
		{"ExpireMinutes 121", with(func(r *PaymentRequest) { r.ExpireMinutes = 121 }), "expired_time"},
		{"ExpireMinutes negative", with(func(r *PaymentRequest) { r.ExpireMinutes = -1 }), "expired_time"},
		{"CPM without AuthCode", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayCPM }), "auth_code"},
		{"unified CPM without AuthCode", with(func(r *PaymentRequest) { r.PayType = PayTypeUnifiedCPM }), "auth_code"},
		{"pre-auth CPM without AuthCode", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayPreAuthCPM }), "auth_code"},
		{"CPM with AuthCode", with(func(r *PaymentRequest) {
			r.PayType = PayTypeAlipayCPM
			r.AuthCode = "280438849930815813"
		}), ""},
		{"H5 without OpenID", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayServiceWindowH5 }), "openid"},
		{"H5 with SubOpenID only", with(func(r *PaymentRequest) {
			r.PayType, r.SubOpenID = PayTypeAlipayServiceWindowH5, "oo3Lss8d0hLOuyTuSJMVwLTk68JE"
		}), "openid"},
		{"JSAPI without SubOpenID", with(func(r *PaymentRequest) { r.PayType = PayTypeWeChatJSAPI }), "sub_openid"},
		{"JSAPI with OpenID only", with(func(r *PaymentRequest) {
			r.PayType, r.OpenID = PayTypeWeChatJSAPI, "2088802811715388"
		}), "sub_openid"},
		{"mini program without SubOpenID", with(func(r *PaymentRequest) { r.PayType = PayTypeWeChatMiniProgram }), "sub_openid"},
		{"WeChat in-app without GoodsName", with(func(r *PaymentRequest) { r.PayType = PayTypeWeChatInApp }), "goods_name"},
		{"Alipay in-app without GoodsName", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayInApp }), "goods_name"},
		{"pre-auth in-app without GoodsName", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayPreAuthInApp }), "goods_name"},
		{"in-app with GoodsName", with(func(r *PaymentRequest) { r.PayType, r.GoodsName = PayTypeWeChatInApp, "qfpay" }), ""},
		{"GoodsName of 65 characters", with(func(r *PaymentRequest) { r.GoodsName = strings.Repeat("g", 65) }), "goods_name"},
		{"GoodsName of 64 characters", with(func(r *PaymentRequest) { r.GoodsName = strings.Repeat("货", 64) }), ""},
		{"NotifyURL https", with(func(r *PaymentRequest) { r.NotifyURL = "https://shop.example/qfpay/notify" }), ""},
		{"NotifyURL https on port 443", with(func(r *PaymentRequest) { r.NotifyURL = "https://shop.example:443/n" }), ""},
		{"NotifyURL https on port 8443", with(func(r *PaymentRequest) { r.NotifyURL = "https://shop.example:8443/n" }), "notify_url"},
		{"NotifyURL http on a public host", with(func(r *PaymentRequest) { r.NotifyURL = "http://shop.example/n" }), "notify_url"},
		{"NotifyURL http on loopback, any port", with(func(r *PaymentRequest) { r.NotifyURL = "http://127.0.0.1:8787/n" }), ""},
		{"NotifyURL relative", with(func(r *PaymentRequest) { r.NotifyURL = "/qfpay/notify" }), "notify_url"},
		{"NotifyURL javascript:", with(func(r *PaymentRequest) { r.NotifyURL = "javascript:alert(1)" }), "notify_url"},
		{"NotifyURL of 256 characters", with(func(r *PaymentRequest) { r.NotifyURL = "https://m.example/" + strings.Repeat("n", 238) }), ""},
		{"NotifyURL of 257 characters", with(func(r *PaymentRequest) { r.NotifyURL = "https://m.example/" + strings.Repeat("n", 239) }), "notify_url"},
		{"ReturnURL of 513 characters", with(func(r *PaymentRequest) {
			r.PayType, r.ReturnURL = PayTypeAlipayOnlineQR, "https://m.example/"+strings.Repeat("r", 495)
		}), "return_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			got, err := e.client.Payment(context.Background(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}

// TestPaymentMalformedSuccess: a 0000 payment that cannot be used may still
// have moved money, so it is both malformed and of unknown outcome.
// TestPaymentLenientFields: a success whose fields the SDK does not rely on
// come in a type nobody expected is still a success, never an unknown
// outcome: the customer may have paid. Those fields keep their value as
// sent (a decimal surcharge) or as JSON text.
func TestPaymentLenientFields(t *testing.T) {
	tests := []struct {
		file string
		want PaymentResponse
	}{
		{"payment_surcharge_decimal.json", PaymentResponse{
			SysSN:         "20200423066200020000976054",
			OutTradeNo:    "364ZK6BAJGYHMU3TUX0X7MGIGQL4O8KI",
			PayType:       PayTypeAlipayMPM,
			Amount:        100,
			Currency:      CurrencyEUR,
			TxTime:        time.Date(2020, 4, 23, 11, 9, 24, 0, beijing),
			SysTime:       time.Date(2020, 4, 23, 11, 9, 27, 0, beijing),
			QRCode:        "https://qr.alipay.com/bax03190uxd47wbekffy6033",
			DeviceID:      "qiantai2",
			SurchargeFee:  "0.50",
			SurchargeRate: "0.5%",
			RespCode:      "0000",
			Message:       "success",
		}},
		{"payment_unexpected_types.json", PaymentResponse{
			SysSN:         "20200423066200020000976054",
			OutTradeNo:    "364ZK6BAJGYHMU3TUX0X7MGIGQL4O8KI",
			PayType:       PayTypeAlipayMPM,
			Amount:        100,
			Currency:      CurrencyEUR,
			TxTime:        time.Date(2020, 4, 23, 11, 9, 24, 0, beijing),
			SysTime:       time.Date(2020, 4, 23, 11, 9, 27, 0, beijing),
			QRCode:        `{"url": "https://qr.alipay.com/bax03190uxd47wbekffy6033"}`,
			ChannelSN2:    "false",
			CardNumber:    "[]",
			DeviceID:      "{}",
			SurchargeFee:  "0.5",
			SurchargeRate: "[0.5]",
			RespCode:      "0000",
			Message:       `{"en": "success"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", tt.file)
			got, err := e.client.Payment(context.Background(), docPaymentRequest())
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestPaymentMalformedSuccess(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"0000 without syssn", `{"respcd": "0000", "resperr": "success", "out_trade_no": "01234567890123", "txamt": "10"}`, "syssn"},
		{"0000 with empty syssn", `{"respcd": "0000", "syssn": "", "out_trade_no": "01234567890123"}`, "syssn"},
		{"0000 with null syssn", `{"respcd": 0000, "syssn": null}`, "syssn"},
		{"txamt not a number", `{"respcd": "0000", "syssn": "20191225000200020060996533", "txamt": "ten"}`, "txamt"},
		{"txamt with a fraction", `{"respcd": "0000", "syssn": "20191225000200020060996533", "txamt": 10.5}`, "txamt"},
		{"sysdtm not a time", `{"respcd": "0000", "syssn": "20191225000200020060996533", "sysdtm": "25/12/2019"}`, "sysdtm"},
		{"syssn an object", `{"respcd": "0000", "syssn": {"id": "20191225000200020060996533"}}`, "syssn"},
		{"out_trade_no an array", `{"respcd": "0000", "syssn": "20191225000200020060996533", "out_trade_no": ["01234567890123"]}`, "out_trade_no"},
		{"respcd of the body an object", `{"respcd": {"code": "0000"}, "syssn": "20191225000200020060996533"}`, "respcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, "/trade/v1/payment", http.StatusOK, tt.body)
			got, err := e.client.Payment(context.Background(), docPaymentRequest())
			assert.Nil(t, got, "never a zero-valued success")
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			assert.Equal(t, "01234567890123", ou.OutTradeNo)
			assert.Equal(t, "/trade/v1/payment", ou.Path)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, errors.Is(err, ErrPending))
		})
	}
}
