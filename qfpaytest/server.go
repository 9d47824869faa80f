package qfpaytest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Sandbox credentials, for a server nobody else needs to know the key of
// (cmd/qfpay-sandbox uses them by default).
const (
	SandboxAppCode   = "5A4DB0C0DE0A4C0DA0A0C0DE5A4DB0C0" // the app code, sent in X-QF-APPCODE
	SandboxClientKey = "5A4DB0C11E47E4E75A4DB0C11E47E4E7" // the client key: public, so never one of a real merchant
)

// DefaultNotifySchedule is the gateway's retry schedule for a notification
// the merchant did not acknowledge (API section "Asynchronous Notification
// Rules"): the waits between one attempt and the next.
var DefaultNotifySchedule = []time.Duration{
	2 * time.Minute, 10 * time.Minute, 10 * time.Minute, 60 * time.Minute,
	2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}

// DefaultPendingQueries is how many queries list a payment made with a
// pending magic auth code as pending before it settles.
const DefaultPendingQueries = 2

// DefaultPendingFor is how long, on the server's clock, a payment made
// with a pending magic auth code stays pending when fewer queries than
// WithPendingQueries' list it.
const DefaultPendingFor = 3 * time.Second

// Default expiry of an unpaid payment (expired_time's default), and of an
// unpaid pre-authorization (the API's 15 minutes).
const (
	defaultExpiry        = 30 * time.Minute
	defaultPreAuthExpiry = 15 * time.Minute
)

const (
	timeLayout = "2006-01-02 15:04:05"
	dateLayout = "2006-01-02"
	maxBody    = 1 << 20
)

// beijing is the gateway's zone, UTC+8, used unless a request sends txzone.
var beijing = time.FixedZone("UTC+8", 8*60*60)

// Server is an in-memory QF Pay gateway: it checks app code, signature and
// parameters the way the API documentation describes, keeps payments and
// refunds, answers in the documented shapes and sends asynchronous
// notifications. It is safe for concurrent use. See the package
// documentation for its behaviour.
type Server struct {
	// URL is the server's base URL ("http://127.0.0.1:port"), to give to
	// qfpay.WithBaseURL. It is empty for a Server made WithoutListener,
	// which builds its links from each request's Host instead.
	URL string

	appCode   string
	clientKey string
	cfg       config
	ts        *httptest.Server

	clockMu  sync.Mutex
	fixed    time.Time
	fixedSet bool

	mu           sync.Mutex
	seq          uint64
	txns         []*txn
	bySysSN      map[string]*txn
	byOutTradeNo map[string]*txn
	weChatCodes  map[string]bool
	codeSeq      int
	notifyURL    string
	faults       map[string][]*faultEntry
	rng          *rand.Rand
	deliveries   []*Delivery
	changed      chan struct{}
	timers       []*time.Timer
	closed       bool
	// pendingTxns are the pending payments and refunds the settler
	// watches; settleWake wakes it when the clock moves.
	pendingTxns []*txn
	settling    bool
	settleWake  chan struct{}
	// rec holds customers, tokens, products, subscriptions and customs
	// declarations (recurring.go, customs.go), made on first use.
	rec *recurring

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

type config struct {
	mchid          string
	notifyURL      string
	schedule       []time.Duration
	autoPay        time.Duration
	clock          func() time.Time
	pendingQueries int
	pendingFor     time.Duration
	pendingRefunds bool
	logger         *slog.Logger
	noListener     bool
	seed           uint64
}

// Option configures a Server in NewServer.
type Option func(*config)

// WithoutListener makes NewServer return a Server that does not listen:
// an http.Handler to serve at an address of your own, as cmd/qfpay-sandbox
// does. Its URL is then empty, and the links it hands out (qrcode,
// pay_url) use each request's Host.
func WithoutListener() Option {
	return func(c *config) { c.noListener = true }
}

// WithMerchantID makes the server a merchant with a mchid: every call that
// takes mchid must then send this one (1104 when missing, 1241 when
// different). Without it, a call that sends a mchid gets 1241, as the API
// says merchants without a mchid must not send one.
func WithMerchantID(mchid string) Option {
	return func(c *config) { c.mchid = mchid }
}

// WithNotifyURL sets the URL every successful payment and refund, card
// token and subscription event is notified to (see Server.SetNotifyURL).
func WithNotifyURL(rawURL string) Option {
	return func(c *config) { c.notifyURL = rawURL }
}

// WithNotifySchedule replaces DefaultNotifySchedule: the waits between one
// notification attempt and the next until the merchant answers 200 SUCCESS,
// e.g. WithNotifySchedule(time.Millisecond, 5*time.Millisecond) in tests.
// No waits at all means a single attempt.
func WithNotifySchedule(waits ...time.Duration) Option {
	return func(c *config) { c.schedule = append([]time.Duration{}, waits...) }
}

// WithAutoPay pays every payment that waits for the customer (merchant
// presented, online, in-wallet and in-app pay types) after the real-time
// delay d, as if the customer had paid then. Zero (the default) leaves them
// unpaid until Server.Pay or a GET of their pay link.
func WithAutoPay(d time.Duration) Option {
	return func(c *config) { c.autoPay = d }
}

// WithClock sets the clock sysdtm, paydtm, syssn dates, expiries and the
// query's default month are read from (default time.Now). Server.SetNow
// freezes it later.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithPendingQueries sets how many queries list a payment made with
// AuthCodePending (and the other pending magic codes) as pending before it
// settles (default DefaultPendingQueries; 0 settles at the first query; a
// negative n never settles it by queries, only by WithPendingFor). The same
// rule settles a refund answered pending under WithPendingRefunds.
func WithPendingQueries(n int) Option {
	return func(c *config) { c.pendingQueries = max(n, -1) }
}

// WithPendingFor sets how long, on the server's clock, a payment made with
// AuthCodePending (and the other pending magic codes) stays pending before
// it settles, paid and notified (or failed, for AuthCodePendingThenFail),
// whether or not anybody queries it (default DefaultPendingFor). The server
// settles it when its clock gets there: at once under Advance or SetNow,
// within a moment while the clock runs. WithPendingQueries may settle it
// sooner. 0 settles it at the first look at the clock after the answer; a
// negative d never settles it by time. The same rule settles a refund
// answered pending under WithPendingRefunds.
func WithPendingFor(d time.Duration) Option {
	return func(c *config) { c.pendingFor = d }
}

// WithPendingRefunds answers every refund with 1145 (pending, as the
// gateway may) instead of 0000: the refund is listed pending, holding its
// amount against further refunds, until it settles by the rules of
// WithPendingQueries and WithPendingFor (then it succeeds and is
// notified) or Server.Fail fails it.
func WithPendingRefunds() Option {
	return func(c *config) { c.pendingRefunds = true }
}

// DefaultSeed is the seed of the draws of Fault.Probability when WithSeed
// is not given.
const DefaultSeed = 1

// WithSeed seeds the random draws that decide which requests a fault with
// a Probability hits (default DefaultSeed). The draws are made one per
// request and fault tried, in the order requests arrive: the same seed and
// the same requests in the same order hit the same requests, so a failing
// run is replayed by its seed; another seed hits other requests.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed = seed }
}

// WithLogger logs one line per request (method, path, HTTP status, respcd,
// duration, fault) and per notification attempt, at info level.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// NewServer starts a gateway for the merchant with the given credentials
// on a local httptest server (Server.URL), with the options given. Close
// it when done. With WithoutListener it does not listen: serve it (it is
// an http.Handler) with an http.Server of your own, as cmd/qfpay-sandbox
// does. It panics on empty credentials.
func NewServer(appCode, clientKey string, opts ...Option) *Server {
	if strings.TrimSpace(appCode) == "" || strings.TrimSpace(clientKey) == "" {
		panic("qfpaytest: empty app code or client key")
	}
	cfg := config{
		schedule: DefaultNotifySchedule, clock: time.Now, seed: DefaultSeed,
		pendingQueries: DefaultPendingQueries, pendingFor: DefaultPendingFor,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		appCode:      appCode,
		clientKey:    clientKey,
		cfg:          cfg,
		bySysSN:      map[string]*txn{},
		byOutTradeNo: map[string]*txn{},
		weChatCodes:  map[string]bool{},
		notifyURL:    cfg.notifyURL,
		faults:       map[string][]*faultEntry{},
		rng:          rand.New(rand.NewPCG(cfg.seed, 2)),
		changed:      make(chan struct{}),
		settleWake:   make(chan struct{}),
		ctx:          ctx,
		cancel:       cancel,
	}
	if cfg.noListener {
		return s
	}
	// URL is set before the server starts serving, so that handlers read it
	// after the write (the race detector sees no order through a socket).
	s.ts = httptest.NewUnstartedServer(s)
	s.URL = "http://" + s.ts.Listener.Addr().String()
	s.ts.Start()
	return s
}

// AppCode is the app code the server accepts.
func (s *Server) AppCode() string { return s.appCode }

// Close stops the server: the listener (unless WithoutListener), auto-pay timers
// and notification deliveries still waiting for their next attempt. It
// waits for requests and deliveries in progress to end. It may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for _, t := range s.timers {
			t.Stop()
		}
		s.mu.Unlock()
		s.cancel()
		if s.ts != nil {
			s.ts.Close()
		}
		s.wg.Wait()
	})
}

// SetNow freezes the server's clock at t (sysdtm, paydtm, syssn dates,
// expiries, pending settlements, the query's default month). The zero
// time returns to the clock of WithClock (default time.Now). Pending
// payments and refunds due by then settle before it returns.
func (s *Server) SetNow(t time.Time) {
	s.clockMu.Lock()
	s.fixed, s.fixedSet = t, !t.IsZero()
	s.clockMu.Unlock()
	s.settleDue()
}

// Advance moves a clock frozen with SetNow by d (it freezes the clock at
// Now()+d when it was running). Pending payments and refunds due by then
// settle (and are notified) before it returns.
func (s *Server) Advance(d time.Duration) {
	s.clockMu.Lock()
	s.fixed, s.fixedSet = s.nowLocked().Add(d), true
	s.clockMu.Unlock()
	s.settleDue()
}

// Now is the server's current time.
func (s *Server) Now() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.nowLocked()
}

// frozen reports whether the clock is frozen by SetNow or Advance.
func (s *Server) frozen() bool {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.fixedSet
}

func (s *Server) nowLocked() time.Time {
	if s.fixedSet {
		return s.fixed
	}
	return s.cfg.clock()
}

// SetNotifyURL sets the URL notifications go to from now on; "" stops
// sending them. Deliveries already made keep their URL.
func (s *Server) SetNotifyURL(rawURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyURL = rawURL
}

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
		r.Body = io.NopCloser(bytes.NewReader(body))
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
	rec := &recorder{header: http.Header{}}
	s.route(rec, r)
	if f != nil && f.AfterProcessing {
		if !s.delay(r.Context(), f.Latency) {
			s.logRequest(r, 0, respcdOf(rec), start, f, "aborted during latency")
			return
		}
		if s.breakAnswer(w, r, f, rec, start) {
			return
		}
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
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, refuse("1103", "reading the body: %v", err)
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

func writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, object{"respcd": e.code, "resperr": resperr(e.code), "respmsg": e.detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// recorder holds an answer until faults have had their say.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) writeTo(w http.ResponseWriter) {
	for k, vs := range r.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(r.statusCode())
	_, _ = w.Write(r.body.Bytes())
}

// respcdOf is the respcd of a JSON answer, for the log.
func respcdOf(r *recorder) string {
	if !strings.Contains(r.header.Get("Content-Type"), "json") {
		return ""
	}
	var v struct {
		RespCD string `json:"respcd"`
	}
	_ = json.Unmarshal(r.body.Bytes(), &v)
	return v.RespCD
}

func (s *Server) logRequest(r *http.Request, status int, respcd string, start time.Time, f *Fault, note string) {
	if s.cfg.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.String("respcd", respcd),
		slog.Duration("duration", time.Since(start)),
	}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.String()))
	}
	if note != "" {
		attrs = append(attrs, slog.String("note", note))
	}
	s.cfg.logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}

// errClosed is returned by waits on a closed server.
var errClosed = errors.New("qfpaytest: server closed")
