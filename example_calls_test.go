package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Every paid transaction of the first quarter, across pages and months.
func ExampleClient_Transactions() {
	client, err := qfpay.NewClient("YOUR_APP_CODE", "YOUR_CLIENT_KEY")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := &qfpay.QueryRequest{
		RespCode: qfpay.CodeSuccess,
		Start:    time.Date(2024, 1, 1, 0, 0, 0, 0, client.Location()),
		End:      time.Date(2024, 3, 31, 23, 59, 59, 0, client.Location()),
	}
	var total int64
	for tx, err := range client.Transactions(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		if !tx.IsRefund() {
			total += tx.Amount
		}
	}
	fmt.Println("paid in Q1 (cents):", total)
}

// Settling a consumer-presented payment that answered "pending" or whose
// answer never came.
func ExampleClient_WaitForPayment() {
	client, err := qfpay.NewClient("YOUR_APP_CODE", "YOUR_CLIENT_KEY")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := &qfpay.PaymentRequest{
		PayType:    qfpay.PayTypeAlipayCPM,
		Amount:     1000,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240101-0001",
		AuthCode:   "287255838063025836",
	}
	_, err = client.Payment(ctx, req)
	if errors.Is(err, qfpay.ErrPending) || errors.Is(err, qfpay.ErrOutcomeUnknown) {
		// Wait up to two minutes for the customer to confirm.
		waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		var tx *qfpay.Transaction
		tx, err = client.WaitForPayment(waitCtx, req.OutTradeNo)
		if err == nil {
			fmt.Println("paid:", tx.SysSN)
			return
		}
		if errors.Is(err, context.DeadlineExceeded) {
			// Still unknown: reverse it rather than charge again.
			_, rerr := client.Reverse(ctx, &qfpay.ReversalRequest{OutTradeNo: req.OutTradeNo, Amount: req.Amount})
			log.Println("payment reversed after waiting:", rerr)
			return
		}
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid")
}

// Reading yesterday's statement (production environments only).
func ExampleClient_DownloadBill() {
	client, err := qfpay.NewClient("YOUR_APP_CODE", "YOUR_CLIENT_KEY", qfpay.WithEnvironment(qfpay.HongKongLive))
	if err != nil {
		log.Fatal(err)
	}
	bill, err := client.DownloadBill(context.Background(), time.Now().AddDate(0, 0, -1))
	if err != nil {
		log.Fatal(err)
	}
	names, err := bill.Files()
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range names {
		rows, err := bill.Records(name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, len(rows), "rows")
	}
}

// The first step of a WeChat JSAPI payment on QF Pay's official account:
// the customer's WeChat browser is redirected here.
func ExampleClient_WeChatOAuthURL() {
	client, err := qfpay.NewClient("YOUR_APP_CODE", "YOUR_CLIENT_KEY")
	if err != nil {
		log.Fatal(err)
	}
	u, err := client.WeChatOAuthURL("https://shop.example/wechat/return")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output:
	// https://openapi-test.qfpay.com/tool/v1/get_weixin_oauth_code?app_code=YOUR_APP_CODE&redirect_uri=https%3A%2F%2Fshop.example%2Fwechat%2Freturn&sign=71F4102926C98D10E26F07F56F9DBA2F
}

// The last step of a WeChat JSAPI payment on QF Pay's official account:
// the customer is sent to QF Pay's checkout page with the payment's
// wallet parameters.
func ExampleWeChatCheckoutURL() {
	resp := &qfpay.PaymentResponse{PayParams: []byte(`{"appId": "wx7b5d2f1c0d9e8a11", "timeStamp": "1593746074",
		"nonceStr": "69d8a67fe34e44ca9bb2a20dd299cc58", "package": "prepay_id=wx03111434674853b80d25e0911996417600",
		"signType": "MD5", "paySign": "B0AECE676746F2A310CB06F27641E809"}`)}
	params, err := resp.WeChatJSAPIParams()
	if err != nil {
		log.Fatal(err)
	}
	u, err := qfpay.WeChatCheckoutURL(qfpay.WeChatCheckoutHost, params, qfpay.WeChatCheckout{
		MerchantName: "Pet Shop",
		Amount:       100,
		Currency:     qfpay.CurrencyHKD,
		RedirectURL:  "https://shop.example/paid",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output:
	// https://o2.qfpay.com/q/direct?appId=wx7b5d2f1c0d9e8a11&currency=HKD&mchntnm=Pet+Shop&nonceStr=69d8a67fe34e44ca9bb2a20dd299cc58&package=prepay_id%3Dwx03111434674853b80d25e0911996417600&paySign=B0AECE676746F2A310CB06F27641E809&redirect_url=https%3A%2F%2Fshop.example%2Fpaid&signType=MD5&timeStamp=1593746074&txamt=100
}
