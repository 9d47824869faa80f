package qfpay

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// LimitPayNoCredit is the only documented LimitPay value: no credit cards
// (mainland China only).
const LimitPayNoCredit = "no_credit"

// RMBTagYes is the only value of RMBTag: with CurrencyCNY, the order is
// denominated in renminbi (WeChat Pay HK, pay types 800201 and 800210).
const RMBTagYes = "Y"

// Pay tags for Alipay online and in-app payments (PayTag).
const (
	PayTagAlipayHK = "ALIPAYHK" // the default
	PayTagAlipayCN = "ALIPAYCN" // Alipay mainland version
)

// PaymentRequest is a payment of any scenario (API section "API Endpoint for
// Payments" and the scenario sections). PayType picks wallet and scenario;
// the scenario decides which optional fields matter:
//
//   - merchant presented QR (MPM, PayType.IsMerchantPresented): the answer's
//     QRCode is shown to the customer; ExpireMinutes sets how long it lives;
//   - consumer presented (CPM, PayType.IsConsumerPresented): AuthCode, the
//     code scanned from the customer's wallet, is required;
//   - online web/WAP (PayType.IsOnline): the customer is sent to the answer's
//     PayURL and comes back to ReturnURL;
//   - Alipay service window H5 (800107): OpenID (the Alipay user_id) is
//     required;
//   - WeChat JSAPI (800207) and mini program (800213): SubOpenID is required;
//     the answer's PayParams feed the wallet's payment call;
//   - in-app (800210, 801010, 801110, 801510, 801810): GoodsName is required;
//     PayParams feed the wallet SDK;
//   - WeChat Pay H5 (800212, in a mobile browser outside WeChat): ExtendInfo
//     with the shopper's mobile site and IP address is required; the
//     shopper is sent to the answer's PayURL;
//   - card-present pay types (PayType.Mode ModeCardPresent: 802808, 806708,
//     806808) are paid at QF Pay's terminals: Payment refuses them.
//
// Payment checks every limit the API's parameter tables state before
// sending and refuses a request that breaks one with a *ValidationError
// naming the parameter (see each field).
type PaymentRequest struct {
	// PayType is the pay_type code (required).
	PayType PayType `url:"pay_type"`
	// Amount is txamt, in the currency's minor unit (cents): above 0 and at
	// most MaxAmount (Int(11), eleven digits).
	Amount int64 `url:"txamt"`
	// Currency is txcurrcd (required): three upper-case letters, such as
	// CurrencyHKD; "hkd" is refused, not corrected.
	Currency Currency `url:"txcurrcd"`
	// OutTradeNo is the merchant's own number for the payment, unique among
	// all payments and refunds of the merchant, at most 128 characters
	// (required). It is the key to settle a pending or unknown outcome.
	OutTradeNo string `url:"out_trade_no"`
	// TxTime is txdtm, the request time; zero means now.
	TxTime time.Time `url:"txdtm,omitempty"`
	// AuthCode is the customer's payment code, scanned at the counter
	// (required for consumer-presented pay types; at most 128 characters).
	AuthCode string `url:"auth_code,omitempty"`
	// ExpireMinutes is expired_time: how long a QR code or checkout stays
	// payable, 5 to 120 minutes (0: the gateway's default of 30). Only the
	// pay types the API lists for it take it: 800201, 800101, 801512,
	// 801501, 801112, 801114, 801010, 801510 and the mini program 800213,
	// and those of QF Pay's current documentation: 801101, 801107, 801514,
	// 800714 and 805814; with any other it is refused.
	ExpireMinutes int `url:"expired_time,omitempty"`
	// GoodsName is goods_name, a short name shown to the customer (required
	// for in-app payments). Checked: at most 64 characters, valid UTF-8, no
	// control characters. Not checked: the API's advice of at most 20
	// alphanumeric characters and no "special characters", which contradicts
	// its String(64) type and its allowance of Chinese names, and names no
	// set of special characters; keep names short and plain all the same.
	GoodsName string `url:"goods_name,omitempty"`
	// GoodsInfo is a product description (in-app payments).
	GoodsInfo string `url:"goods_info,omitempty"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// TimeZone is txzone, "+HHMM" or "-HHMM" ("+0800"; "+08:00" is
	// refused); empty means the client's location.
	TimeZone string `url:"txzone,omitempty"`
	// DeviceID is udid, shown on the merchant portal (at most 40
	// characters).
	DeviceID string `url:"udid,omitempty"`
	// ReturnURL is where an online checkout sends the customer after paying
	// (required by GrabPay Online): an absolute http(s) URL of at most 512
	// characters, 200 for Alipay WAP (801112, 801107, 801512). It is
	// URL-encoded on the wire and signed raw.
	ReturnURL string `url:"return_url,omitempty"`
	// NotifyURL is notify_url, where the gateway posts this payment's
	// asynchronous notification (see NotificationHandler), instead of or
	// besides the URL registered with QF Pay for the merchant: the
	// documentation does not say which, so keep the registered URL working
	// too. An https:// URL on the default port (the gateway notifies on
	// ports 80 and 443 only) of at most 256 characters; http:// only for a
	// loopback host, for a local test server. Empty: the registered URL
	// only. From QF Pay's current documentation ("Public payment request
	// parameters"), not in the API documentation.
	NotifyURL string `url:"notify_url,omitempty"`
	// LimitPay restricts the means of payment: LimitPayNoCredit, the only
	// value the API takes, refuses credit cards (mainland China only).
	LimitPay string `url:"limit_pay,omitempty"`
	// PayTag picks the Alipay version for Alipay online and in-app pay types:
	// PayTagAlipayHK (the default) or PayTagAlipayCN, nothing else.
	PayTag string `url:"pay_tag,omitempty"`
	// OpenID is the Alipay user_id (service window H5, required there; also
	// pre-authorization in-app), at most 64 characters.
	OpenID string `url:"openid,omitempty"`
	// SubOpenID is the WeChat openid (JSAPI and mini program, required
	// there), at most 128 characters; see WeChatOAuthURL and WeChatOpenID
	// for getting one.
	SubOpenID string `url:"sub_openid,omitempty"`
	// ExtendInfo is extend_info, sent as its JSON string (see
	// WeChatExtendInfo): the mobile site and the shopper's IP address of a
	// WeChat Pay H5 payment (800212, required there), or the payer's real
	// name on 800201, 800207, 800213 and 800210 (optional). Any other pay
	// type refuses it. From QF Pay's current documentation ("WeChat").
	ExtendInfo WeChatExtendInfo `url:"extend_info,omitempty"`
	// RMBTag is rmb_tag: RMBTagYes, the only value, marks a WeChat Pay HK
	// order as denominated in renminbi; Currency must then be CurrencyCNY.
	// Taken by 800201 and 800210 only. From QF Pay's current documentation
	// ("WeChat").
	RMBTag string `url:"rmb_tag,omitempty"`
}

// PaymentResponse is the gateway's answer to a payment (API section "Public
// Payment Response Parameters" and the scenario sections). Times are read in
// the client's zone (WithLocation). Only a consumer-presented payment
// answered "0000" is paid; every other scenario's success means created:
// the customer pays later, which WaitForPayment or the notification tells.
type PaymentResponse struct {
	// SysSN is syssn, QF Pay's number for the transaction: the key to
	// Refund, Cancel and queries, beside OutTradeNo.
	SysSN string `json:"syssn"`
	// OutTradeNo is the merchant's number, as sent.
	OutTradeNo string `json:"out_trade_no"`
	// PayType is pay_type, as sent.
	PayType PayType `json:"pay_type"`
	// Amount is txamt, the amount asked in minor units of Currency; check
	// it against the order.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, as sent.
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time as sent.
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, when the gateway created the transaction: the
	// time settlement cut-offs go by.
	SysTime time.Time `json:"sysdtm"`
	// PayTime is paydtm. It is when the customer paid only for a
	// consumer-presented payment answered "0000"; for a payment the
	// customer has yet to pay (MPM, online, in-wallet, in-app) the gateway
	// fills it all the same, with the creation time in the API's samples
	// (qfpaytest does the same), so it proves nothing: the paid time is the
	// PayTime of WaitForPayment's Transaction or of the notification.
	PayTime time.Time `json:"paydtm"`
	// QRCode is qrcode, the link to show as a QR code for the customer to
	// scan (merchant-presented pay types); empty otherwise.
	QRCode string `json:"qrcode"`
	// PayURL is pay_url, the checkout page to send the customer to
	// (online web and WAP pay types); empty otherwise.
	PayURL string `json:"pay_url"`
	// PayParams is pay_params, kept raw: what the wallet's JSAPI, mini
	// program or app SDK needs. See WeChatJSAPIParams, WeChatAppParams,
	// AlipayAppParams and AlipayTradeNO.
	PayParams json.RawMessage `json:"pay_params"`
	// ChannelSN is chnlsn, the wallet's own transaction number (Alipay's,
	// WeChat Pay's); empty until the customer paid.
	ChannelSN string `json:"chnlsn"`
	// ChannelSN2 is chnlsn2, an additional transaction number; usually
	// empty.
	ChannelSN2 string `json:"chnlsn2"`
	// CardNumber is cardcd, the card or wallet account number as the
	// gateway shows it; often empty.
	CardNumber string `json:"cardcd"`
	// DeviceID is udid, as sent.
	DeviceID string `json:"udid"`
	// SurchargeFee is surcharge_fee, the surcharge applied, if any, as
	// sent ("0", "0.50"): the API states neither its type nor its unit,
	// and its samples send it as a number and as a string.
	SurchargeFee string `json:"surcharge_fee"`
	// SurchargeRate is surcharge_rate, the surcharge's rate, as sent
	// ("0", "0.5%"); untyped like SurchargeFee.
	SurchargeRate string `json:"surcharge_rate"`
	// RespCode is respcd: "0000" on success. A pending answer (1143,
	// 1145, 1295, 1296, 1298) is returned with ErrPending and this
	// response, its SysSN set.
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode.
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *PaymentResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

var epPayment = endpoint{method: "POST", path: "/trade/v1/payment", movesMoney: true, mchid: true, txdtm: true, txzone: true}

// Payment creates a payment (POST /trade/v1/payment, API section "API
// Endpoint for Payments"): a QR code for the customer to scan, a charge of
// the customer's scanned code, an online checkout or wallet parameters,
// depending on PayType (see PaymentRequest).
//
// A consumer-presented payment may answer 1143/1145/1298 while the customer
// confirms: the error then matches ErrPending and the response is returned
// too, with its SysSN; settle it with WaitForPayment. A failure after the
// request may have reached the gateway matches ErrOutcomeUnknown. In both
// cases never pay again under a new OutTradeNo before the query says the
// first one failed.
func (c *Client) Payment(ctx context.Context, req *PaymentRequest) (*PaymentResponse, error) {
	return do[PaymentResponse](ctx, c, &epPayment, req)
}

// expiryPayTypes are the pay types whose table lists expired_time: the
// "Available for" list of the payment sections, the WeChat mini program
// (800213), whose own table has the parameter, and those QF Pay's current
// documentation adds: the renumbered Alipay online codes (801101, 801107)
// in its "Available for" list, and the codes of its web payment page
// (801514, 800714, 805814).
var expiryPayTypes = []PayType{
	PayTypeWeChatMPM, PayTypeAlipayMPM, PayTypeAlipayHKOnlineWAP, PayTypeAlipayHKOnlineQR,
	PayTypeAlipayOnlineWAP, PayTypeAlipayOnlineQR, PayTypeWeChatPayHKInApp, PayTypeAlipayHKInApp,
	PayTypeWeChatMiniProgram,
	PayTypeAlipayOverseasWeb, PayTypeAlipayOverseasWAP, PayTypeAlipayHKOnlineWeb, PayTypeUnionPayWeb, PayTypePayMeWeb,
}

// rmbTagPayTypes are the pay types that take rmb_tag (current
// documentation, "WeChat").
var rmbTagPayTypes = []PayType{PayTypeWeChatMPM, PayTypeWeChatInApp}

// maxAlipayWAPReturnURL is the longest return_url Alipay WAP takes (801112,
// its renumbered 801107, and Alipay HK's 801512).
const maxAlipayWAPReturnURL = 200

func (r *PaymentRequest) validate() error {
	if r == nil {
		return invalid("nil *PaymentRequest")
	}
	if r.PayType == "" {
		return invalidField("pay_type", "PayType is required")
	}
	if r.PayType.Mode() == ModeCardPresent {
		return invalidField("pay_type", "pay type %s (%s) is a card presented at a QF Pay terminal: such payments are made there, not through Payment", r.PayType, r.PayType.Description())
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
	if err := validateMerchantFields(r.MerchantID, r.DeviceID, r.TimeZone); err != nil {
		return err
	}
	if r.ExpireMinutes != 0 {
		if !slices.Contains(expiryPayTypes, r.PayType) {
			return invalidField("expired_time", "ExpireMinutes is taken only by pay types %v, not %s", expiryPayTypes, r.PayType)
		}
		if r.ExpireMinutes < 5 || r.ExpireMinutes > 120 {
			return invalidField("expired_time", "ExpireMinutes must be within 5 to 120 minutes, got %d", r.ExpireMinutes)
		}
	}
	if r.PayType.IsConsumerPresented() && r.AuthCode == "" {
		return invalidField("auth_code", "AuthCode is required for consumer-presented pay type %s", r.PayType)
	}
	if err := checkLength("auth_code", "AuthCode", r.AuthCode, maxAuthCode); err != nil {
		return err
	}
	switch r.PayType {
	case PayTypeAlipayServiceWindowH5:
		if r.OpenID == "" {
			return invalidField("openid", "OpenID (the Alipay user_id) is required for pay type %s", r.PayType)
		}
	case PayTypeWeChatJSAPI, PayTypeWeChatMiniProgram:
		if r.SubOpenID == "" {
			return invalidField("sub_openid", "SubOpenID (the WeChat openid) is required for pay type %s", r.PayType)
		}
	}
	if err := checkLength("openid", "OpenID", r.OpenID, maxOpenID); err != nil {
		return err
	}
	if err := checkLength("sub_openid", "SubOpenID", r.SubOpenID, maxSubOpenID); err != nil {
		return err
	}
	if r.PayType.Mode() == ModeInApp && r.GoodsName == "" {
		return invalidField("goods_name", "GoodsName is required for in-app pay type %s", r.PayType)
	}
	if err := validateGoodsName("goods_name", r.GoodsName); err != nil {
		return err
	}
	if r.ReturnURL != "" {
		if err := validateAbsoluteURL("return_url", "ReturnURL", r.ReturnURL); err != nil {
			return err
		}
		limit := maxURL
		if r.PayType == PayTypeAlipayOnlineWAP || r.PayType == PayTypeAlipayOverseasWAP || r.PayType == PayTypeAlipayHKOnlineWAP {
			limit = maxAlipayWAPReturnURL
		}
		if err := checkLength("return_url", "ReturnURL", r.ReturnURL, limit); err != nil {
			return err
		}
	}
	if err := validateNotifyURL(r.NotifyURL); err != nil {
		return err
	}
	if r.LimitPay != "" && r.LimitPay != LimitPayNoCredit {
		return invalidField("limit_pay", "LimitPay %q: the only value the API takes is %q", r.LimitPay, LimitPayNoCredit)
	}
	if r.PayTag != "" && r.PayTag != PayTagAlipayHK && r.PayTag != PayTagAlipayCN {
		return invalidField("pay_tag", "PayTag %q: the API takes %s or %s", r.PayTag, PayTagAlipayHK, PayTagAlipayCN)
	}
	if err := r.ExtendInfo.validate(r.PayType); err != nil {
		return err
	}
	if r.RMBTag != "" {
		switch {
		case r.RMBTag != RMBTagYes:
			return invalidField("rmb_tag", "RMBTag %q: the only value is %q", r.RMBTag, RMBTagYes)
		case !slices.Contains(rmbTagPayTypes, r.PayType):
			return invalidField("rmb_tag", "RMBTag is taken only by pay types %v, not %s", rmbTagPayTypes, r.PayType)
		case r.Currency != CurrencyCNY:
			return invalidField("rmb_tag", "RMBTag marks a renminbi order: Currency must be %s, not %s", CurrencyCNY, r.Currency)
		}
	}
	return nil
}
