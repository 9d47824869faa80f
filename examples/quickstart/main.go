// Command quickstart runs a payment's whole life with the qfpay SDK and
// prints each step: a notification endpoint, a merchant-presented QR code
// payment, the customer paying it, WaitForPayment, Query, a partial refund,
// the payment and refund notifications, and a summary.
//
//	go run ./examples/quickstart
//
// With no environment variables it runs in a few seconds against an
// embedded sandbox (package qfpaytest): no credentials, no network. With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV set (see
// examples/internal/exampleenv) it runs the same steps against that QF Pay
// environment: you pay the QR code with a wallet app, and the notification
// steps are skipped, since a real gateway only posts notifications to a
// public URL registered with QF Pay.
//
// It exits with status 1 and a message on stderr when a step fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const (
	amount       = 1250 // 12.50 in the currency's minor unit (cents)
	refundAmount = 250  // 2.50
	payType      = qfpay.PayTypeAlipayMPM
	notifyPath   = "/qfpay/notify"
	// notifyWait bounds the wait for the notifications.
	notifyWait = 10 * time.Second
	// settleWait bounds settling a payment or refund whose outcome the
	// first answer left open.
	settleWait = 30 * time.Second
	// customerDelay is when the sandbox's customer pays, after the QR code
	// is shown.
	customerDelay = 300 * time.Millisecond
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// The notification endpoint listens first: the sandbox is told its
	// address when it starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening for notifications: %w", err)
	}
	defer ln.Close()
	notifyURL := "http://" + ln.Addr().String() + notifyPath

	env, err := exampleenv.Open(exampleenv.SandboxOptions(
		qfpaytest.WithNotifyURL(notifyURL),
		// Retry unacknowledged notifications within a second, not after
		// the gateway's 2 minutes.
		qfpaytest.WithNotifySchedule(100*time.Millisecond, 500*time.Millisecond),
	))
	if err != nil {
		return err
	}
	defer env.Close()
	client, cur := env.Client, env.Currency
	money := func(a int64) string { return exampleenv.Money(a, cur) }

	fmt.Fprintln(out, "qfpay-go quickstart: a payment's whole life, step by step.")
	env.Describe(out)
	n := 0
	step := func(title string) { n++; fmt.Fprintf(out, "\n%d. %s\n", n, title) }
	say := func(format string, args ...any) { fmt.Fprintf(out, "   "+format+"\n", args...) }

	// 1. The notification endpoint: the client's NotificationHandler verifies
	// each notification's signature and calls record, which must be
	// idempotent on SysSN (a notification can arrive more than once).
	step("Start the notification endpoint")
	inbox := newInbox()
	if env.IsSandbox() {
		mux := http.NewServeMux()
		mux.Handle(notifyPath, env.Client.NotificationHandler(inbox.record))
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }() // ends with Shutdown
		defer hs.Shutdown(context.Background())
		say("listening on %s (Client.NotificationHandler)", notifyURL)
	} else {
		ln.Close()
		say("skipped: a real gateway posts notifications only to a public URL registered with QF Pay,")
		say("which this program cannot offer. See examples/notify-server for such an endpoint.")
	}

	// 2. A merchant-presented payment: the answer carries the QR code to
	// show the customer.
	step("Create a merchant-presented (QR code) payment")
	orderNo := exampleenv.OrderNo("qs")
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType:       payType,
		Amount:        amount,
		Currency:      cur,
		OutTradeNo:    orderNo, // our own unique number: the key to query it by
		GoodsName:     "Quickstart coffee",
		ExpireMinutes: 5, // the QR code lapses after 5 minutes
	})
	if err != nil {
		// Nothing to show the customer. A decline or a refused request
		// moved no money; any other error (ErrOutcomeUnknown, ErrPending)
		// may have created the payment: settle it with WaitForPayment
		// before anything else (the README's "Settling money").
		return fmt.Errorf("creating the payment: %w", err)
	}
	say("pay type      %s %s", payType, payType.Description())
	say("amount        %s", money(pay.Amount))
	say("out_trade_no  %s", pay.OutTradeNo)
	say("syssn         %s", pay.SysSN)
	say("QR code link  %s", pay.QRCode)

	// 3. The customer scans the QR code and pays in the wallet app.
	step("The customer pays")
	wait := env.CustomerWait()
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	payErr := make(chan error, 1)
	if env.IsSandbox() {
		say("sandbox: the customer pays in %s (qfpaytest.Server.Pay, as if the QR code were scanned)", customerDelay)
		time.AfterFunc(customerDelay, func() {
			if err := env.Sandbox.Pay(pay.SysSN); err != nil {
				payErr <- err
				cancel() // stop waiting for a payment that will not come
			}
		})
	} else {
		say("not the sandbox, so nobody pays for you: show the QR code link above as a QR code")
		say("and pay it with the wallet app within %.0f seconds.", wait.Seconds())
	}

	// 4. WaitForPayment queries the payment until the gateway lists it paid
	// or failed; a refused or lost query only makes it ask again.
	step("Wait for the payment (WaitForPayment)")
	paid, err := client.WaitForPayment(waitCtx, orderNo)
	select {
	case perr := <-payErr:
		return fmt.Errorf("the sandbox's customer could not pay: %w", perr)
	default:
	}
	switch {
	case errors.Is(err, qfpay.ErrPaymentFailed):
		// Listed as failed: nothing charged; a new order number is safe.
		return fmt.Errorf("the payment failed: %w", err)
	case errors.Is(err, qfpay.ErrOutcomeUnknown):
		// Nobody paid in time, or the gateway could not be asked. Cancel
		// the QR code so it cannot be paid later (reversal or close, as the
		// wallet takes), then settle again: the cancel's own answer proves
		// nothing until the gateway lists the payment.
		if _, cerr := client.Cancel(ctx, payType, &qfpay.ReversalRequest{OutTradeNo: orderNo, Amount: amount}); cerr != nil {
			say("cancelling: %v", cerr)
		}
		settleCtx, cancelSettle := context.WithTimeout(ctx, settleWait)
		defer cancelSettle()
		tx, serr := client.WaitForPayment(settleCtx, orderNo)
		switch {
		case serr == nil:
			paid = tx // paid at the last moment: carry on
		case errors.Is(serr, qfpay.ErrPaymentFailed):
			return fmt.Errorf("not paid within %s; the payment was cancelled (respcd %s), so its QR code cannot be paid any more", wait, tx.RespCode)
		default:
			return fmt.Errorf("not paid within %s and still unknown: settle %s later, never charge it under a new number: %w", wait, orderNo, serr)
		}
	case err != nil:
		return fmt.Errorf("waiting for the payment: %w", err)
	}
	say("paid: %s at %s", money(paid.Amount), paid.PayTime.Format(time.DateTime+" -07:00"))

	// 5. Query: what the gateway says about the payment.
	step("Query the payment")
	q, err := client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{pay.SysSN}})
	if err != nil {
		return fmt.Errorf("querying the payment: %w", err)
	}
	if len(q.Transactions) != 1 {
		return fmt.Errorf("querying the payment: %d transactions listed, want 1", len(q.Transactions))
	}
	tx := q.Transactions[0]
	say("syssn %s: respcd %s (paid: %t), %s, cancel %s", tx.SysSN, tx.RespCode, tx.Paid(), money(tx.Amount), tx.Cancel)

	// 6. A partial refund: the refund has its own unique out_trade_no.
	step("Refund part of the payment")
	refundNo := exampleenv.OrderNo("qs-refund") // stored before sending, like the payment's
	refund, err := client.Refund(ctx, &qfpay.RefundRequest{
		SysSN:      pay.SysSN,
		OutTradeNo: refundNo,
		Amount:     refundAmount,
	})
	var apiErr *qfpay.APIError
	switch {
	case err == nil:
	case errors.As(err, &apiErr) && apiErr.Declined():
		// Refused on its first send (1272: more than is left, 1269: not
		// enough turnover today...): nothing was refunded.
		return fmt.Errorf("refund declined: %w", err)
	case errors.Is(err, qfpay.ErrInvalidRequest):
		return fmt.Errorf("refunding: %w", err)
	default:
		// Pending, unknown or duplicate: settle the refund by its own
		// number; never refund again under a new number until it is listed
		// as failed.
		settleCtx, cancelSettle := context.WithTimeout(ctx, settleWait)
		defer cancelSettle()
		tx, serr := client.WaitForRefund(settleCtx, refundNo)
		if serr != nil {
			return fmt.Errorf("refund %s not settled (%v): %w", refundNo, err, serr)
		}
		refund = &qfpay.RefundResponse{SysSN: tx.SysSN, OrigSysSN: tx.OrigSysSN, OutTradeNo: tx.OutTradeNo, Amount: tx.Amount}
	}
	say("refunded %s of %s", money(refund.Amount), money(amount))
	say("refund syssn  %s (out_trade_no %s)", refund.SysSN, refund.OutTradeNo)

	// 7. The notifications of the payment and of the refund.
	step("Receive the payment and refund notifications")
	if env.IsSandbox() {
		notifyCtx, cancel := context.WithTimeout(ctx, notifyWait)
		defer cancel()
		for _, want := range []struct {
			typ   qfpay.NotifyType
			syssn string
		}{{qfpay.NotifyPayment, pay.SysSN}, {qfpay.NotifyRefund, refund.SysSN}} {
			got, err := inbox.wait(notifyCtx, want.syssn)
			if err != nil {
				return fmt.Errorf("no %s notification for %s within %s: %w", want.typ, want.syssn, notifyWait, err)
			}
			if got.Type != want.typ {
				return fmt.Errorf("notification for %s is %q, want %q", want.syssn, got.Type, want.typ)
			}
			line := fmt.Sprintf("%-7s notification: syssn %s, %s, out_trade_no %s", got.Type, got.SysSN, money(got.Amount), got.OutTradeNo)
			if got.OrigSysSN != "" {
				line += ", of " + got.OrigSysSN
			}
			say("%s", line)
		}
		// The sandbox logs what the endpoint answered.
		deliveries, err := env.Sandbox.WaitDeliveries(notifyCtx, 2)
		if err != nil {
			return fmt.Errorf("the sandbox's deliveries did not finish: %w", err)
		}
		for _, d := range deliveries {
			if !d.Delivered {
				return fmt.Errorf("the %s notification of %s was not acknowledged", d.Type, d.SysSN)
			}
		}
		say("both acknowledged with 200 SUCCESS, so the gateway stops sending them")
	} else {
		say("skipped against a real environment (see step 1).")
	}

	// 8. The payment and its refund as the gateway lists them now.
	step("Summary")
	q, err = client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{pay.SysSN, refund.SysSN}})
	if err != nil {
		return fmt.Errorf("querying the payment and the refund: %w", err)
	}
	listed := map[string]qfpay.Transaction{}
	for _, tx := range q.Transactions {
		listed[tx.SysSN] = tx
	}
	p, r := listed[pay.SysSN], listed[refund.SysSN]
	if p.SysSN == "" || r.SysSN == "" {
		return fmt.Errorf("the query lists %d of the payment and its refund, want both", len(listed))
	}
	say("payment  %s  %9s  respcd %s, cancel %s (out_trade_no %s)", p.SysSN, money(p.Amount), p.RespCode, p.Cancel, p.OutTradeNo)
	say("refund   %s  %9s  respcd %s, of %s (out_trade_no %s)", r.SysSN, money(r.Amount), r.RespCode, r.OrigSysSN, r.OutTradeNo)
	say("kept %s of %s", money(amount-refundAmount), money(amount))
	if env.IsSandbox() {
		say("notifications: payment and refund received and acknowledged")
	} else {
		say("notifications: not received (real environment, see step 1)")
	}
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// inbox records notifications by SysSN, once each.
type inbox struct {
	mu      sync.Mutex
	got     map[string]*qfpay.Notification
	changed chan struct{}
}

func newInbox() *inbox {
	return &inbox{got: map[string]*qfpay.Notification{}, changed: make(chan struct{})}
}

// record is the NotificationHandler callback: it keeps the first delivery
// of each SysSN and ignores repeats, and returns at once.
func (b *inbox) record(_ context.Context, n *qfpay.Notification) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, seen := b.got[n.SysSN]; seen {
		return nil // a repeated delivery: recorded already, acknowledge again
	}
	b.got[n.SysSN] = n
	close(b.changed)
	b.changed = make(chan struct{})
	return nil
}

// wait returns the notification of syssn once it has arrived.
func (b *inbox) wait(ctx context.Context, syssn string) (*qfpay.Notification, error) {
	for {
		b.mu.Lock()
		n, changed := b.got[syssn], b.changed
		b.mu.Unlock()
		if n != nil {
			return n, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
