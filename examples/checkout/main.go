// Command checkout is a web shop that takes payments on QF Pay's hosted
// checkout page (current documentation, "Hosted checkout page"): cards with
// 3-D Secure, Apple Pay and the Hong Kong wallets, with no payment form of
// its own. Its checkout button redirects the shopper's browser to the
// signed URL qfpay.Client.CheckoutURL builds; the shopper pays there and
// comes back to the order page, which confirms the payment by query
// (WaitForPayment) before showing it paid, while QF Pay's notification
// arrives at /qfpay/notify. A failed payment shows failed.
//
//	cd examples/checkout && go run . [-addr 127.0.0.1:8080] [-public-url https://shop.example]
//
// Then open the address it prints in a browser. With no QFPAY_* variables
// it runs against an embedded sandbox (package qfpaytest), whose checkout
// page has two buttons: Pay and Fail. With QFPAY_APP_CODE,
// QFPAY_CLIENT_KEY and QFPAY_ENV (see examples/internal/exampleenv) the
// shopper goes to that environment's checkout page (QF Pay documents it on
// hk-test and hk-live), and -public-url must be an https:// address that
// reaches this server from the shopper's browser and from QF Pay.
//
// It is a module of its own so that its browser test's dependency
// (chromedp) stays out of the SDK's go.mod: go test ./... here drives a
// headless Chromium through the whole checkout, and skips when none is
// installed.
package main

import (
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
	"syscall"
	"time"

	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checkout: FAILED:", err)
		os.Exit(1)
	}
}

// run serves the shop until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("checkout", flag.ContinueOnError)
	flags.SetOutput(stdout)
	addr := flags.String("addr", "127.0.0.1:8080", "the `address` to serve the shop on")
	publicURL := flags.String("public-url", "", "the shop's `URL` as browsers and QF Pay reach it (default: http:// and the address served)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}

	env, err := exampleenv.Open()
	if err != nil {
		return err
	}
	defer env.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	if *publicURL == "" {
		*publicURL = base
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	settleWait := env.CustomerWait() / 4
	s, err := newShop(config{
		Client: env.Client, Currency: env.Currency, PublicURL: *publicURL,
		SettleWait: settleWait, Logger: logger,
	})
	if err != nil {
		return err
	}

	env.Describe(stdout)
	fmt.Fprintf(stdout, "checkout: the shop is at %s/ (notifications at %s%s)\n", base, *publicURL, notifyPath)
	srv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// An order page waits up to settleWait for the query.
		WriteTimeout: settleWait + 15*time.Second,
		IdleTimeout:  time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		fmt.Fprintln(stdout, "checkout: stopped")
	}
	return err
}
