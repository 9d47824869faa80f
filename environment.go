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
	Sandbox       Environment = "https://openapi-test.qfpay.com"
	ChinaTest     Environment = "https://test-openapi.qfpay.com"
	ChinaLive     Environment = "https://openapi.qfpay.com"
	HongKongTest  Environment = "https://test-openapi-hk.qfapi.com"
	HongKongLive  Environment = "https://openapi-hk.qfapi.com"
	JapanLive     Environment = "https://openapi-jp.qfapi.com"
	ThailandTest  Environment = "https://test-openapi-th.qfapi.com"
	ThailandLive  Environment = "https://openapi-th.qfapi.com"
	DubaiTest     Environment = "https://test-openapi-db.qfapi.com"
	DubaiLive     Environment = "https://openapi-db.qfapi.com"
	SingaporeTest Environment = "https://test-openapi-sg.qfapi.com"
	SingaporeLive Environment = "https://openapi-sg.qfapi.com"
	IndonesiaTest Environment = "https://test-openapi-id.qfapi.com"
	IndonesiaLive Environment = "https://openapi-id.qfapi.com"
	EuropeTest    Environment = "https://test-openapi-eur.qfapi.com"
	EuropeLive    Environment = "https://openapi-eur.qfapi.com"
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
	CheckoutPageHongKongTest = "https://test-openapi-hk.qfapi.com/checkstand/#/?"
	CheckoutPageHongKongLive = "https://openapi-hk.qfapi.com/checkstand/#/?"
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

// String returns the base URL.
func (e Environment) String() string { return string(e) }
