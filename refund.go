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

// RefundResponse is the gateway's answer to a refund.
type RefundResponse struct {
	// SysSN is the new refund transaction's syssn.
	SysSN string `json:"syssn"`
	// OrigSysSN is the refunded payment's syssn.
	OrigSysSN  string    `json:"orig_syssn" wire:"origssn"`
	OutTradeNo string    `json:"out_trade_no"`
	Amount     int64     `json:"txamt"`
	Currency   Currency  `json:"txcurrcd"`
	TxTime     time.Time `json:"txdtm"`
	SysTime    time.Time `json:"sysdtm"`
	PayTime    time.Time `json:"paydtm"`
	ChannelSN  string    `json:"chnlsn"`
	CardNumber string    `json:"cardcd"`
	DeviceID   string    `json:"udid"`
	// CashFee and CashFeeType are cash_fee and cash_fee_type, what the
	// customer actually paid and its currency; CashRefundFee and
	// CashRefundFeeType are cash_refund_fee and cash_refund_fee_type, what
	// was actually refunded (current documentation). As sent: the
	// documentation types them String and states no unit.
	CashFee           string   `json:"cash_fee"`
	CashFeeType       Currency `json:"cash_fee_type"`
	CashRefundFee     string   `json:"cash_refund_fee"`
	CashRefundFeeType Currency `json:"cash_refund_fee_type"`
	RespCode          string   `json:"respcd"`
	Message           string   `json:"resperr"`
	Detail            string   `json:"respmsg"`
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
