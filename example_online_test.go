package qfpay_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// A web shop sends the shopper to QF Pay's hosted checkout page, which
// takes cards (with 3-D Secure), Apple Pay and the wallets, then learns the
// outcome from the notification and confirms it by query. The sandbox
// plays QF Pay and the shopper's browser.
func ExampleClient_CheckoutURL() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The shop's notification endpoint.
	notified := make(chan *qfpay.Notification, 1)
	shop := httptest.NewServer(qfpay.NotificationHandler(qfpaytest.SandboxClientKey,
		func(ctx context.Context, n *qfpay.Notification) error {
			notified <- n
			return nil
		}))
	defer shop.Close()

	link, err := client.CheckoutURL(&qfpay.CheckoutRequest{
		Amount:     2500,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "web-20240101-0042", // stored with the order before redirecting
		GoodsName:  "Milk tea x2",
		PaySource:  qfpay.PaySourceRemotePay,
		ReturnURL:  "https://shop.example/orders/42",
		FailedURL:  "https://shop.example/orders/42/retry",
		NotifyURL:  shop.URL + "/qfpay/notify",
		Lang:       qfpay.CheckoutLangEnglish,
	})
	if err != nil {
		log.Fatal(err)
	}
	// In the shop's handler: http.Redirect(w, r, link, http.StatusSeeOther).
	fmt.Println(strings.HasPrefix(link, srv.URL+"/checkstand/#/?appcode="))

	// The shopper pays on the page, which sends the browser back.
	page, err := srv.OpenCheckout(ctx, link)
	if err != nil {
		log.Fatal(err)
	}
	next, err := page.Pay(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("browser back at:", next)

	// The visit proves nothing; the notification and the query do.
	n := <-notified
	fmt.Println("notified:", n.Type, n.OutTradeNo, n.Amount, n.Currency)
	tx, err := client.WaitForPayment(ctx, "web-20240101-0042")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid:", tx.OutTradeNo, tx.Amount, tx.Currency, tx.PayType)
	// Output:
	// true
	// browser back at: https://shop.example/orders/42
	// notified: payment web-20240101-0042 2500 HKD
	// paid: web-20240101-0042 2500 HKD 802801
}
