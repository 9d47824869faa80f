package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/qfpay-go/qfpay"
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

func ExampleClient_Payment() {
	// A stand-in for the gateway that checks the signature and answers with
	// the documentation's sample payment.
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := r.ParseForm(); err != nil || qfpay.Sign(r.PostForm, exampleClientKey, qfpay.MD5) != r.Header.Get("X-QF-SIGN") {
			io.WriteString(w, `{"respcd": "1108", "resperr": "Signature error (1108)", "respmsg": ""}`)
			return
		}
		io.WriteString(w, `{
    "txdtm": "2019-12-25 14:21:28",
    "qrcode": "https://qr.alipay.com/bax01781r3pu4fjaqazt4091",
    "pay_type": "800101",
    "resperr": "success",
    "out_trade_no": "01234567890123",
    "syssn": "20191225000200020060996533",
    "sysdtm": "2019-12-25 14:22:37",
    "paydtm": "2019-12-25 14:22:37",
    "txcurrcd": "EUR",
    "respmsg": "",
    "cardcd": "",
    "udid": "qiantai2",
    "txamt": "10",
    "respcd": "0000",
    "chnlsn": ""
}`)
	}))
	defer gateway.Close()

	client, err := qfpay.NewClient(exampleAppCode, exampleClientKey, qfpay.WithBaseURL(gateway.URL))
	if err != nil {
		log.Fatal(err)
	}
	// A merchant-presented QR code: 0.10 EUR, in cents.
	resp, err := client.Payment(context.Background(), &qfpay.PaymentRequest{
		PayType:    qfpay.PayTypeAlipayMPM,
		Amount:     10,
		Currency:   qfpay.CurrencyEUR,
		OutTradeNo: "01234567890123", // your own unique number: the key to query it by
	})
	var apiErr *qfpay.APIError
	switch {
	case errors.Is(err, qfpay.ErrPending):
		// 1143/1145/1298: the customer is still confirming. resp.SysSN is
		// set; query the payment until it settles, never pay again.
		return
	case errors.Is(err, qfpay.ErrOutcomeUnknown):
		// Money may have moved: query by the same OutTradeNo first.
		return
	case errors.As(err, &apiErr):
		fmt.Println("refused:", apiErr.Code, apiErr.Description())
		return
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("syssn:", resp.SysSN)
	fmt.Println("show as a QR code:", resp.QRCode)
	// Output:
	// syssn: 20191225000200020060996533
	// show as a QR code: https://qr.alipay.com/bax01781r3pu4fjaqazt4091
}

func ExampleClient_Query() {
	// A stand-in for the gateway answering with the documentation's sample,
	// "respcd": 0000 as printed there.
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{
"respmsg": "",
"resperr": "请求成功",
"respcd": 0000,
"data":
[{
"cardtp": "5", "cancel": "0", "pay_type": "800101", "order_type": "payment", "clisn": "038424",
"txdtm": "2019-12-27 10:39:39", "goods_detail": "", "out_trade_no": "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL",
"syssn": "20191227000200020061752831", "sysdtm": "2019-12-27 10:40:24", "paydtm": "2019-12-27 10:42:18",
"goods_name": "", "txcurrcd": "EUR", "chnlsn2": "", "udid": "qiantai2", "userid": "2605489", "txamt": "10",
"chnlsn": "2019122722001411461404119764", "respcd": "0000", "goods_info": "", "errmsg": "success"
}],
"page": "1",
"page_size": "10"
}`)
	}))
	defer gateway.Close()

	client, err := qfpay.NewClient(exampleAppCode, exampleClientKey, qfpay.WithBaseURL(gateway.URL))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Query(context.Background(), &qfpay.QueryRequest{
		OutTradeNos: []string{"CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, tx := range page.Transactions {
		fmt.Println(tx.OutTradeNo, tx.SysSN)
		fmt.Println(tx.PayType.Description())
		fmt.Printf("%d %s paid: %t at %s, cancel: %s\n", tx.Amount, tx.Currency, tx.Paid(), tx.PayTime.Format("2006-01-02 15:04:05"), tx.Cancel)
	}
	// Output:
	// CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL 20191227000200020061752831
	// Alipay Merchant Presented QR Code Payment in store (MPM) (Overseas Merchant)
	// 10 EUR paid: true at 2019-12-27 10:42:18, cancel: none
}

func ExampleClient_Refund() {
	// A stand-in for the gateway: the first refund succeeds with the
	// documentation's sample, a second one is refused with 1125.
	var refunded atomic.Bool
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if refunded.Swap(true) {
			io.WriteString(w, `{"respcd": "1125", "resperr": "Transaction has been refunded already (1125)", "respmsg": ""}`)
			return
		}
		io.WriteString(w, `{
"orig_syssn": "20191227000200020061752831",
"sysdtm": "2019-12-27 11:11:23",
"paydtm": "2019-12-27 11:11:26",
"txdtm": "2019-12-27 11:10:38",
"udid": "qiantai2",
"txcurrcd": "EUR",
"txamt": "10",
"resperr": "success",
"respmsg": "",
"out_trade_no": "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F",
"syssn": "20191227000300020061652643",
"respcd": "0000",
"chnlsn": "2019122722001411461404119764",
"cardcd": ""
}`)
	}))
	defer gateway.Close()

	client, err := qfpay.NewClient(exampleAppCode, exampleClientKey, qfpay.WithBaseURL(gateway.URL))
	if err != nil {
		log.Fatal(err)
	}
	req := &qfpay.RefundRequest{
		SysSN:      "20191227000200020061752831",       // the payment to refund
		OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", // the refund's own unique number
		Amount:     10,                                 // all of it; less for a partial refund
	}
	resp, err := client.Refund(context.Background(), req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refund", resp.SysSN, "of", resp.OrigSysSN, "amount", resp.Amount, resp.Currency)

	_, err = client.Refund(context.Background(), req)
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("again:", apiErr.Code, apiErr.Description())
	}
	// Output:
	// refund 20191227000300020061652643 of 20191227000200020061752831 amount 10 EUR
	// again: 1125 Transaction has been refunded already
}
