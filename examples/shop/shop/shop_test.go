package shop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/shop/shop"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestPayConsumerPresented pays orders with the gateway's magic auth codes
// and checks the order, its attempt and the gateway's ledger.
func TestPayConsumerPresented(t *testing.T) {
	cases := []struct {
		name     string
		authCode string
		state    shop.State
		code     string // the attempt's code
		listed   bool
		ledger   string // the payment's respcd at the gateway
	}{
		{"paid at once", qfpaytest.AuthCodeSuccess, shop.StatePaid, "", true, "0000"},
		{"pending then paid", qfpaytest.AuthCodePending, shop.StatePaid, "", true, "0000"},
		{"password pending then paid", qfpaytest.AuthCodePasswordPending, shop.StatePaid, "", true, "0000"},
		{"slow network then paid", qfpaytest.AuthCodeSlowNetwork, shop.StatePaid, "", true, "0000"},
		{"pending then failed", qfpaytest.AuthCodePendingThenFail, shop.StateFailed, "1205", true, "1205"},
		{"insufficient balance", qfpaytest.AuthCodeInsufficientBalance, shop.StateFailed, "1201", false, "1201"},
		{"invalid code", qfpaytest.AuthCodeInvalid, shop.StateFailed, "1202", false, "1202"},
		{"expired code", qfpaytest.AuthCodeExpired, shop.StateFailed, "2005", false, "2005"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			o := e.order(1250)
			got, err := e.shop.Pay(context.Background(), o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM, AuthCode: c.authCode})
			if err != nil {
				t.Fatal(err)
			}
			if got.State != c.state {
				t.Fatalf("state %s, want %s", got.State, c.state)
			}
			if len(got.Attempts) != 1 {
				t.Fatalf("%d attempts, want 1", len(got.Attempts))
			}
			a := got.Attempts[0]
			if a.OutTradeNo != o.ID+"-1" || a.Sends != 1 || a.Listed != c.listed || a.Code != c.code || a.State != c.state {
				t.Errorf("attempt %+v: want %s-1, 1 send, listed %v, code %q, state %s", a, o.ID, c.listed, c.code, c.state)
			}
			var kept string
			if err := e.db.QueryRow(`SELECT auth_code FROM attempts WHERE out_trade_no = ?`, a.OutTradeNo).Scan(&kept); err != nil || kept != "" {
				t.Errorf("the payment code is still stored (%q, %v) once the attempt is %s", kept, err, a.State)
			}
			l := e.ledger(o.ID)
			if len(l.payments) != 1 || l.payments[0].RespCode != c.ledger || l.payments[0].OutTradeNo != a.OutTradeNo {
				t.Fatalf("ledger %+v, want one payment %s with respcd %s", l.payments, a.OutTradeNo, c.ledger)
			}
			if c.state == shop.StatePaid {
				if got.SysSN != l.payments[0].SysSN || got.PaidOutTradeNo != a.OutTradeNo {
					t.Errorf("paid syssn %q (%s), ledger %q", got.SysSN, got.PaidOutTradeNo, l.payments[0].SysSN)
				}
			} else if got.SysSN != "" || got.PaidOutTradeNo != "" {
				t.Errorf("failed order has paid syssn %q (%s)", got.SysSN, got.PaidOutTradeNo)
			}
			ds := e.waitNotified()
			if want := map[bool]int{true: 1, false: 0}[c.state == shop.StatePaid]; len(ds) != want {
				t.Errorf("%d notifications, want %d", len(ds), want)
			}
		})
	}
}

// TestPayAgain checks when an order may be paid again: under a new number
// after a proven failure only, never while paid or in progress.
func TestPayAgain(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	o := e.order(800)
	cpm := func(code string) shop.PayInput { return shop.PayInput{PayType: qfpay.PayTypeAlipayCPM, AuthCode: code} }

	got, err := e.shop.Pay(ctx, o.ID, cpm(qfpaytest.AuthCodeInsufficientBalance))
	if err != nil || got.State != shop.StateFailed {
		t.Fatalf("first payment: %v, state %v", err, got)
	}
	got, err = e.shop.Pay(ctx, o.ID, cpm(qfpaytest.AuthCodeSuccess))
	if err != nil || got.State != shop.StatePaid {
		t.Fatalf("second payment: %v, state %v", err, got)
	}
	if got.PaidOutTradeNo != o.ID+"-2" || len(got.Attempts) != 2 || got.Attempts[0].State != shop.StateFailed {
		t.Errorf("order %+v: want attempt 1 failed, attempt 2 paid", got)
	}
	if _, err := e.shop.Pay(ctx, o.ID, cpm(qfpaytest.AuthCodeSuccess)); !errors.Is(err, shop.ErrAlreadyPaid) {
		t.Errorf("paying a paid order: %v, want ErrAlreadyPaid", err)
	}
	if n := len(e.ledger(o.ID).paid()); n != 1 {
		t.Errorf("%d captured payments, want 1", n)
	}

	// An outcome that stays unknown blocks a new number.
	o2 := e.order(900)
	e.srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Drop: true, Count: 1})
	e.srv.InjectFault("/trade/v1/query", qfpaytest.Fault{Status: 503})
	got, err = e.shop.Pay(ctx, o2.ID, cpm(qfpaytest.AuthCodeSuccess))
	if err != nil || got.State != shop.StateUnknown {
		t.Fatalf("payment with the connection dropped and no query: %v, %+v", err, got)
	}
	if _, err := e.shop.Pay(ctx, o2.ID, cpm(qfpaytest.AuthCodeSuccess)); !errors.Is(err, shop.ErrPaymentInProgress) {
		t.Errorf("paying an unknown order: %v, want ErrPaymentInProgress", err)
	}
	e.settleAll()
	if got := e.get(o2.ID); got.State != shop.StatePaid || len(got.Attempts) != 1 || got.Attempts[0].Sends != 2 {
		t.Errorf("after settling: %s with %d attempts, want paid with 1 sent twice", got.State, len(got.Attempts))
	}
	if _, err := e.shop.Pay(ctx, "o-missing", cpm(qfpaytest.AuthCodeSuccess)); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("paying a missing order: %v, want ErrNotFound", err)
	}
}

// TestPayInvalid checks that a request the SDK refuses fails the attempt
// with nothing sent, and that the order can then be paid.
func TestPayInvalid(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	o := e.order(500)
	_, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM}) // no auth code
	if !errors.Is(err, shop.ErrInvalid) || !errors.Is(err, qfpay.ErrInvalidRequest) {
		t.Fatalf("err %v, want ErrInvalid wrapping qfpay.ErrInvalidRequest", err)
	}
	got := e.get(o.ID)
	if got.State != shop.StateFailed || got.Attempts[0].Code != "invalid" {
		t.Errorf("order %s, attempt code %q: want failed, invalid", got.State, got.Attempts[0].Code)
	}
	if n := len(e.srv.Transactions()); n != 0 {
		t.Errorf("the gateway holds %d transactions, want none", n)
	}
	if _, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: "999999"}); !errors.Is(err, shop.ErrInvalid) {
		t.Errorf("unknown pay type: %v, want ErrInvalid", err)
	}
	if got, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM, AuthCode: qfpaytest.AuthCodeSuccess}); err != nil || got.State != shop.StatePaid {
		t.Fatalf("paying after the invalid attempt: %v, %+v", err, got)
	}
}

// TestPayMerchantPresented shows a QR code, then the customer pays it or
// lets it expire.
func TestPayMerchantPresented(t *testing.T) {
	cases := []struct {
		name   string
		pay    bool
		state  shop.State
		ledger string
	}{
		{"paid by the customer", true, shop.StatePaid, "0000"},
		{"left to expire", false, shop.StateFailed, "1181"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envConfig{})
			e.srv.SetNow(time.Now())
			o := e.order(4990)
			got, err := e.shop.Pay(context.Background(), o.ID, shop.PayInput{PayType: qfpay.PayTypeAlipayMPM, ExpireMinutes: 5})
			if err != nil {
				t.Fatal(err)
			}
			a := got.Current()
			if got.State != shop.StateAwaiting || a == nil || !strings.Contains(a.QRCode, "/pay/") || a.SysSN == "" || !a.Listed {
				t.Fatalf("order %+v: want awaiting with a QR code and a syssn", got)
			}
			// Before the QR code expires the settle worker leaves it to the
			// customer and the notification.
			if left, err := e.shop.Settle(context.Background()); err != nil || left.Payments != 1 {
				t.Fatalf("settle before expiry: %v, %+v", err, left)
			}
			if c.pay {
				if err := e.srv.Pay(a.OutTradeNo); err != nil {
					t.Fatal(err)
				}
				e.waitNotified()
			} else {
				e.srv.Advance(7 * time.Minute) // past the 5 minutes and the shop's margin
				e.settleAll()
			}
			got = e.get(o.ID)
			l := e.ledger(o.ID)
			if got.State != c.state || len(l.payments) != 1 || l.payments[0].RespCode != c.ledger {
				t.Errorf("order %s, ledger %+v: want %s, respcd %s", got.State, l.payments, c.state, c.ledger)
			}
			if c.state == shop.StateFailed && got.Current().Code != c.ledger {
				t.Errorf("attempt code %q, want %s", got.Current().Code, c.ledger)
			}
		})
	}
}

// TestNotification posts notifications to the shop's endpoint and checks
// what it answers and records.
func TestNotification(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	o := e.order(1250)
	got, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatMPM})
	if err != nil || got.State != shop.StateAwaiting {
		t.Fatalf("payment: %v, %+v", err, got)
	}
	no, syssn := got.OutTradeNo, got.Current().SysSN
	body := func(amount int64, currency, outTradeNo, notifyType string) string {
		return fmt.Sprintf(`{"notify_type": %q, "syssn": %q, "out_trade_no": %q, "txamt": "%d", "txcurrcd": %q, "respcd": "0000", "status": "1", "pay_type": "800201"}`,
			notifyType, syssn, outTradeNo, amount, currency)
	}
	cases := []struct {
		name   string
		body   string
		key    string
		status int
		state  shop.State
		log    string
	}{
		{"wrong signature", body(1250, "HKD", no, "payment"), "ANOTHER0KEY", 401, shop.StateAwaiting, ""},
		{"amount mismatch", body(1, "HKD", no, "payment"), clientKey, 500, shop.StateAwaiting, "amount or currency does not match the order"},
		{"currency mismatch", body(1250, "USD", no, "payment"), clientKey, 500, shop.StateAwaiting, "paid 1250 USD, the order is 1250 HKD"},
		{"unknown number", body(1250, "HKD", "o-not-ours-1", "payment"), clientKey, 200, shop.StateAwaiting, "notification for a number this shop never sent"},
		{"another type", body(1250, "HKD", no, "unfreeze"), clientKey, 200, shop.StateAwaiting, "notification ignored"},
		{"payment", body(1250, "HKD", no, "payment"), clientKey, 200, shop.StatePaid, "source=notification"},
		{"the same again", body(1250, "HKD", no, "payment"), clientKey, 200, shop.StatePaid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status := postNotification(t, e.api.URL+shop.NotifyPath, []byte(c.body), c.key)
			if status != c.status {
				t.Errorf("HTTP %d, want %d", status, c.status)
			}
			if got := e.get(o.ID); got.State != c.state {
				t.Errorf("order %s, want %s", got.State, c.state)
			}
			if c.log != "" && !strings.Contains(e.logs.String(), c.log) {
				t.Errorf("no log line with %q", c.log)
			}
		})
	}
	var deliveries int
	if err := e.db.QueryRow(`SELECT deliveries FROM notifications WHERE syssn = ?`, syssn).Scan(&deliveries); err != nil || deliveries != 2 {
		t.Errorf("notification recorded with %d deliveries (%v), want 2", deliveries, err)
	}
	if got := e.get(o.ID); got.SysSN != syssn || got.PaidOutTradeNo != no {
		t.Errorf("paid %s %s, want %s %s", got.PaidOutTradeNo, got.SysSN, no, syssn)
	}
}

// TestNotificationBeforeAnswer holds the answer to a payment (a 502 after
// the payment was made) until its notification has been acknowledged: the
// late answer must not undo "paid".
func TestNotificationBeforeAnswer(t *testing.T) {
	var e *env
	hold := &holdAnswers{base: http.DefaultTransport, path: "/trade/v1/payment", until: func() bool {
		for _, d := range e.srv.Deliveries() {
			if d.Delivered {
				return true
			}
		}
		return false
	}}
	e = newEnv(t, envConfig{client: []qfpay.Option{qfpay.WithHTTPClient(&http.Client{Transport: hold})}})
	e.srv.InjectFault("/trade/v1/payment", qfpaytest.Fault{Status: 502, AfterProcessing: true})
	o := e.order(2000)
	got, err := e.shop.Pay(context.Background(), o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM, AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		t.Fatal(err)
	}
	if !hold.held.Load() {
		t.Fatal("the answer was not held until the notification")
	}
	if got.State != shop.StatePaid || got.Current().Sends != 1 {
		t.Errorf("order %s after %d sends, want paid after 1", got.State, got.Current().Sends)
	}
	logs := e.logs.String()
	notified := strings.Index(logs, "msg=payment out_trade_no="+o.ID+"-1 source=notification")
	ignored := strings.Index(logs, `msg="payment outcome ignored: it moved on" out_trade_no=`+o.ID+"-1 source=answer")
	if notified < 0 || ignored < notified {
		t.Errorf("want the notification recorded, then the late answer ignored:\n%s", logs)
	}
	if n := len(e.ledger(o.ID).paid()); n != 1 {
		t.Errorf("%d captured payments, want 1", n)
	}
}

// holdAnswers is a transport that holds the answers to path until until
// reports true (10s at most).
type holdAnswers struct {
	base  http.RoundTripper
	path  string
	until func() bool
	held  atomic.Bool
}

func (h *holdAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(r)
	if r.URL.Path == h.path {
		for deadline := time.Now().Add(10 * time.Second); !h.until() && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		h.held.Store(h.until())
	}
	return resp, err
}

// TestSettleInterrupted settles an attempt the process wrote but never
// heard back about (it stopped during the call), by sending it again.
func TestSettleInterrupted(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	o := e.order(700)
	old := e.srv.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	if _, err := e.db.Exec(`INSERT INTO attempts (out_trade_no, order_id, seq, pay_type, auth_code, tx_time, state, sends, created_at, updated_at)
		VALUES (?, ?, 1, ?, ?, ?, 'sent', 1, ?, ?)`, o.ID+"-1", o.ID, qfpay.PayTypeWeChatCPM, qfpaytest.AuthCodeSuccess, old, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE orders SET state = 'sent', current_out_trade_no = ? WHERE id = ?`, o.ID+"-1", o.ID); err != nil {
		t.Fatal(err)
	}
	if left, err := e.shop.Unsettled(ctx); err != nil || left.Payments != 1 {
		t.Fatalf("unsettled %+v, %v: want 1 payment", left, err)
	}
	e.settleAll()
	got := e.get(o.ID)
	if got.State != shop.StatePaid || got.Current().Sends != 2 {
		t.Errorf("order %s after %d sends, want paid after 2", got.State, got.Current().Sends)
	}
	if n := len(e.ledger(o.ID).paid()); n != 1 {
		t.Errorf("%d captured payments, want 1", n)
	}
}

// TestRefund refunds paid orders within what was paid.
func TestRefund(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	paid := func(amount int64) *shop.Order {
		o := e.order(amount)
		got, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM, AuthCode: qfpaytest.AuthCodeSuccess})
		if err != nil || got.State != shop.StatePaid {
			t.Fatalf("payment: %v, %+v", err, got)
		}
		return got
	}

	t.Run("partial then the rest", func(t *testing.T) {
		o := paid(1000)
		for i, amount := range []int64{300, 700} {
			r, err := e.shop.Refund(ctx, o.ID, amount)
			if err != nil || r.State != shop.RefundSucceeded || r.OutTradeNo != fmt.Sprintf("%s-r%d", o.ID, i+1) || r.SysSN == "" {
				t.Fatalf("refund of %d: %v, %+v", amount, err, r)
			}
		}
		if _, err := e.shop.Refund(ctx, o.ID, 1); !errors.Is(err, shop.ErrRefundTooLarge) {
			t.Errorf("refund beyond the payment: %v, want ErrRefundTooLarge", err)
		}
		got := e.get(o.ID)
		l := e.ledger(o.ID)
		if got.Refunded != 1000 || got.Reserved != 0 || len(l.refunds) != 2 {
			t.Errorf("refunded %d, reserved %d, %d refunds at the gateway: want 1000, 0, 2", got.Refunded, got.Reserved, len(l.refunds))
		}
	})
	t.Run("above the payment", func(t *testing.T) {
		o := paid(1000)
		if _, err := e.shop.Refund(ctx, o.ID, 1001); !errors.Is(err, shop.ErrRefundTooLarge) {
			t.Errorf("err %v, want ErrRefundTooLarge", err)
		}
		if n := len(e.ledger(o.ID).refunds); n != 0 {
			t.Errorf("%d refunds sent, want none", n)
		}
	})
	t.Run("not paid", func(t *testing.T) {
		o := e.order(1000)
		if _, err := e.shop.Refund(ctx, o.ID, 100); !errors.Is(err, shop.ErrNotPaid) {
			t.Errorf("err %v, want ErrNotPaid", err)
		}
		if _, err := e.shop.Refund(ctx, o.ID, 0); !errors.Is(err, shop.ErrInvalid) {
			t.Errorf("refund of 0: %v, want ErrInvalid", err)
		}
	})
	t.Run("answered 429: reserved until settled", func(t *testing.T) {
		o := paid(1000)
		e.srv.InjectFault("/trade/v1/refund", qfpaytest.Fault{Status: 429, Count: 1})
		r, err := e.shop.Refund(ctx, o.ID, 1000)
		if err != nil || r.State != shop.RefundUnknown {
			t.Fatalf("refund answered 429: %v, %+v: want unknown", err, r)
		}
		if _, err := e.shop.Refund(ctx, o.ID, 1); !errors.Is(err, shop.ErrRefundTooLarge) {
			t.Errorf("a refund beside an unknown one of the whole amount: %v, want ErrRefundTooLarge", err)
		}
		e.settleAll()
		got := e.get(o.ID)
		if got.Refunded != 1000 || got.Refunds[0].Sends != 2 || len(e.ledger(o.ID).refunds) != 1 {
			t.Errorf("refunded %d after %d sends, %d at the gateway: want 1000, 2, 1", got.Refunded, got.Refunds[0].Sends, len(e.ledger(o.ID).refunds))
		}
	})
	t.Run("declined on its first send", func(t *testing.T) {
		o := paid(1000)
		// Someone refunded 400 at the merchant portal: the shop's refund of
		// the whole amount is refused (1272), proven not made.
		if _, err := e.client.Refund(ctx, &qfpay.RefundRequest{SysSN: o.SysSN, OutTradeNo: "portal-" + o.ID, Amount: 400}); err != nil {
			t.Fatal(err)
		}
		r, err := e.shop.Refund(ctx, o.ID, 1000)
		if err != nil || r.State != shop.RefundFailed || r.Code != "1272" || r.Sends != 1 {
			t.Fatalf("refund: %v, %+v: want failed with 1272 after 1 send", err, r)
		}
		r, err = e.shop.Refund(ctx, o.ID, 600)
		if err != nil || r.State != shop.RefundSucceeded || r.OutTradeNo != o.ID+"-r2" {
			t.Fatalf("refund of what is left: %v, %+v: want succeeded as %s-r2", err, r, o.ID)
		}
		if got := e.get(o.ID); got.Refunded != 600 || got.Reserved != 0 {
			t.Errorf("refunded %d, reserved %d: want 600, 0", got.Refunded, got.Reserved)
		}
	})
}
