package qfpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// A payment's life against the sandbox: the customer scans the QR code,
// the merchant refunds part of it, then the rest.
func ExampleNewServer() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeAlipayMPM, Amount: 1250, Currency: qfpay.CurrencyHKD, OutTradeNo: "order-8812",
	})
	if err != nil {
		panic(err)
	}
	status := func() {
		q, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{pay.SysSN}})
		if err != nil {
			panic(err)
		}
		tx := q.Transactions[0]
		fmt.Printf("respcd %s, cancel %s\n", tx.RespCode, tx.Cancel)
	}
	status()

	_ = srv.Pay("order-8812") // the customer scans resp.QRCode and pays
	status()

	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "refund-1", Amount: 250})
	fmt.Println("refund 250:", err)
	status()
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "refund-2", Amount: 1000})
	fmt.Println("refund 1000:", err)
	status()
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "refund-3", Amount: 1})
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("refund 1:", apiErr.Code)
	}
	// Output:
	// respcd 1143, cancel none
	// respcd 0000, cancel none
	// refund 250: <nil>
	// respcd 0000, cancel partially-refunded
	// refund 1000: <nil>
	// respcd 0000, cancel refunded
	// refund 1: 1125
}

// Magic auth codes drive consumer-presented payments through their
// outcomes: AuthCodePending is pending for two queries, then paid.
func ExampleAuthCodePending() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, _ := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	ctx := context.Background()

	_, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatCPM, Amount: 10, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "cpm-1", AuthCode: qfpaytest.AuthCodePending,
	})
	fmt.Println("pending:", errors.Is(err, qfpay.ErrPending))
	for range 3 {
		q, _ := client.Query(ctx, &qfpay.QueryRequest{OutTradeNos: []string{"cpm-1"}})
		fmt.Println(q.Transactions[0].RespCode)
	}
	// Output:
	// pending: true
	// 1145
	// 1145
	// 0000
}

// Fault injection: the payment happens, but the answer is lost.
func ExampleServer_InjectFault() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Drop: true, AfterProcessing: true, Count: 1})
	client, _ := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey,
		qfpay.WithBaseURL(srv.URL), qfpay.WithTimeout(5*time.Second))
	ctx := context.Background()

	_, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatCPM, Amount: 10, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "cpm-2", AuthCode: qfpaytest.AuthCodeSuccess,
	})
	fmt.Println("outcome unknown:", errors.Is(err, qfpay.ErrOutcomeUnknown))
	q, _ := client.Query(ctx, &qfpay.QueryRequest{OutTradeNos: []string{"cpm-2"}})
	fmt.Println("paid after all:", q.Transactions[0].Paid())
	// Output:
	// outcome unknown: true
	// paid after all: true
}
