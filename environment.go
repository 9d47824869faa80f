package qfpay

import (
	"fmt"
	"slices"
	"strings"
)

// Environment is the base URL of a QF Pay gateway (API section
// "Environments"). Use one of the constants, ParseEnvironment for a
// configuration value, or WithBaseURL for any other address.
type Environment string

// The gateways of the API's environment table. Sandbox, the default, is the
// general test environment open to everybody; "Test" environments are
// regional test systems and "Live" ones move real money.
const (
	Sandbox       Environment = "https://openapi-test.qfpay.com"     // the shared test gateway ("sandbox"); the default
	ChinaTest     Environment = "https://test-openapi.qfpay.com"     // mainland China, test ("cn-test")
	ChinaLive     Environment = "https://openapi.qfpay.com"          // mainland China, real money ("cn-live")
	HongKongTest  Environment = "https://test-openapi-hk.qfapi.com"  // Hong Kong, test ("hk-test")
	HongKongLive  Environment = "https://openapi-hk.qfapi.com"       // Hong Kong, real money ("hk-live")
	JapanLive     Environment = "https://openapi-jp.qfapi.com"       // Japan, real money ("jp-live"); the table lists no Japanese test gateway
	ThailandTest  Environment = "https://test-openapi-th.qfapi.com"  // Thailand, test ("th-test")
	ThailandLive  Environment = "https://openapi-th.qfapi.com"       // Thailand, real money ("th-live")
	DubaiTest     Environment = "https://test-openapi-db.qfapi.com"  // Dubai, test ("ae-test")
	DubaiLive     Environment = "https://openapi-db.qfapi.com"       // Dubai, real money ("ae-live")
	SingaporeTest Environment = "https://test-openapi-sg.qfapi.com"  // Singapore, test ("sg-test")
	SingaporeLive Environment = "https://openapi-sg.qfapi.com"       // Singapore, real money ("sg-live")
	IndonesiaTest Environment = "https://test-openapi-id.qfapi.com"  // Indonesia, test ("id-test")
	IndonesiaLive Environment = "https://openapi-id.qfapi.com"       // Indonesia, real money ("id-live")
	EuropeTest    Environment = "https://test-openapi-eur.qfapi.com" // Europe, test ("eu-test")
	EuropeLive    Environment = "https://openapi-eur.qfapi.com"      // Europe, real money ("eu-live")
)

// HongKongSandbox is the sandbox of QF Pay's current documentation (section
// "Environments" of the Hong Kong developer centre, newer than the API
// documentation's table): simulated card payments with the documented test
// cards, and the only host the documentation gives for the recurring
// payment APIs. It is named "hk-sandbox" in ParseEnvironment. Wallet
// payments are tested on HongKongTest (live test: real wallets, test
// merchant accounts, no settlement); HongKongLive is production.
const HongKongSandbox Environment = "https://openapi-int.qfapi.com"

// The hosted checkout pages (checkstand) of the current documentation
// (section "Hosted checkout page"): Client.CheckoutURL appends the signed
// parameters directly after the "?". QF Pay documents a checkout page for
// HongKongTest and HongKongLive only, none for HongKongSandbox or the other
// regions.
const (
	CheckoutPageHongKongTest = "https://test-openapi-hk.qfapi.com/checkstand/#/?" // HongKongTest's page
	CheckoutPageHongKongLive = "https://openapi-hk.qfapi.com/checkstand/#/?"      // HongKongLive's page: real money
)

var environmentNames = map[string]Environment{
	"sandbox": Sandbox,
	"cn-test": ChinaTest, "cn-live": ChinaLive,
	"hk-test": HongKongTest, "hk-live": HongKongLive, "hk-sandbox": HongKongSandbox,
	"jp-live": JapanLive,
	"th-test": ThailandTest, "th-live": ThailandLive,
	"ae-test": DubaiTest, "ae-live": DubaiLive,
	"sg-test": SingaporeTest, "sg-live": SingaporeLive,
	"id-test": IndonesiaTest, "id-live": IndonesiaLive,
	"eu-test": EuropeTest, "eu-live": EuropeLive,
}

// EnvironmentNames lists the names ParseEnvironment reads, sorted.
func EnvironmentNames() []string {
	names := make([]string, 0, len(environmentNames))
	for n := range environmentNames {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ParseEnvironment reads an environment name as used in configuration files
// and environment variables: "sandbox", or a region and "-test" or "-live":
// cn, hk, jp (live only), th, ae (Dubai), sg, id, eu; and "hk-sandbox"
// (HongKongSandbox). Case and surrounding space are ignored. An unknown name is an error that lists the valid ones.
func ParseEnvironment(name string) (Environment, error) {
	if env, ok := environmentNames[strings.ToLower(strings.TrimSpace(name))]; ok {
		return env, nil
	}
	return "", fmt.Errorf("qfpay: unknown environment %q: want one of %s", name, strings.Join(EnvironmentNames(), ", "))
}

// Name is the short name of a known environment ("hk-live"), or "" for a
// base URL that is not in the table.
func (e Environment) Name() string {
	for n, env := range environmentNames {
		if env == e {
			return n
		}
	}
	return ""
}

// IsLive reports whether the environment is a production gateway where
// payments move real money.
func (e Environment) IsLive() bool { return strings.HasSuffix(e.Name(), "-live") }

// String returns the base URL, with any user:password in it (a base URL
// given with WithBaseURL may hold a proxy's) shown as "redacted", so that
// printing an Environment never shows a password; string(e) is the URL
// itself.
func (e Environment) String() string {
	if !strings.Contains(string(e), "@") {
		return string(e)
	}
	return redactURL(string(e))
}
