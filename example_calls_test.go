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
	fmt.Println("pending:", errors.Is(err, qfpay.ErrPending))

	// Wait up to two minutes for the gateway to list it paid or failed.
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	tx, err := client.WaitForPayment(waitCtx, req.OutTradeNo)
	switch {
	case err == nil:
		fmt.Println("paid:", tx.OutTradeNo, tx.Amount, tx.Currency)
	case errors.Is(err, qfpay.ErrPaymentFailed):
		// Listed as failed: only now is a new out_trade_no safe.
		fmt.Println("failed:", tx.RespCode)
	default:
		// ErrOutcomeUnknown: keep the order open and settle it later, or
		// send req again unchanged; never charge under a new number.
		fmt.Println("unknown:", err)
	}
	// Output:
	// pending: true
	// paid: ORDER-20240101-0001 1000 HKD
}

// A payment whose answer was lost after the gateway took it: the SDK says
// the outcome is unknown, and settling by the same out_trade_no finds it
// paid. Charging again under a new number would have charged twice.
func ExampleClient_WaitForPayment_outcomeUnknown() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	// The next payment is processed, then its connection dropped.
	srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Drop: true, AfterProcessing: true, Count: 1})
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL),
		qfpay.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 800, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240101-0002", AuthCode: qfpaytest.AuthCodeSuccess}
	_, err = client.Payment(ctx, req)
	fmt.Println("outcome unknown:", errors.Is(err, qfpay.ErrOutcomeUnknown))

	tx, err := client.WaitForPayment(ctx, req.OutTradeNo)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("settled: paid", tx.Amount, tx.Currency)
	// Output:
	// outcome unknown: true
	// settled: paid 800 HKD
}

// A refund whose answer was lost: WaitForRefund settles it by the refund's
// own number, so that it is not sent again under a new one.
func ExampleClient_WaitForRefund() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL),
		qfpay.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 1250,
		Currency: qfpay.CurrencyHKD, OutTradeNo: "ORDER-20240101-0003", AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		log.Fatal(err)
	}
	// The refund is made, then the gateway's answer is a 502 page.
	srv.InjectFault("/trade/v1/refund", qfpaytest.Fault{Status: 502, AfterProcessing: true, Count: 1})
	refundNo := "ORDER-20240101-0003-R1" // stored with the order before sending
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: refundNo, Amount: 1250})
	var apiErr *qfpay.APIError
	switch {
	case err == nil:
		fmt.Println("refunded")
	case errors.As(err, &apiErr) && apiErr.Declined():
		fmt.Println("declined:", apiErr.Code) // first send refused: nothing refunded
	default:
		fmt.Println("outcome unknown:", errors.Is(err, qfpay.ErrOutcomeUnknown))
		tx, err := client.WaitForRefund(ctx, refundNo)
		switch {
		case err == nil:
			fmt.Println("settled: refunded", tx.Amount, "of", tx.OrigSysSN == pay.SysSN)
		case errors.Is(err, qfpay.ErrRefundFailed):
			fmt.Println("listed as failed:", tx.RespCode) // a new refund number is safe now
		default:
			fmt.Println("still unknown: settle later, never refund under a new number")
		}
	}
	// Output:
	// outcome unknown: true
	// settled: refunded 1250 of true
}

// Cancelling a QR code nobody paid, so that it cannot be paid later.
// Cancel picks the endpoint the wallet takes (close for WeChat Pay MPM),
// and the payment is then settled: only its listing proves the outcome.
func ExampleClient_Cancel() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL),
		qfpay.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatMPM, Amount: 300, Currency: qfpay.CurrencyHKD, OutTradeNo: "ORDER-20240101-0004"}
	if _, err := client.Payment(ctx, req); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Cancel(ctx, req.PayType, &qfpay.ReversalRequest{OutTradeNo: req.OutTradeNo, Amount: req.Amount}); err != nil {
		fmt.Println("cancel:", err) // proves nothing either way: settle below
	}
	tx, err := client.WaitForPayment(ctx, req.OutTradeNo)
	fmt.Println("failed:", errors.Is(err, qfpay.ErrPaymentFailed), "respcd", tx.RespCode, "cancel", tx.Cancel)

	// Hong Kong wallets take no cancel: refused before anything is sent.
	_, err = client.Cancel(ctx, qfpay.PayTypeFPSMPM, &qfpay.ReversalRequest{OutTradeNo: "ORDER-20240101-0005", Amount: 300})
	fmt.Println("FPS:", errors.Is(err, qfpay.ErrInvalidRequest))
	// Output:
	// failed: true respcd 1142 cancel closed
	// FPS: true
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
