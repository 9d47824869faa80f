// Package examples_test builds and runs every example program, so that
// `go test ./...` keeps them working.
package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// programs are the example programs, by directory.
var programs = []string{"quickstart", "cpm", "online", "preauth", "bill", "notify-server", "subscription"}

// runTimeout bounds one run of a program.
const runTimeout = 60 * time.Second

// binDir holds the programs built by buildAll; TestMain removes it.
var binDir string

// buildAll compiles every example program into binDir, once for all tests.
var buildAll = sync.OnceValue(func() error {
	dir, err := os.MkdirTemp("", "qfpay-examples-")
	if err != nil {
		return err
	}
	binDir = dir
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, p := range programs {
		args = append(args, "./"+p)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// build returns the path of each example program, built.
func build(t *testing.T) map[string]string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the example programs")
	}
	require.NoError(t, buildAll())
	bins := map[string]string{}
	for _, p := range programs {
		bins[p] = filepath.Join(binDir, p)
	}
	return bins
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs bin with args and the environment of the test minus every
// QFPAY_* variable, plus extraEnv.
func run(t *testing.T, bin string, extraEnv []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QFPAY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "%s did not finish within %s; output so far:\n%s%s", filepath.Base(bin), runTimeout, stdout.String(), stderr.String())
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return r
}

// assertLines checks that each pattern matches a line of out, in order.
func assertLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	rest := out
	for _, p := range patterns {
		re := regexp.MustCompile("(?m)" + p)
		loc := re.FindStringIndex(rest)
		if !assert.NotNil(t, loc, "no line matching %q after the previous ones in:\n%s", p, out) {
			return
		}
		rest = rest[loc[1]:]
	}
}

const syssn = `\d{26}`

// TestExamplesSandbox runs every program as `go run ./examples/NAME` does
// with no QFPAY_* variables: against the embedded sandbox.
func TestExamplesSandbox(t *testing.T) {
	bins := build(t)
	cases := []struct {
		program string
		args    []string
		lines   []string
	}{
		{"quickstart", nil, []string{
			`^Running against the embedded sandbox \(qfpaytest\)`,
			`^1\. Start the notification endpoint$`,
			`^   listening on http://127\.0\.0\.1:\d+/qfpay/notify`,
			`^2\. Create a merchant-presented \(QR code\) payment$`,
			`^   amount        HKD 12\.50$`,
			`^   syssn         ` + syssn + `$`,
			`^   QR code link  http://127\.0\.0\.1:\d+/pay/` + syssn + `$`,
			`^3\. The customer pays$`,
			`^4\. Wait for the payment \(WaitForPayment\)$`,
			`^   paid: HKD 12\.50 at `,
			`^5\. Query the payment$`,
			`respcd 0000 \(paid: true\), HKD 12\.50, cancel none$`,
			`^6\. Refund part of the payment$`,
			`^   refunded HKD 2\.50 of HKD 12\.50$`,
			`^7\. Receive the payment and refund notifications$`,
			`^   payment notification: syssn ` + syssn + `, HKD 12\.50, out_trade_no qs-`,
			`^   refund  notification: syssn ` + syssn + `, HKD 2\.50, out_trade_no qs-refund-.*, of ` + syssn + `$`,
			`^   both acknowledged with 200 SUCCESS`,
			`^8\. Summary$`,
			`^   payment  ` + syssn + `  HKD 12\.50  respcd 0000, cancel partially-refunded`,
			`^   refund   ` + syssn + `   HKD 2\.50  respcd 0000, of ` + syssn,
			`^   kept HKD 10\.00 of HKD 12\.50$`,
			`^Done\.$`,
		}},
		{"cpm", nil, []string{
			`^1\. A code that pays at once$`,
			`^   paid at once: syssn ` + syssn + `$`,
			`^2\. A code that answers pending, then pays`,
			`^   not settled yet: .*respcd 1145`,
			`^   paid after waiting: syssn ` + syssn + `, HKD 1\.00$`,
			`^3\. A code that answers pending, then fails`,
			`^   not settled yet: .*respcd 1145`,
			`^   failed after waiting: respcd 1205, The transaction failed`,
			`^4\. A wallet with too little money`,
			`^   declined: respcd 1201, Insufficient balance`,
			`^Done\.$`,
		}},
		{"online", nil, []string{
			`^   801512 HKD 49\.90, out_trade_no web-\S+, syssn ` + syssn + `$`,
			`^   pay_url    http://127\.0\.0\.1:\d+/pay/` + syssn + `$`,
			`^   sandbox: fetched pay_url: paid, redirected to https://shop\.example/orders/done$`,
			`^   paid: syssn ` + syssn + `, HKD 49\.90 at .*: ship the order$`,
			`^Done\.$`,
		}},
		{"preauth", nil, []string{
			`mchid SBX0MCH0001\.$`,
			`^1\. Freeze a deposit of HKD 500\.00 \(FreezeFunds\)$`,
			`^   frozen: HKD 500\.00 at `,
			`^   collected HKD 320\.00: syssn ` + syssn + ` \(from authorization ` + syssn + `\)$`,
			`^   released HKD 180\.00: syssn ` + syssn + `$`,
			`^   syssn ` + syssn + `: HKD 500\.00, respcd 0000, cancel preauth-finished$`,
			`^Done\.$`,
		}},
		{"bill", nil, []string{
			`^1\. Make a few transactions today$`,
			`^   refund  ` + syssn + `  HKD 5\.00 of ` + syssn + `$`,
			`^2\. Download the statement of \d{4}-\d\d-\d\d to a file \(DownloadBillTo\)$`,
			`^   \d+ bytes written, in \d+ part\(s\)$`,
			`^   file trade_bill_\d{4}-\d\d-\d\d\.csv$`,
			`^   header: syssn,orig_syssn,out_trade_no,order_type,`,
			`^   ` + syssn + `  payment  800208  HKD    1800  0000  `,
			`^   ` + syssn + `  refund   800208  HKD     500  0000  `,
			`^   4 rows besides the header$`,
			`^Done\.$`,
		}},
		{"notify-server", nil, []string{
			`^notify-server: QFPAY_CLIENT_KEY is not set, so this is the demo against the embedded sandbox\.$`,
			`^notify-server: listening on http://127\.0\.0\.1:\d+/qfpay/notify$`,
			`^demo: payment notification from the sandbox -> HTTP 200 SUCCESS$`,
			`^demo: the same notification again \(a retry\) -> HTTP 200 SUCCESS$`,
			`^demo: a forged notification .* -> HTTP 401`,
			`^demo: recorded 1 notification\(s\), ignored 1 duplicate\(s\)$`,
			`^demo:   payment syssn ` + syssn + `, HKD 12\.50, out_trade_no demo-`,
			`^notify-server: stopped$`,
		}},
		{"subscription", nil, []string{
			`^2\. Create the customer \(CreateCustomer\)$`,
			`^   customer cust_[0-9a-f]{12}$`,
			`^   token tk_[0-9a-f]{32} from the payment_token notification \(NEW, ECMC 5200\*\*\*\*1096\)$`,
			`^   product prod_[0-9a-f]{12}: HKD 99\.00 a month$`,
			`^   subscription sub_[0-9a-f]{16}: ACTIVE$`,
			`^   1 of 12 cycles charged, next charge \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`,
			`^   charged: ACTIVE, 2 of 12 cycles charged$`,
			`^   charged: ACTIVE, 3 of 12 cycles charged$`,
			`^   declined: PAST_DUE, last billing FAILED$`,
			`^   after 3 retries: UNPAID$`,
			`^   new token tk_[0-9a-f]{32} \(VISA 4111\*\*\*\*1111\)$`,
			`^   charged HKD 198\.00 for order sub_ord_[0-9a-f]{16}_0004: ACTIVE$`,
			`^   4 of 12 cycles charged, next charge `,
			`^   sub_ord_[0-9a-f]{16}_0001  cycle 1  auto$`,
			`^   sub_ord_[0-9a-f]{16}_0003  cycle 3  auto$`,
			`^   sub_ord_[0-9a-f]{16}_0004  cycle 4  manual$`,
			`^   cancelled: CANCELLED; cycles charged: 4$`,
			`^   subscription states: INCOMPLETE ACTIVE x2 PAST_DUE UNPAID CANCELLED$`,
			`^   cycle charges:       4 paid, 4 declined$`,
			`^Done\.$`,
		}},
	}
	require.Len(t, cases, len(programs), "every program has a case")
	for _, c := range cases {
		t.Run(c.program, func(t *testing.T) {
			t.Parallel()
			r := run(t, bins[c.program], nil, c.args...)
			require.Equal(t, 0, r.code, "exit code; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Empty(t, r.stderr)
			assertLines(t, r.stdout, c.lines...)
			assert.NotContains(t, r.stdout, qfpaytest.SandboxClientKey, "the client key is printed")
		})
	}
}

// TestExamplesRealEnvironment runs the programs as against a QF Pay
// environment (QFPAY_ENV set), here a qfpaytest server whose customers pay
// by themselves, with credentials other than the sandbox's.
func TestExamplesRealEnvironment(t *testing.T) {
	bins := build(t)
	const appCode, clientKey, mchid = "E2E0APP0CODE", "E2E0SECRET0CLIENT0KEY0DO0NOT0PRINT", "E2EMCH01"
	srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithAutoPay(200*time.Millisecond))
	t.Cleanup(srv.Close)
	mchSrv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithAutoPay(200*time.Millisecond), qfpaytest.WithMerchantID(mchid))
	t.Cleanup(mchSrv.Close)
	creds := []string{"QFPAY_APP_CODE=" + appCode, "QFPAY_CLIENT_KEY=" + clientKey, "QFPAY_ENV=" + srv.URL}
	// The subscription program needs a customer and the token the
	// Payment Element made for it, which only the merchant holds.
	srvClient, err := qfpay.NewClient(appCode, clientKey, qfpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	customer, err := srvClient.CreateCustomer(t.Context(), &qfpay.CustomerRequest{Name: "E2E"})
	require.NoError(t, err)
	token, err := srv.TokenizeCard(customer.ID, "5200000000001096")
	require.NoError(t, err)
	mchCreds := []string{"QFPAY_APP_CODE=" + appCode, "QFPAY_CLIENT_KEY=" + clientKey, "QFPAY_ENV=" + mchSrv.URL, "QFPAY_MCHID=" + mchid}

	cases := []struct {
		name    string
		program string
		env     []string
		args    []string
		code    int
		lines   []string // on stdout
		stderr  string   // a part of stderr
	}{
		{name: "quickstart", program: "quickstart", env: creds, lines: []string{
			`^Running against ` + regexp.QuoteMeta(srv.URL) + `, app code ` + appCode + `\.$`,
			`^   skipped: a real gateway posts notifications only to a public URL registered with QF Pay,$`,
			`^   not the sandbox, so nobody pays for you: show the QR code link above as a QR code$`,
			`^   paid: HKD 12\.50 at `,
			`^   refunded HKD 2\.50 of HKD 12\.50$`,
			`^   skipped against a real environment \(see step 1\)\.$`,
			`^   payment  ` + syssn + `  HKD 12\.50  respcd 0000, cancel partially-refunded`,
			`^   notifications: not received \(real environment, see step 1\)$`,
			`^Done\.$`,
		}},
		{name: "quickstart in THB", program: "quickstart", env: append(creds, "QFPAY_CURRENCY=thb"), lines: []string{
			`^   amount        THB 12\.50$`,
			`^Done\.$`,
		}},
		{name: "cpm", program: "cpm", env: creds, args: []string{"-auth-code", "287255838063025836", "-amount", "2500"}, lines: []string{
			`^1\. Charge the scanned code$`,
			`^   charging HKD 25\.00, out_trade_no cpm-`,
			`^   paid at once: syssn ` + syssn + `$`,
			`^Done\.$`,
		}},
		{name: "online", program: "online", env: creds, lines: []string{
			`^   open pay_url in a \(mobile\) browser and pay within 120 seconds\.$`,
			`^   paid: syssn ` + syssn + `, HKD 49\.90 at `,
		}},
		{name: "preauth", program: "preauth", env: mchCreds, lines: []string{
			`mchid ` + mchid + `\.$`,
			`^   released HKD 180\.00: syssn ` + syssn + `$`,
			`cancel preauth-finished$`,
		}},
		{name: "bill", program: "bill", env: creds, args: []string{"-date", "2024-05-14"}, lines: []string{
			`^1\. Download the statement of 2024-05-14 to a file \(DownloadBillTo\)$`,
			`^   file trade_bill_2024-05-14\.csv$`,
			`^   0 rows besides the header$`,
		}},
		{name: "notify-server demo with a key", program: "notify-server", env: []string{"QFPAY_CLIENT_KEY=" + clientKey}, args: []string{"-demo"}, lines: []string{
			`^notify-server: listening on `,
			`^demo: payment notification from the sandbox -> HTTP 200 SUCCESS$`,
			`^demo: recorded 1 notification\(s\), ignored 1 duplicate\(s\)$`,
		}},
		{name: "subscription", program: "subscription", env: creds, args: []string{"-customer", customer.ID, "-token", token}, lines: []string{
			`^   customer ` + customer.ID + ` \(given\)$`,
			`^   token ` + token + ` \(given\)$`,
			`^   subscription sub_[0-9a-f]{16}: ACTIVE$`,
			`^   skipped against a real environment: QF Pay charges each month and notifies it$`,
			`^   sub_ord_[0-9a-f]{16}_0001  cycle 1  auto$`,
			`^   cancelled: CANCELLED; cycles charged: 1$`,
			`^   skipped against a real environment \(see step 1\)\.$`,
			`^Done\.$`,
		}},
		{name: "notify-server -demo without a key", program: "notify-server", args: []string{"-demo"}, lines: []string{
			`^notify-server: listening on `,
			`^demo: a forged notification .* -> HTTP 401`,
			`^demo: recorded 1 notification\(s\), ignored 1 duplicate\(s\)$`,
		}},

		{name: "notify-server with a key but no app code", program: "notify-server", env: []string{"QFPAY_CLIENT_KEY=" + clientKey}, code: 1,
			stderr: "notify-server: FAILED: QFPAY_CLIENT_KEY is set but QFPAY_APP_CODE is not: set both, as QF Pay issued them"},
		{name: "credentials without QFPAY_ENV", program: "quickstart", env: creds[:2], code: 1,
			stderr: "quickstart: FAILED: QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV go together (unset all of them for the embedded sandbox): QFPAY_ENV not set"},
		{name: "unknown environment", program: "quickstart", env: append(creds[:2:2], "QFPAY_ENV=mars-live"), code: 1,
			stderr: `quickstart: FAILED: QFPAY_ENV: qfpay: unknown environment "mars-live"`},
		{name: "wrong client key", program: "quickstart", env: append([]string{"QFPAY_CLIENT_KEY=WRONG0KEY"}, creds[0], creds[2]), code: 1,
			stderr: "quickstart: FAILED: creating the payment: qfpay: /trade/v1/payment: respcd 1108"},
		{name: "cpm without -auth-code", program: "cpm", env: creds, code: 1,
			stderr: "cpm: FAILED: against a QF Pay environment, pass -auth-code"},
		{name: "subscription without -token", program: "subscription", env: creds, args: []string{"-customer", "cust_1"}, code: 1,
			stderr: "subscription: FAILED: against a QF Pay environment, pass -customer and -token"},
		{name: "preauth without QFPAY_MCHID", program: "preauth", env: creds, code: 1,
			stderr: "preauth: FAILED: this program's calls need the merchant's mchid: set QFPAY_MCHID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, bins[c.program], c.env, c.args...)
			require.Equal(t, c.code, r.code, "exit code; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			if c.stderr == "" {
				assert.Empty(t, r.stderr)
			} else {
				assert.Contains(t, r.stderr, c.stderr)
			}
			assertLines(t, r.stdout, c.lines...)
			for _, out := range []string{r.stdout, r.stderr} {
				assert.NotContains(t, out, clientKey, "the client key is printed")
			}
		})
	}
}

// TestNotifyServer runs notify-server as in production: the sandbox sends
// it the notification of a payment, then SIGTERM stops it gracefully.
func TestNotifyServer(t *testing.T) {
	bins := build(t)
	if runtime.GOOS == "windows" {
		t.Skip("stops the program with SIGTERM")
	}
	const clientKey = "E2E0NOTIFY0SECRET0KEY"
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins["notify-server"], "-addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QFPAY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "QFPAY_APP_CODE=E2EAPP", "QFPAY_CLIENT_KEY="+clientKey)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var output []string
	next := func(pattern string) []string {
		t.Helper()
		re := regexp.MustCompile(pattern)
		for {
			select {
			case l, ok := <-lines:
				require.True(t, ok, "output ended before a line matching %s:\n%s", pattern, strings.Join(output, "\n"))
				output = append(output, l)
				if m := re.FindStringSubmatch(l); m != nil {
					return m
				}
			case <-ctx.Done():
				t.Fatalf("no line matching %s:\n%s", pattern, strings.Join(output, "\n"))
			}
		}
	}
	endpoint := next(`^notify-server: listening on (http://127\.0\.0\.1:\d+/qfpay/notify)$`)[1]

	srv := qfpaytest.NewServer("E2EAPP", clientKey, qfpaytest.WithNotifyURL(endpoint),
		qfpaytest.WithNotifySchedule(50*time.Millisecond, 200*time.Millisecond))
	t.Cleanup(srv.Close)
	client, err := qfpay.NewClient("E2EAPP", clientKey, qfpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	resp, err := client.Payment(ctx, &qfpay.PaymentRequest{
		PayType: qfpay.PayTypeWeChatCPM, Amount: 4321, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "e2e-1", AuthCode: qfpaytest.AuthCodeSuccess,
	})
	require.NoError(t, err)
	deliveries, err := srv.WaitDeliveries(ctx, 1)
	require.NoError(t, err)
	require.Len(t, deliveries, 1)
	assert.True(t, deliveries[0].Delivered, "attempts: %+v", deliveries[0].Attempts)
	next(`msg="notification recorded" notify_type=payment syssn=` + resp.SysSN + ` out_trade_no=e2e-1 amount="HKD 43.21"$`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	next(`^notify-server: shutting down$`)
	next(`^notify-server: stopped$`)
	require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	for _, l := range output {
		assert.NotContains(t, l, clientKey)
	}
}
