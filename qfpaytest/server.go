package qfpaytest

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
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
	// byPayType are the transactions of each pay type, in the order of
	// txns; unordered tells that some transaction's sysTime is before an
	// older one's (the clock was set back), so that queries cannot find a
	// time range by its ends (see query).
	byPayType map[qfpay.PayType][]*txn
	unordered bool
	// scanOnly makes every query scan, for the tests that compare the
	// indexes with the scan.
	scanOnly bool
	// awaiting are the payments and refunds that were pending when made
	// (settled ones are dropped as queries meet them): what a query may
	// settle besides the transactions it lists.
	awaiting []*txn
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
	admin          bool
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

// WithAdmin makes the server also serve, to loopback clients only, a
// status page at / (its transactions and notification deliveries) and an
// admin API under /_sandbox/v1/ that drives it from a terminal or a
// browser test: pay, fail, expire, advance the clock, list and redeliver
// notifications, through the Server's own methods (Pay, Fail, Expire,
// Advance, Deliveries, Redeliver). Requests from any other address get
// 403, as do POSTs a browser marks as sent by a page of another origin
// (so that a web site open on the same machine cannot drive it). cmd/qfpay-sandbox serves it by default; see the package
// documentation, "Admin API".
func WithAdmin() Option {
	return func(c *config) { c.admin = true }
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
		byPayType:    map[qfpay.PayType][]*txn{},
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

// SetNotifyURL sets the URL notifications go to from now on; "" stops
// sending them. Deliveries already made keep their URL.
func (s *Server) SetNotifyURL(rawURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyURL = rawURL
}

// errClosed is returned by waits on a closed server.
var errClosed = errors.New("qfpaytest: server closed")
