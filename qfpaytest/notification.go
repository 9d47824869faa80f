package qfpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// NotificationFields are the values of a payment or refund notification,
// as BuildNotification writes them (API section "Asynchronous
// Notifications", "Response Parameters of Asynchronous Notifications").
// Empty fields are written as empty strings, as the gateway does.
type NotificationFields struct {
	// Type is notify_type; empty means qfpay.NotifyPayment.
	Type qfpay.NotifyType
	// PayType is pay_type; a refund has its payment's.
	PayType qfpay.PayType
	// SysSN is syssn, the transaction's number.
	SysSN string
	// OrigSysSN is orig_syssn, the refunded payment's syssn; written only
	// when not empty (refunds).
	OrigSysSN string
	// OutTradeNo is out_trade_no, the merchant's number of the payment or
	// refund.
	OutTradeNo string
	// Amount is txamt (and cash_fee), in minor units of Currency.
	Amount int64
	// Currency is txcurrcd.
	Currency qfpay.Currency
	// GoodsName and GoodsInfo are goods_name and goods_info, as the
	// payment sent them.
	GoodsName, GoodsInfo string
	// MerchantID is mchid, written only when not empty (agents).
	MerchantID string
	// TxTime is txdtm, the order time the merchant sent, as sent.
	TxTime string
	// SysTime and PayTime are sysdtm and paydtm, written in Zone as
	// "2006-01-02 15:04:05"; a zero time is written as "".
	SysTime, PayTime time.Time
	// Zone is the zone the times are written in: the transaction's txzone;
	// nil means UTC+8, the API's default.
	Zone *time.Location
	// RespCode is respcd; empty means "0000".
	RespCode string
	// Cancel is cancel, the transaction's cancel status.
	Cancel qfpay.CancelStatus
	// ChannelSN is chnlsn, the wallet's transaction number.
	ChannelSN string
}

// BuildNotification writes the body of the notification of f exactly as
// the gateway (and the Server) does: a JSON object in the order of the
// documentation's sample, every value a string, written as Python's
// json.dumps writes it (", " and ": " separators, non-ASCII characters as
// \uXXXX escapes). Sign it with qfpay.SignNotification to post it to a
// notification handler as QF Pay would.
func BuildNotification(f NotificationFields) []byte {
	loc := f.Zone
	if loc == nil {
		loc = beijing
	}
	notifyType := f.Type
	if notifyType == "" {
		notifyType = qfpay.NotifyPayment
	}
	respcd := f.RespCode
	if respcd == "" {
		respcd = codeOK
	}
	kv := make([]string, 0, 46)
	kv = append(kv,
		"status", "1",
		"pay_type", string(f.PayType),
		"sysdtm", times(f.SysTime, loc),
		"paydtm", times(f.PayTime, loc),
		"goods_name", f.GoodsName,
		"txcurrcd", string(f.Currency),
		"txdtm", f.TxTime,
	)
	if f.MerchantID != "" {
		kv = append(kv, "mchid", f.MerchantID)
	}
	kv = append(kv,
		"txamt", itoa(f.Amount),
		"exchange_rate", "",
		"chnlsn2", "",
		"out_trade_no", f.OutTradeNo,
		"syssn", f.SysSN,
		"cash_fee_type", "",
		"cancel", itoa(int64(f.Cancel)),
		"respcd", respcd,
		"goods_info", f.GoodsInfo,
		"cash_fee", itoa(f.Amount),
		"notify_type", string(notifyType),
		"chnlsn", f.ChannelSN,
		"cardcd", "",
	)
	if f.OrigSysSN != "" {
		kv = append(kv, "orig_syssn", f.OrigSysSN)
	}
	return pyJSON(kv)
}

// notificationBody writes the notification of t, as BuildNotification
// does, with the server's mchid.
func (s *Server) notificationBody(t *txn, notifyType string) []byte {
	return BuildNotification(NotificationFields{
		Type: qfpay.NotifyType(notifyType), PayType: t.payType, SysSN: t.syssn, OrigSysSN: t.origSysSN,
		OutTradeNo: t.outTradeNo, Amount: t.amount, Currency: qfpay.Currency(t.currency),
		GoodsName: t.goodsName, GoodsInfo: t.goodsInfo, MerchantID: s.cfg.mchid, TxTime: t.txdtm,
		SysTime: t.sysTime, PayTime: t.payTime, Zone: t.loc, RespCode: t.respcd, Cancel: t.cancel,
		ChannelSN: t.chnlsn,
	})
}

// deliveryAlias is Delivery without its methods, for MarshalJSON and
// UnmarshalJSON.
type deliveryAlias Delivery

// MarshalJSON writes the delivery as the admin API answers it (WithAdmin),
// with the names of its json tags and its Body as a JSON string, the
// notification's own text (ASCII), rather than base64.
func (d Delivery) MarshalJSON() ([]byte, error) {
	if d.Attempts == nil {
		d.Attempts = []DeliveryAttempt{}
	}
	return json.Marshal(struct {
		deliveryAlias
		Body string `json:"body"`
	}{deliveryAlias(d), string(d.Body)})
}

// UnmarshalJSON reads a delivery as MarshalJSON writes it, such as an
// answer of the admin API.
func (d *Delivery) UnmarshalJSON(b []byte) error {
	aux := struct {
		*deliveryAlias
		Body string `json:"body"`
	}{deliveryAlias: (*deliveryAlias)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.Body = []byte(aux.Body)
	return nil
}

// notFoundError is an unknown delivery: it matches ErrNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// Redeliver posts the notification of delivery id (its index in
// Deliveries, 0-based, oldest first) once more, now, with the same body
// and X-QF-SIGN, to the URL to (its own URL when to is ""), as QF Pay's
// merchant portal re-sends a notification. The attempt is appended to
// the delivery's Attempts; an acknowledged one (200, body SUCCESS) marks
// it Delivered and Done, which ends the retries of its schedule. It
// returns the updated Delivery; an unknown id fails with an error
// matching ErrNotFound, a to that is not an absolute http(s) URL with an
// error before anything is sent. The POST is made whatever the answer,
// so a failed attempt is recorded, not returned as an error.
func (s *Server) Redeliver(id int, to string) (Delivery, error) {
	if to != "" {
		u, err := url.Parse(to)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Delivery{}, fmt.Errorf("qfpaytest: redelivery URL %q: want an absolute http(s) URL", to)
		}
	}
	s.mu.Lock()
	if id < 0 || id >= len(s.deliveries) {
		n := len(s.deliveries)
		s.mu.Unlock()
		return Delivery{}, &notFoundError{fmt.Sprintf("qfpaytest: no delivery %d (%d made so far)", id, n)}
	}
	d := s.deliveries[id]
	snap := d.clone()
	s.mu.Unlock()
	if to != "" {
		snap.URL = to
	}
	a := s.attempt(snap)
	ok := acknowledged(a)
	s.mu.Lock()
	d.Attempts = append(d.Attempts, a)
	if ok {
		d.Delivered, d.Done = true, true
	}
	s.signalLocked()
	out := d.clone()
	s.mu.Unlock()
	if s.cfg.logger != nil {
		s.cfg.logger.LogAttrs(context.Background(), slog.LevelInfo, "notification redelivered",
			slog.Int("id", id), slog.String("notify_type", snap.Type), slog.String("syssn", snap.SysSN),
			slog.String("url", snap.URL), slog.Int("status", a.StatusCode), slog.Bool("delivered", ok),
			slog.String("error", a.Err))
	}
	return out, nil
}

// acknowledged reports whether an attempt was answered 200 SUCCESS.
func acknowledged(a DeliveryAttempt) bool {
	return a.StatusCode == http.StatusOK && strings.TrimSpace(a.Response) == "SUCCESS"
}
