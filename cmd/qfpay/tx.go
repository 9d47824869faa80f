package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/spf13/cobra"
)

func (a *app) txCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Look up, list and settle transactions",
		Long: `Look up one transaction, list those of a period, or wait until a payment or
refund is settled (Transaction Enquiry, POST /trade/v1/query).`,
	}
	cmd.AddCommand(a.txGetCmd(), a.txListCmd(), a.txWaitCmd())
	return groupRun(cmd)
}

// looksLikeSysSN reports whether ref has the shape of a syssn: QF Pay's
// numbers are 26 digits (a date and a counter); merchants' numbers are
// rarely all digits and that long.
func looksLikeSysSN(ref string) bool {
	if len(ref) < 20 {
		return false
	}
	for _, r := range ref {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Which number tx get looks a transaction up by.
const (
	refAuto       = ""
	refSysSN      = "syssn"
	refOutTradeNo = "out_trade_no"
)

// lookup finds the transactions of ref: by syssn, by out_trade_no (this
// month and the one before, as WaitForPayment searches), or, with
// refAuto, by syssn first when ref looks like one, then by out_trade_no.
func (a *app) lookup(ctx context.Context, client *qfpay.Client, ref, by string) ([]qfpay.Transaction, error) {
	if by == refSysSN || (by == refAuto && looksLikeSysSN(ref)) {
		resp, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{ref}, PageSize: qfpay.MaxPageSize})
		if err != nil || len(resp.Transactions) > 0 || by == refSysSN {
			if err != nil {
				return nil, err
			}
			return resp.Transactions, nil
		}
	}
	// A search by out_trade_no sees one calendar month: Transactions
	// queries the month before and this one, each with its own range.
	now := a.now().In(client.Location())
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location())
	var txs []qfpay.Transaction
	for tx, err := range client.Transactions(ctx, &qfpay.QueryRequest{OutTradeNos: []string{ref}, Start: lastMonth, PageSize: qfpay.MaxPageSize}) {
		if err != nil {
			return nil, err
		}
		txs = append(txs, *tx)
	}
	return txs, nil
}

// notFound is the error of a lookup that found nothing.
func notFound(ref, by string) error {
	switch by {
	case refSysSN:
		return errorf("no transaction with syssn %q", ref)
	case refOutTradeNo:
		return errorf("no transaction with out_trade_no %q this month or the month before", ref)
	}
	return errorf("no transaction with syssn or out_trade_no %q (out_trade_no searched this month and the month before)", ref)
}

func (a *app) txGetCmd() *cobra.Command {
	var bySysSN, byOutTradeNo bool
	var output string
	cmd := &cobra.Command{
		Use:   "get <syssn|out_trade_no>",
		Short: "Look up a transaction by syssn or out_trade_no",
		Long: `Look up a payment or refund and print it.

The number is taken as a syssn (QF Pay's number) when it looks like one (20
digits or more), and as an out_trade_no (your number) when it does not or no
transaction has that syssn; --syssn or --out-trade-no forces one. An
out_trade_no is searched in this calendar month and the month before, as
"qfpay tx wait" does.`,
		Example: `  qfpay tx get 20261130000200020000000042
  qfpay tx get order-8812 --output json
  qfpay tx get 1234567890123456789012 --out-trade-no`,
		Args: exactArgs(1, "a syssn or out_trade_no"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := args[0]
			by := refAuto
			switch {
			case bySysSN && byOutTradeNo:
				return usagef("give --syssn or --out-trade-no, not both")
			case bySysSN:
				by = refSysSN
			case byOutTradeNo:
				by = refOutTradeNo
			}
			if err := validOutput(output); err != nil {
				return err
			}
			if strings.TrimSpace(ref) == "" {
				return usagef("the number to look up is empty")
			}
			client, _, err := a.client(cmd)
			if err != nil {
				return err
			}
			txs, err := a.lookup(cmd.Context(), client, ref, by)
			if err != nil {
				return err
			}
			if len(txs) == 0 {
				return notFound(ref, by)
			}
			w := newTxWriter(output, a.stdout)
			for i := range txs {
				if err := w.write(&txs[i]); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&bySysSN, "syssn", false, "the number is a syssn")
	cmd.Flags().BoolVar(&byOutTradeNo, "out-trade-no", false, "the number is an out_trade_no")
	cmd.Flags().StringVarP(&output, "output", "o", outputTable, "output format: table, json (one object per line) or csv")
	return cmd
}

// exactArgs is cobra.ExactArgs with a message that says what is wanted.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s (%d argument), got %d", strings.TrimPrefix(cmd.CommandPath(), "qfpay "), what, n, len(args))
		}
		return nil
	}
}

// parseWhen reads a --from or --to value in loc: a date (the whole day:
// its start for --from, its last second for --to), a date and time
// ("2006-01-02 15:04:05") or RFC 3339.
func parseWhen(flag, s string, loc *time.Location, end bool) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		if end {
			t = t.AddDate(0, 0, 1).Add(-time.Second)
		}
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	return time.Time{}, usagef("--%s %q: want a date (2006-01-02), a date and time (\"2006-01-02 15:04:05\") or RFC 3339", flag, s)
}

// statusFilter is the --status of tx list: the respcd sent to the gateway
// and the test each listed transaction must pass.
func statusFilter(s string) (respcd string, keep func(*qfpay.Transaction) bool, err error) {
	switch s {
	case "", "any":
		return "", func(*qfpay.Transaction) bool { return true }, nil
	case "paid":
		return qfpay.CodeSuccess, (*qfpay.Transaction).Paid, nil
	case "pending":
		return "", (*qfpay.Transaction).Pending, nil
	case "failed":
		return "", (*qfpay.Transaction).Failed, nil
	}
	if len(s) == 4 && looksLikeDigits(s) {
		return s, func(tx *qfpay.Transaction) bool { return tx.RespCode == s }, nil
	}
	return "", nil, usagef("--status %q: want paid, pending, failed, any or a 4-digit respcd", s)
}

func looksLikeDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// payTypes reads --pay-type values: 6-digit codes.
func payTypes(values []string) ([]qfpay.PayType, error) {
	var pts []qfpay.PayType
	for _, v := range values {
		for p := range strings.SplitSeq(v, ",") {
			p = strings.TrimSpace(p)
			if len(p) != 6 || !looksLikeDigits(p) {
				return nil, usagef("--pay-type %q: want 6-digit pay type codes such as 800101", p)
			}
			pts = append(pts, qfpay.PayType(p))
		}
	}
	return pts, nil
}

func (a *app) txListCmd() *cobra.Command {
	var from, to, status, output string
	var pts []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the transactions of a period, every page",
		Long: `List every payment and refund created (sysdtm) between --from and --to,
reading every page of the answer as it goes (a period longer than a month is
queried month by month), so that a long listing streams.

--from and --to take a date (the whole day), a date and time or RFC 3339, in
the client's zone (UTC+8); by default the current month. --status keeps paid,
pending or failed transactions, or those with one respcd. On a terminal, a
count of the transactions read so far is shown on stderr.`,
		Example: `  qfpay tx list --from 2026-11-01 --to 2026-11-30
  qfpay tx list --from 2026-11-29 --to 2026-11-29 --status paid --output csv > day.csv
  qfpay tx list --pay-type 800101,800201 --output json | jq -r .syssn`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := validOutput(output); err != nil {
				return err
			}
			respcd, keep, err := statusFilter(status)
			if err != nil {
				return err
			}
			types, err := payTypes(pts)
			if err != nil {
				return err
			}
			client, _, err := a.client(cmd)
			if err != nil {
				return err
			}
			req := &qfpay.QueryRequest{PayTypes: types, RespCode: respcd}
			if from != "" {
				if req.Start, err = parseWhen("from", from, client.Location(), false); err != nil {
					return err
				}
			}
			if to != "" {
				if req.End, err = parseWhen("to", to, client.Location(), true); err != nil {
					return err
				}
			}
			if !req.Start.IsZero() && !req.End.IsZero() && req.End.Before(req.Start) {
				return usagef("--to %s is before --from %s", to, from)
			}
			return a.listTransactions(cmd.Context(), client, req, keep, newTxWriter(output, a.stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first day (or time) listed (default: the start of the current month)")
	f.StringVar(&to, "to", "", "last day (or time) listed (default: the end of the current month)")
	f.StringSliceVar(&pts, "pay-type", nil, "only these pay types (comma-separated or repeated)")
	f.StringVar(&status, "status", "", "only paid, pending, failed, or a respcd such as 1205")
	f.StringVarP(&output, "output", "o", outputTable, "output format: table, json (one object per line) or csv")
	return cmd
}

// listTransactions streams the transactions of req to w, with a count on
// stderr when it is a terminal.
func (a *app) listTransactions(ctx context.Context, client *qfpay.Client, req *qfpay.QueryRequest, keep func(*qfpay.Transaction) bool, w *txWriter) error {
	progress := a.isTerminal(a.stderr)
	read := 0
	var last time.Time
	count := func(final bool) {
		if progress && (final || time.Since(last) >= 100*time.Millisecond) {
			last = time.Now()
			fmt.Fprintf(a.stderr, "\r%d transactions read", read)
			if final {
				fmt.Fprintln(a.stderr)
			}
		}
	}
	defer count(true)
	shown := 0
	for tx, err := range client.Transactions(ctx, req) {
		if err != nil {
			return err
		}
		read++
		count(false)
		if !keep(tx) {
			continue
		}
		if err := w.write(tx); err != nil {
			return err
		}
		shown++
	}
	if shown == 0 {
		// An empty stdout alone would not tell "none" from "nothing ran".
		a.infof("No transactions listed")
	}
	return nil
}

func (a *app) txWaitCmd() *cobra.Command {
	var timeout time.Duration
	var refund bool
	var output string
	cmd := &cobra.Command{
		Use:   "wait <out_trade_no>",
		Short: "Wait until a payment (or refund) is settled",
		Long: `Query a payment (--refund: a refund) by its out_trade_no until the gateway
lists it paid or failed, or --timeout passes (WaitForPayment, WaitForRefund),
then print it. The exit code says which of the three outcomes it is:

  0  paid (refunded)
  3  listed as failed: the only proof that paying again, under a NEW
     out_trade_no, is safe
  4  still unknown: nothing is proven; wait again later, never pay again
     under a new number

Pending answers, refused, garbled or failed queries never end the wait early.`,
		Example: `  qfpay tx wait order-8812
  qfpay tx wait order-8812-r1 --refund --timeout 30s`,
		Args: exactArgs(1, "an out_trade_no"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validOutput(output); err != nil {
				return err
			}
			if timeout <= 0 {
				return usagef("--timeout %v: want a positive duration", timeout)
			}
			client, _, err := a.client(cmd)
			if err != nil {
				return err
			}
			return a.settle(cmd.Context(), client, args[0], refund, timeout, newTxWriter(output, a.stdout))
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait for a final state")
	cmd.Flags().BoolVar(&refund, "refund", false, "the number is a refund's own out_trade_no")
	cmd.Flags().StringVarP(&output, "output", "o", outputTable, "output format: table, json or csv")
	return cmd
}

// settle waits for the payment or refund outTradeNo for at most timeout,
// prints it when listed, and returns nil (paid), the listed failure, or
// the unknown outcome with the command that settles it.
func (a *app) settle(ctx context.Context, client *qfpay.Client, outTradeNo string, refund bool, timeout time.Duration, w *txWriter) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wait := client.WaitForPayment
	if refund {
		wait = client.WaitForRefund
	}
	tx, err := wait(ctx, outTradeNo)
	if tx != nil {
		if werr := w.write(tx); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil && errors.Is(err, qfpay.ErrOutcomeUnknown) && !errors.Is(err, qfpay.ErrInvalidRequest) {
		return fmt.Errorf("%w\nsettle it with: qfpay tx wait %s", err, settleArgs(outTradeNo, refund))
	}
	return err
}

// settleArgs are the arguments of tx wait for outTradeNo.
func settleArgs(outTradeNo string, refund bool) string {
	s := shellQuote(outTradeNo)
	if refund {
		s += " --refund"
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
