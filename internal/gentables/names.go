package gentables

// The Go side of the pay-type table: what the SDK knows of each code beyond
// the documentation's description. Generate fails when the extracts (the
// API documentation's table and the current documentation's catalogue) and
// this file disagree on the codes, so a row added to an extract is given a
// name and a mode here before the tables can be generated again.

// The checkout scenarios, as the names of qfpay's PayMode constants.
const (
	cpm      = "ModeConsumerPresented"
	mpm      = "ModeMerchantPresented"
	online   = "ModeOnline"
	inWallet = "ModeInWallet"
	inApp    = "ModeInApp"
	// cardPresent: a card at a terminal, not a payment of this API.
	cardPresent = "ModeCardPresent"
)

// payTypeInfo is one pay type's Go constant name (after "PayType"), its
// checkout scenario and whether it is an Alipay pre-authorization code.
type payTypeInfo struct {
	name    string
	mode    string
	preAuth bool
}

// payTypeNames gives every code of the API documentation's PayType table
// and of the current documentation's catalogue its Go name, scenario and
// pre-authorization flag. The codes of the current catalogue follow those of
// the API's table; each group is in code order.
var payTypeNames = map[string]payTypeInfo{
	"800008": {"UnifiedCPM", cpm, false},
	"800101": {"AlipayMPM", mpm, false},
	"800107": {"AlipayServiceWindowH5", inWallet, false},
	"800108": {"AlipayCPM", cpm, false},
	"800201": {"WeChatMPM", mpm, false},
	"800207": {"WeChatJSAPI", inWallet, false},
	"800208": {"WeChatCPM", cpm, false},
	"800210": {"WeChatInApp", inApp, false},
	"800213": {"WeChatMiniProgram", inWallet, false},
	"800701": {"UnionPayMPM", mpm, false},
	"800708": {"UnionPayCPM", cpm, false},
	"801008": {"WeChatPayHKCPM", cpm, false},
	"801010": {"WeChatPayHKInApp", inApp, false},
	"801110": {"AlipayInApp", inApp, false},
	"801112": {"AlipayOnlineWAP", online, false},
	"801114": {"AlipayOnlineQR", online, false},
	"801208": {"LinePayCPM", cpm, false},
	"801301": {"LinePayOnline", online, false},
	"801408": {"AirPayCPM", cpm, false},
	"801501": {"AlipayHKOnlineQR", online, false},
	"801510": {"AlipayHKInApp", inApp, false},
	"801512": {"AlipayHKOnlineWAP", online, false},
	"801701": {"NETSMPM", mpm, false},
	"801801": {"AlipayPreAuthCPM", cpm, true},
	"801808": {"AlipayPreAuthMPM", mpm, true},
	"801810": {"AlipayPreAuthInApp", inApp, true},
	"801814": {"AlipayPreAuthOnline", online, true},
	"801908": {"OrigamiCPM", cpm, false},
	"802001": {"FPSMPM", mpm, false},
	"802201": {"AirPayOnline", online, false},
	"802301": {"PayNowMPM", mpm, false},
	"802901": {"PromptPayMPM", mpm, false},
	"803001": {"EWalletMPM", mpm, false},
	"803008": {"EWalletCPM", cpm, false},
	"803101": {"VIAMPM", mpm, false},
	"803108": {"VIACPM", cpm, false},
	"803208": {"TNGCPM", cpm, false},
	"803214": {"TNGOnline", online, false},
	"803301": {"RazerMPM", mpm, false},
	"803308": {"RazerCPM", cpm, false},
	"803314": {"RazerOnline", online, false},
	"803701": {"OctopusMPM", mpm, false},
	"803712": {"OctopusWAP", online, false},
	"803801": {"DashMPM", mpm, false},
	"803808": {"DashCPM", cpm, false},
	"804001": {"BoostMPM", mpm, false},
	"804008": {"BoostCPM", cpm, false},
	"804014": {"BoostOnline", online, false},
	"804101": {"MaybankMPM", mpm, false},
	"804108": {"MaybankCPM", cpm, false},
	"804114": {"MaybankOnline", online, false},
	"804201": {"GrabPayMPM", mpm, false},
	"804208": {"GrabPayCPM", cpm, false},
	"804214": {"GrabPayOnline", online, false},
	"805208": {"TrueMoneyCPM", cpm, false},
	"805401": {"ThaiQRMPM", mpm, false},
	"805601": {"GoPayMPM", mpm, false},
	"805612": {"GoPayWAP", online, false},

	// QF Pay's current documentation (testdata/current_paytypes.txt).
	"800212": {"WeChatH5", online, false},
	"800712": {"UnionPayWAP", online, false},
	"800714": {"UnionPayWeb", online, false},
	// 801101 and 801107 renumber 801114 and 801112, whose names they
	// cannot take.
	"801101": {"AlipayOverseasWeb", online, false},
	"801107": {"AlipayOverseasWAP", online, false},
	"801514": {"AlipayHKOnlineWeb", online, false},
	"802801": {"VisaMastercardOnline", online, false},
	"802808": {"VisaMastercardOffline", cardPresent, false},
	"803714": {"OctopusWeb", online, false},
	"805801": {"PayMeMPM", mpm, false},
	"805808": {"PayMeCPM", cpm, false},
	"805812": {"PayMeWAP", online, false},
	"805814": {"PayMeWeb", online, false},
	"806527": {"ApplePay", online, false},
	"806708": {"UnionPayCardOffline", cardPresent, false},
	"806808": {"AmexCardOffline", cardPresent, false},
}

// payTypeNotes are paragraphs added to the doc comments of some pay types:
// what the current documentation changed about a code of the API's table,
// a footnote of its catalogue, or how the SDK takes the code. Generate
// wraps them.
var payTypeNotes = map[string]string{
	"800008": "QF Pay's current documentation adds PayMe's consumer-presented code to those it takes.",
	"801112": "QF Pay's current documentation no longer lists 801112: its Alipay online WAP code for " +
		"overseas merchants is 801107 (PayTypeAlipayOverseasWAP), and it does not say whether 801112 " +
		"still works (open question 11 of the digest). Ask QF Pay before choosing it for a new " +
		"integration.",
	"801114": "QF Pay's current documentation no longer lists 801114: its Alipay online web code for " +
		"overseas merchants is 801101 (PayTypeAlipayOverseasWeb), and it does not say whether 801114 " +
		"still works (open question 11 of the digest). Ask QF Pay before choosing it for a new " +
		"integration.",
	"802001": "No refunds (footnote *** of the current documentation's catalogue).",
	"800212": "A payment of it needs ExtendInfo with the shopper's mobile site and IP address " +
		"(WeChatExtendInfo's WapURL, WapName and ShopperIP); open the answer's PayURL in the " +
		"shopper's mobile browser, not in an in-app webview.",
	"801101": "The amount must be above HKD 1 (footnote ** of the current documentation's catalogue). " +
		"It replaces 801114 (PayTypeAlipayOnlineQR) in the current documentation.",
	"801107": "It replaces 801112 (PayTypeAlipayOnlineWAP) in the current documentation.",
	"802801": "Paid only through the hosted checkout (Client.CheckoutURL) or the Payment Element " +
		"(Client.CreatePaymentIntent), which run 3-D Secure.",
	"802808": "A card presented at a QF Pay terminal (ModeCardPresent): such payments show in queries, " +
		"notifications and refunds, but none is made through Client.Payment.",
	"806527": "Offered only inside the hosted checkout and the Payment Element, once QF Pay has " +
		"enabled it for the merchant.",
	"806708": "A card presented at a QF Pay terminal (ModeCardPresent): such payments show in queries, " +
		"notifications and refunds, but none is made through Client.Payment.",
	"806808": "A card presented at a QF Pay terminal (ModeCardPresent): such payments show in queries, " +
		"notifications and refunds, but none is made through Client.Payment.",
}

// currencyExponents are the ISO 4217 minor units (decimal places) of the
// currencies of the spec's table and the current documentation's, which do
// not list them (they say only that amounts are "in cents"). A currency
// added to an extract needs its ISO 4217 exponent here.
var currencyExponents = map[string]int{
	"AED": 2,
	"AUD": 2,
	"CAD": 2,
	"CNY": 2,
	"EUR": 2,
	"HKD": 2,
	"IDR": 2,
	"JPY": 0,
	"MMK": 2,
	"MYR": 2,
	"SGD": 2,
	"THB": 2,
	"USD": 2,
}
