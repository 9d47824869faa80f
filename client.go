// Package qfpay is a client for the QF Pay Open API: payments with Alipay,
// WeChat Pay, UnionPay, FPS, PayNow and the other wallets of the API's
// PayType table, queries, refunds, reversals, pre-authorization, bills and
// asynchronous notifications.
//
// Every call goes through one request path: the request struct is encoded
// to form values, empty values are dropped, the client's defaults (mchid,
// txdtm, txzone) are added, exactly the parameters sent are signed, the
// request is sent, the answer is checked and decoded. Calls that move money
// are never re-sent automatically; a failure after such a request may have
// reached the gateway is reported as ErrOutcomeUnknown, and the pending
// return codes (1143, 1145, 1295, 1296, 1298) as ErrPending;
// WaitForPayment and WaitForRefund settle either by query. Only a
// transaction the gateway lists as failed proves that paying again is
// safe; re-sending under the same out_trade_no always is.
package qfpay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qfpay-go/qfpay/internal/loopback"
	"github.com/qfpay-go/qfpay/internal/wire"
)

// Version is the SDK's semantic version (semver.org), sent in the
// User-Agent header; CHANGELOG.md says what each version changed. Until
// 1.0.0 a minor version may break the API, as 0.2.0 does.
const Version = "0.2.0"

// Defaults of a new Client.
const (
	// DefaultTimeout bounds one call (all its attempts) when the caller's
	// context has no deadline of its own.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes bounds a JSON answer, in bytes (1 MiB; see
	// WithMaxResponseBytes).
	DefaultMaxResponseBytes = 1 << 20
	// DefaultMaxBillBytes bounds a bill download, in bytes (64 MiB).
	DefaultMaxBillBytes = 64 << 20
	// DefaultMaxBillUncompressedBytes bounds the decompressed size of each
	// file read from a statement's zip, in bytes (256 MiB; see
	// WithMaxBillUncompressedBytes).
	DefaultMaxBillUncompressedBytes = 256 << 20
)

// beijing is the API's default zone, UTC+8.
var beijing = time.FixedZone("UTC+8", 8*60*60)

// Client calls the QF Pay Open API with one merchant's credentials. It is
// safe for concurrent use; make one and share it.
type Client struct {
	appCode string
	// clientKey is held by a function so that even a Client value printed
	// inside another struct, where fmt cannot call its methods, shows a
	// code address, never the key.
	clientKey func() string
	baseURL   string
	env       Environment
	hc        *http.Client
	signType  SignType
	mchid     string
	loc       *time.Location
	logger    *slog.Logger
	userAgent string
	timeout   time.Duration
	maxBody   int64
	maxBill   int64
	retry     RetryPolicy
	limiter   limiter
	poll      PollPolicy
	now       func() time.Time

	// maxBillFile bounds a decompressed file of a statement's zip.
	maxBillFile int64
	// insecureHTTP allows a plain http:// base URL for any host.
	insecureHTTP bool
	// recurringBody is how the recurring calls send their body (see
	// WithRecurringBody).
	recurringBody BodyEncoding
	// attemptTimeout bounds each attempt of the default HTTP client, which
	// has no Timeout of its own: the call's deadline bounds the attempts
	// when it is sooner, so that a call has one deadline. Zero with
	// WithHTTPClient, whose client brings its own.
	attemptTimeout time.Duration
	// urls are the parsed URLs of the endpoints called, by path.
	urls *sync.Map
}

// Option configures a Client in NewClient.
type Option func(*Client) error

// NewClient returns a client for the merchant with the given app code and
// client key (both issued by QF Pay). Without options it talks to the
// Sandbox environment, signs with MD5, writes times in UTC+8, bounds every
// call with DefaultTimeout and follows no HTTP redirect. It fails on empty
// credentials (or a key of blanks only), on a bad option, and on a plain
// http:// base URL for a host other than this machine's loopback unless
// WithInsecureHTTP is given.
func NewClient(appCode, clientKey string, opts ...Option) (*Client, error) {
	appCode, clientKey = strings.TrimSpace(appCode), strings.TrimSpace(clientKey)
	if appCode == "" {
		return nil, fmt.Errorf("%w: empty app code", ErrInvalidRequest)
	}
	if clientKey == "" {
		return nil, fmt.Errorf("%w: empty client key", ErrInvalidRequest)
	}
	c := &Client{
		appCode:   appCode,
		clientKey: func() string { return clientKey },
		baseURL:   string(Sandbox),
		env:       Sandbox,
		hc:        &http.Client{Transport: sharedTransport(), CheckRedirect: noRedirect},
		signType:  MD5,
		loc:       beijing,
		userAgent: "qfpay-go/" + Version + " go/" + runtime.Version(),
		timeout:   DefaultTimeout,
		maxBody:   DefaultMaxResponseBytes,
		maxBill:   DefaultMaxBillBytes,
		retry:     DefaultRetryPolicy,
		poll:      DefaultPollPolicy,
		now:       time.Now,

		maxBillFile:    DefaultMaxBillUncompressedBytes,
		attemptTimeout: DefaultTimeout,
		urls:           new(sync.Map),
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if err := c.checkScheme(); err != nil {
		return nil, err
	}
	return c, nil
}

// noRedirect makes an http.Client return a redirect as the answer instead
// of following it: a followed redirect would send the signed request, its
// X-QF-SIGN and X-QF-APPCODE headers to whatever host the redirect names,
// and take that host's answer for the gateway's.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// DefaultMaxIdleConnsPerHost is how many idle connections to the gateway
// the default HTTP client keeps for the next calls: the gateway's published
// limit of 100 requests per second, so that a busy merchant reuses its
// connections instead of opening (and TLS-handshaking) a new one for most
// calls, as net/http's default of 2 would make it. Every Client made
// without WithHTTPClient shares one such pool. A client given with
// WithHTTPClient keeps its own transport: give it an *http.Transport whose
// MaxIdleConnsPerHost is at least the number of calls the merchant makes
// at once (MaxIdleConns too, counting every host it calls), such as a clone
// of http.DefaultTransport with both set to 100.
const DefaultMaxIdleConnsPerHost = 100

// sharedTransport is the transport of every Client made without
// WithHTTPClient: http.DefaultTransport's settings with a pool sized for
// the gateway.
var sharedTransport = sync.OnceValue(func() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          DefaultMaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   DefaultMaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
})

// checkScheme refuses a plain http:// base URL for a host other than the
// loopback, unless WithInsecureHTTP allowed it: the signed requests, the
// app code and every answer would cross the network unencrypted.
func (c *Client) checkScheme() error {
	u, err := url.Parse(c.baseURL)
	if err != nil {
		return fmt.Errorf("%w: base URL %q: %v", ErrInvalidRequest, redactURL(c.baseURL), err)
	}
	if u.Scheme == "http" && !c.insecureHTTP && !loopback.Host(u.Hostname()) {
		return fmt.Errorf("%w: base URL %q: plain http:// is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1); use https://, or WithInsecureHTTP to send signed requests unencrypted", ErrInvalidRequest, redactURL(c.baseURL))
	}
	return nil
}

// WithEnvironment picks the gateway (default Sandbox, so that no real money
// moves by accident).
func WithEnvironment(env Environment) Option {
	return func(c *Client) error {
		if err := setBaseURL(c, string(env)); err != nil {
			return err
		}
		c.env = env
		return nil
	}
}

// WithBaseURL sends every call to rawURL instead of a known environment,
// for example a local qfpaytest server. rawURL is an absolute https:// URL,
// or http:// for a loopback host (localhost, 127.0.0.0/8, ::1, where
// qfpaytest servers listen); any other http:// URL is refused unless
// WithInsecureHTTP is given too. A user:password in rawURL is sent as the
// URL says but never printed or logged.
func WithBaseURL(rawURL string) Option {
	return func(c *Client) error {
		if err := setBaseURL(c, rawURL); err != nil {
			return err
		}
		c.env = Environment(c.baseURL)
		return nil
	}
}

func setBaseURL(c *Client, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: base URL %q must be an absolute http(s) URL", ErrInvalidRequest, redactURL(raw))
	}
	c.baseURL = strings.TrimRight(u.String(), "/")
	return nil
}

// WithHTTPClient sends requests with hc's transport, timeout and cookie jar
// instead of the default client (an http.Client with a DefaultTimeout
// timeout). Calls are still bounded by the client's call timeout when the
// context has no deadline.
//
// The client uses a copy of hc whose CheckRedirect follows no redirect,
// whatever hc's own says (hc itself is left as it is): a redirect is
// answered as an HTTP error, never followed, so that no signed request goes
// to a host the redirect names.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidRequest)
		}
		cp := *hc
		cp.CheckRedirect = noRedirect
		c.hc = &cp
		c.attemptTimeout = 0
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL (WithBaseURL) for any
// host, not only the loopback: requests, their signatures and the answers
// then cross the network unencrypted, readable and changeable by anyone on
// the way. Meant for a test gateway on another machine of a private
// network; never use it with a real environment.
func WithInsecureHTTP() Option {
	return func(c *Client) error {
		c.insecureHTTP = true
		return nil
	}
}

// WithSignType picks the signature algorithm: MD5 (the default) or SHA256,
// which the API recommends and which the client announces with the
// X-QF-SIGNTYPE: SHA256 header.
func WithSignType(t SignType) Option {
	return func(c *Client) error {
		if !t.valid() {
			return fmt.Errorf("%w: sign type %q: want MD5 or SHA256", ErrInvalidRequest, t)
		}
		c.signType = t
		return nil
	}
}

// WithMerchantID sets the mchid QF Pay gave a merchant with several shops
// (or an agent). It is sent on every call that takes one, unless the request
// sets its own MerchantID. Merchants given no mchid must not send one. An
// mchid of more than 16 characters (the API's String(16)) is refused with a
// *ValidationError.
func WithMerchantID(mchid string) Option {
	return func(c *Client) error {
		mchid = strings.TrimSpace(mchid)
		if err := checkLength("mchid", "MerchantID", mchid, maxMerchantID); err != nil {
			return err
		}
		c.mchid = mchid
		return nil
	}
}

// WithLocation sets the zone request times (txdtm, start_time, end_time) are
// written in and answer times are read in. The default is UTC+8, the API's
// own zone; with any other zone each call that takes txzone also sends the
// zone's offset ("+0900") unless the request sets TimeZone. Reversal and
// close take no txzone: their times are written and read in UTC+8, the
// only zone the gateway can read them in.
func WithLocation(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return fmt.Errorf("%w: nil *time.Location", ErrInvalidRequest)
		}
		c.loc = loc
		return nil
	}
}

// WithClock sets the client's clock (default time.Now): the time a
// request's txdtm defaults to, CheckoutURL's PageExpiresAt is checked
// against, and whose calendar month a query's zero Start or End falls in,
// as do the months WaitForPayment, WaitForRefund and Transactions search.
// It is read in the client's location (WithLocation). The gateway keeps
// its own clock, which the client's follows in production. For tests
// against a qfpaytest server whose clock is frozen (Server.SetNow), pass
// qfpay.WithClock(srv.Now) so that client and sandbox agree on "now", as
// the real client and gateway do: a query by out_trade_no searches one
// calendar month, and a client and server a month apart miss each other's
// transactions. A nil func is refused with ErrInvalidRequest.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock func", ErrInvalidRequest)
		}
		c.now = now
		return nil
	}
}

// WithLogger logs one line per HTTP attempt at debug level, and failures at
// warn level, with the attributes method, path, out_trade_no and syssn (the
// numbers the request sent, when it sent them: join a line to an order by
// them), status (HTTP), respcd, attempt and duration, and error on failure.
// Client.NotificationHandler logs with it too. It never logs the client
// key, the signature or the string that was signed.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// WithUserAgent replaces the User-Agent header, by default
// "qfpay-go/<version> go/<runtime version>".
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}

// WithTimeout bounds each call, all its attempts included, when the caller's
// context has no deadline (default DefaultTimeout). Zero or less removes the
// bound, leaving the HTTP client's own timeout.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		c.timeout = d
		return nil
	}
}

// WithMaxResponseBytes bounds the size of a JSON answer (default
// DefaultMaxResponseBytes) and of a bill download (default
// DefaultMaxBillBytes, raised to at least n).
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("%w: response limit must be positive", ErrInvalidRequest)
		}
		c.maxBody = n
		c.maxBill = max(c.maxBill, n)
		return nil
	}
}

// Environment is the gateway the client calls (the base URL given with
// WithBaseURL when that was used).
func (c *Client) Environment() Environment { return c.env }

// AppCode is the client's app code (not secret: it is sent in every request).
func (c *Client) AppCode() string { return c.appCode }

// MerchantID is the mchid set with WithMerchantID, or "".
func (c *Client) MerchantID() string { return c.mchid }

// Location is the zone request times are written in.
func (c *Client) Location() *time.Location { return c.loc }

// String describes the client without its client key, and without the
// user:password of a base URL that has one. It, GoString, Format and
// LogValue have value receivers so that a dereferenced Client prints as
// safely as a *Client.
func (c Client) String() string {
	return fmt.Sprintf("qfpay.Client{app_code: %s, env: %s, sign_type: %s, mchid: %q}", c.appCode, redactURL(c.baseURL), c.signType, c.mchid)
}

// GoString describes the client for %#v without its client key.
func (c Client) GoString() string { return c.String() }

// Format formats String's description with every verb (%v, %q, %x, %d...)
// and GoString's with %#v, so that no verb reaches the client key.
func (c Client) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, c.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
}

// LogValue describes the client for log/slog without its client key, and
// without the user:password of a base URL that has one.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_code", c.appCode),
		slog.String("env", redactURL(c.baseURL)),
		slog.String("sign_type", string(c.signType)),
		slog.String("mchid", c.mchid),
	)
}

// endpoint describes one API path for the request path.
type endpoint struct {
	method string
	path   string
	// movesMoney marks payments, refunds, reversals, closes and deductions:
	// never re-sent, and a failure after the request may have reached the
	// gateway is an *OutcomeUnknownError.
	movesMoney bool
	// retry marks calls that are safe to repeat on transport errors, 5xx and
	// 429.
	retry bool
	// singleUse marks calls the gateway honours once (a WeChat OAuth code
	// is spent by the first request that reaches it): with retry set, they
	// are repeated only after a failure that proves the gateway did not act
	// on the request (nothing was sent, or a 429 refused it).
	singleUse bool
	// mchid, txdtm and txzone say which defaults the call takes. A call
	// without txzone has its times written and read in the API's default
	// zone, UTC+8, whatever the client's location: the gateway has no
	// other zone to read them in.
	mchid, txdtm, txzone bool
	// file marks answers that are a file (a zip) on success.
	file bool
	// nested marks the recurring calls, whose values may be JSON (products,
	// billing_address): their body is a form or a JSON object as
	// WithRecurringBody says (see Client.body).
	nested bool
}

// validator is implemented by request structs that can be checked before
// anything is sent.
type validator interface{ validate() error }

// checker is implemented by response structs that must carry some field on
// success (a payment without syssn is not a usable success).
type checker interface{ check() error }

// fileAnswer receives the body of a file answer.
type fileAnswer interface {
	setFile(data []byte, contentType string)
}

// do runs one call through the request path and returns its decoded answer.
// On ErrPending the decoded answer is returned with the error.
func do[T any](ctx context.Context, c *Client, ep *endpoint, req any) (*T, error) {
	out := new(T)
	err := c.call(ctx, ep, req, out)
	if err == nil || errors.Is(err, ErrPending) {
		return out, err
	}
	return nil, err
}

// call is the one request path: validate, build (encode, drop empty values,
// add defaults, sign exactly what is sent), send (with retries for calls
// safe to repeat), check what the answer says and decode it into out.
func (c *Client) call(ctx context.Context, ep *endpoint, req any, out any) error {
	return c.run(ctx, ep, req, out, (*Client).send)
}

// attemptFunc makes one attempt of a call: send and read (send), or send
// and stream (DownloadBillTo).
type attemptFunc func(c *Client, ctx context.Context, ep *endpoint, r *request) (*answer, error)

// run is call with the attempt made by attempt.
func (c *Client) run(ctx context.Context, ep *endpoint, req any, out any, attempt attemptFunc) error {
	r, err := c.build(ep, req)
	if err != nil {
		return err
	}
	ctx = withRefs(ctx, r.form) // out_trade_no and syssn for the log lines
	// A context that is already done sends nothing, whatever the transport.
	if err := ctx.Err(); err != nil {
		return c.finalError(ep, r.form, &transportError{err: err})
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	attempts := 1
	if ep.retry && !ep.movesMoney && c.retry.MaxAttempts > 1 {
		attempts = c.retry.MaxAttempts
	}
	for n := 1; ; n++ {
		ans, err := attempt(c, ctx, ep, r)
		if err == nil {
			err = c.receive(ep, ans, out)
		}
		c.logAttempt(ctx, ep, n, ans, err)
		if err == nil {
			return nil
		}
		// An unreadable answer to a money movement leaves its outcome
		// unknown too: finalError says so.
		var asked time.Duration
		if n >= attempts || ctx.Err() != nil || !isRetryable(err, &asked) || (ep.singleUse && !unsent(err)) {
			return c.finalError(ep, r.form, err)
		}
		wait := c.retry.backoff(n, asked)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// Waiting would only end in a deadline error: the last answer
			// says more.
			return c.finalError(ep, r.form, err)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %w)", c.finalError(ep, r.form, err), serr)
		}
	}
}

// request is a call ready to send: its form, the form encoded for the wire
// (or, for a recurring call under BodyJSON, its JSON object) with its
// content type, and the signature of exactly those values.
type request struct {
	form        wire.Form
	encoded     string
	contentType string
	sign        string
}

// build validates req, encodes it and adds the client's defaults, then
// signs the result.
func (c *Client) build(ep *endpoint, req any) (*request, error) {
	if v, ok := req.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	form, err := c.form(ep, req)
	if err != nil {
		return nil, err
	}
	encoded, contentType, err := c.body(ep, req, form)
	if err != nil {
		return nil, err
	}
	return &request{form: form, encoded: encoded, contentType: contentType, sign: signForm(form, c.clientKey(), c.signType)}, nil
}

// bounded gives ctx the client's call timeout when it has no deadline of
// its own.
func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// zone is the location an endpoint's times are written and read in: the
// client's when the call sends txzone, else the API's default, UTC+8.
func (c *Client) zone(ep *endpoint) *time.Location {
	if ep.txzone {
		return c.loc
	}
	return beijing
}

// form encodes req and adds the client's defaults.
func (c *Client) form(ep *endpoint, req any) (wire.Form, error) {
	form, err := wire.Encode(req, c.zone(ep))
	if err != nil {
		return nil, fmt.Errorf("%w: encode %T: %v", ErrInvalidRequest, req, err)
	}
	if ep.mchid && c.mchid != "" && form.Get("mchid") == "" {
		form.Set("mchid", c.mchid)
	}
	if !ep.txdtm && !ep.txzone {
		return form, nil
	}
	now := c.now().In(c.zone(ep))
	if ep.txdtm && form.Get("txdtm") == "" {
		form.Set("txdtm", now.Format(wire.TimeLayout))
	}
	// UTC+8 has no other offset to send; another zone may differ by date.
	if ep.txzone && c.loc != beijing && form.Get("txzone") == "" {
		if _, off := c.zoneAt(req, now).Zone(); off != 8*60*60 {
			form.Set("txzone", zoneOffset(off))
		}
	}
	return form, nil
}

// params is form as url.Values, for a call that builds its URL by hand
// (CheckoutURL).
func (c *Client) params(ep *endpoint, req any) (url.Values, error) {
	form, err := c.form(ep, req)
	if err != nil {
		return nil, err
	}
	return form.Values(), nil
}

// zoneAt is the moment whose zone offset txzone describes: the request's
// own time (TxTime, or a query's Start) when it has one, else now, so that
// a time across a daylight-saving change is sent with its own offset. The
// instants are used, not the wall clocks written: in the hour a zone
// repeats, "01:30:00" could be either offset.
func (c *Client) zoneAt(req any, now time.Time) time.Time {
	for _, name := range []string{"txdtm", "start_time"} {
		if t, ok := wire.TimeOf(req, name); ok {
			return t.In(c.loc)
		}
	}
	return now
}

// zoneOffset writes a zone offset in seconds as the API's txzone, "+0900".
func zoneOffset(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	return string([]byte{sign, byte('0' + h/10), byte('0' + h%10), byte('0' + m/10), byte('0' + m%10)})
}

// answer is what one HTTP attempt brought back.
type answer struct {
	status      int
	header      http.Header
	body        []byte
	contentType string
	// tooLarge marks a 2xx answer cut at the size limit.
	tooLarge bool
	// streamed counts the bytes of a file answer written as it arrived
	// (DownloadBillTo), body nil.
	streamed int64
	// took is how long the attempt took, for the log.
	took time.Duration
	// code is the answer's respcd, once classify read it.
	code string

	parsed bool
	obj    wire.Object
	objErr error
}

// object reads the body as a JSON object, once.
func (a *answer) object() (wire.Object, error) {
	if !a.parsed {
		a.obj, a.objErr = wire.ParseObject(a.body)
		a.parsed = true
	}
	return a.obj, a.objErr
}

// field reads a string member of the answer's JSON object.
func (a *answer) field(name string) string {
	obj, err := a.object()
	if err != nil {
		return ""
	}
	raw, _ := obj.Get(name)
	s, _ := wire.String(raw)
	return s
}

// transportError is a failure to get an answer at all; sent tells whether
// the request may have reached the gateway.
type transportError struct {
	err  error
	sent bool
	// status and took describe the attempt for the log.
	status int
	took   time.Duration
}

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// send makes one HTTP attempt and reads the answer: transport only, what
// the answer says is classify's. It fails with a *transportError.
func (c *Client) send(ctx context.Context, ep *endpoint, r *request) (*answer, error) {
	resp, start, done, err := c.roundTrip(ctx, ep, r)
	if err != nil {
		return nil, err
	}
	defer done()
	ans, err := c.read(ep, resp)
	if err != nil {
		return nil, &transportError{err: err, sent: true, status: resp.StatusCode, took: time.Since(start)}
	}
	ans.took = time.Since(start)
	return ans, nil
}

// roundTrip sends r and returns the answer with its body unread, when the
// attempt started, and done, which closes the body and ends the attempt's
// own deadline (if any). It fails with a *transportError.
func (c *Client) roundTrip(ctx context.Context, ep *endpoint, r *request) (resp *http.Response, start time.Time, done func(), err error) {
	if err := c.limiter.wait(ctx); err != nil {
		return nil, start, nil, &transportError{err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, start, nil, &transportError{err: err}
	}
	cancel := context.CancelFunc(nil)
	if c.attemptTimeout > 0 {
		// The default HTTP client bounds each attempt, unless the call's
		// own deadline comes first.
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > c.attemptTimeout {
			ctx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		}
	}
	end := func() {
		if cancel != nil {
			cancel()
		}
	}
	// Whether a failed request may have reached the gateway decides
	// something only for calls that move money (ErrOutcomeUnknown) and
	// single-use ones (not repeated once sent): only they are traced. A
	// transport built on net/http reports getting a connection and writing
	// the request; one that reports neither (a custom RoundTripper) leaves
	// only its error to judge by.
	var tr *attemptTrace
	if ep.movesMoney || ep.singleUse {
		tr = &attemptTrace{}
		tr.trace = httptrace.ClientTrace{GetConn: tr.getConn, WroteHeaders: tr.wroteHeaders}
		ctx = httptrace.WithClientTrace(ctx, &tr.trace)
	}
	hreq, err := c.newRequest(ctx, ep, r)
	if err != nil {
		end()
		return nil, start, nil, &transportError{err: err}
	}
	start = time.Now()
	resp, err = c.hc.Do(hreq)
	if err != nil {
		end()
		// net/http names the URL in its errors with the user name of a
		// base URL's userinfo (only the password masked).
		if ue, ok := errors.AsType[*url.Error](err); ok {
			ue.URL = redactURL(ue.URL)
		}
		sent := true
		if tr != nil {
			sent = tr.wrote.Load() || (!tr.traced.Load() && !isDialError(err))
		}
		return nil, start, nil, &transportError{err: err, sent: sent, took: time.Since(start)}
	}
	return resp, start, func() {
		resp.Body.Close()
		end()
	}, nil
}

// attemptTrace records what net/http did with a request.
type attemptTrace struct {
	trace         httptrace.ClientTrace
	traced, wrote atomic.Bool
}

func (t *attemptTrace) getConn(string) { t.traced.Store(true) }
func (t *attemptTrace) wroteHeaders()  { t.wrote.Store(true) }

// newRequest makes the HTTP request of r: a POST of its body, or a GET
// with the form as its query, and the API's headers.
func (c *Client) newRequest(ctx context.Context, ep *endpoint, r *request) (*http.Request, error) {
	u, err := c.endpointURL(ep)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if ep.method == http.MethodGet {
		u.RawQuery = r.encoded
	} else {
		body = strings.NewReader(r.encoded)
	}
	hreq, err := http.NewRequestWithContext(ctx, ep.method, "", body)
	if err != nil {
		return nil, err
	}
	hreq.URL, hreq.Host = u, u.Host
	// One backing array for the header values, the keys in canonical form
	// (what Header.Set would make of them).
	vals := [...]string{r.contentType, c.appCode, r.sign, string(SHA256), "application/json", c.userAgent}
	h := hreq.Header
	if body != nil {
		h["Content-Type"] = vals[0:1:1]
	}
	h["X-Qf-Appcode"] = vals[1:2:2]
	h["X-Qf-Sign"] = vals[2:3:3]
	if c.signType == SHA256 {
		h["X-Qf-Signtype"] = vals[3:4:4]
	}
	h["Accept"] = vals[4:5:5]
	if c.userAgent != "" {
		h["User-Agent"] = vals[5:6:6]
	}
	return hreq, nil
}

// endpointURL returns a copy of the URL of ep on the client's base URL,
// parsed once.
func (c *Client) endpointURL(ep *endpoint) (*url.URL, error) {
	if u, ok := c.urls.Load(ep.path); ok {
		cp := *u.(*url.URL)
		return &cp, nil
	}
	u, err := url.Parse(c.baseURL + ep.path)
	if err != nil {
		return nil, err
	}
	u.Host = strings.TrimSuffix(u.Host, ":") // an empty port, as http.NewRequest drops it
	c.urls.Store(ep.path, u)
	cp := *u
	return &cp, nil
}

// read reads the answer's body, up to the endpoint's size limit, into a
// buffer sized by Content-Length when it gives one.
func (c *Client) read(ep *endpoint, resp *http.Response) (*answer, error) {
	limit := c.maxBody
	if ep.file {
		limit = c.maxBill
	}
	data, err := readLimited(resp.Body, resp.ContentLength, limit+1)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	ans := &answer{status: resp.StatusCode, header: resp.Header, body: data, contentType: resp.Header.Get("Content-Type")}
	if int64(len(data)) > limit {
		// An HTTP error (a 429, a proxy's 502 page) says what it is by its
		// status; the body, cut at the limit, only adds to the message.
		ans.body = data[:limit]
		ans.tooLarge = isSuccess(resp.StatusCode)
	}
	return ans, nil
}

// readLimited reads r to its end, or to max bytes, into a buffer of the
// size the answer announced (size < 0: unknown), grown as io.ReadAll grows
// its own when the announcement falls short.
func readLimited(r io.Reader, size, max int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 {
		// One byte more than announced, to see the end without growing.
		n = min(size+1, max)
	}
	buf := make([]byte, 0, n)
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):min(int64(cap(buf)), max)]
		k, err := r.Read(room)
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// isSuccess tells a 2xx status.
func isSuccess(status int) bool { return status >= 200 && status <= 299 }

// isRedirect tells a 3xx status, which the client answers with an error
// instead of following (see noRedirect).
func isRedirect(status int) bool { return status >= 300 && status <= 399 }

// verdict is what an answer says, before any decoding into a response.
type verdict int

const (
	// verdictSuccess: respcd 0000 on a 2xx; the body decodes into the
	// response.
	verdictSuccess verdict = iota
	// verdictFile: a file (a zip) on a 2xx, on an endpoint that answers
	// files.
	verdictFile
	// verdictRefused: the gateway's respcd other than 0000, an *APIError
	// (its pending codes match ErrPending).
	verdictRefused
	// verdictHTTPError: an HTTP error status that carries no word of the
	// gateway (no respcd, a 429, a redirect), an *APIError; the retry
	// policy decides on it.
	verdictHTTPError
	// verdictMalformed: an answer that cannot be read, an error matching
	// ErrMalformedResponse.
	verdictMalformed
)

// classify says what an answer is: success, a file, a refusal or an HTTP
// error (both an *APIError), or malformed. It sets ans.code. It needs no
// HTTP: a table of answers tests it.
func (c *Client) classify(ep *endpoint, ans *answer) (verdict, error) {
	if ans.tooLarge {
		return verdictMalformed, c.malformed(ep, ans, fmt.Errorf("answer larger than %d bytes", len(ans.body)))
	}
	if ans.streamed > 0 {
		return verdictFile, nil
	}
	if ep.file && !looksLikeJSON(ans) {
		if !isSuccess(ans.status) {
			return verdictHTTPError, c.httpError(ep, ans)
		}
		if len(ans.body) == 0 {
			return verdictMalformed, c.malformed(ep, ans, errors.New("empty file"))
		}
		return verdictFile, nil
	}
	obj, perr := ans.object()
	code := ""
	hasCode := false
	if perr == nil {
		if raw, ok := obj.Get("respcd"); ok {
			var err error
			code, err = wire.String(raw)
			hasCode = err == nil && code != ""
		}
	}
	ans.code = code
	if !isSuccess(ans.status) && (!hasCode || ans.status == http.StatusTooManyRequests || isRedirect(ans.status)) {
		return verdictHTTPError, c.httpError(ep, ans)
	}
	switch {
	case len(bytes.TrimSpace(ans.body)) == 0:
		return verdictMalformed, c.malformed(ep, ans, errors.New("empty body"))
	case perr != nil:
		return verdictMalformed, c.malformed(ep, ans, fmt.Errorf("not JSON: %q", bodySnippet(ans.body)))
	case !hasCode:
		return verdictMalformed, c.malformed(ep, ans, errors.New("no respcd"))
	case code == CodeSuccess && !isSuccess(ans.status):
		return verdictMalformed, c.malformed(ep, ans, errors.New("respcd 0000 with an HTTP error status"))
	case code != CodeSuccess:
		return verdictRefused, &APIError{Code: code, HTTPStatus: ans.status, Path: ep.path, Message: ans.field("resperr"), Detail: ans.field("respmsg")}
	}
	return verdictSuccess, nil
}

// receive classifies an answer and decodes it into out: the body of a
// success, the file of a file answer, and what a pending answer carries
// (the caller needs syssn to settle it).
func (c *Client) receive(ep *endpoint, ans *answer, out any) error {
	v, err := c.classify(ep, ans)
	switch v {
	case verdictFile:
		f, ok := out.(fileAnswer)
		if !ok {
			return c.malformed(ep, ans, errors.New("a file where JSON was expected"))
		}
		f.setFile(ans.body, ans.contentType)
		return nil
	case verdictRefused:
		if apiErr, _ := err.(*APIError); apiErr != nil && apiErr.Pending() {
			// A field that does not decode is not worth hiding the syssn
			// of a pending outcome for.
			_ = wire.Decode(ans.obj, out, c.zone(ep))
		}
		return err
	case verdictSuccess:
		if err := wire.Decode(ans.obj, out, c.zone(ep)); err != nil {
			return c.malformed(ep, ans, err)
		}
		if ck, ok := out.(checker); ok {
			if err := ck.check(); err != nil {
				return c.malformed(ep, ans, err)
			}
		}
		return nil
	}
	return err
}

// logAttempt logs one attempt: failures to get or read an answer at warn
// level with the error, answers at debug level with their respcd.
func (c *Client) logAttempt(ctx context.Context, ep *endpoint, attempt int, ans *answer, err error) {
	if c.logger == nil {
		return
	}
	var apiErr *APIError
	switch {
	case ans == nil:
		var te *transportError
		if errors.As(err, &te) {
			c.log(ctx, ep, attempt, te.status, "", te.took, te.err)
			return
		}
		c.log(ctx, ep, attempt, 0, "", 0, err)
	case errors.As(err, &apiErr) && apiErr.Code != "" && apiErr.HTTPStatus != http.StatusTooManyRequests && !isRedirect(apiErr.HTTPStatus):
		// The gateway's refusal is an answer, not a failure to get one.
		c.log(ctx, ep, attempt, ans.status, ans.code, ans.took, nil)
	default:
		c.log(ctx, ep, attempt, ans.status, ans.code, ans.took, err)
	}
}

// httpError makes the *APIError of an HTTP answer with no usable respcd.
func (c *Client) httpError(ep *endpoint, ans *answer) *APIError {
	e := &APIError{HTTPStatus: ans.status, Path: ep.path, Message: http.StatusText(ans.status), Detail: bodySnippet(ans.body)}
	if isRedirect(ans.status) {
		// Whatever respcd the body of a redirect shows, it is no answer of
		// the gateway to this request.
		e.Message += ": redirect not followed"
		if loc := ans.header.Get("Location"); loc != "" {
			e.Message += " (to " + redactURL(loc) + ")"
		}
		return e
	}
	// A body claiming success says nothing about an HTTP error: keep the
	// status and the raw start of the body then.
	if _, err := ans.object(); err == nil {
		if code := ans.field("respcd"); code != CodeSuccess {
			e.Code = code
			if m := ans.field("resperr"); m != "" {
				e.Message = m
			}
			if d := ans.field("respmsg"); d != "" || e.Code != "" {
				e.Detail = d
			}
		}
	}
	if ra := ans.header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s >= 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			e.RetryAfter = max(0, time.Until(t))
		}
	}
	return e
}

// bodySnippet keeps the start of an unusable body for the error message,
// on one line.
func bodySnippet(b []byte) string {
	const n = 120
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func looksLikeJSON(ans *answer) bool {
	b := strings.TrimSpace(string(ans.body[:min(len(ans.body), 64)]))
	return strings.Contains(ans.contentType, "json") || strings.HasPrefix(b, "{")
}

func (c *Client) malformed(ep *endpoint, ans *answer, err error) error {
	return fmt.Errorf("%w: %s: HTTP %d: %w", ErrMalformedResponse, ep.path, ans.status, err)
}

// finalError shapes the error of a call that gets no more attempts: a call
// that moves money and may have reached the gateway gets an
// *OutcomeUnknownError; a context error stays matchable with errors.Is.
func (c *Client) finalError(ep *endpoint, form wire.Form, err error) error {
	err = withOrderRefs(err, form)
	var te *transportError
	if errors.As(err, &te) {
		err = fmt.Errorf("qfpay: %s %s: %w", ep.method, ep.path, te.err)
	}
	if !ep.movesMoney || !mayHaveReached(err, te) {
		return err
	}
	return &OutcomeUnknownError{Path: ep.path, OutTradeNo: form.Get("out_trade_no"), SysSN: form.Get("syssn"), Err: err}
}

// mayHaveReached tells whether a failed money-moving request may have been
// executed by the gateway.
func mayHaveReached(err error, te *transportError) bool {
	if te != nil {
		return te.sent
	}
	if errors.Is(err, ErrMalformedResponse) {
		return true
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		// An HTTP error page with no return code (a proxy's 403, a 502, a
		// load balancer's 504) says nothing about whether the gateway
		// executed the request: whatever stands in front of it may answer
		// after forwarding it. Only HTTP 429 is the gateway's documented
		// refusal, and an answer with a respcd is the gateway's own word.
		// A redirect, which the client does not follow, is no refusal
		// either: the host that answered may have executed the request
		// first (a 303 says so).
		return apiErr.Code == "" && apiErr.HTTPStatus != http.StatusTooManyRequests
	}
	return false
}

// isDialError tells whether err is a failure to reach the gateway at all
// (name resolution or connecting), after which nothing was sent.
func isDialError(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	return errors.As(err, &dnsErr) || (errors.As(err, &opErr) && opErr.Op == "dial")
}

// isRetryable tells whether an attempt's failure is worth another attempt,
// and the wait the gateway asked for.
func isRetryable(err error, wait *time.Duration) bool {
	var te *transportError
	if errors.As(err, &te) {
		return !errors.Is(te.err, context.Canceled) && !errors.Is(te.err, context.DeadlineExceeded)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	*wait = apiErr.RetryAfter
	// A 429 refused the request whatever its body says; a 5xx is worth
	// another attempt unless it carries a return code of the API.
	return apiErr.HTTPStatus == http.StatusTooManyRequests || (apiErr.Code == "" && apiErr.HTTPStatus >= 500)
}

// unsent tells whether an attempt's failure proves the gateway did not act
// on the request: nothing was sent (a failure to connect) or the gateway
// refused it with 429.
func unsent(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return !te.sent
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusTooManyRequests
}

func (c *Client) log(ctx context.Context, ep *endpoint, attempt, status int, code string, d time.Duration, err error) {
	if c.logger == nil {
		return
	}
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("method", ep.method),
		slog.String("path", ep.path),
	}
	attrs = append(attrs, refsFrom(ctx).attrs()...)
	attrs = append(attrs,
		slog.Int("status", status),
		slog.String("respcd", code),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, level, "qfpay request", attrs...)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
