package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// qfpayCommand builds the qfpay command (cmd/qfpay, a module of its own)
// into a temporary directory and returns its path.
func qfpayCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qfpay")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "cmd", "qfpay")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./cmd/qfpay: %s", out)
	return bin
}

// TestSandboxStatusPageInBrowser opens the status page of "qfpay sandbox"
// in headless Chromium: it lists a payment made a moment before, waiting
// for the customer, and shows it paid after "qfpay sandbox pay", by its
// own reload, with nothing clicked.
func TestSandboxStatusPageInBrowser(t *testing.T) {
	path := chromium(t)
	bin := qfpayCommand(t)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QFPAY_") {
			env = append(env, kv)
		}
	}

	// qfpay sandbox, on a free port, with its own public credentials.
	sandbox := exec.Command(bin, "sandbox", "-addr", "127.0.0.1:0")
	sandbox.Env = env
	stdout, err := sandbox.StdoutPipe()
	require.NoError(t, err)
	var stderr syncBuffer // written by the process's copying goroutine
	sandbox.Stderr = &stderr
	require.NoError(t, sandbox.Start())
	exited := make(chan error, 1)
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "qfpay sandbox printed nothing: %s", stderr.String())
	m := regexp.MustCompile(`^QF Pay sandbox listening on (http://127\.0\.0\.1:\d+)$`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, "first line of qfpay sandbox: %q", lines.Text())
	base := m[1]
	go func() {
		for lines.Scan() {
		}
		exited <- sandbox.Wait()
	}()
	t.Cleanup(func() {
		_ = sandbox.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = sandbox.Process.Kill()
		}
	})

	ctx := browser(t, path)
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "%s", sel)
		return strings.TrimSpace(v)
	}

	// Nothing yet.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+"/")))
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	assert.Equal(t, "QF Pay sandbox", title)
	assert.Equal(t, "No transactions yet.", text("#no-transactions"))

	// A merchant's backend shows a QR code: a payment waiting for the customer.
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(base))
	require.NoError(t, err)
	pay, err := client.Payment(t.Context(), &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeAlipayMPM, Amount: 1250, Currency: qfpay.CurrencyHKD, OutTradeNo: "status-page-1", GoodsName: "<b>tea</b>",
	})
	require.NoError(t, err)

	row := `tr[data-syssn="` + pay.SysSN + `"] `
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(row+"td.status"))))
	assert.Equal(t, "status-page-1", text(row+"td.out-trade-no"))
	assert.Equal(t, "HKD 12.50", text(row+"td.amount"))
	assert.Equal(t, "<b>tea</b>", text(row+"td.goods-name"), "goods_name shown as text, not markup")
	assert.Equal(t, string(qfpay.PayTypeAlipayMPM), text(row+"td.pay-type"))
	assert.Equal(t, "waiting", text(row+"td.status"))

	// Support pays it from a terminal; the open page shows it on its own reload.
	out, err := exec.CommandContext(t.Context(), bin, "sandbox", "pay", "status-page-1", "--sandbox", base).CombinedOutput()
	require.NoError(t, err, "qfpay sandbox pay: %s", out)
	assert.Contains(t, string(out), "paid")
	// Read while the page reloads itself: a read that meets the page
	// between two documents fails and is tried again.
	deadline := time.Now().Add(15 * time.Second)
	status, readErr := "", error(nil)
	for time.Now().Before(deadline) {
		var v string
		if v, readErr = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+"td.status"))); readErr == nil {
			if status = strings.TrimSpace(v); status == "paid" {
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	assert.Equal(t, "paid", status, "the page reloads itself every few seconds (last read error: %v)", readErr)
}
