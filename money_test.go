package qfpay

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCurrencyExponents pins every currency of the table to its ISO 4217
// minor unit.
func TestCurrencyExponents(t *testing.T) {
	iso4217 := map[Currency]int{
		CurrencyAED: 2, CurrencyCNY: 2, CurrencyEUR: 2, CurrencyHKD: 2, CurrencyIDR: 2, CurrencyJPY: 0,
		CurrencyMMK: 2, CurrencyMYR: 2, CurrencySGD: 2, CurrencyTHB: 2, CurrencyUSD: 2, CurrencyCAD: 2, CurrencyAUD: 2,
	}
	require.Len(t, Currencies(), len(iso4217), "one exponent pinned per currency of the table")
	for _, c := range Currencies() {
		t.Run(string(c), func(t *testing.T) {
			want, ok := iso4217[c]
			require.True(t, ok, "currency %s has no pinned exponent", c)
			assert.Equal(t, want, c.Exponent())
		})
	}
	for _, c := range []Currency{"GBP", "KWD", "hkd", ""} {
		t.Run("unlisted "+string(c), func(t *testing.T) {
			assert.Equal(t, -1, c.Exponent())
		})
	}
}

func TestCurrenciesListsTheTable(t *testing.T) {
	code := regexp.MustCompile(`^([A-Z]{3}) (.+)$`)
	rows := specTable(t, "spec_currencies.txt", "Code Description", code)
	rows = append(rows, specTable(t, "current_currencies.txt", "Code Description", code)...)
	var want []Currency
	for _, row := range rows {
		want = append(want, Currency(row[0]))
	}
	got := Currencies()
	assert.Equal(t, want, got, "the API's table in its order, then the current documentation's")
	got[0] = "XXX"
	assert.Equal(t, want, Currencies(), "each call returns a new slice")
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		name   string
		c      Currency
		amount int64
		want   string
	}{
		{"HKD cents", CurrencyHKD, 1250, "12.50"},
		{"HKD one cent", CurrencyHKD, 5, "0.05"},
		{"HKD zero", CurrencyHKD, 0, "0.00"},
		{"HKD whole", CurrencyHKD, 100000, "1000.00"},
		{"HKD negative", CurrencyHKD, -250, "-2.50"},
		{"HKD negative cent", CurrencyHKD, -5, "-0.05"},
		{"HKD MaxAmount", CurrencyHKD, MaxAmount, "999999999.99"},
		{"HKD max int64", CurrencyHKD, math.MaxInt64, "92233720368547758.07"},
		{"HKD min int64", CurrencyHKD, math.MinInt64, "-92233720368547758.08"},
		{"USD", CurrencyUSD, 199, "1.99"},
		{"JPY", CurrencyJPY, 500, "500"},
		{"JPY zero", CurrencyJPY, 0, "0"},
		{"JPY negative", CurrencyJPY, -7, "-7"},
		{"JPY MaxAmount", CurrencyJPY, MaxAmount, "99999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.FormatAmount(tt.amount)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name string
		c    Currency
		s    string
		want int64
	}{
		{"HKD two decimals", CurrencyHKD, "12.50", 1250},
		{"HKD one decimal", CurrencyHKD, "12.5", 1250},
		{"HKD whole", CurrencyHKD, "12", 1200},
		{"HKD cent", CurrencyHKD, "0.05", 5},
		{"HKD negative", CurrencyHKD, "-2.50", -250},
		{"HKD leading zeros", CurrencyHKD, "012.50", 1250},
		{"HKD zeros beyond the cents", CurrencyHKD, "12.500", 1250},
		{"HKD negative zero", CurrencyHKD, "-0.00", 0},
		{"HKD max int64", CurrencyHKD, "92233720368547758.07", math.MaxInt64},
		{"HKD min int64", CurrencyHKD, "-92233720368547758.08", math.MinInt64},
		{"JPY", CurrencyJPY, "500", 500},
		{"JPY zero decimals", CurrencyJPY, "500.00", 500},
		{"JPY negative", CurrencyJPY, "-7", -7},
		{"EUR", CurrencyEUR, "0.1", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.ParseAmount(tt.s)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAmountRefuses(t *testing.T) {
	tests := []struct {
		name, s string
		c       Currency
		want    string // the reason, after "qfpay: invalid request: txamt: "
	}{
		{"more cents than HKD has", "12.505", CurrencyHKD, `amount "12.505" in HKD: more than 2 decimals, which HKD does not have (amounts are never rounded)`},
		{"decimals of JPY", "500.5", CurrencyJPY, `amount "500.5" in JPY: more than 0 decimals, which JPY does not have (amounts are never rounded)`},
		{"above int64", "92233720368547758.08", CurrencyHKD, `amount "92233720368547758.08" in HKD: out of range`},
		{"below int64", "-92233720368547758.09", CurrencyHKD, `amount "-92233720368547758.09" in HKD: out of range`},
		{"far above int64", "100000000000000000000", CurrencyJPY, `amount "100000000000000000000" in JPY: out of range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.ParseAmount(tt.s)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "txamt", ve.Field)
			assert.Equal(t, "qfpay: invalid request: txamt: "+tt.want, err.Error())
			assert.ErrorIs(t, err, ErrInvalidRequest)
		})
	}
	for _, s := range []string{"", "-", ".5", "12.", "-.5", "1,250.00", "+12.50", " 12.50", "12.50 ", "1e3",
		"HKD 12.50", "$12.50", "12..5", "12.5.0", "--1", "1-2", "١٢", "0x10", "NaN", "12,50"} {
		t.Run("malformed "+s, func(t *testing.T) {
			_, err := CurrencyHKD.ParseAmount(s)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "txamt", ve.Field)
			assert.Contains(t, ve.Reason, "want digits with an optional leading - and an optional . followed by decimals")
		})
	}
}

func TestUnknownCurrencyIsRefused(t *testing.T) {
	for _, c := range []Currency{"GBP", "hkd", ""} {
		t.Run(string(c), func(t *testing.T) {
			wantReason := `currency "` + string(c) + `" is not in the API's currency table: its number of decimals is unknown`
			s, err := c.FormatAmount(1250)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, ValidationError{Field: "txcurrcd", Reason: wantReason}, *ve)
			assert.Empty(t, s)

			n, err := c.ParseAmount("12.50")
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, ValidationError{Field: "txcurrcd", Reason: wantReason}, *ve)
			assert.Zero(t, n)
		})
	}
}

// TestMinorUnitsThreeDecimals covers a three-decimal currency (such as
// KWD or BHD), which the API's table does not list today: the conversion
// holds for any exponent a currency added to it could have.
func TestMinorUnitsThreeDecimals(t *testing.T) {
	for _, tt := range []struct {
		amount int64
		s      string
	}{{1234, "1.234"}, {5, "0.005"}, {-50, "-0.050"}, {1000, "1.000"}, {0, "0.000"}} {
		t.Run(tt.s, func(t *testing.T) {
			assert.Equal(t, tt.s, formatMinor(tt.amount, 3))
			n, err := parseMinor(tt.s, 3, "KWD")
			require.NoError(t, err)
			assert.Equal(t, tt.amount, n)
		})
	}
	n, err := parseMinor("1.2", 3, "KWD")
	require.NoError(t, err)
	assert.Equal(t, int64(1200), n)
	_, err = parseMinor("1.2345", 3, "KWD")
	assert.EqualError(t, err, `qfpay: invalid request: txamt: amount "1.2345" in KWD: more than 3 decimals, which KWD does not have (amounts are never rounded)`)
}

// TestAmountRoundTripEveryCurrency formats and parses back amounts in
// every currency of the table, and checks the string's value exactly.
func TestAmountRoundTripEveryCurrency(t *testing.T) {
	for _, c := range Currencies() {
		t.Run(string(c), func(t *testing.T) {
			for _, amount := range []int64{0, 1, 9, 10, 99, 100, 1250, -1, -1250, MaxAmount, math.MaxInt64, math.MinInt64} {
				s, err := c.FormatAmount(amount)
				require.NoError(t, err)
				assertAmountValue(t, c, amount, s)
				back, err := c.ParseAmount(s)
				require.NoError(t, err)
				assert.Equal(t, amount, back, "ParseAmount(FormatAmount(%d)) = ParseAmount(%q)", amount, s)
			}
		})
	}
}

// assertAmountValue checks that s, as a decimal number, is amount minor
// units of c: amount / 10^exponent, computed with math/big.
func assertAmountValue(t *testing.T, c Currency, amount int64, s string) {
	t.Helper()
	got, ok := new(big.Rat).SetString(s)
	require.True(t, ok, "%q is a decimal number", s)
	want := new(big.Rat).SetFrac(big.NewInt(amount), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.Exponent())), nil))
	assert.Zero(t, want.Cmp(got), "%s %q is not %d minor units", c, s, amount)
}

// FuzzAmount checks, for any string and any amount, in HKD and JPY: a
// string ParseAmount accepts has the value it returns, and FormatAmount
// of any amount parses back to it.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"12.50", "12.5", "0.05", "-2.50", "12.500", "500", "92233720368547758.07", "12.505", "", ".5", "1e3"} {
		f.Add(s, int64(1250))
	}
	f.Add("", int64(math.MinInt64))
	f.Add("", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, s string, amount int64) {
		for _, c := range []Currency{CurrencyHKD, CurrencyJPY} {
			if n, err := c.ParseAmount(s); err == nil {
				r, ok := new(big.Rat).SetString(s)
				if !ok {
					t.Fatalf("%s: ParseAmount accepted %q, which is no decimal number", c, s)
				}
				scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.Exponent())), nil)))
				if !scaled.IsInt() || scaled.Num().Cmp(big.NewInt(n)) != 0 {
					t.Fatalf("%s: ParseAmount(%q) = %d, want %s", c, s, n, scaled.RatString())
				}
			} else if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("%s: ParseAmount(%q): %v does not match ErrInvalidRequest", c, s, err)
			}
			out, err := c.FormatAmount(amount)
			if err != nil {
				t.Fatal(err)
			}
			back, err := c.ParseAmount(out)
			if err != nil || back != amount {
				t.Fatalf("%s: ParseAmount(FormatAmount(%d) = %q) = %d, %v", c, amount, out, back, err)
			}
		}
	})
}
