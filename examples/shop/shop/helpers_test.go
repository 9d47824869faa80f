package shop_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/shop/shop"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const (
	appCode   = "SHOP0TEST0APP"
	clientKey = "SHOP0TEST0CLIENT0KEY0NEVER0PRINTED"
)

// env is a shop on a fresh database, its HTTP API (notification endpoint
// included) and the qfpaytest gateway it pays through.
type env struct {
	t      *testing.T
	srv    *qfpaytest.Server
	client *qfpay.Client
	db     *sql.DB
	shop   *shop.Shop
	api    *httptest.Server
	logs   *logBuffer
}

type envConfig struct {
	server []qfpaytest.Option
	client []qfpay.Option
	shop   func(*shop.Config)
}

// newEnv starts a gateway and a shop whose notification URL is registered
// with it. The shop's clock is the gateway's, so that advancing the gateway
// (QR codes expiring) advances the shop too.
func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, logs: &logBuffer{}}
	opts := append([]qfpaytest.Option{qfpaytest.WithNotifySchedule(5*time.Millisecond, 10*time.Millisecond, 20*time.Millisecond,
		50*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond, 400*time.Millisecond)}, cfg.server...)
	e.srv = qfpaytest.NewServer(appCode, clientKey, opts...)
	t.Cleanup(e.srv.Close)

	copts := append([]qfpay.Option{
		qfpay.WithBaseURL(e.srv.URL),
		qfpay.WithPollInterval(2*time.Millisecond, 20*time.Millisecond),
		qfpay.WithRetry(qfpay.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}),
		qfpay.WithTimeout(2 * time.Second),
	}, cfg.client...)
	client, err := qfpay.NewClient(appCode, clientKey, copts...)
	if err != nil {
		t.Fatal(err)
	}
	e.client = client

	ctx := context.Background()
	db, err := shop.OpenDB(ctx, filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	scfg := shop.Config{
		Client:        client,
		DB:            db,
		Logger:        slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           e.srv.Now,
		SettleWait:    500 * time.Millisecond,
		SettleTimeout: 300 * time.Millisecond,
		StaleAfter:    time.Minute,
	}
	if cfg.shop != nil {
		cfg.shop(&scfg)
	}
	s, err := shop.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	e.shop = s
	e.api = httptest.NewServer(s.Routes())
	t.Cleanup(e.api.Close)
	e.srv.SetNotifyURL(e.api.URL + shop.NotifyPath)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("shop log:\n%s", e.logs)
		}
	})
	return e
}

// order creates an order of amount HKD cents.
func (e *env) order(amount int64) *shop.Order {
	e.t.Helper()
	o, err := e.shop.CreateOrder(context.Background(), amount, qfpay.CurrencyHKD, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// get reads an order.
func (e *env) get(id string) *shop.Order {
	e.t.Helper()
	o, err := e.shop.Order(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// settleAll runs the settle worker with no faults left until nothing is
// unsettled.
func (e *env) settleAll() {
	e.t.Helper()
	e.srv.ClearFaults()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		left, err := e.shop.Settle(ctx)
		if err != nil {
			e.t.Fatalf("settle: %v", err)
		}
		if left.Total() == 0 {
			return
		}
		if ctx.Err() != nil {
			e.t.Fatalf("still unsettled after 30s: %+v", left)
		}
	}
}

// waitNotified waits until every notification the gateway made is done and
// fails the test unless all were acknowledged.
func (e *env) waitNotified() []qfpaytest.Delivery {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		ds := e.srv.Deliveries()
		done := 0
		for _, d := range ds {
			if d.Done {
				done++
			}
		}
		if done == len(ds) {
			for _, d := range ds {
				if !d.Delivered {
					e.t.Errorf("notification %s %s not acknowledged: %+v", d.Type, d.OutTradeNo, d.Attempts)
				}
			}
			return ds
		}
		if _, err := e.srv.WaitDeliveries(ctx, done+1); err != nil {
			e.t.Fatalf("notifications still in flight: %v", err)
		}
	}
}

// ledger is what the gateway holds for one order: its payments and
// refunds, by the order's numbers.
type ledger struct {
	payments, refunds []qfpaytest.Transaction
}

func (e *env) ledger(orderID string) ledger {
	var l ledger
	for _, tx := range e.srv.Transactions() {
		if !strings.HasPrefix(tx.OutTradeNo, orderID+"-") {
			continue
		}
		if tx.OrderType == qfpay.OrderTypeRefund {
			l.refunds = append(l.refunds, tx)
		} else {
			l.payments = append(l.payments, tx)
		}
	}
	return l
}

// paid is the ledger's captured payments.
func (l ledger) paid() []qfpaytest.Transaction {
	var out []qfpaytest.Transaction
	for _, p := range l.payments {
		if p.RespCode == qfpay.CodeSuccess {
			out = append(out, p)
		}
	}
	return out
}

// logBuffer collects the shop's log for assertions, safe for concurrent
// writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// postNotification posts a notification body signed with key and returns
// the HTTP status.
func postNotification(t *testing.T, url string, body []byte, key string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-QF-SIGN", qfpay.SignNotification(body, key))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
