// Package sandbox runs the standalone QF Pay sandbox: the in-memory gateway
// of package qfpaytest served at a local address, with its status page and
// admin API (qfpaytest.WithAdmin) on by default. It is the body of
// cmd/qfpay-sandbox and of `qfpay sandbox`, so that both are the same
// program with the same flags.
package sandbox

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
	"net/netip"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

// DefaultAddr is the address the sandbox listens on by default.
const DefaultAddr = "127.0.0.1:8787"

// Usage is the synopsis of the sandbox's flags, for a command's help.
const Usage = "[-addr 127.0.0.1:8787] [-app-code CODE] [-client-key KEY] [-mchid MCHID] [-notify-url URL] [-auto-pay 5s] [-admin=false]"

// Options are the sandbox's settings, as its flags set them.
type Options struct {
	// Addr is the address to listen on (DefaultAddr).
	Addr string
	// AppCode and ClientKey are the credentials the sandbox accepts
	// (qfpaytest.SandboxAppCode and qfpaytest.SandboxClientKey).
	AppCode, ClientKey string
	// MerchantID is the merchant's mchid (none by default).
	MerchantID string
	// NotifyURL receives the notifications (none by default).
	NotifyURL string
	// AutoPay pays waiting payments after this delay (0: never).
	AutoPay time.Duration
	// Admin serves the status page and the admin API to loopback clients
	// (true by default).
	Admin bool
}

// DefaultOptions are the sandbox's settings without flags.
func DefaultOptions() Options {
	return Options{
		Addr: DefaultAddr, AppCode: qfpaytest.SandboxAppCode, ClientKey: qfpaytest.SandboxClientKey, Admin: true,
	}
}

// FlagSet returns a flag set named name, reporting errors (and -h) on
// stderr, whose flags set o, from its values (DefaultOptions for a new
// command).
func FlagSet(name string, o *Options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s %s\n\nServes an in-memory QF Pay gateway for curl, Postman or any client.\n\n", name, Usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Addr, "addr", o.Addr, "address to listen on")
	fs.StringVar(&o.AppCode, "app-code", o.AppCode, "app code the sandbox accepts (X-QF-APPCODE)")
	fs.StringVar(&o.ClientKey, "client-key", o.ClientKey, "client key requests are signed with")
	fs.StringVar(&o.MerchantID, "mchid", o.MerchantID, "mchid the merchant has (none by default: then no call may send one)")
	fs.StringVar(&o.NotifyURL, "notify-url", o.NotifyURL, "URL to POST payment and refund notifications to")
	fs.DurationVar(&o.AutoPay, "auto-pay", o.AutoPay, "pay QR code, online and in-app payments after this delay (0: only when their link is opened)")
	fs.BoolVar(&o.Admin, "admin", o.Admin, "serve the status page at / and the admin API under /_sandbox/v1/ to loopback clients")
	return fs
}

// Run parses args as the flags of cmd/qfpay-sandbox and serves the sandbox
// until ctx ends (see Serve). -h prints the usage and returns nil.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := DefaultOptions()
	fs := FlagSet("qfpay-sandbox", &o, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return Serve(ctx, o, stdout)
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

// Serve listens on o.Addr and serves the sandbox until ctx ends, then
// shuts down gracefully (requests in progress get 5 seconds). It prints
// to stdout the address, the app code, the client key when it is the
// sandbox's public one (never a key given in o), a curl line that signs a
// query, the status page's URL and a curl line of the admin API, then
// logs one line per request and notification attempt.
func Serve(ctx context.Context, o Options, stdout io.Writer) error {
	if strings.TrimSpace(o.AppCode) == "" || strings.TrimSpace(o.ClientKey) == "" {
		return errors.New("-app-code and -client-key must not be empty")
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	opts := []qfpaytest.Option{
		qfpaytest.WithoutListener(),
		qfpaytest.WithMerchantID(o.MerchantID),
		qfpaytest.WithNotifyURL(o.NotifyURL),
		qfpaytest.WithAutoPay(o.AutoPay),
		qfpaytest.WithLogger(logger),
	}
	if o.Admin {
		opts = append(opts, qfpaytest.WithAdmin())
	}
	srv := qfpaytest.NewServer(o.AppCode, o.ClientKey, opts...)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "QF Pay sandbox listening on %s\n", base)
	fmt.Fprintf(stdout, "  app code:    %s\n", o.AppCode)
	if o.ClientKey == qfpaytest.SandboxClientKey {
		// The sandbox's own key is public; a key given on the command line
		// is not printed.
		sum := md5.Sum([]byte(o.ClientKey))
		fmt.Fprintf(stdout, "  client key:  %s\n", o.ClientKey)
		fmt.Fprintf(stdout, "  X-QF-SIGN = upper-case hex MD5 of the parameters sorted by name as k=v joined with &, then the client key; e.g.\n")
		fmt.Fprintf(stdout, "  curl -X POST %s/trade/v1/query -H 'X-QF-APPCODE: %s' -H 'X-QF-SIGN: %s'\n",
			base, o.AppCode, strings.ToUpper(hex.EncodeToString(sum[:])))
	} else {
		fmt.Fprintf(stdout, "  client key:  the one given with -client-key\n")
	}
	if o.MerchantID != "" {
		fmt.Fprintf(stdout, "  mchid:       %s\n", o.MerchantID)
	}
	if o.NotifyURL != "" {
		fmt.Fprintf(stdout, "  notifications to %s\n", o.NotifyURL)
	}
	if o.Admin {
		local := "http://" + localAddr(ln.Addr())
		fmt.Fprintf(stdout, "  status page: %s/ (loopback clients only)\n", local)
		fmt.Fprintf(stdout, "  admin API:   curl -s %s/_sandbox/v1/transactions (also pay, fail, expire, advance, notifications: see the status page)\n", local)
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
	fmt.Fprintln(stdout, "QF Pay sandbox stopped")
	return err
}

// localAddr is addr as a loopback client reaches it: an unspecified
// address (listening on every interface) becomes the loopback address of
// its family.
func localAddr(addr net.Addr) string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil || !ap.Addr().IsUnspecified() {
		return addr.String()
	}
	ip := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	if ap.Addr().Is6() {
		ip = netip.IPv6Loopback()
	}
	return netip.AddrPortFrom(ip, ap.Port()).String()
}
