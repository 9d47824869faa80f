package qfpaytest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// notifyTimeout bounds one notification attempt.
const notifyTimeout = 10 * time.Second

// Delivery is one notification (a successful payment or refund, a card
// token, a subscription's change or charge) and its attempts so far.
type Delivery struct {
	// ID is the delivery's index in Server.Deliveries (0-based, oldest
	// first), the id of Server.Redeliver.
	ID int `json:"id"`
	// Type is notify_type: "payment", "refund", or another
	// qfpay.NotifyType.
	Type string `json:"type"`
	// SysSN is the notified transaction's syssn: a subscription
	// charge's, empty for a declined one and for the token and
	// subscription notifications.
	SysSN string `json:"syssn"`
	// OutTradeNo is the notified transaction's out_trade_no: the
	// payment's, or the refund's own; empty for the recurring
	// notifications.
	OutTradeNo string `json:"out_trade_no"`
	// URL is where it is sent.
	URL string `json:"url"`
	// Body is the JSON body, written as Python's json.dumps writes it
	// (BuildNotification); a JSON string in the delivery's JSON.
	Body []byte `json:"body"`
	// Signature is Body's X-QF-SIGN: the upper-case hex MD5 of Body
	// followed by the client key (qfpay.SignNotification).
	Signature string `json:"signature"`
	// Attempts are the attempts made so far, oldest first.
	Attempts []DeliveryAttempt `json:"attempts"`
	// Delivered reports an attempt answered 200 with body SUCCESS.
	Delivered bool `json:"delivered"`
	// Done reports that no attempt is left to make: delivered, or every
	// attempt of the schedule failed.
	Done bool `json:"done"`
}

// DeliveryAttempt is one POST of a notification.
type DeliveryAttempt struct {
	// At is when it was sent (wall clock, not the server's clock).
	At time.Time `json:"at"`
	// URL is where it was sent: the delivery's URL, or the one given to
	// Server.Redeliver.
	URL string `json:"url"`
	// StatusCode is the HTTP status answered (0 when none came).
	StatusCode int `json:"status_code"`
	// Response is the start of the answer's body.
	Response string `json:"response"`
	// Err is the transport error, if any.
	Err string `json:"error,omitempty"`
}

func (d *Delivery) clone() Delivery {
	c := *d
	c.Body = bytes.Clone(d.Body)
	c.Attempts = append([]DeliveryAttempt(nil), d.Attempts...)
	return c
}

// Deliveries returns every notification made so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveriesLocked()
}

func (s *Server) deliveriesLocked() []Delivery {
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = d.clone()
	}
	return out
}

// WaitDeliveries waits until at least n notifications are Done (delivered
// or out of attempts) and returns every notification made so far. It fails
// when ctx ends or the server is closed first, still returning them.
func (s *Server) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		done := 0
		for _, d := range s.deliveries {
			if d.Done {
				done++
			}
		}
		changed := s.changed
		all := s.deliveriesLocked()
		s.mu.Unlock()
		if done >= n {
			return all, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return all, ctx.Err()
		case <-s.ctx.Done():
			return all, errClosed
		}
	}
}

// signalLocked wakes WaitDeliveries.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// notifyLocked sends the notification of a successful payment or refund
// when a notify URL is set.
func (s *Server) notifyLocked(t *txn, notifyType string) {
	s.deliverLocked(s.notifyTarget(t), notifyType, t.syssn, t.outTradeNo, s.notificationBody(t, notifyType))
}

// deliverLocked signs body and sends it to target (nowhere when target is
// empty), retrying on the schedule.
func (s *Server) deliverLocked(target, notifyType, sysSN, outTradeNo string, body []byte) {
	if target == "" || s.closed {
		return
	}
	sum := md5.Sum(append(bytes.Clone(body), s.clientKey...))
	d := &Delivery{
		ID: len(s.deliveries), Type: notifyType, SysSN: sysSN, OutTradeNo: outTradeNo, URL: target,
		Body: body, Signature: strings.ToUpper(hex.EncodeToString(sum[:])),
	}
	s.deliveries = append(s.deliveries, d)
	s.signalLocked()
	s.wg.Add(1)
	go s.deliver(d, d.clone())
}

// notifyTarget is where t's notification goes: the notify_url of its
// order (a payment's own, the refunded payment's for a refund), else the
// server's URL (WithNotifyURL, SetNotifyURL). QF Pay does not document
// whether a per-order notify_url replaces the registered URL or is used
// besides it; the server takes the first reading, so a test sees each
// notification once.
func (s *Server) notifyTarget(t *txn) string {
	if t.notifyURL != "" {
		return t.notifyURL
	}
	return s.notifyURL
}

// deliver makes the attempts of d (whose fixed fields are in snap) on the
// schedule until one is acknowledged, the schedule ends or the server is
// closed.
func (s *Server) deliver(d *Delivery, snap Delivery) {
	defer s.wg.Done()
	for i := 0; ; i++ {
		a := s.attempt(snap)
		ok := acknowledged(a)
		s.mu.Lock()
		d.Attempts = append(d.Attempts, a)
		// A redelivery (Server.Redeliver) may have been acknowledged.
		d.Delivered = d.Delivered || ok
		d.Done = d.Delivered || i >= len(s.cfg.schedule)
		done := d.Done
		s.signalLocked()
		s.mu.Unlock()
		if s.cfg.logger != nil {
			s.cfg.logger.LogAttrs(context.Background(), slog.LevelInfo, "notification",
				slog.String("notify_type", snap.Type), slog.String("syssn", snap.SysSN),
				slog.Int("attempt", i+1), slog.Int("status", a.StatusCode), slog.Bool("delivered", ok),
				slog.String("error", a.Err))
		}
		if done {
			return
		}
		timer := time.NewTimer(s.cfg.schedule[i])
		select {
		case <-timer.C:
		case <-s.ctx.Done():
			timer.Stop()
			return
		}
		s.mu.Lock()
		done = d.Done // acknowledged by a redelivery meanwhile
		s.mu.Unlock()
		if done {
			return
		}
	}
}

func (s *Server) attempt(d Delivery) DeliveryAttempt {
	a := DeliveryAttempt{At: time.Now(), URL: d.URL}
	ctx, cancel := context.WithTimeout(s.ctx, notifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-QF-SIGN", d.Signature)
	req.Header.Set("User-Agent", "qfpaytest-notify")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	a.StatusCode = resp.StatusCode
	a.Response = string(body)
	return a
}

// pyJSON writes the object of the name, value pairs kv as Python's
// json.dumps does by default: ", " and ": " separators, non-ASCII and
// control characters as \uXXXX escapes (surrogate pairs above U+FFFF).
// Invalid UTF-8 is written as U+FFFD.
func pyJSON(kv []string) []byte {
	b := []byte{'{'}
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendPyString(b, kv[i])
		b = append(b, ": "...)
		b = appendPyString(b, kv[i+1])
	}
	return append(b, '}')
}

// pyEscapes are the characters json.dumps writes with a short escape.
var pyEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\b': `\b`, '\f': `\f`}

func appendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch esc, short := pyEscapes[r]; {
		case short:
			b = append(b, esc...)
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		case r > 0xffff:
			r -= 0x10000
			b = fmt.Appendf(b, `\u%04x\u%04x`, 0xd800|r>>10, 0xdc00|r&0x3ff)
		default:
			b = fmt.Appendf(b, `\u%04x`, r)
		}
	}
	return append(b, '"')
}
