package qfpaytest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// adminAnswer is one answer of the admin API or the status page.
type adminAnswer struct {
	status int
	header http.Header
	body   []byte
}

// adminCall sends a request to srv's handler from remote: a POST carries
// values as a form body, a GET in the query.
func adminCall(t *testing.T, srv *qfpaytest.Server, remote, method, path string, values url.Values, hdr ...string) adminAnswer {
	t.Helper()
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		target := path
		if len(values) > 0 {
			target += "?" + values.Encode()
		}
		req = httptest.NewRequest(method, target, nil)
	}
	req.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return adminAnswer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

const loopback = "127.0.0.1:40000"

// admin calls the admin API from loopback and decodes a 200 answer into v.
func admin(t *testing.T, srv *qfpaytest.Server, method, path string, values url.Values, v any) {
	t.Helper()
	a := adminCall(t, srv, loopback, method, path, values)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	require.NoError(t, json.Unmarshal(a.body, v), "%s", a.body)
}

type txAnswer struct {
	Transaction qfpaytest.Transaction `json:"transaction"`
}

// waiting makes a merchant-presented payment of 10 HKD cents, waiting for
// the customer, and returns its syssn.
func waiting(t *testing.T, srv *qfpaytest.Server, outTradeNo string) string {
	t.Helper()
	a := post(t, srv, "/trade/v1/payment", with(mpm(outTradeNo, "10"), "goods_name", "tea"))
	requireCode(t, a, "0000")
	return a.str("syssn")
}

func TestAdminTransactions(t *testing.T) {
	srv := newServer(t, qfpaytest.WithAdmin())
	first := waiting(t, srv, "adm-1")
	second := waiting(t, srv, "adm-2")
	require.NoError(t, srv.Pay(second))

	var got struct {
		Now          time.Time               `json:"now"`
		Transactions []qfpaytest.Transaction `json:"transactions"`
	}
	admin(t, srv, http.MethodGet, "/_sandbox/v1/transactions", nil, &got)
	assert.True(t, got.Now.Equal(t0), "now is the server's clock: %s", got.Now)
	require.Len(t, got.Transactions, 2)
	assert.Equal(t, []string{second, first}, []string{got.Transactions[0].SysSN, got.Transactions[1].SysSN}, "newest first")

	p, w := got.Transactions[0], got.Transactions[1]
	assert.Equal(t, "adm-2", p.OutTradeNo)
	assert.Equal(t, qfpay.OrderTypePayment, p.OrderType)
	assert.Equal(t, qfpay.PayTypeAlipayMPM, p.PayType)
	assert.Equal(t, int64(10), p.Amount)
	assert.Equal(t, qfpay.CurrencyHKD, p.Currency)
	assert.Equal(t, "0000", p.RespCode)
	assert.Equal(t, qfpay.CancelNone, p.Cancel)
	assert.Equal(t, "2019-12-25 14:21:28", p.TxTime)
	assert.True(t, p.SysTime.Equal(t0))
	assert.True(t, p.PayTime.Equal(t0))
	assert.Equal(t, "tea", p.GoodsName)
	assert.Equal(t, "42"+second, p.ChannelSN)
	assert.Equal(t, srv.URL+"/pay/"+second, p.QRCode)

	assert.Equal(t, "1143", w.RespCode)
	assert.True(t, w.PayTime.IsZero())
	assert.True(t, w.ExpireTime.Equal(t0.Add(30*time.Minute)), "expire_time: %s", w.ExpireTime)

	// The JSON names of the contract; an unpaid payment has no pay_time.
	raw := adminCall(t, srv, loopback, http.MethodGet, "/_sandbox/v1/transactions", nil)
	var names struct {
		Transactions []map[string]any `json:"transactions"`
	}
	require.NoError(t, json.Unmarshal(raw.body, &names))
	for _, k := range []string{"syssn", "orig_syssn", "out_trade_no", "order_type", "pay_type", "amount", "currency",
		"respcd", "cancel", "refunded", "frozen", "txdtm", "sys_time", "pay_time", "expire_time", "goods_name"} {
		assert.Contains(t, names.Transactions[0], k)
	}
	assert.NotContains(t, names.Transactions[1], "pay_time", "omitted while zero")
	assert.Equal(t, "2019-12-25T14:21:28+08:00", names.Transactions[1]["sys_time"], "RFC 3339")
}

func TestAdminActions(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		values func(syssn string) url.Values
		check  func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction)
	}{
		{"pay by syssn", "/_sandbox/v1/pay", func(s string) url.Values { return form("ref", s) },
			func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction) {
				assert.Equal(t, "0000", tx.RespCode)
				assert.True(t, tx.PayTime.Equal(t0))
				assert.Equal(t, "42"+tx.SysSN, tx.ChannelSN)
			}},
		{"pay by out_trade_no", "/_sandbox/v1/pay", func(string) url.Values { return form("ref", "act-1") },
			func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction) {
				assert.Equal(t, "0000", tx.RespCode)
			}},
		{"fail with the default decline", "/_sandbox/v1/fail", func(s string) url.Values { return form("ref", s) },
			func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction) {
				assert.Equal(t, "1205", tx.RespCode)
				assert.True(t, tx.PayTime.IsZero())
			}},
		{"fail with a code", "/_sandbox/v1/fail", func(s string) url.Values { return form("ref", s, "respcd", "1201") },
			func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction) {
				assert.Equal(t, "1201", tx.RespCode)
			}},
		{"expire", "/_sandbox/v1/expire", func(s string) url.Values { return form("ref", s) },
			func(t *testing.T, srv *qfpaytest.Server, tx qfpaytest.Transaction) {
				assert.Equal(t, "1181", tx.RespCode)
				assert.True(t, tx.ExpireTime.Equal(t0), "expired now: %s", tx.ExpireTime)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithAdmin())
			syssn := waiting(t, srv, "act-1")
			var got txAnswer
			admin(t, srv, http.MethodPost, tt.path, tt.values(syssn), &got)
			assert.Equal(t, syssn, got.Transaction.SysSN)
			assert.Equal(t, "act-1", got.Transaction.OutTradeNo)
			assert.Equal(t, int64(10), got.Transaction.Amount)
			tt.check(t, srv, got.Transaction)
			held, _ := srv.Transaction(syssn)
			assert.Equal(t, held.RespCode, got.Transaction.RespCode, "the answer is the server's state")
			assert.Equal(t, held.RespCode, queryOne(t, srv, syssn)["respcd"], "and the query lists it")
		})
	}

	t.Run("values in the query string", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithAdmin())
		syssn := waiting(t, srv, "act-q")
		req := httptest.NewRequest(http.MethodPost, "/_sandbox/v1/fail?ref="+syssn+"&respcd=1202", nil)
		req.RemoteAddr = loopback
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		tx, _ := srv.Transaction(syssn)
		assert.Equal(t, "1202", tx.RespCode)
	})
}

func TestAdminAdvance(t *testing.T) {
	srv := newServer(t, qfpaytest.WithAdmin())
	var got struct {
		Now time.Time `json:"now"`
	}
	admin(t, srv, http.MethodPost, "/_sandbox/v1/advance", form("by", "1h30m"), &got)
	want := t0.Add(90 * time.Minute)
	assert.True(t, got.Now.Equal(want), "now %s", got.Now)
	assert.True(t, srv.Now().Equal(want), "the server's clock moved")
}

func TestAdminNotificationsAndRedeliver(t *testing.T) {
	rc := newReceiver(t, reply{500, "down"})
	srv := newServer(t, qfpaytest.WithAdmin(), qfpaytest.WithNotifyURL(rc.URL), qfpaytest.WithNotifySchedule())
	syssn := paid(t, srv, "nt-1", "10")
	d := waitDeliveries(t, srv, 1)[0]

	var list struct {
		Notifications []qfpaytest.Delivery `json:"notifications"`
	}
	admin(t, srv, http.MethodGet, "/_sandbox/v1/notifications", nil, &list)
	require.Len(t, list.Notifications, 1)
	n := list.Notifications[0]
	assert.Equal(t, 0, n.ID)
	assert.Equal(t, "payment", n.Type)
	assert.Equal(t, syssn, n.SysSN)
	assert.Equal(t, "nt-1", n.OutTradeNo)
	assert.Equal(t, rc.URL, n.URL)
	assert.Equal(t, string(d.Body), string(n.Body))
	assert.Equal(t, d.Signature, n.Signature)
	require.Len(t, n.Attempts, 1)
	assert.Equal(t, 500, n.Attempts[0].StatusCode)
	assert.Equal(t, "down", n.Attempts[0].Response)
	assert.Equal(t, rc.URL, n.Attempts[0].URL)
	assert.True(t, n.Attempts[0].At.Equal(d.Attempts[0].At))
	assert.False(t, n.Delivered)
	assert.True(t, n.Done)

	raw := adminCall(t, srv, loopback, http.MethodGet, "/_sandbox/v1/notifications", nil)
	assert.Contains(t, string(raw.body), `"body":"{\"status\": \"1\"`, "the body is a JSON string, not base64")

	ok := newReceiver(t, reply{200, "SUCCESS"})
	var re struct {
		Notification qfpaytest.Delivery `json:"notification"`
	}
	admin(t, srv, http.MethodPost, "/_sandbox/v1/notifications/redeliver", form("id", "0", "to", ok.URL+"/notify"), &re)
	r := re.Notification
	assert.Equal(t, 0, r.ID)
	require.Len(t, r.Attempts, 2)
	assert.Equal(t, ok.URL+"/notify", r.Attempts[1].URL)
	assert.Equal(t, 200, r.Attempts[1].StatusCode)
	assert.True(t, r.Delivered)
	assert.True(t, r.Done)
	assert.Equal(t, rc.URL, r.URL, "the delivery keeps its own URL")
	require.Len(t, ok.requests(), 1)
	assert.Equal(t, d.Body, ok.requests()[0].body)
}

func TestAdminErrors(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		values url.Values
		status int
		reason string
	}{
		{"pay without ref", "POST", "/_sandbox/v1/pay", nil, 400, "ref is required: a syssn or an out_trade_no"},
		{"pay of an unknown ref", "POST", "/_sandbox/v1/pay", form("ref", "nope"), 404, `no such transaction: "nope"`},
		{"pay of a paid payment", "POST", "/_sandbox/v1/pay", form("ref", "paid-1"), 409, "transaction cannot be paid: "},
		{"pay of a refund", "POST", "/_sandbox/v1/pay", form("ref", "refund-1"), 409, "transaction cannot be paid: "},
		{"fail without ref", "POST", "/_sandbox/v1/fail", form("respcd", "1205"), 400, "ref is required"},
		{"fail with a short code", "POST", "/_sandbox/v1/fail", form("ref", "wait-1", "respcd", "12"), 400, `respcd "12" is not a failure code`},
		{"fail with 0000", "POST", "/_sandbox/v1/fail", form("ref", "wait-1", "respcd", "0000"), 400, `respcd "0000" is not a failure code`},
		{"fail with a pending code", "POST", "/_sandbox/v1/fail", form("ref", "wait-1", "respcd", "1145"), 400, `respcd "1145" is not a failure code`},
		{"fail of an unknown ref", "POST", "/_sandbox/v1/fail", form("ref", "nope"), 404, `no such transaction: "nope"`},
		{"fail of a paid payment", "POST", "/_sandbox/v1/fail", form("ref", "paid-1"), 409, "transaction settled already: "},
		{"expire without ref", "POST", "/_sandbox/v1/expire", nil, 400, "ref is required"},
		{"expire of an unknown ref", "POST", "/_sandbox/v1/expire", form("ref", "nope"), 404, `no such transaction: "nope"`},
		{"expire of a paid payment", "POST", "/_sandbox/v1/expire", form("ref", "paid-1"), 409, "transaction cannot be paid: "},
		{"advance without by", "POST", "/_sandbox/v1/advance", nil, 400, "by is required"},
		{"advance by nothing", "POST", "/_sandbox/v1/advance", form("by", "0s"), 400, `by "0s": want a positive Go duration`},
		{"advance backwards", "POST", "/_sandbox/v1/advance", form("by", "-1h"), 400, `by "-1h": want a positive Go duration`},
		{"advance by a number", "POST", "/_sandbox/v1/advance", form("by", "60"), 400, `by "60": want a positive Go duration`},
		{"redeliver without id", "POST", "/_sandbox/v1/notifications/redeliver", nil, 400, "id is required"},
		{"redeliver of a bad id", "POST", "/_sandbox/v1/notifications/redeliver", form("id", "first"), 400, `id "first": want a delivery's id`},
		{"redeliver of a negative id", "POST", "/_sandbox/v1/notifications/redeliver", form("id", "-1"), 400, `id "-1": want a delivery's id`},
		{"redeliver of an unknown id", "POST", "/_sandbox/v1/notifications/redeliver", form("id", "7"), 404, "no delivery 7 (0 made so far)"},
		{"redeliver to a bad URL", "POST", "/_sandbox/v1/notifications/redeliver", form("id", "0", "to", "ftp://x/"), 400, `redelivery URL "ftp://x/": want an absolute http(s) URL`},
		{"GET of pay", "GET", "/_sandbox/v1/pay", form("ref", "wait-1"), 405, "method GET not allowed on /_sandbox/v1/pay, use POST"},
		{"POST of transactions", "POST", "/_sandbox/v1/transactions", nil, 405, "method POST not allowed on /_sandbox/v1/transactions, use GET"},
		{"DELETE of the status page", "DELETE", "/", nil, 405, "method DELETE not allowed on /, use GET"},
		{"unknown endpoint", "GET", "/_sandbox/v1/refund", nil, 404, "no admin endpoint /_sandbox/v1/refund"},
		{"unknown version", "GET", "/_sandbox/v2/transactions", nil, 404, "no admin endpoint /_sandbox/v2/transactions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithAdmin())
			waiting(t, srv, "wait-1")
			payment := paid(t, srv, "paid-1", "10")
			requireCode(t, post(t, srv, "/trade/v1/refund", refund(payment, "refund-1", "5")), "0000")
			before := srv.Transactions()

			a := adminCall(t, srv, loopback, tt.method, tt.path, tt.values)
			assert.Equal(t, tt.status, a.status)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			var e struct {
				Error string `json:"error"`
			}
			require.NoError(t, json.Unmarshal(a.body, &e), "%s", a.body)
			assert.True(t, strings.HasPrefix(e.Error, "qfpay sandbox: "+tt.reason), "error %q, want it to start with %q", e.Error, "qfpay sandbox: "+tt.reason)
			if tt.status == http.StatusMethodNotAllowed {
				assert.NotEmpty(t, a.header.Get("Allow"))
			}
			assert.Equal(t, before, srv.Transactions(), "a refused call changes nothing")
		})
	}
}

// TestAdminLoopbackOnly: the admin API and the status page answer only
// loopback clients, whatever X-Forwarded-For says.
func TestAdminLoopbackOnly(t *testing.T) {
	tests := []struct {
		name   string
		remote string
		header []string
		ok     bool
	}{
		{"IPv4 loopback", "127.0.0.1:1234", nil, true},
		{"another 127/8 address", "127.8.9.10:1", nil, true},
		{"IPv6 loopback", "[::1]:5", nil, true},
		{"IPv4-mapped loopback", "[::ffff:127.0.0.1]:5", nil, true},
		{"documentation address", "192.0.2.1:1234", nil, false},
		{"private address", "10.0.0.7:80", nil, false},
		{"IPv6 address", "[2001:db8::1]:443", nil, false},
		{"unspecified address", "0.0.0.0:1", nil, false},
		{"no port", "127.0.0.1", nil, false},
		{"empty", "", nil, false},
		{"remote client claiming loopback", "192.0.2.1:1234", []string{"X-Forwarded-For", "127.0.0.1"}, false},
		{"local proxy relaying a remote client", "127.0.0.1:1234", []string{"X-Forwarded-For", "127.0.0.1, 203.0.113.9"}, false},
		{"local proxy relaying garbage", "127.0.0.1:1234", []string{"X-Forwarded-For", "unknown"}, false},
		{"local proxy relaying a local client", "127.0.0.1:1234", []string{"X-Forwarded-For", "::1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithAdmin())
			syssn := waiting(t, srv, "lb-1")
			for _, path := range []string{"/", "/_sandbox/v1/transactions", "/_sandbox/v1/notifications"} {
				a := adminCall(t, srv, tt.remote, http.MethodGet, path, nil, tt.header...)
				if tt.ok {
					assert.Equal(t, http.StatusOK, a.status, "%s: %s", path, a.body)
					continue
				}
				assert.Equal(t, http.StatusForbidden, a.status, path)
				assert.Equal(t, "application/json", a.header.Get("Content-Type"))
				assert.JSONEq(t, `{"error":"qfpay sandbox: the admin API and the status page answer loopback clients only"}`, string(a.body))
			}
			a := adminCall(t, srv, tt.remote, http.MethodPost, "/_sandbox/v1/pay", form("ref", syssn), tt.header...)
			tx, _ := srv.Transaction(syssn)
			if tt.ok {
				assert.Equal(t, http.StatusOK, a.status)
				assert.Equal(t, "0000", tx.RespCode)
			} else {
				assert.Equal(t, http.StatusForbidden, a.status)
				assert.Equal(t, "1143", tx.RespCode, "a refused pay pays nothing")
			}
		})
	}
}

// TestAdminCrossOrigin: a page of another web site, open in the
// developer's browser on the same machine, cannot move the sandbox's money
// through the admin API; the status page itself, curl and same-origin
// requests can.
func TestAdminCrossOrigin(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		header []string
		status int
	}{
		{"cross-site fetch", http.MethodPost, "/_sandbox/v1/pay", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-site fetch from another port", http.MethodPost, "/_sandbox/v1/pay", []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"form of another origin, older browser", http.MethodPost, "/_sandbox/v1/pay", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"same origin", http.MethodPost, "/_sandbox/v1/pay", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusOK},
		{"Origin equal to the host", http.MethodPost, "/_sandbox/v1/pay", []string{"Origin", "http://example.com"}, http.StatusOK},
		{"typed by the user", http.MethodPost, "/_sandbox/v1/pay", []string{"Sec-Fetch-Site", "none"}, http.StatusOK},
		{"curl: no browser headers", http.MethodPost, "/_sandbox/v1/pay", nil, http.StatusOK},
		{"cross-site GET of the status page", http.MethodGet, "/", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithAdmin())
			syssn := waiting(t, srv, "xo-1")
			a := adminCall(t, srv, loopback, tt.method, tt.path, form("ref", syssn), tt.header...)
			require.Equal(t, tt.status, a.status, "%s", a.body)
			tx, _ := srv.Transaction(syssn)
			if tt.status == http.StatusForbidden {
				assert.Contains(t, string(a.body), "qfpay sandbox: a web page of another origin may not call the admin API")
				assert.Equal(t, "1143", tx.RespCode, "a refused pay pays nothing")
			} else if tt.method == http.MethodPost {
				assert.Equal(t, "0000", tx.RespCode)
			}
		})
	}
}

// TestWithoutAdmin: without WithAdmin the paths stay unknown, and the
// gateway's own paths are not affected by it.
func TestWithoutAdmin(t *testing.T) {
	for _, path := range []string{"/", "/_sandbox/v1/transactions", "/_sandbox/v1/pay"} {
		t.Run(path, func(t *testing.T) {
			srv := newServer(t)
			syssn := waiting(t, srv, "na-1")
			a := adminCall(t, srv, loopback, http.MethodPost, path, form("ref", syssn))
			assert.Equal(t, http.StatusNotFound, a.status)
			tx, _ := srv.Transaction(syssn)
			assert.Equal(t, "1143", tx.RespCode)
		})
	}
	t.Run("gateway paths under WithAdmin", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithAdmin())
		a := adminCall(t, srv, "192.0.2.1:1234", http.MethodGet, "/favicon.ico", nil)
		assert.Equal(t, http.StatusNotFound, a.status, "other paths stay 404, for anyone")
		requireCode(t, post(t, srv, "/trade/v1/payment", mpm("gw-1", "10")), "0000")
	})
}

// adminPost calls the admin API over HTTP, as curl or the qfpay command.
func adminPost(t *testing.T, srv *qfpaytest.Server, path string, values url.Values) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+path, values)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestAdminDrivesTheSDK: what the admin API does is what the SDK sees.
func TestAdminDrivesTheSDK(t *testing.T) {
	t.Run("expire", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithAdmin())
		client := newClient(t, srv)
		resp, err := client.Payment(t.Context(), paymentReq("sdk-exp", 10))
		require.NoError(t, err)
		adminPost(t, srv, "/_sandbox/v1/expire", form("ref", resp.SysSN))

		assert.Equal(t, "1181", only(t, client, queryBySysSN(resp.SysSN)).RespCode)
		tx, err := client.WaitForPayment(t.Context(), "sdk-exp")
		require.ErrorIs(t, err, qfpay.ErrPaymentFailed)
		assert.Equal(t, "1181", apiCode(t, err))
		require.NotNil(t, tx)
		assert.Equal(t, resp.SysSN, tx.SysSN)
	})
	t.Run("fail", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithAdmin())
		client := newClient(t, srv)
		_, err := client.Payment(t.Context(), paymentReq("sdk-fail", 10))
		require.NoError(t, err)
		adminPost(t, srv, "/_sandbox/v1/fail", form("ref", "sdk-fail", "respcd", "1201"))

		_, err = client.WaitForPayment(t.Context(), "sdk-fail")
		require.ErrorIs(t, err, qfpay.ErrPaymentFailed)
		assert.Equal(t, "1201", apiCode(t, err))
	})
	t.Run("advance settles a pending payment", func(t *testing.T) {
		rc := newReceiver(t, reply{200, "SUCCESS"})
		srv := newServer(t, qfpaytest.WithAdmin(), qfpaytest.WithNotifyURL(rc.URL),
			qfpaytest.WithPendingFor(time.Minute), qfpaytest.WithPendingQueries(-1))
		requireCode(t, post(t, srv, "/trade/v1/payment", cpm("sdk-pend", "10", qfpaytest.AuthCodePending)), "1145")
		adminPost(t, srv, "/_sandbox/v1/advance", form("by", "59s"))
		tx, _ := srv.Transaction("sdk-pend")
		assert.Equal(t, "1145", tx.RespCode, "still pending before its time")

		adminPost(t, srv, "/_sandbox/v1/advance", form("by", "1s"))
		client := newClient(t, srv)
		got, err := client.WaitForPayment(t.Context(), "sdk-pend")
		require.NoError(t, err)
		assert.Equal(t, "0000", got.RespCode)
		d := waitDeliveries(t, srv, 1)
		require.Len(t, d, 1)
		assert.True(t, d[0].Delivered)
		assert.Equal(t, "sdk-pend", d[0].OutTradeNo)
		require.NoError(t, qfpay.VerifyNotification(rc.requests()[0].body, rc.requests()[0].header.Get("X-QF-SIGN"), clientKey))
	})
}

func TestExpire(t *testing.T) {
	srv := newServer(t)
	waiting(t, srv, "ex-1")
	paid(t, srv, "ex-2", "10")
	requireCode(t, post(t, srv, "/trade/v1/payment", cpm("ex-3", "10", qfpaytest.AuthCodePending)), "1145")

	tests := []struct {
		name, ref string
		want      error
		respcd    string
	}{
		{"waiting payment", "ex-1", nil, "1181"},
		{"expired already", "ex-1", qfpaytest.ErrNotPayable, "1181"},
		{"paid payment", "ex-2", qfpaytest.ErrNotPayable, "0000"},
		{"pending payment", "ex-3", nil, "1181"},
		{"unknown", "ex-4", qfpaytest.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := srv.Expire(tt.ref)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.Equal(t, qfpaytest.Transaction{}, tx)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.ref, tx.OutTradeNo)
				assert.Equal(t, tt.respcd, tx.RespCode)
			}
			if tt.respcd != "" {
				held, _ := srv.Transaction(tt.ref)
				assert.Equal(t, tt.respcd, held.RespCode)
				assert.Equal(t, tt.respcd, queryOne(t, srv, held.SysSN)["respcd"])
			}
		})
	}
	t.Run("the pending payment stays expired", func(t *testing.T) {
		srv.Advance(time.Hour)
		held, _ := srv.Transaction("ex-3")
		assert.Equal(t, "1181", held.RespCode, "its settlement does not pay it")
		assert.Empty(t, srv.Deliveries())
		assert.ErrorIs(t, srv.Pay("ex-1"), qfpaytest.ErrNotPayable, "an expired payment cannot be paid")
	})
}

func TestRedeliver(t *testing.T) {
	down := newReceiver(t, reply{503, "down"})
	srv := newServer(t, qfpaytest.WithNotifyURL(down.URL), qfpaytest.WithNotifySchedule())
	paid(t, srv, "rd-1", "10")
	d := waitDeliveries(t, srv, 1)[0]
	require.False(t, d.Delivered)

	up := newReceiver(t, reply{200, "SUCCESS"})
	got, err := srv.Redeliver(0, up.URL)
	require.NoError(t, err)
	reqs := up.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, d.Body, reqs[0].body, "the same body")
	assert.Equal(t, d.Signature, reqs[0].header.Get("X-QF-SIGN"), "the same signature")
	assert.Equal(t, "application/json", reqs[0].header.Get("Content-Type"))
	require.NoError(t, qfpay.VerifyNotification(reqs[0].body, reqs[0].header.Get("X-QF-SIGN"), clientKey))
	require.Len(t, got.Attempts, 2)
	assert.Equal(t, up.URL, got.Attempts[1].URL)
	assert.Equal(t, 200, got.Attempts[1].StatusCode)
	assert.Equal(t, "SUCCESS", got.Attempts[1].Response)
	assert.True(t, got.Delivered)
	assert.True(t, got.Done)
	assert.Equal(t, got, srv.Deliveries()[0], "recorded on the server")

	// To its own URL again: refused there, recorded, still delivered.
	got, err = srv.Redeliver(0, "")
	require.NoError(t, err)
	require.Len(t, got.Attempts, 3)
	assert.Equal(t, down.URL, got.Attempts[2].URL)
	assert.Equal(t, 503, got.Attempts[2].StatusCode)
	assert.True(t, got.Delivered, "it was acknowledged once")
	assert.Len(t, down.requests(), 2)

	// Nobody listening: the attempt records the error.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	got, err = srv.Redeliver(0, gone.URL)
	require.NoError(t, err)
	require.Len(t, got.Attempts, 4)
	assert.Zero(t, got.Attempts[3].StatusCode)
	assert.NotEmpty(t, got.Attempts[3].Err)

	for _, tt := range []struct {
		name string
		id   int
		to   string
		want error
	}{
		{"unknown id", 1, "", qfpaytest.ErrNotFound},
		{"negative id", -1, "", qfpaytest.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := srv.Redeliver(tt.id, tt.to)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "qfpaytest: no delivery "), err.Error())
		})
	}
	for _, to := range []string{"localhost:8080/notify", "ftp://example.com/", "http://", "%zz"} {
		t.Run("bad URL "+to, func(t *testing.T) {
			_, err := srv.Redeliver(0, to)
			require.Error(t, err)
			assert.False(t, errors.Is(err, qfpaytest.ErrNotFound))
			assert.Contains(t, err.Error(), "want an absolute http(s) URL")
		})
	}
	assert.Len(t, srv.Deliveries()[0].Attempts, 4, "refused redeliveries send nothing")
}

// TestRedeliverEndsRetries: a redelivery acknowledged ends the schedule's
// retries of the delivery.
func TestRedeliverEndsRetries(t *testing.T) {
	down := newReceiver(t, reply{503, "down"})
	srv := newServer(t, qfpaytest.WithNotifyURL(down.URL), qfpaytest.WithNotifySchedule(300*time.Millisecond, 300*time.Millisecond))
	paid(t, srv, "rd-2", "10")
	require.Eventually(t, func() bool { return len(srv.Deliveries()[0].Attempts) == 1 }, 5*time.Second, time.Millisecond)
	up := newReceiver(t, reply{200, "SUCCESS"})
	got, err := srv.Redeliver(0, up.URL)
	require.NoError(t, err)
	assert.True(t, got.Done)
	time.Sleep(time.Second)
	assert.Len(t, down.requests(), 1, "no retry after the acknowledgement")
	assert.Len(t, srv.Deliveries()[0].Attempts, 2)
}

func TestDeliveryJSONRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	tests := []struct {
		name string
		d    qfpaytest.Delivery
	}{
		{"no attempt", qfpaytest.Delivery{ID: 3, Type: "refund", SysSN: "1", OutTradeNo: "r", URL: "http://x/n",
			Body: []byte(`{"a": "\u00e9"}`), Signature: "AB", Attempts: []qfpaytest.DeliveryAttempt{}}},
		{"attempts", qfpaytest.Delivery{ID: 0, Type: "payment", Body: []byte(`{}`), Attempts: []qfpaytest.DeliveryAttempt{
			{At: at, URL: "http://x/n", StatusCode: 200, Response: "SUCCESS"},
			{At: at, URL: "http://y/n", Err: "connection refused"},
		}, Delivered: true, Done: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.d)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			assert.Equal(t, string(tt.d.Body), m["body"], "the body as a string")
			var back qfpaytest.Delivery
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tt.d, back)
		})
	}
}
