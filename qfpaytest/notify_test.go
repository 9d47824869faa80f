package qfpaytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// receiver is a merchant's notification endpoint that answers from a
// script (the last answer repeats) and records what it got.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	script  []reply
	got     []received
	arrived chan struct{}
}

type reply struct {
	status int
	body   string
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, script ...reply) *receiver {
	rc := &receiver{script: script, arrived: make(chan struct{}, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		rep := rc.script[min(n, len(rc.script)-1)]
		rc.mu.Unlock()
		rc.arrived <- struct{}{}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

var fast = qfpaytest.WithNotifySchedule(time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond)

func waitDeliveries(t *testing.T, srv *qfpaytest.Server, n int) []qfpaytest.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ds, err := srv.WaitDeliveries(ctx, n)
	require.NoError(t, err)
	return ds
}

func TestDefaultNotifySchedule(t *testing.T) {
	// API section "Asynchronous Notification Rules": 2m, 10m, 10m, 60m, 2h, 6h, 15h.
	want := []time.Duration{2 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
	assert.Equal(t, want, qfpaytest.DefaultNotifySchedule)
}

func TestNotificationRetriedUntilSuccess(t *testing.T) {
	rc := newReceiver(t, reply{500, "oops"}, reply{200, "FAIL"}, reply{200, "SUCCESS"})
	srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL), fast)
	a := post(t, srv, "/trade/v1/payment", with(cpm("n-1", "10", qfpaytest.AuthCodeSuccess), "goods_name", "咖啡 café"))
	requireCode(t, a, "0000")
	syssn := a.str("syssn")

	ds := waitDeliveries(t, srv, 1)
	require.Len(t, ds, 1)
	d := ds[0]
	assert.True(t, d.Delivered)
	assert.True(t, d.Done)
	assert.Equal(t, "payment", d.Type)
	assert.Equal(t, syssn, d.SysSN)
	assert.Equal(t, "n-1", d.OutTradeNo)
	require.Len(t, d.Attempts, 3)
	for i, want := range []int{500, 200, 200} {
		assert.Equal(t, want, d.Attempts[i].StatusCode)
	}
	assert.Equal(t, "SUCCESS", d.Attempts[2].Response)

	// The body as Python's json.dumps writes it, in the sample's order.
	wantBody := `{"status": "1", "pay_type": "800208", "sysdtm": "2019-12-25 14:21:28", "paydtm": "2019-12-25 14:21:28", ` +
		`"goods_name": "\u5496\u5561 caf\u00e9", "txcurrcd": "HKD", "txdtm": "2019-12-25 14:21:28", "txamt": "10", ` +
		`"exchange_rate": "", "chnlsn2": "", "out_trade_no": "n-1", "syssn": "` + syssn + `", "cash_fee_type": "", ` +
		`"cancel": "0", "respcd": "0000", "goods_info": "", "cash_fee": "10", "notify_type": "payment", ` +
		`"chnlsn": "42` + syssn + `", "cardcd": ""}`
	got := rc.requests()
	require.Len(t, got, 3)
	for _, r := range got {
		assert.Equal(t, wantBody, string(r.body))
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		assert.Equal(t, md5Upper(string(r.body)+clientKey), r.header.Get("X-QF-SIGN"), "MD5 of the raw body and the key")
	}
	assert.Equal(t, wantBody, string(d.Body))
	assert.Equal(t, md5Upper(wantBody+clientKey), d.Signature)
}

func TestNotificationGivesUp(t *testing.T) {
	rc := newReceiver(t, reply{503, "down"})
	srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithNotifySchedule(time.Millisecond, 2*time.Millisecond))
	paid(t, srv, "g-1", "10")
	d := waitDeliveries(t, srv, 1)[0]
	assert.False(t, d.Delivered)
	assert.True(t, d.Done)
	assert.Len(t, d.Attempts, 3, "the first attempt and one per wait of the schedule")
	assert.Len(t, rc.requests(), 3)
}

func TestNotificationFollowsSchedule(t *testing.T) {
	// Each retry waits its turn of the schedule after the attempt before
	// (a timer never fires early, so the gaps are at least the waits).
	schedule := []time.Duration{60 * time.Millisecond, 150 * time.Millisecond, 30 * time.Millisecond}
	rc := newReceiver(t, reply{503, "down"})
	srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithNotifySchedule(schedule...))
	paid(t, srv, "s-1", "10")
	d := waitDeliveries(t, srv, 1)[0]
	require.Len(t, d.Attempts, len(schedule)+1)
	for i, wait := range schedule {
		gap := d.Attempts[i+1].At.Sub(d.Attempts[i].At)
		assert.GreaterOrEqual(t, gap, wait, "attempt %d came %v after attempt %d, the schedule says %v", i+2, gap, i+1, wait)
	}
}

func TestNotificationUnreachable(t *testing.T) {
	rc := newReceiver(t, reply{200, "SUCCESS"})
	url := rc.URL
	rc.Close()
	srv := newServer(t, qfpaytest.WithNotifyURL(url), qfpaytest.WithNotifySchedule())
	paid(t, srv, "u-1", "10")
	d := waitDeliveries(t, srv, 1)[0]
	assert.False(t, d.Delivered)
	require.Len(t, d.Attempts, 1)
	assert.Zero(t, d.Attempts[0].StatusCode)
	assert.NotEmpty(t, d.Attempts[0].Err)
}

func TestNotificationEvents(t *testing.T) {
	rc := newReceiver(t, reply{200, "SUCCESS"})
	// The pending payment settles by queries, not by the clock moved below.
	srv := newServer(t, fast, qfpaytest.WithMerchantID("lkbqahlRYj"), qfpaytest.WithPendingFor(time.Hour))
	m := func(kv ...string) []string { return append(kv, "mchid", "lkbqahlRYj") }

	// Before a notify URL: not notified.
	requireCode(t, post(t, srv, "/trade/v1/payment", form(m("pay_type", "800208", "txamt", "10", "txcurrcd", "THB", "out_trade_no", "e-0", "txdtm", txdtm, "auth_code", "1")...)), "0000")
	srv.SetNotifyURL(rc.URL)

	mpmSysSN := post(t, srv, "/trade/v1/payment", form(m("pay_type", "800101", "txamt", "100", "txcurrcd", "THB", "out_trade_no", "e-1", "txdtm", txdtm)...)).str("syssn")
	pending := post(t, srv, "/trade/v1/payment", form(m("pay_type", "800208", "txamt", "20", "txcurrcd", "THB", "out_trade_no", "e-2", "txdtm", txdtm, "auth_code", qfpaytest.AuthCodePending)...))
	failed := post(t, srv, "/trade/v1/payment", form(m("pay_type", "800208", "txamt", "20", "txcurrcd", "THB", "out_trade_no", "e-3", "txdtm", txdtm, "auth_code", qfpaytest.AuthCodeInvalid)...))
	requireCode(t, failed, "1202")
	assert.Empty(t, srv.Deliveries(), "nothing paid yet")

	srv.SetNow(t0.Add(time.Minute))
	require.NoError(t, srv.Pay(mpmSysSN))
	refundAns := post(t, srv, "/trade/v1/refund", form(m("syssn", mpmSysSN, "out_trade_no", "e-r", "txamt", "40", "txdtm", txdtm)...))
	requireCode(t, refundAns, "0000")
	for range 3 { // the pending payment settles at the third query
		post(t, srv, "/trade/v1/query", form(m("syssn", pending.str("syssn"))...))
	}

	ds := waitDeliveries(t, srv, 3)
	require.Len(t, ds, 3)
	bodies := make([]map[string]string, len(ds))
	for i, d := range ds {
		assert.True(t, d.Delivered)
		require.NoError(t, json.Unmarshal(d.Body, &bodies[i]), "every value a string: %s", d.Body)
		assert.Equal(t, "lkbqahlRYj", bodies[i]["mchid"], "mchid for a merchant that has one")
		assert.Equal(t, "1", bodies[i]["status"])
		assert.Equal(t, "0000", bodies[i]["respcd"])
	}
	for k, v := range map[string]string{"notify_type": "payment", "syssn": mpmSysSN, "out_trade_no": "e-1", "txamt": "100",
		"txcurrcd": "THB", "pay_type": "800101", "sysdtm": "2019-12-25 14:21:28", "paydtm": "2019-12-25 14:22:28"} {
		assert.Equal(t, v, bodies[0][k], k)
	}
	for k, v := range map[string]string{"notify_type": "refund", "syssn": refundAns.str("syssn"), "orig_syssn": mpmSysSN,
		"out_trade_no": "e-r", "txamt": "40", "cancel": "0"} {
		assert.Equal(t, v, bodies[1][k], k)
	}
	assert.Equal(t, "e-2", bodies[2]["out_trade_no"])
	assert.Equal(t, "payment", bodies[2]["notify_type"])
	assert.Len(t, rc.requests(), 3)
}

func TestCloseStopsDeliveries(t *testing.T) {
	rc := newReceiver(t, reply{500, "no"})
	srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithNotifySchedule(time.Hour))
	defer srv.Close()
	paid(t, srv, "c-1", "10")
	<-rc.arrived
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 5*time.Second, "Close does not wait for the next attempt")
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	assert.False(t, ds[0].Done)
	_, err := srv.WaitDeliveries(t.Context(), 1)
	assert.Error(t, err)
	srv.Close() // twice is fine
}

func TestPythonJSONEscapes(t *testing.T) {
	rc := newReceiver(t, reply{200, "SUCCESS"})
	srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL))
	// What Python 3 prints for json.dumps({"goods_name": ...}) of this text.
	name := "咖 é 😀 \"q\" \\ /<>&\x7f\n\r\t\b\f\x01"
	want := `"goods_name": "\u5496 \u00e9 \ud83d\ude00 \"q\" \\ /<>&\u007f\n\r\t\b\f\u0001"`
	requireCode(t, post(t, srv, "/trade/v1/payment", with(cpm("py-1", "10", "1"), "goods_name", name)), "0000")
	d := waitDeliveries(t, srv, 1)[0]
	assert.Contains(t, string(d.Body), want)
	var back map[string]string
	require.NoError(t, json.Unmarshal(d.Body, &back))
	assert.Equal(t, name, back["goods_name"])
}

// TestPerOrderNotifyURL: a payment's own notify_url receives its
// notification and its refunds', instead of the server's URL; other
// payments keep the server's.
func TestPerOrderNotifyURL(t *testing.T) {
	registered := newReceiver(t, reply{200, "SUCCESS"})
	perOrder := newReceiver(t, reply{200, "SUCCESS"})
	srv := newServer(t, qfpaytest.WithNotifyURL(registered.URL), fast)
	client := newClient(t, srv)
	ctx := t.Context()

	own, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 500, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "own-1", AuthCode: qfpaytest.AuthCodeSuccess, NotifyURL: perOrder.URL + "/qfpay/notify?shop=7"})
	require.NoError(t, err)
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: own.SysSN, OutTradeNo: "own-1-r", Amount: 100})
	require.NoError(t, err)
	plain, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 700, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "plain-1", AuthCode: qfpaytest.AuthCodeSuccess})
	require.NoError(t, err)

	ds := waitDeliveries(t, srv, 3)
	require.Len(t, ds, 3)
	tests := []struct {
		name, typ, syssn, url string
	}{
		{"payment with notify_url", "payment", own.SysSN, perOrder.URL + "/qfpay/notify?shop=7"},
		{"its refund", "refund", "", perOrder.URL + "/qfpay/notify?shop=7"},
		{"payment without", "payment", plain.SysSN, registered.URL},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.typ, ds[i].Type)
			if tt.syssn != "" {
				assert.Equal(t, tt.syssn, ds[i].SysSN)
			}
			assert.Equal(t, tt.url, ds[i].URL)
			assert.True(t, ds[i].Delivered)
		})
	}
	assert.Len(t, perOrder.requests(), 2)
	assert.Len(t, registered.requests(), 1)
}

// TestNotifyURLChecked: the gateway's String(256) and an absolute http(s)
// URL, refused with 1104 otherwise.
func TestNotifyURLChecked(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name, url, code string
	}{
		{"absolute https", "https://shop.example/n", "0000"},
		{"256 characters", "https://shop.example/" + strings.Repeat("n", 235), "0000"},
		{"257 characters", "https://shop.example/" + strings.Repeat("n", 236), "1104"},
		{"relative", "/qfpay/notify", "1104"},
		{"not http", "ftp://shop.example/n", "1104"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, "/trade/v1/payment", with(mpm("nu-"+itoa(i), "100"), "notify_url", tt.url))
			requireCode(t, a, tt.code)
			if tt.code != "0000" {
				assert.Contains(t, a.str("respmsg"), "notify_url")
			}
		})
	}
}
