package exampleenv

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const secretKey = "SECRET0KEY0SECRET0KEY"

func vars(kv map[string]string) func(string) string {
	return func(name string) string { return kv[name] }
}

func TestOpen(t *testing.T) {
	creds := func(extra ...string) map[string]string {
		m := map[string]string{AppCodeVar: "APP1", ClientKeyVar: secretKey, EnvVar: "hk-test"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	cases := []struct {
		name     string
		vars     map[string]string
		opts     []Option
		sandbox  bool
		env      qfpay.Environment
		mchid    string
		currency qfpay.Currency
		str      string // String(), a regexp
		err      string
	}{
		{name: "nothing set: sandbox", vars: nil, sandbox: true, currency: qfpay.CurrencyHKD,
			str: `^the embedded sandbox \(qfpaytest\) at http://127\.0\.0\.1:\d+$`},
		{name: "sandbox in another currency", vars: map[string]string{CurrencyVar: " sgd "}, sandbox: true, currency: qfpay.CurrencySGD},
		{name: "sandbox with a mchid", opts: []Option{NeedMerchantID()}, sandbox: true, mchid: SandboxMerchantID, currency: qfpay.CurrencyHKD,
			str: `, mchid ` + SandboxMerchantID + `$`},
		{name: "named environment", vars: creds(), env: qfpay.HongKongTest, currency: qfpay.CurrencyHKD,
			str: `^hk-test \(https://test-openapi-hk\.qfapi\.com\), app code APP1$`},
		{name: "environment with mchid", vars: creds(MerchantIDVar, "M1", EnvVar, "SG-LIVE"), opts: []Option{NeedMerchantID()},
			env: qfpay.SingaporeLive, mchid: "M1", currency: qfpay.CurrencyHKD, str: `^sg-live .*, mchid M1$`},
		{name: "base URL", vars: creds(EnvVar, "http://127.0.0.1:8787"), env: "http://127.0.0.1:8787", currency: qfpay.CurrencyHKD,
			str: `^http://127\.0\.0\.1:8787, app code APP1$`},
		{name: "sandbox options ignored for a real environment", vars: creds(), opts: []Option{SandboxOptions(qfpaytest.WithAutoPay(1))},
			env: qfpay.HongKongTest, currency: qfpay.CurrencyHKD},

		{name: "app code alone", vars: map[string]string{AppCodeVar: "APP1"},
			err: "QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV go together (unset all of them for the embedded sandbox): QFPAY_CLIENT_KEY and QFPAY_ENV not set"},
		{name: "no environment", vars: creds(EnvVar, " "), err: ": QFPAY_ENV not set"},
		{name: "mchid alone", vars: map[string]string{MerchantIDVar: "M1"}, err: "QFPAY_MCHID is set but QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV are not"},
		{name: "mchid needed", vars: creds(), opts: []Option{NeedMerchantID()}, err: "this program's calls need the merchant's mchid: set QFPAY_MCHID"},
		{name: "unknown environment", vars: creds(EnvVar, "moon-live"), err: `QFPAY_ENV: qfpay: unknown environment "moon-live"`},
		{name: "unknown currency", vars: map[string]string{CurrencyVar: "XXX"}, err: `QFPAY_CURRENCY="XXX" is not a currency of the API's table`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, err := open(vars(c.vars), c.opts...)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				assert.NotContains(t, err.Error(), secretKey)
				return
			}
			require.NoError(t, err)
			defer env.Close()
			assert.Equal(t, c.sandbox, env.IsSandbox())
			assert.Equal(t, c.currency, env.Currency)
			assert.Equal(t, c.mchid, env.Client.MerchantID())
			if c.sandbox {
				assert.Equal(t, qfpaytest.SandboxClientKey, env.ClientKey())
				assert.Equal(t, SandboxCustomerWait, env.CustomerWait())
				assert.False(t, env.IsLive())
			} else {
				assert.Nil(t, env.Sandbox)
				assert.Equal(t, c.env, env.Client.Environment())
				assert.Equal(t, secretKey, env.ClientKey())
				assert.Equal(t, CustomerWait, env.CustomerWait())
				assert.Equal(t, c.env.IsLive(), env.IsLive())
			}
			if c.str != "" {
				assert.Regexp(t, c.str, env.String())
			}
			var desc bytes.Buffer
			env.Describe(&desc)
			assert.NotContains(t, desc.String(), secretKey)
			assert.Contains(t, desc.String(), "Running against "+env.String()+".\n")
			assert.Equal(t, env.IsLive(), bytes.Contains(desc.Bytes(), []byte("LIVE ENVIRONMENT")))
		})
	}
}

// The sandbox's client works, with the mchid the sandbox requires.
func TestOpenSandboxMerchant(t *testing.T) {
	env, err := open(vars(nil), NeedMerchantID())
	require.NoError(t, err)
	defer env.Close()
	_, err = env.Client.Query(t.Context(), &qfpay.QueryRequest{})
	require.NoError(t, err)
	_, err = env.Client.Query(t.Context(), &qfpay.QueryRequest{MerchantID: "OTHER"})
	var apiErr *qfpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1241", apiErr.Code)
}

func TestMoney(t *testing.T) {
	cases := []struct {
		amount   int64
		currency qfpay.Currency
		want     string
	}{
		{1250, qfpay.CurrencyHKD, "HKD 12.50"},
		{5, qfpay.CurrencyEUR, "EUR 0.05"},
		{0, qfpay.CurrencyUSD, "USD 0.00"},
		{100000, qfpay.CurrencyTHB, "THB 1000.00"},
		{-250, qfpay.CurrencyHKD, "HKD -2.50"},
		{500, qfpay.CurrencyJPY, "JPY 500"},
		{1250, qfpay.Currency("XYZ"), "1250 minor units of XYZ"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			assert.Equal(t, c.want, Money(c.amount, c.currency))
		})
	}
}

func TestOrderNo(t *testing.T) {
	a, b := OrderNo("qs"), OrderNo("qs")
	assert.Regexp(t, regexp.MustCompile(`^qs-\d{8}-\d{6}-[0-9a-f]{6}$`), a)
	assert.NotEqual(t, a, b)
}
