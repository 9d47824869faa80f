// Command qfpay-sandbox serves an in-memory QF Pay gateway (package
// github.com/qfpay-go/qfpay/qfpaytest) at a local address, to try the Open
// API with curl, Postman or any client, with no credentials and no network.
//
//	qfpay-sandbox [-addr 127.0.0.1:8787] [-app-code CODE] [-client-key KEY]
//	              [-mchid MCHID] [-notify-url URL] [-auto-pay 5s] [-admin=false]
//
// It prints the address and the app code and client key to sign with
// (the sandbox's own unless given), logs one line per request (method,
// path, HTTP status, respcd, duration) and serves until SIGINT or SIGTERM.
// The qrcode and pay_url of a payment are links to the sandbox: opening one
// pays the payment. Loopback clients also get a status page at / and an
// admin API under /_sandbox/v1/ (pay, fail, expire, advance the clock,
// list and redeliver notifications), unless -admin=false. `qfpay sandbox`
// is the same program.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/qfpay-go/qfpay/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := sandbox.Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "qfpay-sandbox:", err)
		os.Exit(2)
	}
}
