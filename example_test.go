package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// The credentials QF Pay issues to a merchant: an app code and a client key.
// Keep the key out of source code in a real backend.
const (
	exampleAppCode   = "D5589D2A1F2E42A9A60C37A1B2C3D4E5"
	exampleClientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
)

func ExampleNewClient() {
	// The environment usually comes from configuration: "sandbox",
	// "hk-test", "hk-live", ...
	env, err := qfpay.ParseEnvironment("hk-test")
	if err != nil {
		log.Fatal(err)
	}
	client, err := qfpay.NewClient(exampleAppCode, exampleClientKey,
		qfpay.WithEnvironment(env),
		qfpay.WithSignType(qfpay.SHA256),   // the signature the API recommends
		qfpay.WithMerchantID("ZaMVg12345"), // only if QF Pay gave you a mchid
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Environment().Name(), client.Environment(), "live:", client.Environment().IsLive())
	fmt.Println("mchid:", client.MerchantID())
	// Output:
	// hk-test https://test-openapi-hk.qfapi.com live: false
	// mchid: ZaMVg12345
}

// A client of a local, in-memory gateway (package qfpaytest), for tests and
// trying the API with no credentials and no network.
func ExampleNewClient_sandbox() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Query(context.Background(), &qfpay.QueryRequest{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("transactions this month:", len(page.Transactions))
	// Output:
	// transactions this month: 0
}

func ExampleClient_Payment() {
	// The sandbox stands in for the gateway; its clock is frozen so that
	// the numbers below are the same from run to run.
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 14, 10, 30, 0, 0, time.UTC))
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// A merchant-presented QR code: HKD 12.50, in cents.
	resp, err := client.Payment(context.Background(), &qfpay.PaymentRequest{
		PayType:    qfpay.PayTypeAlipayMPM,
		Amount:     1250,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "order-1001", // your own unique number: the key to query it by
	})
	var apiErr *qfpay.APIError
	switch {
	case err == nil:
	case errors.Is(err, qfpay.ErrInvalidRequest):
		log.Fatal(err) // nothing was sent: fix the request
	case errors.As(err, &apiErr) && apiErr.Declined():
		// Refused on the number's first send: nothing was charged.
		fmt.Println("declined:", apiErr.Code, apiErr.Description())
		return
	default:
		// Pending, outcome unknown, duplicate, rate limited: settle it
		// with WaitForPayment by the same OutTradeNo (see its example);
		// never pay again under a new number.
		return
	}
	fmt.Println("syssn:", resp.SysSN)
	fmt.Println("created:", resp.SysTime.Format(time.DateTime))
	// A link to the sandbox, which pays the payment when opened.
	fmt.Println("show as a QR code:", strings.TrimPrefix(resp.QRCode, srv.URL))
	// Output:
	// syssn: 20240514000200020000000001
	// created: 2024-05-14 18:30:00
	// show as a QR code: /pay/20240514000200020000000001
}

func ExampleClient_Query() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 14, 10, 30, 0, 0, time.UTC))
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, err = client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeAlipayMPM, Amount: 1250, Currency: qfpay.CurrencyHKD, OutTradeNo: "order-1002",
	})
	if err != nil {
		log.Fatal(err)
	}
	srv.Advance(time.Minute)
	_ = srv.Pay("order-1002") // the customer scans the QR code and pays, a minute later

	page, err := client.Query(ctx, &qfpay.QueryRequest{OutTradeNos: []string{"order-1002"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, tx := range page.Transactions {
		fmt.Println(tx.OutTradeNo, tx.SysSN)
		fmt.Println(tx.PayType.Description())
		fmt.Printf("%d %s paid: %t at %s, cancel: %s\n", tx.Amount, tx.Currency, tx.Paid(), tx.PayTime.Format(time.DateTime), tx.Cancel)
	}
	// Output:
	// order-1002 20240514000200020000000001
	// Alipay Merchant Presented QR Code Payment in store (MPM) (Overseas Merchant)
	// 1250 HKD paid: true at 2024-05-14 18:31:00, cancel: none
}

func ExampleClient_Refund() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 14, 10, 30, 0, 0, time.UTC))
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// A payment of HKD 12.50, paid at once: the merchant scanned the
	// customer's code.
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatCPM, Amount: 1250, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "order-1003", AuthCode: qfpaytest.AuthCodeSuccess,
	})
	if err != nil {
		log.Fatal(err)
	}

	resp, err := client.Refund(ctx, &qfpay.RefundRequest{
		SysSN:      pay.SysSN,           // the payment to refund
		OutTradeNo: "order-1003-refund", // the refund's own unique number
		Amount:     1000,                // part of it: HKD 10.00
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refund", resp.SysSN, "of", resp.OrigSysSN, "amount", resp.Amount, resp.Currency)

	// More than is left (HKD 2.50) is refused.
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "order-1003-refund-2", Amount: 500})
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("again:", apiErr.Code, apiErr.Description())
	}
	// Output:
	// refund 20240514000200020000000002 of 20240514000200020000000001 amount 1000 HKD
	// again: 1272 The refund amount is greater than the maximum amount that can be refunded for the original transaction
}
