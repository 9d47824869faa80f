package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/require"
)

// The credentials of the tests' sandbox. testKey must never appear in any
// output: run checks every stdout and stderr for it.
const (
	testAppCode = "C11APPC0DE0000000000000000000001"
	testKey     = "C11KEY0must0never0be0printed0000"
)

// requestLog records the path of each request a qfpaytest.Server
// received, from its log.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *requestLog) WithGroup(string) slog.Handler            { return l }
func (l *requestLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	var path, note string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "path":
			path = a.Value.String()
		case "note":
			note = a.Value.String()
		}
		return true
	})
	if strings.HasPrefix(note, "processed late") {
		return nil // the second line of a request that arrived earlier
	}
	l.mu.Lock()
	l.paths = append(l.paths, path)
	l.mu.Unlock()
	return nil
}

// count is the number of requests to path served so far ("" for all).
func (l *requestLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.paths {
		if path == "" || p == path {
			n++
		}
	}
	return n
}

// sandbox is a qfpaytest server with the test credentials, the SDK client
// of a merchant using it, and the environment the command sees.
type sandbox struct {
	srv    *qfpaytest.Server
	client *qfpay.Client
	log    *requestLog
	env    map[string]string
	// terminal makes the command take stderr for a terminal.
	terminal bool
	// sharedClock gives the command the sandbox's clock (Server.Now), for
	// a test that freezes it, as a real command shares the gateway's time.
	sharedClock bool
}

func newSandbox(t *testing.T, opts ...qfpaytest.Option) *sandbox {
	t.Helper()
	log := &requestLog{}
	srv := qfpaytest.NewServer(testAppCode, testKey, append([]qfpaytest.Option{qfpaytest.WithLogger(slog.New(log))}, opts...)...)
	t.Cleanup(srv.Close)
	client, err := qfpay.NewClient(testAppCode, testKey, qfpay.WithBaseURL(srv.URL), qfpay.WithPollInterval(time.Millisecond, 10*time.Millisecond))
	require.NoError(t, err)
	return &sandbox{srv: srv, client: client, log: log, env: map[string]string{
		envAppCode:   testAppCode,
		envClientKey: testKey,
		envEnv:       srv.URL,
		envConfig:    filepath.Join(t.TempDir(), "no-config"),
	}}
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the command in-process with stdin, checking that the client
// key appears in no output.
func (s *sandbox) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return s.runContext(t, context.Background(), stdin, args...)
}

func (s *sandbox) runContext(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := newApp(ctx, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return s.env[k] })
	a.clientOptions = []qfpay.Option{qfpay.WithPollInterval(time.Millisecond, 20*time.Millisecond)}
	a.isTerminal = func(io.Writer) bool { return s.terminal }
	if s.sharedClock {
		a.now = s.srv.Now
	}
	r := result{code: a.run(args), stdout: stdout.String(), stderr: stderr.String()}
	for _, out := range []string{r.stdout, r.stderr} {
		require.NotContains(t, out, testKey, "the client key was printed by qfpay %s", strings.Join(args, " "))
	}
	return r
}

// mpm creates an unpaid WeChat Pay MPM payment of amount HKD minor units.
func (s *sandbox) mpm(t *testing.T, outTradeNo string, amount int64) *qfpay.PaymentResponse {
	t.Helper()
	resp, err := s.client.Payment(context.Background(), &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatMPM, Amount: amount, Currency: qfpay.CurrencyHKD, OutTradeNo: outTradeNo,
	})
	require.NoError(t, err)
	return resp
}

// paid creates a paid payment (CPM) of amount HKD minor units.
func (s *sandbox) paid(t *testing.T, outTradeNo string, amount int64) *qfpay.PaymentResponse {
	t.Helper()
	return s.cpm(t, outTradeNo, amount, qfpaytest.AuthCodeSuccess)
}

// cpm creates a consumer-presented payment with an auth code.
func (s *sandbox) cpm(t *testing.T, outTradeNo string, amount int64, authCode string) *qfpay.PaymentResponse {
	t.Helper()
	resp, err := s.client.Payment(context.Background(), &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatCPM, Amount: amount, Currency: qfpay.CurrencyHKD, OutTradeNo: outTradeNo, AuthCode: authCode,
	})
	if authCode == qfpaytest.AuthCodeSuccess {
		require.NoError(t, err)
	}
	return resp
}
