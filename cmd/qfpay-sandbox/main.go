// Command qfpay-sandbox serves an in-memory QF Pay gateway (package
// github.com/qfpay-go/qfpay/qfpaytest) at a local address, to try the Open
// API with curl, Postman or any client, with no credentials and no network.
//
//	qfpay-sandbox [-addr 127.0.0.1:8787] [-app-code CODE] [-client-key KEY]
//	              [-mchid MCHID] [-notify-url URL] [-auto-pay 5s]
//
// It prints the address and the app code and client key to sign with
// (the sandbox's own unless given), logs one line per request (method,
// path, HTTP status, respcd, duration) and serves until SIGINT or SIGTERM.
// The qrcode and pay_url of a payment are links to the sandbox: opening one
// pays the payment.
package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
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
	"syscall"
	"time"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "qfpay-sandbox:", err)
		os.Exit(2)
	}
}

// Timeouts of the sandbox's http.Server: a client that sends its request
// or reads its answer too slowly cannot hold a connection for ever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
)

// newHTTPServer is the http.Server the sandbox serves h with.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
	}
}

// run serves the sandbox until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qfpay-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	appCode := fs.String("app-code", qfpaytest.SandboxAppCode, "app code the sandbox accepts (X-QF-APPCODE)")
	clientKey := fs.String("client-key", qfpaytest.SandboxClientKey, "client key requests are signed with")
	mchid := fs.String("mchid", "", "mchid the merchant has (none by default: then no call may send one)")
	notifyURL := fs.String("notify-url", "", "URL to POST payment and refund notifications to")
	autoPay := fs.Duration("auto-pay", 0, "pay QR code, online and in-app payments after this delay (0: only when their link is opened)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if strings.TrimSpace(*appCode) == "" || strings.TrimSpace(*clientKey) == "" {
		return errors.New("-app-code and -client-key must not be empty")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	srv := qfpaytest.NewServer(*appCode, *clientKey,
		qfpaytest.WithoutListener(),
		qfpaytest.WithMerchantID(*mchid),
		qfpaytest.WithNotifyURL(*notifyURL),
		qfpaytest.WithAutoPay(*autoPay),
		qfpaytest.WithLogger(logger),
	)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "qfpay-sandbox listening on %s\n", base)
	fmt.Fprintf(stdout, "  app code:   %s\n", *appCode)
	if *clientKey == qfpaytest.SandboxClientKey {
		// The sandbox's own key is public; a key given on the command line
		// is not printed.
		sum := md5.Sum([]byte(*clientKey))
		fmt.Fprintf(stdout, "  client key: %s\n", *clientKey)
		fmt.Fprintf(stdout, "  X-QF-SIGN = upper-case hex MD5 of the parameters sorted by name as k=v joined with &, then the client key; e.g.\n")
		fmt.Fprintf(stdout, "  curl -X POST %s/trade/v1/query -H 'X-QF-APPCODE: %s' -H 'X-QF-SIGN: %s'\n",
			base, *appCode, strings.ToUpper(hex.EncodeToString(sum[:])))
	} else {
		fmt.Fprintf(stdout, "  client key: the one given with -client-key\n")
	}
	if *mchid != "" {
		fmt.Fprintf(stdout, "  mchid:      %s\n", *mchid)
	}
	if *notifyURL != "" {
		fmt.Fprintf(stdout, "  notifications to %s\n", *notifyURL)
	}

	hs := newHTTPServer(srv)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	srv.Close()
	fmt.Fprintln(stdout, "qfpay-sandbox stopped")
	return err
}
