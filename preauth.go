package qfpay

import (
	"context"
	"errors"
	"time"
)

// FreezeFunds freezes an amount in the customer's Alipay wallet
// (pre-authorization; POST /trade/v1/payment, API section "Alipay
// Pre-Authorization", "Freeze Funds"). It is a Payment whose PayType is one
// of the pre-authorization codes: PayTypeAlipayPreAuthCPM (801801, with
// AuthCode), PayTypeAlipayPreAuthMPM (801808), PayTypeAlipayPreAuthInApp
// (801810) or PayTypeAlipayPreAuthOnline (801814); any other PayType is
// refused before sending. Only Alipay wallet funds can be frozen, not credit
// cards, and an authorization request lapses after 15 minutes.
//
// The answer's SysSN is the fund authorization number that DeductFunds and
// UnfreezeFunds take. Pending and unknown outcomes are reported as for
// Payment.
func (c *Client) FreezeFunds(ctx context.Context, req *PaymentRequest) (*PaymentResponse, error) {
	if req != nil && !req.PayType.IsPreAuth() {
		return nil, invalidField("pay_type", "PayType %q is not an Alipay pre-authorization pay type (801801, 801808, 801810, 801814)", req.PayType)
	}
	return do[PaymentResponse](ctx, c, &epPayment, req)
}

// UnfreezeRequest releases funds frozen with FreezeFunds (API section
// "Alipay Pre-Authorization", "Unfreeze Funds").
type UnfreezeRequest struct {
	// SysSN is the syssn of the freeze (the fund authorization number).
	// SysSN or OutTradeNo is required.
	SysSN string `url:"syssn,omitempty"`
	// MerchantID is mchid, which this call requires (at most 16
	// characters): empty means the client's WithMerchantID value, and with
	// neither the call is refused.
	MerchantID string `url:"mchid,omitempty"`
	// OutTradeNo is the merchant's number of the freeze (at most 128
	// characters).
	OutTradeNo string `url:"out_trade_no,omitempty"`
	// Amount is txamt; Alipay does not need it (0: not sent; at most
	// MaxAmount).
	Amount int64 `url:"txamt,omitempty"`
	// TxTime is txdtm; zero means now.
	TxTime time.Time `url:"txdtm,omitempty"`
	// DeviceID is udid (at most 40 characters).
	DeviceID string `url:"udid,omitempty"`
	// TimeZone is txzone, "+HHMM" or "-HHMM"; empty means the client's
	// location.
	TimeZone string `url:"txzone,omitempty"`
}

// UnfreezeFunds gives frozen funds back to the customer's wallet (POST
// /trade/v1/reversal, API section "Alipay Pre-Authorization", "Unfreeze
// Funds"), all that is still frozen after any DeductFunds. The API requires
// mchid here: the request's MerchantID or the client's WithMerchantID.
// Pending and unknown outcomes are reported as for Reverse; settle an
// unknown one by querying the freeze before deducting or unfreezing again.
func (c *Client) UnfreezeFunds(ctx context.Context, req *UnfreezeRequest) (*ReversalResponse, error) {
	if req != nil && req.MerchantID == "" && c.mchid == "" {
		return nil, invalidField("mchid", "MerchantID is required to unfreeze funds: set it on the request or with WithMerchantID")
	}
	return do[ReversalResponse](ctx, c, &epUnfreeze, req)
}

// epUnfreeze is the reversal path as the unfreeze section documents it:
// unlike a reversal of a payment, it takes txzone.
var epUnfreeze = endpoint{method: "POST", path: "/trade/v1/reversal", movesMoney: true, mchid: true, txdtm: true, txzone: true}

func (r *UnfreezeRequest) validate() error {
	if r == nil {
		return invalid("nil *UnfreezeRequest")
	}
	if err := validateTarget(r.SysSN, r.OutTradeNo); err != nil {
		return err
	}
	if r.Amount < 0 {
		return invalidField("txamt", "Amount must not be negative, got %d", r.Amount)
	}
	if r.Amount > 0 {
		if err := validateAmount(r.Amount); err != nil {
			return err
		}
	}
	return validateMerchantFields(r.MerchantID, r.DeviceID, r.TimeZone)
}

// DeductRequest collects part or all of the funds frozen with FreezeFunds
// (API section "Alipay Pre-Authorization", "Deduct Funds").
type DeductRequest struct {
	// SysSN is the syssn of the freeze, the fund authorization number
	// (required).
	SysSN string `url:"syssn"`
	// OutTradeNo is the deduction's own number, unique among the merchant's
	// transactions (required, at most 128 characters). Reuse it, never a
	// new one, when settling an unknown outcome.
	OutTradeNo string `url:"out_trade_no"`
	// Amount is txamt, the amount to collect in minor units (> 0, at most
	// MaxAmount, not above what is frozen).
	Amount int64 `url:"txamt"`
	// TxTime is txdtm; zero means now.
	TxTime time.Time `url:"txdtm,omitempty"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// DeviceID is udid (at most 40 characters).
	DeviceID string `url:"udid,omitempty"`
	// TimeZone is txzone, "+HHMM" or "-HHMM"; empty means the client's
	// location.
	TimeZone string `url:"txzone,omitempty"`
	// ReturnURL is return_url, where the customer is sent after paying: an
	// absolute http(s) URL of at most 512 characters.
	ReturnURL string `url:"return_url,omitempty"`
}

// DeductResponse is the gateway's answer to a deduction (API section
// "Alipay Pre-Authorization", "Deduct Funds"). Times are read in the
// client's zone.
type DeductResponse struct {
	// SysSN is syssn, the deduction's own number: a payment of its own,
	// refundable like any other.
	SysSN string `json:"syssn"`
	// OrigSysSN is the freeze's syssn (orig_syssn, which the gateway may
	// send as a bare 26-digit number; every digit is kept).
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// Amount is txamt, the amount collected in minor units of Currency.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the freeze's currency.
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time as sent.
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, when the gateway made the deduction: the time
	// settlement cut-offs go by.
	SysTime time.Time `json:"sysdtm"`
	// CardNumber is cardcd, the Alipay account as the gateway shows it;
	// often empty.
	CardNumber string `json:"cardcd"`
	// RespCode is respcd: "0000" on success. A pending answer is returned
	// with ErrPending and this response.
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode.
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *DeductResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

var epDeduct = endpoint{method: "POST", path: "/trade/v1/authtrade", movesMoney: true, mchid: true, txdtm: true, txzone: true}

// DeductFunds collects an amount from funds frozen with FreezeFunds (POST
// /trade/v1/authtrade, API section "Alipay Pre-Authorization", "Deduct
// Funds"): the money moves to the merchant, up to the frozen amount.
// Pending answers (ErrPending) return the response too; a failure after the
// request may have reached the gateway matches ErrOutcomeUnknown: query the
// deduction's OutTradeNo before deducting again.
func (c *Client) DeductFunds(ctx context.Context, req *DeductRequest) (*DeductResponse, error) {
	return do[DeductResponse](ctx, c, &epDeduct, req)
}

func (r *DeductRequest) validate() error {
	if r == nil {
		return invalid("nil *DeductRequest")
	}
	if r.SysSN == "" {
		return invalidField("syssn", "SysSN (the freeze to deduct from) is required")
	}
	if err := validateOutTradeNo(r.OutTradeNo); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	if err := validateMerchantFields(r.MerchantID, r.DeviceID, r.TimeZone); err != nil {
		return err
	}
	if r.ReturnURL != "" {
		if err := validateAbsoluteURL("return_url", "ReturnURL", r.ReturnURL); err != nil {
			return err
		}
		return checkLength("return_url", "ReturnURL", r.ReturnURL, maxURL)
	}
	return nil
}
