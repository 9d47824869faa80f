package qfpaytest_test

// Integration tests: the full life of every scenario run through the SDK
// against the in-memory gateway, with every request the SDK sends recorded
// as it went on the wire (wireTap) so that both sides are seen to agree.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Tokyo on systems without a zone database

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const hkd = qfpay.CurrencyHKD

// API paths, as the gateway serves them.
const (
	pathPayment   = "/trade/v1/payment"
	pathQuery     = "/trade/v1/query"
	pathRefund    = "/trade/v1/refund"
	pathReversal  = "/trade/v1/reversal"
	pathClose     = "/trade/v1/close"
	pathAuthTrade = "/trade/v1/authtrade"
	pathAddNote   = "/trade/v1/add_note"
	pathBill      = "/download/v1/trade_bill"
	pathOpenID    = "/tool/v1/get_weixin_openid"
)

// wireTap is the transport of a client under test: it records every
// request (method, path, headers and the parameters as the server parses
// them) before passing it on unchanged.
type wireTap struct {
	mu      sync.Mutex
	reqs    []tapped
	changed chan struct{}
}

type tapped struct {
	method, path string
	header       http.Header
	params       url.Values
}

func (w *wireTap) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := tapped{method: r.Method, path: r.URL.Path, header: r.Header.Clone()}
	raw := r.URL.RawQuery
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > 0 {
			raw = string(body)
		}
	}
	params, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("wireTap: unparsable parameters %q: %w", raw, err)
	}
	rec.params = params
	w.mu.Lock()
	w.reqs = append(w.reqs, rec)
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// all returns every request recorded so far.
func (w *wireTap) all() []tapped {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.reqs)
}

// to returns the requests sent to path.
func (w *wireTap) to(path string) []tapped {
	var out []tapped
	for _, r := range w.all() {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func (w *wireTap) count(path string) int { return len(w.to(path)) }

// waitCount waits until at least n requests were sent to path.
func (w *wireTap) waitCount(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		changed := w.changed
		w.mu.Unlock()
		if w.count(path) >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%d requests to %s, want %d", w.count(path), path, n)
		}
	}
}

// tappedClient is newClient with a wireTap and fast polling.
func tappedClient(t *testing.T, srv *qfpaytest.Server, opts ...qfpay.Option) (*qfpay.Client, *wireTap) {
	t.Helper()
	tap := &wireTap{changed: make(chan struct{})}
	base := []qfpay.Option{
		qfpay.WithHTTPClient(&http.Client{Transport: tap, Timeout: 10 * time.Second}),
		qfpay.WithPollInterval(time.Millisecond, 5*time.Millisecond),
	}
	return newClient(t, srv, append(base, opts...)...), tap
}

// assertWireSigned recomputes the signature of a recorded request from what
// was sent, with the hash its X-QF-SIGNTYPE header announces.
func assertWireSigned(t *testing.T, r tapped) {
	t.Helper()
	sha := r.header.Get("X-QF-SIGNTYPE") == "SHA256"
	assert.Equal(t, refSign(r.params, clientKey, sha), r.header.Get("X-QF-SIGN"), "signature of %s %s", r.method, r.path)
	assert.Equal(t, appCode, r.header.Get("X-QF-APPCODE"), "%s", r.path)
}

// requireAPIError checks that err is the gateway's refusal with code, the
// spec's description of it and the gateway's resperr.
func requireAPIError(t *testing.T, err error, code string) *qfpay.APIError {
	t.Helper()
	var apiErr *qfpay.APIError
	require.ErrorAs(t, err, &apiErr, "want respcd %s", code)
	require.Equal(t, code, apiErr.Code, "%v", err)
	assert.NotEmpty(t, apiErr.Description(), "the spec describes %s", code)
	assert.Contains(t, apiErr.Message, "("+code+")", "resperr")
	return apiErr
}

// waitCtx bounds a WaitForPayment that should settle quickly.
func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func byOutTradeNo(no ...string) *qfpay.QueryRequest {
	return &qfpay.QueryRequest{OutTradeNos: no}
}

// TestLifecycleMPM: a QR code shown, paid while the merchant waits, then
// refunded in two parts, and refused once nothing is left.
func TestLifecycleMPM(t *testing.T) {
	tests := []struct {
		name    string
		opts    []qfpaytest.Option
		payWhen func(t *testing.T, srv *qfpaytest.Server, tap *wireTap, no string) // nil: WithAutoPay
	}{
		{"Server.Pay while waiting", nil, func(t *testing.T, srv *qfpaytest.Server, tap *wireTap, no string) {
			tap.waitCount(t, pathQuery, 2) // the first answer said 1143
			srv.SetNow(t0.Add(time.Minute))
			require.NoError(t, srv.Pay(no))
		}},
		{"WithAutoPay", []qfpaytest.Option{qfpaytest.WithAutoPay(20 * time.Millisecond)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.opts...)
			client, tap := tappedClient(t, srv)
			ctx := t.Context()

			resp, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 1000,
				Currency: hkd, OutTradeNo: "mpm-1", GoodsName: "coffee", ExpireMinutes: 10})
			require.NoError(t, err)
			assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.QRCode)
			assert.Empty(t, resp.PayURL)
			assert.Empty(t, resp.PayParams)
			assert.Len(t, resp.SysSN, 26)
			sent := tap.to(pathPayment)[0].params
			assert.Equal(t, "10", sent.Get("expired_time"))
			stx, ok := srv.Transaction(resp.SysSN)
			require.True(t, ok)
			assert.Equal(t, t0.Add(10*time.Minute), stx.ExpireTime, "expired_time as the SDK sent it")

			type result struct {
				tx  *qfpay.Transaction
				err error
			}
			done := make(chan result, 1)
			go func() {
				tx, err := client.WaitForPayment(waitCtx(t), "mpm-1")
				done <- result{tx, err}
			}()
			if tt.payWhen != nil {
				tt.payWhen(t, srv, tap, "mpm-1")
			}
			r := <-done
			require.NoError(t, r.err)
			assert.True(t, r.tx.Paid())
			assert.Equal(t, resp.SysSN, r.tx.SysSN)
			assert.Equal(t, int64(1000), r.tx.Amount)
			assert.Equal(t, "coffee", r.tx.GoodsName)
			assert.False(t, r.tx.PayTime.IsZero())
			if tt.payWhen != nil {
				assert.True(t, r.tx.PayTime.Equal(t0.Add(time.Minute)), "paydtm %v", r.tx.PayTime)
				assert.GreaterOrEqual(t, tap.count(pathQuery), 2)
			}
			for _, q := range tap.to(pathQuery) {
				assert.Equal(t, "mpm-1", q.params.Get("out_trade_no"), "WaitForPayment queries by out_trade_no")
			}

			paid := only(t, client, byOutTradeNo("mpm-1"))
			assert.True(t, paid.Paid())
			assert.Equal(t, qfpay.CancelNone, paid.Cancel)

			r1, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-1-r1", Amount: 400})
			require.NoError(t, err)
			assert.Equal(t, resp.SysSN, r1.OrigSysSN)
			assert.Equal(t, int64(400), r1.Amount)
			assert.Equal(t, "mpm-1-r1", r1.OutTradeNo)
			assert.Equal(t, qfpay.CancelPartiallyRefunded, only(t, client, queryBySysSN(resp.SysSN)).Cancel)

			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-1-r2", Amount: 601})
			requireAPIError(t, err, "1272")

			r2, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-1-r2", Amount: 600})
			require.NoError(t, err, "a refused refund leaves its number unused")
			assert.Equal(t, qfpay.CancelRefunded, only(t, client, queryBySysSN(resp.SysSN)).Cancel)

			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-1-r3", Amount: 1})
			requireAPIError(t, err, "1125")
			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-1-r1", Amount: 1})
			requireAPIError(t, err, qfpay.CodeSerialRepeated)

			for _, want := range []*qfpay.RefundResponse{r1, r2} {
				tx := only(t, client, byOutTradeNo(want.OutTradeNo))
				assert.True(t, tx.IsRefund())
				assert.True(t, tx.Paid())
				assert.Equal(t, want.SysSN, tx.SysSN)
				assert.Equal(t, resp.SysSN, tx.OrigSysSN, "origssn")
				assert.Equal(t, want.Amount, tx.Amount)
			}
			stx, _ = srv.Transaction(resp.SysSN)
			assert.Equal(t, int64(1000), stx.Refunded)

			refunds := tap.to(pathRefund)
			require.Len(t, refunds, 5, "refunds are never re-sent")
			assert.Equal(t, resp.SysSN, refunds[0].params.Get("syssn"))
			assert.Equal(t, "400", refunds[0].params.Get("txamt"))
			for _, r := range tap.all() {
				assertWireSigned(t, r)
			}
		})
	}
}

// TestLifecycleMPMUnpaid: a QR code nobody pays, settled as the SDK
// documents.
func TestLifecycleMPMUnpaid(t *testing.T) {
	t.Run("the wait gives up, then the merchant closes it", func(t *testing.T) {
		srv := newServer(t)
		client, tap := tappedClient(t, srv)
		resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatMPM, Amount: 300, Currency: hkd, OutTradeNo: "mpm-idle"})
		require.NoError(t, err)
		_, err = client.Refund(t.Context(), &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "mpm-idle-r", Amount: 300})
		requireAPIError(t, err, "1261")

		// Long enough for a query to be answered on a loaded machine.
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		tx, err := client.WaitForPayment(ctx, "mpm-idle")
		require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown, "nothing proven yet")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Nil(t, tx)
		var ue *qfpay.UnsettledError
		require.ErrorAs(t, err, &ue)
		require.NotNil(t, ue.Last, "last seen waiting for the customer")
		assert.Equal(t, resp.SysSN, ue.Last.SysSN)
		assert.Equal(t, "1143", ue.Last.RespCode)
		assert.GreaterOrEqual(t, tap.count(pathQuery), 1)

		_, err = client.Cancel(t.Context(), qfpay.PayTypeWeChatMPM, &qfpay.ReversalRequest{OutTradeNo: "mpm-idle", Amount: 300})
		require.NoError(t, err)
		assert.Equal(t, 1, tap.count(pathClose), "WeChat Pay MPM is closed, not reversed")
		tx, err = client.WaitForPayment(waitCtx(t), "mpm-idle")
		require.ErrorIs(t, err, qfpay.ErrPaymentFailed, "closed unpaid: listed as failed")
		requireAPIError(t, err, "1142")
		assert.Equal(t, resp.SysSN, tx.SysSN)
	})
	t.Run("expired", func(t *testing.T) {
		srv := newServer(t)
		client, _ := tappedClient(t, srv)
		_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 300, Currency: hkd,
			OutTradeNo: "mpm-late", ExpireMinutes: 5})
		require.NoError(t, err)
		srv.SetNow(t0.Add(5*time.Minute - time.Second))
		assert.Equal(t, "1143", only(t, client, byOutTradeNo("mpm-late")).RespCode, "still payable")
		srv.SetNow(t0.Add(5 * time.Minute))
		tx, err := client.WaitForPayment(waitCtx(t), "mpm-late")
		requireAPIError(t, err, "1181")
		require.NotNil(t, tx)
		assert.True(t, tx.Failed())
		require.ErrorIs(t, srv.Pay("mpm-late"), qfpaytest.ErrNotPayable)
	})
}

// TestLifecycleCPM charges a customer's code with each magic auth code and
// settles the outcome as the SDK documents.
func TestLifecycleCPM(t *testing.T) {
	tests := []struct {
		name     string
		authCode string
		first    string // respcd of the payment's answer
		final    string // respcd WaitForPayment settles on
		queries  int    // queries WaitForPayment makes
	}{
		{"success", qfpaytest.AuthCodeSuccess, "0000", "0000", 1},
		{"pending", qfpaytest.AuthCodePending, "1145", "0000", qfpaytest.DefaultPendingQueries + 1},
		{"password pending", qfpaytest.AuthCodePasswordPending, "1143", "0000", qfpaytest.DefaultPendingQueries + 1},
		{"slow network", qfpaytest.AuthCodeSlowNetwork, "1298", "0000", qfpaytest.DefaultPendingQueries + 1},
		{"pending then failed", qfpaytest.AuthCodePendingThenFail, "1145", "1205", qfpaytest.DefaultPendingQueries + 1},
		{"insufficient balance", qfpaytest.AuthCodeInsufficientBalance, "1201", "1201", 1},
		{"invalid code", qfpaytest.AuthCodeInvalid, "1202", "1202", 1},
		{"expired code", qfpaytest.AuthCodeExpired, "2005", "2005", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			client, tap := tappedClient(t, srv)
			req := &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 880, Currency: hkd,
				OutTradeNo: "cpm-1", AuthCode: tt.authCode, DeviceID: "till-3"}
			resp, err := client.Payment(t.Context(), req)
			pending := tt.first == "1143" || tt.first == "1145" || tt.first == "1298"
			switch {
			case tt.first == "0000":
				require.NoError(t, err)
				assert.False(t, resp.PayTime.IsZero())
			case pending:
				require.ErrorIs(t, err, qfpay.ErrPending)
				requireAPIError(t, err, tt.first)
				require.NotNil(t, resp, "a pending answer carries the payment")
			default:
				assert.NotErrorIs(t, err, qfpay.ErrPending)
				assert.NotErrorIs(t, err, qfpay.ErrOutcomeUnknown)
				requireAPIError(t, err, tt.first)
				assert.Nil(t, resp)
			}
			sent := tap.to(pathPayment)
			require.Len(t, sent, 1)
			assert.Equal(t, tt.authCode, sent[0].params.Get("auth_code"))
			assert.Equal(t, "till-3", sent[0].params.Get("udid"))
			stx, ok := srv.Transaction("cpm-1")
			require.True(t, ok, "every answer with a respcd was recorded")
			if resp != nil {
				assert.Equal(t, stx.SysSN, resp.SysSN)
				assert.Equal(t, int64(880), resp.Amount)
				assert.Equal(t, "cpm-1", resp.OutTradeNo)
				assert.Equal(t, "till-3", resp.DeviceID)
				assert.Equal(t, stx.ChannelSN, resp.ChannelSN)
			}

			tx, err := client.WaitForPayment(waitCtx(t), "cpm-1")
			require.NotNil(t, tx)
			assert.Equal(t, stx.SysSN, tx.SysSN)
			assert.Equal(t, tt.final, tx.RespCode)
			assert.Equal(t, tt.queries, tap.count(pathQuery))
			if tt.final == "0000" {
				require.NoError(t, err)
				assert.True(t, tx.Paid())
				assert.Equal(t, int64(880), tx.Amount)
			} else {
				apiErr := requireAPIError(t, err, tt.final)
				assert.Equal(t, pathQuery, apiErr.Path)
				assert.True(t, tx.Failed())
				// A failure is final: paying again under a new number is safe.
				req.OutTradeNo, req.AuthCode = "cpm-2", qfpaytest.AuthCodeSuccess
				again, err := client.Payment(t.Context(), req)
				require.NoError(t, err)
				assert.NotEqual(t, tx.SysSN, again.SysSN)
			}
			for _, r := range tap.all() {
				assertWireSigned(t, r)
			}
		})
	}
}

// TestLifecycleCheckouts runs the online, in-wallet and in-app scenarios:
// the checkout handed out, the customer paying it, the merchant settling.
func TestLifecycleCheckouts(t *testing.T) {
	const returnURL = "https://shop.example/return?order=42&lang=en"
	tests := []struct {
		name string
		req  qfpay.PaymentRequest
		mode qfpay.PayMode
		// checkout checks what the customer is handed, then pays as the
		// customer would.
		checkout func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse)
	}{
		{"Alipay online WAP", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayOnlineWAP, ReturnURL: returnURL}, qfpay.ModeOnline, payURL(returnURL)},
		{"Alipay HK online WAP", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayHKOnlineWAP, ReturnURL: returnURL}, qfpay.ModeOnline, payURL(returnURL)},
		{"Alipay online QR, no return URL", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayOnlineQR}, qfpay.ModeOnline, payURL("")},
		{"Alipay service window H5", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayServiceWindowH5, OpenID: "2088802811715388", ReturnURL: returnURL}, qfpay.ModeInWallet,
			func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
				tradeNO, err := resp.AlipayTradeNO()
				require.NoError(t, err)
				assert.Equal(t, "2088"+resp.SysSN, tradeNO)
				require.NoError(t, srv.Pay(resp.SysSN))
			}},
		{"WeChat JSAPI", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatJSAPI, SubOpenID: qfpaytest.SandboxOpenID}, qfpay.ModeInWallet,
			func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
				p := jsapiParams(t, resp)
				checkout, err := qfpay.WeChatCheckoutURL(qfpay.WeChatCheckoutHost, p, qfpay.WeChatCheckout{
					MerchantName: "QF Coffee", Amount: resp.Amount, Currency: resp.Currency, GoodsName: "latte", RedirectURL: returnURL})
				require.NoError(t, err)
				u, err := url.Parse(checkout)
				require.NoError(t, err)
				assert.Equal(t, "https://o2.qfpay.com/q/direct", u.Scheme+"://"+u.Host+u.Path)
				assert.Equal(t, url.Values{
					"appId": {p.AppID}, "timeStamp": {p.TimeStamp}, "nonceStr": {p.NonceStr}, "package": {p.Package},
					"signType": {p.SignType}, "paySign": {p.PaySign}, "mchntnm": {"QF Coffee"}, "txamt": {"1234"},
					"currency": {"HKD"}, "goods_name": {"latte"}, "redirect_url": {returnURL},
				}, u.Query())
				require.NoError(t, srv.Pay(resp.SysSN))
			}},
		{"WeChat mini program", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatMiniProgram, SubOpenID: "oMiniProgramUser"}, qfpay.ModeInWallet,
			func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
				jsapiParams(t, resp)
				require.NoError(t, srv.Pay(resp.SysSN))
			}},
		{"WeChat in-app", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatInApp, GoodsName: "gems"}, qfpay.ModeInApp, weChatApp},
		{"WeChat Pay HK in-app", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatPayHKInApp, GoodsName: "gems"}, qfpay.ModeInApp, weChatApp},
		{"Alipay in-app", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayInApp, GoodsName: "gems", GoodsInfo: "100 gems"}, qfpay.ModeInApp, alipayApp("ALIPAYHK", "100 gems")},
		{"Alipay HK in-app, mainland wallet", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayHKInApp, GoodsName: "gems", PayTag: qfpay.PayTagAlipayCN}, qfpay.ModeInApp, alipayApp("ALIPAYCN", "gems")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			client, tap := tappedClient(t, srv)
			req := tt.req
			req.Amount, req.Currency, req.OutTradeNo = 1234, hkd, "co-1"
			require.Equal(t, tt.mode, req.PayType.Mode())

			resp, err := client.Payment(t.Context(), &req)
			require.NoError(t, err)
			switch tt.mode {
			case qfpay.ModeOnline:
				assert.NotEmpty(t, resp.PayURL)
				assert.Empty(t, resp.QRCode)
				assert.Empty(t, resp.PayParams)
			default:
				assert.NotEmpty(t, resp.PayParams)
				assert.Empty(t, resp.QRCode)
				assert.Empty(t, resp.PayURL)
			}
			sent := tap.to(pathPayment)[0].params
			for name, value := range map[string]string{"return_url": req.ReturnURL, "openid": req.OpenID,
				"sub_openid": req.SubOpenID, "goods_name": req.GoodsName, "goods_info": req.GoodsInfo, "pay_tag": req.PayTag} {
				assert.Equal(t, value, sent.Get(name), name)
				_, present := sent[name]
				assert.Equal(t, value != "", present, "%s sent only when set", name)
			}
			stx, _ := srv.Transaction(resp.SysSN)
			assert.Equal(t, "1143", stx.RespCode, "waits for the customer")
			assert.Equal(t, req.ReturnURL, stx.ReturnURL)

			tt.checkout(t, srv, resp)

			tx, err := client.WaitForPayment(waitCtx(t), "co-1")
			require.NoError(t, err)
			assert.True(t, tx.Paid())
			assert.Equal(t, resp.SysSN, tx.SysSN)
			assert.Equal(t, req.PayType, tx.PayType)
			assert.Equal(t, int64(1234), tx.Amount)
			assert.Equal(t, req.GoodsName, tx.GoodsName)
			for _, r := range tap.all() {
				assertWireSigned(t, r)
			}
		})
	}
}

// payURL checks an online checkout's pay_url and has the customer's browser
// follow it: the gateway sends it back to returnURL, if any.
func payURL(returnURL string) func(*testing.T, *qfpaytest.Server, *qfpay.PaymentResponse) {
	return func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
		assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.PayURL)
		browser, err := noRedirect.Get(resp.PayURL)
		require.NoError(t, err)
		defer browser.Body.Close()
		if returnURL == "" {
			assert.Equal(t, http.StatusOK, browser.StatusCode)
			return
		}
		assert.Equal(t, http.StatusFound, browser.StatusCode)
		assert.Equal(t, returnURL, browser.Header.Get("Location"))
	}
}

// jsapiParams checks the WeChat JSAPI / mini program pay_params: they name
// the payment and WeChat's signature covers them.
func jsapiParams(t *testing.T, resp *qfpay.PaymentResponse) *qfpay.WeChatJSAPIParams {
	t.Helper()
	p, err := resp.WeChatJSAPIParams()
	require.NoError(t, err)
	assert.Equal(t, qfpaytest.SandboxWeChatAppID, p.AppID)
	assert.Equal(t, "prepay_id=wx"+resp.SysSN, p.Package)
	assert.Equal(t, itoa(int(resp.SysTime.Unix())), p.TimeStamp)
	signed := form("appId", p.AppID, "timeStamp", p.TimeStamp, "nonceStr", p.NonceStr, "package", p.Package, "signType", p.SignType)
	assert.Equal(t, refSign(signed, clientKey, false), p.PaySign)
	return p
}

func weChatApp(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
	p, err := resp.WeChatAppParams()
	require.NoError(t, err)
	assert.Equal(t, qfpaytest.SandboxWeChatAppID, p.AppID)
	assert.Equal(t, qfpaytest.SandboxWeChatPartnerID, p.PartnerID)
	assert.Equal(t, "wx"+resp.SysSN, p.PrepayID)
	assert.Equal(t, "Sign=WXPay", p.Package)
	assert.Equal(t, itoa(int(resp.SysTime.Unix())), p.TimeStamp, "a JSON number read as text")
	signed := form("appid", p.AppID, "partnerid", p.PartnerID, "prepayid", p.PrepayID, "package", p.Package, "noncestr", p.NonceStr, "timestamp", p.TimeStamp)
	assert.Equal(t, refSign(signed, clientKey, false), p.Sign)
	require.NoError(t, srv.Pay(resp.SysSN))
}

func alipayApp(inst, body string) func(*testing.T, *qfpaytest.Server, *qfpay.PaymentResponse) {
	return func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
		p, err := resp.AlipayAppParams()
		require.NoError(t, err)
		assert.Equal(t, resp.SysSN, p.OutTradeNo)
		assert.Equal(t, "12.34", p.TotalFee, "1234 cents in the major unit")
		assert.Equal(t, "HKD", p.Currency)
		assert.Equal(t, inst, p.PaymentInst)
		assert.Equal(t, "gems", p.Subject)
		assert.Equal(t, body, p.Body)
		assert.Equal(t, "30m", p.ItBPay)
		assert.Equal(t, "5311", p.Fields["secondary_merchant_industry"], "a JSON number kept as text")
		assert.Equal(t, "MD5", p.SignType)
		require.NoError(t, srv.Pay(resp.SysSN))
	}
}

// TestLifecycleReverseClose cancels payments nobody paid yet, and is
// refused for a paid one.
func TestLifecycleReverseClose(t *testing.T) {
	tests := []struct {
		name     string
		req      qfpay.PaymentRequest
		cancel   func(*qfpay.Client, context.Context, *qfpay.ReversalRequest) (*qfpay.ReversalResponse, error)
		path     string
		bySysSN  bool
		want     qfpay.CancelStatus
		firstErr string // the payment's own answer
	}{
		{"reverse Alipay MPM by syssn", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM}, (*qfpay.Client).Reverse, pathReversal, true, qfpay.CancelReversed, ""},
		{"close WeChat MPM by out_trade_no", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatMPM}, (*qfpay.Client).CloseOrder, pathClose, false, qfpay.CancelClosed, ""},
		{"close PayNow MPM", qfpay.PaymentRequest{PayType: qfpay.PayTypePayNowMPM}, (*qfpay.Client).CloseOrder, pathClose, true, qfpay.CancelClosed, ""},
		{"reverse a pending CPM by out_trade_no", qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, AuthCode: qfpaytest.AuthCodePending}, (*qfpay.Client).Reverse, pathReversal, false, qfpay.CancelReversed, "1145"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			client, tap := tappedClient(t, srv)
			ctx := t.Context()
			req := tt.req
			req.Amount, req.Currency, req.OutTradeNo = 500, hkd, "rc-1"
			resp, err := client.Payment(ctx, &req)
			if tt.firstErr != "" {
				requireAPIError(t, err, tt.firstErr)
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, resp)

			target := &qfpay.ReversalRequest{Amount: 500, DeviceID: "till-1"}
			if tt.bySysSN {
				target.SysSN = resp.SysSN
			} else {
				target.OutTradeNo = "rc-1"
			}
			wrong := *target
			wrong.Amount = 499
			_, err = tt.cancel(client, ctx, &wrong)
			requireAPIError(t, err, "1266")

			rev, err := tt.cancel(client, ctx, target)
			require.NoError(t, err)
			assert.Equal(t, resp.SysSN, rev.OrigSysSN)
			assert.NotEqual(t, resp.SysSN, rev.SysSN)
			assert.Equal(t, int64(500), rev.Amount)
			assert.Equal(t, "till-1", rev.DeviceID)
			assert.True(t, rev.SysTime.Equal(t0))

			tx := only(t, client, byOutTradeNo("rc-1"))
			assert.Equal(t, tt.want, tx.Cancel)
			assert.Equal(t, "1142", tx.RespCode, "closed before payment")
			assert.True(t, tx.Failed())
			require.ErrorIs(t, srv.Pay("rc-1"), qfpaytest.ErrNotPayable, "the customer can no longer pay")

			_, err = client.WaitForPayment(waitCtx(t), "rc-1")
			requireAPIError(t, err, "1142")
			_, err = tt.cancel(client, ctx, target)
			requireAPIError(t, err, "1142")
			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "rc-1-r", Amount: 500})
			requireAPIError(t, err, "1264")

			sent := tap.to(tt.path)
			require.Len(t, sent, 3, "never re-sent")
			for i, r := range sent {
				assert.Equal(t, http.MethodPost, r.method)
				assert.Equal(t, []string{"499", "500", "500"}[i], r.params.Get("txamt"))
				assert.Equal(t, "till-1", r.params.Get("udid"))
				assert.NotEmpty(t, r.params.Get("txdtm"))
				assertWireSigned(t, r)
			}
		})
	}
	t.Run("a paid payment is refused", func(t *testing.T) {
		for _, cancel := range []struct {
			name    string
			payType qfpay.PayType
			call    func(*qfpay.Client, context.Context, *qfpay.ReversalRequest) (*qfpay.ReversalResponse, error)
		}{{"reverse", qfpay.PayTypeAlipayCPM, (*qfpay.Client).Reverse}, {"close", qfpay.PayTypeUnionPayCPM, (*qfpay.Client).CloseOrder}} {
			t.Run(cancel.name, func(t *testing.T) {
				srv := newServer(t)
				client := newClient(t, srv)
				resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: cancel.payType, Amount: 500,
					Currency: hkd, OutTradeNo: "rc-paid", AuthCode: qfpaytest.AuthCodeSuccess})
				require.NoError(t, err)
				_, err = cancel.call(client, t.Context(), &qfpay.ReversalRequest{SysSN: resp.SysSN, Amount: 500})
				requireAPIError(t, err, "1260")
				assert.NotErrorIs(t, err, qfpay.ErrOutcomeUnknown)
				tx := only(t, client, queryBySysSN(resp.SysSN))
				assert.True(t, tx.Paid())
				assert.Equal(t, qfpay.CancelNone, tx.Cancel)
			})
		}
	})
}

// TestLifecyclePreAuth freezes funds in each pre-authorization scenario,
// deducts part, is refused above what is frozen and unfreezes the rest.
func TestLifecyclePreAuth(t *testing.T) {
	const mchid = "MCHPREAUTH"
	t.Run("not a pre-auth pay type", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithMerchantID(mchid))
		client, tap := tappedClient(t, srv, qfpay.WithMerchantID(mchid))
		_, err := client.FreezeFunds(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 1000,
			Currency: hkd, OutTradeNo: "pa-0"})
		require.ErrorIs(t, err, qfpay.ErrInvalidRequest)
		assert.Empty(t, tap.all(), "refused before sending")
		assert.Empty(t, srv.Transactions())
	})
	tests := []struct {
		name string
		req  qfpay.PaymentRequest
		pay  func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) // nil: frozen at once
	}{
		{"CPM", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthCPM, AuthCode: qfpaytest.AuthCodeSuccess}, nil},
		{"MPM", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthMPM}, func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
			assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.QRCode)
			require.NoError(t, srv.Pay(resp.SysSN))
		}},
		{"online", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthOnline}, payURL("")},
		{"in-app", qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthInApp, GoodsName: "deposit"}, func(t *testing.T, srv *qfpaytest.Server, resp *qfpay.PaymentResponse) {
			p, err := resp.AlipayAppParams()
			require.NoError(t, err)
			assert.Equal(t, resp.SysSN, p.OutTradeNo)
			assert.Equal(t, "15m", p.ItBPay, "a pre-authorization lapses after 15 minutes")
			require.NoError(t, srv.Pay(resp.SysSN))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, qfpaytest.WithMerchantID(mchid))
			client, tap := tappedClient(t, srv, qfpay.WithMerchantID(mchid))
			ctx := t.Context()
			req := tt.req
			req.Amount, req.Currency, req.OutTradeNo = 1000, hkd, "pa-1"

			freeze, err := client.FreezeFunds(ctx, &req)
			require.NoError(t, err)
			if tt.pay != nil {
				assert.Equal(t, "1143", only(t, client, byOutTradeNo("pa-1")).RespCode)
				_, err := client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: freeze.SysSN, OutTradeNo: "pa-early", Amount: 1})
				requireAPIError(t, err, "1261")
				tt.pay(t, srv, freeze)
			}
			tx, err := client.WaitForPayment(waitCtx(t), "pa-1")
			require.NoError(t, err)
			assert.Equal(t, freeze.SysSN, tx.SysSN)
			stx, _ := srv.Transaction(freeze.SysSN)
			assert.Equal(t, int64(1000), stx.Frozen)

			d1, err := client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: freeze.SysSN, OutTradeNo: "pa-d1", Amount: 300})
			require.NoError(t, err)
			assert.Equal(t, freeze.SysSN, d1.OrigSysSN, "the bare 26-digit orig_syssn keeps every digit")
			assert.NotEqual(t, freeze.SysSN, d1.SysSN)
			assert.Equal(t, int64(300), d1.Amount)
			assert.Equal(t, hkd, d1.Currency)
			deduction := only(t, client, byOutTradeNo("pa-d1"))
			assert.Equal(t, d1.SysSN, deduction.SysSN)
			assert.True(t, deduction.Paid())
			assert.Equal(t, int64(300), deduction.Amount)
			assert.Equal(t, req.PayType, deduction.PayType)

			_, err = client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: freeze.SysSN, OutTradeNo: "pa-d2", Amount: 701})
			requireAPIError(t, err, "1272")
			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: freeze.SysSN, OutTradeNo: "pa-r", Amount: 100})
			requireAPIError(t, err, "1155")

			un, err := client.UnfreezeFunds(ctx, &qfpay.UnfreezeRequest{SysSN: freeze.SysSN})
			require.NoError(t, err)
			assert.Equal(t, freeze.SysSN, un.OrigSysSN)
			assert.Equal(t, int64(700), un.Amount, "what was left frozen")
			finished := only(t, client, queryBySysSN(freeze.SysSN))
			assert.Equal(t, qfpay.CancelPreAuthFinished, finished.Cancel)
			assert.True(t, finished.Paid())
			stx, _ = srv.Transaction(freeze.SysSN)
			assert.Zero(t, stx.Frozen)

			_, err = client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: freeze.SysSN, OutTradeNo: "pa-d3", Amount: 1})
			requireAPIError(t, err, "1264")
			_, err = client.UnfreezeFunds(ctx, &qfpay.UnfreezeRequest{SysSN: freeze.SysSN})
			requireAPIError(t, err, "1264")

			unfreeze := tap.to(pathReversal)[0].params
			assert.Equal(t, mchid, unfreeze.Get("mchid"), "mchid is mandatory to unfreeze")
			assert.Equal(t, freeze.SysSN, unfreeze.Get("syssn"))
			assert.NotContains(t, unfreeze, "txamt", "Alipay needs no amount")
			for _, r := range tap.all() {
				assertWireSigned(t, r)
				assert.Equal(t, mchid, r.params.Get("mchid"), "%s", r.path)
			}
		})
	}
}

// TestLifecycleBill: the day's statement lists the successful payments and
// refunds the SDK made, with their notes.
func TestLifecycleBill(t *testing.T) {
	srv := newServer(t)
	client, tap := tappedClient(t, srv)
	ctx := t.Context()
	cpmReq := func(no string, amount int64, authCode string) *qfpay.PaymentRequest {
		return &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: amount, Currency: hkd, OutTradeNo: no,
			AuthCode: authCode, GoodsName: "tea", DeviceID: "till-9"}
	}

	p1, err := client.Payment(ctx, cpmReq("bill-cpm", 1000, qfpaytest.AuthCodeSuccess))
	require.NoError(t, err)
	p2, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatMPM, Amount: 2500, Currency: hkd, OutTradeNo: "bill-mpm"})
	require.NoError(t, err)
	require.NoError(t, srv.Pay(p2.SysSN))
	r1, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: p1.SysSN, OutTradeNo: "bill-refund", Amount: 300})
	require.NoError(t, err)
	_, err = client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 700, Currency: hkd, OutTradeNo: "bill-unpaid"})
	require.NoError(t, err)
	_, err = client.Payment(ctx, cpmReq("bill-failed", 900, qfpaytest.AuthCodeInsufficientBalance))
	requireAPIError(t, err, "1201")

	const note = "table 7 – café ☕, split bill"
	require.NoError(t, client.AddNote(ctx, p1.SysSN, note))
	requireAPIError(t, client.AddNote(ctx, "20191225000200029999999999", "lost"), "1136")
	stx, _ := srv.Transaction(p1.SysSN)
	assert.Equal(t, note, stx.Note)
	addNote := tap.to(pathAddNote)[0].params
	assert.Equal(t, url.Values{"code": {appCode}, "syssn": {p1.SysSN}, "note": {note}}, addNote)

	srv.SetNow(t0.Add(24 * time.Hour))
	p5, err := client.Payment(ctx, cpmReq("bill-next-day", 100, qfpaytest.AuthCodeSuccess))
	require.NoError(t, err)

	bill, err := client.DownloadBill(ctx, t0)
	require.NoError(t, err)
	assert.True(t, bill.Date.Equal(t0))
	assert.Equal(t, "application/zip", bill.ContentType)
	files, err := bill.Files()
	require.NoError(t, err)
	require.Equal(t, []string{"trade_bill_2019-12-25.csv"}, files)
	records, err := bill.Records(files[0])
	require.NoError(t, err)
	require.NotEmpty(t, records)
	require.Equal(t, qfpaytest.BillColumns, records[0])
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		require.Len(t, rec, len(qfpaytest.BillColumns))
		row := map[string]string{}
		for i, col := range qfpaytest.BillColumns {
			row[col] = rec[i]
		}
		rows[row["syssn"]] = row
	}
	want := map[string]map[string]string{
		p1.SysSN: {"out_trade_no": "bill-cpm", "order_type": "payment", "pay_type": "800108", "txamt": "1000", "orig_syssn": "", "cancel": "5", "note": note, "udid": "till-9", "goods_name": "tea"},
		p2.SysSN: {"out_trade_no": "bill-mpm", "order_type": "payment", "pay_type": "800201", "txamt": "2500", "orig_syssn": "", "cancel": "0", "note": ""},
		r1.SysSN: {"out_trade_no": "bill-refund", "order_type": "refund", "pay_type": "800108", "txamt": "300", "orig_syssn": p1.SysSN, "cancel": "0"},
	}
	require.Len(t, rows, len(want), "successful payments and refunds of the day only: %v", records)
	for syssn, fields := range want {
		row, ok := rows[syssn]
		require.True(t, ok, "%s in the bill", syssn)
		for col, v := range fields {
			assert.Equal(t, v, row[col], "%s of %s", col, fields["out_trade_no"])
		}
		assert.Equal(t, "0000", row["respcd"])
		assert.Equal(t, "HKD", row["txcurrcd"])
		assert.Equal(t, "2019-12-25 14:21:28", row["sysdtm"])
	}

	// The bill and the SDK's listing of the day agree.
	listed := map[string]int64{}
	for tx, err := range client.Transactions(ctx, &qfpay.QueryRequest{RespCode: "0000",
		Start: time.Date(2019, 12, 25, 0, 0, 0, 0, utc8), End: time.Date(2019, 12, 25, 23, 59, 59, 0, utc8)}) {
		require.NoError(t, err)
		listed[tx.SysSN] = tx.Amount
	}
	fromBill := map[string]int64{}
	for syssn, row := range rows {
		var n int64
		_, err := fmt.Sscan(row["txamt"], &n)
		require.NoError(t, err)
		fromBill[syssn] = n
	}
	assert.Equal(t, listed, fromBill)

	next, err := client.DownloadBill(ctx, t0.Add(24*time.Hour))
	require.NoError(t, err)
	records, err = next.Records("trade_bill_2019-12-26.csv")
	require.NoError(t, err)
	require.Len(t, records, 2)
	assert.Equal(t, p5.SysSN, records[1][0])

	sent := tap.to(pathBill)
	require.Len(t, sent, 2)
	assert.Equal(t, http.MethodGet, sent[0].method)
	assert.Equal(t, url.Values{"trade_date": {"2019-12-25"}}, sent[0].params)
	for _, r := range tap.all() {
		assertWireSigned(t, r)
	}
}

// TestLifecycleWeChatOAuth follows the WeChat JSAPI flow of a merchant
// without an official account: oauth redirect, code for openid, payment,
// checkout page.
func TestLifecycleWeChatOAuth(t *testing.T) {
	srv := newServer(t)
	client, tap := tappedClient(t, srv)
	ctx := t.Context()
	const back = "https://shop.example/wechat/back?order=42"

	oauth, err := client.WeChatOAuthURL(back)
	require.NoError(t, err)
	assert.Empty(t, tap.all(), "the URL is only built")
	browser, err := noRedirect.Get(oauth)
	require.NoError(t, err)
	browser.Body.Close()
	require.Equal(t, http.StatusFound, browser.StatusCode)
	loc, err := browser.Location()
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example/wechat/back", loc.Scheme+"://"+loc.Host+loc.Path)
	assert.Equal(t, "42", loc.Query().Get("order"), "the redirect URI's own query is kept")
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	openID, err := client.WeChatOpenID(ctx, code)
	require.NoError(t, err)
	assert.Equal(t, qfpaytest.SandboxOpenID, openID)
	_, err = client.WeChatOpenID(ctx, code)
	requireAPIError(t, err, "1104")
	assert.Equal(t, 2, tap.count(pathOpenID), "a refusal is not retried")
	assert.Equal(t, url.Values{"code": {code}}, tap.to(pathOpenID)[0].params)

	tampered, err := url.Parse(oauth)
	require.NoError(t, err)
	q := tampered.Query()
	q.Set("redirect_uri", "https://evil.example/")
	tampered.RawQuery = q.Encode()
	refused := do(t, srv, http.MethodGet, tampered.Path, q, header("X-QF-SIGN", ""))
	requireCode(t, refused, "1108")

	resp, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatJSAPI, Amount: 1500, Currency: hkd,
		OutTradeNo: "jsapi-1", SubOpenID: openID})
	require.NoError(t, err)
	p := jsapiParams(t, resp)
	checkout, err := qfpay.WeChatCheckoutURL(qfpay.WeChatCheckoutHost, p, qfpay.WeChatCheckout{MerchantName: "QF Coffee",
		Amount: resp.Amount, Currency: resp.Currency, RedirectURL: "https://shop.example/done"})
	require.NoError(t, err)
	assert.Contains(t, checkout, "https://o2.qfpay.com/q/direct?")
	require.NoError(t, srv.Pay(resp.SysSN))
	tx, err := client.WaitForPayment(waitCtx(t), "jsapi-1")
	require.NoError(t, err)
	assert.Equal(t, int64(1500), tx.Amount)
	for _, r := range tap.all() {
		assertWireSigned(t, r)
	}
}

// TestLifecycleTransactions lists many transactions page by page and over
// several calendar months.
func TestLifecycleTransactions(t *testing.T) {
	pages := []struct {
		name     string
		payments int
		pageSize int
		queries  int
	}{
		{"250 payments, default page size", 250, 0, 3},
		{"exact multiple of the page size", 30, 10, 4},
		{"one short page", 7, 0, 1},
		{"none", 0, 0, 1},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			client, tap := tappedClient(t, srv)
			made := map[string]bool{}
			for i := range tt.payments {
				resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: int64(i + 1),
					Currency: hkd, OutTradeNo: fmt.Sprintf("tx-%03d", i), AuthCode: qfpaytest.AuthCodeSuccess})
				require.NoError(t, err)
				made[resp.SysSN] = true
			}
			seen := map[string]int{}
			for tx, err := range client.Transactions(t.Context(), &qfpay.QueryRequest{PageSize: tt.pageSize}) {
				require.NoError(t, err)
				seen[tx.SysSN]++
				assert.True(t, made[tx.SysSN], "listed %s was made", tx.SysSN)
			}
			assert.Len(t, seen, tt.payments)
			for syssn, n := range seen {
				assert.Equal(t, 1, n, "%s listed once", syssn)
			}
			queries := tap.to(pathQuery)
			require.Len(t, queries, tt.queries)
			size := tt.pageSize
			if size == 0 {
				size = qfpay.DefaultTransactionsPageSize
			}
			for i, q := range queries {
				assert.Equal(t, itoa(i+1), q.params.Get("page"))
				assert.Equal(t, itoa(size), q.params.Get("page_size"))
				assert.NotContains(t, q.params, "start_time", "the current month is the gateway's default")
			}
		})
	}

	t.Run("filters", func(t *testing.T) {
		srv := newServer(t)
		client, tap := tappedClient(t, srv)
		ids := map[string]string{}
		for _, p := range []struct {
			no       string
			payType  qfpay.PayType
			authCode string
		}{
			{"f-wx", qfpay.PayTypeWeChatCPM, qfpaytest.AuthCodeSuccess},
			{"f-ali", qfpay.PayTypeAlipayCPM, qfpaytest.AuthCodeSuccess},
			{"f-ali-failed", qfpay.PayTypeAlipayCPM, qfpaytest.AuthCodeInsufficientBalance},
			{"f-union", qfpay.PayTypeUnionPayCPM, qfpaytest.AuthCodeSuccess},
			{"f-mpm", qfpay.PayTypeAlipayMPM, ""},
		} {
			_, _ = client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: p.payType, Amount: 10, Currency: hkd, OutTradeNo: p.no, AuthCode: p.authCode})
			stx, ok := srv.Transaction(p.no)
			require.True(t, ok)
			ids[p.no] = stx.SysSN
		}
		tests := []struct {
			name string
			req  qfpay.QueryRequest
			sent url.Values
			want []string // out_trade_no, newest first
		}{
			{"pay types", qfpay.QueryRequest{PayTypes: []qfpay.PayType{qfpay.PayTypeAlipayCPM, qfpay.PayTypeUnionPayCPM}},
				url.Values{"pay_type": {"800108,800708"}}, []string{"f-union", "f-ali-failed", "f-ali"}},
			{"pay types, paid only", qfpay.QueryRequest{PayTypes: []qfpay.PayType{qfpay.PayTypeAlipayCPM, qfpay.PayTypeUnionPayCPM}, RespCode: "0000"},
				url.Values{"pay_type": {"800108,800708"}, "respcd": {"0000"}}, []string{"f-union", "f-ali"}},
			{"waiting for the customer", qfpay.QueryRequest{RespCode: "1143"}, url.Values{"respcd": {"1143"}}, []string{"f-mpm"}},
			{"several out_trade_no", qfpay.QueryRequest{OutTradeNos: []string{"f-wx", "f-mpm"}},
				url.Values{"out_trade_no": {"f-wx,f-mpm"}}, []string{"f-mpm", "f-wx"}},
			{"several syssn", qfpay.QueryRequest{SysSNs: []string{ids["f-ali"], ids["f-union"]}},
				url.Values{"syssn": {ids["f-ali"] + "," + ids["f-union"]}}, []string{"f-union", "f-ali"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tap.count(pathQuery)
				var got []string
				for tx, err := range client.Transactions(t.Context(), &tt.req) {
					require.NoError(t, err)
					got = append(got, tx.OutTradeNo)
					assert.Equal(t, ids[tx.OutTradeNo], tx.SysSN)
				}
				assert.Equal(t, tt.want, got)
				queries := tap.to(pathQuery)[before:]
				require.Len(t, queries, 1)
				tt.sent.Set("page", "1")
				tt.sent.Set("page_size", "100")
				assert.Equal(t, tt.sent, queries[0].params)
			})
		}
	})

	t.Run("three calendar months", func(t *testing.T) {
		var now atomic.Pointer[time.Time]
		srv := qfpaytest.NewServer(appCode, clientKey, qfpaytest.WithClock(func() time.Time { return *now.Load() }))
		t.Cleanup(srv.Close)
		client, tap := tappedClient(t, srv)
		day := func(y int, m time.Month, d, h, min, s int) time.Time { return time.Date(y, m, d, h, min, s, 0, utc8) }
		inRange := map[string]bool{}
		n := 0
		pay := func(at time.Time, listed bool) {
			now.Store(&at)
			n++
			resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 100,
				Currency: hkd, OutTradeNo: fmt.Sprintf("m-%03d", n), AuthCode: qfpaytest.AuthCodeSuccess})
			require.NoError(t, err)
			require.True(t, resp.SysTime.Equal(at))
			if listed {
				inRange[resp.SysSN] = true
			}
		}
		pay(day(2019, 9, 30, 23, 59, 59), false)
		pay(day(2019, 10, 1, 0, 0, 0), true)
		pay(day(2019, 10, 15, 12, 0, 0), true)
		pay(day(2019, 10, 31, 23, 59, 59), true)
		for i := range 120 {
			pay(day(2019, 11, 1, 0, 0, 0).Add(time.Duration(i)*time.Hour), true)
		}
		pay(day(2019, 12, 1, 0, 0, 0), true)
		pay(day(2019, 12, 31, 23, 59, 59), true)
		pay(day(2020, 1, 1, 0, 0, 0), false)

		req := &qfpay.QueryRequest{Start: day(2019, 10, 1, 0, 0, 0), End: day(2019, 12, 31, 23, 59, 59)}
		// Both sides hold that one query covers one calendar month at most.
		_, err := client.Query(t.Context(), req)
		require.ErrorIs(t, err, qfpay.ErrInvalidRequest)
		assert.Zero(t, tap.count(pathQuery), "refused before sending")
		requireCode(t, post(t, srv, pathQuery, form("start_time", "2019-10-01 00:00:00", "end_time", "2019-12-31 23:59:59")), "1104")

		seen := map[string]int{}
		for tx, err := range client.Transactions(t.Context(), req) {
			require.NoError(t, err)
			seen[tx.SysSN]++
			assert.True(t, inRange[tx.SysSN], "%s at %v is in the range", tx.SysSN, tx.SysTime)
		}
		assert.Len(t, seen, len(inRange))
		for syssn, n := range seen {
			assert.Equal(t, 1, n, "%s listed once", syssn)
		}

		var ranges [][3]string
		for _, q := range tap.to(pathQuery) {
			ranges = append(ranges, [3]string{q.params.Get("start_time"), q.params.Get("end_time"), q.params.Get("page")})
		}
		assert.Equal(t, [][3]string{
			{"2019-10-01 00:00:00", "2019-10-31 23:59:59", "1"},
			{"2019-11-01 00:00:00", "2019-11-30 23:59:59", "1"},
			{"2019-11-01 00:00:00", "2019-11-30 23:59:59", "2"},
			{"2019-12-01 00:00:00", "2019-12-31 23:59:59", "1"},
		}, ranges)
	})
}

// notifyInbox is a merchant's notification endpoint built on
// qfpay.NotificationHandler: it keeps the notifications fn accepted and
// refuses the first delivery of the numbers in failOnce.
type notifyInbox struct {
	mu       sync.Mutex
	got      map[string]*qfpay.Notification // by out_trade_no
	calls    map[string]int
	failOnce map[string]bool
}

func newNotifyInbox(t *testing.T, key string, failOnce []string) (*notifyInbox, *httptest.Server) {
	return newNotifyInboxOf(t, failOnce, func(fn func(context.Context, *qfpay.Notification) error) http.Handler {
		return qfpay.NotificationHandler(key, fn)
	})
}

// newNotifyInboxOf is newNotifyInbox with the handler made by handler
// (Client.NotificationHandler, say).
func newNotifyInboxOf(t *testing.T, failOnce []string, handler func(func(context.Context, *qfpay.Notification) error) http.Handler) (*notifyInbox, *httptest.Server) {
	in := &notifyInbox{got: map[string]*qfpay.Notification{}, calls: map[string]int{}, failOnce: map[string]bool{}}
	for _, no := range failOnce {
		in.failOnce[no] = true
	}
	hs := httptest.NewServer(handler(func(_ context.Context, n *qfpay.Notification) error {
		in.mu.Lock()
		defer in.mu.Unlock()
		in.calls[n.OutTradeNo]++
		if in.failOnce[n.OutTradeNo] && in.calls[n.OutTradeNo] == 1 {
			return errors.New("database busy")
		}
		in.got[n.OutTradeNo] = n
		return nil
	}))
	t.Cleanup(hs.Close)
	return in, hs
}

func (in *notifyInbox) snapshot() (map[string]*qfpay.Notification, map[string]int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return maps.Clone(in.got), maps.Clone(in.calls)
}

// TestLifecycleNotifications delivers payment and refund notifications to
// an endpoint made with qfpay.NotificationHandler.
func TestLifecycleNotifications(t *testing.T) {
	t.Run("payments and refunds", func(t *testing.T) {
		inbox, hs := newNotifyInbox(t, clientKey, []string{"n-retried"})
		srv := newServer(t, qfpaytest.WithNotifyURL(hs.URL+"/qfpay/notify"),
			qfpaytest.WithNotifySchedule(time.Millisecond, 5*time.Millisecond))
		client := newClient(t, srv)
		ctx := t.Context()

		cpmResp, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 1000, Currency: hkd,
			OutTradeNo: "n-cpm", AuthCode: qfpaytest.AuthCodeSuccess, GoodsName: "café"})
		require.NoError(t, err)
		mpmResp, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 500, Currency: hkd, OutTradeNo: "n-mpm"})
		require.NoError(t, err)
		srv.SetNow(t0.Add(2 * time.Minute))
		require.NoError(t, srv.Pay("n-mpm"))
		refundResp, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: cpmResp.SysSN, OutTradeNo: "n-refund", Amount: 300})
		require.NoError(t, err)
		retried, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 42, Currency: hkd,
			OutTradeNo: "n-retried", AuthCode: qfpaytest.AuthCodeSuccess})
		require.NoError(t, err)
		_, err = client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 42, Currency: hkd,
			OutTradeNo: "n-failed", AuthCode: qfpaytest.AuthCodeInsufficientBalance})
		requireAPIError(t, err, "1201")

		ds := waitDeliveries(t, srv, 4)
		require.Len(t, ds, 4, "a failed payment is not notified")
		got, calls := inbox.snapshot()
		for _, d := range ds {
			assert.True(t, d.Delivered, "%s", d.OutTradeNo)
			assert.True(t, d.Done)
			assert.Equal(t, hs.URL+"/qfpay/notify", d.URL)
			last := d.Attempts[len(d.Attempts)-1]
			assert.Equal(t, http.StatusOK, last.StatusCode)
			assert.Equal(t, "SUCCESS", last.Response)
			if d.OutTradeNo == "n-retried" {
				require.Len(t, d.Attempts, 2, "the refused attempt is retried")
				assert.Equal(t, http.StatusInternalServerError, d.Attempts[0].StatusCode)
				assert.Equal(t, 2, calls[d.OutTradeNo])
			} else {
				assert.Len(t, d.Attempts, 1, "SUCCESS stops the retries")
				assert.Equal(t, 1, calls[d.OutTradeNo])
			}
		}

		tests := []struct {
			no        string
			typ       qfpay.NotifyType
			sysSN     string
			orig      string
			amount    int64
			payType   qfpay.PayType
			goods     string
			sysTime   time.Time
			payTime   time.Time
			channelSN string
		}{
			{"n-cpm", qfpay.NotifyPayment, cpmResp.SysSN, "", 1000, qfpay.PayTypeWeChatCPM, "café", t0, t0, cpmResp.ChannelSN},
			{"n-mpm", qfpay.NotifyPayment, mpmResp.SysSN, "", 500, qfpay.PayTypeAlipayMPM, "", t0, t0.Add(2 * time.Minute), "42" + mpmResp.SysSN},
			{"n-refund", qfpay.NotifyRefund, refundResp.SysSN, cpmResp.SysSN, 300, qfpay.PayTypeWeChatCPM, "café", t0.Add(2 * time.Minute), t0.Add(2 * time.Minute), refundResp.ChannelSN},
			{"n-retried", qfpay.NotifyPayment, retried.SysSN, "", 42, qfpay.PayTypeAlipayCPM, "", t0.Add(2 * time.Minute), t0.Add(2 * time.Minute), retried.ChannelSN},
		}
		for _, tt := range tests {
			t.Run(tt.no, func(t *testing.T) {
				n, ok := got[tt.no]
				require.True(t, ok, "notification of %s accepted", tt.no)
				assert.Equal(t, tt.typ, n.Type)
				assert.Equal(t, tt.sysSN, n.SysSN)
				assert.Equal(t, tt.orig, n.OrigSysSN)
				assert.Equal(t, tt.amount, n.Amount)
				assert.Equal(t, hkd, n.Currency)
				assert.Equal(t, tt.payType, n.PayType)
				assert.Equal(t, tt.goods, n.GoodsName)
				assert.Equal(t, "1", n.Status)
				assert.Equal(t, "0000", n.RespCode)
				assert.Equal(t, tt.channelSN, n.ChannelSN)
				assert.True(t, n.SysTime.Equal(tt.sysTime), "sysdtm %v", n.SysTime)
				assert.True(t, n.PayTime.Equal(tt.payTime), "paydtm %v", n.PayTime)
				assert.NotEmpty(t, n.Raw)
				// The SDK's listing of the transaction agrees with its notification.
				tx := only(t, client, queryBySysSN(tt.sysSN))
				assert.Equal(t, tx.Amount, n.Amount)
				assert.Equal(t, tx.OutTradeNo, n.OutTradeNo)
				assert.Equal(t, tx.OrigSysSN, n.OrigSysSN)
				assert.True(t, tx.SysTime.Equal(n.SysTime))
				assert.True(t, tx.TxTime.Equal(n.TxTime), "txdtm %v, listed %v", n.TxTime, tx.TxTime)
			})
		}
	})

	t.Run("client in another zone", func(t *testing.T) {
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		require.NoError(t, err)
		for _, loc := range []*time.Location{tokyo, time.UTC, utc8} {
			t.Run(loc.String(), func(t *testing.T) {
				srv := newServer(t)
				client := newClient(t, srv, qfpay.WithLocation(loc))
				// The client's handler reads the times in the client's zone.
				inbox, hs := newNotifyInboxOf(t, nil, func(fn func(context.Context, *qfpay.Notification) error) http.Handler {
					return client.NotificationHandler(fn)
				})
				srv.SetNotifyURL(hs.URL)
				txTime := t0.Add(-time.Minute)
				resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 10,
					Currency: hkd, OutTradeNo: "n-zone", AuthCode: qfpaytest.AuthCodeSuccess, TxTime: txTime})
				require.NoError(t, err)
				waitDeliveries(t, srv, 1)
				got, _ := inbox.snapshot()
				n := got["n-zone"]
				require.NotNil(t, n)
				for _, tm := range []struct {
					name            string
					notified, reply time.Time
				}{{"sysdtm", n.SysTime, resp.SysTime}, {"paydtm", n.PayTime, resp.PayTime}, {"txdtm", n.TxTime, resp.TxTime}} {
					assert.True(t, tm.notified.Equal(tm.reply), "%s notified %v, answered %v", tm.name, tm.notified, tm.reply)
					assert.Equal(t, loc.String(), tm.notified.Location().String())
				}
				assert.True(t, n.TxTime.Equal(txTime))
			})
		}
	})

	t.Run("wrong client key: refused, retried, nothing accepted", func(t *testing.T) {
		inbox, hs := newNotifyInbox(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", nil)
		srv := newServer(t, qfpaytest.WithNotifyURL(hs.URL), qfpaytest.WithNotifySchedule(time.Millisecond, time.Millisecond))
		_, err := newClient(t, srv).Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 10,
			Currency: hkd, OutTradeNo: "n-key", AuthCode: qfpaytest.AuthCodeSuccess})
		require.NoError(t, err)
		ds := waitDeliveries(t, srv, 1)
		require.Len(t, ds, 1)
		assert.False(t, ds[0].Delivered)
		require.Len(t, ds[0].Attempts, 3, "the first attempt and one per wait of the schedule")
		for _, a := range ds[0].Attempts {
			assert.Equal(t, http.StatusUnauthorized, a.StatusCode)
		}
		got, calls := inbox.snapshot()
		assert.Empty(t, got)
		assert.Empty(t, calls, "fn never sees an unverified notification")
	})
}

// TestLifecycleFaults: a failing gateway or network, and how the SDK
// reports and settles each failure.
func TestLifecycleFaults(t *testing.T) {
	cpmReq := func(no string) *qfpay.PaymentRequest {
		return &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 650, Currency: hkd, OutTradeNo: no, AuthCode: qfpaytest.AuthCodeSuccess}
	}

	t.Run("query through 5xx and 429", func(t *testing.T) {
		tests := []struct {
			name     string
			fault    qfpaytest.Fault
			requests int
			status   int // 0: the query succeeds
		}{
			{"503 once", qfpaytest.Fault{Status: http.StatusServiceUnavailable, Count: 1}, 2, 0},
			{"502 twice", qfpaytest.Fault{Status: http.StatusBadGateway, Count: 2}, 3, 0},
			{"429 with Retry-After once", qfpaytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1}, 2, 0},
			{"dropped once", qfpaytest.Fault{Drop: true, Count: 1}, 2, 0},
			{"503 every time", qfpaytest.Fault{Status: http.StatusServiceUnavailable}, 3, http.StatusServiceUnavailable},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := newServer(t)
				client, tap := tappedClient(t, srv)
				resp, err := client.Payment(t.Context(), cpmReq("f-q"))
				require.NoError(t, err)
				srv.InjectFault(pathQuery, tt.fault)
				q, err := client.Query(t.Context(), queryBySysSN(resp.SysSN))
				assert.Equal(t, tt.requests, tap.count(pathQuery))
				if tt.status != 0 {
					var apiErr *qfpay.APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, tt.status, apiErr.HTTPStatus)
					assert.Empty(t, apiErr.Code)
					return
				}
				require.NoError(t, err, "retried until it got through")
				require.Len(t, q.Transactions, 1)
				assert.True(t, q.Transactions[0].Paid())
				for _, r := range tap.to(pathQuery) {
					assert.Equal(t, tap.to(pathQuery)[0].params, r.params, "the same query each attempt")
				}
			})
		}
	})

	t.Run("payment rate limited", func(t *testing.T) {
		srv := newServer(t)
		client, tap := tappedClient(t, srv)
		srv.InjectFault(pathPayment, qfpaytest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second, Count: 1})
		_, err := client.Payment(t.Context(), cpmReq("f-429"))
		require.ErrorIs(t, err, qfpay.ErrRateLimited)
		assert.NotErrorIs(t, err, qfpay.ErrOutcomeUnknown, "a 429 refused the request")
		var apiErr *qfpay.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusTooManyRequests, apiErr.HTTPStatus)
		assert.Equal(t, 2*time.Second, apiErr.RetryAfter)
		assert.Equal(t, 1, tap.count(pathPayment), "a payment is never re-sent")
		_, found := srv.Transaction("f-429")
		assert.False(t, found)

		_, err = client.Payment(t.Context(), cpmReq("f-429"))
		require.NoError(t, err, "the same number, later")
	})

	t.Run("connection dropped", func(t *testing.T) {
		tests := []struct {
			name      string
			after     bool
			processed bool
		}{
			{"before processing", false, false},
			{"after processing: money moved", true, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := newServer(t)
				client, tap := tappedClient(t, srv)
				srv.InjectFault(pathPayment, qfpaytest.Fault{Drop: true, AfterProcessing: tt.after, Count: 1})
				_, err := client.Payment(t.Context(), cpmReq("f-drop"))
				var unknown *qfpay.OutcomeUnknownError
				require.ErrorAs(t, err, &unknown)
				assert.Equal(t, "f-drop", unknown.OutTradeNo)
				assert.Equal(t, pathPayment, unknown.Path)
				assert.Equal(t, 1, tap.count(pathPayment), "never re-sent")

				if tt.processed {
					tx, err := client.WaitForPayment(waitCtx(t), "f-drop")
					require.NoError(t, err)
					stx, ok := srv.Transaction("f-drop")
					require.True(t, ok)
					assert.Equal(t, stx.SysSN, tx.SysSN)
					assert.Equal(t, int64(650), tx.Amount)
					_, err = client.Payment(t.Context(), cpmReq("f-drop"))
					requireAPIError(t, err, qfpay.CodeSerialRepeated)
					return
				}
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				tx, err := client.WaitForPayment(ctx, "f-drop")
				assert.Nil(t, tx)
				require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown, "never listed")
				require.ErrorIs(t, err, context.DeadlineExceeded)
				_, err = client.Payment(t.Context(), cpmReq("f-drop"))
				require.NoError(t, err, "nothing happened: the same number pays")
			})
		}
	})

	t.Run("refund dropped after processing", func(t *testing.T) {
		srv := newServer(t)
		client, tap := tappedClient(t, srv)
		resp, err := client.Payment(t.Context(), cpmReq("f-pay"))
		require.NoError(t, err)
		srv.InjectFault(pathRefund, qfpaytest.Fault{Drop: true, AfterProcessing: true, Count: 1})
		_, err = client.Refund(t.Context(), &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "f-refund", Amount: 200})
		var unknown *qfpay.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		assert.Equal(t, "f-refund", unknown.OutTradeNo)
		assert.Equal(t, resp.SysSN, unknown.SysSN)
		assert.Equal(t, 1, tap.count(pathRefund))
		tx := only(t, client, byOutTradeNo("f-refund"))
		assert.True(t, tx.IsRefund())
		assert.True(t, tx.Paid())
		assert.Equal(t, resp.SysSN, tx.OrigSysSN)
		assert.Equal(t, int64(200), tx.Amount)
	})

	t.Run("latency beyond the deadline", func(t *testing.T) {
		tests := []struct {
			name      string
			after     bool
			processed bool
		}{
			{"before processing", false, false},
			{"after processing: money moved", true, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				logs := make(logRecords, 100)
				srv := newServer(t, qfpaytest.WithLogger(slog.New(logs)))
				client, tap := tappedClient(t, srv)
				srv.InjectFault(pathPayment, qfpaytest.Fault{Latency: 10 * time.Second, AfterProcessing: tt.after, Count: 1})
				// Long enough for the request to be sent on a loaded
				// machine, far shorter than the latency.
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				_, err := client.Payment(ctx, cpmReq("f-slow"))
				require.ErrorIs(t, err, qfpay.ErrOutcomeUnknown, "the request was sent: the SDK cannot know")
				require.ErrorIs(t, err, context.DeadlineExceeded)
				var unknown *qfpay.OutcomeUnknownError
				require.ErrorAs(t, err, &unknown)
				assert.Equal(t, "f-slow", unknown.OutTradeNo)
				assert.Equal(t, 1, tap.count(pathPayment))

				// The gateway's side of it ends when it notices the client left.
				select {
				case rec := <-logs:
					assert.Equal(t, pathPayment, rec["path"])
					assert.Equal(t, "aborted during latency", rec["note"])
				case <-time.After(10 * time.Second):
					t.Fatal("the server did not notice the client giving up")
				}
				if tt.processed {
					tx, err := client.WaitForPayment(waitCtx(t), "f-slow")
					require.NoError(t, err)
					assert.True(t, tx.Paid())
					return
				}
				q, err := client.Query(t.Context(), byOutTradeNo("f-slow"))
				require.NoError(t, err)
				assert.Empty(t, q.Transactions, "nothing happened")
			})
		}
	})
}

// TestLifecycleClients runs the same day of business with clients that
// differ in signature, merchant ID and time zone, checking on the wire what
// each sends.
func TestLifecycleClients(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	const mchid = "MCH7788"
	// Which paths take mchid and txzone.
	takesMchid := map[string]bool{pathPayment: true, pathQuery: true, pathRefund: true, pathReversal: true, pathOpenID: true}
	// Reversal and close take no txzone: their parameter table has none.
	takesZone := map[string]bool{pathPayment: true, pathQuery: true, pathRefund: true}
	tests := []struct {
		name   string
		srv    []qfpaytest.Option
		client []qfpay.Option
		sha    bool
		mchid  string
		loc    *time.Location
		txzone string
	}{
		{"MD5", nil, nil, false, "", utc8, ""},
		{"SHA256", nil, []qfpay.Option{qfpay.WithSignType(qfpay.SHA256)}, true, "", utc8, ""},
		{"merchant ID", []qfpaytest.Option{qfpaytest.WithMerchantID(mchid)}, []qfpay.Option{qfpay.WithMerchantID(mchid)}, false, mchid, utc8, ""},
		{"Asia/Tokyo", nil, []qfpay.Option{qfpay.WithLocation(tokyo)}, false, "", tokyo, "+0900"},
		{"UTC", nil, []qfpay.Option{qfpay.WithLocation(time.UTC)}, false, "", time.UTC, "+0000"},
		{"SHA256, merchant ID and Asia/Tokyo", []qfpaytest.Option{qfpaytest.WithMerchantID(mchid)},
			[]qfpay.Option{qfpay.WithSignType(qfpay.SHA256), qfpay.WithMerchantID(mchid), qfpay.WithLocation(tokyo)}, true, mchid, tokyo, "+0900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.srv...)
			client, tap := tappedClient(t, srv, tt.client...)
			ctx := t.Context()
			sameTime := func(want, got time.Time, what string) {
				t.Helper()
				assert.True(t, got.Equal(want), "%s: %v, want %v", what, got, want)
				assert.Equal(t, tt.loc.String(), got.Location().String(), "%s read in the client's zone", what)
			}
			txTime := t0.Add(-5 * time.Minute)

			pay, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 1000, Currency: hkd,
				OutTradeNo: "v-pay", AuthCode: qfpaytest.AuthCodeSuccess, TxTime: txTime})
			require.NoError(t, err)
			sameTime(t0, pay.SysTime, "sysdtm")
			sameTime(t0, pay.PayTime, "paydtm")
			sameTime(txTime, pay.TxTime, "txdtm")
			assert.Equal(t, txTime.In(tt.loc).Format("2006-01-02 15:04:05"), tap.to(pathPayment)[0].params.Get("txdtm"))
			stx, _ := srv.Transaction("v-pay")
			assert.Equal(t, txTime.In(tt.loc).Format("2006-01-02 15:04:05"), stx.TxTime)
			assert.Equal(t, tt.mchid, stx.MerchantID)

			listed := only(t, client, queryBySysSN(pay.SysSN))
			sameTime(t0, listed.SysTime, "listed sysdtm")
			sameTime(txTime, listed.TxTime, "listed txdtm")

			srv.SetNow(t0.Add(time.Hour))
			refund, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "v-refund", Amount: 400})
			require.NoError(t, err)
			sameTime(t0.Add(time.Hour), refund.SysTime, "refund sysdtm")

			mpm, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: 300, Currency: hkd, OutTradeNo: "v-mpm"})
			require.NoError(t, err)
			rev, err := client.Reverse(ctx, &qfpay.ReversalRequest{OutTradeNo: "v-mpm", Amount: 300})
			require.NoError(t, err)
			assert.Equal(t, mpm.SysSN, rev.OrigSysSN)
			// Reversal takes no txzone: the gateway writes its times in
			// UTC+8, and they are read there, whatever the client's zone.
			assert.True(t, rev.SysTime.Equal(t0.Add(time.Hour)), "reversal sysdtm: %v, want %v", rev.SysTime, t0.Add(time.Hour))
			_, off := rev.SysTime.Zone()
			assert.Equal(t, 8*60*60, off, "reversal sysdtm read in UTC+8")
			require.NoError(t, client.AddNote(ctx, pay.SysSN, "variant "+tt.name))

			oauth, err := client.WeChatOAuthURL("https://shop.example/back")
			require.NoError(t, err)
			ou, err := url.Parse(oauth)
			require.NoError(t, err)
			assert.Equal(t, tt.mchid, ou.Query().Get("mchid"))
			assert.Len(t, ou.Query().Get("sign"), 32, "always MD5")
			browser, err := noRedirect.Get(oauth)
			require.NoError(t, err)
			browser.Body.Close()
			require.Equal(t, http.StatusFound, browser.StatusCode)
			back, err := browser.Location()
			require.NoError(t, err)
			openID, err := client.WeChatOpenID(ctx, back.Query().Get("code"))
			require.NoError(t, err)
			assert.Equal(t, qfpaytest.SandboxOpenID, openID)

			day := time.Date(2019, 12, 25, 0, 0, 0, 0, tt.loc)
			seen := map[string]bool{}
			for tx, err := range client.Transactions(ctx, &qfpay.QueryRequest{Start: day, End: day.Add(24*time.Hour - time.Second)}) {
				require.NoError(t, err)
				seen[tx.OutTradeNo] = true
			}
			assert.Equal(t, map[string]bool{"v-pay": true, "v-refund": true, "v-mpm": true}, seen)

			bill, err := client.DownloadBill(ctx, t0.In(tt.loc))
			require.NoError(t, err)
			records, err := bill.Records("trade_bill_2019-12-25.csv")
			require.NoError(t, err)
			require.Len(t, records, 3, "header, payment and refund")
			assert.Equal(t, []string{pay.SysSN, refund.SysSN}, []string{records[1][0], records[2][0]})
			assert.Equal(t, "variant "+tt.name, records[1][len(records[1])-1])

			paths := map[string]bool{}
			for _, r := range tap.all() {
				paths[r.path] = true
				assertWireSigned(t, r)
				if tt.sha {
					assert.Equal(t, "SHA256", r.header.Get("X-QF-SIGNTYPE"), "%s", r.path)
					assert.Len(t, r.header.Get("X-QF-SIGN"), 64)
				} else {
					assert.Empty(t, r.header.Get("X-QF-SIGNTYPE"), "%s", r.path)
					assert.Len(t, r.header.Get("X-QF-SIGN"), 32)
				}
				wantMchid := ""
				if takesMchid[r.path] {
					wantMchid = tt.mchid
				}
				_, sent := r.params["mchid"]
				assert.Equal(t, wantMchid != "", sent, "mchid on %s", r.path)
				assert.Equal(t, wantMchid, r.params.Get("mchid"), "%s", r.path)
				wantZone := ""
				if takesZone[r.path] {
					wantZone = tt.txzone
				}
				assert.Equal(t, wantZone, r.params.Get("txzone"), "txzone on %s", r.path)
			}
			assert.Len(t, paths, 7, "payment, query, refund, reversal, add_note, openid, bill: %v", paths)
		})
	}

	t.Run("txzone moves the day's boundaries", func(t *testing.T) {
		srv := newServer(t)
		client, tap := tappedClient(t, srv, qfpay.WithLocation(tokyo))
		at := map[string]time.Time{
			"z-before": time.Date(2019, 12, 24, 23, 30, 0, 0, tokyo), // 22:30 on the 24th in Beijing
			"z-first":  time.Date(2019, 12, 25, 0, 30, 0, 0, tokyo),  // 23:30 on the 24th in Beijing
			"z-last":   time.Date(2019, 12, 25, 23, 30, 0, 0, tokyo), // 22:30 on the 25th in Beijing
			"z-after":  time.Date(2019, 12, 26, 0, 30, 0, 0, tokyo),  // 23:30 on the 25th in Beijing
		}
		for _, no := range []string{"z-before", "z-first", "z-last", "z-after"} {
			srv.SetNow(at[no])
			_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 10, Currency: hkd,
				OutTradeNo: no, AuthCode: qfpaytest.AuthCodeSuccess})
			require.NoError(t, err)
		}
		day := time.Date(2019, 12, 25, 0, 0, 0, 0, tokyo)
		q, err := client.Query(t.Context(), &qfpay.QueryRequest{Start: day, End: day.Add(24*time.Hour - time.Second)})
		require.NoError(t, err)
		var got []string
		for _, tx := range q.Transactions {
			got = append(got, tx.OutTradeNo)
			assert.True(t, tx.SysTime.Equal(at[tx.OutTradeNo]), "%s: sysdtm %v", tx.OutTradeNo, tx.SysTime)
		}
		assert.Equal(t, []string{"z-last", "z-first"}, got, "the Tokyo day, newest first")
		sent := tap.to(pathQuery)[0].params
		assert.Equal(t, "2019-12-25 00:00:00", sent.Get("start_time"))
		assert.Equal(t, "2019-12-25 23:59:59", sent.Get("end_time"))
		assert.Equal(t, "+0900", sent.Get("txzone"))
	})

	t.Run("merchant ID mismatch", func(t *testing.T) {
		tests := []struct {
			name       string
			server     string
			client     string
			request    string
			code       string
			sentMchid  string
			recordedAs string
		}{
			{"client without the server's", "MCH1", "", "", "1104", "", ""},
			{"client with another", "MCH1", "MCH2", "", "1241", "MCH2", ""},
			{"client with one, server without", "", "MCH1", "", "1241", "MCH1", ""},
			{"request's own overrides the client's", "MCH1", "MCH2", "MCH1", "0000", "MCH1", "MCH1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var srvOpts []qfpaytest.Option
				if tt.server != "" {
					srvOpts = append(srvOpts, qfpaytest.WithMerchantID(tt.server))
				}
				srv := newServer(t, srvOpts...)
				client, tap := tappedClient(t, srv, qfpay.WithMerchantID(tt.client))
				_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 10, Currency: hkd,
					OutTradeNo: "mch-1", AuthCode: qfpaytest.AuthCodeSuccess, MerchantID: tt.request})
				assert.Equal(t, tt.sentMchid, tap.to(pathPayment)[0].params.Get("mchid"))
				stx, found := srv.Transaction("mch-1")
				if tt.code != "0000" {
					requireAPIError(t, err, tt.code)
					assert.False(t, found, "refused before anything happened")
					return
				}
				require.NoError(t, err)
				require.True(t, found)
				assert.Equal(t, tt.recordedAs, stx.MerchantID)
			})
		}
	})
}
