package shop_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/shop/shop"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// Environment variables of TestChaos.
const (
	chaosOrdersVar = "QFPAY_CHAOS_ORDERS" // how many orders (default 300)
	chaosSeedVar   = "QFPAY_CHAOS_SEED"   // the seed of the customers and of the faults (default 1)
)

// chaosFaultRate is the probability that each fault class hits a request;
// with every class stacked, about a third of the requests fail.
const chaosFaultRate = 0.03

// TestChaos runs many orders concurrently through the shop's own code
// (Pay, Refund, the notification endpoint, the settle worker) against a
// qfpaytest gateway that breaks answers in every way it can, at random
// with a seed, then clears the faults, lets unpaid QR codes expire and runs
// the settle worker to completion. It then checks the shop's database
// against the gateway's ledger: no order charged twice, none failed while
// captured or paid while not, no refund made twice or above the payment,
// nothing left unsettled, every notification acknowledged, no panic, no
// goroutine left behind.
//
//	go test -run Chaos -v ./shop                            # 300 orders
//	QFPAY_CHAOS_ORDERS=10000 go test -run Chaos -v -timeout 30m ./shop
func TestChaos(t *testing.T) {
	orders := envInt(t, chaosOrdersVar, 300)
	seed := uint64(envInt(t, chaosSeedVar, 1))
	leaks := goleak.IgnoreCurrent()
	began := time.Now()

	c := newChaos(t, seed)
	c.run(orders)
	ran := time.Now()
	c.settle(orders)
	settled := time.Now()
	f := c.check()
	f.runTime, f.settleTime = ran.Sub(began), settled.Sub(ran)
	c.close()
	if err := goleak.Find(leaks); err != nil {
		f.leaks = strings.Count(err.Error(), "Goroutine ")
		t.Errorf("goroutines leaked: %v", err)
	}
	f.elapsed = time.Since(began)
	t.Log("\n" + f.table(orders, seed))
	for _, z := range f.mustBeZero() {
		if z.n != 0 {
			t.Errorf("%s: %d, want 0", z.name, z.n)
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// chaos is one run: the gateway, the shop and its endpoint, the customers.
type chaos struct {
	t         *testing.T
	seed      uint64
	srv       *qfpaytest.Server
	transport *http.Transport
	db        interface{ Close() error }
	shop      *shop.Shop
	api       *httptest.Server
	faults    *faultCounter

	flaky  atomic.Bool  // the shop's endpoint fails now and then
	panics atomic.Int64 // panics in the shop's code, anywhere
	errs   atomic.Int64 // errors the shop returned that it should not have
	overs  atomic.Int64 // refunds above what is left, refused by the shop

	mu   sync.Mutex
	errm []string
}

func newChaos(t *testing.T, seed uint64) *chaos {
	c := &chaos{t: t, seed: seed, faults: &faultCounter{counts: map[string]int{}}}
	c.srv = qfpaytest.NewServer(appCode, clientKey,
		qfpaytest.WithSeed(seed),
		qfpaytest.WithLogger(slog.New(c.faults)),
		qfpaytest.WithPendingFor(200*time.Millisecond),
		qfpaytest.WithNotifySchedule(10*time.Millisecond, 20*time.Millisecond, 50*time.Millisecond, 100*time.Millisecond,
			200*time.Millisecond, 400*time.Millisecond, 800*time.Millisecond, time.Second, time.Second, time.Second,
			time.Second, time.Second, time.Second, time.Second, time.Second))
	t.Cleanup(c.srv.Close)

	// The client's own transport, so that its idle connections can be
	// closed before looking for leaked goroutines.
	c.transport = &http.Transport{MaxIdleConnsPerHost: 64}
	client, err := qfpay.NewClient(appCode, clientKey,
		qfpay.WithBaseURL(c.srv.URL),
		qfpay.WithHTTPClient(&http.Client{Transport: c.transport}),
		qfpay.WithTimeout(300*time.Millisecond),
		qfpay.WithPollInterval(2*time.Millisecond, 20*time.Millisecond),
		qfpay.WithRetry(qfpay.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	db, err := shop.OpenDB(context.Background(), filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	c.db = db
	t.Cleanup(func() { db.Close() })
	logs := &logBuffer{}
	c.shop, err = shop.New(shop.Config{
		Client: client, DB: db, Now: c.srv.Now,
		Logger:            slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		SettleWait:        300 * time.Millisecond,
		SettleTimeout:     300 * time.Millisecond,
		SettleConcurrency: 16,
		StaleAfter:        5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			out := logs.String()
			if len(out) > 20000 {
				out = out[len(out)-20000:]
			}
			t.Logf("end of the shop's log (warnings and errors):\n%s", out)
		}
	})

	// The shop's endpoint, made flaky: some notifications are refused
	// before the shop sees them, some are recorded and then the answer is
	// lost (the gateway retries: the shop must be idempotent).
	rng := rand.New(rand.NewPCG(seed, 7))
	var rngMu sync.Mutex
	routes := c.shop.Routes()
	c.flaky.Store(true)
	c.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer c.recoverPanic("notification endpoint", true)
		rngMu.Lock()
		draw := rng.Float64()
		rngMu.Unlock()
		switch {
		case c.flaky.Load() && draw < 0.05:
			http.Error(w, "shop is restarting", http.StatusServiceUnavailable)
		case c.flaky.Load() && draw < 0.10:
			routes.ServeHTTP(httptest.NewRecorder(), r)
			panic(http.ErrAbortHandler) // the answer is lost
		default:
			routes.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(c.api.Close)
	c.srv.SetNotifyURL(c.api.URL + shop.NotifyPath)

	c.injectFaults()
	return c
}

// injectFaults breaks the gateway's answers in every way qfpaytest can,
// each class at chaosFaultRate.
func (c *chaos) injectFaults() {
	p := chaosFaultRate
	for _, path := range []string{paymentPath, refundPath} {
		for _, f := range []qfpaytest.Fault{
			{Drop: true, AfterProcessing: true},
			{Drop: true},
			{Status: 502, AfterProcessing: true},
			{Status: 503},
			{Status: 429},
			{Truncate: true, AfterProcessing: true},
			{Truncate: true, Drop: true, AfterProcessing: true},
			{Garble: true, AfterProcessing: true},
			withAfter(qfpaytest.ErrorPage(403), true),
			qfpaytest.ErrorPage(403),
			{Late: 150 * time.Millisecond},
			{Late: 600 * time.Millisecond, Drop: true},
			{Latency: 500 * time.Millisecond, AfterProcessing: true},
			{Refuse: true}, // a refusal of the request: a decline (proof) on a first send only
		} {
			f.Probability = p
			c.srv.InjectFault(path, f)
		}
	}
	for _, f := range []qfpaytest.Fault{
		{Refuse: true},
		qfpaytest.ErrorPage(403),
		qfpaytest.ErrorPage(502),
		{Garble: true},
		{Truncate: true},
		{Status: 429},
		{Drop: true},
		{Latency: 500 * time.Millisecond},
	} {
		f.Probability = p
		c.srv.InjectFault(queryPath, f)
	}
}

func withAfter(f qfpaytest.Fault, after bool) qfpaytest.Fault {
	f.AfterProcessing = after
	return f
}

// recoverPanic counts a panic (letting http.ErrAbortHandler through when
// rethrow, as net/http expects it).
func (c *chaos) recoverPanic(where string, rethrow bool) {
	r := recover()
	if r == nil {
		return
	}
	if rethrow && r == http.ErrAbortHandler {
		panic(r)
	}
	c.panics.Add(1)
	c.fail("panic in %s: %v", where, r)
}

func (c *chaos) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errm) < 20 {
		c.errm = append(c.errm, fmt.Sprintf(format, args...))
	}
}

// The customers' kinds of orders, with their weights.
type kind int

const (
	cpmPaid kind = iota
	cpmPending
	cpmPendingThenFail
	cpmDeclined
	mpmPaid
	mpmExpired
)

var kinds = []struct {
	k      kind
	weight int
}{{cpmPaid, 35}, {cpmPending, 15}, {cpmPendingThenFail, 10}, {cpmDeclined, 10}, {mpmPaid, 20}, {mpmExpired, 10}}

func pickKind(rng *rand.Rand) kind {
	n := rng.IntN(100)
	for _, k := range kinds {
		if n < k.weight {
			return k.k
		}
		n -= k.weight
	}
	return cpmPaid
}

// run has the customers pay n orders, 32 at a time.
func (c *chaos) run(n int) {
	const workers = 32
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				c.customer(uint64(w), i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// customer creates order i and pays it as its kind says; a customer whose
// payment failed pays again with a code that works (the shop gives it a new
// number); one whose order is paid asks for refunds now and then.
func (c *chaos) customer(worker uint64, i int) {
	defer c.recoverPanic(fmt.Sprintf("order %d", i), false)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(c.seed, uint64(i)))
	k := pickKind(rng)
	amount := int64(100 + rng.IntN(9900))
	o, err := c.shop.CreateOrder(ctx, amount, qfpay.CurrencyHKD, fmt.Sprintf("chaos %d", i))
	if err != nil {
		c.errs.Add(1)
		c.fail("create order %d: %v", i, err)
		return
	}
	in := shop.PayInput{PayType: qfpay.PayTypeWeChatCPM}
	switch k {
	case cpmPaid:
		in.AuthCode = qfpaytest.AuthCodeSuccess
	case cpmPending:
		in.AuthCode = []string{qfpaytest.AuthCodePending, qfpaytest.AuthCodePasswordPending, qfpaytest.AuthCodeSlowNetwork}[rng.IntN(3)]
	case cpmPendingThenFail:
		in.AuthCode = qfpaytest.AuthCodePendingThenFail
	case cpmDeclined:
		in.AuthCode = []string{qfpaytest.AuthCodeInsufficientBalance, qfpaytest.AuthCodeInvalid, qfpaytest.AuthCodeExpired}[rng.IntN(3)]
	case mpmPaid, mpmExpired:
		in = shop.PayInput{PayType: qfpay.PayTypeAlipayMPM, ExpireMinutes: 5}
	}
	for try := 0; try < 3; try++ {
		got, err := c.shop.Pay(ctx, o.ID, in)
		if err != nil {
			c.errs.Add(1)
			c.fail("pay order %d (%s): %v", i, o.ID, err)
			return
		}
		switch got.State {
		case shop.StatePaid:
			c.refunds(ctx, rng, got)
			return
		case shop.StateAwaiting:
			if k == mpmPaid {
				// The customer scans the QR code and pays.
				if err := c.srv.Pay(got.OutTradeNo); err != nil && !errors.Is(err, qfpaytest.ErrNotPayable) {
					c.fail("the customer could not pay %s: %v", got.OutTradeNo, err)
				}
			}
			return
		case shop.StateFailed:
			// Proven not charged: the customer tries another wallet.
			in = shop.PayInput{PayType: qfpay.PayTypeAlipayCPM, AuthCode: qfpaytest.AuthCodeSuccess}
		default:
			// Unknown: the customer waits; the settle worker settles it.
			return
		}
	}
}

// refunds refunds some paid orders in part, some then in full, and asks
// for more than is left (which the shop must refuse unsent).
func (c *chaos) refunds(ctx context.Context, rng *rand.Rand, o *shop.Order) {
	if rng.IntN(100) >= 30 {
		return
	}
	part := 1 + rng.Int64N(o.Amount-1)
	if _, err := c.shop.Refund(ctx, o.ID, part); err != nil {
		c.errs.Add(1)
		c.fail("refund %d of %s: %v", part, o.ID, err)
		return
	}
	// What is left counts the refunds of unknown outcome as made.
	now, err := c.shop.Order(ctx, o.ID)
	if err != nil {
		c.errs.Add(1)
		c.fail("read %s: %v", o.ID, err)
		return
	}
	left := now.Amount - now.Refunded - now.Reserved
	if _, err := c.shop.Refund(ctx, o.ID, left+1); errors.Is(err, shop.ErrRefundTooLarge) {
		c.overs.Add(1)
	} else {
		c.errs.Add(1)
		c.fail("a refund of %d, above the %d left of %s: %v, want ErrRefundTooLarge", left+1, left, o.ID, err)
	}
	if left > 0 && rng.IntN(2) == 0 {
		if _, err := c.shop.Refund(ctx, o.ID, left); err != nil {
			c.errs.Add(1)
			c.fail("refund of the %d left of %s: %v", left, o.ID, err)
		}
	}
}

// settle clears the faults and the endpoint's flakiness and runs the
// settle worker until nothing is unsettled, moving the gateway's clock on
// by ten minutes between passes so that unpaid QR codes expire (those of
// requests processed late included) and pending payments settle.
func (c *chaos) settle(orders int) {
	c.srv.ClearFaults()
	c.flaky.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute+time.Duration(orders)*20*time.Millisecond)
	defer cancel()
	for ctx.Err() == nil {
		c.srv.Advance(10 * time.Minute)
		left, err := c.shop.Settle(ctx)
		if err != nil && ctx.Err() == nil {
			c.fail("settle: %v", err)
		}
		if left.Total() == 0 {
			break
		}
	}
	// Every notification done: delivered, or out of attempts.
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	for {
		ds := c.srv.Deliveries()
		done := 0
		for _, d := range ds {
			if d.Done {
				done++
			}
		}
		if done == len(ds) {
			return
		}
		if _, err := c.srv.WaitDeliveries(wctx, done+1); err != nil {
			c.fail("notifications still in flight: %v", err)
			return
		}
	}
}

// figures is the outcome of a run.
type figures struct {
	paid, failed, other               int
	numbers, resends                  int
	refunds, refundsFailed            int
	refundedAmount                    int64
	notifications, notifyAttempts     int
	faults                            map[string]int
	faultTotal                        int
	doubleCharges, failedCaptured     int
	paidUncaptured, doubleRefunds     int
	refundsAbove, unsettled           int
	unacknowledged, panics, shopErrs  int
	leaks                             int
	oversRefused                      int64
	elapsed, runTime, settleTime      time.Duration
	errors                            []string
	unsettledPayments, unsettledRefds int
}

type zero struct {
	name string
	n    int
}

func (f *figures) mustBeZero() []zero {
	return []zero{
		{"double charges (orders with more than one captured payment)", f.doubleCharges},
		{"orders failed while captured", f.failedCaptured},
		{"orders paid while not captured", f.paidUncaptured},
		{"double refunds", f.doubleRefunds},
		{"refunds above the payment", f.refundsAbove},
		{"unsettled orders and refunds", f.unsettled},
		{"notifications never acknowledged", f.unacknowledged},
		{"panics", f.panics},
		{"goroutines leaked", f.leaks},
		{"unexpected errors from the shop", f.shopErrs},
	}
}

func (f *figures) table(orders int, seed uint64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "chaos: %d orders, seed %d, %s (customers %s, settling %s)\n", orders, seed,
		f.elapsed.Round(10*time.Millisecond), f.runTime.Round(10*time.Millisecond), f.settleTime.Round(10*time.Millisecond))
	row := func(name string, v any) { fmt.Fprintf(&b, "  %-60s %v\n", name, v) }
	row("orders paid", f.paid)
	row("orders failed (proven not charged)", f.failed)
	row("payment numbers sent / re-sent under the same number", fmt.Sprintf("%d / %d", f.numbers, f.resends))
	row("refunds succeeded / failed (proven)", fmt.Sprintf("%d / %d", f.refunds, f.refundsFailed))
	row("refunds above what is left, refused by the shop unsent", f.oversRefused)
	row("notifications / delivery attempts", fmt.Sprintf("%d / %d", f.notifications, f.notifyAttempts))
	var kinds []string
	for k, n := range f.faults {
		kinds = append(kinds, fmt.Sprintf("%s: %d", k, n))
	}
	row("faults injected", f.faultTotal)
	for _, k := range sortStrings(kinds) {
		fmt.Fprintf(&b, "      %s\n", k)
	}
	b.WriteString("  must be 0:\n")
	for _, z := range f.mustBeZero() {
		row("  "+z.name, z.n)
	}
	for _, e := range f.errors {
		fmt.Fprintf(&b, "  ! %s\n", e)
	}
	return b.String()
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// check compares the shop's database with the gateway's ledger.
func (c *chaos) check() *figures {
	ctx := context.Background()
	f := &figures{panics: int(c.panics.Load()), shopErrs: int(c.errs.Load()), oversRefused: c.overs.Load()}
	ids, err := c.shop.Orders(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	// The ledger, by order: every number the shop uses starts with the
	// order's id and a dash.
	payments := map[string][]qfpaytest.Transaction{}
	refundsByNo := map[string][]qfpaytest.Transaction{}
	for _, tx := range c.srv.Transactions() {
		id, _, _ := strings.Cut(tx.OutTradeNo, "-")
		if tx.OrderType == qfpay.OrderTypeRefund {
			refundsByNo[tx.OutTradeNo] = append(refundsByNo[tx.OutTradeNo], tx)
		} else {
			payments[id] = append(payments[id], tx)
		}
	}
	for _, id := range ids {
		o, err := c.shop.Order(ctx, id)
		if err != nil {
			c.t.Fatal(err)
		}
		var captured []qfpaytest.Transaction
		for _, p := range payments[id] {
			if p.RespCode == qfpay.CodeSuccess {
				captured = append(captured, p)
			}
		}
		switch o.State {
		case shop.StatePaid:
			f.paid++
		case shop.StateFailed:
			f.failed++
		default:
			f.other++
			f.unsettled++
			if a := o.Current(); a != nil {
				tx, _ := c.srv.Transaction(a.OutTradeNo)
				c.fail("order %s left %s: attempt %+v; gateway %+v", id, o.State, *a, tx)
			} else {
				c.fail("order %s left %s", id, o.State)
			}
		}
		if len(captured) > 1 {
			f.doubleCharges++
			c.fail("order %s captured %d times", id, len(captured))
		}
		if o.State == shop.StateFailed && len(captured) > 0 {
			f.failedCaptured++
			c.fail("order %s failed while %s captured", id, captured[0].OutTradeNo)
		}
		if o.State == shop.StatePaid && (len(captured) == 0 || captured[0].OutTradeNo != o.PaidOutTradeNo || captured[0].SysSN != o.SysSN) {
			f.paidUncaptured++
			c.fail("order %s paid (%s %s) but captured %+v", id, o.PaidOutTradeNo, o.SysSN, captured)
		}
		f.numbers += len(o.Attempts)
		for _, a := range o.Attempts {
			f.resends += a.Sends - 1
		}
		// Refunds: exactly the ones the shop holds succeeded, each once, and
		// never above the payment, by the shop's count or the gateway's.
		var ledgerRefunded int64
		for _, r := range o.Refunds {
			made := 0
			for _, tx := range refundsByNo[r.OutTradeNo] {
				if tx.RespCode == qfpay.CodeSuccess {
					made++
					ledgerRefunded += tx.Amount
				}
			}
			delete(refundsByNo, r.OutTradeNo)
			switch r.State {
			case shop.RefundSucceeded:
				f.refunds++
				f.refundedAmount += r.Amount
				if made != 1 {
					f.doubleRefunds++
					c.fail("refund %s succeeded in the shop, made %d times at the gateway", r.OutTradeNo, made)
				}
			case shop.RefundFailed:
				f.refundsFailed++
				if made != 0 {
					f.doubleRefunds++
					c.fail("refund %s failed in the shop, made %d times at the gateway", r.OutTradeNo, made)
				}
			default:
				f.unsettled++
				c.fail("refund %s left %s", r.OutTradeNo, r.State)
			}
		}
		if o.Refunded > o.Amount || ledgerRefunded > o.Amount {
			f.refundsAbove++
			c.fail("order %s of %d refunded %d (gateway: %d)", id, o.Amount, o.Refunded, ledgerRefunded)
		}
	}
	for no := range refundsByNo {
		f.doubleRefunds++
		c.fail("refund %s at the gateway unknown to the shop", no)
	}
	left, err := c.shop.Unsettled(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	f.unsettledPayments, f.unsettledRefds = left.Payments, left.Refunds
	if f.unsettled == 0 {
		f.unsettled = left.Total()
	}
	for _, d := range c.srv.Deliveries() {
		f.notifications++
		f.notifyAttempts += len(d.Attempts)
		if !d.Delivered {
			f.unacknowledged++
			c.fail("notification %s %s never acknowledged", d.Type, d.OutTradeNo)
		}
	}
	f.faults, f.faultTotal = c.faults.snapshot()
	c.mu.Lock()
	f.errors = append([]string(nil), c.errm...)
	c.mu.Unlock()
	return f
}

// close stops the gateway, the endpoint and the database, so that no
// goroutine of the run is left.
func (c *chaos) close() {
	c.srv.Close()
	c.api.Close()
	c.transport.CloseIdleConnections()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if err := c.db.Close(); err != nil {
		c.t.Error(err)
	}
}

// faultCounter is a slog.Handler for the gateway's log that counts the
// faults it injected, by kind.
type faultCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (h *faultCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *faultCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *faultCounter) WithGroup(string) slog.Handler            { return h }

func (h *faultCounter) Handle(_ context.Context, r slog.Record) error {
	var path, fault string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "path":
			path = a.Value.String()
		case "fault":
			fault = a.Value.String()
		}
		return true
	})
	if fault != "" {
		h.mu.Lock()
		h.counts[path+" "+fault]++
		h.mu.Unlock()
	}
	return nil
}

func (h *faultCounter) snapshot() (map[string]int, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.counts))
	total := 0
	for k, n := range h.counts {
		out[k] = n
		total += n
	}
	return out, total
}
