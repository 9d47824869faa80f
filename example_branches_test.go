package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// sandboxClient returns a sandbox whose clock is frozen (so that its
// numbers are the same from run to run) and a client of it on the same
// clock (WithClock(srv.Now): the months it searches by out_trade_no are
// the sandbox's) that polls often; opts are the client's.
func sandboxClient(opts ...qfpay.Option) (*qfpaytest.Server, *qfpay.Client) {
	return sandboxClientWith(nil, opts...)
}

func sandboxClientWith(srvOpts []qfpaytest.Option, opts ...qfpay.Option) (*qfpaytest.Server, *qfpay.Client) {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, srvOpts...)
	srv.SetNow(time.Date(2024, 5, 14, 10, 30, 0, 0, time.UTC))
	base := []qfpay.Option{qfpay.WithBaseURL(srv.URL), qfpay.WithClock(srv.Now), qfpay.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, append(base, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

// A payment the gateway took but whose answer came too late: the outcome
// is unknown. Re-sending the same request under the same out_trade_no is
// always safe (the gateway answers 2011, ErrDuplicate: the first send
// arrived), and settling by that number finds it paid. A new number would
// have charged the customer twice.
func ExampleOutcomeUnknownError() {
	srv, client := sandboxClient(qfpay.WithTimeout(200 * time.Millisecond))
	defer srv.Close()
	// The next payment is made, then its answer held back for 2s.
	srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Latency: 2 * time.Second, AfterProcessing: true, Count: 1})
	ctx := context.Background()
	req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 2500, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240514-0006", AuthCode: qfpaytest.AuthCodeSuccess}

	_, err := client.Payment(ctx, req)
	var unknown *qfpay.OutcomeUnknownError
	if errors.As(err, &unknown) {
		fmt.Println("outcome unknown:", errors.Is(err, qfpay.ErrOutcomeUnknown), "timed out:", errors.Is(err, context.DeadlineExceeded))
		fmt.Println("settle:", unknown.Path, unknown.OutTradeNo)
	}

	// Either re-send the same request...
	_, err = client.Payment(ctx, req)
	fmt.Println("re-sent: duplicate:", errors.Is(err, qfpay.ErrDuplicate))
	// ...or settle straight away: both end here.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tx, err := client.WaitForPayment(waitCtx, req.OutTradeNo)
	switch {
	case err == nil:
		fmt.Println("settled: paid", tx.Amount, tx.Currency, tx.SysSN)
	case errors.Is(err, qfpay.ErrPaymentFailed):
		fmt.Println("settled: failed", tx.RespCode) // only now is a new number safe
	default:
		fmt.Println("still unknown: settle later")
	}
	// Output:
	// outcome unknown: true timed out: true
	// settle: /trade/v1/payment ORDER-20240514-0006
	// re-sent: duplicate: true
	// settled: paid 2500 HKD 20240514000200020000000001
}

// A consumer-presented payment answered "pending" (the customer is
// confirming in the wallet): the call returns ErrPending with its
// response, so the SysSN is at hand, and WaitForPayment settles it. Here
// the wallet fails it in the end; only then is paying again, under a new
// out_trade_no, safe.
func ExampleAPIError_Pending() {
	srv, client := sandboxClient()
	defer srv.Close()
	ctx := context.Background()
	req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 1800, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240514-0007", AuthCode: qfpaytest.AuthCodePendingThenFail}

	resp, err := client.Payment(ctx, req)
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) && apiErr.Pending() {
		fmt.Println("pending:", apiErr.Code, apiErr.Description())
		fmt.Println("syssn:", resp.SysSN, "matches ErrPending:", errors.Is(err, qfpay.ErrPending))
	}

	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tx, err := client.WaitForPayment(waitCtx, req.OutTradeNo)
	switch {
	case err == nil:
		fmt.Println("paid")
	case errors.Is(err, qfpay.ErrPaymentFailed):
		fmt.Println("listed as failed:", tx.RespCode, qfpay.CodeDescription(tx.RespCode))
		fmt.Println("a new out_trade_no is safe now")
	default:
		fmt.Println("unknown: settle later, never pay under a new number")
	}
	// Output:
	// pending: 1145 Please wait while processing
	// syssn: 20240514000200020000000001 matches ErrPending: true
	// listed as failed: 1205 The transaction failed. Please try again later
	// a new out_trade_no is safe now
}

// A payment the gateway refused outright on the first send of its
// out_trade_no: nothing was charged, and the customer may pay again (here
// with another payment code) under a new number.
func ExampleAPIError_Declined() {
	srv, client := sandboxClient()
	defer srv.Close()
	ctx := context.Background()
	req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 4200, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "ORDER-20240514-0008", AuthCode: qfpaytest.AuthCodeInsufficientBalance}
	firstSend := true // this out_trade_no was never sent before

	_, err := client.Payment(ctx, req)
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) && apiErr.Declined() && firstSend {
		fmt.Println("declined:", apiErr.Code, apiErr.Description())
		fmt.Println("for order:", apiErr.OutTradeNo)

		// The customer shows another code: a new payment, a new number.
		retry := *req
		retry.OutTradeNo, retry.AuthCode = "ORDER-20240514-0008-2", qfpaytest.AuthCodeSuccess
		resp, err := client.Payment(ctx, &retry)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("paid:", resp.OutTradeNo, resp.RespCode)
	}
	// Output:
	// declined: 1201 Insufficient balance, please use a different payment method
	// for order: ORDER-20240514-0008
	// paid: ORDER-20240514-0008-2 0000
}

// Alipay pre-authorization: freeze a deposit, collect part of it, release
// the rest. Unfreezing takes the merchant's mchid.
func ExampleClient_FreezeFunds() {
	srv, client := sandboxClientWith([]qfpaytest.Option{qfpaytest.WithMerchantID("MCH0001")}, qfpay.WithMerchantID("MCH0001"))
	defer srv.Close()
	ctx := context.Background()
	ccy := qfpay.CurrencyHKD
	money := func(amount int64) string {
		s, err := ccy.FormatAmount(amount)
		if err != nil {
			log.Fatal(err)
		}
		return string(ccy) + " " + s
	}

	// The customer's Alipay code is scanned at the counter: a CPM freeze.
	freeze, err := client.FreezeFunds(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthCPM,
		Amount: 50000, Currency: ccy, OutTradeNo: "DEPOSIT-0001", AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		log.Fatal(err) // pending or unknown: settle DEPOSIT-0001 with WaitForPayment first
	}
	fmt.Println("frozen:", money(freeze.Amount), "authorization", freeze.SysSN)

	// The final price: a deduction, a payment of its own number.
	deduction, err := client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: freeze.SysSN, OutTradeNo: "RENTAL-0001", Amount: 32000})
	if err != nil {
		log.Fatal(err) // unless declined, settle RENTAL-0001 before deducting again
	}
	fmt.Println("collected:", money(deduction.Amount), "from", deduction.OrigSysSN)

	// Give the rest back.
	if _, err := client.UnfreezeFunds(ctx, &qfpay.UnfreezeRequest{SysSN: freeze.SysSN}); err != nil {
		log.Fatal(err)
	}
	q, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{freeze.SysSN}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("authorization:", q.Transactions[0].Cancel)
	// Output:
	// frozen: HKD 500.00 authorization 20240514000200020000000001
	// collected: HKD 320.00 from 20240514000200020000000001
	// authorization: preauth-finished
}

// Receiving notifications in a framework other than net/http: any handler
// that can read the raw body and the X-QF-SIGN header calls
// Client.ParseNotification, which verifies the signature with the client's
// key before decoding and reads the times in the client's zone. The
// framework here is a stand-in with its own handler signature.
func ExampleClient_ParseNotification() {
	// A client made WithLocation: the notification's times are read in
	// its zone, the zone its payments are made in.
	tokyo := time.FixedZone("JST", 9*60*60)
	client, err := qfpay.NewClient(exampleAppCode, exampleClientKey, qfpay.WithLocation(tokyo))
	if err != nil {
		log.Fatal(err)
	}

	recorded := map[string]bool{} // by SysSN: a notification may come twice
	notify := func(c *frameworkContext) error {
		n, err := client.ParseNotification(c.Body, c.Header("X-QF-SIGN"))
		switch {
		case errors.Is(err, qfpay.ErrInvalidSignature):
			return c.String(http.StatusUnauthorized, "bad signature") // not from QF Pay: act on nothing
		case err != nil:
			return c.String(http.StatusBadRequest, "bad notification")
		}
		if !recorded[n.SysSN] {
			recorded[n.SysSN] = true
			fmt.Println("recorded:", n.Type, n.OutTradeNo, n.Amount, n.Currency, "paid", n.PayTime.Format(time.DateTime+" MST"))
		}
		return c.String(http.StatusOK, "SUCCESS") // only once recorded: else QF Pay delivers it again
	}

	// What the gateway posts: the JSON body and its signature.
	body := `{"status": "1", "pay_type": "800101", "paydtm": "2024-05-14 19:30:05", "txcurrcd": "HKD", "txamt": "1250", "out_trade_no": "ORDER-20240514-0009", "syssn": "20240514000200020000000042", "cancel": "0", "respcd": "0000", "notify_type": "payment"}`
	sig := qfpay.SignNotification([]byte(body), exampleClientKey)
	for _, s := range []string{sig, sig, "0000000000000000000000000000000F"} {
		status, answer := serveFramework(notify, body, s)
		fmt.Println(status, answer)
	}
	// Output:
	// recorded: payment ORDER-20240514-0009 1250 HKD paid 2024-05-14 19:30:05 JST
	// 200 SUCCESS
	// 200 SUCCESS
	// 401 bad signature
}

// frameworkContext is the request context of a web framework other than
// net/http, as Gin, Echo or Fiber have one: the raw body, the headers, and
// a way to answer.
type frameworkContext struct {
	Body    []byte
	headers map[string]string
	status  int
	answer  string
}

func (c *frameworkContext) Header(name string) string { return c.headers[name] }

func (c *frameworkContext) String(status int, s string) error {
	c.status, c.answer = status, s
	return nil
}

// serveFramework stands for the framework serving one POST.
func serveFramework(h func(*frameworkContext) error, body, signature string) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/qfpay/notify", strings.NewReader(body))
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		log.Fatal(err)
	}
	c := &frameworkContext{Body: raw, headers: map[string]string{"X-QF-SIGN": signature}}
	if err := h(c); err != nil {
		return http.StatusInternalServerError, err.Error()
	}
	return c.status, c.answer
}
