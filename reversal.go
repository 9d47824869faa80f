package qfpay

import (
	"context"
	"errors"
	"time"
)

// ReversalRequest names a transaction that is still in progress, to reverse
// (Reverse) or close (Close) it (API section "Reversal/ Cancel"). Only a
// transaction that has not succeeded yet can be reversed or closed; a paid
// one (respcd 0000) is given back with Refund.
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
	// TimeZone is txzone ("+0800"); empty means the client's location.
	TimeZone string `url:"txzone,omitempty"`
}

// ReversalResponse is the gateway's answer to a reversal, a close or an
// unfreeze of pre-authorized funds.
type ReversalResponse struct {
	// SysSN is the syssn of the reversal (or close, or unfreeze) itself.
	SysSN string `json:"syssn"`
	// OrigSysSN is the syssn of the transaction reversed (orig_syssn, also
	// read from origssn).
	OrigSysSN  string    `json:"orig_syssn" wire:"origssn"`
	OutTradeNo string    `json:"out_trade_no"`
	Amount     int64     `json:"txamt"`
	Currency   Currency  `json:"txcurrcd"`
	TxTime     time.Time `json:"txdtm"`
	// SysTime is sysdtm, the gateway's time of the reversal.
	SysTime    time.Time `json:"sysdtm"`
	ChannelSN  string    `json:"chnlsn"`
	ChannelSN2 string    `json:"chnlsn2"`
	CardNumber string    `json:"cardcd"`
	DeviceID   string    `json:"udid"`
	// RespCode, Message and Detail are respcd, resperr and respmsg.
	RespCode string `json:"respcd"`
	Message  string `json:"resperr"`
	Detail   string `json:"respmsg"`
}

func (r *ReversalResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

var (
	epReversal = endpoint{method: "POST", path: "/trade/v1/reversal", movesMoney: true, mchid: true, txdtm: true, txzone: true}
	epClose    = endpoint{method: "POST", path: "/trade/v1/close", movesMoney: true, mchid: true, txdtm: true, txzone: true}
)

// Reverse cancels a transaction that has not succeeded yet (POST
// /trade/v1/reversal, API section "Reversal/ Cancel"), so that it can no
// longer be paid. It is the call for Alipay CPM and MPM (800108, 800101) and
// WeChat Pay CPM (800208); WeChat Pay MPM and the other wallets use Close. A
// paid transaction cannot be reversed: give its money back with Refund.
//
// Typical use is a consumer-presented payment whose outcome stayed pending or
// unknown past the merchant's patience: reverse it by its OutTradeNo, then
// start again. 1143/1145 mean the reversal is still in progress
// (ErrPending, with the response); a failure after the request may have
// reached the gateway matches ErrOutcomeUnknown: query the transaction.
// The spec's headings say GET; its code samples POST, which is what is sent.
func (c *Client) Reverse(ctx context.Context, req *ReversalRequest) (*ReversalResponse, error) {
	return do[ReversalResponse](ctx, c, &epReversal, req)
}

// Close closes a transaction that has not succeeded yet (POST
// /trade/v1/close, API section "Reversal/ Cancel"): the QR code or checkout
// of a WeChat Pay MPM payment (800201) or of the other wallets that support
// it can then no longer be paid. Alipay and WeChat Pay CPM use Reverse. A
// paid transaction cannot be closed: give its money back with Refund.
// Pending and unknown outcomes are reported as for Reverse.
func (c *Client) Close(ctx context.Context, req *ReversalRequest) (*ReversalResponse, error) {
	return do[ReversalResponse](ctx, c, &epClose, req)
}

func (r *ReversalRequest) validate() error {
	if r == nil {
		return invalid("nil *ReversalRequest")
	}
	if err := validateTarget(r.SysSN, r.OutTradeNo); err != nil {
		return err
	}
	return validateAmount(r.Amount)
}

// validateTarget checks the syssn or out_trade_no naming the transaction a
// reversal, close, unfreeze or deduction applies to.
func validateTarget(sysSN, outTradeNo string) error {
	if sysSN == "" && outTradeNo == "" {
		return invalid("SysSN or OutTradeNo (the transaction to act on) is required")
	}
	if outTradeNo != "" {
		return validateOutTradeNo(outTradeNo)
	}
	return nil
}
