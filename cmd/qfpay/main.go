// Command qfpay runs the QF Pay Open API from a terminal: look up, list and
// settle transactions, refund and cancel with a confirmation prompt,
// download the day's bill, sign parameters and check notification
// signatures, all through the qfpay SDK. Run "qfpay --help" for the
// commands, the configuration and the exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first interrupt ends the command cleanly; a second one
		// kills the process, as if no handler were installed.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
