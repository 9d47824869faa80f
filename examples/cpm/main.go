// Command cpm charges a customer's payment code, scanned at the counter
// (consumer-presented mode, CPM), and handles each outcome as a point of
// sale must:
//
//   - paid at once;
//   - pending (qfpay.ErrPending: the customer is confirming in the wallet,
//     or the wallet is slow): settle it with WaitForPayment, never charge
//     again under a new number, and reverse it if it stays unknown;
//   - declined (an *qfpay.APIError such as 1201, insufficient balance):
//     a definite failure, so asking for another code or wallet is safe.
//
// Run it with:
//
//	go run ./examples/cpm
//
// Against the embedded sandbox it shows the three outcomes with the
// sandbox's magic auth codes (qfpaytest.AuthCodeSuccess, AuthCodePending,
// AuthCodeInsufficientBalance). With QFPAY_APP_CODE, QFPAY_CLIENT_KEY and
// QFPAY_ENV set (see examples/internal/exampleenv) it charges the code
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
// settled.
func charge(ctx context.Context, env *exampleenv.Env, out io.Writer, authCode string, amount int64) (outcome, error) {
	client, cur := env.Client, env.Currency
	req := &qfpay.PaymentRequest{
		PayType:    payType,
		Amount:     amount,
		Currency:   cur,
		OutTradeNo: exampleenv.OrderNo("cpm"), // keep it: it settles a pending or unknown outcome
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

	case errors.Is(err, qfpay.ErrPending), errors.Is(err, qfpay.ErrOutcomeUnknown):
		// Pending (1143/1145/1298) or no answer: the money may move yet.
		// Never charge again under a new number; wait for the outcome.
		fmt.Fprintf(out, "   not settled yet: %v\n", err)
		fmt.Fprintf(out, "   waiting with WaitForPayment (up to %s)...\n", env.CustomerWait())
		waitCtx, cancel := context.WithTimeout(ctx, env.CustomerWait())
		defer cancel()
		tx, err := client.WaitForPayment(waitCtx, req.OutTradeNo)
		switch {
		case err == nil:
			fmt.Fprintf(out, "   paid after waiting: syssn %s, %s\n", tx.SysSN, exampleenv.Money(tx.Amount, tx.Currency))
			return paid, nil
		case errors.As(err, &apiErr):
			fmt.Fprintf(out, "   declined after waiting: respcd %s, %s\n", apiErr.Code, apiErr.Description())
			return declined, nil
		case errors.Is(err, context.DeadlineExceeded):
			// Still unknown: reverse it, so it cannot be paid later, before
			// asking the customer for anything else.
			_, rerr := client.Reverse(ctx, &qfpay.ReversalRequest{OutTradeNo: req.OutTradeNo, Amount: req.Amount})
			if rerr != nil {
				return "", fmt.Errorf("payment %s still unknown (%v) and its reversal failed: %w", req.OutTradeNo, err, rerr)
			}
			return "", fmt.Errorf("payment %s still unknown after %s: reversed", req.OutTradeNo, env.CustomerWait())
		default:
			return "", fmt.Errorf("waiting for payment %s: %w", req.OutTradeNo, err)
		}

	case errors.As(err, &apiErr):
		// A definite refusal: nothing was charged, so asking the customer
		// for another code or wallet is safe.
		fmt.Fprintf(out, "   declined: respcd %s, %s\n", apiErr.Code, apiErr.Description())
		fmt.Fprintln(out, "   nothing was charged: ask the customer for another payment method")
		return declined, nil

	default:
		// An invalid request, caught before anything was sent.
		return "", fmt.Errorf("payment %s: %w", req.OutTradeNo, err)
	}
}
