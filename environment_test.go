package qfpay

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvironmentsMatchSpecTable(t *testing.T) {
	rows := specTable(t, "spec_environments.txt", "Environment Name Test URL Prod. URL", regexp.MustCompile(`^(.+?) (https://\S+)(?: (https://\S+))?$`))
	want := map[string][]Environment{
		"Sandbox":        {Sandbox},
		"China Mainland": {ChinaTest, ChinaLive},
		"Hong Kong":      {HongKongTest, HongKongLive},
		"Japan":          {JapanLive},
		"Thailand":       {ThailandTest, ThailandLive},
		"Dubai":          {DubaiTest, DubaiLive},
		"Singapore":      {SingaporeTest, SingaporeLive},
		"Indonesia":      {IndonesiaTest, IndonesiaLive},
		"Europe":         {EuropeTest, EuropeLive},
	}
	require.Len(t, rows, len(want))
	for _, row := range rows {
		t.Run(row[0], func(t *testing.T) {
			envs, ok := want[row[0]]
			require.True(t, ok, "a constant for the spec's row %q", row[0])
			var urls []Environment
			for _, u := range row[1:] {
				if u != "" {
					urls = append(urls, Environment(u))
				}
			}
			assert.Equal(t, urls, envs)
		})
	}
}

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		name string
		want Environment
		live bool
	}{
		{"sandbox", Sandbox, false},
		{"cn-test", ChinaTest, false},
		{"cn-live", ChinaLive, true},
		{"hk-test", HongKongTest, false},
		{"hk-live", HongKongLive, true},
		{"hk-sandbox", HongKongSandbox, false},
		{"jp-live", JapanLive, true},
		{"th-test", ThailandTest, false},
		{"th-live", ThailandLive, true},
		{"ae-test", DubaiTest, false},
		{"ae-live", DubaiLive, true},
		{"sg-test", SingaporeTest, false},
		{"sg-live", SingaporeLive, true},
		{"id-test", IndonesiaTest, false},
		{"id-live", IndonesiaLive, true},
		{"eu-test", EuropeTest, false},
		{"eu-live", EuropeLive, true},
	}
	require.Len(t, tests, 17)
	var names []string
	for _, tt := range tests {
		names = append(names, tt.name)
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvironment(tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.name, got.Name())
			assert.Equal(t, tt.live, got.IsLive())
			assert.Equal(t, string(tt.want), got.String())
		})
	}
	slices.Sort(names)
	assert.Equal(t, names, EnvironmentNames(), "every name, sorted")

	distinct := map[Environment]bool{}
	for _, tt := range tests {
		distinct[tt.want] = true
	}
	assert.Len(t, distinct, 17, "each name its own gateway")
}

func TestParseEnvironmentTolerance(t *testing.T) {
	for in, want := range map[string]Environment{
		"SANDBOX":       Sandbox,
		"  HK-Live ":    HongKongLive,
		"\tsg-test\n":   SingaporeTest,
		"Eu-Test":       EuropeTest,
		" jp-LIVE\r\n ": JapanLive,
	} {
		got, err := ParseEnvironment(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
}

func TestParseEnvironmentUnknown(t *testing.T) {
	for _, in := range []string{"", "   ", "hk", "hk-prod", "production", "jp-test", "hk_live", "https://openapi-hk.qfapi.com"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseEnvironment(in)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), "qfpay: unknown environment")
			for _, name := range EnvironmentNames() {
				assert.Contains(t, err.Error(), name, "the error lists the valid names")
			}
		})
	}
}

func TestEnvironmentNameOfUnknownURL(t *testing.T) {
	env := Environment("https://qfpay.test")
	assert.Empty(t, env.Name())
	assert.False(t, env.IsLive())
	assert.Equal(t, "https://qfpay.test", env.String())
}

// TestCurrentDocsHosts pins the hosts QF Pay's current documentation names
// (its section "Environments"), which the API documentation's table lacks.
func TestCurrentDocsHosts(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"sandbox", string(HongKongSandbox), "https://openapi-int.qfapi.com"},
		{"checkout, live test", CheckoutPageHongKongTest, "https://test-openapi-hk.qfapi.com/checkstand/#/?"},
		{"checkout, production", CheckoutPageHongKongLive, "https://openapi-hk.qfapi.com/checkstand/#/?"},
		{"WeChat /q/direct", WeChatCheckoutHostHongKong, "https://o2-hk.qfapi.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
	t.Run("checkout pages are on the API hosts", func(t *testing.T) {
		assert.Equal(t, string(HongKongTest)+"/checkstand/#/?", CheckoutPageHongKongTest)
		assert.Equal(t, string(HongKongLive)+"/checkstand/#/?", CheckoutPageHongKongLive)
	})
}
