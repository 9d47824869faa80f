// Command shop serves a reference merchant backend: orders paid and refunded
// through QF Pay, kept in SQLite, settled whatever the network does. See
// README.md, and package shop for the code to copy.
//
//	cd examples/shop && go run . -db shop.db -addr 127.0.0.1:8080
//
// With no QFPAY_* variables it runs against an embedded sandbox (package
// qfpaytest) that notifies the shop's own endpoint; with QFPAY_APP_CODE,
// QFPAY_CLIENT_KEY and QFPAY_ENV (and QFPAY_MCHID if QF Pay gave you one) it
// runs against that QF Pay environment, whose notifications reach it only at
// a public URL registered with QF Pay.
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
	"github.com/qfpay-go/qfpay/examples/shop/shop"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shop: FAILED:", err)
		os.Exit(1)
	}
}

// run serves the shop until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("shop", flag.ContinueOnError)
	dbPath := flags.String("db", "shop.db", "the SQLite database `file` (created if missing)")
	addr := flags.String("addr", "127.0.0.1:8080", "the `address` to serve the shop's API and notification endpoint on")
	settleEvery := flags.Duration("settle-interval", shop.DefaultSettleInterval, "the pause between two passes of the settle worker")
	if err := flags.Parse(args); err != nil {
		return err
	}

	// Listen first: the embedded sandbox needs the notification URL.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	env, err := exampleenv.Open(exampleenv.SandboxOptions(qfpaytest.WithNotifyURL(base + shop.NotifyPath)))
	if err != nil {
		return err
	}
	defer env.Close()

	db, err := shop.OpenDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	s, err := shop.New(shop.Config{Client: env.Client, DB: db, Logger: logger, SettleInterval: *settleEvery})
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           s.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// Pay may wait shop.DefaultSettleWait for an unknown outcome.
		WriteTimeout: shop.DefaultSettleWait + 15*time.Second,
		IdleTimeout:  time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	env.Describe(stdout)
	fmt.Fprintf(stdout, "shop: listening on %s (notifications at %s%s)\n", base, base, shop.NotifyPath)
	if env.IsSandbox() {
		fmt.Fprintf(stdout, "shop: try  curl -s -d '{\"amount\":1250,\"currency\":\"HKD\"}' %s/orders\n", base)
		fmt.Fprintf(stdout, "shop: then curl -s -d '{\"pay_type\":\"800208\",\"auth_code\":\"%s\"}' %s/orders/ID/pay\n", qfpaytest.AuthCodeSuccess, base)
	} else {
		fmt.Fprintf(stdout, "shop: register a public URL that reaches %s with QF Pay as the notification URL\n", shop.NotifyPath)
	}

	settled := make(chan struct{})
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		defer close(settled)
		s.RunSettleWorker(workerCtx)
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err = <-served:
	case <-ctx.Done():
		fmt.Fprintln(stdout, "shop: shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shop.DefaultSettleWait+5*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdownCtx)
	}
	stopWorker()
	<-settled
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		fmt.Fprintln(stdout, "shop: stopped")
	}
	return err
}
