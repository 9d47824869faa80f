package qfpaytest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// checkoutPath is the hosted checkout page (checkstand). A browser reaches
// it as /checkstand/#/?<signed parameters>; the bootstrap page served for
// /checkstand/ moves the fragment into the query (/checkstand/?<...>),
// which the server verifies. /checkstand/pay/<syssn> and
// /checkstand/fail/<syssn> are the page's two buttons.
const (
	checkoutPath     = "/checkstand/"
	checkoutPayPath  = checkoutPath + "pay/"
	checkoutFailPath = checkoutPath + "fail/"
)

// checkoutDefaultPayType is what the checkout page's pay button pays with
// when the form names no pay_type: Visa / Mastercard online.
const checkoutDefaultPayType = qfpay.PayTypeVisaMastercardOnline

// checkoutMethod is one choice of the checkout page's method list.
type checkoutMethod struct {
	PayType qfpay.PayType
	Label   string
}

// checkoutMethods are the methods the checkout page offers, the first
// selected: the cards, Apple Pay and Hong Kong wallets of the current
// documentation's hosted checkout (section "Hosted checkout page").
var checkoutMethods = []checkoutMethod{
	{qfpay.PayTypeVisaMastercardOnline, "Visa / Mastercard"},
	{qfpay.PayTypeApplePay, "Apple Pay"},
	{qfpay.PayTypeAlipayHKOnlineWAP, "Alipay HK"},
	{qfpay.PayTypeWeChatMPM, "WeChat Pay"},
	{qfpay.PayTypeFPSMPM, "FPS"},
	{qfpay.PayTypePayMeWAP, "PayMe"},
	{qfpay.PayTypeOctopusWAP, "Octopus"},
	{qfpay.PayTypeUnionPayWAP, "UnionPay"},
}

// CheckoutDeclineCode is the respcd a checkout or payment intent the
// shopper's card declined is listed with: 1205, "The transaction failed".
const CheckoutDeclineCode = "1205"

// checkoutOrder is what a txn opened on the checkout page keeps of it.
type checkoutOrder struct {
	failedURL, cancelURL, lang, paySource string
	// sign is the signature of the URL that opened it: opening the same
	// URL again (a reload) shows the same order.
	sign string
}

// checkoutFields are the parameters of the checkout page: every one but
// sign and lang is signed.
var checkoutFields = map[string]bool{
	"appcode": true, "sign_type": true, "sign": true, "paysource": true, "txamt": true, "txcurrcd": true,
	"out_trade_no": true, "txdtm": true, "return_url": true, "failed_url": true, "notify_url": true,
	"mchntid": true, "goods_name": true, "udid": true, "expired_time": true, "checkout_expired_time": true,
	"limit_pay": true, "lang": true, "cancel_url": true,
}

// checkoutPage serves the hosted checkout page: the bootstrap page, the
// signed order page and its pay and fail buttons.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, checkoutPayPath):
		s.checkoutButton(w, r, strings.TrimPrefix(path, checkoutPayPath), true)
	case strings.HasPrefix(path, checkoutFailPath):
		s.checkoutButton(w, r, strings.TrimPrefix(path, checkoutFailPath), false)
	case path != checkoutPath:
		http.NotFound(w, r)
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
	case r.URL.RawQuery == "":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, checkoutBootstrap)
	default:
		s.checkoutOpen(w, r)
	}
}

// checkoutBootstrap is what a browser gets for /checkstand/: the signed
// parameters sit in the fragment, which browsers never send, so a script
// moves them into the query.
const checkoutBootstrap = `<!doctype html>
<html><head><meta charset="utf-8"><title>QF Pay checkout (qfpaytest)</title></head>
<body><p id="status">Loading the checkout…</p>
<script>
var h = location.hash;
if (h.indexOf("#/?") === 0) {
  location.replace(location.pathname + h.slice(2));
} else {
  document.getElementById("status").textContent = "No checkout parameters after #/? in this URL.";
}
</script></body></html>
`

// checkoutOpen verifies a checkout URL's parameters (the query of a GET of
// /checkstand/) and shows its order, creating it on the first visit.
func (s *Server) checkoutOpen(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		checkoutRefuse(w, r, http.StatusBadRequest, refuse("1103", "query string: %v", err))
		return
	}
	order, aerr := s.checkoutVerify(q)
	if aerr != nil {
		status := http.StatusBadRequest
		if aerr.code == "1106" || aerr.code == "1108" {
			status = http.StatusForbidden
		}
		checkoutRefuse(w, r, status, aerr)
		return
	}
	now := s.Now()
	s.mu.Lock()
	t := s.byOutTradeNo[order.outTradeNo]
	switch {
	case t == nil:
		t = order
		t.syssn = s.nextSysSNLocked(now)
		t.sysTime = now
		if t.expireAt.IsZero() {
			t.expireAt = now.Add(defaultExpiry)
		}
		s.addLocked(t)
	case t.checkout == nil || t.checkout.sign != order.checkout.sign:
		s.mu.Unlock()
		checkoutRefuse(w, r, http.StatusConflict, refuse("2011", "out_trade_no %q was used before", order.outTradeNo))
		return
	}
	s.refreshLocked(t, now)
	view := checkoutViewOf(t)
	s.mu.Unlock()

	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, view)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = checkoutHTML.Execute(w, view)
}

// checkoutVerify checks the app code, the signature and the parameters of
// a checkout URL as the current documentation states them, and returns the
// order they describe (not stored yet).
func (s *Server) checkoutVerify(q url.Values) (*txn, *apiError) {
	for name, vs := range q {
		if !checkoutFields[name] {
			return nil, refuse("1104", "unknown parameter %q", name)
		}
		if len(vs) > 1 {
			return nil, refuse("1104", "parameter %q given %d times", name, len(vs))
		}
	}
	if aerr := s.checkAppCode(q.Get("appcode"), "appcode parameter"); aerr != nil {
		return nil, aerr
	}
	var signType qfpay.SignType
	switch st := q.Get("sign_type"); strings.ToLower(st) {
	case "md5":
		signType = qfpay.MD5
	case "sha256":
		signType = qfpay.SHA256
	default:
		return nil, refuse("1108", "sign_type %q: want md5 or sha256", st)
	}
	sign := q.Get("sign")
	if sign == "" {
		return nil, refuse("1108", "sign missing")
	}
	signed := url.Values{}
	for name, vs := range q {
		if name != "sign" && name != "lang" && vs[0] != "" {
			signed[name] = vs
		}
	}
	// The page's case rule is not documented: either case is taken.
	if want := qfpay.Sign(signed, s.clientKey, signType); subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToUpper(sign))) != 1 {
		return nil, refuse("1108", "%s signature does not match the parameters", signType)
	}

	p := params{v: q}
	paySource := p.str("paysource", true, 0)
	amount := p.amount("txamt", true)
	currency := p.str("txcurrcd", true, 3)
	outTradeNo := p.str("out_trade_no", true, 128)
	txdtm := p.str("txdtm", true, 0)
	p.time("txdtm", true, beijing)
	returnURL := p.absURL("return_url", true, 256)
	failedURL := p.absURL("failed_url", true, 256)
	notifyURL := p.absURL("notify_url", true, 256)
	cancelURL := p.absURL("cancel_url", false, 256)
	goodsName := p.str("goods_name", false, 64)
	udid := p.str("udid", false, 40)
	p.integer("expired_time", 0, 5, 120)
	lang := p.str("lang", false, 0)
	mchntid := p.str("mchntid", false, 16)
	pageExpiry := p.str("checkout_expired_time", false, 0)
	if p.err != nil {
		return nil, p.err
	}
	var expireAt time.Time
	switch {
	case !strings.HasSuffix(paySource, "_checkout") || paySource == "_checkout":
		return nil, refuse("1104", "paysource %q must end in _checkout", paySource)
	case !qfpay.Currency(currency).Known():
		return nil, refuse("1104", "unknown txcurrcd %q", currency)
	case lang != "" && lang != "en" && lang != "zh-hk" && lang != "zh-cn":
		return nil, refuse("1104", "lang %q: want en, zh-hk or zh-cn", lang)
	case q.Get("limit_pay") != "" && q.Get("limit_pay") != "no_credit":
		return nil, refuse("1104", "limit_pay %q: the only value is no_credit", q.Get("limit_pay"))
	case mchntid != "" && mchntid != s.cfg.mchid:
		return nil, refuse("1241", "unknown mchntid %q", mchntid)
	case pageExpiry != "":
		ms, err := strconv.ParseInt(pageExpiry, 10, 64)
		if !digits(pageExpiry) || err != nil {
			return nil, refuse("1103", "checkout_expired_time %q: want epoch milliseconds", pageExpiry)
		}
		expireAt = time.UnixMilli(ms)
	}
	return &txn{
		outTradeNo: outTradeNo, orderType: orderPayment, amount: amount, currency: currency, txdtm: txdtm,
		loc: beijing, expireAt: expireAt, respcd: codeWaiting, goodsName: goodsName, udid: udid, mchid: mchntid,
		returnURL: returnURL, notifyURL: notifyURL,
		checkout: &checkoutOrder{failedURL: failedURL, cancelURL: cancelURL, lang: lang, paySource: paySource, sign: strings.ToUpper(sign)},
	}, nil
}

// checkoutButton serves POST /checkstand/pay/<syssn> (the shopper pays,
// with the form's pay_type, a known code that is not card-present; Visa /
// Mastercard online by default) and
// /checkstand/fail/<syssn> (the shopper's card is declined): a 303 to
// return_url or failed_url. A page past its checkout_expired_time (or a
// checkout past its default expiry of 30 minutes) goes to failed_url, the
// order listed 1181; an order paid or failed already is refused with 409.
func (s *Server) checkoutButton(w http.ResponseWriter, r *http.Request, syssn string, pay bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "form: "+err.Error(), http.StatusBadRequest)
		return
	}
	payType := qfpay.PayType(r.PostForm.Get("pay_type"))
	if payType == "" {
		payType = checkoutDefaultPayType
	}
	if !payType.Known() || payType.Mode() == qfpay.ModeCardPresent {
		http.Error(w, fmt.Sprintf("pay_type %q: want a known code a shopper can pay online", payType), http.StatusBadRequest)
		return
	}
	now := s.Now()
	s.mu.Lock()
	t := s.bySysSN[syssn]
	if t == nil || t.checkout == nil {
		s.mu.Unlock()
		http.Error(w, "no checkout "+syssn, http.StatusNotFound)
		return
	}
	s.refreshLocked(t, now)
	var next string
	switch {
	case t.respcd == codeExpired:
		next = t.checkout.failedURL
	case !t.payable():
		s.mu.Unlock()
		http.Error(w, fmt.Sprintf("checkout %s is settled (respcd %s)", t.syssn, t.respcd), http.StatusConflict)
		return
	case pay:
		t.payType = payType
		s.payLocked(t, now)
		next = t.returnURL
	default:
		t.payType = payType
		s.failLocked(t, CheckoutDeclineCode)
		next = t.checkout.failedURL
	}
	s.mu.Unlock()
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkoutView is the order a checkout page shows, and its JSON form for
// a client that asks for application/json (OpenCheckout).
type checkoutView struct {
	SysSN      string `json:"syssn"`
	OutTradeNo string `json:"out_trade_no"`
	Amount     string `json:"txamt"`
	Currency   string `json:"txcurrcd"`
	GoodsName  string `json:"goods_name"`
	Lang       string `json:"lang"`
	PaySource  string `json:"paysource"`
	RespCode   string `json:"respcd"`
	ReturnURL  string `json:"return_url"`
	FailedURL  string `json:"failed_url"`
	CancelURL  string `json:"cancel_url"`
	PayPath    string `json:"pay"`
	FailPath   string `json:"fail"`
	// Shown is the amount in the currency's major unit, for the page.
	Shown string `json:"-"`
	// Methods are the page's choices of method.
	Methods []checkoutMethod `json:"-"`
}

func checkoutViewOf(t *txn) checkoutView {
	return checkoutView{
		SysSN: t.syssn, OutTradeNo: t.outTradeNo, Amount: itoa(t.amount), Currency: t.currency,
		GoodsName: t.goodsName, Lang: t.checkout.lang, PaySource: t.checkout.paySource, RespCode: t.respcd,
		ReturnURL: t.returnURL, FailedURL: t.checkout.failedURL, CancelURL: t.checkout.cancelURL,
		PayPath: checkoutPayPath + t.syssn, FailPath: checkoutFailPath + t.syssn,
		Shown:   t.currency + " " + majorUnits(t.amount, t.currency).String(),
		Methods: checkoutMethods,
	}
}

var checkoutHTML = template.Must(template.New("checkout").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>QF Pay checkout (qfpaytest)</title></head>
<body>
<h1 id="amount">{{.Shown}}</h1>
<p id="goods">{{.GoodsName}}</p>
<p>Order <span id="out_trade_no">{{.OutTradeNo}}</span> (<span id="syssn">{{.SysSN}}</span>), status <span id="respcd">{{.RespCode}}</span></p>
<form method="post" action="{{.PayPath}}">
<label for="pay_type">Pay with</label>
<select name="pay_type" id="pay_type">
{{range .Methods}}<option value="{{.PayType}}">{{.Label}}</option>
{{end}}</select>
<button type="submit" id="pay">Pay</button>
</form>
<form method="post" action="{{.FailPath}}"><button type="submit" id="fail">Fail (card declined)</button></form>
{{if .CancelURL}}<p><a id="cancel" href="{{.CancelURL}}">Back to the shop</a></p>{{end}}
</body></html>
`))

// checkoutRefuse answers a checkout URL the server refuses: JSON
// {"respcd","resperr","respmsg"} for OpenCheckout, a plain page for a
// browser (not a redirect to failed_url, which a tampered URL chose).
func checkoutRefuse(w http.ResponseWriter, r *http.Request, status int, e *apiError) {
	if wantsJSON(r) {
		writeJSON(w, status, object{"respcd": e.code, "resperr": resperr(e.code), "respmsg": e.detail})
		return
	}
	http.Error(w, "checkout refused: "+resperr(e.code)+": "+e.detail, status)
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// CheckoutPage is a hosted checkout page as a shopper's browser opened it
// (Server.OpenCheckout): the order it shows and its two buttons.
type CheckoutPage struct {
	// SysSN is the server's number of the order, created by the first
	// visit of its URL.
	SysSN string
	// OutTradeNo is the order's out_trade_no.
	OutTradeNo string
	// Amount is the order's txamt, in minor units of Currency.
	Amount int64
	// Currency is the order's txcurrcd.
	Currency qfpay.Currency
	// GoodsName is the order's goods_name, as the page shows it.
	GoodsName string
	// Lang is the page's language, as the URL asked ("" for the browser's).
	Lang string
	// RespCode is the order's status when the page was opened: 1143
	// waiting, 0000 paid, 1181 expired, or the failure's code.
	RespCode string
	// ReturnURL, FailedURL and CancelURL are where the page sends the
	// shopper.
	ReturnURL, FailedURL, CancelURL string

	base, payPath, failPath string
}

// CheckoutError is a checkout URL the server refused: StatusCode 403 for a
// wrong app code (Code 1106) or signature (1108), 409 for an out_trade_no
// another order has (2011), 400 for a missing or bad parameter (1104, 1103).
type CheckoutError struct {
	// StatusCode is the HTTP status of the refusal.
	StatusCode int
	// Code is the respcd of the refusal ("1108").
	Code string
	// Reason is the respmsg saying why.
	Reason string
}

// Error describes the refusal with its status, code and reason.
func (e *CheckoutError) Error() string {
	return fmt.Sprintf("qfpaytest: checkout refused (HTTP %d, respcd %s): %s", e.StatusCode, e.Code, e.Reason)
}

// OpenCheckout opens checkoutURL, a hosted checkout URL such as
// qfpay.Client.CheckoutURL builds, as a shopper's browser does: it GETs
// the page with the parameters of the URL's fragment (after "#/?") moved
// into the query, as the page's bootstrap script does in a browser. The
// server verifies the app code, the signature (every parameter but sign
// and lang, empty ones left out, md5 or sha256 as sign_type says, hex of
// either case) and the parameters of the current documentation's table,
// and creates the order, waiting for the shopper (listed 1143), on the
// first visit; a visit of the same URL again shows the same order. A
// refused URL returns a *CheckoutError. The request goes to the host of
// checkoutURL over HTTP, so faults injected for the path /checkstand/ hit
// it.
func (s *Server) OpenCheckout(ctx context.Context, checkoutURL string) (*CheckoutPage, error) {
	u, err := url.Parse(checkoutURL)
	if err != nil {
		return nil, fmt.Errorf("qfpaytest: checkout URL: %w", err)
	}
	query, ok := strings.CutPrefix(u.EscapedFragment(), "/?")
	if !ok || u.Path != checkoutPath {
		return nil, fmt.Errorf("qfpaytest: %q is not a checkout URL (<base>%s#/?<parameters>)", checkoutURL, checkoutPath)
	}
	base := u.Scheme + "://" + u.Host
	var view checkoutView
	if err := browse(ctx, base+checkoutPath+"?"+query, &view); err != nil {
		return nil, err
	}
	amount, _ := strconv.ParseInt(view.Amount, 10, 64)
	return &CheckoutPage{
		SysSN: view.SysSN, OutTradeNo: view.OutTradeNo, Amount: amount, Currency: qfpay.Currency(view.Currency),
		GoodsName: view.GoodsName, Lang: view.Lang, RespCode: view.RespCode,
		ReturnURL: view.ReturnURL, FailedURL: view.FailedURL, CancelURL: view.CancelURL,
		base: base, payPath: view.PayPath, failPath: view.FailPath,
	}, nil
}

// Pay presses the page's pay button: the shopper pays with payType, a
// known code that is not card-present ("" means
// qfpay.PayTypeVisaMastercardOnline). The order is paid, notified to its notify_url, and
// listed paid; Pay returns where the page sends the browser, the order's
// ReturnURL, or its FailedURL when the page had expired (the order is then
// listed 1181).
func (p *CheckoutPage) Pay(ctx context.Context, payType qfpay.PayType) (string, error) {
	return p.press(ctx, p.payPath, url.Values{"pay_type": {string(payType)}})
}

// Fail presses the page's decline button: the shopper's card is declined.
// The order is listed failed with CheckoutDeclineCode and not notified (the
// gateway notifies successes only); Fail returns the order's FailedURL.
func (p *CheckoutPage) Fail(ctx context.Context) (string, error) {
	return p.press(ctx, p.failPath, url.Values{})
}

func (p *CheckoutPage) press(ctx context.Context, path string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := browser.Do(req)
	if err != nil {
		return "", fmt.Errorf("qfpaytest: checkout: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("qfpaytest: checkout %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return resp.Header.Get("Location"), nil
}

// browser is the test browser's HTTP client: it follows no redirect, so
// that Pay and Fail report where the page sends the shopper.
var browser = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// browse GETs target as the test browser, asking for JSON, and decodes a
// 200 answer into out; a refusal becomes a *CheckoutError.
func browse(ctx context.Context, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := browser.Do(req)
	if err != nil {
		return fmt.Errorf("qfpaytest: checkout: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("qfpaytest: checkout: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Code   string `json:"respcd"`
			Reason string `json:"respmsg"`
		}
		if json.Unmarshal(data, &e) != nil || e.Code == "" {
			e.Reason = strings.TrimSpace(string(data))
		}
		return &CheckoutError{StatusCode: resp.StatusCode, Code: e.Code, Reason: e.Reason}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("qfpaytest: checkout answer %q: %w", data, err)
	}
	return nil
}
