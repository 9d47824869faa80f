// Command notify-server is a production-shaped endpoint for QF Pay's
// asynchronous notifications (API section "Asynchronous Notifications"):
// QF Pay POSTs a signed JSON notification there after each successful
// payment and refund, and delivers it again until the endpoint answers
// 200 SUCCESS.
//
//	go run ./examples/notify-server   # the demo, against the embedded sandbox
//	QFPAY_APP_CODE=... QFPAY_CLIENT_KEY=... go run ./examples/notify-server [-addr :8080] [-path /qfpay/notify]
//
// It serves the handler of the merchant's qfpay.Client
// (Client.NotificationHandler), which verifies each notification's
// signature against the client key before anything is decoded, reads its
// times in the client's zone and logs each notification, behind an
// http.Server with timeouts. The notifications are recorded in a store keyed
// by SysSN, so that a notification delivered twice is recorded once. It
// stops gracefully on SIGINT or SIGTERM, letting requests in progress end.
// Register the endpoint's public HTTPS URL with QF Pay.
//
// Without QFPAY_CLIENT_KEY, or with -demo, it runs a demo instead of
// serving: it listens on a free local port (unless -addr is given), an
// embedded sandbox (package qfpaytest) takes a payment and notifies it
// there exactly as the gateway does, the same notification is delivered
// again as a retry and a forged one is sent, it prints what it recorded and
// exits. The demo signs with QFPAY_CLIENT_KEY if set, else the sandbox's
// public key; the server never serves with that public key.
//
// To watch it receive the notifications of a standalone sandbox, run
// cmd/qfpay-sandbox with -notify-url http://127.0.0.1:8080/qfpay/notify,
// and this program with QFPAY_CLIENT_KEY set to the sandbox's key,
// qfpaytest.SandboxClientKey.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "notify-server: FAILED:", err)
		os.Exit(1)
	}
}

// run serves notifications until ctx ends, or runs the demo (with -demo,
// or without a client key).
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("notify-server", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", ":8080", "address to listen on")
	path := fs.String("path", "/qfpay/notify", "path of the notification endpoint")
	demo := fs.Bool("demo", false, "have an embedded sandbox notify a payment, print what was recorded and exit (the default without QFPAY_CLIENT_KEY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	appCode, clientKey := getenv(exampleenv.AppCodeVar), getenv(exampleenv.ClientKeyVar)
	if clientKey == "" {
		if !*demo {
			fmt.Fprintf(out, "notify-server: %s is not set, so this is the demo against the embedded sandbox.\n"+
				"notify-server: to serve QF Pay's notifications, set it to the client key QF Pay issued "+
				"(for cmd/qfpay-sandbox, the client key it prints).\n", exampleenv.ClientKeyVar)
			*demo = true
		}
		clientKey = qfpaytest.SandboxClientKey
	}
	if appCode == "" {
		if !*demo {
			return fmt.Errorf("%s is set but %s is not: set both, as QF Pay issued them", exampleenv.ClientKeyVar, exampleenv.AppCodeVar)
		}
		appCode = qfpaytest.SandboxAppCode
	}
	// The client only serves notifications here: it makes no call, so it
	// needs no environment.
	logger := slog.New(slog.NewTextHandler(out, nil))
	client, err := qfpay.NewClient(appCode, clientKey, qfpay.WithLogger(logger))
	if err != nil {
		return err
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if *demo && !addrSet {
		*addr = "127.0.0.1:0"
	}

	store := newStore(logger)
	mux := http.NewServeMux()
	mux.Handle(*path, client.NotificationHandler(store.Record))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	endpoint := "http://" + ln.Addr().String() + *path
	fmt.Fprintf(out, "notify-server: listening on %s\n", endpoint)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	if *demo {
		demoCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := runDemo(demoCtx, endpoint, clientKey, store, out); err != nil {
			_ = hs.Close()
			return fmt.Errorf("demo: %w", err)
		}
	} else {
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
		}
	}

	// Graceful shutdown: stop accepting, let notifications in progress be
	// recorded and answered.
	fmt.Fprintln(out, "notify-server: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "notify-server: stopped")
	return nil
}

// store keeps each notification once, by SysSN. In production this is a
// database table with a unique key on syssn, written (in the same
// transaction as the order's new status) with an insert that ignores a
// duplicate; an error there makes the handler answer 500, and QF Pay
// delivers the notification again later.
type store struct {
	mu         sync.Mutex
	logger     *slog.Logger
	bySysSN    map[string]*qfpay.Notification
	order      []string
	duplicates int
}

func newStore(logger *slog.Logger) *store {
	return &store{logger: logger, bySysSN: map[string]*qfpay.Notification{}}
}

// Record is the NotificationHandler callback. It is called only for
// notifications whose signature matched; it records and returns at once,
// leaving slow work (emails, fulfilment) to run afterwards.
func (s *store) Record(_ context.Context, n *qfpay.Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, seen := s.bySysSN[n.SysSN]; seen {
		s.duplicates++
		s.logger.Info("duplicate notification ignored", "notify_type", n.Type, "syssn", n.SysSN)
		return nil // answer SUCCESS again, so the gateway stops
	}
	s.bySysSN[n.SysSN] = n
	s.order = append(s.order, n.SysSN)
	s.logger.Info("notification recorded", "notify_type", n.Type, "syssn", n.SysSN,
		"out_trade_no", n.OutTradeNo, "amount", exampleenv.Money(n.Amount, n.Currency))
	return nil
}

// snapshot returns the notifications recorded, oldest first, and the count
// of duplicates ignored.
func (s *store) snapshot() ([]*qfpay.Notification, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*qfpay.Notification, len(s.order))
	for i, id := range s.order {
		out[i] = s.bySysSN[id]
	}
	return out, s.duplicates
}

// runDemo has an embedded sandbox take a payment and notify it to the
// endpoint as QF Pay does (its body written by Python's json.dumps, signed
// in X-QF-SIGN), then delivers the same notification again, as the gateway
// does when it missed the answer, and sends a forged one.
func runDemo(ctx context.Context, endpoint, clientKey string, st *store, out io.Writer) error {
	// One attempt: the gateway's retries (2m, 10m, ...) would outlast the
	// demo, which delivers the retry itself below.
	sandbox := qfpaytest.NewServer(qfpaytest.SandboxAppCode, clientKey,
		qfpaytest.WithNotifyURL(endpoint), qfpaytest.WithNotifySchedule())
	defer sandbox.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, clientKey, qfpay.WithBaseURL(sandbox.URL))
	if err != nil {
		return err
	}
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeAlipayCPM, Amount: 1250, Currency: qfpay.CurrencyHKD,
		OutTradeNo: exampleenv.OrderNo("demo"), AuthCode: qfpaytest.AuthCodeSuccess, GoodsName: "Demo coffee",
	})
	if err != nil {
		return fmt.Errorf("the sandbox's payment: %w", err)
	}
	deliveries, err := sandbox.WaitDeliveries(ctx, 1)
	if err != nil {
		return fmt.Errorf("the sandbox's notification of %s: %w", pay.SysSN, err)
	}
	d := deliveries[0]
	last := d.Attempts[len(d.Attempts)-1]
	fmt.Fprintf(out, "demo: payment notification from the sandbox -> HTTP %d %s\n", last.StatusCode, strings.TrimSpace(last.Response))
	if !d.Delivered {
		return fmt.Errorf("payment notification: not acknowledged (HTTP %d, %s)", last.StatusCode, last.Err)
	}

	hc := &http.Client{Timeout: 10 * time.Second}
	post := func(body []byte, signature string) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-QF-SIGN", signature)
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return resp.StatusCode, string(bytes.TrimSpace(answer)), nil
	}

	amount := []byte(`"txamt": "1250"`)
	if !bytes.Contains(d.Body, amount) {
		return fmt.Errorf("the sandbox's notification has no %s: %s", amount, d.Body)
	}
	forged := bytes.Replace(d.Body, amount, []byte(`"txamt": "125000"`), 1)
	for _, c := range []struct {
		what string
		body []byte
		want int
	}{
		{"the same notification again (a retry)", d.Body, http.StatusOK},
		{"a forged notification (amount changed, signature kept)", forged, http.StatusUnauthorized},
	} {
		status, answer, err := post(c.body, d.Signature)
		if err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
		fmt.Fprintf(out, "demo: %s -> HTTP %d %s\n", c.what, status, answer)
		if status != c.want {
			return fmt.Errorf("%s: answered HTTP %d, want %d", c.what, status, c.want)
		}
	}

	recorded, duplicates := st.snapshot()
	fmt.Fprintf(out, "demo: recorded %d notification(s), ignored %d duplicate(s)\n", len(recorded), duplicates)
	for _, n := range recorded {
		fmt.Fprintf(out, "demo:   %s syssn %s, %s, out_trade_no %s, paid %s\n",
			n.Type, n.SysSN, exampleenv.Money(n.Amount, n.Currency), n.OutTradeNo, n.PayTime.Format(time.DateTime))
	}
	if len(recorded) != 1 || duplicates != 1 || recorded[0].SysSN != pay.SysSN {
		return fmt.Errorf("recorded %d notifications and %d duplicates, want the payment %s once and 1 duplicate", len(recorded), duplicates, pay.SysSN)
	}
	return nil
}
