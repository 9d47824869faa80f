// Command online takes a web/WAP payment: the merchant's site creates the
// payment, sends the customer's browser to the answer's PayURL, and QF Pay
// sends the customer back to ReturnURL once paid. The return alone proves
// nothing (anyone can open that URL), so the site confirms the payment with
// WaitForPayment before shipping.
//
//	go run ./examples/online [-return-url https://shop.example/orders/done]
//
// Against the embedded sandbox the customer is simulated: fetching the
// pay_url pays the payment and redirects to return_url. With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV set (see
// examples/internal/exampleenv) you open the pay_url in a browser and pay
// within two minutes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
)

// payType is Alipay HK's online WAP checkout (HK merchants).
const payType = qfpay.PayTypeAlipayHKOnlineWAP

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "online: FAILED:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("online", flag.ContinueOnError)
	returnURL := fs.String("return-url", "https://shop.example/orders/done", "where the checkout sends the customer after paying")
	amount := fs.Int64("amount", 4990, "the amount to charge, in minor units (cents)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	env, err := exampleenv.Open()
	if err != nil {
		return err
	}
	defer env.Close()
	client, cur := env.Client, env.Currency
	fmt.Fprintln(out, "Online (web/WAP) payment: send the customer to pay_url, confirm on return.")
	env.Describe(out)

	fmt.Fprintln(out, "\n1. Create the payment")
	orderNo := exampleenv.OrderNo("web")
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType:       payType,
		Amount:        *amount,
		Currency:      cur,
		OutTradeNo:    orderNo,
		GoodsName:     "Online order",
		ReturnURL:     *returnURL,
		ExpireMinutes: 10,
	})
	if err != nil {
		return fmt.Errorf("creating the payment: %w", err)
	}
	fmt.Fprintf(out, "   %s %s, out_trade_no %s, syssn %s\n", payType, exampleenv.Money(pay.Amount, pay.Currency), orderNo, pay.SysSN)
	fmt.Fprintf(out, "   pay_url    %s\n", pay.PayURL)
	fmt.Fprintf(out, "   return_url %s\n", *returnURL)

	fmt.Fprintln(out, "\n2. The customer's browser goes to pay_url and pays")
	if env.IsSandbox() {
		// Fetching the sandbox's pay_url pays the payment, as the customer
		// would on the checkout page, and redirects to return_url.
		location, err := visit(ctx, pay.PayURL)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "   sandbox: fetched pay_url: paid, redirected to %s\n", location)
		if location != *returnURL {
			return fmt.Errorf("the checkout redirected to %q, want the return_url %q", location, *returnURL)
		}
	} else {
		fmt.Fprintf(out, "   open pay_url in a (mobile) browser and pay within %.0f seconds.\n", env.CustomerWait().Seconds())
	}

	// The customer is back on return_url (or the site's own polling runs):
	// the gateway, not the browser, says whether the order is paid.
	fmt.Fprintln(out, "\n3. Confirm the payment with WaitForPayment before shipping")
	waitCtx, cancel := context.WithTimeout(ctx, env.CustomerWait())
	defer cancel()
	tx, err := client.WaitForPayment(waitCtx, orderNo)
	switch {
	case errors.Is(err, qfpay.ErrPaymentFailed):
		// Listed as failed (expired, closed, declined): the customer may
		// start a new checkout, under a new out_trade_no.
		return fmt.Errorf("the payment failed: respcd %s: offer a new checkout", tx.RespCode)
	case errors.Is(err, qfpay.ErrOutcomeUnknown):
		// Not settled yet: never ship, never open a second checkout for
		// the order; settle it again later (the notification may come
		// first).
		return fmt.Errorf("not settled within %s: keep the order open and settle it later: %w", env.CustomerWait(), err)
	case err != nil:
		return fmt.Errorf("confirming the payment: %w", err)
	}
	fmt.Fprintf(out, "   paid: syssn %s, %s at %s: ship the order\n",
		tx.SysSN, exampleenv.Money(tx.Amount, tx.Currency), tx.PayTime.Format(time.DateTime))
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// visit fetches rawURL as a browser would and returns where it redirects.
func visit(ctx context.Context, rawURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", err
	}
	hc := &http.Client{
		Timeout: 10 * time.Second,
		// Stop at the redirect: return_url is the merchant's site.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetching pay_url: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("fetching pay_url: HTTP %d, want a redirect: %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location"), nil
}
