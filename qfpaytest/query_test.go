package qfpaytest_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// history makes, in December 2019 and January 2020:
//
//	o1 MPM 800101 unpaid        2019-12-25 14:21:28
//	o2 CPM 800208 paid          2019-12-25 15:21:28
//	o3 CPM 800108 paid          2019-12-25 16:21:28
//	r3 refund of o3             2019-12-25 17:21:28
//	o4 CPM 800208 failed (1201) 2019-12-30 10:00:00
//	o5 MPM 800201 paid          2020-01-02 09:00:00
//
// and leaves the clock at 2020-01-02 09:00:00. It returns the syssns by
// out_trade_no.
func history(t *testing.T, srv *qfpaytest.Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	pay := func(at time.Time, params url.Values, code string) {
		srv.SetNow(at)
		a := post(t, srv, "/trade/v1/payment", params)
		requireCode(t, a, code)
		ids[params.Get("out_trade_no")] = a.str("syssn")
	}
	pay(t0, mpm("o1", "100"), "0000")
	pay(t0.Add(time.Hour), cpm("o2", "200", qfpaytest.AuthCodeSuccess), "0000")
	pay(t0.Add(2*time.Hour), with(cpm("o3", "300", qfpaytest.AuthCodeSuccess), "pay_type", "800108"), "0000")
	srv.SetNow(t0.Add(3 * time.Hour))
	r := post(t, srv, "/trade/v1/refund", refund(ids["o3"], "r3", "50"))
	requireCode(t, r, "0000")
	ids["r3"] = r.str("syssn")
	pay(time.Date(2019, 12, 30, 10, 0, 0, 0, utc8), cpm("o4", "400", qfpaytest.AuthCodeInsufficientBalance), "1201")
	pay(time.Date(2020, 1, 2, 9, 0, 0, 0, utc8), with(mpm("o5", "500"), "pay_type", "800201"), "0000")
	require.NoError(t, srv.Pay("o5"))
	return ids
}

func TestQuery(t *testing.T) {
	srv := newServer(t)
	ids := history(t, srv)
	december := func(kv ...string) url.Values {
		return form(append([]string{"start_time", "2019-12-01 00:00:00", "end_time", "2019-12-31 23:59:59"}, kv...)...)
	}
	tests := []struct {
		name   string
		params url.Values
		want   []string // out_trade_no, in order
	}{
		{"default: the current month", form(), []string{"o5"}},
		{"a month", december(), []string{"o4", "r3", "o3", "o2", "o1"}},
		{"range bounds inclusive", form("start_time", "2019-12-25 15:21:28", "end_time", "2019-12-25 16:21:28"), []string{"o3", "o2"}},
		{"range start after", form("start_time", "2019-12-25 15:21:29", "end_time", "2019-12-31 00:00:00"), []string{"o4", "r3", "o3"}},
		{"syssn list ignores the range", form("syssn", ids["o1"]+","+ids["o3"]), []string{"o3", "o1"}},
		{"syssn with a range that does not hold it", form("syssn", ids["o2"], "start_time", "2020-01-01 00:00:00", "end_time", "2020-01-31 00:00:00"), []string{"o2"}},
		{"syssn with a range over a month", form("syssn", ids["o2"], "start_time", "2019-11-01 00:00:00", "end_time", "2019-12-31 00:00:00"), []string{"o2"}},
		{"syssn and out_trade_no: the range ignored", form("syssn", ids["o2"], "out_trade_no", "o2", "start_time", "2020-01-01 00:00:00"), []string{"o2"}},
		// A search by out_trade_no sees one calendar month (QF Pay's
		// current documentation), the current one by default.
		{"out_trade_no list: the current month", form("out_trade_no", "o2,o5"), []string{"o5"}},
		{"out_trade_no list: December", december("out_trade_no", "o2,o5"), []string{"o2"}},
		{"out_trade_no list: a range over both months", form("out_trade_no", "o2,o5", "start_time", "2019-12-25 00:00:00", "end_time", "2020-01-24 23:59:59"), []string{"o5", "o2"}},
		{"out_trade_no outside the range", form("out_trade_no", "o2", "start_time", "2020-01-01 00:00:00", "end_time", "2020-01-31 00:00:00"), []string{}},
		{"out_trade_no, start_time alone: to the end of the current month", form("out_trade_no", "o2,o5", "start_time", "2020-01-02 09:00:00"), []string{"o5"}},
		{"out_trade_no, end_time alone: from the start of the current month", form("out_trade_no", "o2,o5", "end_time", "2020-01-02 08:59:59"), []string{}},
		{"pay_type", december("pay_type", "800208"), []string{"o4", "o2"}},
		{"pay_type list, refunds by their payment's type", december("pay_type", "800208,800108"), []string{"o4", "r3", "o3", "o2"}},
		{"respcd 0000", december("respcd", "0000"), []string{"r3", "o3", "o2"}},
		{"respcd 1201", december("respcd", "1201"), []string{"o4"}},
		{"respcd 1181: o1 expired", december("respcd", "1181"), []string{"o1"}},
		{"page 1", december("page_size", "2"), []string{"o4", "r3"}},
		{"page 2", december("page_size", "2", "page", "2"), []string{"o3", "o2"}},
		{"page 3", december("page_size", "2", "page", "3"), []string{"o1"}},
		{"past the last page", december("page_size", "2", "page", "4"), []string{}},
		{"page_size 100", december("page_size", "100"), []string{"o4", "r3", "o3", "o2", "o1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, "/trade/v1/query", tt.params)
			requireCode(t, a, "0000")
			got := []string{}
			for _, tx := range a.data(t) {
				got = append(got, tx["out_trade_no"].(string))
				assert.Equal(t, ids[tx["out_trade_no"].(string)], tx["syssn"])
			}
			assert.Equal(t, tt.want, got)
			page, size := tt.params.Get("page"), tt.params.Get("page_size")
			if page == "" {
				page = "1"
			}
			if size == "" {
				size = "10"
			}
			assert.Equal(t, page, a.str("page"))
			assert.Equal(t, size, a.str("page_size"))
		})
	}

	refusals := []struct {
		name   string
		params url.Values
		code   string
	}{
		{"more than a month", form("start_time", "2019-11-01 00:00:00", "end_time", "2019-12-31 00:00:00"), "1104"},
		{"end before start", form("start_time", "2019-12-31 00:00:00", "end_time", "2019-12-01 00:00:00"), "1104"},
		{"out_trade_no over more than a month", form("out_trade_no", "o2", "start_time", "2019-11-01 00:00:00", "end_time", "2019-12-31 00:00:00"), "1104"},
		{"out_trade_no, end before start", form("out_trade_no", "o2", "start_time", "2019-12-31 00:00:00", "end_time", "2019-12-01 00:00:00"), "1104"},
		{"out_trade_no, start_time alone more than a month back", form("out_trade_no", "o2", "start_time", "2019-11-30 00:00:00"), "1104"},
		{"page_size above 100", form("page_size", "101"), "1104"},
		{"page_size 0", form("page_size", "0"), "1104"},
		{"page 0", form("page", "0"), "1104"},
		{"page text", form("page", "one"), "1103"},
		{"start_time malformed", form("start_time", "2019-12-01"), "1103"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, post(t, srv, "/trade/v1/query", tt.params), tt.code)
		})
	}

	t.Run("listed fields", func(t *testing.T) {
		tx := queryOne(t, srv, ids["r3"])
		want := map[string]any{
			"syssn": ids["r3"], "origssn": ids["o3"], "out_trade_no": "r3", "order_type": "refund",
			"pay_type": "800108", "txamt": "50", "txcurrcd": "HKD", "txdtm": txdtm,
			"sysdtm": "2019-12-25 17:21:28", "paydtm": "2019-12-25 17:21:28", "cancel": "0",
			"respcd": "0000", "errmsg": "success",
		}
		for k, v := range want {
			assert.Equal(t, v, tx[k], k)
		}
		for _, k := range []string{"goods_name", "goods_info", "goods_detail", "chnlsn", "chnlsn2", "udid", "userid", "clisn", "cardtp", "cardcd"} {
			assert.Contains(t, tx, k)
		}
		failed := queryOne(t, srv, ids["o4"])
		assert.Equal(t, "1201", failed["respcd"])
		assert.Contains(t, failed["errmsg"], "Insufficient balance")
		assert.NotContains(t, queryOne(t, srv, ids["o3"]), "origssn")
	})
}

// TestQueryByOutTradeNoAtMonthEnd: a QR code payment made on January 31
// at 23:59 (its sysdtm) and paid on February 1. In February a search by
// its out_trade_no alone looks at February (QF Pay's current
// documentation: only syssn lifts the window) and does not list it;
// January's window does; its syssn always does. The SDK's WaitForPayment,
// on the server's clock, searches February and then January, and settles
// it: the bug it fixed (such a payment stayed unknown for ever) cannot
// come back unseen.
func TestQueryByOutTradeNoAtMonthEnd(t *testing.T) {
	srv := newServer(t)
	srv.SetNow(time.Date(2024, 1, 31, 23, 59, 0, 0, utc8))
	a := post(t, srv, "/trade/v1/payment", with(mpm("eom-1", "100"), "txdtm", "2024-01-31 23:59:00"))
	requireCode(t, a, "0000")
	syssn := a.str("syssn")
	srv.Advance(2 * time.Minute) // 2024-02-01 00:01:00
	require.NoError(t, srv.Pay("eom-1"))

	january := []string{"start_time", "2024-01-01 00:00:00", "end_time", "2024-01-31 23:59:59"}
	february := []string{"start_time", "2024-02-01 00:00:00", "end_time", "2024-02-29 23:59:59"}
	tests := []struct {
		name   string
		params url.Values
		listed bool
	}{
		{"out_trade_no without times: February", form("out_trade_no", "eom-1"), false},
		{"out_trade_no, February", form(append([]string{"out_trade_no", "eom-1"}, february...)...), false},
		{"out_trade_no, January", form(append([]string{"out_trade_no", "eom-1"}, january...)...), true},
		{"out_trade_no, start_time alone in January", form("out_trade_no", "eom-1", "start_time", "2024-01-31 23:59:00"), true},
		{"syssn without times", form("syssn", syssn), true},
		{"syssn, February", form(append([]string{"syssn", syssn}, february...)...), true},
		{"no number, January", form(january...), true},
		{"no number, no times", form(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, "/trade/v1/query", tt.params)
			requireCode(t, a, "0000")
			d := a.data(t)
			if !tt.listed {
				assert.Empty(t, d)
				return
			}
			require.Len(t, d, 1, a.body)
			assert.Equal(t, syssn, d[0]["syssn"])
			assert.Equal(t, "eom-1", d[0]["out_trade_no"])
			assert.Equal(t, "0000", d[0]["respcd"])
			assert.Equal(t, "2024-01-31 23:59:00", d[0]["sysdtm"])
			assert.Equal(t, "2024-02-01 00:01:00", d[0]["paydtm"])
		})
	}

	t.Run("SDK Query on the server's clock", func(t *testing.T) {
		client := newClient(t, srv)
		q, err := client.Query(t.Context(), &qfpay.QueryRequest{OutTradeNos: []string{"eom-1"}})
		require.NoError(t, err)
		assert.Empty(t, q.Transactions, "February, the client's month")
		tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"eom-1"},
			Start: time.Date(2024, 1, 1, 0, 0, 0, 0, utc8), End: time.Date(2024, 1, 31, 23, 59, 59, 0, utc8)})
		assert.Equal(t, syssn, tx.SysSN)
	})
	t.Run("WaitForPayment on the server's clock", func(t *testing.T) {
		client, tap := tappedClient(t, srv)
		tx, err := client.WaitForPayment(waitCtx(t), "eom-1")
		require.NoError(t, err)
		require.NotNil(t, tx)
		assert.Equal(t, syssn, tx.SysSN)
		assert.True(t, tx.Paid())
		assert.Equal(t, time.Date(2024, 1, 31, 23, 59, 0, 0, utc8), tx.SysTime.In(utc8))
		queries := tap.to(pathQuery)
		require.Len(t, queries, 2, "February, then January")
		for i, window := range [][]string{february, january} {
			assert.Equal(t, "eom-1", queries[i].params.Get("out_trade_no"))
			assert.Equal(t, window[1], queries[i].params.Get("start_time"))
			assert.Equal(t, window[3], queries[i].params.Get("end_time"))
		}
	})
}
func TestTradeBill(t *testing.T) {
	srv := newServer(t)
	ids := history(t, srv)
	requireCode(t, post(t, srv, "/trade/v1/add_note", form("code", appCode, "syssn", ids["o2"], "note", "table 4, \"window\"")), "0000")

	bill := func(t *testing.T, date string) [][]string {
		t.Helper()
		a := do(t, srv, http.MethodGet, "/download/v1/trade_bill", form("trade_date", date))
		require.Equal(t, http.StatusOK, a.status)
		require.Equal(t, "application/zip", a.header.Get("Content-Type"), "%s", a.body)
		zr, err := zip.NewReader(bytes.NewReader(a.body), int64(len(a.body)))
		require.NoError(t, err)
		require.Len(t, zr.File, 1)
		assert.Equal(t, "trade_bill_"+date+".csv", zr.File[0].Name)
		f, err := zr.File[0].Open()
		require.NoError(t, err)
		defer f.Close()
		raw, err := io.ReadAll(f)
		require.NoError(t, err)
		rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		require.NoError(t, err)
		require.NotEmpty(t, rows)
		assert.Equal(t, qfpaytest.BillColumns, rows[0], "header row first")
		return rows[1:]
	}
	col := func(name string) int {
		for i, c := range qfpaytest.BillColumns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}

	rows := bill(t, "2019-12-25")
	require.Len(t, rows, 3, "the day's successful payments and refunds")
	for i, want := range []struct{ outTradeNo, orderType, amount, orig, cancel, note string }{
		{"o2", "payment", "200", "", "0", "table 4, \"window\""},
		{"o3", "payment", "300", "", "5", ""},
		{"r3", "refund", "50", ids["o3"], "0", ""},
	} {
		r := rows[i]
		assert.Equal(t, ids[want.outTradeNo], r[col("syssn")])
		assert.Equal(t, want.outTradeNo, r[col("out_trade_no")])
		assert.Equal(t, want.orderType, r[col("order_type")])
		assert.Equal(t, want.amount, r[col("txamt")])
		assert.Equal(t, want.orig, r[col("orig_syssn")])
		assert.Equal(t, want.cancel, r[col("cancel")])
		assert.Equal(t, want.note, r[col("note")])
		assert.Equal(t, "0000", r[col("respcd")])
		assert.Equal(t, "HKD", r[col("txcurrcd")])
	}
	assert.Empty(t, bill(t, "2019-12-30"), "a failed payment is not in the bill")
	assert.Len(t, bill(t, "2020-01-02"), 1)

	for _, tt := range []struct {
		name   string
		params url.Values
		code   string
	}{
		{"trade_date missing", form(), "1104"},
		{"trade_date malformed", form("trade_date", "2019/12/25"), "1103"},
		{"mchid passed", form("trade_date", "2019-12-25", "mchid", "ZaMVg12345"), "1104"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, do(t, srv, http.MethodGet, "/download/v1/trade_bill", tt.params), tt.code)
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		a := do(t, srv, http.MethodGet, "/download/v1/trade_bill", form("trade_date", "2019-12-25"), header("X-QF-SIGN", "00"))
		requireCode(t, a, "1108")
	})
}

func TestWeChatTools(t *testing.T) {
	srv := newServer(t)
	oauth := func(t *testing.T, params url.Values, sign string) *http.Response {
		t.Helper()
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		if sign != "" {
			q.Set("sign", sign)
		}
		resp, err := noRedirect.Get(srv.URL + "/tool/v1/get_weixin_oauth_code?" + q.Encode())
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	openID := func(t *testing.T, code string) answer {
		return do(t, srv, http.MethodGet, "/tool/v1/get_weixin_openid", form("code", code))
	}
	signed := form("app_code", appCode, "redirect_uri", "http://xg.fshop.top/index.php/wap/pay/wxredirect?showwxpaytitle=1")

	t.Run("oauth code then openid", func(t *testing.T) {
		for _, sign := range []string{refSign(signed, clientKey, false), refSign(signed, clientKey, true)} {
			resp := oauth(t, signed, sign)
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc, err := url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			assert.Equal(t, "xg.fshop.top", loc.Host)
			assert.Equal(t, "/index.php/wap/pay/wxredirect", loc.Path)
			assert.Equal(t, "1", loc.Query().Get("showwxpaytitle"))
			code := loc.Query().Get("code")
			require.NotEmpty(t, code)

			a := openID(t, code)
			requireCode(t, a, "0000")
			assert.Equal(t, qfpaytest.SandboxOpenID, a.str("openid"))
			requireCode(t, openID(t, code), "1104") // once only
		}
	})
	t.Run("NewWeChatCode", func(t *testing.T) {
		a := openID(t, srv.NewWeChatCode())
		requireCode(t, a, "0000")
		assert.Equal(t, qfpaytest.SandboxOpenID, a.str("openid"))
	})
	t.Run("unknown code", func(t *testing.T) {
		requireCode(t, openID(t, "011QipnO1yMIla1VJdoO1FUrnO1Qipnv"), "1104")
	})
	t.Run("openid by POST", func(t *testing.T) {
		a := post(t, srv, "/tool/v1/get_weixin_openid", form("code", srv.NewWeChatCode()))
		assert.Equal(t, http.StatusMethodNotAllowed, a.status)
	})
	refusals := []struct {
		name   string
		params url.Values
		sign   string
		code   string
	}{
		{"bad signature", signed, refSign(signed, "other", false), "1108"},
		{"no signature", signed, "", "1108"},
		{"unknown app code", with(form("redirect_uri", "https://a.example/"), "app_code", "X"), "", "1106"},
		{"relative redirect_uri", form("app_code", appCode, "redirect_uri", "/getcode"), "", "1104"},
		{"mchid of a merchant without one", form("app_code", appCode, "redirect_uri", "https://a.example/", "mchid", "m"), "", "1241"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			sign := tt.sign
			if sign == "" && tt.code != "1108" {
				sign = refSign(tt.params, clientKey, false)
			}
			q := url.Values{}
			for k, v := range tt.params {
				q[k] = v
			}
			if sign != "" {
				q.Set("sign", sign)
			}
			resp, err := http.Get(srv.URL + "/tool/v1/get_weixin_oauth_code?" + q.Encode())
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Contains(t, string(body), `"respcd":"`+tt.code+`"`)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "/tool/v1/get_weixin_oauth_code", resp.Request.URL.Path, "no redirect")
		})
	}
}
