package qfpay

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay/internal/gentables"
)

// specTable returns the rows of the spec table extracted to testdata/file,
// each split by re. The extract is a cut of the API documentation: '#'
// comment lines naming the section it comes from, the table's header line,
// which must equal header, then one line a row.
func specTable(t *testing.T, file, header string, re *regexp.Regexp) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	require.NoError(t, err)
	defer f.Close()
	var rows [][]string
	sawHeader := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
		case !sawHeader:
			require.Equal(t, header, line, "the header line of %s", file)
			sawHeader = true
		default:
			m := re.FindStringSubmatch(line)
			require.NotNil(t, m, "row %q of %s", line, file)
			rows = append(rows, m[1:])
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, rows, "rows of %s", file)
	return rows
}

// catalogue is the merged pay-type table the SDK holds, read independently
// of the generator: the API's PayType table, then the codes the current
// documentation's catalogue adds.
func catalogue(t *testing.T) (older, current [][]string) {
	t.Helper()
	code := regexp.MustCompile(`^(\d{6}) (.+)$`)
	older = specTable(t, "spec_paytypes.txt", "Code Description", code)
	current = specTable(t, "current_paytypes.txt", "Code Meaning", code)
	return older, current
}

func TestPayTypesMatchSpecTable(t *testing.T) {
	older, current := catalogue(t)
	require.Len(t, older, 58, "rows of the spec's PayType table")
	require.Len(t, current, 16, "rows of the current documentation's catalogue (§4.1)")
	var codes []PayType
	for _, rows := range [][][]string{older, current} {
		for _, row := range rows {
			p := PayType(row[0])
			codes = append(codes, p)
			t.Run(row[0], func(t *testing.T) {
				assert.True(t, p.Known(), "Known")
				assert.Equal(t, row[1], p.Description())
				assert.NotEqual(t, ModeUnknown, p.Mode(), "every listed code has a mode")
			})
		}
	}
	assert.Equal(t, codes, PayTypes(), "PayTypes lists the API's table in its order, then the current catalogue's additions")
	assert.Len(t, payTypes, len(older)+len(current), "no code beyond the two tables, none in both")
}

// TestRenumberedAlipayCodes: the older codes stay, beside the current
// documentation's, and say so.
func TestRenumberedAlipayCodes(t *testing.T) {
	tests := []struct {
		name     string
		old, new PayType
		desc     string
	}{
		{"WAP", PayTypeAlipayOnlineWAP, PayTypeAlipayOverseasWAP, "Alipay online WAP, overseas merchants"},
		{"web", PayTypeAlipayOnlineQR, PayTypeAlipayOverseasWeb, "Alipay online WEB, overseas merchants"},
	}
	src, err := os.ReadFile("tables_gen.go")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.old.Known(), "the older code is kept")
			assert.Equal(t, ModeOnline, tt.old.Mode())
			assert.Equal(t, ModeOnline, tt.new.Mode())
			assert.Equal(t, tt.desc, tt.new.Description())
			assert.Contains(t, string(src), "QF Pay's current documentation no longer lists "+string(tt.old)+":",
				"the older code's doc says what changed")
		})
	}
	assert.Equal(t, PayType("801107"), PayTypeAlipayOverseasWAP)
	assert.Equal(t, PayType("801101"), PayTypeAlipayOverseasWeb)
	assert.Equal(t, PayType("801112"), PayTypeAlipayOnlineWAP)
	assert.Equal(t, PayType("801114"), PayTypeAlipayOnlineQR)
}

func TestPayTypeModes(t *testing.T) {
	tests := []struct {
		name                      string
		p                         PayType
		mode                      PayMode
		cpm, mpm, online, preAuth bool
	}{
		{"unified CPM", PayTypeUnifiedCPM, ModeConsumerPresented, true, false, false, false},
		{"Alipay MPM", PayTypeAlipayMPM, ModeMerchantPresented, false, true, false, false},
		{"WeChat CPM", PayTypeWeChatCPM, ModeConsumerPresented, true, false, false, false},
		{"WeChat MPM", PayTypeWeChatMPM, ModeMerchantPresented, false, true, false, false},
		{"FPS MPM", PayTypeFPSMPM, ModeMerchantPresented, false, true, false, false},
		{"Alipay online web", PayTypeAlipayOnlineQR, ModeOnline, false, false, true, false},
		{"Alipay online WAP", PayTypeAlipayOnlineWAP, ModeOnline, false, false, true, false},
		{"GrabPay online", PayTypeGrabPayOnline, ModeOnline, false, false, true, false},
		{"Octopus WAP", PayTypeOctopusWAP, ModeOnline, false, false, true, false},
		{"Alipay H5", PayTypeAlipayServiceWindowH5, ModeInWallet, false, false, false, false},
		{"WeChat JSAPI", PayTypeWeChatJSAPI, ModeInWallet, false, false, false, false},
		{"WeChat mini program", PayTypeWeChatMiniProgram, ModeInWallet, false, false, false, false},
		{"WeChat in-app", PayTypeWeChatInApp, ModeInApp, false, false, false, false},
		{"Alipay HK in-app", PayTypeAlipayHKInApp, ModeInApp, false, false, false, false},
		{"pre-auth CPM 801801", PayTypeAlipayPreAuthCPM, ModeConsumerPresented, true, false, false, true},
		{"pre-auth MPM 801808", PayTypeAlipayPreAuthMPM, ModeMerchantPresented, false, true, false, true},
		{"pre-auth in-app 801810", PayTypeAlipayPreAuthInApp, ModeInApp, false, false, false, true},
		{"pre-auth online 801814", PayTypeAlipayPreAuthOnline, ModeOnline, false, false, true, true},
		{"WeChat H5 800212", PayTypeWeChatH5, ModeOnline, false, false, true, false},
		{"UnionPay WAP 800712", PayTypeUnionPayWAP, ModeOnline, false, false, true, false},
		{"UnionPay web 800714", PayTypeUnionPayWeb, ModeOnline, false, false, true, false},
		{"Alipay overseas web 801101", PayTypeAlipayOverseasWeb, ModeOnline, false, false, true, false},
		{"Alipay overseas WAP 801107", PayTypeAlipayOverseasWAP, ModeOnline, false, false, true, false},
		{"Alipay HK web 801514", PayTypeAlipayHKOnlineWeb, ModeOnline, false, false, true, false},
		{"Visa / Mastercard online 802801", PayTypeVisaMastercardOnline, ModeOnline, false, false, true, false},
		{"Visa / Mastercard offline 802808", PayTypeVisaMastercardOffline, ModeCardPresent, false, false, false, false},
		{"Octopus web 803714", PayTypeOctopusWeb, ModeOnline, false, false, true, false},
		{"PayMe MPM 805801", PayTypePayMeMPM, ModeMerchantPresented, false, true, false, false},
		{"PayMe CPM 805808", PayTypePayMeCPM, ModeConsumerPresented, true, false, false, false},
		{"PayMe WAP 805812", PayTypePayMeWAP, ModeOnline, false, false, true, false},
		{"PayMe web 805814", PayTypePayMeWeb, ModeOnline, false, false, true, false},
		{"Apple Pay 806527", PayTypeApplePay, ModeOnline, false, false, true, false},
		{"UnionPay card offline 806708", PayTypeUnionPayCardOffline, ModeCardPresent, false, false, false, false},
		{"Amex card offline 806808", PayTypeAmexCardOffline, ModeCardPresent, false, false, false, false},
		{"unlisted code", PayType("801802"), ModeUnknown, false, false, false, false},
		{"empty", PayType(""), ModeUnknown, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.mode, tt.p.Mode(), "Mode")
			assert.Equal(t, tt.cpm, tt.p.IsConsumerPresented(), "IsConsumerPresented")
			assert.Equal(t, tt.mpm, tt.p.IsMerchantPresented(), "IsMerchantPresented")
			assert.Equal(t, tt.online, tt.p.IsOnline(), "IsOnline")
			assert.Equal(t, tt.preAuth, tt.p.IsPreAuth(), "IsPreAuth")
			assert.Equal(t, string(tt.p), tt.p.String())
		})
	}
}

func TestPayTypeUnknownCode(t *testing.T) {
	p := PayType("999999")
	assert.False(t, p.Known())
	assert.Empty(t, p.Description())
	assert.Equal(t, ModeUnknown, p.Mode())
}

func TestPreAuthCodes(t *testing.T) {
	var got []PayType
	for _, p := range PayTypes() {
		if p.IsPreAuth() {
			got = append(got, p)
		}
	}
	assert.Equal(t, []PayType{"801801", "801808", "801810", "801814"}, got)
}

func TestPayModeString(t *testing.T) {
	tests := map[PayMode]string{
		ModeUnknown:           "unknown",
		ModeConsumerPresented: "consumer-presented",
		ModeMerchantPresented: "merchant-presented",
		ModeOnline:            "online",
		ModeInWallet:          "in-wallet",
		ModeInApp:             "in-app",
		ModeCardPresent:       "card-present",
		PayMode(42):           "unknown",
	}
	for m, want := range tests {
		t.Run(want, func(t *testing.T) { assert.Equal(t, want, m.String()) })
	}
}

func TestCurrenciesMatchSpecTable(t *testing.T) {
	code := regexp.MustCompile(`^([A-Z]{3}) (.+)$`)
	rows := specTable(t, "spec_currencies.txt", "Code Description", code)
	rows = append(rows, specTable(t, "current_currencies.txt", "Code Description", code)...)
	constants := []Currency{CurrencyAED, CurrencyCNY, CurrencyEUR, CurrencyHKD, CurrencyIDR, CurrencyJPY,
		CurrencyMMK, CurrencyMYR, CurrencySGD, CurrencyTHB, CurrencyUSD, CurrencyCAD, CurrencyAUD}
	var codes []Currency
	for _, row := range rows {
		c := Currency(row[0])
		codes = append(codes, c)
		t.Run(row[0], func(t *testing.T) {
			assert.True(t, c.Known())
			assert.Equal(t, row[1], c.Description())
		})
	}
	assert.Equal(t, codes, constants, "one constant per row, the API's table first, in table order")
	assert.Len(t, currencies, len(rows), "no currency beyond the tables")
	assert.Equal(t, "Canadian Dollar", CurrencyCAD.Description())
	assert.Equal(t, "Australian Dollar", CurrencyAUD.Description())
	assert.False(t, Currency("GBP").Known())
	assert.Empty(t, Currency("GBP").Description())
	assert.False(t, Currency("hkd").Known(), "codes are upper case")
}

func TestCancelStatusString(t *testing.T) {
	tests := []struct {
		s    CancelStatus
		want string
	}{
		{CancelNone, "none"},
		{CancelReversed, "reversed"},
		{CancelClosed, "closed"},
		{CancelRefunded, "refunded"},
		{CancelPreAuthFinished, "preauth-finished"},
		{CancelPartiallyRefunded, "partially-refunded"},
		{CancelStatus(6), "CancelStatus(6)"},
		{CancelStatus(-1), "CancelStatus(-1)"},
	}
	for i, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if i <= 5 {
				assert.Equal(t, CancelStatus(i), tt.s, "the spec's value %d", i)
			}
			assert.Equal(t, tt.want, tt.s.String())
		})
	}
}

// TestTablesGenerated regenerates tables_gen.go from the spec extracts in
// testdata into a temporary directory and compares it with the committed
// file: a changed extract or Go name without go generate fails here.
func TestTablesGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tables_gen.go")
	require.NoError(t, gentables.WriteFile("testdata", out))
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("tables_gen.go")
	require.NoError(t, err)
	gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		g, w := "(end of file)", "(end of file)"
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Fatalf("tables_gen.go is not what the spec extracts in testdata generate: run go generate.\nline %d is\n\t%s\nwant\n\t%s", i+1, g, w)
		}
	}
}
