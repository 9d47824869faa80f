package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/qfpay-go/qfpay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handler is a merchant's notification endpoint (qfpay.NotificationHandler
// with a key) that records what it receives.
type handler struct {
	mu       sync.Mutex
	got      []*qfpay.Notification
	bodies   [][]byte
	headers  []http.Header
	requests int
	fail     bool
	srv      *httptest.Server
}

func newHandler(t *testing.T, key string) *handler {
	h := &handler{}
	notify := qfpay.NotificationHandler(key, func(_ context.Context, n *qfpay.Notification) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.fail {
			return errors.New("the database is down")
		}
		h.got = append(h.got, n)
		return nil
	})
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.requests++
		h.bodies = append(h.bodies, body)
		h.headers = append(h.headers, r.Header.Clone())
		h.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		notify.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *handler) received() ([]*qfpay.Notification, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*qfpay.Notification(nil), h.got...), h.requests
}

func TestNotifySend(t *testing.T) {
	s := newSandbox(t)
	h := newHandler(t, testKey)
	url := h.srv.URL + "/qfpay/notify"

	t.Run("payment", func(t *testing.T) {
		r := s.run(t, "", "notify", "send", "--to", url, "--out-trade-no", "order-8812", "--amount", "12.50", "--goods-name", "Milk tea ☕")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "HTTP 200\nSUCCESS\n", r.stdout)
		got, _ := h.received()
		require.Len(t, got, 1)
		n := got[0]
		assert.Equal(t, qfpay.NotifyPayment, n.Type)
		assert.Equal(t, "order-8812", n.OutTradeNo)
		assert.Equal(t, int64(1250), n.Amount)
		assert.Equal(t, qfpay.CurrencyHKD, n.Currency)
		assert.Equal(t, qfpay.PayTypeWeChatMPM, n.PayType)
		assert.Equal(t, "Milk tea ☕", n.GoodsName)
		assert.Regexp(t, `^\d{26}$`, n.SysSN)
		assert.False(t, n.PayTime.IsZero())
		h.mu.Lock()
		body, header := h.bodies[0], h.headers[0]
		h.mu.Unlock()
		assert.Equal(t, "application/json", header.Get("Content-Type"))
		assert.Equal(t, qfpay.SignNotification(body, testKey), header.Get("X-QF-SIGN"))
		assert.Contains(t, string(body), `"goods_name": "Milk tea \u2615"`, "written as json.dumps writes it")
	})
	t.Run("refund, verbose", func(t *testing.T) {
		r := s.run(t, "", "notify", "send", "--to", url, "--type", "refund", "--out-trade-no", "order-8812-r1",
			"--orig-syssn", "20261130000200020000000042", "--syssn", "20261130000200020000000043", "--amount", "2.5",
			"--pay-type", "800101", "-v")
		require.Equal(t, exitOK, r.code, r.stderr)
		got, _ := h.received()
		n := got[len(got)-1]
		assert.Equal(t, qfpay.NotifyRefund, n.Type)
		assert.Equal(t, "20261130000200020000000043", n.SysSN)
		assert.Equal(t, "20261130000200020000000042", n.OrigSysSN)
		assert.Equal(t, int64(250), n.Amount)
		assert.Contains(t, r.stderr, "POST "+url+"\n")
		assert.Contains(t, r.stderr, `"notify_type": "refund"`)
		assert.Regexp(t, `X-QF-SIGN: [0-9A-F]{32}\n`, r.stderr)
	})
	t.Run("handler fails: not acknowledged", func(t *testing.T) {
		h.mu.Lock()
		h.fail = true
		h.mu.Unlock()
		defer func() { h.mu.Lock(); h.fail = false; h.mu.Unlock() }()
		r := s.run(t, "", "notify", "send", "--to", url, "--out-trade-no", "o", "--amount", "1")
		assert.Equal(t, exitError, r.code)
		assert.Equal(t, "HTTP 500\nInternal Server Error\n", r.stdout)
		assert.Contains(t, r.stderr, "qfpay: the handler did not acknowledge the notification")
	})
	t.Run("signed with another key: refused", func(t *testing.T) {
		other := newHandler(t, "another-key")
		r := s.run(t, "", "notify", "send", "--to", other.srv.URL, "--out-trade-no", "o", "--amount", "1")
		assert.Equal(t, exitError, r.code)
		assert.Equal(t, "HTTP 401\nUnauthorized\n", r.stdout)
	})
	t.Run("nobody listening", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		r := s.run(t, "", "notify", "send", "--to", dead.URL, "--out-trade-no", "o", "--amount", "1")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "qfpay: posting the notification: ")
	})
	t.Run("bad input sends nothing", func(t *testing.T) {
		_, before := h.received()
		for _, tt := range []struct {
			name string
			args []string
			want string
		}{
			{"no --to", []string{"--out-trade-no", "o", "--amount", "1"}, "--to is required"},
			{"--to not http", []string{"--to", "ftp://x", "--out-trade-no", "o", "--amount", "1"}, `--to "ftp://x"`},
			{"bad type", []string{"--to", url, "--type", "refunds", "--out-trade-no", "o", "--amount", "1"}, `--type "refunds"`},
			{"no number", []string{"--to", url, "--amount", "1"}, "--out-trade-no is required"},
			{"no amount", []string{"--to", url, "--out-trade-no", "o"}, "--amount is required"},
			{"bad amount", []string{"--to", url, "--out-trade-no", "o", "--amount", "1.234"}, "more than 2 decimals"},
			{"refund without its payment", []string{"--to", url, "--type", "refund", "--out-trade-no", "o", "--amount", "1"}, "--orig-syssn is required"},
			{"bad pay type", []string{"--to", url, "--out-trade-no", "o", "--amount", "1", "--pay-type", "x"}, `--pay-type "x"`},
			{"bad respcd", []string{"--to", url, "--out-trade-no", "o", "--amount", "1", "--respcd", "ok"}, `--respcd "ok"`},
			{"a live environment", []string{"--to", url, "--out-trade-no", "o", "--amount", "1", "--env", "hk-live"}, "the environment is LIVE (hk-live (https://openapi-hk.qfapi.com)): a notification signed with the live client key"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := s.run(t, "", append([]string{"notify", "send"}, tt.args...)...)
				assert.Equal(t, exitUsage, r.code, r.stderr)
				assert.Contains(t, r.stderr, tt.want)
			})
		}
		_, after := h.received()
		assert.Equal(t, before, after, "a notification was sent")
	})
}
