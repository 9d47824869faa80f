package qfpay

import (
	"slices"
	"strconv"
)

//go:generate go run ./internal/cmd/gentables -spec testdata -o tables_gen.go

// PayType is the pay_type code that picks wallet and checkout scenario (API
// section "Payment Codes", PayType table). The constants cover every code of
// that table and of the pay-type catalogue of QF Pay's current
// documentation, which adds cards, Apple Pay, PayMe, UnionPay and Octopus
// web pages, WeChat Pay H5 and renumbered Alipay online codes; a PayType
// holding any other code is still sent as is, for codes QF Pay adds later.
type PayType string

// PayMode is the checkout scenario a pay type belongs to.
type PayMode int

// The checkout scenarios of the API documentation, and the card-present
// payments of the current documentation.
const (
	// ModeUnknown is the mode of a code the SDK does not know.
	ModeUnknown PayMode = iota
	// ModeConsumerPresented (CPM): the merchant scans the customer's code
	// (auth_code is required).
	ModeConsumerPresented
	// ModeMerchantPresented (MPM): the customer scans the merchant's QR code
	// (qrcode in the answer).
	ModeMerchantPresented
	// ModeOnline: a web, WAP or online checkout the customer is sent to
	// (pay_url in the answer).
	ModeOnline
	// ModeInWallet: a payment started inside the wallet's own browser or mini
	// program: Alipay service window H5, WeChat JSAPI and mini program
	// (pay_params in the answer; openid or sub_openid in the request).
	ModeInWallet
	// ModeInApp: a payment started by the merchant's mobile app through the
	// wallet SDK (pay_params in the answer).
	ModeInApp
	// ModeCardPresent: a card presented at a QF Pay terminal (card-present
	// POS, current documentation). Such payments show in queries,
	// notifications and refunds, but none is made through Client.Payment,
	// which refuses these pay types.
	ModeCardPresent
)

// String names the mode.
func (m PayMode) String() string {
	switch m {
	case ModeConsumerPresented:
		return "consumer-presented"
	case ModeMerchantPresented:
		return "merchant-presented"
	case ModeOnline:
		return "online"
	case ModeInWallet:
		return "in-wallet"
	case ModeInApp:
		return "in-app"
	case ModeCardPresent:
		return "card-present"
	}
	return "unknown"
}

type payTypeInfo struct {
	mode        PayMode
	preAuth     bool
	description string
}

// PayTypes lists every pay type the SDK knows: the API's PayType table in
// its order, then the codes QF Pay's current documentation adds, in its
// catalogue's order.
func PayTypes() []PayType { return slices.Clone(payTypeList[:]) }

// Description is the PayType table's description of the code (the current
// documentation's catalogue's, for the codes it adds), or "" for a code
// neither lists.
func (p PayType) Description() string { return payTypes[p].description }

// Known reports whether the code is in the API's PayType table or the
// current documentation's catalogue.
func (p PayType) Known() bool { _, ok := payTypes[p]; return ok }

// Mode is the checkout scenario of the code (ModeUnknown for unlisted codes).
func (p PayType) Mode() PayMode { return payTypes[p].mode }

// IsConsumerPresented reports whether the merchant scans the customer's
// code (CPM), so the payment needs an AuthCode.
func (p PayType) IsConsumerPresented() bool { return p.Mode() == ModeConsumerPresented }

// IsMerchantPresented reports whether the customer scans a QR code the
// merchant shows (MPM).
func (p PayType) IsMerchantPresented() bool { return p.Mode() == ModeMerchantPresented }

// IsOnline reports whether the payment is a web, WAP or online checkout.
func (p PayType) IsOnline() bool { return p.Mode() == ModeOnline }

// IsPreAuth reports whether the code is an Alipay pre-authorization (fund
// freeze) pay type: 801801, 801808, 801810 or 801814.
func (p PayType) IsPreAuth() bool { return payTypes[p].preAuth }

// String returns the code.
func (p PayType) String() string { return string(p) }

// CancelStatus is the cancel field of a transaction or notification: whether
// and how it was reversed, closed or refunded.
type CancelStatus int

// The values of the cancel field.
const (
	CancelNone              CancelStatus = 0 // not cancelled
	CancelReversed          CancelStatus = 1 // CPM: reversed or refunded
	CancelClosed            CancelStatus = 2 // MPM: cancelled (closed)
	CancelRefunded          CancelStatus = 3 // refunded in full
	CancelPreAuthFinished   CancelStatus = 4 // Alipay pre-authorization finished
	CancelPartiallyRefunded CancelStatus = 5 // partially refunded
)

// String names the status ("none", "reversed", "closed", "refunded",
// "preauth-finished", "partially-refunded"), or "CancelStatus(N)".
func (s CancelStatus) String() string {
	switch s {
	case CancelNone:
		return "none"
	case CancelReversed:
		return "reversed"
	case CancelClosed:
		return "closed"
	case CancelRefunded:
		return "refunded"
	case CancelPreAuthFinished:
		return "preauth-finished"
	case CancelPartiallyRefunded:
		return "partially-refunded"
	}
	return "CancelStatus(" + strconv.Itoa(int(s)) + ")"
}
