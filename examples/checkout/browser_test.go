package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// chromiumVar names a Chromium (or Chrome) binary for the browser test,
// when none of chromiumNames is on the PATH.
const chromiumVar = "QFPAY_CHROMIUM"

// chromiumNames are the names a Chromium binary goes by.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell", "headless_shell"}

// chromium returns the path of a Chromium binary, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(chromiumVar); p != "" {
		return p
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("no Chromium found (looked for %s on the PATH, and %s): install one (Debian: apt-get install -y chromium) to run the test in a real browser",
		strings.Join(chromiumNames, ", "), chromiumVar)
	return ""
}

// browser starts the headless Chromium at path for one test and returns
// its context, ended with the test.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Chromium's sandbox needs user namespaces, which containers and
		// CI runners (as root) often lack; the pages are this test's own.
		chromedp.NoSandbox,
		chromedp.WindowSize(1024, 768),
	)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(ctx), "starting %s", path)
	return ctx
}

// TestShopperInBrowser checks out as a shopper does, in headless
// Chromium: the shop's page, its checkout button, QF Pay's checkout page
// (qfpaytest's: its script moves the signed parameters out of the URL's
// fragment, the server verifies them), its Pay or Fail button, the
// redirect back to the shop, whose page shows what the query says.
func TestShopperInBrowser(t *testing.T) {
	path := chromium(t)
	tests := []struct {
		name         string
		method       qfpay.PayType // chosen in the page's list; "" leaves the first
		button       string        // the id of the button pressed
		wantPath     string        // after /orders/<no>
		wantStatus   string
		wantMessage  string
		wantPayType  qfpay.PayType
		wantNotified bool
	}{
		{"pays by card", "", "pay", "", statePaid, "Thank you: your payment is confirmed (802801).", qfpay.PayTypeVisaMastercardOnline, true},
		{"pays with PayMe", qfpay.PayTypePayMeWAP, "pay", "", statePaid, "Thank you: your payment is confirmed (805812).", qfpay.PayTypePayMeWAP, true},
		{"card declined", "", "fail", failedPage, stateFailed, "The payment failed (respcd 1205). Try again with a new checkout.", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := browser(t, path)
			e := newEnv(t)
			do := func(steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				require.NoError(t, chromedp.Do(ctx, steps...))
			}
			text := func(id string) string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
				require.NoError(t, err, "#%s", id)
				return strings.TrimSpace(v)
			}
			location := func() string {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Location())
				require.NoError(t, err)
				return v
			}

			// The shop's page.
			do(chromedp.Navigate(e.url + "/"))
			product, price := text("product"), text("price")
			do(chromedp.Click(chromedp.ID("checkout")))
			// QF Pay's page, once its script has read the fragment.
			do(chromedp.WaitVisible(chromedp.ID("pay")))
			checkoutURL, checkoutAmount, goods := location(), text("amount"), text("goods")
			if tt.method != "" {
				do(chromedp.SetValue(chromedp.ID("pay_type"), string(tt.method)))
			}
			do(chromedp.Click(chromedp.ID(tt.button)))
			// Back in the shop.
			do(chromedp.WaitVisible(chromedp.ID("status")))
			status, message, orderNo, finalURL := text("status"), text("message"), text("order"), location()

			assert.Equal(t, productName, product)
			assert.Equal(t, "HKD 25.00", price)
			assert.True(t, strings.HasPrefix(checkoutURL, e.sandbox.URL+"/checkstand/?"), "on QF Pay's page: %s", checkoutURL)
			assert.Equal(t, "HKD 25", checkoutAmount)
			assert.Equal(t, productName, goods)
			assert.Equal(t, e.url+ordersPath+orderNo+tt.wantPath, finalURL)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantMessage, message)

			tx, ok := e.sandbox.Transaction(orderNo)
			require.True(t, ok, "QF Pay has the order")
			assert.Equal(t, int64(productPrice), tx.Amount)
			if tt.wantNotified {
				e.waitNotified(t, orderNo)
				assert.Equal(t, tt.wantPayType, tx.PayType)
				assert.Equal(t, "0000", tx.RespCode)
			} else {
				assert.Equal(t, qfpaytest.CheckoutDeclineCode, tx.RespCode)
				assert.False(t, e.order(t, orderNo).notified)
			}
			assert.Equal(t, tt.wantStatus, e.order(t, orderNo).state)
		})
	}
}
