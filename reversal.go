package qfpay

import (
	"context"
	"errors"
	"time"
)

// ReversalRequest names a transaction that is still in progress, to cancel
// it with Cancel (or Reverse, CloseOrder) (API section "Reversal/ Cancel").
// Only a transaction that has not succeeded yet can be reversed or closed;
// a paid one (respcd 0000) is given back with Refund.
type ReversalRequest struct {
	// SysSN is the syssn of the transaction to reverse. SysSN or OutTradeNo
	// is required.
	SysSN string `url:"syssn,omitempty"`
	// OutTradeNo is the merchant's number of the transaction to reverse (the
	// payment's own number, not a new one). SysSN or OutTradeNo is
	// required; it is the one to use when the payment's answer never came.
	OutTradeNo string `url:"out_trade_no,omitempty"`
	// Amount is txamt, the transaction's amount in minor units (required,
	// > 0).
	Amount int64 `url:"txamt"`
	// TxTime is txdtm, the request time; zero means now.
	TxTime time.Time `url:"txdtm,omitempty"`
	// MerchantID is mchid; empty means the client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// DeviceID is udid, shown on the merchant portal.
	DeviceID string `url:"udid,omitempty"`
}

// ReversalResponse is the gateway's answer to a reversal, a close or an
// unfreeze of pre-authorized funds.
type ReversalResponse struct {
	// SysSN is the syssn of the reversal (or close, or unfreeze) itself.
	SysSN string `json:"syssn"`
	// OrigSysSN is the syssn of the transaction reversed (orig_syssn, also
	// read from origssn).
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// OutTradeNo is out_trade_no, the merchant's number of the
	// transaction reversed.
	OutTradeNo string `json:"out_trade_no"`
	// Amount is txamt, in minor units of Currency: the transaction's
	// amount (for an unfreeze, what was given back, when sent).
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd.
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time as sent.
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, the gateway's time of the reversal: the time
	// settlement cut-offs go by.
	SysTime time.Time `json:"sysdtm"`
	// ChannelSN is chnlsn, the wallet's transaction number.
	ChannelSN string `json:"chnlsn"`
	// ChannelSN2 is chnlsn2, an additional transaction number; usually
	// empty.
	ChannelSN2 string `json:"chnlsn2"`
	// CardNumber is cardcd, as the gateway shows it; often empty.
	CardNumber string `json:"cardcd"`
	// DeviceID is udid, as sent.
	DeviceID string `json:"udid"`
	// SurchargeFee is surcharge_fee, shown in the API's reversal sample
	// with no type or unit: kept as the gateway wrote it.
	SurchargeFee string `json:"surcharge_fee"`
	// SurchargeRate is surcharge_rate, kept as written like SurchargeFee.
	SurchargeRate string `json:"surcharge_rate"`
	// RespCode is respcd: "0000", reversed (or closed, unfrozen); 1143 and
	// 1145, in progress, are returned with ErrPending and this response.
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode.
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *ReversalResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

// The reversal and close endpoints take no txzone (the API's parameter
// table has none), unlike payments and refunds. The API's headings say GET,
// its code samples POST; POST is sent, so that the signed parameters travel
// in the body, out of proxies' and servers' access logs.
var (
	epReversal = endpoint{method: "POST", path: "/trade/v1/reversal", movesMoney: true, mchid: true, txdtm: true}
	epClose    = endpoint{method: "POST", path: "/trade/v1/close", movesMoney: true, mchid: true, txdtm: true}
)

// Cancel cancels a transaction that has not succeeded yet, so that it can
// no longer be paid (API section "Reversal/ Cancel"), with the endpoint the
// wallet of payType takes: a reversal (Reverse) for Alipay CPM and MPM
// (800108, 800101), WeChat Pay CPM (800208), the unified CPM code (800008)
// and the Alipay pre-authorization codes; a close (CloseOrder) for WeChat
// Pay MPM (800201) and every other wallet, including codes this package
// does not know. payType is the pay type the payment was made with.
//
// Hong Kong pay types (WeChat Pay HK, Alipay HK, FPS, Octopus: 801008,
// 801010, 801501, 801510, 801512, 802001, 803701, 803712; and those the
// current documentation's catalogue marks HK: UnionPay 800712 and 800714,
// Alipay HK 801514, Octopus 803714, PayMe 805801, 805808, 805812 and
// 805814) do not support cancel: Cancel refuses them before sending
// anything (ErrInvalidRequest).
// Let such a payment expire, or refund it once paid.
//
// Cancel is a last resort when a payment's status cannot be settled: query
// first (WaitForPayment). Its answer proves little about the payment
// itself: a cancel answered 1136 ("does not exist") or 1142 proves nothing
// while the gateway may still be processing the payment (it may be listed
// later, even paid). Settle the payment with WaitForPayment afterwards, and
// pay again under a new number only when it is listed as failed. A paid
// transaction cannot be cancelled: give its money back with Refund.
// Pending (ErrPending) and unknown (ErrOutcomeUnknown) outcomes of the
// cancel itself are reported as for Payment.
func (c *Client) Cancel(ctx context.Context, payType PayType, req *ReversalRequest) (*ReversalResponse, error) {
	ep, err := cancelEndpoint(payType)
	if err != nil {
		return nil, err
	}
	return do[ReversalResponse](ctx, c, ep, req)
}

// cancelEndpoint picks reversal or close for a pay type's wallet, or
// refuses a pay type that supports neither. It is the one place that
// knows which wallet takes which.
func cancelEndpoint(p PayType) (*endpoint, error) {
	switch {
	case p == "":
		return nil, invalidField("pay_type", "PayType (of the payment to cancel) is required")
	case hongKongPayTypes[p]:
		return nil, invalidField("pay_type", "pay type %s (%s) does not support cancel (Hong Kong pay types take neither reversal nor close): let it expire, or refund it once paid", p, p.Description())
	case p.IsPreAuth(), p == PayTypeAlipayCPM, p == PayTypeAlipayMPM, p == PayTypeWeChatCPM, p == PayTypeUnifiedCPM:
		return &epReversal, nil
	default:
		return &epClose, nil
	}
}

// hongKongPayTypes are the pay types of Hong Kong wallets, which support
// neither reversal nor close (QF Pay's current documentation, "Reversal/
// Cancel"): those of the API's table, and the codes the current
// documentation's catalogue adds and marks (HK).
var hongKongPayTypes = map[PayType]bool{
	PayTypeWeChatPayHKCPM:    true,
	PayTypeWeChatPayHKInApp:  true,
	PayTypeAlipayHKOnlineQR:  true,
	PayTypeAlipayHKInApp:     true,
	PayTypeAlipayHKOnlineWAP: true,
	PayTypeFPSMPM:            true,
	PayTypeOctopusMPM:        true,
	PayTypeOctopusWAP:        true,
	PayTypeUnionPayWAP:       true,
	PayTypeUnionPayWeb:       true,
	PayTypeAlipayHKOnlineWeb: true,
	PayTypeOctopusWeb:        true,
	PayTypePayMeMPM:          true,
	PayTypePayMeCPM:          true,
	PayTypePayMeWAP:          true,
	PayTypePayMeWeb:          true,
}

// Reverse reverses a transaction that has not succeeded yet (POST
// /trade/v1/reversal, API section "Reversal/ Cancel"), so that it can no
// longer be paid. It is the endpoint of Alipay CPM and MPM (800108, 800101)
// and WeChat Pay CPM (800208); WeChat Pay MPM and the other wallets use
// CloseOrder. Cancel picks the right one from the pay type: prefer it.
//
// A reversal answered 1136 ("does not exist") proves nothing while the
// gateway may still be processing the payment; settle the payment with
// WaitForPayment before paying again. 1143/1145 mean the reversal is
// still in progress (ErrPending, with the response); a failure after the
// request may have reached the gateway matches ErrOutcomeUnknown.
func (c *Client) Reverse(ctx context.Context, req *ReversalRequest) (*ReversalResponse, error) {
	return do[ReversalResponse](ctx, c, &epReversal, req)
}

// CloseOrder closes a transaction that has not succeeded yet (POST
// /trade/v1/close, API section "Reversal/ Cancel"): the QR code or checkout
// of a WeChat Pay MPM payment (800201) or of the other wallets that support
// it can then no longer be paid. Alipay and WeChat Pay CPM use Reverse;
// Cancel picks the right one from the pay type: prefer it. A paid
// transaction cannot be closed: give its money back with Refund. Answers
// are read as for Reverse: a close answered "does not exist" proves
// nothing about the payment.
func (c *Client) CloseOrder(ctx context.Context, req *ReversalRequest) (*ReversalResponse, error) {
	return do[ReversalResponse](ctx, c, &epClose, req)
}

func (r *ReversalRequest) validate() error {
	if r == nil {
		return invalid("nil *ReversalRequest")
	}
	if err := validateTarget(r.SysSN, r.OutTradeNo); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	return validateMerchantFields(r.MerchantID, r.DeviceID, "")
}
