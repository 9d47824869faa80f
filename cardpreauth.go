package qfpay

import (
	"context"
	"errors"
	"time"
)

// Card pre-authorisation (current documentation, section "Online
// pre-authorisation"; not in the API documentation, whose pre-authorization
// is Alipay's, see FreezeFunds). A card hold is placed by the shopper
// through the Payment Element (CreatePaymentIntent; the pay_type for a
// hold is not documented, ask QF Pay), then the merchant captures part or
// all of it with CaptureFunds and releases the rest with ReleaseFunds:
//
//	PreAuthorized -> CaptureFunds -> Captured -> ReleaseFunds -> Unfreezed
//	PreAuthorized -> ReleaseFunds (the whole amount) -> Unfreezed
//
// A capture is refunded with Refund on the capture's SysSN, never the
// hold's. The capture is notified as NotifyPayment, the release as
// NotifyUnfreeze.

// CaptureRequest captures funds a card pre-authorisation holds (current
// documentation, "Online pre-authorisation", "Capture").
type CaptureRequest struct {
	// SysSN is syssn, the pre-authorisation's (required, at most 128
	// characters).
	SysSN string `url:"syssn"`
	// Amount is txamt, the amount to capture in minor units (required,
	// above 0, at most MaxAmount, not above what the hold holds): part of
	// the hold or all of it.
	Amount int64 `url:"txamt"`
	// Currency is txcurrcd, three upper-case letters; empty is not sent.
	Currency Currency `url:"txcurrcd,omitempty"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
}

// ReleaseRequest releases what a card pre-authorisation still holds
// (current documentation, "Online pre-authorisation", "Release").
type ReleaseRequest struct {
	// SysSN is syssn, the pre-authorisation's (required, at most 128
	// characters).
	SysSN string `url:"syssn"`
	// OutTradeNo is out_trade_no, which the documentation describes as the
	// original order's: the pre-authorisation's own number, not a new one
	// (required, at most 128 characters). Whether the gateway wants it so
	// is an open question (12 of the current documentation's digest).
	OutTradeNo string `url:"out_trade_no"`
	// Amount is txamt, the amount to release in minor units (required,
	// above 0, at most MaxAmount): what the hold still holds, the
	// authorised amount less what was captured. A release is allowed once
	// per pre-authorisation; whether a smaller amount is accepted is not
	// documented.
	Amount int64 `url:"txamt"`
	// TxTime is txdtm, the request time; zero means now. Written in UTC+8
	// (the call takes no txzone).
	TxTime time.Time `url:"txdtm,omitempty"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
}

// CaptureResponse is the gateway's answer to a capture or a release.
type CaptureResponse struct {
	// SysSN is syssn, the capture's or the release's own number: refund a
	// capture with it.
	SysSN string `json:"syssn"`
	// OrigSysSN is orig_syssn, the pre-authorisation's (every digit kept
	// when the gateway sends it as a bare number).
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// Amount is txamt, the amount captured or released in minor units of
	// Currency.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the pre-authorisation's currency.
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time as sent (UTC+8).
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, when the gateway took the capture or release:
	// the time settlement cut-offs go by (UTC+8).
	SysTime time.Time `json:"sysdtm"`
	// PayTime is paydtm, as the gateway answered it; zero when not sent.
	PayTime time.Time `json:"paydtm"`
	// OutTradeNo is out_trade_no as the gateway answered it (empty in the
	// documentation's capture sample).
	OutTradeNo string `json:"out_trade_no"`
	// DeviceID is udid, as answered.
	DeviceID string `json:"udid"`
	// ChannelSN is chnlsn, the card network's transaction number, as
	// answered; often empty.
	ChannelSN string `json:"chnlsn"`
	// CardNumber is cardcd, the masked card number, as answered.
	CardNumber string `json:"cardcd"`
	// RespCode is respcd: "0000" when the gateway received the capture or
	// release (which settles later).
	RespCode string `json:"respcd"`
	// Message is resperr ("Capture received", "Void received").
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *CaptureResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

// epCapture and epRelease move money: never re-sent. Capture takes
// neither txdtm nor txzone; release takes txdtm, written in UTC+8.
var (
	epCapture = endpoint{method: "POST", path: "/trade/v1/authtrade", movesMoney: true, mchid: true}
	epRelease = endpoint{method: "POST", path: "/trade/v1/unfreeze", movesMoney: true, mchid: true, txdtm: true}
)

// CaptureFunds captures part or all of the funds a card
// pre-authorisation holds (POST /trade/v1/authtrade, current
// documentation, "Online pre-authorisation", "Capture"): the money moves
// to the merchant. Whether a hold can be captured more than once is not
// documented (open question 12); release what is left with ReleaseFunds.
//
// The call is never re-sent. A pending answer (ErrPending) returns the
// response too; a failure after the request may have reached the gateway
// matches ErrOutcomeUnknown: the capture may have happened. The capture
// carries no out_trade_no to query it by: wait for its notification
// (NotifyPayment, OrigSysSN the hold's) or list the day's transactions
// (Transactions) for one whose OrigSysSN is the hold's, and never capture
// again before knowing.
func (c *Client) CaptureFunds(ctx context.Context, req *CaptureRequest) (*CaptureResponse, error) {
	return do[CaptureResponse](ctx, c, &epCapture, req)
}

// ReleaseFunds gives back to the card what a pre-authorisation still
// holds (POST /trade/v1/unfreeze, current documentation, "Online
// pre-authorisation", "Release"), once per pre-authorisation, after a
// capture or instead of one. The release is notified as NotifyUnfreeze.
//
// The call is never re-sent. A pending answer (ErrPending) returns the
// response too; a failure after the request may have reached the gateway
// matches ErrOutcomeUnknown: wait for the NotifyUnfreeze notification or
// query the hold (its Cancel turns CancelPreAuthFinished) before sending
// it again.
func (c *Client) ReleaseFunds(ctx context.Context, req *ReleaseRequest) (*CaptureResponse, error) {
	return do[CaptureResponse](ctx, c, &epRelease, req)
}

func (r *CaptureRequest) validate() error {
	if r == nil {
		return invalid("nil *CaptureRequest")
	}
	if err := validateHold(r.SysSN); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	if r.Currency != "" {
		if err := validateCurrency("txcurrcd", r.Currency); err != nil {
			return err
		}
	}
	return checkLength("mchid", "MerchantID", r.MerchantID, maxMerchantID)
}

func (r *ReleaseRequest) validate() error {
	if r == nil {
		return invalid("nil *ReleaseRequest")
	}
	if err := validateHold(r.SysSN); err != nil {
		return err
	}
	if err := validateOutTradeNo(r.OutTradeNo); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	return checkLength("mchid", "MerchantID", r.MerchantID, maxMerchantID)
}

// validateHold checks the syssn of the pre-authorisation a capture or
// release applies to.
func validateHold(sysSN string) error {
	if sysSN == "" {
		return invalidField("syssn", "SysSN (the pre-authorisation) is required")
	}
	return checkLength("syssn", "SysSN", sysSN, maxSysSN)
}
