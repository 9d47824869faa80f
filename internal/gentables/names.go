package gentables

// The Go side of the pay-type table: what the SDK knows of each code beyond
// the spec's description. Generate fails when the spec's table and this one
// disagree on the codes, so a row added to the spec is given a name and a
// mode here before the tables can be generated again.

// The checkout scenarios, as the names of qfpay's PayMode constants.
const (
	cpm      = "ModeConsumerPresented"
	mpm      = "ModeMerchantPresented"
	online   = "ModeOnline"
	inWallet = "ModeInWallet"
	inApp    = "ModeInApp"
)

// payTypeInfo is one pay type's Go constant name (after "PayType"), its
// checkout scenario and whether it is an Alipay pre-authorization code.
type payTypeInfo struct {
	name    string
	mode    string
	preAuth bool
}

// payTypeNames gives every code of the spec's PayType table its Go name,
// scenario and pre-authorization flag.
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
}

// currencyExponents are the ISO 4217 minor units (decimal places) of the
// currencies of the spec's table, which does not list them (it says only
// that amounts are "in cents"). A currency added to the spec's table needs
// its ISO 4217 exponent here.
var currencyExponents = map[string]int{
	"AED": 2,
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
