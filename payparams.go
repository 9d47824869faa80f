package qfpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// WeChatJSAPIParams are the pay_params of a WeChat JSAPI (800207) or mini
// program (800213) payment: the arguments of WeixinJSBridge's
// getBrandWCPayRequest or of wx.requestPayment (API sections "WeChat Pay
// JSAPI" and "WeChat Mini Programs").
type WeChatJSAPIParams struct {
	AppID     string `json:"appId"`     // appId, the official account's or mini program's App ID
	TimeStamp string `json:"timeStamp"` // timeStamp, the current time as WeChat wants it (seconds, as text)
	NonceStr  string `json:"nonceStr"`  // nonceStr, a random string of at most 32 characters
	Package   string `json:"package"`   // package, "prepay_id=..." of the WeChat order
	SignType  string `json:"signType"`  // signType, the method of PaySign ("MD5" by default)
	PaySign   string `json:"paySign"`   // paySign, the signature over the other fields
}

// WeChatAppParams are the pay_params of a WeChat in-app payment (800210,
// 801010): the fields of the WeChat SDK's PayReq (API section "WeChat APP
// Payments").
type WeChatAppParams struct {
	AppID     string `json:"appid"`     // appid, the mobile app's WeChat App ID
	PartnerID string `json:"partnerid"` // partnerid, the WeChat Pay merchant number
	PrepayID  string `json:"prepayid"`  // prepayid, the WeChat order's prepay ID
	Package   string `json:"package"`   // package, "Sign=WXPay"
	NonceStr  string `json:"noncestr"`  // noncestr, a random string
	TimeStamp string `json:"timestamp"` // timestamp in seconds, as text (the API sends a number)
	Sign      string `json:"sign"`      // sign, the signature over the other fields
}

// AlipayAppParams are the pay_params of an Alipay in-app payment (801110,
// 801510): the order the Alipay SDK is started with (API section "Alipay APP
// Payments"). Fields holds every parameter as text, including ones not
// named here, for building the SDK's order string.
type AlipayAppParams struct {
	Service                   string `json:"service"`                     // service, the Alipay interface ("mobile.securitypay.pay")
	Partner                   string `json:"partner"`                     // partner, QF Pay's Alipay partner ID
	SellerID                  string `json:"seller_id"`                   // seller_id, the Alipay account paid
	OutTradeNo                string `json:"out_trade_no"`                // out_trade_no as Alipay knows the order: QF Pay's syssn, not the merchant's number
	Subject                   string `json:"subject"`                     // subject, the product name or order keyword
	Body                      string `json:"body"`                        // body, the description of the order
	TotalFee                  string `json:"total_fee"`                   // total_fee, in major units as text ("0.1"), not minor units
	Currency                  string `json:"currency"`                    // currency, an ISO 4217 code
	ForexBiz                  string `json:"forex_biz"`                   // forex_biz ("FP")
	ProductCode               string `json:"product_code"`                // product_code, Alipay's product
	PaymentInst               string `json:"payment_inst"`                // payment_inst, the payment institution ("ALIPAYHK", "ALIPAYCN")
	PaymentType               string `json:"payment_type"`                // payment_type, Alipay's payment type ("1")
	NotifyURL                 string `json:"notify_url"`                  // notify_url, QF Pay's own endpoint for Alipay (not the merchant's)
	ReturnURL                 string `json:"return_url"`                  // return_url, where Alipay sends the customer back
	ItBPay                    string `json:"it_b_pay"`                    // it_b_pay, the order's timeout ("30m")
	InputCharset              string `json:"_input_charset"`              // _input_charset, the encoding ("UTF-8")
	SecondaryMerchantID       string `json:"secondary_merchant_id"`       // secondary_merchant_id, the merchant at Alipay
	SecondaryMerchantName     string `json:"secondary_merchant_name"`     // secondary_merchant_name, the merchant's name at Alipay
	SecondaryMerchantIndustry string `json:"secondary_merchant_industry"` // secondary_merchant_industry, an MCC ("5311"; the API sends a number)
	Sign                      string `json:"sign"`                        // sign, the signature over the other fields
	SignType                  string `json:"sign_type"`                   // sign_type, the method of Sign ("RSA")
	// Fields holds every parameter of pay_params as text.
	Fields map[string]string `json:"-"`
}

// WeChatJSAPIParams decodes PayParams of a WeChat JSAPI or mini program
// payment. It fails when PayParams is missing or lacks appId, package or
// paySign.
func (r *PaymentResponse) WeChatJSAPIParams() (*WeChatJSAPIParams, error) {
	var p WeChatJSAPIParams
	if _, err := decodePayParams(r.PayParams, &p); err != nil {
		return nil, err
	}
	if p.AppID == "" || p.Package == "" || p.PaySign == "" {
		return nil, payParamsError("WeChat JSAPI pay_params without appId, package or paySign")
	}
	return &p, nil
}

// WeChatAppParams decodes PayParams of a WeChat in-app payment. It fails
// when PayParams is missing or lacks appid, prepayid or sign.
func (r *PaymentResponse) WeChatAppParams() (*WeChatAppParams, error) {
	var p WeChatAppParams
	if _, err := decodePayParams(r.PayParams, &p); err != nil {
		return nil, err
	}
	if p.AppID == "" || p.PrepayID == "" || p.Sign == "" {
		return nil, payParamsError("WeChat in-app pay_params without appid, prepayid or sign")
	}
	return &p, nil
}

// AlipayAppParams decodes PayParams of an Alipay in-app payment. It fails
// when PayParams is missing or lacks partner, out_trade_no or sign.
func (r *PaymentResponse) AlipayAppParams() (*AlipayAppParams, error) {
	var p AlipayAppParams
	obj, err := decodePayParams(r.PayParams, &p)
	if err != nil {
		return nil, err
	}
	if p.Partner == "" || p.OutTradeNo == "" || p.Sign == "" {
		return nil, payParamsError("Alipay in-app pay_params without partner, out_trade_no or sign")
	}
	p.Fields = make(map[string]string, len(obj.Members()))
	for k, raw := range obj.Map() {
		s, err := wire.String(string(raw))
		if err != nil {
			return nil, payParamsError(fmt.Sprintf("field %s: %v", k, err))
		}
		p.Fields[k] = s
	}
	return &p, nil
}

// AlipayTradeNO returns the tradeNO of an Alipay service window H5 payment's
// PayParams (800107), the argument of AlipayJSBridge's tradePay.
func (r *PaymentResponse) AlipayTradeNO() (string, error) {
	var p struct {
		TradeNO string `json:"tradeNO"`
	}
	if _, err := decodePayParams(r.PayParams, &p); err != nil {
		return "", err
	}
	if p.TradeNO == "" {
		return "", payParamsError("Alipay H5 pay_params without tradeNO")
	}
	return p.TradeNO, nil
}

func payParamsError(msg string) error {
	return fmt.Errorf("%w: pay_params: %s", ErrMalformedResponse, msg)
}

// decodePayParams decodes raw pay_params into dst. pay_params sent as a
// JSON string that holds the object is accepted too.
func decodePayParams(raw json.RawMessage, dst any) (wire.Object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return wire.Object{}, payParamsError("missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return wire.Object{}, payParamsError(err.Error())
		}
		raw = []byte(s)
	}
	obj, err := wire.ParseObject(raw)
	if err != nil {
		return wire.Object{}, payParamsError("not a JSON object")
	}
	// The accessors hand every field on to the wallet: all are strict.
	if err := wire.DecodeStrict(obj, dst, time.UTC); err != nil {
		return wire.Object{}, payParamsError(err.Error())
	}
	return obj, nil
}
