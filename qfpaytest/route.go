package qfpaytest

import (
	"crypto/subtle"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// apiError is a refusal with a respcd.
type apiError struct {
	code   string
	detail string
	status int // HTTP status; 0 means 200
}

func refuse(code, format string, args ...any) *apiError {
	return &apiError{code: code, detail: fmt.Sprintf(format, args...)}
}

// resperr is the resperr text of a code: the documentation's description
// followed by the code, as the gateway writes it.
func resperr(code string) string {
	if code == codeOK {
		return "success"
	}
	d := qfpay.CodeDescription(code)
	if d == "" {
		d = "error"
	}
	return d + " (" + code + ")"
}

const codeOK = "0000"

// object is a JSON answer.
type object = map[string]any

// call is one authenticated API request.
type call struct {
	r      *http.Request
	params url.Values
	now    time.Time
	loc    *time.Location // txzone's, or UTC+8
	base   string         // base URL for links
}

// mchidRule says how an endpoint treats mchid.
type mchidRule int

const (
	mchidChecked mchidRule = iota // must match the server's (or be absent when it has none)
	mchidIgnored                  // not a parameter of the endpoint
	mchidRefused                  // must not be sent (trade_bill)
)

// endpoint is one API path.
type endpoint struct {
	methods []string
	mchid   mchidRule
	handle  func(*Server, *call) (object, *apiError)
}

var (
	methodPost      = []string{http.MethodPost}
	methodGet       = []string{http.MethodGet}
	methodGetOrPost = []string{http.MethodGet, http.MethodPost}
)

// apiRoutes are the endpoints that answer JSON.
var apiRoutes = map[string]endpoint{
	"/trade/v1/payment":          {methodPost, mchidChecked, (*Server).payment},
	"/trade/v1/refund":           {methodPost, mchidChecked, (*Server).refund},
	"/trade/v1/reversal":         {methodGetOrPost, mchidChecked, (*Server).reversal},
	"/trade/v1/close":            {methodGetOrPost, mchidChecked, (*Server).close},
	"/trade/v1/authtrade":        {methodPost, mchidChecked, (*Server).authTradeOrCapture},
	"/trade/v1/add_note":         {methodPost, mchidIgnored, (*Server).addNote},
	"/trade/v1/query":            {methodPost, mchidChecked, (*Server).query},
	"/tool/v1/get_weixin_openid": {methodGet, mchidChecked, (*Server).weChatOpenID},

	"/payment_element/v1/create_payment_intent": {methodPost, mchidChecked, (*Server).createPaymentIntent},
	"/trade/v1/unfreeze":                        {methodPost, mchidChecked, (*Server).unfreezeCard},

	"/customer/v1/create":                 {methodPost, mchidIgnored, (*Server).createCustomer},
	"/customer/v1/update":                 {methodPost, mchidIgnored, (*Server).updateCustomer},
	"/customer/v1/query":                  {methodPost, mchidIgnored, (*Server).queryCustomers},
	"/customer/v1/delete":                 {methodPost, mchidIgnored, (*Server).deleteCustomer},
	"/product/v1/create":                  {methodPost, mchidIgnored, (*Server).createProduct},
	"/product/v1/update":                  {methodPost, mchidIgnored, (*Server).updateProduct},
	"/product/v1/query":                   {methodPost, mchidIgnored, (*Server).queryProducts},
	"/product/v1/delete":                  {methodPost, mchidIgnored, (*Server).deleteProduct},
	"/subscription/v1/create":             {methodPost, mchidIgnored, (*Server).createSubscription},
	"/subscription/v1/update":             {methodPost, mchidIgnored, (*Server).updateSubscription},
	"/subscription/v1/query":              {methodPost, mchidIgnored, (*Server).querySubscriptions},
	"/subscription/v1/cancel":             {methodPost, mchidIgnored, (*Server).cancelSubscription},
	"/subscription/v1/charge":             {methodPost, mchidIgnored, (*Server).chargeSubscription},
	"/subscription/billing_order/v1/list": {methodPost, mchidIgnored, (*Server).billingOrders},

	"/custom/v1/declare":   {methodPost, mchidIgnored, (*Server).declareCustoms},
	"/custom/v1/query":     {methodGetOrPost, mchidIgnored, (*Server).queryCustoms},
	"/custom/v1/redeclare": {methodPost, mchidIgnored, (*Server).redeclareCustoms},
}

// ServeHTTP answers one request like the gateway, after any fault injected
// for its path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// Read the body first: the server notices a client that gives up
	// (r.Context() ends) only once the body has been read.
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = &readBody{b: body}
	}
	f := s.takeFault(r.URL.Path)
	if f != nil && f.Late > 0 {
		s.serveLate(w, r, body, f, start)
		return
	}
	if f != nil && !f.AfterProcessing {
		if !s.delay(r.Context(), f.Latency) {
			s.logRequest(r, 0, "", start, f, "aborted during latency")
			return
		}
		if s.breakAnswer(w, r, f, nil, start) {
			return
		}
	}
	if f == nil || !f.AfterProcessing {
		// Nothing left to break: the answer goes out as it is written.
		sw := &statusWriter{ResponseWriter: w}
		s.route(sw, r)
		s.logRequest(r, sw.statusCode(), sw.respcd, start, f, "")
		return
	}
	// After processing, the fault has the gateway's answer to break.
	rec := &recorder{header: http.Header{}}
	s.route(rec, r)
	if !s.delay(r.Context(), f.Latency) {
		s.logRequest(r, 0, respcdOf(rec), start, f, "aborted during latency")
		return
	}
	if s.breakAnswer(w, r, f, rec, start) {
		return
	}
	rec.writeTo(w)
	s.logRequest(r, rec.statusCode(), respcdOf(rec), start, f, "")
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if ep, ok := apiRoutes[path]; ok {
		s.serveAPI(w, r, ep)
		return
	}
	switch {
	case path == "/download/v1/trade_bill":
		s.tradeBill(w, r)
	case path == "/tool/v1/get_weixin_oauth_code":
		s.weChatOAuthCode(w, r)
	case strings.HasPrefix(path, payPath):
		s.payPage(w, r)
	case strings.HasPrefix(path, checkoutPath):
		s.checkoutPage(w, r)
	case s.cfg.admin && (path == "/" || strings.HasPrefix(path, adminPrefix)):
		s.serveAdmin(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, ep endpoint) {
	c, aerr := s.authenticate(r, ep.methods, ep.mchid)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	obj, aerr := ep.handle(s, c)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if _, ok := obj["respcd"]; !ok {
		obj["respcd"] = codeOK
	}
	code, _ := obj["respcd"].(string)
	if _, ok := obj["resperr"]; !ok {
		obj["resperr"] = resperr(code)
	}
	if _, ok := obj["respmsg"]; !ok {
		obj["respmsg"] = ""
	}
	writeJSON(w, http.StatusOK, obj)
}

// authenticate checks method, app code, signature, txzone and mchid, and
// returns the call's parameters: the form body of a POST (its query when
// the body is empty), the query of a GET.
func (s *Server) authenticate(r *http.Request, methods []string, rule mchidRule) (*call, *apiError) {
	allowed := false
	for _, m := range methods {
		allowed = allowed || r.Method == m
	}
	if !allowed {
		return nil, &apiError{code: "1104", detail: fmt.Sprintf("method %s not allowed, use %s", r.Method, strings.Join(methods, " or ")), status: http.StatusMethodNotAllowed}
	}
	params, aerr := readParams(r)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkAppCode(r.Header.Get("X-QF-APPCODE"), "X-QF-APPCODE header"); aerr != nil {
		return nil, aerr
	}
	signType, aerr := signTypeOf(r.Header.Get("X-QF-SIGNTYPE"))
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkSign(params, r.Header.Get("X-QF-SIGN"), signType); aerr != nil {
		return nil, aerr
	}
	loc, aerr := zoneOf(params.Get("txzone"))
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkMerchant(params, rule); aerr != nil {
		return nil, aerr
	}
	return &call{r: r, params: params, now: s.Now(), loc: loc, base: s.baseURL(r)}, nil
}

func readParams(r *http.Request) (url.Values, *apiError) {
	if r.Method == http.MethodGet {
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, refuse("1103", "query string: %v", err)
		}
		return v, nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err == nil && mt == "application/json" && acceptsJSON(r.URL.Path) {
			return readJSONParams(r)
		}
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, refuse("1103", "Content-Type %q: want application/x-www-form-urlencoded", ct)
		}
	}
	var body []byte
	if rb, ok := r.Body.(*readBody); ok {
		// ServeHTTP read it already.
		body = rb.rest()
	} else {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1)); err != nil {
			return nil, refuse("1103", "reading the body: %v", err)
		}
	}
	if len(body) > maxBody {
		return nil, refuse("1103", "body larger than %d bytes", maxBody)
	}
	raw := string(body)
	if strings.TrimSpace(raw) == "" {
		// The documentation's JSAPI sample posts its parameters in the
		// query string.
		raw = r.URL.RawQuery
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, refuse("1103", "form body: %v", err)
	}
	return v, nil
}

func (s *Server) checkAppCode(got, where string) *apiError {
	switch {
	case got == "":
		return refuse("1106", "%s missing", where)
	case subtle.ConstantTimeCompare([]byte(got), []byte(s.appCode)) != 1:
		return refuse("1106", "unknown app code %q", got)
	}
	return nil
}

func signTypeOf(h string) (qfpay.SignType, *apiError) {
	switch strings.ToUpper(strings.TrimSpace(h)) {
	case "", "MD5":
		return qfpay.MD5, nil
	case "SHA256":
		return qfpay.SHA256, nil
	}
	return "", refuse("1108", "unknown X-QF-SIGNTYPE %q: want MD5 or SHA256", h)
}

// checkSign recomputes the signature over the parameters received.
func (s *Server) checkSign(params url.Values, got string, t qfpay.SignType) *apiError {
	if got == "" {
		return refuse("1108", "signature missing")
	}
	want := qfpay.Sign(params, s.clientKey, t)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToUpper(got))) != 1 {
		return refuse("1108", "%s signature does not match the parameters received", t)
	}
	return nil
}

func (s *Server) checkMerchant(params url.Values, rule mchidRule) *apiError {
	got, sent := params["mchid"]
	switch rule {
	case mchidRefused:
		if sent {
			return refuse("1104", "mchid cannot be passed to this endpoint")
		}
	case mchidChecked:
		switch {
		case s.cfg.mchid == "" && sent:
			return refuse("1241", "this merchant has no mchid: do not send one")
		case s.cfg.mchid != "" && (!sent || got[0] == ""):
			return refuse("1104", "mchid is required for this merchant")
		case s.cfg.mchid != "" && got[0] != s.cfg.mchid:
			return refuse("1241", "unknown mchid %q", got[0])
		}
	}
	return nil
}

// zoneOf reads txzone ("+0800"); empty means UTC+8.
func zoneOf(txzone string) (*time.Location, *apiError) {
	if txzone == "" {
		return beijing, nil
	}
	bad := len(txzone) != 5 || (txzone[0] != '+' && txzone[0] != '-')
	for i := 1; !bad && i < 5; i++ {
		bad = txzone[i] < '0' || txzone[i] > '9'
	}
	if bad {
		return nil, refuse("1103", "txzone %q: want +HHMM or -HHMM", txzone)
	}
	h, _ := strconv.Atoi(txzone[1:3])
	m, _ := strconv.Atoi(txzone[3:5])
	if h > 14 || m > 59 {
		return nil, refuse("1103", "txzone %q out of range", txzone)
	}
	off := h*3600 + m*60
	if txzone[0] == '-' {
		off = -off
	}
	if off == 8*3600 {
		return beijing, nil
	}
	return time.FixedZone("UTC"+txzone, off), nil
}

func (s *Server) baseURL(r *http.Request) string {
	if s.URL != "" {
		return s.URL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// readBody is a request body ServeHTTP read before routing, handed on
// without a copy.
type readBody struct {
	b   []byte
	off int
}

func (r *readBody) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

func (r *readBody) Close() error { return nil }

// rest returns what is left to read, and reads it.
func (r *readBody) rest() []byte {
	b := r.b[r.off:]
	r.off = len(r.b)
	return b
}
