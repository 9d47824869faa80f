package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/spf13/cobra"
)

// errCancelFailed matches the error of a cancel whose payment turned out
// paid: a cancel cannot undo a payment, a refund gives the money back.
var errCancelFailed = errors.New("the payment is paid: a cancel cannot undo it")

// decimalAmount is the syntax of --amount, checked before anything is
// sent; the currency's own decimals are checked once it is known.
var decimalAmount = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// checkAmount checks --amount's syntax and, when the currency is known,
// converts it to minor units.
func checkAmount(amount string, currency qfpay.Currency) (int64, error) {
	if !decimalAmount.MatchString(amount) {
		return 0, usagef("--amount %q: want a decimal in the currency's major unit, such as 10.50", amount)
	}
	if currency == "" {
		return 0, nil
	}
	minor, err := currency.ParseAmount(amount)
	if err != nil {
		return 0, &usageError{err: errorf("--amount: %w", err)}
	}
	if minor <= 0 {
		return 0, usagef("--amount %s: want more than zero", amount)
	}
	return minor, nil
}

// checkCurrency checks a --currency value.
func checkCurrency(s string) (qfpay.Currency, error) {
	c := qfpay.Currency(strings.ToUpper(s))
	if s != "" && !c.Known() {
		return "", usagef("--currency %q: not in the API's currency table", s)
	}
	return c, nil
}

// confirm asks question on stderr and reads the answer from stdin: only y
// or yes goes on; anything else, or the end of the input, aborts, and so
// does an interrupt while waiting for the answer.
func (a *app) confirm(ctx context.Context, summary, question string) error {
	fmt.Fprint(a.stderr, summary)
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	type reply struct {
		line string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		replies <- reply{line, err}
	}()
	var r reply
	select {
	case r = <-replies:
	case <-ctx.Done():
		fmt.Fprintln(a.stderr)
		return errorf("interrupted: nothing sent")
	}
	answer := strings.ToLower(strings.TrimSpace(r.line))
	if answer == "y" || answer == "yes" {
		return nil
	}
	if r.err != nil {
		fmt.Fprintln(a.stderr)
	}
	return errorf("not confirmed: nothing sent")
}

// summaryRow writes one "name  value" line of a confirmation summary.
func summaryRow(b *strings.Builder, name, value string) {
	fmt.Fprintf(b, "  %-14s %s\n", name, value)
}

// envRow is the environment line of a confirmation summary: LIVE when real
// money moves.
func envRow(b *strings.Builder, cfg *config) {
	env := cfg.envLabel()
	if cfg.live() {
		env = "LIVE " + env + ": real money"
	}
	summaryRow(b, "environment", env)
}

// liveWord is " on LIVE <name>" in the question when the environment is live.
func liveWord(cfg *config) string {
	if cfg.live() {
		return " on LIVE " + cfg.envName
	}
	return ""
}

// needPrompt checks that the prompt can read stdin.
func (a *app) needPrompt(yes bool) error {
	if !yes && a.keyFromStdin {
		return usagef("the client key was read from stdin, which the confirmation prompt needs: add --yes, or give the key another way")
	}
	return nil
}

func (a *app) refundCmd() *cobra.Command {
	var amount, outTradeNo, currency, output string
	var yes bool
	var settleTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "refund <syssn> --amount <amount> --out-trade-no <refund number>",
		Short: "Refund all or part of a payment",
		Long: `Refund all or part of a paid payment (POST /trade/v1/refund, API section
"Refunds").

The payment is looked up first, and what will be refunded is shown on stderr
(amount, currency, the payment, when it was paid, what was refunded so far,
LIVE when real money moves); only "y" on stdin goes on, anything else sends
nothing (exit 1). --yes skips the question.

--out-trade-no is the refund's own number, new and unique: keep it, it is how
the refund is settled. When the answer leaves the outcome unknown (a timeout,
a pending answer, a lost connection), the refund is never sent again: it is
settled by query (--settle-timeout) and the exit code is the settled outcome
(0 refunded, 3 listed as failed, 4 still unknown; then run the "qfpay tx
wait --refund" line printed). Re-running the same command with the same
--out-trade-no is always safe.`,
		Example: `  qfpay refund 20261130000200020000000042 --amount 2.50 --out-trade-no order-42-r1
  qfpay refund 20261130000200020000000042 --amount 10 --out-trade-no order-42-r2 --yes --output json`,
		Args: exactArgs(1, "the syssn of the payment"),
		RunE: func(cmd *cobra.Command, args []string) error {
			syssn := args[0]
			switch {
			case strings.TrimSpace(syssn) == "":
				return usagef("the payment's syssn is empty")
			case outTradeNo == "":
				return usagef("--out-trade-no is required: the refund's own new number, to settle it by")
			case amount == "":
				return usagef("--amount is required: the amount to refund, such as 2.50")
			case settleTimeout <= 0:
				return usagef("--settle-timeout %v: want a positive duration", settleTimeout)
			}
			cur, err := checkCurrency(currency)
			if err != nil {
				return err
			}
			if _, err := checkAmount(amount, cur); err != nil {
				return err
			}
			if err := validOutput(output); err != nil {
				return err
			}
			client, cfg, err := a.client(cmd)
			if err != nil {
				return err
			}
			if err := a.needPrompt(yes); err != nil {
				return err
			}
			ctx := cmd.Context()
			pay, err := a.findPayment(ctx, client, syssn)
			if err != nil {
				return err
			}
			if cur != "" && cur != pay.Currency {
				return usagef("--currency %s: the payment is in %s", cur, pay.Currency)
			}
			minor, err := checkAmount(amount, pay.Currency)
			if err != nil {
				return err
			}
			if !pay.Paid() {
				return errorf("payment %s is %s (respcd %s): only a paid payment can be refunded; nothing sent", pay.SysSN, statusWord(pay), pay.RespCode)
			}
			if !yes {
				refunded, err := a.refundedSoFar(ctx, client, pay)
				if err != nil {
					return errorf("adding up the refunds of payment %s: %w", pay.SysSN, err)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "Refund %s of payment %s\n", money(pay.Currency, minor), pay.SysSN)
				summaryRow(&b, "out_trade_no", pay.OutTradeNo)
				summaryRow(&b, "paid", money(pay.Currency, pay.Amount)+" at "+pay.PayTime.Format(time.DateTime+" -0700")+", "+string(pay.PayType)+" "+pay.PayType.Description())
				summaryRow(&b, "refunded", refunded)
				summaryRow(&b, "refund number", outTradeNo)
				envRow(&b, cfg)
				if err := a.confirm(ctx, b.String(), "Refund "+money(pay.Currency, minor)+liveWord(cfg)+"?"); err != nil {
					return err
				}
			}
			w := newTxWriter(output, a.stdout)
			resp, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: outTradeNo, Amount: minor})
			var apiErr *qfpay.APIError
			switch {
			case err == nil:
				return w.write(&qfpay.Transaction{
					SysSN: resp.SysSN, OrigSysSN: pay.SysSN, OutTradeNo: resp.OutTradeNo, OrderType: qfpay.OrderTypeRefund,
					PayType: pay.PayType, Amount: resp.Amount, Currency: pay.Currency, RespCode: resp.RespCode,
					SysTime: resp.SysTime, PayTime: resp.PayTime,
				})
			case errors.Is(err, qfpay.ErrInvalidRequest):
				return err
			case errors.Is(err, qfpay.ErrRateLimited):
				return fmt.Errorf("%w: nothing was refunded; try again later", err)
			case errors.As(err, &apiErr) && apiErr.Declined():
				return fmt.Errorf("%w: nothing was refunded", err)
			}
			a.infof("qfpay: refund outcome not known yet (%v)\nSettling it by query for up to %v, without sending it again...", err, settleTimeout)
			return a.settle(ctx, client, outTradeNo, true, settleTimeout, w)
		},
	}
	f := cmd.Flags()
	f.StringVar(&amount, "amount", "", "amount to refund, in the currency's major unit (10.50)")
	f.StringVar(&outTradeNo, "out-trade-no", "", "the refund's own new number (required)")
	f.StringVar(&currency, "currency", "", "the payment's currency, checked against it (default: the payment's)")
	f.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	f.DurationVar(&settleTimeout, "settle-timeout", 2*time.Minute, "how long to settle an unknown outcome by query")
	f.StringVarP(&output, "output", "o", outputTable, "output format: table, json or csv")
	return cmd
}

// findPayment looks up the payment with syssn.
func (a *app) findPayment(ctx context.Context, client *qfpay.Client, syssn string) (*qfpay.Transaction, error) {
	resp, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{syssn}})
	if err != nil {
		return nil, err
	}
	for i := range resp.Transactions {
		tx := &resp.Transactions[i]
		if tx.SysSN == syssn && !tx.IsRefund() {
			return tx, nil
		}
	}
	return nil, errorf("no payment with syssn %q", syssn)
}

// refundedSoFar adds up the refunds of pay listed from its creation to
// now: only when its cancel field says it was refunded, since the query
// cannot select refunds by payment and the listing may be long.
func (a *app) refundedSoFar(ctx context.Context, client *qfpay.Client, pay *qfpay.Transaction) (string, error) {
	if pay.Cancel == qfpay.CancelNone {
		return money(pay.Currency, 0) + " so far", nil
	}
	var done, pending int64
	req := &qfpay.QueryRequest{Start: pay.SysTime, End: a.now().In(client.Location())}
	for tx, err := range client.Transactions(ctx, req) {
		if err != nil {
			return "", err
		}
		if !tx.IsRefund() || tx.OrigSysSN != pay.SysSN {
			continue
		}
		switch {
		case tx.Paid():
			done += tx.Amount
		case tx.Pending():
			pending += tx.Amount
		}
	}
	s := money(pay.Currency, done)
	if pending > 0 {
		s += " and " + money(pay.Currency, pending) + " pending"
	}
	return s + " so far, cancel " + pay.Cancel.String(), nil
}

func (a *app) cancelCmd() *cobra.Command {
	var payType, amount, currency, output string
	var yes bool
	var settleTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "cancel <out_trade_no>",
		Short: "Cancel an unpaid payment so that it can no longer be paid",
		Long: `Cancel a payment that is not paid (Client.Cancel: a reversal or a close,
by pay type; API section "Reversal/ Cancel"), for example one whose outcome is
unknown, so that the customer cannot pay it later.

The payment is looked up by out_trade_no first (this month and the month
before) and shown on stderr with LIVE when real money is at stake; only "y"
on stdin goes on (--yes skips the question). A paid payment cannot be
cancelled: refund it. When the payment is not listed, --pay-type, --amount
and --currency say what to cancel.

A cancel's own answer proves nothing about the payment, so the payment is
then settled by query (--settle-timeout), and the exit code says where it
stands: 0 listed as failed (cancelled: paying again under a new number is
safe), 3 paid (too late: refund it), 4 still unknown.`,
		Example: `  qfpay cancel order-8812
  qfpay cancel order-8812 --pay-type 800201 --amount 12.50 --currency HKD --yes`,
		Args: exactArgs(1, "the payment's out_trade_no"),
		RunE: func(cmd *cobra.Command, args []string) error {
			outTradeNo := args[0]
			if strings.TrimSpace(outTradeNo) == "" {
				return usagef("the payment's out_trade_no is empty")
			}
			if settleTimeout <= 0 {
				return usagef("--settle-timeout %v: want a positive duration", settleTimeout)
			}
			var pt qfpay.PayType
			if payType != "" {
				pts, err := payTypes([]string{payType})
				if err != nil || len(pts) != 1 {
					return usagef("--pay-type %q: want one 6-digit pay type code", payType)
				}
				pt = pts[0]
			}
			cur, err := checkCurrency(currency)
			if err != nil {
				return err
			}
			if amount != "" {
				if _, err := checkAmount(amount, cur); err != nil {
					return err
				}
			}
			if err := validOutput(output); err != nil {
				return err
			}
			client, cfg, err := a.client(cmd)
			if err != nil {
				return err
			}
			if err := a.needPrompt(yes); err != nil {
				return err
			}
			ctx := cmd.Context()
			w := newTxWriter(output, a.stdout)
			txs, err := a.lookup(ctx, client, outTradeNo, refOutTradeNo)
			if err != nil {
				return err
			}
			var pay *qfpay.Transaction
			for i := range txs {
				if !txs[i].IsRefund() && txs[i].OutTradeNo == outTradeNo {
					pay = &txs[i]
					break
				}
			}
			var minor int64
			var b strings.Builder
			if pay != nil {
				switch {
				case pt != "" && pt != pay.PayType:
					return usagef("--pay-type %s: the payment was made with %s", pt, pay.PayType)
				case cur != "" && cur != pay.Currency:
					return usagef("--currency %s: the payment is in %s", cur, pay.Currency)
				case pay.Paid():
					return fmt.Errorf("payment %s (syssn %s) is paid: refund it with qfpay refund %s --amount %s --out-trade-no <new number>: %w",
						shellQuote(outTradeNo), pay.SysSN, pay.SysSN, formatAmount(pay.Currency, pay.Amount), errCancelFailed)
				case pay.Failed():
					a.infof("Payment %s is already listed as failed (respcd %s): nothing to cancel", outTradeNo, pay.RespCode)
					return w.write(pay)
				}
				if amount != "" {
					if minor, err = checkAmount(amount, pay.Currency); err != nil {
						return err
					}
					if minor != pay.Amount {
						return usagef("--amount %s: the payment is of %s", amount, money(pay.Currency, pay.Amount))
					}
				}
				pt, minor = pay.PayType, pay.Amount
				fmt.Fprintf(&b, "Cancel payment %s\n", outTradeNo)
				summaryRow(&b, "syssn", pay.SysSN)
				summaryRow(&b, "amount", money(pay.Currency, pay.Amount))
				summaryRow(&b, "pay type", string(pay.PayType)+" "+pay.PayType.Description())
				summaryRow(&b, "status", statusWord(pay)+" (respcd "+pay.RespCode+") since "+pay.SysTime.Format(time.DateTime+" -0700"))
			} else {
				if pt == "" || amount == "" || cur == "" {
					return usagef("payment %s is not listed this month or the month before: give --pay-type, --amount and --currency to cancel it anyway", outTradeNo)
				}
				if minor, err = checkAmount(amount, cur); err != nil {
					return err
				}
				fmt.Fprintf(&b, "Cancel payment %s, which the gateway does not list\n", outTradeNo)
				summaryRow(&b, "amount", money(cur, minor))
				summaryRow(&b, "pay type", string(pt)+" "+pt.Description())
			}
			if !yes {
				envRow(&b, cfg)
				if err := a.confirm(ctx, b.String(), "Cancel payment "+outTradeNo+liveWord(cfg)+"?"); err != nil {
					return err
				}
			}
			resp, err := client.Cancel(ctx, pt, &qfpay.ReversalRequest{OutTradeNo: outTradeNo, Amount: minor})
			switch {
			case errors.Is(err, qfpay.ErrInvalidRequest):
				return err
			case errors.Is(err, qfpay.ErrRateLimited):
				return fmt.Errorf("%w: nothing was cancelled; try again later", err)
			case err != nil:
				a.infof("The cancel answered: %v", err)
			default:
				a.infof("The cancel answered %s (syssn %s)", resp.RespCode, resp.SysSN)
			}
			a.infof("Settling payment %s by query for up to %v...", outTradeNo, settleTimeout)
			return a.settleCancel(ctx, client, outTradeNo, settleTimeout, w)
		},
	}
	f := cmd.Flags()
	f.StringVar(&payType, "pay-type", "", "pay type the payment was made with (default: the listed payment's)")
	f.StringVar(&amount, "amount", "", "the payment's amount, in the currency's major unit (default: the listed payment's)")
	f.StringVar(&currency, "currency", "", "the payment's currency (default: the listed payment's)")
	f.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	f.DurationVar(&settleTimeout, "settle-timeout", 2*time.Minute, "how long to settle the payment by query afterwards")
	f.StringVarP(&output, "output", "o", outputTable, "output format: table, json or csv")
	return cmd
}

// settleCancel settles a payment after a cancel: listed failed is the
// cancel's success, paid its failure.
func (a *app) settleCancel(ctx context.Context, client *qfpay.Client, outTradeNo string, timeout time.Duration, w *txWriter) error {
	err := a.settle(ctx, client, outTradeNo, false, timeout, w)
	switch {
	case err == nil:
		return fmt.Errorf("payment %s is paid: the cancel came too late; refund it instead: %w", shellQuote(outTradeNo), errCancelFailed)
	case errors.Is(err, qfpay.ErrPaymentFailed):
		a.infof("Cancelled: payment %s is listed as failed; paying again under a new number is safe", outTradeNo)
		return nil
	}
	return err
}
