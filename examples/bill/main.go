// Command bill downloads a day's clearing statement (DownloadBill) and
// prints the files of its zip and the rows of each CSV file.
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
	fmt.Fprintf(out, "\n%d. Download the statement of %s (DownloadBill)\n", step, date.Format(time.DateOnly))
	if !env.IsSandbox() && !env.IsLive() {
		fmt.Fprintln(out, "   note: QF Pay serves statements on production environments only; this one should refuse")
	}
	bill, err := client.DownloadBill(ctx, date)
	var apiErr *qfpay.APIError
	if !env.IsSandbox() && !env.IsLive() && errors.As(err, &apiErr) {
		fmt.Fprintf(out, "   refused, as expected on a test environment: %v\n", err)
		fmt.Fprintln(out, "\nDone.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("downloading the statement: %w", err)
	}
	fmt.Fprintf(out, "   %d bytes (%s)\n", len(bill.Data), bill.ContentType)

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
		rows, err := bill.Records(name)
		if err != nil {
			return err
		}
		printRows(out, rows)
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
// column when the header does not name the usual ones.
func printRows(out io.Writer, rows [][]string) {
	if len(rows) == 0 {
		fmt.Fprintln(out, "   (empty)")
		return
	}
	header := rows[0]
	fmt.Fprintf(out, "   %d rows besides the header: %s\n", len(rows)-1, strings.Join(header, ","))
	cols := []string{"syssn", "order_type", "pay_type", "txcurrcd", "txamt", "respcd", "sysdtm"}
	idx := make([]int, 0, len(cols))
	for _, c := range cols {
		if i := slices.Index(header, c); i >= 0 {
			idx = append(idx, i)
		}
	}
	for _, row := range rows[1:] {
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
}
