package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// env is a shop against an embedded sandbox, both served on loopback
// addresses a browser can reach.
type env struct {
	sandbox *qfpaytest.Server
	client  *qfpay.Client
	shop    *shop
	url     string // the shop's base URL
}

// newEnv starts a shop, its configuration changed by opts, against a new
// sandbox.
func newEnv(t *testing.T, opts ...func(*config)) *env {
	t.Helper()
	sandbox := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	t.Cleanup(sandbox.Close)
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey,
		qfpay.WithBaseURL(sandbox.URL), qfpay.WithPollInterval(10*time.Millisecond, 50*time.Millisecond))
	require.NoError(t, err)
	// The shop's address must be known before the shop is made: it is the
	// base of the URLs the checkout sends the browser and QF Pay to.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	cfg := config{Client: client, Currency: qfpay.CurrencyHKD, PublicURL: base + "/", SettleWait: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := newShop(cfg)
	require.NoError(t, err)
	ts.Config.Handler = s.routes()
	ts.Start()
	t.Cleanup(ts.Close)
	return &env{sandbox: sandbox, client: client, shop: s, url: base}
}

// order returns a copy of the shop's order no.
func (e *env) order(t *testing.T, no string) order {
	t.Helper()
	e.shop.mu.Lock()
	defer e.shop.mu.Unlock()
	o, ok := e.shop.orders[no]
	require.True(t, ok, "order %s", no)
	return *o
}

// waitNotified waits until the shop has recorded the notification of
// order no.
func (e *env) waitNotified(t *testing.T, no string) {
	t.Helper()
	require.Eventually(t, func() bool { return e.order(t, no).notified }, 10*time.Second, 10*time.Millisecond,
		"the notification of %s reaches the shop", no)
}

// noRedirect is an HTTP client that stops at redirects, to see them.
var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(t *testing.T, target string) (int, string) {
	t.Helper()
	resp, err := noRedirect.Get(target)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// startCheckout presses the shop's checkout button and returns the order
// number and the checkout URL the shop redirects to.
func startCheckout(t *testing.T, e *env) (no, link string) {
	t.Helper()
	resp, err := noRedirect.Post(e.url+ordersPath, "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	link = resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(link, e.sandbox.URL+"/checkstand/#/?"), link)
	frag, err := url.ParseQuery(link[strings.Index(link, "#/?")+3:])
	require.NoError(t, err)
	no = frag.Get("out_trade_no")
	require.Regexp(t, `^web-\d{8}-\d{6}-[0-9a-f]{6}$`, no)
	return no, link
}

// TestCheckoutURLTheShopBuilds: the redirect carries the order's amount,
// currency and goods, and the shop's own return, failed, cancel and
// notification URLs; the order waits for the shopper.
func TestCheckoutURLTheShopBuilds(t *testing.T) {
	e := newEnv(t)
	no, link := startCheckout(t, e)
	frag, err := url.ParseQuery(link[strings.Index(link, "#/?")+3:])
	require.NoError(t, err)
	for name, want := range map[string]string{
		"txamt": "2500", "txcurrcd": "HKD", "goods_name": productName, "paysource": qfpay.PaySourceRemotePay,
		"return_url": e.url + "/orders/" + no, "failed_url": e.url + "/orders/" + no + "/failed",
		"cancel_url": e.url + "/", "notify_url": e.url + "/qfpay/notify", "appcode": qfpaytest.SandboxAppCode,
	} {
		assert.Equal(t, want, frag.Get(name), name)
	}
	assert.True(t, strings.HasSuffix(link, "&sign="+frag.Get("sign")), "sign last")
	assert.NotContains(t, link, qfpaytest.SandboxClientKey)
	o := e.order(t, no)
	assert.Equal(t, stateAwaiting, o.state)
	assert.Equal(t, int64(productPrice), o.amount)
}

// TestCheckoutWithoutBrowser runs the shopper's path with qfpaytest's
// test browser (no Chromium needed): pay or fail on the checkout page, back
// to the URL it sends the browser to, which shows what the query says.
func TestCheckoutWithoutBrowser(t *testing.T) {
	tests := []struct {
		name         string
		pay          bool
		wantNext     string // the order page's path after the order number
		wantStatus   string
		wantNotified bool
	}{
		{"paid", true, "", statePaid, true},
		{"card declined", false, failedPage, stateFailed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			no, link := startCheckout(t, e)
			page, err := e.sandbox.OpenCheckout(ctx, link)
			require.NoError(t, err)
			assert.Equal(t, int64(productPrice), page.Amount)
			var next string
			if tt.pay {
				next, err = page.Pay(ctx, "")
			} else {
				next, err = page.Fail(ctx)
			}
			require.NoError(t, err)
			assert.Equal(t, e.url+ordersPath+no+tt.wantNext, next)
			if tt.wantNotified {
				e.waitNotified(t, no)
			}

			status, body := get(t, next)
			require.Equal(t, http.StatusOK, status)
			assert.Contains(t, body, `<strong id="status">`+tt.wantStatus+`</strong>`)
			o := e.order(t, no)
			assert.Equal(t, tt.wantStatus, o.state)
			assert.Equal(t, tt.wantNotified, o.notified)
			if !tt.pay {
				assert.Equal(t, qfpaytest.CheckoutDeclineCode, o.respCode)
				assert.Contains(t, body, "respcd "+qfpaytest.CheckoutDeclineCode)
				assert.Empty(t, e.sandbox.Deliveries(), "failures are not notified")
			}
		})
	}
}

// TestOrderPageSettlesByQuery: the return visit alone settles the order,
// by query, before the notification; the order page of an unknown number
// is 404; an order nobody paid stays "awaiting payment" and refreshes.
func TestOrderPageSettlesByQuery(t *testing.T) {
	t.Run("paid before the notification arrives", func(t *testing.T) {
		// The shop's public URL leads nowhere, so its notification never
		// arrives: only the query can tell the page that the order is paid.
		e := newEnv(t, func(c *config) { c.PublicURL = "http://127.0.0.1:1" })
		no, link := startCheckout(t, e)
		page, err := e.sandbox.OpenCheckout(t.Context(), link)
		require.NoError(t, err)
		_, err = page.Pay(t.Context(), qfpay.PayTypeApplePay)
		require.NoError(t, err)
		status, body := get(t, e.url+ordersPath+no)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `<strong id="status">paid</strong>`)
		assert.Contains(t, body, `(806527)`, "the method the shopper chose")
		assert.Contains(t, body, `<span id="notified">not yet</span>`)
		assert.NotContains(t, body, `http-equiv="refresh"`, "settled: no refresh")
	})
	t.Run("unknown order", func(t *testing.T) {
		e := newEnv(t)
		status, _ := get(t, e.url+ordersPath+"web-nope")
		assert.Equal(t, http.StatusNotFound, status)
	})
	t.Run("not paid yet", func(t *testing.T) {
		e := newEnv(t, func(c *config) { c.SettleWait = 100 * time.Millisecond })
		no, _ := startCheckout(t, e)
		status, body := get(t, e.url+ordersPath+no)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, `<strong id="status">awaiting payment</strong>`)
		assert.Contains(t, body, `<meta http-equiv="refresh" content="3">`)
		assert.Equal(t, stateAwaiting, e.order(t, no).state)
	})
}

// TestNotifications: a signed payment notification of the order's amount
// marks it paid; a forged one is refused and changes nothing; one of
// another amount or an unknown order is acknowledged and ignored.
func TestNotifications(t *testing.T) {
	e := newEnv(t)
	no, _ := startCheckout(t, e)
	post := func(body, sign string) int {
		req, err := http.NewRequest(http.MethodPost, e.url+notifyPath, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-QF-SIGN", sign)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := func(outTradeNo, amount string) string {
		return `{"notify_type":"payment","status":"1","respcd":"0000","out_trade_no":"` + outTradeNo +
			`","syssn":"20240101000100020000000001","txamt":"` + amount + `","txcurrcd":"HKD","pay_type":"802801",` +
			`"txdtm":"2024-01-01 10:00:00","sysdtm":"2024-01-01 10:00:01","paydtm":"2024-01-01 10:00:05","cancel":"0"}`
	}
	signed := func(b string) string { return qfpay.SignNotification([]byte(b), qfpaytest.SandboxClientKey) }

	assert.Equal(t, http.StatusUnauthorized, post(body(no, "2500"), strings.Repeat("0", 32)), "forged")
	assert.False(t, e.order(t, no).notified)
	assert.Equal(t, http.StatusOK, post(body(no, "1"), signed(body(no, "1"))), "another amount: acknowledged")
	assert.Equal(t, stateAwaiting, e.order(t, no).state, "not paid by a notification of another amount")
	assert.Equal(t, http.StatusOK, post(body("web-unknown", "2500"), signed(body("web-unknown", "2500"))))
	assert.Equal(t, http.StatusOK, post(body(no, "2500"), signed(body(no, "2500"))))
	o := e.order(t, no)
	assert.True(t, o.notified)
	assert.Equal(t, statePaid, o.state)
	assert.Equal(t, qfpay.PayTypeVisaMastercardOnline, o.payType)
}

func TestNewShopRefusesBadConfig(t *testing.T) {
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	require.NoError(t, err)
	tests := []struct {
		name    string
		cfg     config
		wantErr string
	}{
		{"no client", config{PublicURL: "https://shop.example", SettleWait: time.Second}, "no client"},
		{"public URL without scheme", config{Client: client, PublicURL: "shop.example", SettleWait: time.Second}, `public URL "shop.example"`},
		{"no settle wait", config{Client: client, PublicURL: "https://shop.example"}, "settle wait 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newShop(tt.cfg)
			assert.Nil(t, s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestCheckoutRefusedURL: a public URL QF Pay cannot take (plain http on a
// host other than loopback) fails the checkout with a 500 before the
// shopper leaves, the order kept for settling.
func TestCheckoutRefusedURL(t *testing.T) {
	e := newEnv(t, func(c *config) { c.PublicURL = "http://shop.example" })
	resp, err := noRedirect.Post(e.url+ordersPath, "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(b), "the checkout could not be started")
	assert.Empty(t, resp.Header.Get("Location"))
}

// syncBuffer is an io.Writer safe for run's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the program as main does, against the embedded sandbox,
// serves its home page, and stops it.
func TestRun(t *testing.T) {
	for _, v := range []string{"QFPAY_APP_CODE", "QFPAY_CLIENT_KEY", "QFPAY_ENV", "QFPAY_MCHID", "QFPAY_CURRENCY"} {
		t.Setenv(v, "")
	}
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &out) }()

	addr := regexp.MustCompile(`the shop is at (http://127\.0\.0\.1:\d+)/`)
	var base string
	require.Eventually(t, func() bool {
		m := addr.FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "run prints the shop's address: %s", &out)
	assert.Contains(t, out.String(), "the embedded sandbox (qfpaytest)")
	status, body := get(t, base+"/")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<button type="submit" id="checkout">Checkout</button>`)
	assert.Contains(t, body, `<span id="price">HKD 25.00</span>`)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	assert.Contains(t, out.String(), "checkout: stopped")

	t.Run("bad arguments", func(t *testing.T) {
		var out syncBuffer
		err := run(t.Context(), []string{"extra"}, &out)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `unexpected arguments ["extra"]`)
		err = run(t.Context(), []string{"-addr", "127.0.0.1:0", "-public-url", "shop.example"}, &out)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not an http(s) URL")
	})
}
