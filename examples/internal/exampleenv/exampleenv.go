// Package exampleenv is the setup the example programs share: a QF Pay
// client against an embedded sandbox (package qfpaytest) by default, or
// against a QF Pay environment when the merchant's credentials are in the
// environment:
//
//	QFPAY_APP_CODE    the app code QF Pay issued
//	QFPAY_CLIENT_KEY  the client key QF Pay issued (never printed)
//	QFPAY_ENV         an environment name of qfpay.ParseEnvironment
//	                  ("sandbox", "hk-test", "hk-live", ...) or the base URL
//	                  of a gateway, such as cmd/qfpay-sandbox's
//	QFPAY_MCHID       the mchid, only if QF Pay gave the merchant one
//	QFPAY_CURRENCY    the currency of the examples' payments (default HKD)
//
// The first three go together: with none of them the programs run against
// the embedded sandbox, with some but not all they refuse to start.
package exampleenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// The environment variables Open reads.
const (
	AppCodeVar    = "QFPAY_APP_CODE"
	ClientKeyVar  = "QFPAY_CLIENT_KEY"
	EnvVar        = "QFPAY_ENV"
	MerchantIDVar = "QFPAY_MCHID"
	CurrencyVar   = "QFPAY_CURRENCY"
)

// SandboxMerchantID is the mchid the embedded sandbox and its client are
// given under NeedMerchantID.
const SandboxMerchantID = "SBX0MCH0001"

// How long the programs wait for a customer to pay: a real customer scans
// a QR code or opens a checkout within CustomerWait; the sandbox's
// simulated customer is much faster.
const (
	CustomerWait        = 2 * time.Minute
	SandboxCustomerWait = 15 * time.Second
)

// Env is where an example program runs: the client and, against the
// embedded sandbox, the sandbox itself.
type Env struct {
	// Client calls the sandbox or the QF Pay environment.
	Client *qfpay.Client
	// Sandbox is the embedded sandbox; nil against a QF Pay environment.
	Sandbox *qfpaytest.Server
	// Currency is the currency of the example's payments.
	Currency qfpay.Currency

	clientKey string
	needMCH   bool
}

// Option configures Open.
type Option func(*config)

type config struct {
	sandbox []qfpaytest.Option
	needMCH bool
}

// SandboxOptions are options of the embedded sandbox (a notify URL, a
// notification schedule, ...). They are ignored against a QF Pay
// environment.
func SandboxOptions(opts ...qfpaytest.Option) Option {
	return func(c *config) { c.sandbox = append(c.sandbox, opts...) }
}

// NeedMerchantID is for programs whose calls require a mchid (UnfreezeFunds):
// the embedded sandbox becomes the merchant SandboxMerchantID, and against a
// QF Pay environment QFPAY_MCHID must be set.
func NeedMerchantID() Option {
	return func(c *config) { c.needMCH = true }
}

// Open reads the environment variables and returns the Env to run in.
// Close it when done.
func Open(opts ...Option) (*Env, error) {
	return open(os.Getenv, opts...)
}

// open is Open reading the variables with getenv.
func open(getenv func(string) string, opts ...Option) (*Env, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	currency := qfpay.CurrencyHKD
	if c := get(CurrencyVar); c != "" {
		currency = qfpay.Currency(strings.ToUpper(c))
		if !currency.Known() {
			return nil, fmt.Errorf("%s=%q is not a currency of the API's table", CurrencyVar, c)
		}
	}

	appCode, clientKey, envName, mchid := get(AppCodeVar), get(ClientKeyVar), get(EnvVar), get(MerchantIDVar)
	if appCode == "" && clientKey == "" && envName == "" {
		if mchid != "" {
			return nil, fmt.Errorf("%s is set but %s, %s and %s are not: set all of them to use a QF Pay environment, or none for the embedded sandbox",
				MerchantIDVar, AppCodeVar, ClientKeyVar, EnvVar)
		}
		return openSandbox(&cfg, currency)
	}
	var missing []string
	for _, v := range []struct{ name, value string }{{AppCodeVar, appCode}, {ClientKeyVar, clientKey}, {EnvVar, envName}} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s, %s and %s go together (unset all of them for the embedded sandbox): %s not set",
			AppCodeVar, ClientKeyVar, EnvVar, strings.Join(missing, " and "))
	}
	if cfg.needMCH && mchid == "" {
		return nil, fmt.Errorf("this program's calls need the merchant's mchid: set %s", MerchantIDVar)
	}

	var where qfpay.Option
	if strings.HasPrefix(envName, "http://") || strings.HasPrefix(envName, "https://") {
		where = qfpay.WithBaseURL(envName)
	} else {
		env, err := qfpay.ParseEnvironment(envName)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVar, err)
		}
		where = qfpay.WithEnvironment(env)
	}
	clientOpts := []qfpay.Option{where}
	if mchid != "" {
		clientOpts = append(clientOpts, qfpay.WithMerchantID(mchid))
	}
	client, err := qfpay.NewClient(appCode, clientKey, clientOpts...)
	if err != nil {
		return nil, err
	}
	return &Env{Client: client, Currency: currency, clientKey: clientKey}, nil
}

func openSandbox(cfg *config, currency qfpay.Currency) (*Env, error) {
	sandboxOpts := cfg.sandbox
	clientOpts := []qfpay.Option{
		// The sandbox answers at once: poll it often so the programs
		// finish in a moment. The default suits a real gateway.
		qfpay.WithPollInterval(20*time.Millisecond, 200*time.Millisecond),
	}
	if cfg.needMCH {
		sandboxOpts = append(sandboxOpts[:len(sandboxOpts):len(sandboxOpts)], qfpaytest.WithMerchantID(SandboxMerchantID))
		clientOpts = append(clientOpts, qfpay.WithMerchantID(SandboxMerchantID))
	}
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, sandboxOpts...)
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey,
		append([]qfpay.Option{qfpay.WithBaseURL(srv.URL)}, clientOpts...)...)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Env{Client: client, Sandbox: srv, Currency: currency, clientKey: qfpaytest.SandboxClientKey, needMCH: cfg.needMCH}, nil
}

// IsSandbox reports whether the program runs against the embedded sandbox.
func (e *Env) IsSandbox() bool { return e.Sandbox != nil }

// IsLive reports whether the program runs against a production gateway,
// where payments move real money.
func (e *Env) IsLive() bool { return e.Sandbox == nil && e.Client.Environment().IsLive() }

// ClientKey is the merchant's client key, to verify notifications with
// (qfpay.VerifyNotification, qfpay.ParseNotification). Never print it.
func (e *Env) ClientKey() string { return e.clientKey }

// CustomerWait is how long to wait for the customer to pay.
func (e *Env) CustomerWait() time.Duration {
	if e.IsSandbox() {
		return SandboxCustomerWait
	}
	return CustomerWait
}

// String says where the program runs, without the client key.
func (e *Env) String() string {
	if e.IsSandbox() {
		s := "the embedded sandbox (qfpaytest) at " + e.Sandbox.URL
		if m := e.Client.MerchantID(); m != "" {
			s += ", mchid " + m
		}
		return s
	}
	env := e.Client.Environment()
	s := env.String()
	if name := env.Name(); name != "" {
		s = name + " (" + s + ")"
	}
	s += ", app code " + e.Client.AppCode()
	if m := e.Client.MerchantID(); m != "" {
		s += ", mchid " + m
	}
	return s
}

// Describe prints where the program runs, and how to run it elsewhere or
// that real money moves.
func (e *Env) Describe(w io.Writer) {
	fmt.Fprintf(w, "Running against %s.\n", e)
	switch {
	case e.IsSandbox() && e.needMCH:
		fmt.Fprintf(w, "(Set %s, %s, %s and %s to run against a QF Pay environment.)\n", AppCodeVar, ClientKeyVar, EnvVar, MerchantIDVar)
	case e.IsSandbox():
		fmt.Fprintf(w, "(Set %s, %s and %s to run against a QF Pay environment.)\n", AppCodeVar, ClientKeyVar, EnvVar)
	case e.IsLive():
		fmt.Fprintln(w, "LIVE ENVIRONMENT: payments move real money.")
	}
}

// Close stops the embedded sandbox, if any.
func (e *Env) Close() {
	if e.Sandbox != nil {
		e.Sandbox.Close()
	}
}

// Money writes an amount in minor units as money, the currency's code and
// qfpay.Currency.FormatAmount's decimal string: "HKD 12.50", "JPY 500". An
// amount in a currency outside the API's table, whose decimals are unknown,
// is written in minor units: "1250 minor units of XYZ".
func Money(amount int64, c qfpay.Currency) string {
	s, err := c.FormatAmount(amount)
	if err != nil {
		return fmt.Sprintf("%d minor units of %s", amount, c)
	}
	return string(c) + " " + s
}

// OrderNo returns a fresh out_trade_no: prefix, the time and a random
// suffix, unique from run to run, as a real gateway requires.
func OrderNo(prefix string) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	// The time in UTC+8, the API's zone, as the date in a syssn is.
	now := time.Now().In(time.FixedZone("UTC+8", 8*60*60))
	return prefix + "-" + now.Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}
