package qfpaytest_test

import (
	"encoding/json"
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

	"github.com/qfpay-go/qfpay/qfpaytest"
)

func TestAuthentication(t *testing.T) {
	params := mpm("auth-1", "10")
	shaSign := refSign(params, clientKey, true)
	tests := []struct {
		name   string
		method string
		opts   []reqOpt
		status int
		code   string
	}{
		{name: "MD5 signature", code: "0000"},
		{name: "lower-case signature", opts: []reqOpt{header("X-QF-SIGN", strings.ToLower(refSign(params, clientKey, false)))}, code: "0000"},
		{name: "SHA256 signature", opts: []reqOpt{header("X-QF-SIGNTYPE", "SHA256"), header("X-QF-SIGN", shaSign)}, code: "0000"},
		{name: "MD5 named", opts: []reqOpt{header("X-QF-SIGNTYPE", "MD5")}, code: "0000"},
		{name: "SHA256 announced, MD5 sent", opts: []reqOpt{header("X-QF-SIGNTYPE", "SHA256")}, code: "1108"},
		{name: "SHA256 sent, not announced", opts: []reqOpt{header("X-QF-SIGN", shaSign)}, code: "1108"},
		{name: "unknown sign type", opts: []reqOpt{header("X-QF-SIGNTYPE", "RSA")}, code: "1108"},
		{name: "signature of other parameters", opts: []reqOpt{header("X-QF-SIGN", refSign(mpm("auth-1", "11"), clientKey, false))}, code: "1108"},
		{name: "signed with another key", opts: []reqOpt{header("X-QF-SIGN", refSign(params, "another key", false))}, code: "1108"},
		{name: "signature missing", opts: []reqOpt{header("X-QF-SIGN", "")}, code: "1108"},
		{name: "app code missing", opts: []reqOpt{header("X-QF-APPCODE", "")}, code: "1106"},
		{name: "app code unknown", opts: []reqOpt{header("X-QF-APPCODE", "A6A49A66B4C000000094EA95032")}, code: "1106"},
		{name: "JSON body", opts: []reqOpt{header("Content-Type", "application/json")}, code: "1103"},
		{name: "GET on a POST endpoint", method: http.MethodGet, status: http.StatusMethodNotAllowed, code: "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			a := do(t, srv, method, "/trade/v1/payment", params, tt.opts...)
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			assert.Equal(t, status, a.status)
			requireCode(t, a, tt.code)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			if tt.code != "0000" {
				assert.NotEmpty(t, a.str("respmsg"), "a refusal says why")
				assert.Empty(t, srv.Transactions(), "a refused call stores nothing")
			}
		})
	}
}

func TestParamsInQueryOfPost(t *testing.T) {
	// The documentation's JSAPI sample posts its parameters as a query.
	srv := newServer(t)
	params := form("pay_type", "800207", "txamt", "1", "txcurrcd", "THB", "out_trade_no", "q-1", "txdtm", txdtm, "sub_openid", "oS80_5dxekECAOlVBeQFk34q123s")
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/trade/v1/payment?"+params.Encode(), nil)
	require.NoError(t, err)
	req.Header.Set("X-QF-APPCODE", appCode)
	req.Header.Set("X-QF-SIGN", refSign(params, clientKey, false))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	tx, ok := srv.Transaction("q-1")
	require.True(t, ok)
	assert.Equal(t, int64(1), tx.Amount)
}

func TestPaymentValidation(t *testing.T) {
	tests := []struct {
		name   string
		params url.Values
		code   string
	}{
		{"txamt missing", without(mpm("v", "10"), "txamt"), "1104"},
		{"txamt zero", mpm("v", "0"), "1104"},
		{"txamt negative", mpm("v", "-5"), "1103"},
		{"txamt decimal", mpm("v", "1.50"), "1103"},
		{"txamt text", mpm("v", "ten"), "1103"},
		{"txcurrcd missing", without(mpm("v", "10"), "txcurrcd"), "1104"},
		{"txcurrcd unknown", with(mpm("v", "10"), "txcurrcd", "XXX"), "1104"},
		{"pay_type missing", without(mpm("v", "10"), "pay_type"), "1104"},
		{"pay_type unknown", with(mpm("v", "10"), "pay_type", "801802"), "1104"},
		{"out_trade_no missing", without(mpm("v", "10"), "out_trade_no"), "1104"},
		{"out_trade_no too long", mpm(strings.Repeat("x", 129), "10"), "1104"},
		{"txdtm missing", without(mpm("v", "10"), "txdtm"), "1104"},
		{"txdtm ISO", with(mpm("v", "10"), "txdtm", "2019-12-25T14:21:28"), "1103"},
		{"txdtm date only", with(mpm("v", "10"), "txdtm", "2019-12-25"), "1103"},
		{"txdtm impossible", with(mpm("v", "10"), "txdtm", "2019-13-25 14:21:28"), "1103"},
		{"auth_code missing for CPM", without(cpm("v", "10", "1"), "auth_code"), "1104"},
		{"expired_time below 5", with(mpm("v", "10"), "expired_time", "4"), "1104"},
		{"expired_time above 120", with(mpm("v", "10"), "expired_time", "121"), "1104"},
		{"expired_time text", with(mpm("v", "10"), "expired_time", "ten"), "1103"},
		{"goods_name too long", with(mpm("v", "10"), "goods_name", strings.Repeat("咖", 65)), "1104"},
		{"udid too long", with(mpm("v", "10"), "udid", strings.Repeat("u", 41)), "1104"},
		{"txzone malformed", with(mpm("v", "10"), "txzone", "+8"), "1103"},
		{"txzone out of range", with(mpm("v", "10"), "txzone", "+0875"), "1103"},
		{"limit_pay unknown", with(mpm("v", "10"), "limit_pay", "credit"), "1104"},
		{"JSAPI without sub_openid", with(mpm("v", "10"), "pay_type", "800207"), "1104"},
		{"mini program without sub_openid", with(mpm("v", "10"), "pay_type", "800213"), "1104"},
		{"Alipay H5 without openid", with(mpm("v", "10"), "pay_type", "800107"), "1104"},
		{"in-app without goods_name", with(mpm("v", "10"), "pay_type", "800210"), "1104"},
		{"mchid from a merchant without one", with(mpm("v", "10"), "mchid", "ZaMVg12345"), "1241"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			a := post(t, srv, "/trade/v1/payment", tt.params)
			requireCode(t, a, tt.code)
			assert.Empty(t, srv.Transactions())
		})
	}
	t.Run("expired_time bounds accepted", func(t *testing.T) {
		srv := newServer(t)
		requireCode(t, post(t, srv, "/trade/v1/payment", with(mpm("v5", "10"), "expired_time", "5")), "0000")
		requireCode(t, post(t, srv, "/trade/v1/payment", with(mpm("v120", "10"), "expired_time", "120")), "0000")
	})
}

func without(v url.Values, name string) url.Values {
	v.Del(name)
	return v
}

func with(v url.Values, name, value string) url.Values {
	v.Set(name, value)
	return v
}

func TestMerchantID(t *testing.T) {
	tests := []struct {
		name  string
		mchid string
		code  string
	}{
		{"right mchid", "ZaMVg12345", "0000"},
		{"mchid missing", "", "1104"},
		{"other mchid", "R1zQrTdJnn", "1241"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithMerchantID("ZaMVg12345"))
			params := mpm("m-1", "10")
			if tt.mchid != "" {
				params.Set("mchid", tt.mchid)
			}
			requireCode(t, post(t, srv, "/trade/v1/payment", params), tt.code)
		})
	}
}

func TestSysSN(t *testing.T) {
	srv := newServer(t)
	first := paid(t, srv, "s-1", "10")
	second := paid(t, srv, "s-2", "10")
	srv.SetNow(t0.AddDate(0, 0, 1))
	third := paid(t, srv, "s-3", "10")
	re := regexp.MustCompile(`^\d{26}$`)
	for _, s := range []string{first, second, third} {
		assert.Regexp(t, re, s)
	}
	assert.Equal(t, "20191225", first[:8])
	assert.Equal(t, "20191226", third[:8])
	assert.Equal(t, first[:25]+"1", first, "the counter starts at 1")
	assert.Equal(t, first[:25]+"2", second)

	// The same calls give the same ids on a new server.
	again := newServer(t)
	assert.Equal(t, first, paid(t, again, "s-1", "10"))
}

func TestTimeZone(t *testing.T) {
	srv := newServer(t)
	a := post(t, srv, "/trade/v1/payment", with(cpm("tz-1", "10", qfpaytest.AuthCodeSuccess), "txzone", "+0000"))
	requireCode(t, a, "0000")
	assert.Equal(t, "2019-12-25 06:21:28", a.str("sysdtm"), "times in the request's txzone")
	assert.Equal(t, txdtm, a.str("txdtm"), "txdtm echoed as sent")
	q := post(t, srv, "/trade/v1/query", form("syssn", a.str("syssn")))
	assert.Equal(t, "2019-12-25 14:21:28", q.data(t)[0]["sysdtm"], "the query's own zone: UTC+8")
}

func TestNotFound(t *testing.T) {
	srv := newServer(t)
	resp, err := http.Get(srv.URL + "/trade/v1/nothing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestConcurrentPayments(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	const n = 40
	var wg sync.WaitGroup
	syssns := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			resp, err := client.Payment(t.Context(), paymentReq("c-"+itoa(i), 100))
			errs[i] = err
			if err == nil {
				syssns[i] = resp.SysSN
				_, errs[i] = client.Query(t.Context(), queryBySysSN(resp.SysSN))
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		require.NoError(t, errs[i])
		assert.False(t, seen[syssns[i]], "syssn %s given twice", syssns[i])
		seen[syssns[i]] = true
	}
	assert.Len(t, srv.Transactions(), n)
}

// TestWithoutListener serves a Server that does not listen with a server
// of the test's own: the links it hands out use the request's host.
func TestWithoutListener(t *testing.T) {
	clock := func() time.Time { return time.Date(2020, 4, 23, 11, 9, 27, 0, utc8) }
	srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithoutListener(), qfpaytest.WithClock(clock))
	defer srv.Close()
	assert.Empty(t, srv.URL)
	hs := httptest.NewServer(srv)
	defer hs.Close()

	params := mpm("new-1", "10")
	req, err := http.NewRequest(http.MethodPost, hs.URL+"/trade/v1/payment", strings.NewReader(params.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-QF-APPCODE", srv.AppCode())
	req.Header.Set("X-QF-SIGN", refSign(params, clientKey, false))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var a map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	assert.Equal(t, "0000", a["respcd"])
	assert.Equal(t, hs.URL+"/pay/"+a["syssn"], a["qrcode"])
	assert.Equal(t, "2020-04-23 11:09:27", a["sysdtm"], "WithClock")
	assert.True(t, strings.HasPrefix(a["syssn"], "20200423"))

	assert.Panics(t, func() { qfpaytest.NewServer("", clientKey, qfpaytest.WithoutListener()) })
	assert.Panics(t, func() { qfpaytest.NewServer(appCode, " ") })
}
