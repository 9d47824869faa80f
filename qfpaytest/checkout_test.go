package qfpaytest_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// checkoutOrder is an order for the hosted checkout page.
func checkoutOrder(outTradeNo, notifyURL string) *qfpay.CheckoutRequest {
	return &qfpay.CheckoutRequest{
		Amount: 1000, Currency: qfpay.CurrencyHKD, OutTradeNo: outTradeNo,
		ReturnURL: "https://shop.example/paid?o=" + outTradeNo, FailedURL: "https://shop.example/failed",
		CancelURL: "https://shop.example/cart", NotifyURL: notifyURL, PaySource: qfpay.PaySourceRemotePay,
		GoodsName: "港式 奶茶 x2", Lang: qfpay.CheckoutLangEnglish,
	}
}

// TestCheckoutLifecycleSDK: the SDK builds the URL, the shopper opens the
// page, pays or is declined; the notification, the redirect and the query
// follow.
func TestCheckoutLifecycleSDK(t *testing.T) {
	for _, signType := range []qfpay.SignType{qfpay.MD5, qfpay.SHA256} {
		t.Run(string(signType)+"/paid", func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t, fast)
			client := newClient(t, srv, qfpay.WithSignType(signType))
			ctx := t.Context()
			req := checkoutOrder("co-1", rc.URL+"/qfpay/notify")

			link, err := client.CheckoutURL(req)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(link, srv.URL+"/checkstand/#/?"), link)
			page, err := srv.OpenCheckout(ctx, link)
			require.NoError(t, err)
			assert.Equal(t, "co-1", page.OutTradeNo)
			assert.Equal(t, int64(1000), page.Amount)
			assert.Equal(t, qfpay.CurrencyHKD, page.Currency)
			assert.Equal(t, "港式 奶茶 x2", page.GoodsName)
			assert.Equal(t, "en", page.Lang)
			assert.Equal(t, "1143", page.RespCode)
			assert.Equal(t, req.ReturnURL, page.ReturnURL)
			assert.Equal(t, req.FailedURL, page.FailedURL)
			assert.Equal(t, req.CancelURL, page.CancelURL)

			tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"co-1"}})
			assert.Equal(t, page.SysSN, tx.SysSN)
			assert.Equal(t, "1143", tx.RespCode, "waiting for the shopper")

			next, err := page.Pay(ctx, "")
			require.NoError(t, err)
			assert.Equal(t, req.ReturnURL, next, "the browser goes back to the shop")

			ds := waitDeliveries(t, srv, 1)
			require.Len(t, ds, 1)
			assert.Equal(t, rc.URL+"/qfpay/notify", ds[0].URL, "the checkout's notify_url")
			n, err := qfpay.ParseNotification(ds[0].Body, ds[0].Signature, clientKey)
			require.NoError(t, err)
			assert.Equal(t, qfpay.NotifyPayment, n.Type)
			assert.Equal(t, "co-1", n.OutTradeNo)
			assert.Equal(t, page.SysSN, n.SysSN)
			assert.Equal(t, int64(1000), n.Amount)
			assert.Equal(t, qfpay.PayTypeVisaMastercardOnline, n.PayType)

			paid, err := client.WaitForPayment(ctx, "co-1")
			require.NoError(t, err)
			assert.Equal(t, int64(1000), paid.Amount)
			assert.Equal(t, qfpay.PayTypeVisaMastercardOnline, paid.PayType)
			assert.Equal(t, "港式 奶茶 x2", paid.GoodsName)

			_, err = page.Pay(ctx, "")
			require.Error(t, err, "a paid order cannot be paid again")
			assert.Contains(t, err.Error(), "HTTP 409")
			again, err := srv.OpenCheckout(ctx, link)
			require.NoError(t, err, "a reload shows the order")
			assert.Equal(t, page.SysSN, again.SysSN)
			assert.Equal(t, "0000", again.RespCode)
		})
		t.Run(string(signType)+"/declined", func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t, fast)
			client := newClient(t, srv, qfpay.WithSignType(signType))
			ctx := t.Context()
			req := checkoutOrder("co-2", rc.URL)

			link, err := client.CheckoutURL(req)
			require.NoError(t, err)
			page, err := srv.OpenCheckout(ctx, link)
			require.NoError(t, err)
			next, err := page.Fail(ctx)
			require.NoError(t, err)
			assert.Equal(t, req.FailedURL, next)

			tx, err := client.WaitForPayment(ctx, "co-2")
			require.ErrorIs(t, err, qfpay.ErrPaymentFailed)
			assert.Equal(t, qfpaytest.CheckoutDeclineCode, tx.RespCode)
			assert.Empty(t, srv.Deliveries(), "failures are not notified")
			assert.Empty(t, rc.requests())
		})
	}
}

// TestCheckoutPayType: the shopper's choice of method is the order's pay
// type.
func TestCheckoutPayType(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	link, err := client.CheckoutURL(checkoutOrder("co-fps", "https://shop.example/n"))
	require.NoError(t, err)
	page, err := srv.OpenCheckout(t.Context(), link)
	require.NoError(t, err)
	_, err = page.Pay(t.Context(), qfpay.PayTypeFPSMPM)
	require.NoError(t, err)
	tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"co-fps"}})
	assert.Equal(t, qfpay.PayTypeFPSMPM, tx.PayType)
	assert.True(t, tx.Paid())
}

// TestCheckoutPayTypeRefused: the pay button takes a method a shopper can
// pay online with, nothing else, and the order stays unpaid.
func TestCheckoutPayTypeRefused(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	for _, tt := range []struct {
		name    string
		payType qfpay.PayType
	}{
		{"unknown code", "999999"},
		{"not a code", "card"},
		{"card-present", qfpay.PayTypeVisaMastercardOffline},
	} {
		t.Run(tt.name, func(t *testing.T) {
			no := "co-bad-" + string(tt.payType)
			link, err := client.CheckoutURL(checkoutOrder(no, "https://shop.example/n"))
			require.NoError(t, err)
			page, err := srv.OpenCheckout(t.Context(), link)
			require.NoError(t, err)
			_, err = page.Pay(t.Context(), tt.payType)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "HTTP 400")
			assert.Contains(t, err.Error(), "want a known code a shopper can pay online")
			tx, ok := srv.Transaction(no)
			require.True(t, ok)
			assert.Equal(t, "1143", tx.RespCode, "still waiting for the shopper")
		})
	}
}

// TestCheckoutTampered: a URL changed after signing is refused and creates
// nothing; lang, which is not signed, may change.
func TestCheckoutTampered(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	link, err := client.CheckoutURL(checkoutOrder("co-t", "https://shop.example/n"))
	require.NoError(t, err)
	other, err := qfpay.NewClient(appCode, "another key of the same length 00", qfpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	forged, err := other.CheckoutURL(checkoutOrder("co-t", "https://shop.example/n"))
	require.NoError(t, err)

	tests := []struct {
		name   string
		link   string
		status int
		code   string // "" when accepted
	}{
		{"amount lowered", strings.Replace(link, "txamt=1000", "txamt=1", 1), http.StatusForbidden, "1108"},
		{"notify_url redirected", strings.Replace(link, "notify_url=https%3A%2F%2Fshop.example", "notify_url=https%3A%2F%2Fevil.example", 1), http.StatusForbidden, "1108"},
		{"a parameter added", strings.Replace(link, "&sign=", "&udid=pos-1&sign=", 1), http.StatusForbidden, "1108"},
		{"sign removed", link[:strings.Index(link, "&sign=")], http.StatusForbidden, "1108"},
		{"signed with another key", forged, http.StatusForbidden, "1108"},
		{"another app code", strings.Replace(link, "appcode="+appCode, "appcode=0000000000000000000000000000FFFF", 1), http.StatusForbidden, "1106"},
		{"sign_type changed", strings.Replace(link, "sign_type=md5", "sign_type=sha256", 1), http.StatusForbidden, "1108"},
		{"lang changed: not signed", strings.Replace(link, "lang=en", "lang=zh-cn", 1), http.StatusOK, ""},
		{"sign in upper case", link[:strings.Index(link, "&sign=")+6] + strings.ToUpper(link[strings.Index(link, "&sign=")+6:]), http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, link, tt.link, "the case changes the URL")
			before := len(srv.Transactions())
			page, err := srv.OpenCheckout(t.Context(), tt.link)
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, "co-t", page.OutTradeNo)
				return
			}
			assert.Nil(t, page)
			var ce *qfpaytest.CheckoutError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.status, ce.StatusCode)
			assert.Equal(t, tt.code, ce.Code, ce.Reason)
			assert.Len(t, srv.Transactions(), before, "a refused URL creates nothing")
		})
	}
}

// signedCheckout builds a checkout URL for srv by hand, signed as the
// documentation's boilerplate does (lower-case MD5), independently of the
// SDK.
func signedCheckout(srv *qfpaytest.Server, params url.Values) string {
	params.Set("appcode", appCode)
	params.Set("sign_type", "md5")
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "lang" && params.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k+"="+params.Get(k))
	}
	sum := md5.Sum([]byte(strings.Join(pairs, "&") + clientKey))
	return srv.URL + "/checkstand/#/?" + strings.ReplaceAll(params.Encode(), "+", "%20") + "&sign=" + hex.EncodeToString(sum[:])
}

// checkoutParams are the required parameters of a checkout URL.
func checkoutParams(outTradeNo string) url.Values {
	return form("paysource", "remotepay_checkout", "txamt", "300", "txcurrcd", "HKD", "out_trade_no", outTradeNo,
		"txdtm", txdtm, "return_url", "https://m.example/ok", "failed_url", "https://m.example/fail",
		"notify_url", "https://m.example/notify")
}

// TestCheckoutParameters: a correctly signed URL is still checked against
// the documentation's table.
func TestCheckoutParameters(t *testing.T) {
	srv := newServer(t, qfpaytest.WithMerchantID("MCH1"))
	tests := []struct {
		name   string
		change func(url.Values)
		code   string // "" when accepted
	}{
		{"the required parameters", func(url.Values) {}, ""},
		{"every optional parameter", func(v url.Values) {
			for _, kv := range [][2]string{{"mchntid", "MCH1"}, {"goods_name", "tea"}, {"udid", "web"}, {"expired_time", "30"},
				{"checkout_expired_time", "1715686118000"}, {"limit_pay", "no_credit"}, {"lang", "zh-hk"}, {"cancel_url", "https://m.example/c"}} {
				v.Set(kv[0], kv[1])
			}
		}, ""},
		{"an empty optional parameter, left out of the signature", func(v url.Values) { v.Set("goods_name", "") }, ""},
		{"paysource not ending in _checkout", func(v url.Values) { v.Set("paysource", "remotepay") }, "1104"},
		{"no notify_url", func(v url.Values) { v.Del("notify_url") }, "1104"},
		{"no failed_url", func(v url.Values) { v.Del("failed_url") }, "1104"},
		{"return_url relative", func(v url.Values) { v.Set("return_url", "/ok") }, "1104"},
		{"txamt 0", func(v url.Values) { v.Set("txamt", "0") }, "1104"},
		{"unknown currency", func(v url.Values) { v.Set("txcurrcd", "XXX") }, "1104"},
		{"txdtm not a time", func(v url.Values) { v.Set("txdtm", "2019-12-25") }, "1103"},
		{"lang zh-tw", func(v url.Values) { v.Set("lang", "zh-tw") }, "1104"},
		{"expired_time 200", func(v url.Values) { v.Set("expired_time", "200") }, "1104"},
		{"checkout_expired_time a duration", func(v url.Values) { v.Set("checkout_expired_time", "30m") }, "1103"},
		{"another merchant's mchntid", func(v url.Values) { v.Set("mchntid", "MCH2") }, "1241"},
		{"a parameter the page does not take", func(v url.Values) { v.Set("support_pay_type", "ApplePay") }, "1104"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := checkoutParams("cp-" + itoa(i))
			tt.change(params)
			page, err := srv.OpenCheckout(t.Context(), signedCheckout(srv, params))
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, "cp-"+itoa(i), page.OutTradeNo)
				return
			}
			var ce *qfpaytest.CheckoutError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.code, ce.Code, ce.Reason)
			assert.Equal(t, http.StatusBadRequest, ce.StatusCode)
		})
	}
}

// TestCheckoutOutTradeNoTaken: another order's out_trade_no is refused;
// the same URL again is a reload.
func TestCheckoutOutTradeNoTaken(t *testing.T) {
	srv := newServer(t)
	first, err := srv.OpenCheckout(t.Context(), signedCheckout(srv, checkoutParams("dup")))
	require.NoError(t, err)
	again, err := srv.OpenCheckout(t.Context(), signedCheckout(srv, checkoutParams("dup")))
	require.NoError(t, err)
	assert.Equal(t, first.SysSN, again.SysSN)
	assert.Len(t, srv.Transactions(), 1)

	changed := checkoutParams("dup")
	changed.Set("txamt", "400")
	_, err = srv.OpenCheckout(t.Context(), signedCheckout(srv, changed))
	var ce *qfpaytest.CheckoutError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "2011", ce.Code)
	assert.Equal(t, http.StatusConflict, ce.StatusCode)

	paid(t, srv, "cpm-taken", "10")
	_, err = srv.OpenCheckout(t.Context(), signedCheckout(srv, checkoutParams("cpm-taken")))
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "2011", ce.Code, "a payment's number")
}

// TestCheckoutPageExpiry: past checkout_expired_time the page sends the
// shopper to failed_url and the order is listed expired.
func TestCheckoutPageExpiry(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	now := time.Now()
	srv.SetNow(now)
	req := checkoutOrder("co-exp", "https://shop.example/n")
	req.PageExpiresAt = now.Add(10 * time.Minute)
	link, err := client.CheckoutURL(req)
	require.NoError(t, err)
	page, err := srv.OpenCheckout(t.Context(), link)
	require.NoError(t, err)

	srv.Advance(10*time.Minute + time.Second)
	next, err := page.Pay(t.Context(), "")
	require.NoError(t, err)
	assert.Equal(t, req.FailedURL, next)
	tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"co-exp"}})
	assert.Equal(t, "1181", tx.RespCode)
	assert.Empty(t, srv.Deliveries())
}

// TestCheckoutBrowserPages: what a real browser gets: the bootstrap page
// that moves the fragment into the query, then the order page with its
// forms, whose pay button answers 303 to return_url.
func TestCheckoutBrowserPages(t *testing.T) {
	srv := newServer(t)
	get := func(target string) (int, string, http.Header) {
		resp, err := noRedirect.Get(target)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b), resp.Header
	}
	status, body, h := get(srv.URL + "/checkstand/")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	assert.Contains(t, body, `location.replace(location.pathname + h.slice(2))`)

	params := checkoutParams("html-1")
	params.Set("goods_name", `<b>tea</b>`)
	params.Set("cancel_url", "https://m.example/cart")
	link := signedCheckout(srv, params)
	query := link[strings.Index(link, "#/?")+3:]
	status, body, h = get(srv.URL + "/checkstand/?" + query)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	tx, ok := srv.Transaction("html-1")
	require.True(t, ok)
	assert.Contains(t, body, `<form method="post" action="/checkstand/pay/`+tx.SysSN+`">`)
	assert.Contains(t, body, `<form method="post" action="/checkstand/fail/`+tx.SysSN+`">`)
	assert.Contains(t, body, `<button type="submit" id="pay">Pay</button>`)
	assert.Contains(t, body, `<button type="submit" id="fail">Fail (card declined)</button>`)
	assert.Contains(t, body, `<option value="802801">Visa / Mastercard</option>`+"\n"+`<option value="806527">Apple Pay</option>`,
		"the methods, cards first")
	assert.Contains(t, body, `<option value="805812">PayMe</option>`)
	assert.Contains(t, body, `<h1 id="amount">HKD 3</h1>`)
	assert.Contains(t, body, `&lt;b&gt;tea&lt;/b&gt;`, "goods_name escaped")
	assert.Contains(t, body, `href="https://m.example/cart"`)

	status, body, _ = get(srv.URL + "/checkstand/?" + strings.Replace(query, "txamt=300", "txamt=3", 1))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "checkout refused")

	resp, err := noRedirect.PostForm(srv.URL+"/checkstand/pay/"+tx.SysSN, url.Values{"pay_type": {"801512"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://m.example/ok", resp.Header.Get("Location"))
	tx, _ = srv.Transaction("html-1")
	assert.Equal(t, "0000", tx.RespCode)
	assert.Equal(t, qfpay.PayType("801512"), tx.PayType)

	for _, bad := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/checkstand/pay/" + tx.SysSN, http.StatusMethodNotAllowed},
		{http.MethodPost, "/checkstand/", http.StatusMethodNotAllowed},
		{http.MethodPost, "/checkstand/pay/00000000000000000000000000", http.StatusNotFound},
		{http.MethodGet, "/checkstand/other", http.StatusNotFound},
	} {
		req, err := http.NewRequest(bad.method, srv.URL+bad.path, nil)
		require.NoError(t, err)
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, bad.status, resp.StatusCode, "%s %s", bad.method, bad.path)
	}
}
