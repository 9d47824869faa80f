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

// Every successful transaction of the first quarter, across pages and
// months: the API answers one calendar month at a time, and Transactions
// asks for each month in turn.
func ExampleClient_Transactions() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// Payments on four days, and a refund, on the sandbox's clock.
	at := func(month time.Month, day int) {
		srv.SetNow(time.Date(2024, month, day, 12, 0, 0, 0, client.Location()))
	}
	pay := func(orderNo string, amount int64) (syssn string) {
		resp, err := client.Payment(ctx, &qfpay.PaymentRequest{
			PayType: qfpay.PayTypeWeChatCPM, Amount: amount, Currency: qfpay.CurrencyHKD,
			OutTradeNo: orderNo, AuthCode: qfpaytest.AuthCodeSuccess,
		})
		if err != nil {
			log.Fatal(err)
		}
		return resp.SysSN
	}
	at(time.January, 15)
	jan := pay("jan-1", 1800)
	at(time.February, 20)
	pay("feb-1", 4500)
	at(time.March, 5)
	pay("mar-1", 990)
	at(time.March, 6)
	if _, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: jan, OutTradeNo: "jan-1-refund", Amount: 500}); err != nil {
		log.Fatal(err)
	}
	at(time.April, 2)
	pay("apr-1", 7000)

	req := &qfpay.QueryRequest{
		RespCode: qfpay.CodeSuccess,
		Start:    time.Date(2024, 1, 1, 0, 0, 0, 0, client.Location()),
		End:      time.Date(2024, 3, 31, 23, 59, 59, 0, client.Location()),
	}
	var takings int64
	for tx, err := range client.Transactions(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tx.SysTime.Format(time.DateOnly), tx.OrderType, tx.OutTradeNo, tx.Amount)
		if tx.IsRefund() {
			takings -= tx.Amount
		} else {
			takings += tx.Amount
		}
	}
	fmt.Println("net takings in Q1 (cents):", takings)
	// Output:
	// 2024-01-15 payment jan-1 1800
	// 2024-02-20 payment feb-1 4500
	// 2024-03-06 refund jan-1-refund 500
	// 2024-03-05 payment mar-1 990
	// net takings in Q1 (cents): 6790
}

// Settling a consumer-presented payment that answered "pending" or whose
// answer never came.
func ExampleClient_WaitForPayment() {
	// The sandbox's magic code AuthCodePending answers 1145, then pays.
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL),
		qfpay.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)) // the default suits a real gateway
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := &qfpay.PaymentRequest{
		PayType:    qfpay.PayTypeAlipayCPM,
		Amount:     1000,
		Currency:   qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240101-0001",
		AuthCode:   qfpaytest.AuthCodePending, // the code scanned from the customer's wallet
	}
	_, err = client.Payment(ctx, req)
	if errors.Is(err, qfpay.ErrPending) || errors.Is(err, qfpay.ErrOutcomeUnknown) {
		fmt.Println("pending:", errors.Is(err, qfpay.ErrPending))
		// Wait up to two minutes for the customer to confirm.
		waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		var tx *qfpay.Transaction
		tx, err = client.WaitForPayment(waitCtx, req.OutTradeNo)
		if err == nil {
			fmt.Println("paid:", tx.OutTradeNo, tx.Amount, tx.Currency)
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
		log.Fatal(err) // declined: err is an *APIError with the reason
	}
	fmt.Println("paid at once")
	// Output:
	// pending: true
	// paid: ORDER-20240101-0001 1000 HKD
}

// Reading a day's statement: a zip of CSV files. QF Pay serves statements
// on production environments only; the sandbox serves one too.
func ExampleClient_DownloadBill() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	day := time.Date(2024, 5, 14, 0, 0, 0, 0, client.Location())
	srv.SetNow(day.Add(10 * time.Hour)) // two sales that day
	for i, amount := range []int64{1800, 4500} {
		_, err := client.Payment(ctx, &qfpay.PaymentRequest{
			PayType: qfpay.PayTypeWeChatCPM, Amount: amount, Currency: qfpay.CurrencyHKD,
			OutTradeNo: fmt.Sprint("sale-", i+1), AuthCode: qfpaytest.AuthCodeSuccess,
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	bill, err := client.DownloadBill(ctx, day)
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
		for _, row := range rows {
			fmt.Println(strings.Join(row[:7], ",")) // syssn ... txamt
		}
	}
	// Output:
	// trade_bill_2024-05-14.csv 3 rows
	// syssn,orig_syssn,out_trade_no,order_type,pay_type,txcurrcd,txamt
	// 20240514000200020000000001,,sale-1,payment,800208,HKD,1800
	// 20240514000200020000000002,,sale-2,payment,800208,HKD,4500
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
