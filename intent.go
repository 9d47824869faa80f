package qfpay

import (
	"context"
	"errors"
	"time"
)

// PaymentIntentRequest is the order a payment intent is created for
// (current documentation, section "Payment Element", "Create payment
// intent"; not in the API documentation). The shopper then pays it in the
// merchant's page through QF Pay's Payment Element (qfpay.js), which takes
// the intent's ID. CreatePaymentIntent checks it before sending and
// refuses a value out of range with a *ValidationError naming the
// parameter.
type PaymentIntentRequest struct {
	// PayType is pay_type (required), such as 802801 for Visa /
	// Mastercard online. The code for the Element's multi-wallet mode, for
	// Apple Pay and for a card pre-authorisation is not documented: ask QF
	// Pay (open question 7 of the current documentation's digest).
	PayType PayType `url:"pay_type"`
	// Amount is txamt in minor units (required, above 0, at most
	// MaxAmount; QF Pay advises more than 200).
	Amount int64 `url:"txamt"`
	// Currency is txcurrcd, three upper-case letters; empty is not sent
	// (the documentation marks it optional).
	Currency Currency `url:"txcurrcd,omitempty"`
	// OutTradeNo is the merchant's number of the order (required, at most
	// 128 characters); the Element's walletPay must be given the same one,
	// with the same Amount and Currency.
	OutTradeNo string `url:"out_trade_no"`
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// ReturnURL is return_url, where the Element sends the browser after
	// a success (optional): an https:// URL (http:// only for a loopback
	// host) of at most 512 characters.
	ReturnURL string `url:"return_url,omitempty"`
	// FailedURL is failed_url, where the Element sends the browser after
	// a failure (optional), with ReturnURL's rules.
	FailedURL string `url:"failed_url,omitempty"`
	// NotifyURL is notify_url, where the payment's notification goes (see
	// PaymentRequest.NotifyURL for its rules).
	NotifyURL string `url:"notify_url,omitempty"`
}

// PaymentIntent is a payment intent: what the merchant's page hands to the
// Payment Element for the shopper to pay (current documentation, section
// "Payment Element").
type PaymentIntent struct {
	// ID is payment_intent, the intent to pass to the Element's pay or
	// walletPay (32 hex digits in the documentation's sample).
	ID string `json:"payment_intent"`
	// Expiry is intent_expiry, after which the intent cannot be paid
	// (zero when the gateway did not say). The documentation's diagram
	// says 30 minutes, its sample about 20 hours: rely on Expiry.
	Expiry time.Time `json:"intent_expiry"`
	// OutTradeNo is out_trade_no, the order's number, as the gateway took
	// it.
	OutTradeNo string `json:"out_trade_no"`
	// Amount is txamt, the order's amount in minor units of Currency.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the order's currency.
	Currency Currency `json:"txcurrcd"`
	// SysTime is sysdtm, when the gateway created the intent.
	SysTime time.Time `json:"sysdtm"`
	// RespCode is respcd: "0000" when the intent was created.
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode.
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

func (r *PaymentIntent) check() error {
	if r.ID == "" {
		return errors.New("success without payment_intent")
	}
	return nil
}

// epPaymentIntent creates an intent: no money moves until the shopper pays
// it, and nothing says repeating it is harmless, so it is sent once.
var epPaymentIntent = endpoint{method: "POST", path: "/payment_element/v1/create_payment_intent", mchid: true}

// CreatePaymentIntent creates a payment intent (POST
// /payment_element/v1/create_payment_intent, current documentation,
// section "Payment Element"), the server half of a card, Apple Pay or
// wallet payment in the merchant's own page: hand the answer's ID to the
// page, which loads QF Pay's qfpay.js and lets the shopper pay it. The
// payment is then notified (to req.NotifyURL or the registered URL) like
// any other; confirm it with WaitForPayment by req.OutTradeNo.
//
// Creating an intent moves no money, but the documentation does not say
// the call is safe to repeat, so it is never re-sent: a failure is
// returned as it is (never ErrOutcomeUnknown). An intent created by a
// request whose answer was lost cannot be paid, as nobody holds its ID,
// and lapses at its expiry. Call again with the same OutTradeNo; if the
// gateway refuses it as used (ErrDuplicate), the lost intent took it:
// use a new number for the order.
func (c *Client) CreatePaymentIntent(ctx context.Context, req *PaymentIntentRequest) (*PaymentIntent, error) {
	return do[PaymentIntent](ctx, c, &epPaymentIntent, req)
}

func (r *PaymentIntentRequest) validate() error {
	if r == nil {
		return invalid("nil *PaymentIntentRequest")
	}
	if r.PayType == "" {
		return invalidField("pay_type", "PayType is required, such as 802801 for Visa / Mastercard online")
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	if r.Currency != "" {
		if err := validateCurrency("txcurrcd", r.Currency); err != nil {
			return err
		}
	}
	if err := validateOutTradeNo(r.OutTradeNo); err != nil {
		return err
	}
	if err := checkLength("mchid", "MerchantID", r.MerchantID, maxMerchantID); err != nil {
		return err
	}
	for _, u := range []struct{ field, name, value string }{
		{"return_url", "ReturnURL", r.ReturnURL},
		{"failed_url", "FailedURL", r.FailedURL},
	} {
		if u.value == "" {
			continue
		}
		if err := validateSecureURL(u.field, u.name, u.value); err != nil {
			return err
		}
		if err := checkLength(u.field, u.name, u.value, maxURL); err != nil {
			return err
		}
	}
	return validateNotifyURL(r.NotifyURL)
}
