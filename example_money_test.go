package qfpay_test

import (
	"fmt"

	"github.com/qfpay-go/qfpay"
)

// Amounts are minor units of the currency: HKD has two decimals, JPY none.
func ExampleCurrency_FormatAmount() {
	for _, p := range []struct {
		amount   int64
		currency qfpay.Currency
	}{{1250, qfpay.CurrencyHKD}, {5, qfpay.CurrencyUSD}, {500, qfpay.CurrencyJPY}} {
		s, err := p.currency.FormatAmount(p.amount)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("txamt %d = %s %s (%d decimals)\n", p.amount, p.currency, s, p.currency.Exponent())
	}
	// Output:
	// txamt 1250 = HKD 12.50 (2 decimals)
	// txamt 5 = USD 0.05 (2 decimals)
	// txamt 500 = JPY 500 (0 decimals)
}

// A price from a catalogue or a form, read into the minor units a
// PaymentRequest takes. Nothing is ever rounded.
func ExampleCurrency_ParseAmount() {
	for _, in := range []struct {
		currency qfpay.Currency
		price    string
	}{{qfpay.CurrencyHKD, "12.5"}, {qfpay.CurrencyJPY, "500"}, {qfpay.CurrencyJPY, "500.5"}} {
		amount, err := in.currency.ParseAmount(in.price)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(in.currency, in.price, "is txamt", amount)
	}
	// Output:
	// HKD 12.5 is txamt 1250
	// JPY 500 is txamt 500
	// qfpay: invalid request: txamt: amount "500.5" in JPY: more than 0 decimals, which JPY does not have (amounts are never rounded)
}
