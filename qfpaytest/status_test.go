package qfpaytest_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// statusPage gets the status page from loopback.
func statusPage(t *testing.T, srv *qfpaytest.Server) string {
	t.Helper()
	a := adminCall(t, srv, loopback, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	assert.Equal(t, "text/html; charset=utf-8", a.header.Get("Content-Type"))
	return string(a.body)
}

// cell returns the text of the cell of class class in the row of syssn.
func cell(t *testing.T, page, syssn, class string) string {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr data-syssn="` + regexp.QuoteMeta(syssn) + `">(.*?)</tr>`).FindStringSubmatch(page)
	require.NotNil(t, row, "no row for %s in\n%s", syssn, page)
	m := regexp.MustCompile(`<td class="` + class + `"[^>]*>(.*?)</td>`).FindStringSubmatch(row[1])
	require.NotNil(t, m, "no cell %s in %s", class, row[1])
	return html.UnescapeString(m[1])
}

func TestStatusPageEmpty(t *testing.T) {
	srv := newServer(t, qfpaytest.WithAdmin())
	page := statusPage(t, srv)
	assert.Contains(t, page, "<title>QF Pay sandbox</title>")
	assert.Contains(t, page, `<meta http-equiv="refresh" content="5">`)
	assert.Contains(t, page, "No transactions yet")
	assert.Contains(t, page, "No notifications yet")
	assert.Contains(t, page, `<span id="now">2019-12-25 14:21:28 &#43;08:00</span>`, "the server's time")
	assert.Contains(t, page, "curl -s "+srv.URL+"/_sandbox/v1/transactions", "the curl line, with the server's address")
	assert.NotContains(t, page, "<tr data-syssn")
	assert.NotContains(t, page, "<script", "no JavaScript")
	assert.NotContains(t, page, "<form", "read-only: nothing on the page moves money")
}

func TestStatusPageListsPayments(t *testing.T) {
	rc := newReceiver(t, reply{200, "SUCCESS"})
	srv := newServer(t, qfpaytest.WithAdmin(), qfpaytest.WithNotifyURL(rc.URL))
	syssn := waiting(t, srv, "page-1")
	a := post(t, srv, "/trade/v1/payment", with(mpm("page-2", "123456"), "goods_name", `<script>alert("x")</script>`))
	requireCode(t, a, "0000")
	big := a.str("syssn")

	page := statusPage(t, srv)
	assert.NotContains(t, page, "No transactions yet")
	assert.Less(t, strings.Index(page, big), strings.Index(page, `data-syssn="`+syssn), "newest first")
	assert.Equal(t, "page-1", cell(t, page, syssn, "out-trade-no"))
	assert.Equal(t, "800101", cell(t, page, syssn, "pay-type"))
	assert.Equal(t, "HKD 0.10", cell(t, page, syssn, "amount"))
	assert.Equal(t, "waiting", cell(t, page, syssn, "status"))
	assert.Equal(t, "2019-12-25 14:21:28 +08:00", cell(t, page, syssn, "time"))
	assert.Equal(t, "HKD 1234.56", cell(t, page, big, "amount"))
	assert.Equal(t, `<script>alert("x")</script>`, cell(t, page, big, "goods-name"), "shown as text")
	assert.Contains(t, page, `<td class="goods-name">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td>`, "escaped by html/template")
	assert.NotContains(t, page, "<script>")
	assert.Contains(t, page, "No notifications yet")
	assert.Contains(t, page, "-d ref="+big, "the curl lines name the newest waiting payment")

	require.NoError(t, srv.Pay(syssn))
	waitDeliveries(t, srv, 1)
	page = statusPage(t, srv)
	assert.Equal(t, "paid", cell(t, page, syssn, "status"))
	row := regexp.MustCompile(`(?s)<tr data-delivery="0">(.*?)</tr>`).FindStringSubmatch(page)
	require.NotNil(t, row, page)
	for class, want := range map[string]string{
		"type": "payment", "syssn": syssn, "url": rc.URL, "attempts": "1", "last-status": "200", "state": "delivered",
	} {
		assert.Contains(t, row[1], `<td class="`+class+`">`+want+`</td>`, class)
	}
}

// TestStatusPageWords: the status cell says each state in a word.
func TestStatusPageWords(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *qfpaytest.Server) string // returns the row's syssn
		want  string
	}{
		{"waiting", func(t *testing.T, srv *qfpaytest.Server) string { return waiting(t, srv, "w-1") }, "waiting"},
		{"paid", func(t *testing.T, srv *qfpaytest.Server) string { return paid(t, srv, "w-1", "10") }, "paid"},
		{"failed", func(t *testing.T, srv *qfpaytest.Server) string {
			s := waiting(t, srv, "w-1")
			require.NoError(t, srv.Fail(s, "1205"))
			return s
		}, "failed 1205"},
		{"declined at once", func(t *testing.T, srv *qfpaytest.Server) string {
			return post(t, srv, "/trade/v1/payment", cpm("w-1", "10", qfpaytest.AuthCodeInsufficientBalance)).str("syssn")
		}, "failed 1201"},
		{"expired", func(t *testing.T, srv *qfpaytest.Server) string {
			s := waiting(t, srv, "w-1")
			_, err := srv.Expire(s)
			require.NoError(t, err)
			return s
		}, "expired"},
		{"expired by the clock", func(t *testing.T, srv *qfpaytest.Server) string {
			s := waiting(t, srv, "w-1")
			srv.Advance(31 * time.Minute)
			return s
		}, "expired"},
		{"pending", func(t *testing.T, srv *qfpaytest.Server) string {
			return post(t, srv, "/trade/v1/payment", cpm("w-1", "10", qfpaytest.AuthCodePending)).str("syssn")
		}, "pending"},
		{"pending with 1143", func(t *testing.T, srv *qfpaytest.Server) string {
			return post(t, srv, "/trade/v1/payment", cpm("w-1", "10", qfpaytest.AuthCodePasswordPending)).str("syssn")
		}, "pending"},
		{"closed", func(t *testing.T, srv *qfpaytest.Server) string {
			s := waiting(t, srv, "w-1")
			requireCode(t, post(t, srv, "/trade/v1/reversal", form("syssn", s, "txamt", "10", "txdtm", "2019-12-25 14:21:28")), "0000")
			return s
		}, "closed"},
		{"refunded in full", func(t *testing.T, srv *qfpaytest.Server) string {
			s := paid(t, srv, "w-1", "10")
			requireCode(t, post(t, srv, "/trade/v1/refund", refund(s, "w-r", "10")), "0000")
			return s
		}, "refunded"},
		{"refunded in part", func(t *testing.T, srv *qfpaytest.Server) string {
			s := paid(t, srv, "w-1", "10")
			requireCode(t, post(t, srv, "/trade/v1/refund", refund(s, "w-r", "4")), "0000")
			return s
		}, "partly refunded"},
		{"a refund", func(t *testing.T, srv *qfpaytest.Server) string {
			s := paid(t, srv, "w-1", "10")
			a := post(t, srv, "/trade/v1/refund", refund(s, "w-r", "4"))
			requireCode(t, a, "0000")
			return a.str("syssn")
		}, "refunded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithAdmin())
			syssn := tt.setup(t, srv)
			require.NotEmpty(t, syssn)
			assert.Equal(t, tt.want, cell(t, statusPage(t, srv), syssn, "status"))
		})
	}
}

// TestStatusPageDeliveryStates: a delivery is delivered, failing (retries
// left) or given up.
func TestStatusPageDeliveryStates(t *testing.T) {
	tests := []struct {
		name     string
		schedule []time.Duration
		want     string
	}{
		{"given up", nil, "given up"},
		{"failing", []time.Duration{time.Hour}, "failing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, reply{500, "no"})
			srv := newServer(t, qfpaytest.WithAdmin(), qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithNotifySchedule(tt.schedule...))
			paid(t, srv, "ds-1", "10")
			require.Eventually(t, func() bool { return len(srv.Deliveries()[0].Attempts) == 1 }, 5*time.Second, time.Millisecond)
			page := statusPage(t, srv)
			assert.Contains(t, page, `<td class="state">`+tt.want+`</td>`)
			assert.Contains(t, page, `<td class="last-status">500</td>`)
		})
	}
}

// TestBuildNotificationIsTheServers: BuildNotification writes, byte for
// byte, the body the server delivered for the same transaction.
func TestBuildNotificationIsTheServers(t *testing.T) {
	tests := []struct {
		name   string
		opts   []qfpaytest.Option
		params url.Values
		refund bool
		zone   *time.Location
		mchid  string
	}{
		{"payment", nil, with(cpm("bn-1", "1234", qfpaytest.AuthCodeSuccess), "goods_name", "咖啡 \"café\" 🍵"), false, nil, ""},
		{"refund", nil, cpm("bn-1", "1234", qfpaytest.AuthCodeSuccess), true, nil, ""},
		{"merchant with a mchid", []qfpaytest.Option{qfpaytest.WithMerchantID("MCH42")},
			with(cpm("bn-1", "10", qfpaytest.AuthCodeSuccess), "mchid", "MCH42"), false, nil, "MCH42"},
		{"txzone", nil, with(cpm("bn-1", "10", qfpaytest.AuthCodeSuccess), "txzone", "-0500"), false, time.FixedZone("", -5*3600), ""},
		{"merchant-presented, paid later", nil, with(mpm("bn-1", "10"), "goods_info", "tea\nleaves"), false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t, append(tt.opts, qfpaytest.WithNotifyURL(rc.URL))...)
			a := post(t, srv, "/trade/v1/payment", tt.params)
			requireCode(t, a, "0000")
			ref := "bn-1"
			if tt.params.Get("auth_code") == "" {
				srv.Advance(time.Minute) // paid a minute after it was made
				require.NoError(t, srv.Pay(ref))
			}
			n := 1
			if tt.refund {
				requireCode(t, post(t, srv, "/trade/v1/refund", refund(a.str("syssn"), "bn-r", "34")), "0000")
				ref, n = "bn-r", 2
			}
			d := waitDeliveries(t, srv, n)[n-1]
			tx, ok := srv.Transaction(ref)
			require.True(t, ok)

			built := qfpaytest.BuildNotification(qfpaytest.NotificationFields{
				Type: qfpay.NotifyType(tx.OrderType), PayType: tx.PayType, SysSN: tx.SysSN, OrigSysSN: tx.OrigSysSN,
				OutTradeNo: tx.OutTradeNo, Amount: tx.Amount, Currency: tx.Currency, GoodsName: tx.GoodsName,
				GoodsInfo: tx.GoodsInfo, MerchantID: tt.mchid, TxTime: tx.TxTime, SysTime: tx.SysTime,
				PayTime: tx.PayTime, Zone: tt.zone, RespCode: tx.RespCode, Cancel: tx.Cancel, ChannelSN: tx.ChannelSN,
			})
			assert.Equal(t, string(d.Body), string(built))
			assert.Equal(t, d.Signature, qfpay.SignNotification(built, clientKey))
			require.NoError(t, qfpay.VerifyNotification(built, d.Signature, clientKey))
			n2, err := qfpay.ParseNotification(built, d.Signature, clientKey)
			require.NoError(t, err)
			assert.Equal(t, tx.SysSN, n2.SysSN)
			assert.Equal(t, tx.Amount, n2.Amount)
		})
	}
}

// TestBuildNotificationDefaults: the written form of the fields left
// empty, against the documentation's order written out by hand.
func TestBuildNotificationDefaults(t *testing.T) {
	paidAt := time.Date(2026, 3, 1, 2, 3, 4, 0, time.UTC)
	tests := []struct {
		name string
		f    qfpaytest.NotificationFields
		want string
	}{
		{"empty", qfpaytest.NotificationFields{},
			`{"status": "1", "pay_type": "", "sysdtm": "", "paydtm": "", "goods_name": "", "txcurrcd": "", "txdtm": "", ` +
				`"txamt": "0", "exchange_rate": "", "chnlsn2": "", "out_trade_no": "", "syssn": "", "cash_fee_type": "", ` +
				`"cancel": "0", "respcd": "0000", "goods_info": "", "cash_fee": "0", "notify_type": "payment", "chnlsn": "", "cardcd": ""}`},
		{"refund in Beijing time", qfpaytest.NotificationFields{
			Type: qfpay.NotifyRefund, PayType: qfpay.PayTypeWeChatMPM, SysSN: "2", OrigSysSN: "1", OutTradeNo: "r-1",
			Amount: 5, Currency: qfpay.CurrencyHKD, TxTime: "2026-03-01 10:00:00", SysTime: paidAt, PayTime: paidAt,
			MerchantID: "M", Cancel: qfpay.CancelNone, ChannelSN: "c", RespCode: "0000",
		},
			`{"status": "1", "pay_type": "800201", "sysdtm": "2026-03-01 10:03:04", "paydtm": "2026-03-01 10:03:04", "goods_name": "", ` +
				`"txcurrcd": "HKD", "txdtm": "2026-03-01 10:00:00", "mchid": "M", "txamt": "5", "exchange_rate": "", "chnlsn2": "", ` +
				`"out_trade_no": "r-1", "syssn": "2", "cash_fee_type": "", "cancel": "0", "respcd": "0000", "goods_info": "", ` +
				`"cash_fee": "5", "notify_type": "refund", "chnlsn": "c", "cardcd": "", "orig_syssn": "1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(qfpaytest.BuildNotification(tt.f)))
		})
	}
}
