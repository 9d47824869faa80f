package qfpay

import (
	"context"
	"errors"
	"time"
)

// RefundRequest refunds all or part of a payment (API section "Refunds").
// Refund refuses a request beyond the limits of the API's table with a
// *ValidationError before sending.
type RefundRequest struct {
	// SysSN is the syssn of the payment to refund (required, at most 128
	// characters).
	SysSN string `url:"syssn"`
	// OutTradeNo is the refund's own number, unique among all payments and
	// refunds of the merchant (required, at most 128 characters). Reuse it,
	// never a new one, when settling an unknown outcome.
	OutTradeNo string `url:"out_trade_no"`
	// Amount is the amount to refund in minor units, the full amount or a
	// part (> 0, at most MaxAmount; not above what is left to refund).
	Amount int64 `url:"txamt"`
	// TxTime is txdtm; zero means now.
	TxTime time.Time `url:"txdtm,omitempty"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// TimeZone is txzone, "+HHMM" or "-HHMM"; empty means the client's
	// location.
	TimeZone string `url:"txzone,omitempty"`
	// DeviceID is udid (at most 40 characters).
	DeviceID string `url:"udid,omitempty"`
}

// RefundResponse is the gateway's answer to a refund (API section
// "Refunds", "Response Parameters"). Times are read in the client's zone.
type RefundResponse struct {
	// SysSN is syssn, the new refund transaction's own number (not the
	// payment's).
	SysSN string `json:"syssn"`
	// OrigSysSN is orig_syssn, the refunded payment's syssn.
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// OutTradeNo is out_trade_no, the refund's own number, as sent.
	OutTradeNo string `json:"out_trade_no"`
	// Amount is txamt, the amount refunded in minor units of Currency.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the payment's currency; empty when the
	// gateway leaves it out (its table does not list it).
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time as sent.
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, when the gateway created the refund: the time
	// settlement cut-offs go by.
	SysTime time.Time `json:"sysdtm"`
	// PayTime is paydtm, when the refund was made, as in the API's sample;
	// zero when not sent.
	PayTime time.Time `json:"paydtm"`
	// ChannelSN is chnlsn, the wallet's transaction number; in the API's
	// sample, the payment's.
	ChannelSN string `json:"chnlsn"`
	// CardNumber is cardcd, as the gateway shows it; often empty.
	CardNumber string `json:"cardcd"`
	// DeviceID is udid, as sent.
	DeviceID string `json:"udid"`
	// CashFee is cash_fee, what the customer actually paid, in
	// CashFeeType, as sent (current documentation, which types it String
	// and states no unit).
	CashFee string `json:"cash_fee"`
	// CashFeeType is cash_fee_type, the currency of CashFee.
	CashFeeType Currency `json:"cash_fee_type"`
	// CashRefundFee is cash_refund_fee, what was actually refunded, in
	// CashRefundFeeType, as sent (String, no unit stated).
	CashRefundFee string `json:"cash_refund_fee"`
	// CashRefundFeeType is cash_refund_fee_type, the currency of
	// CashRefundFee.
	CashRefundFeeType Currency `json:"cash_refund_fee_type"`
	// RespCode is respcd: "0000" on success. A pending answer (1143,
	// 1145, ...) is returned with ErrPending and this response.
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode.
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *RefundResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

var epRefund = endpoint{method: "POST", path: "/trade/v1/refund", movesMoney: true, mchid: true, txdtm: true, txzone: true}

// Refund refunds a payment in full or in part (POST /trade/v1/refund, API
// section "Refunds"). Refunds need enough same-day turnover on the merchant
// account and are not reversible once accepted. 1272 means the amount is
// above what is left to refund, 1125 that it was refunded already. A pending
// answer (ErrPending) returns the response too; an unknown outcome
// (ErrOutcomeUnknown) is settled by querying the refund's OutTradeNo.
func (c *Client) Refund(ctx context.Context, req *RefundRequest) (*RefundResponse, error) {
	return do[RefundResponse](ctx, c, &epRefund, req)
}

func (r *RefundRequest) validate() error {
	if r == nil {
		return invalid("nil *RefundRequest")
	}
	if r.SysSN == "" {
		return invalidField("syssn", "SysSN (the payment to refund) is required")
	}
	if err := checkLength("syssn", "SysSN", r.SysSN, maxSysSN); err != nil {
		return err
	}
	if err := validateOutTradeNo(r.OutTradeNo); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	return validateMerchantFields(r.MerchantID, r.DeviceID, r.TimeZone)
}
