package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the qfpay command built for the end-to-end test.
type binary struct {
	path string
	env  []string
}

func (b *binary) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.path, args...)
	cmd.Env = b.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running qfpay %s: %v", strings.Join(args, " "), err)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	require.NotContains(t, r.stdout+r.stderr, testKey, "the client key was printed by qfpay %s", strings.Join(args, " "))
	return r
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEndToEnd builds the qfpay binary, serves "qfpay sandbox" with it and
// drives that sandbox with the binary's other commands, as a user would.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := &binary{path: filepath.Join(dir, "qfpay")}
	build := exec.Command("go", "build", "-o", bin.path, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QFPAY_") {
			bin.env = append(bin.env, kv)
		}
	}
	h := newHandler(t, testKey)

	// The sandbox, on a free port, with the test's credentials.
	sandbox := exec.Command(bin.path, "sandbox", "-addr", "127.0.0.1:0", "-app-code", testAppCode, "-client-key", testKey, "-notify-url", h.srv.URL)
	sandbox.Env = bin.env
	stdout, err := sandbox.StdoutPipe()
	require.NoError(t, err)
	var logs lockedBuffer
	sandbox.Stderr = &logs
	require.NoError(t, sandbox.Start())
	exited := make(chan error, 1)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = sandbox.Process.Kill()
			<-exited
		}
	})
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the sandbox printed nothing: %s", logs.String())
	m := regexp.MustCompile(`^QF Pay sandbox listening on (http://127\.0\.0\.1:\d+)$`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, "first line: %q", lines.Text())
	base := m[1]
	go func() {
		for lines.Scan() {
			_, _ = logs.Write([]byte(lines.Text() + "\n"))
		}
		exited <- sandbox.Wait()
	}()
	bin.env = append(bin.env, envEnv+"="+base, envSandbox+"="+base, envAppCode+"="+testAppCode, envClientKey+"="+testKey,
		envConfig+"="+filepath.Join(dir, "no-config"))

	// A merchant's backend creates a payment through the SDK.
	client, err := qfpay.NewClient(testAppCode, testKey, qfpay.WithBaseURL(base))
	require.NoError(t, err)
	pay, err := client.Payment(t.Context(), &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatMPM, Amount: 1000, Currency: qfpay.CurrencyHKD, OutTradeNo: "e2e-1",
	})
	require.NoError(t, err)

	r := bin.run(t, "", "tx", "get", "e2e-1", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	recs := jsonLines(t, r.stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, pay.SysSN, recs[0].SysSN)
	assert.Equal(t, "waiting", recs[0].Status)
	assert.Equal(t, "10.00", recs[0].Amount)

	r = bin.run(t, "", "tx", "list", "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	recs = jsonLines(t, r.stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, "e2e-1", recs[0].OutTradeNo)

	r = bin.run(t, "", "tx", "wait", "e2e-1", "--timeout", "300ms")
	assert.Equal(t, exitUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "settle it with: qfpay tx wait e2e-1\n")

	r = bin.run(t, "", "sandbox", "pay", "e2e-1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, pay.SysSN+"  e2e-1  800201  HKD 10.00  paid\n", r.stdout)

	r = bin.run(t, "", "tx", "wait", "e2e-1", "-o", "csv")
	require.Equal(t, exitOK, r.code, r.stderr)
	rows := csvRecords(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "paid", rows[0]["status"])

	r = bin.run(t, "n\n", "refund", pay.SysSN, "--amount", "2.50", "--out-trade-no", "e2e-1-r1")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "Refund HKD 2.50? [y/N] ")
	assert.Contains(t, r.stderr, "qfpay: not confirmed: nothing sent")

	r = bin.run(t, "", "refund", pay.SysSN, "--amount", "2.50", "--out-trade-no", "e2e-1-r1", "--yes", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	recs = jsonLines(t, r.stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, "refunded", recs[0].Status)

	r = bin.run(t, "", "refund", pay.SysSN, "--amount", "8", "--out-trade-no", "e2e-1-r2", "--yes")
	assert.Equal(t, exitDeclined, r.code, r.stderr)
	assert.Contains(t, r.stderr, "respcd 1272")

	r = bin.run(t, "", "refund", pay.SysSN, "--amount", "two", "--out-trade-no", "e2e-1-r3", "--yes")
	assert.Equal(t, exitUsage, r.code, r.stderr)

	// The payment's and the refund's notifications reach the handler.
	var deliveries []qfpaytest.Delivery
	require.Eventually(t, func() bool {
		r = bin.run(t, "", "sandbox", "notifications", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var ans struct {
			Notifications []qfpaytest.Delivery `json:"notifications"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &ans))
		deliveries = ans.Notifications
		return len(deliveries) == 2 && deliveries[0].Delivered && deliveries[1].Delivered
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, "payment", deliveries[0].Type)
	assert.Equal(t, "refund", deliveries[1].Type)
	got, _ := h.received()
	assert.Len(t, got, 2)

	body := filepath.Join(dir, "body.json")
	require.NoError(t, os.WriteFile(body, deliveries[1].Body, 0o600))
	r = bin.run(t, "", "verify-notification", body, "--sign", deliveries[1].Signature)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "valid\n", r.stdout)
	r = bin.run(t, "", "verify-notification", body, "--sign", deliveries[0].Signature)
	assert.Equal(t, exitBadSign, r.code, r.stderr)

	r = bin.run(t, "", "sandbox", "notifications")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 3)

	// SIGINT stops the sandbox cleanly.
	require.NoError(t, sandbox.Process.Signal(syscall.SIGINT))
	select {
	case err := <-exited:
		stopped = true
		require.NoError(t, err, "the sandbox's exit: %s", logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop on SIGINT")
	}
	assert.Contains(t, logs.String(), "QF Pay sandbox stopped")
	assert.NotContains(t, logs.String(), testKey)
}
