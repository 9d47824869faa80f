package qfpay

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Currency is a txcurrcd value, an ISO 4217 code (API section
// "Currencies", and the two QF Pay's current documentation adds: CAD and
// AUD). Amounts (txamt) are always whole numbers of the currency's
// minor unit: cents for HKD (1250 is HKD 12.50), yen for JPY, which has
// none (500 is JPY 500). Exponent says how many decimals a currency has;
// FormatAmount and ParseAmount convert between minor units and decimal
// strings.
type Currency string

// currencyInfo is a row of the currency table.
type currencyInfo struct {
	description string
	// exponent is the ISO 4217 minor unit: the number of decimals.
	exponent int
}

// Currencies lists every currency the SDK knows: the API's currency table
// in its order, then those QF Pay's current documentation adds (CAD, AUD).
func Currencies() []Currency { return slices.Clone(currencyList[:]) }

// Description is the currency table's name of the currency (the current
// documentation's, for CAD and AUD), or "" for a code neither lists.
func (c Currency) Description() string { return currencies[c].description }

// Known reports whether the code is in the API's currency table or among
// the currencies QF Pay's current documentation adds.
func (c Currency) Known() bool { _, ok := currencies[c]; return ok }

// Exponent is the number of decimals of the currency's minor unit (its ISO
// 4217 exponent): 2 for HKD, USD, EUR and the table's other currencies, 0
// for JPY. An amount of n minor units is n / 10^Exponent() in the currency.
// It is -1 for a code Known reports unknown, whose minor unit the SDK does
// not know.
func (c Currency) Exponent() int {
	info, ok := currencies[c]
	if !ok {
		return -1
	}
	return info.exponent
}

// FormatAmount writes an amount in minor units (txamt) as a decimal string
// in the currency, with exactly Exponent() decimals and no grouping or
// symbol: CurrencyHKD.FormatAmount(1250) is "12.50",
// CurrencyJPY.FormatAmount(500) is "500", a negative amount starts with
// "-". A currency Known reports unknown is refused with a
// *ValidationError for txcurrcd (matching ErrInvalidRequest): its number of
// decimals is unknown, and guessing would misstate the amount.
func (c Currency) FormatAmount(amount int64) (string, error) {
	exp := c.Exponent()
	if exp < 0 {
		return "", unknownCurrency(c)
	}
	return formatMinor(amount, exp), nil
}

// ParseAmount reads a decimal string in the currency ("12.50", "12.5",
// "12" for HKD; "500" for JPY) into minor units, for a txamt. It accepts
// digits with an optional leading "-" and an optional "." followed by
// decimals, and nothing else: no "+", spaces, grouping, symbols or
// exponents. It never rounds: a string with more decimals than Exponent()
// is refused unless the extra ones are zeros ("12.500" is 1250 for HKD,
// "12.505" an error). A malformed string or one beyond int64 is refused
// with a *ValidationError for txamt, a currency Known reports unknown with
// one for txcurrcd; both match ErrInvalidRequest.
func (c Currency) ParseAmount(s string) (int64, error) {
	exp := c.Exponent()
	if exp < 0 {
		return 0, unknownCurrency(c)
	}
	return parseMinor(s, exp, c)
}

func unknownCurrency(c Currency) error {
	return invalidField("txcurrcd", "currency %q is not in the API's currency table: its number of decimals is unknown", string(c))
}

// formatMinor writes amount minor units with exp decimals.
func formatMinor(amount int64, exp int) string {
	if exp == 0 {
		return strconv.FormatInt(amount, 10)
	}
	neg := amount < 0
	u := uint64(amount)
	if neg {
		u = -u // two's complement: right for math.MinInt64 too
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	cut := len(digits) - exp
	s := digits[:cut] + "." + digits[cut:]
	if neg {
		s = "-" + s
	}
	return s
}

// parseMinor reads s, a decimal string with exp decimals at most (beyond
// them only zeros), into minor units.
func parseMinor(s string, exp int, c Currency) (int64, error) {
	bad := func(why string) error {
		return invalidField("txamt", "amount %q in %s: %s", s, string(c), why)
	}
	body, neg := strings.CutPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(body, ".")
	if whole == "" || (hasPoint && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, bad("want digits with an optional leading - and an optional . followed by decimals, such as 12.50")
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, bad("more than " + strconv.Itoa(exp) + " decimals, which " + string(c) + " does not have (amounts are never rounded)")
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	// Accumulate as a negative number, whose range reaches math.MinInt64.
	var n int64
	for _, d := range whole + frac {
		v := int64(d - '0')
		if n < (math.MinInt64+v)/10 {
			return 0, bad("out of range")
		}
		n = n*10 - v
	}
	if !neg {
		if n == math.MinInt64 {
			return 0, bad("out of range")
		}
		n = -n
	}
	return n, nil
}

// allDigits reports whether s holds ASCII digits only ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
