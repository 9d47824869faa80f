package shop_test

import (
	"context"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/shop/shop"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const (
	paymentPath = "/trade/v1/payment"
	refundPath  = "/trade/v1/refund"
	queryPath   = "/trade/v1/query"
)

// afterProcessing returns f hitting the answer after the request was
// processed: the money moved, the answer is lost.
func afterProcessing(f qfpaytest.Fault) qfpaytest.Fault {
	f.AfterProcessing = true
	return f
}

// once returns f hitting only the next request.
func once(f qfpaytest.Fault) qfpaytest.Fault {
	f.Count = 1
	return f
}

// TestPaymentFaults pays an order while qfpaytest breaks the payment's
// answer or the queries that settle it, one fault class at a time, then
// runs the settle worker with the faults cleared. Whatever the fault, the
// order ends paid exactly once (or failed with nothing captured), every
// notification is acknowledged and nothing is left unsettled.
func TestPaymentFaults(t *testing.T) {
	// A payment whose answer is lost after processing, to make the shop
	// settle through the faulty queries.
	lost := func(s *qfpaytest.Server) {
		s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Drop: true})))
	}
	cases := []struct {
		name     string
		inject   func(*qfpaytest.Server)
		server   []qfpaytest.Option
		client   []qfpay.Option
		authCode string     // default AuthCodeSuccess
		state    shop.State // once settled
		sends    int        // sends of the number; 0: not checked (timing decides)
	}{
		// The payment's answer broken after the payment was made: settled
		// by the query, never sent again.
		{name: "connection dropped after processing", inject: lost, state: shop.StatePaid, sends: 1},
		{name: "5xx after processing", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Status: 502})))
		}},
		{name: "truncated body after processing", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Truncate: true})))
		}},
		{name: "connection cut mid-body after processing", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Truncate: true, Drop: true})))
		}},
		{name: "garbled body after processing", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Garble: true})))
		}},
		{name: "403 page after processing", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.ErrorPage(403))))
		}},
		{name: "timeout after processing", client: []qfpay.Option{qfpay.WithTimeout(500 * time.Millisecond)},
			state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
				s.InjectFault(paymentPath, once(afterProcessing(qfpaytest.Fault{Latency: 5 * time.Second})))
			}},

		// The payment's answer broken before it reached QF Pay: never
		// listed, so the settle worker sends the same request again.
		{name: "connection dropped before processing", state: shop.StatePaid, sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Drop: true}))
		}},
		{name: "5xx before processing", state: shop.StatePaid, sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Status: 503}))
		}},
		{name: "429", state: shop.StatePaid, sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Status: 429}))
		}},
		{name: "403 page before processing", state: shop.StatePaid, sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.ErrorPage(403)))
		}},
		{name: "truncated refusal", state: shop.StatePaid, sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Truncate: true}))
		}},
		// The request reached QF Pay and is processed after the client gave
		// up: the settlement or a re-send (answered 2011) finds it.
		{name: "processed late", client: []qfpay.Option{qfpay.WithTimeout(200 * time.Millisecond)},
			state: shop.StatePaid, inject: func(s *qfpaytest.Server) {
				s.InjectFault(paymentPath, once(qfpaytest.Fault{Late: 500 * time.Millisecond}))
			}},
		{name: "dropped, processed late", state: shop.StatePaid, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Late: 300 * time.Millisecond, Drop: true}))
		}},
		// A refusal of the first send is a decline: nothing was charged.
		{name: "refused 1100 on the first send", state: shop.StateFailed, sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(paymentPath, once(qfpaytest.Fault{Refuse: true}))
		}},

		// The queries that settle a lost answer fail in every way; none
		// ends the wait as a failure.
		{name: "query refused 1100", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			s.InjectFault(queryPath, qfpaytest.Fault{Refuse: true, Count: 5})
		}},
		{name: "query 403 page", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			f := qfpaytest.ErrorPage(403)
			f.Count = 5
			s.InjectFault(queryPath, f)
		}},
		{name: "query 502 page", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			f := qfpaytest.ErrorPage(502)
			f.Count = 5
			s.InjectFault(queryPath, f)
		}},
		{name: "query garbled", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			s.InjectFault(queryPath, qfpaytest.Fault{Garble: true, Count: 5})
		}},
		{name: "query truncated", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			s.InjectFault(queryPath, qfpaytest.Fault{Truncate: true, Count: 5})
		}},
		{name: "query 429 with Retry-After", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			s.InjectFault(queryPath, qfpaytest.Fault{Status: 429, RetryAfter: time.Second, Count: 1})
		}},
		{name: "query timed out", client: []qfpay.Option{qfpay.WithTimeout(200 * time.Millisecond)},
			state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
				lost(s)
				s.InjectFault(queryPath, qfpaytest.Fault{Latency: time.Second, Count: 2})
			}},
		{name: "every query fails until the faults clear", state: shop.StatePaid, sends: 1, inject: func(s *qfpaytest.Server) {
			lost(s)
			s.InjectFault(queryPath, qfpaytest.Fault{Refuse: true})
		}},

		// Pending payments that settle by QF Pay's clock, queried or not.
		{name: "pending settles later", authCode: qfpaytest.AuthCodePending, state: shop.StatePaid, sends: 1,
			server: []qfpaytest.Option{qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)}},
		{name: "pending settles while the queries fail", authCode: qfpaytest.AuthCodePending, state: shop.StatePaid, sends: 1,
			server: []qfpaytest.Option{qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)},
			inject: func(s *qfpaytest.Server) { s.InjectFault(queryPath, qfpaytest.Fault{Garble: true}) }},
		{name: "pending fails later", authCode: qfpaytest.AuthCodePendingThenFail, state: shop.StateFailed, sends: 1,
			server: []qfpaytest.Option{qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)}},
		{name: "pending with the answer lost", authCode: qfpaytest.AuthCodePending, state: shop.StatePaid, sends: 1, inject: lost,
			server: []qfpaytest.Option{qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{server: c.server, client: c.client})
			if c.inject != nil {
				c.inject(e.srv)
			}
			authCode := c.authCode
			if authCode == "" {
				authCode = qfpaytest.AuthCodeSuccess
			}
			o := e.order(1500)
			first, err := e.shop.Pay(context.Background(), o.ID, shop.PayInput{PayType: qfpay.PayTypeWeChatCPM, AuthCode: authCode})
			if err != nil {
				t.Fatalf("Pay: %v", err)
			}
			t.Logf("after Pay: %s", first.State)
			e.settleAll()
			e.waitNotified()

			got := e.get(o.ID)
			l := e.ledger(o.ID)
			captured := l.paid()
			if got.State != c.state || len(got.Attempts) != 1 {
				t.Fatalf("order %s with %d attempts, want %s with 1", got.State, len(got.Attempts), c.state)
			}
			a := got.Attempts[0]
			if c.sends != 0 && a.Sends != c.sends {
				t.Errorf("%d sends, want %d", a.Sends, c.sends)
			}
			switch c.state {
			case shop.StatePaid:
				if len(captured) != 1 || captured[0].SysSN != got.SysSN || captured[0].OutTradeNo != a.OutTradeNo {
					t.Errorf("captured %+v, want exactly %s (%s)", captured, got.SysSN, a.OutTradeNo)
				}
			case shop.StateFailed:
				if len(captured) != 0 {
					t.Errorf("failed order captured %+v", captured)
				}
			}
			if left, err := e.shop.Unsettled(context.Background()); err != nil || left.Total() != 0 {
				t.Errorf("unsettled %+v (%v)", left, err)
			}
		})
	}
}

// TestRefundFaults refunds a paid order while qfpaytest breaks the refund's
// answer or the queries; the refund ends succeeded exactly once.
func TestRefundFaults(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*qfpaytest.Server)
		server []qfpaytest.Option
		client []qfpay.Option
		sends  int
	}{
		{name: "connection dropped after processing", sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(afterProcessing(qfpaytest.Fault{Drop: true})))
		}},
		{name: "garbled body after processing", sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(afterProcessing(qfpaytest.Fault{Garble: true})))
		}},
		{name: "truncated body after processing", sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(afterProcessing(qfpaytest.Fault{Truncate: true})))
		}},
		{name: "502 page after processing, queries refused", sends: 1, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(afterProcessing(qfpaytest.ErrorPage(502))))
			s.InjectFault(queryPath, qfpaytest.Fault{Refuse: true, Count: 5})
		}},
		{name: "5xx before processing", sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(qfpaytest.Fault{Status: 500}))
		}},
		{name: "429", sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(qfpaytest.Fault{Status: 429}))
		}},
		{name: "403 page before processing", sends: 2, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(qfpaytest.ErrorPage(403)))
		}},
		{name: "processed late", client: []qfpay.Option{qfpay.WithTimeout(200 * time.Millisecond)}, inject: func(s *qfpaytest.Server) {
			s.InjectFault(refundPath, once(qfpaytest.Fault{Late: 500 * time.Millisecond}))
		}},
		{name: "pending, settles later", sends: 1,
			server: []qfpaytest.Option{qfpaytest.WithPendingRefunds(), qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)}},
		{name: "pending, queries garbled", sends: 1,
			server: []qfpaytest.Option{qfpaytest.WithPendingRefunds(), qfpaytest.WithPendingQueries(1 << 20), qfpaytest.WithPendingFor(300 * time.Millisecond)},
			inject: func(s *qfpaytest.Server) { s.InjectFault(queryPath, qfpaytest.Fault{Garble: true, Count: 10}) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{server: c.server, client: c.client})
			ctx := context.Background()
			o := e.order(1500)
			if got, err := e.shop.Pay(ctx, o.ID, shop.PayInput{PayType: qfpay.PayTypeAlipayCPM, AuthCode: qfpaytest.AuthCodeSuccess}); err != nil || got.State != shop.StatePaid {
				t.Fatalf("Pay: %v, %+v", err, got)
			}
			if c.inject != nil {
				c.inject(e.srv)
			}
			r, err := e.shop.Refund(ctx, o.ID, 600)
			if err != nil {
				t.Fatalf("Refund: %v", err)
			}
			t.Logf("after Refund: %s", r.State)
			// While a refund's outcome is unknown its amount stays reserved.
			if r.State == shop.RefundUnknown {
				if _, err := e.shop.Refund(ctx, o.ID, 901); err == nil {
					t.Errorf("a refund of more than what is left beside an unknown one was sent")
				}
			}
			e.settleAll()
			e.waitNotified()
			got := e.get(o.ID)
			l := e.ledger(o.ID)
			if len(got.Refunds) != 1 || got.Refunds[0].State != shop.RefundSucceeded || got.Refunded != 600 {
				t.Fatalf("refunds %+v, refunded %d: want one succeeded, 600", got.Refunds, got.Refunded)
			}
			if c.sends != 0 && got.Refunds[0].Sends != c.sends {
				t.Errorf("%d sends, want %d", got.Refunds[0].Sends, c.sends)
			}
			if len(l.refunds) != 1 || l.refunds[0].RespCode != "0000" || l.refunds[0].SysSN != got.Refunds[0].SysSN || l.payments[0].Refunded != 600 {
				t.Errorf("the gateway holds refunds %+v (payment refunded %d), want one of 600 = %s", l.refunds, l.payments[0].Refunded, got.Refunds[0].SysSN)
			}
		})
	}
}
