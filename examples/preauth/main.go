// Command preauth takes a deposit with Alipay pre-authorization: it freezes
// an amount in the customer's wallet (FreezeFunds), collects part of it
// when the final price is known (DeductFunds) and gives the rest back
// (UnfreezeFunds), as a car rental or hotel would.
//
//	go run ./examples/preauth
//
// Against the embedded sandbox the customer is simulated. With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY, QFPAY_ENV and QFPAY_MCHID set (see
// examples/internal/exampleenv; unfreezing requires the mchid) you scan the
// freeze's QR code with Alipay within two minutes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
)

const (
	deposit = 50000 // the amount frozen: 500.00
	charge  = 32000 // the final price collected: 320.00
	payType = qfpay.PayTypeAlipayPreAuthMPM
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "preauth: FAILED:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	env, err := exampleenv.Open(exampleenv.NeedMerchantID())
	if err != nil {
		return err
	}
	defer env.Close()
	client, cur := env.Client, env.Currency
	money := func(a int64) string { return exampleenv.Money(a, cur) }
	fmt.Fprintln(out, "Alipay pre-authorization: freeze a deposit, collect part of it, release the rest.")
	env.Describe(out)

	fmt.Fprintf(out, "\n1. Freeze a deposit of %s (FreezeFunds)\n", money(deposit))
	freezeNo := exampleenv.OrderNo("deposit")
	freeze, err := client.FreezeFunds(ctx, &qfpay.PaymentRequest{
		PayType:    payType,
		Amount:     deposit,
		Currency:   cur,
		OutTradeNo: freezeNo,
		GoodsName:  "Car rental deposit",
	})
	if err != nil {
		return fmt.Errorf("freezing the deposit: %w", err)
	}
	// freeze.SysSN is the fund authorization number the other calls take.
	fmt.Fprintf(out, "   authorization syssn %s, out_trade_no %s\n", freeze.SysSN, freezeNo)
	fmt.Fprintf(out, "   QR code link %s\n", freeze.QRCode)

	fmt.Fprintln(out, "\n2. The customer scans the QR code and agrees in Alipay")
	if env.IsSandbox() {
		if err := env.Sandbox.Pay(freeze.SysSN); err != nil {
			return fmt.Errorf("the sandbox's customer could not agree: %w", err)
		}
		fmt.Fprintln(out, "   sandbox: agreed (qfpaytest.Server.Pay)")
	} else {
		fmt.Fprintf(out, "   show the QR code link above as a QR code and scan it with Alipay within %.0f seconds.\n", env.CustomerWait().Seconds())
	}
	waitCtx, cancel := context.WithTimeout(ctx, env.CustomerWait())
	defer cancel()
	frozen, err := client.WaitForPayment(waitCtx, freezeNo)
	switch {
	case errors.Is(err, qfpay.ErrPaymentFailed):
		return fmt.Errorf("the deposit failed: respcd %s: ask for it again, under a new number", frozen.RespCode)
	case errors.Is(err, qfpay.ErrOutcomeUnknown):
		return fmt.Errorf("the deposit was not settled within %s (the request lapses after 15 minutes): settle %s later: %w", env.CustomerWait(), freezeNo, err)
	case err != nil:
		return fmt.Errorf("waiting for the deposit: %w", err)
	}
	fmt.Fprintf(out, "   frozen: %s at %s\n", money(frozen.Amount), frozen.PayTime.Format(time.DateTime))

	fmt.Fprintf(out, "\n3. Collect the final price of %s (DeductFunds)\n", money(charge))
	deduction, err := client.DeductFunds(ctx, &qfpay.DeductRequest{
		SysSN:      freeze.SysSN,
		OutTradeNo: exampleenv.OrderNo("rental"), // the deduction's own number
		Amount:     charge,
	})
	if err != nil {
		// Unless declined on this first send, the deduction may have been
		// made: settle it by this OutTradeNo (WaitForPayment) before
		// deducting again.
		return fmt.Errorf("deducting: %w", err)
	}
	fmt.Fprintf(out, "   collected %s: syssn %s (from authorization %s)\n", money(deduction.Amount), deduction.SysSN, deduction.OrigSysSN)

	fmt.Fprintf(out, "\n4. Release what is left, %s (UnfreezeFunds)\n", money(deposit-charge))
	unfreeze, err := client.UnfreezeFunds(ctx, &qfpay.UnfreezeRequest{SysSN: freeze.SysSN})
	if err != nil {
		return fmt.Errorf("unfreezing: %w", err)
	}
	fmt.Fprintf(out, "   released %s: syssn %s\n", money(unfreeze.Amount), unfreeze.SysSN)

	fmt.Fprintln(out, "\n5. The authorization now")
	q, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{freeze.SysSN}})
	if err != nil {
		return fmt.Errorf("querying the authorization: %w", err)
	}
	if len(q.Transactions) != 1 {
		return fmt.Errorf("querying the authorization: %d transactions listed, want 1", len(q.Transactions))
	}
	tx := q.Transactions[0]
	fmt.Fprintf(out, "   syssn %s: %s, respcd %s, cancel %s\n", tx.SysSN, money(tx.Amount), tx.RespCode, tx.Cancel)
	fmt.Fprintf(out, "   the customer paid %s of the %s deposit; %s went back to the wallet\n",
		money(deduction.Amount), money(deposit), money(unfreeze.Amount))
	fmt.Fprintln(out, "\nDone.")
	return nil
}
