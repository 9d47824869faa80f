package qfpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

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

// A shop that takes cards in its own page with QF Pay's Payment Element:
// the backend creates a payment intent and hands its ID to the page, whose
// qfpay.js lets the shopper pay it. The sandbox plays the shopper.
func ExampleClient_CreatePaymentIntent() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 14, 11, 28, 38, 0, time.FixedZone("UTC+8", 8*60*60)))
	// The client on the sandbox's clock: WaitForPayment searches its month.
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL),
		qfpay.WithClock(srv.Now))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	intent, err := client.CreatePaymentIntent(ctx, &qfpay.PaymentIntentRequest{
		PayType:    qfpay.PayTypeVisaMastercardOnline,
		Amount:     4200,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "element-0001",
		ReturnURL:  "https://shop.example/orders/1",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The page gets intent.ID (and must use it before intent.Expiry).
	fmt.Println("intent:", len(intent.ID), "hex digits, expires", intent.Expiry.Format(time.DateTime))

	// The shopper pays in the page; the notification and the query follow.
	if _, err := srv.PayIntent(intent.ID); err != nil {
		log.Fatal(err)
	}
	tx, err := client.WaitForPayment(ctx, "element-0001")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid:", tx.OutTradeNo, tx.Amount, tx.Currency, tx.PayType)
	// Output:
	// intent: 32 hex digits, expires 2024-05-14 11:58:38
	// paid: element-0001 4200 HKD 802801
}

// A hotel holds a card deposit, charges the stay from it and releases the
// rest. The shopper's card is held through the Payment Element (the
// sandbox's AuthorizeIntent plays it).
func ExampleClient_CaptureFunds() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	intent, err := client.CreatePaymentIntent(ctx, &qfpay.PaymentIntentRequest{
		PayType: qfpay.PayTypeVisaMastercardOnline, Amount: 100000, Currency: qfpay.CurrencyHKD, OutTradeNo: "booking-77",
	})
	if err != nil {
		log.Fatal(err)
	}
	held, err := srv.AuthorizeIntent(intent.ID) // the guest's card is held
	if err != nil {
		log.Fatal(err)
	}

	// Check-out: charge the stay...
	capture, err := client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: held.SysSN, Amount: 68000})
	if err != nil {
		// ErrOutcomeUnknown: the capture may have happened; never capture again before knowing.
		log.Fatal(err)
	}
	fmt.Println(capture.Detail, capture.Amount, "- a new syssn, the one to refund:", capture.SysSN != held.SysSN)

	// ...and give back the rest, once.
	release, err := client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{SysSN: held.SysSN, OutTradeNo: "booking-77", Amount: 100000 - 68000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(release.Detail, release.Amount)
	// Output:
	// Capture received 68000 - a new syssn, the one to refund: true
	// Void received 32000
}

// A deposit returned whole: nothing was captured.
func ExampleClient_ReleaseFunds() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	intent, err := client.CreatePaymentIntent(ctx, &qfpay.PaymentIntentRequest{
		PayType: qfpay.PayTypeVisaMastercardOnline, Amount: 50000, Currency: qfpay.CurrencyHKD, OutTradeNo: "rental-12",
	})
	if err != nil {
		log.Fatal(err)
	}
	held, err := srv.AuthorizeIntent(intent.ID)
	if err != nil {
		log.Fatal(err)
	}

	release, err := client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{
		SysSN:      held.SysSN,
		OutTradeNo: "rental-12", // the pre-authorisation's own number
		Amount:     50000,       // all it still holds
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(release.Detail, release.Amount, release.OrigSysSN == held.SysSN)
	_, err = client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{SysSN: held.SysSN, OutTradeNo: "rental-12", Amount: 50000})
	var apiErr *qfpay.APIError
	fmt.Println("again:", errors.As(err, &apiErr), apiErr.Code)
	// Output:
	// Void received 50000 true
	// again: true 1264
}

// WeChat Pay H5: a shopper in a mobile browser outside WeChat pays on
// WeChat's page. The payment carries the shop's mobile site and the
// shopper's IP address in extend_info, sent as its JSON string.
func ExampleWeChatExtendInfo() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	info := qfpay.WeChatExtendInfo{
		WapURL:    "https://m.shop.example/",
		WapName:   "Milk Tea Shop",
		ShopperIP: "203.0.113.7", // the shopper's address, as the shop's site saw it
	}
	js, err := json.Marshal(info)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("extend_info:", string(js))

	resp, err := client.Payment(context.Background(), &qfpay.PaymentRequest{
		PayType:    qfpay.PayTypeWeChatH5,
		Amount:     2500,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "h5-0042",
		ExtendInfo: info,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Send the shopper's browser to pay_url, with redirect_url appended to
	// say where WeChat sends it back (WeChat's pay_url has a query already).
	sep := "?"
	if strings.Contains(resp.PayURL, "?") {
		sep = "&"
	}
	next := resp.PayURL + sep + "redirect_url=" + url.QueryEscape("https://m.shop.example/orders/42")
	fmt.Println(strings.HasPrefix(next, srv.URL+"/"), strings.HasSuffix(next, "redirect_url=https%3A%2F%2Fm.shop.example%2Forders%2F42"))
	// Output:
	// extend_info: {"scene_info":{"h5_info":{"type":"Wap","wap_url":"https://m.shop.example/","wap_name":"Milk Tea Shop"}},"spbill_create_ip":"203.0.113.7"}
	// true true
}
