// Command bill downloads a day's clearing statement to a file
// (DownloadBillTo, in constant memory however large the statement) and
// prints the files of its zip and the rows of each CSV file, read one at a
// time (ReadBill, Rows).
//
//	go run ./examples/bill [-date 2024-05-14]
//
// Against the embedded sandbox it first makes a few transactions (three
// payments and a refund) so that today's statement has rows. With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV set (see
// examples/internal/exampleenv) it downloads the statement of -date
// (default today) and makes no transactions. QF Pay serves statements on
// production environments only: a test environment answers with an error,
// which the program reports as expected.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bill: FAILED:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bill", flag.ContinueOnError)
	dateFlag := fs.String("date", "", "the day of the statement, YYYY-MM-DD (default today)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	env, err := exampleenv.Open()
	if err != nil {
		return err
	}
	defer env.Close()
	client := env.Client
	fmt.Fprintln(out, "Account statement: a day's transactions as a zip of CSV files.")
	env.Describe(out)

	// The day is a calendar day in the client's zone (UTC+8 by default).
	date := time.Now().In(client.Location())
	if *dateFlag != "" {
		if date, err = time.ParseInLocation(time.DateOnly, *dateFlag, client.Location()); err != nil {
			return fmt.Errorf("-date: %w", err)
		}
	}

	step := 0
	if env.IsSandbox() {
		step++
		fmt.Fprintf(out, "\n%d. Make a few transactions today\n", step)
		if err := makeTransactions(ctx, env, out); err != nil {
			return err
		}
	}

	step++
	fmt.Fprintf(out, "\n%d. Download the statement of %s to a file (DownloadBillTo)\n", step, date.Format(time.DateOnly))
	if !env.IsSandbox() && !env.IsLive() {
		fmt.Fprintln(out, "   note: QF Pay serves statements on production environments only; this one should refuse")
	}
	file, err := os.CreateTemp("", "trade_bill_*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	// A statement of a busy day is tens of megabytes: the progress
	// callback is where a progress bar goes.
	parts := 0
	size, err := client.DownloadBillTo(ctx, date, file, qfpay.WithBillProgress(func(written, total int64) { parts++ }))
	var apiErr *qfpay.APIError
	if !env.IsSandbox() && !env.IsLive() && errors.As(err, &apiErr) {
		fmt.Fprintf(out, "   refused, as expected on a test environment: %v\n", err)
		fmt.Fprintln(out, "\nDone.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("downloading the statement: %w", err)
	}
	fmt.Fprintf(out, "   %d bytes written, in %d part(s)\n", size, parts)
	bill := client.ReadBill(file, size)

	step++
	fmt.Fprintf(out, "\n%d. Read it\n", step)
	names, err := bill.Files()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("the statement's zip holds no file")
	}
	for _, name := range names {
		fmt.Fprintf(out, "   file %s\n", name)
		if !strings.HasSuffix(strings.ToLower(name), ".csv") {
			continue
		}
		if err := printRows(out, bill.Rows(name)); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// makeTransactions pays three consumer-presented payments and refunds part
// of one.
func makeTransactions(ctx context.Context, env *exampleenv.Env, out io.Writer) error {
	var first *qfpay.PaymentResponse
	for _, amount := range []int64{1800, 4500, 990} {
		resp, err := env.Client.Payment(ctx, &qfpay.PaymentRequest{
			PayType:    qfpay.PayTypeWeChatCPM,
			Amount:     amount,
			Currency:   env.Currency,
			OutTradeNo: exampleenv.OrderNo("bill"),
			AuthCode:   qfpaytest.AuthCodeSuccess,
		})
		if err != nil {
			return fmt.Errorf("paying: %w", err)
		}
		if first == nil {
			first = resp
		}
		fmt.Fprintf(out, "   payment %s  %s\n", resp.SysSN, exampleenv.Money(resp.Amount, resp.Currency))
	}
	refund, err := env.Client.Refund(ctx, &qfpay.RefundRequest{
		SysSN: first.SysSN, OutTradeNo: exampleenv.OrderNo("bill-refund"), Amount: 500,
	})
	if err != nil {
		return fmt.Errorf("refunding: %w", err)
	}
	fmt.Fprintf(out, "   refund  %s  %s of %s\n", refund.SysSN, exampleenv.Money(refund.Amount, refund.Currency), refund.OrigSysSN)
	return nil
}

// printRows prints the header and a few columns of each row, or every
// column when the header does not name the usual ones, then how many rows
// there were. The rows are read one at a time.
func printRows(out io.Writer, rows iter.Seq2[[]string, error]) error {
	var header []string
	var idx []int
	cols := []string{"syssn", "order_type", "pay_type", "txcurrcd", "txamt", "respcd", "sysdtm"}
	n := 0
	for row, err := range rows {
		if err != nil {
			return err
		}
		if header == nil {
			header = row
			fmt.Fprintf(out, "   header: %s\n", strings.Join(header, ","))
			for _, c := range cols {
				if i := slices.Index(header, c); i >= 0 {
					idx = append(idx, i)
				}
			}
			continue
		}
		n++
		if len(idx) < len(cols) {
			fmt.Fprintf(out, "   %s\n", strings.Join(row, ","))
			continue
		}
		cells := make([]string, len(idx))
		for j, i := range idx {
			if i < len(row) {
				cells[j] = row[i]
			}
		}
		fmt.Fprintf(out, "   %-26s  %-7s  %s  %s %7s  %s  %s\n", cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6])
	}
	if header == nil {
		fmt.Fprintln(out, "   (empty)")
		return nil
	}
	fmt.Fprintf(out, "   %d rows besides the header\n", n)
	return nil
}
