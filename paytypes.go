package qfpay

import "strconv"

// PayType is the pay_type code that picks wallet and checkout scenario (API
// section "Payment Codes", PayType table). The constants below cover every
// code in that table; a PayType holding any other code is still sent as is,
// for codes QF Pay adds later.
type PayType string

// The pay types of the API's PayType table.
const (
	// PayTypeUnifiedCPM is 800008: Consumer Present QR Code Mode (CPM) for WeChat, Alipay, UNIONPAY Quick Pass.
	PayTypeUnifiedCPM PayType = "800008"
	// PayTypeAlipayMPM is 800101: Alipay Merchant Presented QR Code Payment in store (MPM) (Overseas Merchant).
	PayTypeAlipayMPM PayType = "800101"
	// PayTypeAlipayServiceWindowH5 is 800107: Alipay Service Window H5 Payment.
	PayTypeAlipayServiceWindowH5 PayType = "800107"
	// PayTypeAlipayCPM is 800108: Alipay Consumer Presented QR Code Payment (CPM).
	PayTypeAlipayCPM PayType = "800108"
	// PayTypeWeChatMPM is 800201: WeChat Merchant Presented QR Code Payment (MPM) (Online Payment) (Overseas & HK Merchant).
	PayTypeWeChatMPM PayType = "800201"
	// PayTypeWeChatJSAPI is 800207: WeChat JSAPI Payment - WeChat Official Account Payment (Overseas & HK Merchant).
	PayTypeWeChatJSAPI PayType = "800207"
	// PayTypeWeChatCPM is 800208: WeChat Consumer Presented QR Code Payment (CPM).
	PayTypeWeChatCPM PayType = "800208"
	// PayTypeWeChatInApp is 800210: WeChat in-APP Payment.
	PayTypeWeChatInApp PayType = "800210"
	// PayTypeWeChatMiniProgram is 800213: WeChat Mini-Program Payment.
	PayTypeWeChatMiniProgram PayType = "800213"
	// PayTypeUnionPayMPM is 800701: UNIONPAY Quick Pass Merchant Presented QR Code Payment (MPM).
	PayTypeUnionPayMPM PayType = "800701"
	// PayTypeUnionPayCPM is 800708: UNIONPAY Quick Pass Consumer Presented QR Code Payment (CPM).
	PayTypeUnionPayCPM PayType = "800708"
	// PayTypeWeChatPayHKCPM is 801008: WeChat Pay HK Consumer Presented QR Code Payment (CPM) (Direct Settlement, HK Merchant).
	PayTypeWeChatPayHKCPM PayType = "801008"
	// PayTypeWeChatPayHKInApp is 801010: WeChat Pay HK In-App Payment (Direct Settlement, HK Merchant).
	PayTypeWeChatPayHKInApp PayType = "801010"
	// PayTypeAlipayOnlineQR is 801114: Alipay Online QR Code Payment (Overseas Merchant).
	PayTypeAlipayOnlineQR PayType = "801114"
	// PayTypeAlipayOnlineWAP is 801112: Alipay Online WAP Payment (Overseas Merchant).
	PayTypeAlipayOnlineWAP PayType = "801112"
	// PayTypeAlipayInApp is 801110: Alipay in-APP Payments (Overseas Merchant).
	PayTypeAlipayInApp PayType = "801110"
	// PayTypeLinePayCPM is 801208: LINEPAY dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeLinePayCPM PayType = "801208"
	// PayTypeLinePayOnline is 801301: LINEPAY Online Payment.
	PayTypeLinePayOnline PayType = "801301"
	// PayTypeAirPayCPM is 801408: AIRPAY dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeAirPayCPM PayType = "801408"
	// PayTypeAlipayHKOnlineQR is 801501: Alipay HK Merchant Presented Online QR Code Payment (HK Merchant).
	PayTypeAlipayHKOnlineQR PayType = "801501"
	// PayTypeAlipayHKInApp is 801510: Alipay HK In-App Payment (HK Merchant).
	PayTypeAlipayHKInApp PayType = "801510"
	// PayTypeAlipayHKOnlineWAP is 801512: Alipay HK Online WAP Payment (HK Merchant).
	PayTypeAlipayHKOnlineWAP PayType = "801512"
	// PayTypeNETSMPM is 801701: NETSPAY Merchant Presented QR Code Payment (MPM).
	PayTypeNETSMPM PayType = "801701"
	// PayTypeAlipayPreAuthCPM is 801801: Alipay Pre-Authorization dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeAlipayPreAuthCPM PayType = "801801"
	// PayTypeAlipayPreAuthMPM is 801808: Alipay Pre-Authorization dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeAlipayPreAuthMPM PayType = "801808"
	// PayTypeAlipayPreAuthInApp is 801810: Alipay Pre-Authorization in-APP Payment.
	PayTypeAlipayPreAuthInApp PayType = "801810"
	// PayTypeAlipayPreAuthOnline is 801814: Alipay Pre-Authorization Online Payment.
	PayTypeAlipayPreAuthOnline PayType = "801814"
	// PayTypeOrigamiCPM is 801908: Origami Consumer Presented QR Code Payment (CPM).
	PayTypeOrigamiCPM PayType = "801908"
	// PayTypeFPSMPM is 802001: HK FPS Merchant Presented QR Code Payment (MPM).
	PayTypeFPSMPM PayType = "802001"
	// PayTypeAirPayOnline is 802201: AIRPAY Online Payment.
	PayTypeAirPayOnline PayType = "802201"
	// PayTypePayNowMPM is 802301: PayNow Merchant Presented QR Code Payment (MPM).
	PayTypePayNowMPM PayType = "802301"
	// PayTypePromptPayMPM is 802901: PromptPay dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypePromptPayMPM PayType = "802901"
	// PayTypeEWalletMPM is 803001: eWallet dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeEWalletMPM PayType = "803001"
	// PayTypeEWalletCPM is 803008: eWallet dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeEWalletCPM PayType = "803008"
	// PayTypeVIAMPM is 803101: VIA dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeVIAMPM PayType = "803101"
	// PayTypeVIACPM is 803108: VIA dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeVIACPM PayType = "803108"
	// PayTypeTNGCPM is 803208: Touch 'n Go (TNG) dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeTNGCPM PayType = "803208"
	// PayTypeTNGOnline is 803214: Touch 'n Go (TNG) Online Payment.
	PayTypeTNGOnline PayType = "803214"
	// PayTypeRazerMPM is 803301: Razer dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeRazerMPM PayType = "803301"
	// PayTypeRazerCPM is 803308: Razer dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeRazerCPM PayType = "803308"
	// PayTypeRazerOnline is 803314: Razer Online Payment.
	PayTypeRazerOnline PayType = "803314"
	// PayTypeOctopusMPM is 803701: Octopus dynamic QRC Payment - Merchant Present Mode (MPM) (HK Merchant).
	PayTypeOctopusMPM PayType = "803701"
	// PayTypeOctopusWAP is 803712: Octopus WAP Payment (HK Merchant).
	PayTypeOctopusWAP PayType = "803712"
	// PayTypeDashMPM is 803801: Dash dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeDashMPM PayType = "803801"
	// PayTypeDashCPM is 803808: Dash dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeDashCPM PayType = "803808"
	// PayTypeBoostMPM is 804001: Boost dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeBoostMPM PayType = "804001"
	// PayTypeBoostCPM is 804008: Boost dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeBoostCPM PayType = "804008"
	// PayTypeBoostOnline is 804014: Boost Online Payment.
	PayTypeBoostOnline PayType = "804014"
	// PayTypeMaybankMPM is 804101: Maybank dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeMaybankMPM PayType = "804101"
	// PayTypeMaybankCPM is 804108: Maybank dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeMaybankCPM PayType = "804108"
	// PayTypeMaybankOnline is 804114: Maybank Online Payment.
	PayTypeMaybankOnline PayType = "804114"
	// PayTypeGrabPayMPM is 804201: GrabPay dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeGrabPayMPM PayType = "804201"
	// PayTypeGrabPayCPM is 804208: GrabPay dynamic QRC Payment - Consumer Present Mode (CPM) (Malaysia Merchant).
	PayTypeGrabPayCPM PayType = "804208"
	// PayTypeGrabPayOnline is 804214: GrabPay Online Payment.
	PayTypeGrabPayOnline PayType = "804214"
	// PayTypeTrueMoneyCPM is 805208: TrueMoney dynamic QRC Payment - Consumer Present Mode (CPM).
	PayTypeTrueMoneyCPM PayType = "805208"
	// PayTypeThaiQRMPM is 805401: ThaiQR dynamic QRC Payment - Merchant Present Mode (MPM) (Singapore Merchant).
	PayTypeThaiQRMPM PayType = "805401"
	// PayTypeGoPayMPM is 805601: GoPay dynamic QRC Payment - Merchant Present Mode (MPM).
	PayTypeGoPayMPM PayType = "805601"
	// PayTypeGoPayWAP is 805612: GoPay WAP Payment.
	PayTypeGoPayWAP PayType = "805612"
)

// PayMode is the checkout scenario a pay type belongs to.
type PayMode int

// The checkout scenarios of the API documentation.
const (
	// ModeUnknown is the mode of a code missing from the PayType table.
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
	}
	return "unknown"
}

type payTypeInfo struct {
	mode        PayMode
	preAuth     bool
	description string
}

var payTypes = map[PayType]payTypeInfo{
	PayTypeUnifiedCPM:            {ModeConsumerPresented, false, "Consumer Present QR Code Mode (CPM) for WeChat, Alipay, UNIONPAY Quick Pass"},
	PayTypeAlipayMPM:             {ModeMerchantPresented, false, "Alipay Merchant Presented QR Code Payment in store (MPM) (Overseas Merchant)"},
	PayTypeAlipayServiceWindowH5: {ModeInWallet, false, "Alipay Service Window H5 Payment"},
	PayTypeAlipayCPM:             {ModeConsumerPresented, false, "Alipay Consumer Presented QR Code Payment (CPM)"},
	PayTypeWeChatMPM:             {ModeMerchantPresented, false, "WeChat Merchant Presented QR Code Payment (MPM) (Online Payment) (Overseas & HK Merchant)"},
	PayTypeWeChatJSAPI:           {ModeInWallet, false, "WeChat JSAPI Payment - WeChat Official Account Payment (Overseas & HK Merchant)"},
	PayTypeWeChatCPM:             {ModeConsumerPresented, false, "WeChat Consumer Presented QR Code Payment (CPM)"},
	PayTypeWeChatInApp:           {ModeInApp, false, "WeChat in-APP Payment"},
	PayTypeWeChatMiniProgram:     {ModeInWallet, false, "WeChat Mini-Program Payment"},
	PayTypeUnionPayMPM:           {ModeMerchantPresented, false, "UNIONPAY Quick Pass Merchant Presented QR Code Payment (MPM)"},
	PayTypeUnionPayCPM:           {ModeConsumerPresented, false, "UNIONPAY Quick Pass Consumer Presented QR Code Payment (CPM)"},
	PayTypeWeChatPayHKCPM:        {ModeConsumerPresented, false, "WeChat Pay HK Consumer Presented QR Code Payment (CPM) (Direct Settlement, HK Merchant)"},
	PayTypeWeChatPayHKInApp:      {ModeInApp, false, "WeChat Pay HK In-App Payment (Direct Settlement, HK Merchant)"},
	PayTypeAlipayOnlineQR:        {ModeOnline, false, "Alipay Online QR Code Payment (Overseas Merchant)"},
	PayTypeAlipayOnlineWAP:       {ModeOnline, false, "Alipay Online WAP Payment (Overseas Merchant)"},
	PayTypeAlipayInApp:           {ModeInApp, false, "Alipay in-APP Payments (Overseas Merchant)"},
	PayTypeLinePayCPM:            {ModeConsumerPresented, false, "LINEPAY dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeLinePayOnline:         {ModeOnline, false, "LINEPAY Online Payment"},
	PayTypeAirPayCPM:             {ModeConsumerPresented, false, "AIRPAY dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeAlipayHKOnlineQR:      {ModeOnline, false, "Alipay HK Merchant Presented Online QR Code Payment (HK Merchant)"},
	PayTypeAlipayHKInApp:         {ModeInApp, false, "Alipay HK In-App Payment (HK Merchant)"},
	PayTypeAlipayHKOnlineWAP:     {ModeOnline, false, "Alipay HK Online WAP Payment (HK Merchant)"},
	PayTypeNETSMPM:               {ModeMerchantPresented, false, "NETSPAY Merchant Presented QR Code Payment (MPM)"},
	PayTypeAlipayPreAuthCPM:      {ModeConsumerPresented, true, "Alipay Pre-Authorization dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeAlipayPreAuthMPM:      {ModeMerchantPresented, true, "Alipay Pre-Authorization dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeAlipayPreAuthInApp:    {ModeInApp, true, "Alipay Pre-Authorization in-APP Payment"},
	PayTypeAlipayPreAuthOnline:   {ModeOnline, true, "Alipay Pre-Authorization Online Payment"},
	PayTypeOrigamiCPM:            {ModeConsumerPresented, false, "Origami Consumer Presented QR Code Payment (CPM)"},
	PayTypeFPSMPM:                {ModeMerchantPresented, false, "HK FPS Merchant Presented QR Code Payment (MPM)"},
	PayTypeAirPayOnline:          {ModeOnline, false, "AIRPAY Online Payment"},
	PayTypePayNowMPM:             {ModeMerchantPresented, false, "PayNow Merchant Presented QR Code Payment (MPM)"},
	PayTypePromptPayMPM:          {ModeMerchantPresented, false, "PromptPay dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeEWalletMPM:            {ModeMerchantPresented, false, "eWallet dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeEWalletCPM:            {ModeConsumerPresented, false, "eWallet dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeVIAMPM:                {ModeMerchantPresented, false, "VIA dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeVIACPM:                {ModeConsumerPresented, false, "VIA dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeTNGCPM:                {ModeConsumerPresented, false, "Touch 'n Go (TNG) dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeTNGOnline:             {ModeOnline, false, "Touch 'n Go (TNG) Online Payment"},
	PayTypeRazerMPM:              {ModeMerchantPresented, false, "Razer dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeRazerCPM:              {ModeConsumerPresented, false, "Razer dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeRazerOnline:           {ModeOnline, false, "Razer Online Payment"},
	PayTypeOctopusMPM:            {ModeMerchantPresented, false, "Octopus dynamic QRC Payment - Merchant Present Mode (MPM) (HK Merchant)"},
	PayTypeOctopusWAP:            {ModeOnline, false, "Octopus WAP Payment (HK Merchant)"},
	PayTypeDashMPM:               {ModeMerchantPresented, false, "Dash dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeDashCPM:               {ModeConsumerPresented, false, "Dash dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeBoostMPM:              {ModeMerchantPresented, false, "Boost dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeBoostCPM:              {ModeConsumerPresented, false, "Boost dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeBoostOnline:           {ModeOnline, false, "Boost Online Payment"},
	PayTypeMaybankMPM:            {ModeMerchantPresented, false, "Maybank dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeMaybankCPM:            {ModeConsumerPresented, false, "Maybank dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeMaybankOnline:         {ModeOnline, false, "Maybank Online Payment"},
	PayTypeGrabPayMPM:            {ModeMerchantPresented, false, "GrabPay dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeGrabPayCPM:            {ModeConsumerPresented, false, "GrabPay dynamic QRC Payment - Consumer Present Mode (CPM) (Malaysia Merchant)"},
	PayTypeGrabPayOnline:         {ModeOnline, false, "GrabPay Online Payment"},
	PayTypeTrueMoneyCPM:          {ModeConsumerPresented, false, "TrueMoney dynamic QRC Payment - Consumer Present Mode (CPM)"},
	PayTypeThaiQRMPM:             {ModeMerchantPresented, false, "ThaiQR dynamic QRC Payment - Merchant Present Mode (MPM) (Singapore Merchant)"},
	PayTypeGoPayMPM:              {ModeMerchantPresented, false, "GoPay dynamic QRC Payment - Merchant Present Mode (MPM)"},
	PayTypeGoPayWAP:              {ModeOnline, false, "GoPay WAP Payment"},
}

// PayTypes lists every pay type of the API's PayType table, in table order.
func PayTypes() []PayType {
	return []PayType{
		PayTypeUnifiedCPM,
		PayTypeAlipayMPM,
		PayTypeAlipayServiceWindowH5,
		PayTypeAlipayCPM,
		PayTypeWeChatMPM,
		PayTypeWeChatJSAPI,
		PayTypeWeChatCPM,
		PayTypeWeChatInApp,
		PayTypeWeChatMiniProgram,
		PayTypeUnionPayMPM,
		PayTypeUnionPayCPM,
		PayTypeWeChatPayHKCPM,
		PayTypeWeChatPayHKInApp,
		PayTypeAlipayOnlineQR,
		PayTypeAlipayOnlineWAP,
		PayTypeAlipayInApp,
		PayTypeLinePayCPM,
		PayTypeLinePayOnline,
		PayTypeAirPayCPM,
		PayTypeAlipayHKOnlineQR,
		PayTypeAlipayHKInApp,
		PayTypeAlipayHKOnlineWAP,
		PayTypeNETSMPM,
		PayTypeAlipayPreAuthCPM,
		PayTypeAlipayPreAuthMPM,
		PayTypeAlipayPreAuthInApp,
		PayTypeAlipayPreAuthOnline,
		PayTypeOrigamiCPM,
		PayTypeFPSMPM,
		PayTypeAirPayOnline,
		PayTypePayNowMPM,
		PayTypePromptPayMPM,
		PayTypeEWalletMPM,
		PayTypeEWalletCPM,
		PayTypeVIAMPM,
		PayTypeVIACPM,
		PayTypeTNGCPM,
		PayTypeTNGOnline,
		PayTypeRazerMPM,
		PayTypeRazerCPM,
		PayTypeRazerOnline,
		PayTypeOctopusMPM,
		PayTypeOctopusWAP,
		PayTypeDashMPM,
		PayTypeDashCPM,
		PayTypeBoostMPM,
		PayTypeBoostCPM,
		PayTypeBoostOnline,
		PayTypeMaybankMPM,
		PayTypeMaybankCPM,
		PayTypeMaybankOnline,
		PayTypeGrabPayMPM,
		PayTypeGrabPayCPM,
		PayTypeGrabPayOnline,
		PayTypeTrueMoneyCPM,
		PayTypeThaiQRMPM,
		PayTypeGoPayMPM,
		PayTypeGoPayWAP,
	}
}

// Description is the PayType table's description of the code, or "" for a
// code the table does not list.
func (p PayType) Description() string { return payTypes[p].description }

// Known reports whether the code is in the API's PayType table.
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

// Currency is a txcurrcd value, an ISO 4217 code (API section "Currencies").
// Amounts are always in the currency's minor unit (cents).
type Currency string

// The currencies of the API's currency table.
const (
	CurrencyAED Currency = "AED" // Arab Emirates Dirham
	CurrencyCNY Currency = "CNY" // Chinese Yuan
	CurrencyEUR Currency = "EUR" // Euro
	CurrencyHKD Currency = "HKD" // Hong Kong Dollar
	CurrencyIDR Currency = "IDR" // Indonesian Rupiah
	CurrencyJPY Currency = "JPY" // Japanese Yen
	CurrencyMMK Currency = "MMK" // Myanmar Kyat
	CurrencyMYR Currency = "MYR" // Malaysian Ringgit
	CurrencySGD Currency = "SGD" // Singapore Dollar
	CurrencyTHB Currency = "THB" // Thai Baht
	CurrencyUSD Currency = "USD" // United States Dollar
)

var currencies = map[Currency]string{
	CurrencyAED: "Arab Emirates Dirham",
	CurrencyCNY: "Chinese Yuan",
	CurrencyEUR: "Euro",
	CurrencyHKD: "Hong Kong Dollar",
	CurrencyIDR: "Indonesian Rupiah",
	CurrencyJPY: "Japanese Yen",
	CurrencyMMK: "Myanmar Kyat",
	CurrencyMYR: "Malaysian Ringgit",
	CurrencySGD: "Singapore Dollar",
	CurrencyTHB: "Thai Baht",
	CurrencyUSD: "United States Dollar",
}

// Description is the currency table's name of the currency, or "" for a
// code the table does not list.
func (c Currency) Description() string { return currencies[c] }

// Known reports whether the code is in the API's currency table.
func (c Currency) Known() bool { _, ok := currencies[c]; return ok }

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
