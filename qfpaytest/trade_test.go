package qfpaytest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestLifecycleRaw is the MPM lifecycle over raw signed HTTP, checking
// the wire shapes.
func TestLifecycleRaw(t *testing.T) {
	srv := newServer(t)
	a := post(t, srv, "/trade/v1/payment", with(mpm("raw-1", "1000"), "goods_name", "coffee"))
	requireCode(t, a, "0000")
	syssn := a.str("syssn")
	for k, want := range map[string]string{
		"txamt": "1000", "txcurrcd": "HKD", "pay_type": "800101", "out_trade_no": "raw-1",
		"txdtm": txdtm, "sysdtm": txdtm, "resperr": "success", "respmsg": "",
		"qrcode": srv.URL + "/pay/" + syssn,
	} {
		assert.Equal(t, want, a.str(k), k)
	}
	assert.IsType(t, "", a.obj["txamt"], "amounts are strings, as in the samples")

	tx := queryOne(t, srv, syssn)
	assert.Equal(t, "1143", tx["respcd"])
	assert.Equal(t, "", tx["paydtm"])
	assert.Equal(t, "0", tx["cancel"])

	require.NoError(t, srv.Pay(syssn))
	tx = queryOne(t, srv, syssn)
	for k, want := range map[string]string{
		"respcd": "0000", "errmsg": "success", "order_type": "payment", "cancel": "0", "txamt": "1000",
		"paydtm": txdtm, "goods_name": "coffee", "chnlsn": "42" + syssn,
	} {
		assert.Equal(t, want, tx[k], k)
	}

	steps := []struct {
		outTradeNo, amount, code, cancel string
	}{
		{"raw-r1", "400", "0000", "5"},
		{"raw-r2", "601", "1272", "5"},
		{"raw-r2", "600", "0000", "3"},
		{"raw-r3", "1", "1125", "3"},
	}
	for _, st := range steps {
		r := post(t, srv, "/trade/v1/refund", refund(syssn, st.outTradeNo, st.amount))
		requireCode(t, r, st.code)
		if st.code == "0000" {
			assert.Equal(t, syssn, r.str("orig_syssn"))
			assert.Equal(t, st.amount, r.str("txamt"))
			assert.Equal(t, st.outTradeNo, r.str("out_trade_no"))
			assert.Len(t, r.str("syssn"), 26)
			rt := queryOne(t, srv, r.str("syssn"))
			assert.Equal(t, "refund", rt["order_type"])
			assert.Equal(t, syssn, rt["origssn"])
			assert.Equal(t, "0000", rt["respcd"])
		}
		assert.Equal(t, st.cancel, queryOne(t, srv, syssn)["cancel"], "after refund %s of %s", st.outTradeNo, st.amount)
	}
}

func TestRefundRefusals(t *testing.T) {
	srv := newServer(t)
	paidSysSN := paid(t, srv, "rf-paid", "100")
	unpaid := post(t, srv, "/trade/v1/payment", mpm("rf-unpaid", "100")).str("syssn")
	closed := post(t, srv, "/trade/v1/payment", mpm("rf-closed", "100")).str("syssn")
	requireCode(t, post(t, srv, "/trade/v1/reversal", form("syssn", closed, "txamt", "100", "txdtm", txdtm)), "0000")
	failed := post(t, srv, "/trade/v1/payment", cpm("rf-failed", "100", qfpaytest.AuthCodeInsufficientBalance)).str("syssn")
	freeze := post(t, srv, "/trade/v1/payment", form("pay_type", "801801", "txamt", "100", "txcurrcd", "HKD", "out_trade_no", "rf-freeze", "txdtm", txdtm, "auth_code", "1")).str("syssn")
	refundSysSN := post(t, srv, "/trade/v1/refund", refund(paidSysSN, "rf-refund", "10")).str("syssn")

	tests := []struct {
		name   string
		params url.Values
		code   string
	}{
		{"above the amount", refund(paidSysSN, "x1", "91"), "1272"},
		{"unpaid", refund(unpaid, "x2", "10"), "1261"},
		{"failed", refund(failed, "x3", "10"), "1261"},
		{"closed", refund(closed, "x4", "10"), "1264"},
		{"a pre-authorization", refund(freeze, "x5", "10"), "1155"},
		{"a refund", refund(refundSysSN, "x6", "1"), "1136"},
		{"unknown syssn", refund("20191225000200020099999999", "x7", "10"), "1136"},
		{"syssn missing", without(refund(paidSysSN, "x8", "10"), "syssn"), "1104"},
		{"out_trade_no missing", without(refund(paidSysSN, "x9", "10"), "out_trade_no"), "1104"},
		{"txamt zero", refund(paidSysSN, "x10", "0"), "1104"},
		{"txamt missing", without(refund(paidSysSN, "x11", "10"), "txamt"), "1104"},
		{"txdtm missing", without(refund(paidSysSN, "x12", "10"), "txdtm"), "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, post(t, srv, "/trade/v1/refund", tt.params), tt.code)
		})
	}
	tx, _ := srv.Transaction(paidSysSN)
	assert.Equal(t, int64(10), tx.Refunded)
	assert.Equal(t, qfpay.CancelPartiallyRefunded, tx.Cancel)
}

func TestReversalAndClose(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, srv *qfpaytest.Server) (syssn string)
		path     string
		params   func(syssn string) url.Values
		code     string
		cancel   qfpay.CancelStatus
		respcd   string // the payment's respcd afterwards
		notFound bool
	}{
		{
			name:  "reverse an unpaid MPM",
			setup: unpaidMPM, path: "/trade/v1/reversal", params: cancelBySysSN,
			code: "0000", cancel: qfpay.CancelReversed, respcd: "1142",
		},
		{
			name:  "close an unpaid WeChat MPM",
			setup: unpaidWeChatMPM, path: "/trade/v1/close", params: cancelBySysSN,
			code: "0000", cancel: qfpay.CancelClosed, respcd: "1142",
		},
		{
			name:  "close by out_trade_no",
			setup: unpaidWeChatMPM, path: "/trade/v1/close",
			params: func(string) url.Values { return form("out_trade_no", "rv-1", "txamt", "100", "txdtm", txdtm) },
			code:   "0000", cancel: qfpay.CancelClosed, respcd: "1142",
		},
		{
			name: "reverse a pending CPM",
			setup: func(t *testing.T, srv *qfpaytest.Server) string {
				return post(t, srv, "/trade/v1/payment", cpm("rv-1", "100", qfpaytest.AuthCodePending)).str("syssn")
			},
			path: "/trade/v1/reversal", params: cancelBySysSN,
			code: "0000", cancel: qfpay.CancelReversed, respcd: "1142",
		},
		{
			name:  "reverse a paid payment",
			setup: func(t *testing.T, srv *qfpaytest.Server) string { return paid(t, srv, "rv-1", "100") },
			path:  "/trade/v1/reversal", params: cancelBySysSN,
			code: "1260", cancel: qfpay.CancelNone, respcd: "0000",
		},
		{
			name: "close twice",
			setup: func(t *testing.T, srv *qfpaytest.Server) string {
				syssn := unpaidWeChatMPM(t, srv)
				requireCode(t, post(t, srv, "/trade/v1/close", cancelBySysSN(syssn)), "0000")
				return syssn
			},
			path: "/trade/v1/close", params: cancelBySysSN,
			code: "1142", cancel: qfpay.CancelClosed, respcd: "1142",
		},
		{
			name:  "wrong amount",
			setup: unpaidWeChatMPM, path: "/trade/v1/close",
			params: func(s string) url.Values { return with(cancelBySysSN(s), "txamt", "99") },
			code:   "1266", cancel: qfpay.CancelNone, respcd: "1143",
		},
		{
			name:  "syssn and out_trade_no of different payments",
			setup: unpaidWeChatMPM, path: "/trade/v1/close",
			params: func(s string) url.Values { return with(cancelBySysSN(s), "out_trade_no", "other") },
			code:   "1267", cancel: qfpay.CancelNone, respcd: "1143",
		},
		{
			name:  "neither syssn nor out_trade_no",
			setup: unpaidWeChatMPM, path: "/trade/v1/close",
			params: func(string) url.Values { return form("txamt", "100", "txdtm", txdtm) },
			code:   "1104", cancel: qfpay.CancelNone, respcd: "1143",
		},
		{
			name:  "close an Alipay MPM",
			setup: unpaidMPM, path: "/trade/v1/close", params: cancelBySysSN,
			code: "1104", cancel: qfpay.CancelNone, respcd: "1143",
		},
		{
			name:  "reverse a WeChat MPM",
			setup: unpaidWeChatMPM, path: "/trade/v1/reversal", params: cancelBySysSN,
			code: "1104", cancel: qfpay.CancelNone, respcd: "1143",
		},
		{
			name:  "close a paid Alipay payment: the endpoint is checked first",
			setup: func(t *testing.T, srv *qfpaytest.Server) string { return paid(t, srv, "rv-1", "100") },
			path:  "/trade/v1/close", params: cancelBySysSN,
			code: "1104", cancel: qfpay.CancelNone, respcd: "0000",
		},
		{
			name:  "txamt missing",
			setup: unpaidMPM, path: "/trade/v1/reversal",
			params: func(s string) url.Values { return without(cancelBySysSN(s), "txamt") },
			code:   "1104", cancel: qfpay.CancelNone, respcd: "1143",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			syssn := tt.setup(t, srv)
			a := post(t, srv, tt.path, tt.params(syssn))
			requireCode(t, a, tt.code)
			if tt.code == "0000" {
				assert.Equal(t, syssn, a.str("orig_syssn"))
				assert.Len(t, a.str("syssn"), 26)
				assert.NotEqual(t, syssn, a.str("syssn"))
				assert.Equal(t, "100", a.str("txamt"))
			}
			tx := queryOne(t, srv, syssn)
			assert.Equal(t, itoa(int(tt.cancel)), tx["cancel"])
			assert.Equal(t, tt.respcd, tx["respcd"])
		})
	}
	t.Run("GET", func(t *testing.T) {
		srv := newServer(t)
		syssn := unpaidMPM(t, srv)
		requireCode(t, do(t, srv, http.MethodGet, "/trade/v1/reversal", cancelBySysSN(syssn)), "0000")
		assert.ErrorIs(t, srv.Pay(syssn), qfpaytest.ErrNotPayable, "a reversed payment cannot be paid")
	})
}

// unpaidWeChatMPM makes an unpaid WeChat MPM payment (800201, cancelled
// with /trade/v1/close), rv-1, of 100.
func unpaidWeChatMPM(t *testing.T, srv *qfpaytest.Server) string {
	t.Helper()
	return unpaid(t, srv, "rv-1", "800201")
}

func unpaidMPM(t *testing.T, srv *qfpaytest.Server) string {
	t.Helper()
	a := post(t, srv, "/trade/v1/payment", mpm("rv-1", "100"))
	requireCode(t, a, "0000")
	return a.str("syssn")
}

func cancelBySysSN(syssn string) url.Values {
	return form("syssn", syssn, "txamt", "100", "txdtm", txdtm)
}

func TestPreAuthorization(t *testing.T) {
	srv := newServer(t, qfpaytest.WithMerchantID("R1zQrTdJnn"))
	m := func(v url.Values) url.Values { return with(v, "mchid", "R1zQrTdJnn") }
	freeze := post(t, srv, "/trade/v1/payment", m(form("pay_type", "801801", "txamt", "100", "txcurrcd", "USD",
		"out_trade_no", "pa-freeze", "txdtm", txdtm, "auth_code", qfpaytest.AuthCodeSuccess, "goods_name", "room")))
	requireCode(t, freeze, "0000")
	syssn := freeze.str("syssn")
	tx, _ := srv.Transaction(syssn)
	assert.Equal(t, int64(100), tx.Frozen)

	deduct := func(outTradeNo, amount string) answer {
		return post(t, srv, "/trade/v1/authtrade", m(form("syssn", syssn, "out_trade_no", outTradeNo, "txamt", amount, "txdtm", txdtm)))
	}
	d := deduct("pa-d1", "30")
	requireCode(t, d, "0000")
	assert.Contains(t, string(d.body), `"orig_syssn":`+syssn, "orig_syssn as a bare number, as in the sample")
	assert.Equal(t, "30", d.str("txamt"))
	assert.Equal(t, "USD", d.str("txcurrcd"))
	queryOne := func(t *testing.T, _ *qfpaytest.Server, syssn string) map[string]any {
		t.Helper()
		a := post(t, srv, "/trade/v1/query", m(form("syssn", syssn)))
		requireCode(t, a, "0000")
		require.Len(t, a.data(t), 1)
		return a.data(t)[0]
	}
	dt := queryOne(t, srv, d.str("syssn"))
	assert.Equal(t, "payment", dt["order_type"])
	assert.Equal(t, "0000", dt["respcd"])
	assert.Equal(t, "801801", dt["pay_type"])

	requireCode(t, deduct("pa-d2", "71"), "1272")
	requireCode(t, deduct("pa-d1", "1"), "2011")

	// Unfreeze: reversal with syssn and mchid only.
	u := post(t, srv, "/trade/v1/reversal", m(form("syssn", syssn)))
	requireCode(t, u, "0000")
	assert.Equal(t, "70", u.str("txamt"), "releases what is left")
	assert.Equal(t, syssn, u.str("orig_syssn"))
	tx, _ = srv.Transaction(syssn)
	assert.Equal(t, int64(0), tx.Frozen)
	assert.Equal(t, qfpay.CancelPreAuthFinished, tx.Cancel)

	requireCode(t, deduct("pa-d3", "1"), "1264")
	requireCode(t, post(t, srv, "/trade/v1/reversal", m(form("syssn", syssn))), "1264")
	requireCode(t, post(t, srv, "/trade/v1/refund", m(refund(d.str("syssn"), "pa-r1", "30"))), "0000")

	t.Run("deduct all finishes the freeze", func(t *testing.T) {
		f := post(t, srv, "/trade/v1/payment", m(form("pay_type", "801808", "txamt", "50", "txcurrcd", "USD", "out_trade_no", "pa-f2", "txdtm", txdtm)))
		requireCode(t, f, "0000")
		assert.NotEmpty(t, f.str("qrcode"))
		requireCode(t, post(t, srv, "/trade/v1/authtrade", m(form("syssn", f.str("syssn"), "out_trade_no", "pa-f2-d0", "txamt", "50", "txdtm", txdtm))), "1261")
		require.NoError(t, srv.Pay(f.str("syssn")))
		requireCode(t, post(t, srv, "/trade/v1/authtrade", m(form("syssn", f.str("syssn"), "out_trade_no", "pa-f2-d", "txamt", "50", "txdtm", txdtm))), "0000")
		assert.Equal(t, "4", queryOne(t, srv, f.str("syssn"))["cancel"])
	})
	t.Run("not a freeze", func(t *testing.T) {
		p := post(t, srv, "/trade/v1/payment", m(cpm("pa-plain", "10", qfpaytest.AuthCodeSuccess)))
		requireCode(t, post(t, srv, "/trade/v1/authtrade", m(form("syssn", p.str("syssn"), "out_trade_no", "pa-x", "txamt", "5", "txdtm", txdtm))), "1136")
	})
	t.Run("unfreeze requires mchid here", func(t *testing.T) {
		requireCode(t, post(t, srv, "/trade/v1/reversal", form("syssn", syssn)), "1104")
	})
}

func TestExpiry(t *testing.T) {
	srv := newServer(t)
	a := post(t, srv, "/trade/v1/payment", with(mpm("ex-1", "10"), "expired_time", "5"))
	requireCode(t, a, "0000")
	syssn := a.str("syssn")
	srv.Advance(5*time.Minute - time.Second)
	assert.Equal(t, "1143", queryOne(t, srv, syssn)["respcd"])
	srv.Advance(time.Second)
	assert.Equal(t, "1181", queryOne(t, srv, syssn)["respcd"])
	assert.ErrorIs(t, srv.Pay(syssn), qfpaytest.ErrNotPayable)

	b := post(t, srv, "/trade/v1/payment", mpm("ex-2", "10"))
	srv.Advance(29 * time.Minute)
	require.NoError(t, srv.Pay(b.str("syssn")), "the default is 30 minutes")
}

func TestPayLink(t *testing.T) {
	srv := newServer(t)
	get := func(link string) (*http.Response, string) {
		resp, err := noRedirect.Get(link)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	q := post(t, srv, "/trade/v1/payment", mpm("pl-1", "10"))
	resp, body := get(q.str("qrcode"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "paid")
	assert.Equal(t, "0000", queryOne(t, srv, q.str("syssn"))["respcd"])
	resp, body = get(q.str("qrcode"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "already paid")

	o := post(t, srv, "/trade/v1/payment", form("pay_type", "801512", "txamt", "10", "txcurrcd", "HKD", "out_trade_no", "pl-2", "txdtm", txdtm, "return_url", "https://shop.example/done?o=pl-2"))
	resp, _ = get(o.str("pay_url"))
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "https://shop.example/done?o=pl-2", resp.Header.Get("Location"))

	c := post(t, srv, "/trade/v1/payment", mpm("pl-3", "10"))
	requireCode(t, post(t, srv, "/trade/v1/reversal", form("syssn", c.str("syssn"), "txamt", "10", "txdtm", txdtm)), "0000")
	resp, _ = get(c.str("qrcode"))
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	resp, _ = get(srv.URL + "/pay/20191225000200029999999999")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestAutoPay(t *testing.T) {
	srv := newServer(t, qfpaytest.WithAutoPay(5*time.Millisecond))
	a := post(t, srv, "/trade/v1/payment", mpm("ap-1", "10"))
	requireCode(t, a, "0000")
	require.Eventually(t, func() bool {
		tx, _ := srv.Transaction("ap-1")
		return tx.RespCode == "0000"
	}, 5*time.Second, time.Millisecond)
	c := post(t, srv, "/trade/v1/payment", cpm("ap-2", "10", qfpaytest.AuthCodePending))
	requireCode(t, c, "1145")
	time.Sleep(20 * time.Millisecond)
	tx, _ := srv.Transaction("ap-2")
	assert.Equal(t, "1145", tx.RespCode, "auto-pay leaves consumer-presented payments alone")
}

func TestAddNote(t *testing.T) {
	srv := newServer(t)
	syssn := paid(t, srv, "an-1", "10")
	tests := []struct {
		name   string
		params url.Values
		code   string
	}{
		{"note added", form("code", appCode, "syssn", syssn, "note", "table 4"), "0000"},
		{"code not the app code", form("code", "A6A49A6000000000000DFE94EA95032", "syssn", syssn, "note", "x"), "1104"},
		{"unknown syssn", form("code", appCode, "syssn", "20191225000200029999999999", "note", "x"), "1136"},
		{"note missing", form("code", appCode, "syssn", syssn), "1104"},
		{"note too long", form("code", appCode, "syssn", syssn, "note", strings.Repeat("n", 201)), "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, "/trade/v1/add_note", tt.params)
			requireCode(t, a, tt.code)
			if tt.code == "0000" {
				assert.Equal(t, `{"syssn":"`+syssn+`"}`, a.str("data"))
			}
		})
	}
	tx, _ := srv.Transaction(syssn)
	assert.Equal(t, "table 4", tx.Note)
}

// TestCancelPathEveryPayType: each pay type of the API's table is
// cancelled by the endpoint its wallet takes ("Reversal/ Cancel"), refused
// with 1104 by the other, and Hong Kong pay types by both.
func TestCancelPathEveryPayType(t *testing.T) {
	const reversal, closing = "/trade/v1/reversal", "/trade/v1/close"
	byReversal := map[qfpay.PayType]bool{
		"800008": true, "800101": true, "800108": true, "800208": true, // Alipay CPM and MPM, unified CPM, WeChat CPM
		"801801": true, "801808": true, "801810": true, "801814": true, // Alipay pre-authorizations
	}
	hongKong := map[qfpay.PayType]bool{
		"801008": true, "801010": true, "801501": true, "801510": true,
		"801512": true, "802001": true, "803701": true, "803712": true,
		// The current documentation's catalogue, marked (HK).
		"800712": true, "800714": true, "801514": true, "803714": true,
		"805801": true, "805808": true, "805812": true, "805814": true,
	}
	for _, pt := range qfpay.PayTypes() {
		want := closing
		switch {
		case byReversal[pt]:
			want = reversal
		case hongKong[pt]:
			want = ""
		}
		t.Run(string(pt), func(t *testing.T) {
			assert.Equal(t, want, qfpaytest.CancelPath(pt))
			for _, path := range []string{reversal, closing} {
				srv := newServer(t)
				params := form("pay_type", string(pt), "txamt", "100", "txcurrcd", "HKD", "out_trade_no", "cp-1",
					"txdtm", txdtm, "openid", "o1", "sub_openid", "o2", "goods_name", "tea")
				if pt.IsConsumerPresented() {
					params.Set("auth_code", qfpaytest.AuthCodePending)
				}
				p := post(t, srv, "/trade/v1/payment", params)
				require.Contains(t, []string{"0000", "1145"}, p.str("respcd"), "%s", p.body)
				a := post(t, srv, path, cancelBySysSN(p.str("syssn")))
				tx, _ := srv.Transaction("cp-1")
				if path == want {
					requireCode(t, a, "0000")
					assert.Equal(t, "1142", tx.RespCode)
					continue
				}
				requireCode(t, a, "1104")
				if want == "" {
					assert.Contains(t, a.str("respmsg"), "cannot be cancelled")
				} else {
					assert.Contains(t, a.str("respmsg"), "cancelled with "+want)
				}
				assert.Equal(t, qfpay.CancelNone, tx.Cancel, "untouched")
			}
		})
	}
}

// TestSDKCancelAgreesWithSandbox: the SDK's Cancel picks, for every pay
// type, the endpoint the sandbox takes (CancelPath), and refuses the Hong
// Kong pay types before sending anything. The SDK makes no payment of a
// card-present pay type.
func TestSDKCancelAgreesWithSandbox(t *testing.T) {
	for _, pt := range qfpay.PayTypes() {
		t.Run(string(pt), func(t *testing.T) {
			srv := newServer(t)
			client, tap := tappedClient(t, srv)
			req := &qfpay.PaymentRequest{PayType: pt, Amount: 100, Currency: hkd, OutTradeNo: "sc-1",
				OpenID: "o1", SubOpenID: "o2", GoodsName: "tea"}
			if pt.IsConsumerPresented() {
				req.AuthCode = qfpaytest.AuthCodePending
			}
			if pt == qfpay.PayTypeWeChatH5 {
				req.ExtendInfo = qfpay.WeChatExtendInfo{WapURL: "https://m.example/", WapName: "Tea", ShopperIP: "203.0.113.7"}
			}
			resp, err := client.Payment(t.Context(), req)
			if pt.Mode() == qfpay.ModeCardPresent {
				require.ErrorIs(t, err, qfpay.ErrInvalidRequest)
				assert.Zero(t, tap.count("/trade/v1/payment"), "nothing sent")
				return
			}
			if err != nil {
				require.ErrorIs(t, err, qfpay.ErrPending)
			}
			require.NotNil(t, resp)
			_, err = client.Cancel(t.Context(), pt, &qfpay.ReversalRequest{SysSN: resp.SysSN, Amount: 100})
			want := qfpaytest.CancelPath(pt)
			if want == "" {
				require.ErrorIs(t, err, qfpay.ErrInvalidRequest)
				assert.Zero(t, tap.count(pathReversal)+tap.count(pathClose), "nothing sent")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 1, tap.count(want))
			tx, _ := srv.Transaction("sc-1")
			assert.Equal(t, "1142", tx.RespCode)
		})
	}
}
