package qfpay

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// DefaultMaxNotificationBytes bounds the body NotificationHandler reads. The
// gateway's notifications are well under a kilobyte.
const DefaultMaxNotificationBytes = 1 << 20

// notifySignHeader carries the notification's signature.
const notifySignHeader = "X-QF-SIGN"

// Notification is an asynchronous notification of the API section
// "Asynchronous Notifications": QF Pay posts one to the merchant's
// notification URL after a payment or refund succeeded. The gateway sends
// numbers and strings interchangeably; both decode into the same field, and
// times are read in UTC+8 (in the client's WithLocation zone when parsed by
// Client.ParseNotification or Client.NotificationHandler). A Notification
// marshals to and from JSON with encoding/json, so it can be
// queued as it is.
//
// Only the fields the SDK relies on are checked: notify_type must be
// present (or order_type, which the current documentation's card payment
// sample sends instead and Type is then taken from), syssn too except for
// the token and subscription types (see NotifyType), and syssn,
// orig_syssn, out_trade_no, txamt, respcd and the times must be readable.
// The token and subscription types are read with the accessors
// PaymentToken, Subscription and SubscriptionPayment. Any other field of an unexpected type is kept as
// its JSON text or left zero, so that a notification QF Pay sent is never
// refused (and lost) for a field the merchant may not even read; an
// unknown notify_type or unknown fields are accepted, and Raw keeps them.
type Notification struct {
	// Type is notify_type: NotifyPayment, NotifyRefund, or another
	// NotifyType (kept as sent); for a notification without one, its
	// order_type (payment or refund).
	Type NotifyType `json:"notify_type"`
	// Status is status: "1", success, the only value the API documents
	// (the gateway notifies only successful payments and refunds, and
	// sends it in refund notifications too). Kept as sent.
	Status string `json:"status"`
	// PayType is pay_type, the payment method; a refund has its
	// payment's.
	PayType PayType `json:"pay_type"`
	// Amount is txamt, in minor units of Currency: the amount paid, or
	// refunded for a refund. Check it against the order.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the transaction's currency.
	Currency Currency `json:"txcurrcd"`
	// OutTradeNo is out_trade_no, the merchant's number of the payment or
	// refund.
	OutTradeNo string `json:"out_trade_no"`
	// SysSN is syssn, QF Pay's number of the transaction. Use it to
	// recognise a notification delivered more than once.
	SysSN string `json:"syssn"`
	// OrigSysSN is, for a refund, the refunded payment's syssn (orig_syssn
	// or origssn).
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// Cancel is cancel: whether and how the transaction was reversed,
	// closed or refunded.
	Cancel CancelStatus `json:"cancel"`
	// RespCode is respcd, "0000" in a notification.
	RespCode string `json:"respcd"`
	// SysTime is sysdtm, when the gateway created the transaction: the
	// time settlement cut-offs go by. Times are read in UTC+8, or in the
	// client's zone through Client.ParseNotification and
	// Client.NotificationHandler; zero when not sent.
	SysTime time.Time `json:"sysdtm"`
	// PayTime is paydtm, when the customer paid (or the refund was made).
	PayTime time.Time `json:"paydtm"`
	// TxTime is txdtm, the order time the merchant sent with the request.
	TxTime time.Time `json:"txdtm"`
	// MerchantID is mchid, sent to agents only (empty otherwise).
	MerchantID string `json:"mchid"`
	// GoodsName is goods_name, as the payment sent it; often empty.
	GoodsName string `json:"goods_name"`
	// GoodsInfo is goods_info, the product description; often empty.
	GoodsInfo string `json:"goods_info"`
	// ExchangeRate is exchange_rate, the applied conversion rate, as sent
	// (text: the API types it String); empty without conversion.
	ExchangeRate string `json:"exchange_rate"`
	// ChannelSN is chnlsn, the payment channel's (the wallet's)
	// transaction number.
	ChannelSN string `json:"chnlsn"`
	// ChannelSN2 is chnlsn2, an additional transaction number; usually
	// empty.
	ChannelSN2 string `json:"chnlsn2"`
	// CashFee is cash_fee, what the customer actually paid (the amount
	// less discounts) in CashFeeType, as sent ("2919", "9.5"): the API types
	// it String and does not state its unit.
	CashFee string `json:"cash_fee"`
	// CashFeeType is cash_fee_type, the currency the customer paid in.
	CashFeeType Currency `json:"cash_fee_type"`
	// CashRefundFee is cash_refund_fee, the amount actually refunded, as
	// sent, in CashRefundFeeType (refund notifications; unit not stated).
	CashRefundFee string `json:"cash_refund_fee"`
	// CashRefundFeeType is cash_refund_fee_type, the currency of
	// CashRefundFee.
	CashRefundFeeType Currency `json:"cash_refund_fee_type"`
	// CardNumber is cardcd, the card or wallet account number as the
	// gateway shows it; often empty.
	CardNumber string `json:"cardcd"`
	// OrderType is order_type, "payment" or "refund", which the current
	// documentation's card payment notification carries; empty otherwise.
	OrderType OrderType `json:"order_type"`
	// CardType is cardtp, as sent (card payment notifications); the
	// documentation does not describe it.
	CardType string `json:"cardtp"`
	// ClientSN is clisn, as sent (card payment notifications); the
	// documentation does not describe it.
	ClientSN string `json:"clisn"`
	// GoodsDetail is goods_detail, as sent (card payment notifications).
	GoodsDetail string `json:"goods_detail"`
	// UserID is userid, as sent (card payment notifications); the
	// documentation does not describe it.
	UserID string `json:"userid"`
	// ErrMsg is errmsg, the gateway's description of the status ("success"),
	// as sent (card payment notifications).
	ErrMsg string `json:"errmsg"`
	// DeviceID is udid, the device ID the payment sent (card payment
	// notifications).
	DeviceID string `json:"udid"`
	// Raw is the notification body, for fields this struct does not have
	// yet. It is a copy of the body as received, except that bare numbers
	// with leading zeros (such as "respcd": 0000) are quoted so that Raw is
	// always valid JSON.
	Raw json.RawMessage
}

// VerifyNotification checks the X-QF-SIGN signature of a notification body
// (API section "Asynchronous Notifications", "Signature Verification"): the
// MD5 of the raw body bytes followed by the client key, in hex. The
// signature may be upper or lower case. body must be exactly the bytes
// received: never decode and re-encode it first. clientKey is used without
// leading and trailing blanks, as NewClient uses it. A mismatch, an empty
// signature, or a key that is empty or blanks only (with which anyone could
// sign a notification), returns an error matching ErrInvalidSignature;
// answer it with a non-200 status so that nothing is acted on.
func VerifyNotification(body []byte, signature, clientKey string) error {
	clientKey = strings.TrimSpace(clientKey)
	if clientKey == "" {
		return fmt.Errorf("%w: the client key is empty or blank", ErrInvalidSignature)
	}
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return fmt.Errorf("%w: no signature (the %s header is missing or empty)", ErrInvalidSignature, notifySignHeader)
	}
	want := notifyDigest(body, clientKey)
	if len(signature) != len(want) {
		return fmt.Errorf("%w: the signature has %d characters, an MD5 signature has %d", ErrInvalidSignature, len(signature), len(want))
	}
	// Upper-case the received signature into a stack buffer (it is not
	// secret; branching on it leaks nothing) and compare in constant time,
	// with no allocation on this path.
	var got [2 * md5.Size]byte
	for i := range got {
		c := signature[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		got[i] = c
	}
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		return fmt.Errorf("%w: the signature does not match the body and the client key", ErrInvalidSignature)
	}
	return nil
}

// SignNotification returns the signature QF Pay puts in the X-QF-SIGN
// header of a notification with this body (API section "Asynchronous
// Notifications", "Signature Verification"): the MD5 of the body bytes
// followed by the client key (without leading and trailing blanks, as
// VerifyNotification uses it), as upper-case hex. Use it to test a
// notification endpoint.
func SignNotification(body []byte, clientKey string) string {
	sum := notifyDigest(body, strings.TrimSpace(clientKey))
	return string(sum[:])
}

// notifyDigest is the upper-case hex MD5 of body followed by clientKey,
// hashed in place: the body is not copied.
func notifyDigest(body []byte, clientKey string) [2 * md5.Size]byte {
	h := md5.New()
	h.Write(body)
	var small [64]byte
	if len(clientKey) <= len(small) {
		h.Write(small[:copy(small[:], clientKey)])
	} else {
		h.Write([]byte(clientKey))
	}
	var sum [md5.Size]byte
	h.Sum(sum[:0])
	var out [2 * md5.Size]byte
	putUpperHex(out[:], sum[:])
	return out
}

// ParseNotification verifies a notification body against its X-QF-SIGN
// signature and the client key (see VerifyNotification), then decodes it
// into a Notification with every field of the API section "Asynchronous
// Notifications", "Response Parameters of Asynchronous Notifications".
// Nothing is decoded before the signature matched. A bad signature returns
// an error matching ErrInvalidSignature; a verified body that is not a JSON
// object, lacks notify_type (and order_type) or a syssn its type carries,
// or has a field the SDK relies on that
// cannot be read (syssn, orig_syssn, out_trade_no, txamt, respcd, a time),
// returns an error matching ErrMalformedResponse. Other fields never fail
// (see Notification). Times are read in UTC+8, the API's default zone; the
// gateway writes them in the zone of the transaction's txzone, so a
// merchant whose Client has another WithLocation uses
// Client.ParseNotification, which reads them in the client's zone with the
// client's key.
func ParseNotification(body []byte, signature, clientKey string) (*Notification, error) {
	return parseNotification(body, signature, clientKey, beijing)
}

// ParseNotification is the package's ParseNotification with the client's
// key, reading the notification's times (sysdtm, paydtm, txdtm) in the
// client's zone (WithLocation, UTC+8 by default), the zone the client's
// payments and refunds were made in and the gateway writes them in. Use it
// to receive notifications in a framework other than net/http; with
// net/http, Client.NotificationHandler does the whole exchange.
func (c *Client) ParseNotification(body []byte, signature string) (*Notification, error) {
	return parseNotification(body, signature, c.clientKey(), c.loc)
}

func parseNotification(body []byte, signature, clientKey string, loc *time.Location) (*Notification, error) {
	if err := VerifyNotification(body, signature, clientKey); err != nil {
		return nil, err
	}
	// One pass validates and splits the body; the decoded strings share
	// one copy of it.
	obj, err := wire.ParseObject(body)
	if err != nil {
		return nil, notifyMalformed(fmt.Errorf("not a JSON object: %q", bodySnippet(body)))
	}
	n := &Notification{}
	if err := wire.Decode(obj, n, loc); err != nil {
		return nil, notifyMalformed(err)
	}
	inferNotifyType(n)
	switch {
	case n.Type == "":
		return nil, notifyMalformed(errors.New("no notify_type"))
	case n.SysSN == "" && n.Type.carriesSysSN():
		return nil, notifyMalformed(errors.New("no syssn"))
	}
	// The body as read: the body itself, or with its leading-zero numbers
	// quoted when only that made it JSON, so that Raw is always valid.
	n.Raw = json.RawMessage(obj.Src())
	return n, nil
}

func notifyMalformed(err error) error {
	return fmt.Errorf("%w: notification: %w", ErrMalformedResponse, err)
}

// HandlerOption configures the handler of Client.NotificationHandler.
type HandlerOption func(*notifyHandler)

// WithHandlerLogger logs one line per notification received with l instead
// of the client's logger (WithLogger): its type, syssn, out_trade_no and
// the status answered, at debug level when it was accepted and at warn
// (rejected) or error (fn failed) level otherwise. It never logs the client
// key or the signature. A nil l logs nothing.
func WithHandlerLogger(l *slog.Logger) HandlerOption {
	return func(h *notifyHandler) { h.logger = l }
}

// WithMaxNotificationBytes replaces DefaultMaxNotificationBytes as the
// largest body the handler reads; a larger one is answered 413. n <= 0
// keeps the default.
func WithMaxNotificationBytes(n int64) HandlerOption {
	return func(h *notifyHandler) {
		if n > 0 {
			h.maxBytes = n
		}
	}
}

// NotificationHandler returns the http.Handler of a notification endpoint
// (API section "Asynchronous Notifications"). For each POST it reads the
// body (at most DefaultMaxNotificationBytes, else 413), verifies the
// X-QF-SIGN header against the raw body and clientKey (401 when it does not
// match), decodes the notification (400 when it cannot) and calls fn with
// the request's context. Only when fn returns nil does it answer 200 with
// the body SUCCESS, which stops the gateway's deliveries; when fn returns an
// error it answers 500 and the gateway delivers the notification again
// after 2m, 10m, 10m, 60m, 2h, 6h and 15h, so nothing is lost. Methods
// other than POST get 405.
//
// The same notification can arrive more than once (a retry after a lost
// answer, or a slow fn): fn must be idempotent on SysSN, for instance by
// recording the notification under its SysSN and ignoring a second one.
// fn should record the notification and return quickly, leaving slow work
// to run afterwards; confirm the outcome with Client.Query if in doubt.
//
// Times are read in UTC+8, the API's default zone, and nothing is logged.
// Client.NotificationHandler is the same handler with the client's key,
// zone (WithLocation) and logger, and options; prefer it when the
// backend has a Client. It panics when fn is nil. With a clientKey that is
// empty or blanks only every notification is refused (401), as none can be
// verified.
func NotificationHandler(clientKey string, fn func(context.Context, *Notification) error) http.Handler {
	return newNotifyHandler(func() string { return clientKey }, fn, beijing, nil, nil)
}

// NotificationHandler returns the http.Handler of the notification
// endpoint of the client's merchant (API section "Asynchronous
// Notifications"): the package's NotificationHandler verifying with the
// client's key, reading the notification's times in the client's zone
// (WithLocation, the zone its payments and refunds are made in) and
// logging with the client's logger (WithLogger). Options replace the
// logger (WithHandlerLogger) or the body limit (WithMaxNotificationBytes).
// It panics when fn is nil.
func (c *Client) NotificationHandler(fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
	return newNotifyHandler(c.clientKey, fn, c.loc, c.logger, opts)
}

func newNotifyHandler(key func() string, fn func(context.Context, *Notification) error, loc *time.Location, logger *slog.Logger, opts []HandlerOption) http.Handler {
	if fn == nil {
		panic("qfpay: NotificationHandler needs a non-nil fn")
	}
	h := &notifyHandler{clientKey: key, fn: fn, maxBytes: DefaultMaxNotificationBytes, loc: loc, logger: logger}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	return h
}

type notifyHandler struct {
	// clientKey is held by a function, as in Client, so that a handler
	// printed with fmt shows a code address, never the key.
	clientKey func() string
	fn        func(context.Context, *Notification) error
	maxBytes  int64
	logger    *slog.Logger
	loc       *time.Location
}

func (h *notifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(ctx, w, http.StatusMethodNotAllowed, nil, fmt.Errorf("method %s, want POST", r.Method))
		return
	}
	if r.ContentLength > h.maxBytes {
		h.fail(ctx, w, http.StatusRequestEntityTooLarge, nil, fmt.Errorf("body of %d bytes, the limit is %d", r.ContentLength, h.maxBytes))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.fail(ctx, w, http.StatusRequestEntityTooLarge, nil, fmt.Errorf("body larger than %d bytes", h.maxBytes))
			return
		}
		h.fail(ctx, w, http.StatusBadRequest, nil, fmt.Errorf("reading the body: %w", err))
		return
	}
	n, err := parseNotification(body, r.Header.Get(notifySignHeader), h.clientKey(), h.loc)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrInvalidSignature) {
			status = http.StatusUnauthorized
		}
		h.fail(ctx, w, status, nil, err)
		return
	}
	if err := h.fn(ctx, n); err != nil {
		h.fail(ctx, w, http.StatusInternalServerError, n, fmt.Errorf("the notification handler failed: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", "7")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "SUCCESS")
	h.log(ctx, http.StatusOK, n, nil)
}

// fail answers status with its standard text (never the error, which stays
// in the log) so that the gateway delivers the notification again.
func (h *notifyHandler) fail(ctx context.Context, w http.ResponseWriter, status int, n *Notification, err error) {
	http.Error(w, http.StatusText(status), status)
	h.log(ctx, status, n, err)
}

func (h *notifyHandler) log(ctx context.Context, status int, n *Notification, err error) {
	if h.logger == nil {
		return
	}
	level := slog.LevelDebug
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.Int("status", status))
	if n != nil {
		attrs = append(attrs,
			slog.String("notify_type", string(n.Type)),
			slog.String("syssn", n.SysSN),
			slog.String("out_trade_no", n.OutTradeNo))
	}
	if err != nil {
		level = slog.LevelWarn
		if status >= http.StatusInternalServerError {
			level = slog.LevelError
		}
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.logger.LogAttrs(ctx, level, "qfpay notification", attrs...)
}
