package main

import (
	"context"
	"encoding/csv"
	"fmt"

	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func (a *app) billCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "bill <date>",
		Short: "Download the day's statement (a zip of CSV files)",
		Long: `Download the account statement of a day (YYYY-MM-DD) as the zip file the
gateway sends (GET /download/v1/trade_bill, API section "Account Statement";
production environments only), streamed to a file as it arrives, with a
progress bar on stderr when stderr is a terminal, and checked to be a
readable zip.

The file is qfpay-bill-<date>.zip unless -o names another; -o - writes the zip
to stdout. A file is written under a temporary name and renamed once complete:
a failed download leaves no partial file. "qfpay bill rows" reads it back.`,
		Example: `  qfpay bill 2026-11-29
  qfpay bill 2026-11-29 -o /tmp/nov29.zip
  qfpay bill 2026-11-29 -o - | unzip -l /dev/stdin`,
		Args: exactArgs(1, "a date (YYYY-MM-DD)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := time.Parse(time.DateOnly, args[0])
			if err != nil {
				return usagef("date %q: want YYYY-MM-DD", args[0])
			}
			if out == "" {
				out = "qfpay-bill-" + day.Format(time.DateOnly) + ".zip"
			}
			client, _, err := a.client(cmd)
			if err != nil {
				return err
			}
			date := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, client.Location())
			return a.downloadBill(cmd.Context(), client, date, out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write, - for stdout (default qfpay-bill-<date>.zip)")
	cmd.AddCommand(a.billRowsCmd())
	return cmd
}

// downloadBill streams the statement of date to out (a path, or - for
// stdout), leaving no file behind on error.
func (a *app) downloadBill(ctx context.Context, client *qfpay.Client, date time.Time, out string) error {
	var opts []qfpay.BillOption
	if a.isTerminal(a.stderr) {
		var bar *progressbar.ProgressBar
		opts = append(opts, qfpay.WithBillProgress(func(written, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total,
					progressbar.OptionSetWriter(a.stderr),
					progressbar.OptionSetDescription("bill "+date.Format(time.DateOnly)),
					progressbar.OptionShowBytes(true),
					progressbar.OptionShowTotalBytes(true),
					progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(65*time.Millisecond),
					progressbar.OptionClearOnFinish(),
				)
			}
			_ = bar.Set64(written)
		}))
		defer func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}()
	}
	if out == "-" {
		_, err := client.DownloadBillTo(ctx, date, a.stdout, opts...)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".qfpay-bill-*.part")
	if err != nil {
		return err
	}
	n, err := client.DownloadBillTo(ctx, date, tmp, opts...)
	if err == nil {
		// An answer cut short but complete as HTTP (a proxy's, say) is
		// no zip: check it before the file takes its name.
		if _, zerr := client.ReadBill(tmp, n).Files(); zerr != nil {
			err = errorf("the bill downloaded is not a readable zip (%d bytes): %w", n, zerr)
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	a.infof("Wrote the bill of %s to %s (%d bytes)", date.Format(time.DateOnly), out, n)
	return nil
}

func (a *app) billRowsCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "rows <file.zip>",
		Short: "Print the rows of a downloaded statement as CSV",
		Long: `Print the CSV rows (header included) of a statement zip written by "qfpay
bill" to stdout, read from the file without loading it into memory. A zip of
one file needs nothing more; --file picks one file of several.`,
		Example: `  qfpay bill rows qfpay-bill-2026-11-29.zip
  qfpay bill rows qfpay-bill-2026-11-29.zip | grep ',refund,'`,
		Args: exactArgs(1, "a statement zip file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return &usageError{err: err}
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			// Reading a file sends nothing: the client only bounds the
			// size of the files inside, so no credentials are needed.
			reader, err := qfpay.NewClient("bill-rows", "bill-rows")
			if err != nil {
				return err
			}
			bill := reader.ReadBill(f, st.Size())
			files, err := bill.Files()
			if err != nil {
				return errorf("%s: %w", args[0], err)
			}
			switch {
			case name != "":
			case len(files) == 1:
				name = files[0]
			default:
				return usagef("%s holds %d files (%s): pick one with --file", args[0], len(files), strings.Join(files, ", "))
			}
			w := csv.NewWriter(a.stdout)
			for row, err := range bill.Rows(name) {
				if err != nil {
					return errorf("%s: %w", args[0], err)
				}
				if err := w.Write(row); err != nil {
					return err
				}
			}
			w.Flush()
			if err := w.Error(); err != nil {
				return fmt.Errorf("writing the rows: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "file", "", "the file of the zip to print (needed when it holds several)")
	return cmd
}
