package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	sandboxcmd "github.com/qfpay-go/qfpay/internal/sandbox"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/spf13/cobra"
)

// defaultSandboxURL is where the admin commands find the sandbox unless
// --sandbox or $QFPAY_SANDBOX says otherwise: the sandbox's default
// address.
const defaultSandboxURL = "http://" + sandboxcmd.DefaultAddr

// sandboxFlags is the help text of the sandbox's own flags.
func sandboxFlags() string {
	var b bytes.Buffer
	o := sandboxcmd.DefaultOptions()
	sandboxcmd.FlagSet("qfpay sandbox", &o, &b).PrintDefaults()
	return b.String()
}

func (a *app) sandboxCmd() *cobra.Command {
	long := `Run the embedded QF Pay sandbox (the in-memory gateway of package qfpaytest,
the same program as cmd/qfpay-sandbox) at a local address, with a status page
at / and an admin API under /_sandbox/v1/ for loopback clients, until
interrupted. "qfpay sandbox serve" is the same. Point the other commands at
it with --env http://127.0.0.1:8787: with no app code and key set, they use
the sandbox's public ones, which it prints.

The subcommands drive a running sandbox through its admin API (--sandbox,
default $QFPAY_SANDBOX or ` + defaultSandboxURL + `): pay, fail or expire a
payment, advance its clock, list and redeliver notifications.

Flags of the sandbox itself (Go style, one dash or two):
` + sandboxFlags()
	cmd := &cobra.Command{
		Use:   "sandbox " + sandboxcmd.Usage,
		Short: "Run the local sandbox, or drive a running one",
		Long:  long,
		Example: `  qfpay sandbox
  qfpay sandbox -addr 127.0.0.1:9000 -notify-url http://127.0.0.1:8080/qfpay/notify
  qfpay sandbox pay order-8812`,
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		RunE:                  a.serveSandbox,
	}
	serve := &cobra.Command{
		Use:                   "serve " + sandboxcmd.Usage,
		Short:                 "Run the local sandbox (the same as qfpay sandbox)",
		Long:                  long,
		Example:               "  qfpay sandbox serve -addr 127.0.0.1:0",
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		RunE:                  a.serveSandbox,
	}
	cmd.AddCommand(serve)
	for _, c := range a.sandboxAdminCmds() {
		cmd.AddCommand(c)
	}
	return cmd
}

// serveSandbox parses the sandbox's flags and serves it until the command
// is interrupted.
func (a *app) serveSandbox(cmd *cobra.Command, args []string) error {
	for _, arg := range args {
		if arg == "-h" || arg == "-help" || arg == "--help" {
			return cmd.Help()
		}
	}
	o := sandboxcmd.DefaultOptions()
	fs := sandboxcmd.FlagSet("qfpay sandbox", &o, io.Discard)
	if err := fs.Parse(args); err != nil {
		return usagef("%v (see qfpay sandbox --help)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q (see qfpay sandbox --help)", fs.Args())
	}
	err := sandboxcmd.Serve(cmd.Context(), o, a.stdout)
	if err != nil && cmd.Context().Err() == nil && !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

// adminClient calls the admin API of a running sandbox.
type adminClient struct {
	base string
	hc   *http.Client
}

func (a *app) admin(cmd *cobra.Command, base string) (*adminClient, error) {
	if !cmd.Flags().Changed("sandbox") {
		if base = a.getenv(envSandbox); base == "" {
			base = defaultSandboxURL
		}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--sandbox %q: want the sandbox's http(s) URL, such as %s", base, defaultSandboxURL)
	}
	return &adminClient{base: strings.TrimSuffix(base, "/"), hc: &http.Client{Timeout: a.flags.timeout}}, nil
}

// adminError is an error answer of the admin API.
type adminError struct {
	status int
	reason string
}

func (e *adminError) Error() string {
	return fmt.Sprintf("sandbox: %s (HTTP %d)", e.reason, e.status)
}

// call sends one admin request and decodes its JSON answer into v; the
// raw answer is returned for --output json.
func (c *adminClient) call(ctx context.Context, method, path string, form url.Values, v any) ([]byte, error) {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/_sandbox/v1/"+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, errorf("calling the sandbox at %s (is \"qfpay sandbox\" running there?): %w", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, errorf("reading the sandbox's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			return nil, errorf("sandbox at %s answered HTTP %d, not its admin API (is it \"qfpay sandbox\", with -admin?)", c.base, resp.StatusCode)
		}
		err := &adminError{status: resp.StatusCode, reason: strings.TrimPrefix(e.Error, "qfpay sandbox: ")}
		if resp.StatusCode == http.StatusBadRequest {
			return nil, &usageError{err: err}
		}
		return nil, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, errorf("the sandbox's answer to %s: %w", path, err)
	}
	return raw, nil
}

// sandboxTx describes a sandbox transaction in one line.
func sandboxTx(t *qfpaytest.Transaction) string {
	var status string
	listed := qfpay.Transaction{RespCode: t.RespCode}
	switch {
	case t.RespCode == qfpay.CodeSuccess && t.OrderType == qfpay.OrderTypeRefund:
		status = "refunded"
	case t.RespCode == qfpay.CodeSuccess:
		status = "paid"
	case t.RespCode == "1181":
		status = "expired 1181"
	case t.RespCode == "1142":
		status = "closed 1142"
	case t.RespCode == qfpay.CodePasswordPending:
		status = "waiting 1143"
	case listed.Pending():
		status = "pending " + t.RespCode
	default:
		status = "failed " + t.RespCode
	}
	return fmt.Sprintf("%s  %s  %s  %s  %s", t.SysSN, t.OutTradeNo, t.PayType, money(t.Currency, t.Amount), status)
}

func (a *app) sandboxAdminCmds() []*cobra.Command {
	var base, output string
	flags := func(cmd *cobra.Command) *cobra.Command {
		cmd.Flags().StringVar(&base, "sandbox", defaultSandboxURL, "URL of the running sandbox [$"+envSandbox+"]")
		cmd.Flags().StringVarP(&output, "output", "o", outputTable, "output format: table, or json (the admin API's answer)")
		return cmd
	}
	// print writes the raw JSON answer, or the line for people.
	print := func(raw []byte, line string) error {
		if output == outputJSON {
			_, err := fmt.Fprintf(a.stdout, "%s\n", bytes.TrimSpace(raw))
			return err
		}
		_, err := fmt.Fprintln(a.stdout, line)
		return err
	}
	checkOutput := func() error {
		if output != outputTable && output != outputJSON {
			return usagef("--output %q: want table or json", output)
		}
		return nil
	}
	txCmd := func(name, short, long, example string, extra func(*cobra.Command) func(url.Values) error) *cobra.Command {
		cmd := &cobra.Command{
			Use:     name + " <syssn|out_trade_no>",
			Short:   short,
			Long:    long,
			Example: example,
			Args:    exactArgs(1, "a payment's syssn or out_trade_no"),
		}
		var add func(url.Values) error
		if extra != nil {
			add = extra(cmd)
		}
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(); err != nil {
				return err
			}
			form := url.Values{"ref": {args[0]}}
			if add != nil {
				if err := add(form); err != nil {
					return err
				}
			}
			c, err := a.admin(cmd, base)
			if err != nil {
				return err
			}
			var ans struct {
				Transaction qfpaytest.Transaction `json:"transaction"`
			}
			raw, err := c.call(cmd.Context(), http.MethodPost, name, form, &ans)
			if err != nil {
				return err
			}
			return print(raw, sandboxTx(&ans.Transaction))
		}
		return flags(cmd)
	}
	pay := txCmd("pay", "Pay a waiting payment, as its customer would",
		`Pay a payment of the running sandbox that waits for its customer (or is
pending), as if the customer paid now: it is listed paid and notified.`,
		"  qfpay sandbox pay order-8812\n  qfpay sandbox pay 20261130000200020000000042 --sandbox http://127.0.0.1:9000", nil)
	fail := txCmd("fail", "Fail a waiting payment with a return code",
		`Fail a payment (or a refund) of the running sandbox that is not settled yet,
with --respcd (default 1205, a decline; 4 digits, neither 0000 nor a pending
code): it is listed failed from then on.`,
		"  qfpay sandbox fail order-8812\n  qfpay sandbox fail order-8812 --respcd 1201",
		func(cmd *cobra.Command) func(url.Values) error {
			var respcd string
			cmd.Flags().StringVar(&respcd, "respcd", "1205", "the failure's return code")
			return func(form url.Values) error {
				if len(respcd) != 4 || !looksLikeDigits(respcd) {
					return usagef("--respcd %q: want 4 digits such as 1205", respcd)
				}
				form.Set("respcd", respcd)
				return nil
			}
		})
	expire := txCmd("expire", "Expire a waiting payment now",
		`Make a payment of the running sandbox that waits for its customer expire now,
as if its expiry had passed: it is listed with 1181 and can no longer be paid.`,
		"  qfpay sandbox expire order-8812", nil)

	advance := flags(&cobra.Command{
		Use:   "advance <duration>",
		Short: "Move the sandbox's clock forward",
		Long: `Move the running sandbox's clock forward by a Go duration (30s, 15m, 2h):
pending payments due by then settle, expiries pass, subscriptions bill, as
Server.Advance does. Prints the sandbox's new time.`,
		Example: "  qfpay sandbox advance 30m",
		Args:    exactArgs(1, "a duration such as 30m"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(); err != nil {
				return err
			}
			d, err := time.ParseDuration(args[0])
			if err != nil || d <= 0 {
				return usagef("duration %q: want a positive Go duration such as 30s or 2h", args[0])
			}
			c, err := a.admin(cmd, base)
			if err != nil {
				return err
			}
			var ans struct {
				Now time.Time `json:"now"`
			}
			raw, err := c.call(cmd.Context(), http.MethodPost, "advance", url.Values{"by": {d.String()}}, &ans)
			if err != nil {
				return err
			}
			return print(raw, "sandbox time: "+ans.Now.Format(time.RFC3339))
		},
	})

	notifications := flags(&cobra.Command{
		Use:   "notifications",
		Short: "List the notifications the sandbox sent and their attempts",
		Long: `List the notifications of the running sandbox, oldest first: id (for
redeliver), type, syssn, out_trade_no, where it was sent, the attempts made,
the last answer, and whether it was delivered (answered 200 SUCCESS), is
still failing, or was given up.`,
		Example: "  qfpay sandbox notifications\n  qfpay sandbox notifications -o json | jq '.notifications[] | select(.delivered | not)'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(); err != nil {
				return err
			}
			c, err := a.admin(cmd, base)
			if err != nil {
				return err
			}
			var ans struct {
				Notifications []qfpaytest.Delivery `json:"notifications"`
			}
			raw, err := c.call(cmd.Context(), http.MethodGet, "notifications", nil, &ans)
			if err != nil || output == outputJSON {
				if err != nil {
					return err
				}
				return print(raw, "")
			}
			if len(ans.Notifications) == 0 {
				a.infof("No notifications yet (start the sandbox with -notify-url to send some)")
				return nil
			}
			const row = "%-3s  %-8s  %-26s  %-24s  %-8s  %-12s  %-9s  %s\n"
			fmt.Fprintf(a.stdout, row, "ID", "TYPE", "SYSSN", "OUT_TRADE_NO", "ATTEMPTS", "LAST", "STATE", "URL")
			for _, d := range ans.Notifications {
				fmt.Fprintf(a.stdout, row, strconv.Itoa(d.ID), d.Type, d.SysSN, d.OutTradeNo, strconv.Itoa(len(d.Attempts)),
					lastAttempt(&d), deliveryState(&d), d.URL)
			}
			return nil
		},
	})

	var to string
	redeliver := flags(&cobra.Command{
		Use:   "redeliver <id>",
		Short: "Send a notification again, now",
		Long: `Post notification <id> (from "qfpay sandbox notifications") once more, now,
with the same body and signature, to its own URL or to --to: the way to
replay a notification to a handler you are fixing. Exits 0 when the handler
acknowledged it (200 SUCCESS), 1 otherwise.`,
		Example: "  qfpay sandbox redeliver 0\n  qfpay sandbox redeliver 3 --to http://127.0.0.1:8080/qfpay/notify",
		Args:    exactArgs(1, "a notification id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(); err != nil {
				return err
			}
			id, err := strconv.Atoi(args[0])
			if err != nil || id < 0 {
				return usagef("id %q: want a notification's id, 0 or more", args[0])
			}
			form := url.Values{"id": {strconv.Itoa(id)}}
			if to != "" {
				u, err := url.Parse(to)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return usagef("--to %q: want an http(s) URL", to)
				}
				form.Set("to", to)
			}
			c, err := a.admin(cmd, base)
			if err != nil {
				return err
			}
			var ans struct {
				Notification qfpaytest.Delivery `json:"notification"`
			}
			raw, err := c.call(cmd.Context(), http.MethodPost, "notifications/redeliver", form, &ans)
			if err != nil {
				return err
			}
			d := &ans.Notification
			if err := print(raw, fmt.Sprintf("notification %d (%s %s) to %s: %s", d.ID, d.Type, d.OutTradeNo, attemptURL(d), lastAttempt(d))); err != nil {
				return err
			}
			if n := len(d.Attempts); n == 0 || !acknowledged(&d.Attempts[n-1]) {
				return errorf("notification %d was not acknowledged: %s (want HTTP 200 SUCCESS)", d.ID, lastAttempt(d))
			}
			return nil
		},
	})
	redeliver.Flags().StringVar(&to, "to", "", "URL to send it to (default: its own)")
	return []*cobra.Command{pay, fail, expire, advance, notifications, redeliver}
}

// acknowledged reports whether an attempt was answered 200 SUCCESS.
func acknowledged(at *qfpaytest.DeliveryAttempt) bool {
	return at.StatusCode == http.StatusOK && strings.TrimSpace(at.Response) == "SUCCESS"
}

// lastAttempt describes the last attempt of d: "200 SUCCESS", "500", the
// transport error, or "none".
func lastAttempt(d *qfpaytest.Delivery) string {
	if len(d.Attempts) == 0 {
		return "none"
	}
	at := d.Attempts[len(d.Attempts)-1]
	switch {
	case at.Err != "":
		return "error: " + at.Err
	case acknowledged(&at):
		return "200 SUCCESS"
	}
	return strconv.Itoa(at.StatusCode)
}

// attemptURL is where d's last attempt went.
func attemptURL(d *qfpaytest.Delivery) string {
	if n := len(d.Attempts); n > 0 && d.Attempts[n-1].URL != "" {
		return d.Attempts[n-1].URL
	}
	return d.URL
}

// deliveryState is delivered, pending (no attempt yet), failing
// (attempts left) or given up.
func deliveryState(d *qfpaytest.Delivery) string {
	switch {
	case d.Delivered:
		return "delivered"
	case d.Done:
		return "given up"
	case len(d.Attempts) == 0:
		return "pending"
	}
	return "failing"
}
