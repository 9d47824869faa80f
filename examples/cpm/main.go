// Command cpm charges a customer's payment code, scanned at the counter
// (consumer-presented mode, CPM), and settles each outcome by the one rule
// that keeps money safe: only a payment the gateway LISTS as failed proves
// that charging again is safe; re-sending under the same out_trade_no
// always is.
//
//   - paid at once;
//   - declined on the first send (an *qfpay.APIError whose Declined() is
//     true, such as 1201, insufficient balance): nothing was charged, so
//     asking for another code or wallet is safe;
//   - anything else (qfpay.ErrPending: the customer is confirming in the
//     wallet; ErrOutcomeUnknown: a timeout, a lost connection, an error
//     page; ErrDuplicate; ErrRateLimited): settle it with WaitForPayment.
//     Paid, or listed as failed (ErrPaymentFailed: now a new code is
//     safe), or still unknown: then never charge again under a new number.
//     Cancel it (reversal or close, as the wallet takes) and settle it
//     again: a cancel proves nothing by itself.
//
// Run it with:
//
//	go run ./examples/cpm
//
// Against the embedded sandbox it shows the outcomes with the sandbox's
// magic auth codes (qfpaytest.AuthCodeSuccess, AuthCodePending,
// AuthCodePendingThenFail, AuthCodeInsufficientBalance). With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV set (see
// examples/internal/exampleenv) it charges the code
// given with -auth-code once:
//
//	go run ./examples/cpm -auth-code 287255838063025836 [-amount 100]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// payType is the unified consumer-presented code: WeChat Pay, Alipay and
// UnionPay codes alike.
const payType = qfpay.PayTypeUnifiedCPM

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cpm: FAILED:", err)
		os.Exit(1)
	}
}

// outcome is how a charge ended.
type outcome string

const (
	paid     outcome = "paid"
	declined outcome = "declined"
)

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("cpm", flag.ContinueOnError)
	authCode := fs.String("auth-code", "", "the payment code scanned from the customer's wallet (required against a QF Pay environment)")
	amount := fs.Int64("amount", 100, "the amount to charge, in minor units (cents)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	env, err := exampleenv.Open()
	if err != nil {
		return err
	}
	defer env.Close()
	fmt.Fprintln(out, "Consumer-presented payments: the merchant scans the customer's payment code.")
	env.Describe(out)

	type sale struct {
		title    string
		authCode string
		want     outcome // the outcome the sandbox's magic code leads to
	}
	var sales []sale
	if env.IsSandbox() {
		sales = []sale{
			{"A code that pays at once", qfpaytest.AuthCodeSuccess, paid},
			{"A code that answers pending, then pays (qfpaytest.AuthCodePending)", qfpaytest.AuthCodePending, paid},
			{"A code that answers pending, then fails (qfpaytest.AuthCodePendingThenFail)", qfpaytest.AuthCodePendingThenFail, declined},
			{"A wallet with too little money (qfpaytest.AuthCodeInsufficientBalance)", qfpaytest.AuthCodeInsufficientBalance, declined},
		}
	} else {
		if *authCode == "" {
			return errors.New("against a QF Pay environment, pass -auth-code with the code scanned from the customer's wallet " +
				"(the sandbox's magic codes only work in the sandbox)")
		}
		sales = []sale{{title: "Charge the scanned code", authCode: *authCode}}
	}

	for i, s := range sales {
		fmt.Fprintf(out, "\n%d. %s\n", i+1, s.title)
		got, err := charge(ctx, env, out, s.authCode, *amount)
		if err != nil {
			return err
		}
		if s.want != "" && got != s.want {
			return fmt.Errorf("%s: the sandbox should have %s the payment, it was %s", s.title, s.want, got)
		}
	}
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// charge makes one consumer-presented payment and settles its outcome. It
// returns paid or declined, or an error when the outcome could not be
// settled: the order then stays open, and nothing may be charged under a
// new number.
func charge(ctx context.Context, env *exampleenv.Env, out io.Writer, authCode string, amount int64) (outcome, error) {
	client, cur := env.Client, env.Currency
	req := &qfpay.PaymentRequest{
		PayType:    payType,
		Amount:     amount,
		Currency:   cur,
		OutTradeNo: exampleenv.OrderNo("cpm"), // store it with the order before sending: it settles any doubt
		AuthCode:   authCode,
		GoodsName:  "Counter sale",
	}
	fmt.Fprintf(out, "   charging %s, out_trade_no %s\n", exampleenv.Money(amount, cur), req.OutTradeNo)
	resp, err := client.Payment(ctx, req)

	var apiErr *qfpay.APIError
	switch {
	case err == nil:
		fmt.Fprintf(out, "   paid at once: syssn %s\n", resp.SysSN)
		return paid, nil

	case errors.Is(err, qfpay.ErrInvalidRequest):
		// Refused before anything was sent: a bug to fix, not a decline.
		return "", fmt.Errorf("payment %s: %w", req.OutTradeNo, err)

	case errors.As(err, &apiErr) && apiErr.Declined():
		// The first send of this number, refused by the gateway: nothing
		// was charged, so asking for another code or wallet is safe. (A
		// decline of a RE-send proves nothing: settle that instead.)
		fmt.Fprintf(out, "   declined: respcd %s, %s\n", apiErr.Code, apiErr.Description())
		fmt.Fprintln(out, "   nothing was charged: ask the customer for another payment method")
		return declined, nil

	default:
		// Pending, outcome unknown, duplicate, rate limited: the money may
		// move yet. Settle it; never charge again under a new number.
		fmt.Fprintf(out, "   not settled yet: %v\n", err)
		return settle(ctx, env, out, req)
	}
}

// settle waits for the gateway to list the payment in a final state. When
// the customer's patience runs out first, it cancels the payment, so that
// it cannot be paid later, and settles it once more.
func settle(ctx context.Context, env *exampleenv.Env, out io.Writer, req *qfpay.PaymentRequest) (outcome, error) {
	client := env.Client
	fmt.Fprintf(out, "   waiting with WaitForPayment (up to %s)...\n", env.CustomerWait())
	waitCtx, cancel := context.WithTimeout(ctx, env.CustomerWait())
	defer cancel()
	tx, err := client.WaitForPayment(waitCtx, req.OutTradeNo)
	switch {
	case err == nil:
		fmt.Fprintf(out, "   paid after waiting: syssn %s, %s\n", tx.SysSN, exampleenv.Money(tx.Amount, tx.Currency))
		return paid, nil
	case errors.Is(err, qfpay.ErrPaymentFailed):
		// Listed as failed: the only proof that charging again is safe.
		fmt.Fprintf(out, "   failed after waiting: respcd %s, %s\n", tx.RespCode, qfpay.CodeDescription(tx.RespCode))
		return declined, nil
	}

	// Still unknown. Cancel it (reversal or close, whichever the wallet
	// takes), then settle again: whatever the cancel answers ("does not
	// exist" included) proves nothing until the payment is listed.
	fmt.Fprintf(out, "   still unknown: %v\n", err)
	if _, cerr := client.Cancel(ctx, req.PayType, &qfpay.ReversalRequest{OutTradeNo: req.OutTradeNo, Amount: req.Amount}); cerr != nil {
		fmt.Fprintf(out, "   cancel: %v\n", cerr)
	}
	waitCtx, cancel = context.WithTimeout(ctx, env.CustomerWait())
	defer cancel()
	tx, err = client.WaitForPayment(waitCtx, req.OutTradeNo)
	switch {
	case err == nil:
		fmt.Fprintf(out, "   paid after all: syssn %s\n", tx.SysSN)
		return paid, nil
	case errors.Is(err, qfpay.ErrPaymentFailed):
		fmt.Fprintf(out, "   cancelled: listed with respcd %s, nothing charged\n", tx.RespCode)
		return declined, nil
	default:
		// Keep the order open and settle it later (or re-send the same
		// request, same out_trade_no): never charge under a new number now.
		return "", fmt.Errorf("payment %s: outcome still unknown, settle it later: %w", req.OutTradeNo, err)
	}
}
