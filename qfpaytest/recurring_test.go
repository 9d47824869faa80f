package qfpaytest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// recurringEnv is a sandbox with its clock frozen at t0, an SDK client, and
// a merchant endpoint acknowledging every notification.
type recurringEnv struct {
	t      *testing.T
	srv    *qfpaytest.Server
	client *qfpay.Client
}

func newRecurring(t *testing.T, opts ...qfpay.Option) *recurringEnv {
	t.Helper()
	rc := newReceiver(t, reply{200, "SUCCESS"})
	srv := newServer(t, qfpaytest.WithNotifyURL(rc.URL), fast)
	return &recurringEnv{t: t, srv: srv, client: newClient(t, srv, opts...)}
}

// customer creates a customer with a tokenised card and returns both ids.
func (e *recurringEnv) customer(name, card string) (customerID, tokenID string) {
	e.t.Helper()
	c, err := e.client.CreateCustomer(e.t.Context(), &qfpay.CustomerRequest{Name: name, Email: strings.ToLower(name) + "@example.com"})
	require.NoError(e.t, err)
	tk, err := e.srv.TokenizeCard(c.ID, card)
	require.NoError(e.t, err)
	return c.ID, tk
}

// product creates a recurring product billed every month.
func (e *recurringEnv) product(name string, amount int64) string {
	e.t.Helper()
	p, err := e.client.CreateProduct(e.t.Context(), &qfpay.ProductRequest{Name: name, Type: qfpay.ProductRecurring,
		Amount: amount, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 1})
	require.NoError(e.t, err)
	return p.ID
}

// get queries the subscription id.
func (e *recurringEnv) get(id string) qfpay.Subscription {
	e.t.Helper()
	var got []qfpay.Subscription
	for s, err := range e.client.QuerySubscription(e.t.Context(), &qfpay.SubscriptionQuery{ID: id}) {
		require.NoError(e.t, err)
		got = append(got, *s)
	}
	require.Len(e.t, got, 1, "subscription %s", id)
	return got[0]
}

// orders lists the billing orders of id.
func (e *recurringEnv) orders(id string) []qfpay.SubscriptionOrder {
	e.t.Helper()
	var got []qfpay.SubscriptionOrder
	for o, err := range e.client.SubscriptionOrders(e.t.Context(), id) {
		require.NoError(e.t, err)
		got = append(got, *o)
	}
	return got
}

// notified reads the notifications sent so far with the SDK's verified
// parser: the subscription states and the billing outcomes of id, in
// order.
func (e *recurringEnv) notified(id string) (states []qfpay.State, charges []string) {
	e.t.Helper()
	for _, d := range e.srv.Deliveries() {
		n, err := qfpay.ParseNotification(d.Body, d.Signature, clientKey)
		require.NoError(e.t, err)
		switch n.Type {
		case qfpay.NotifySubscription:
			s, err := n.Subscription()
			require.NoError(e.t, err)
			if s.SubscriptionID == id {
				states = append(states, s.State)
			}
		case qfpay.NotifySubscriptionPayment:
			p, err := n.SubscriptionPayment()
			require.NoError(e.t, err)
			if p.SubscriptionID == id {
				charges = append(charges, p.RespCode)
			}
		}
	}
	return states, charges
}

// TestSubscriptionLifecycle runs subscriptions through every state the
// documentation names that a call or the clock can reach (PAUSE and TRIAL
// have no documented call), by the server's clock: Advance bills the
// cycles, TokenDeclined fails them.
func TestSubscriptionLifecycle(t *testing.T) {
	type step struct {
		name      string
		act       func(e *recurringEnv, sub *qfpay.Subscription, good string)
		want      qfpay.State
		completed int
		retries   int
	}
	advance := func(d time.Duration) func(*recurringEnv, *qfpay.Subscription, string) {
		return func(e *recurringEnv, _ *qfpay.Subscription, _ string) { e.srv.Advance(d) }
	}
	setToken := func(tk string) func(*recurringEnv, *qfpay.Subscription, string) {
		return func(e *recurringEnv, sub *qfpay.Subscription, good string) {
			if tk == "" {
				tk = good
			}
			_, err := e.client.UpdateSubscription(e.t.Context(), sub.ID, &qfpay.SubscriptionUpdate{TokenID: tk})
			require.NoError(e.t, err)
		}
	}
	charge := func(wantErr string) func(*recurringEnv, *qfpay.Subscription, string) {
		return func(e *recurringEnv, sub *qfpay.Subscription, _ string) {
			got, err := e.client.ChargeSubscription(e.t.Context(), &qfpay.SubscriptionChargeRequest{SubscriptionID: sub.ID})
			if wantErr == "" {
				require.NoError(e.t, err)
				assert.Equal(e.t, sub.ID, got.SubscriptionID)
				assert.Equal(e.t, int64(2*9900), got.Amount)
				assert.Len(e.t, got.SysSN, 26)
				return
			}
			var apiErr *qfpay.APIError
			require.ErrorAs(e.t, err, &apiErr)
			assert.Equal(e.t, wantErr, apiErr.Code)
			assert.NotErrorIs(e.t, err, qfpay.ErrOutcomeUnknown, "the gateway's refusal is its word")
		}
	}
	cancel := func(rows int) func(*recurringEnv, *qfpay.Subscription, string) {
		return func(e *recurringEnv, sub *qfpay.Subscription, _ string) {
			got, err := e.client.CancelSubscription(e.t.Context(), sub.ID)
			require.NoError(e.t, err)
			assert.Equal(e.t, rows, got.Rows)
		}
	}
	month := 31 * 24 * time.Hour // from t0 (December 25) one calendar month is 31 days
	tests := []struct {
		name   string
		token  string // "" is the customer's good card
		start  time.Duration
		cycles int
		answer qfpay.State
		steps  []step
		states []qfpay.State
	}{
		{
			name: "paid, past due, unpaid, charged again in time, completed", cycles: 4, answer: qfpay.StateActive,
			steps: []step{
				{"created: the first cycle charged at once", func(*recurringEnv, *qfpay.Subscription, string) {}, qfpay.StateActive, 1, 0},
				{"a month later: the second cycle", advance(month), qfpay.StateActive, 2, 0},
				{"the card stops paying; the third cycle fails", func(e *recurringEnv, s *qfpay.Subscription, g string) {
					setToken(qfpaytest.TokenDeclined)(e, s, g)
					e.srv.Advance(31 * 24 * time.Hour)
				}, qfpay.StatePastDue, 2, 0},
				{"the first retry, an hour later, fails", advance(time.Hour), qfpay.StatePastDue, 2, 1},
				{"the last retries fail", advance(2 * time.Hour), qfpay.StateUnpaid, 2, 3},
				{"a manual charge on the same card is declined: nothing changes", charge(qfpaytest.TokenDeclineCode), qfpay.StateUnpaid, 2, 3},
				{"a new card, charged by hand before the next cycle", func(e *recurringEnv, s *qfpay.Subscription, g string) {
					setToken("")(e, s, g)
					charge("")(e, s, g)
				}, qfpay.StateActive, 3, 0},
				{"the fourth and last cycle, a month after the third was due (February 2020 has 29 days)", advance(29 * 24 * time.Hour), qfpay.StateCompleted, 4, 0},
				{"a cancel of a completed subscription changes nothing", cancel(0), qfpay.StateCompleted, 4, 0},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StatePastDue, qfpay.StateUnpaid, qfpay.StateActive, qfpay.StateCompleted},
		},
		{
			name: "unpaid, charged after the next cycle was due: cancelled", answer: qfpay.StateActive,
			steps: []step{
				{"the card stops paying; the second cycle fails", func(e *recurringEnv, s *qfpay.Subscription, g string) {
					setToken(qfpaytest.TokenDeclined)(e, s, g)
					e.srv.Advance(month)
				}, qfpay.StatePastDue, 1, 0},
				{"retries exhausted", advance(3 * time.Hour), qfpay.StateUnpaid, 1, 3},
				{"no cycle is billed while unpaid", advance(month), qfpay.StateUnpaid, 1, 3},
				{"charged late", func(e *recurringEnv, s *qfpay.Subscription, g string) {
					setToken("")(e, s, g)
					charge("")(e, s, g)
				}, qfpay.StateCancelled, 2, 0},
				{"nothing left to charge", charge("1136"), qfpay.StateCancelled, 2, 0},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StatePastDue, qfpay.StateUnpaid, qfpay.StateCancelled},
		},
		{
			name: "never paid: incomplete, then expired", token: qfpaytest.TokenDeclined, answer: qfpay.StateIncomplete,
			steps: []step{
				{"the first charge failed", func(*recurringEnv, *qfpay.Subscription, string) {}, qfpay.StateIncomplete, 0, 0},
				{"retried three times", advance(3 * time.Hour), qfpay.StateIncomplete, 0, 3},
				{"lapsed at the next cycle", advance(month), qfpay.StateIncompleteExpired, 0, 3},
				{"an expired subscription cannot be charged", charge("1136"), qfpay.StateIncompleteExpired, 0, 3},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateIncompleteExpired},
		},
		{
			name: "incomplete, paid by hand with a new card", token: qfpaytest.TokenDeclined, answer: qfpay.StateIncomplete,
			steps: []step{
				{"a new card, charged by hand", func(e *recurringEnv, s *qfpay.Subscription, g string) {
					setToken("")(e, s, g)
					charge("")(e, s, g)
				}, qfpay.StateActive, 1, 0},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive},
		},
		{
			name: "starting later: incomplete until its start, then cancelled", start: 10 * 24 * time.Hour, answer: qfpay.StateIncomplete,
			steps: []step{
				{"not started: nothing charged", advance(24 * time.Hour), qfpay.StateIncomplete, 0, 0},
				{"started: the first cycle", advance(9 * 24 * time.Hour), qfpay.StateActive, 1, 0},
				{"cancelled", cancel(1), qfpay.StateCancelled, 1, 0},
				{"cancelled: no cycle is billed", advance(2 * month), qfpay.StateCancelled, 1, 0},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StateCancelled},
		},
		{
			name: "deleting the customer cancels the subscription", answer: qfpay.StateActive,
			steps: []step{
				{"the customer is deleted", func(e *recurringEnv, s *qfpay.Subscription, _ string) {
					got, err := e.client.DeleteCustomer(e.t.Context(), s.CustomerID)
					require.NoError(e.t, err)
					assert.Equal(e.t, 1, got.Rows)
				}, qfpay.StateCancelled, 1, 0},
			},
			states: []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StateCancelled},
		},
	}
	reached := map[qfpay.State]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRecurring(t)
			customerID, good := e.customer("Chan", "5200000000001096")
			token := tt.token
			if token == "" {
				token = good
			}
			tea := e.product("Milk tea club", 9900)
			req := &qfpay.SubscriptionRequest{CustomerID: customerID, TokenID: token,
				Products: []qfpay.SubscriptionItem{{ProductID: tea, Quantity: 2}}, TotalBillingCycles: tt.cycles}
			if tt.start > 0 {
				req.StartTime = t0.Add(tt.start)
			}
			created, err := e.client.CreateSubscription(t.Context(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.answer, created.Status, "the creation's answer")
			sub := e.get(created.ID)
			for _, st := range tt.steps {
				st.act(e, &sub, good)
				sub = e.get(created.ID)
				assert.Equal(t, st.want, sub.Status, "after %q", st.name)
				assert.Equal(t, st.completed, sub.CompletedIterations, "cycles after %q", st.name)
				assert.Equal(t, st.retries, sub.RetryAttempts, "retries after %q", st.name)
				reached[sub.Status] = true
			}
			states, _ := e.notified(created.ID)
			assert.Equal(t, tt.states, states, "subscription notifications")
			for _, s := range states {
				reached[s] = true
			}
		})
	}
	for _, s := range []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StatePastDue, qfpay.StateUnpaid,
		qfpay.StateCompleted, qfpay.StateCancelled, qfpay.StateIncompleteExpired} {
		assert.True(t, reached[s], "state %s reached", s)
	}
}

// TestSubscriptionBilling follows one subscription's money: each cycle's
// charge is a card payment the query lists, its billing order, and a
// subscription_payment notification with the documentation's fields.
func TestSubscriptionBilling(t *testing.T) {
	e := newRecurring(t)
	ctx := t.Context()
	customerID, good := e.customer("Wong", "4111111111111111")
	tea, cake := e.product("Milk tea club", 9900), e.product("Cake club", 4500)
	sub, err := e.client.CreateSubscription(ctx, &qfpay.SubscriptionRequest{CustomerID: customerID, TokenID: good,
		Products: []qfpay.SubscriptionItem{{ProductID: tea}, {ProductID: cake, Quantity: 2}}})
	require.NoError(t, err)
	_, err = e.client.UpdateSubscription(ctx, sub.ID, &qfpay.SubscriptionUpdate{TokenID: qfpaytest.TokenDeclined})
	require.NoError(t, err)
	e.srv.Advance(31 * 24 * time.Hour)

	got := e.get(sub.ID)
	assert.Equal(t, qfpay.Subscription{
		ID: sub.ID, Status: qfpay.StatePastDue, CustomerID: customerID, TokenID: qfpaytest.TokenDeclined,
		Products:            []qfpay.SubscriptionItem{{ProductID: tea, Quantity: 1}, {ProductID: cake, Quantity: 2}},
		CompletedIterations: 1, LastBillingStatus: "FAILED",
		LastBillingTime: t0.AddDate(0, 1, 0), NextBillingTime: t0.AddDate(0, 2, 0), StartTime: t0,
		Available: true, UserID: "2319316",
	}, got)

	hex := strings.TrimPrefix(sub.ID, "sub_")
	assert.Equal(t, []qfpay.SubscriptionOrder{
		{ID: "sub_ord_" + hex + "_0001", SubscriptionID: sub.ID, TriggeredBy: qfpay.TriggerAuto, Sequence: 1},
		{ID: "sub_ord_" + hex + "_0002", SubscriptionID: sub.ID, TriggeredBy: qfpay.TriggerAuto, Sequence: 2},
	}, e.orders(sub.ID))

	var payments []*qfpay.SubscriptionPaymentNotification
	for _, d := range e.srv.Deliveries() {
		if d.Type != string(qfpay.NotifySubscriptionPayment) {
			continue
		}
		n, err := qfpay.ParseNotification(d.Body, d.Signature, clientKey)
		require.NoError(t, err)
		p, err := n.SubscriptionPayment()
		require.NoError(t, err)
		assert.Equal(t, p.SysSN, d.SysSN)
		payments = append(payments, p)
	}
	require.Len(t, payments, 2)
	paid, failed := payments[0], payments[1]
	assert.True(t, paid.Charged())
	assert.Equal(t, "sub_ord_"+hex+"_0001", paid.OrderID)
	assert.Equal(t, int64(9900+2*4500), paid.Amount)
	assert.Equal(t, qfpay.CurrencyHKD, paid.Currency)
	assert.Equal(t, []string{tea, cake}, paid.ProductIDs())
	assert.Equal(t, "4111****1111", paid.CardNumber)
	assert.Equal(t, "VISA", paid.CardScheme)
	assert.Equal(t, 1, paid.Iteration)
	assert.Equal(t, customerID, paid.CustomerID)
	assert.True(t, paid.TxTime.Equal(t0), "txdtm %v", paid.TxTime)
	assert.False(t, failed.Charged())
	assert.Equal(t, qfpaytest.TokenDeclineCode, failed.RespCode)
	assert.Empty(t, failed.SysSN)
	assert.Empty(t, failed.CardScheme, "card_scheme only on success")
	assert.Equal(t, 2, failed.Iteration)

	tx, err := e.client.Query(ctx, &qfpay.QueryRequest{SysSNs: []string{paid.SysSN}})
	require.NoError(t, err)
	require.Len(t, tx.Transactions, 1)
	assert.Equal(t, "0000", tx.Transactions[0].RespCode)
	assert.Equal(t, int64(18900), tx.Transactions[0].Amount)
	assert.Equal(t, qfpay.PayTypeVisaMastercardOnline, tx.Transactions[0].PayType)
	refund, err := e.client.Refund(ctx, &qfpay.RefundRequest{SysSN: paid.SysSN, OutTradeNo: "sub-refund-1", Amount: 4500})
	require.NoError(t, err, "a cycle's charge is refunded like any payment")
	assert.Equal(t, paid.SysSN, refund.OrigSysSN)
}

// TestTokenizeCard: the token arrives by payment_token notification
// (NEW, MATCH), a card of another customer conflicts.
func TestTokenizeCard(t *testing.T) {
	e := newRecurring(t)
	ctx := t.Context()
	a, err := e.client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "A"})
	require.NoError(t, err)
	b, err := e.client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "B"})
	require.NoError(t, err)

	first, err := e.srv.TokenizeCard(a.ID, "5200000000001096")
	require.NoError(t, err)
	assert.Regexp(t, `^tk_[0-9a-f]{32}$`, first)
	again, err := e.srv.TokenizeCard(a.ID, "5200000000001096")
	require.NoError(t, err)
	assert.Equal(t, first, again, "the same card, the same token")
	_, err = e.srv.TokenizeCard(b.ID, "5200000000001096")
	assert.ErrorIs(t, err, qfpaytest.ErrTokenConflict)
	_, err = e.srv.TokenizeCard("cust_nobody", "4111111111111111")
	assert.ErrorIs(t, err, qfpaytest.ErrNotFound)
	_, err = e.srv.TokenizeCard(a.ID, "4111-1111")
	assert.Error(t, err)

	var events []qfpay.PaymentTokenNotification
	for _, d := range e.srv.Deliveries() {
		n, err := qfpay.ParseNotification(d.Body, d.Signature, clientKey)
		require.NoError(t, err)
		tk, err := n.PaymentToken()
		require.NoError(t, err)
		events = append(events, *tk)
	}
	expiry := time.Date(2022, 12, 1, 0, 0, 0, 0, utc8)
	assert.Equal(t, []qfpay.PaymentTokenNotification{
		{Event: qfpay.TokenEventNew, TokenID: first, TokenExpiry: expiry, CardNumber: "5200****1096", CardScheme: "ECMC",
			RespCode: "0000", SysTime: t0, UserID: "2319316", CustomerID: a.ID},
		{Event: qfpay.TokenEventMatch, TokenID: first, TokenExpiry: expiry, CardNumber: "5200****1096", CardScheme: "ECMC",
			RespCode: "0000", SysTime: t0, UserID: "2319316", CustomerID: a.ID},
		{Event: qfpay.TokenEventConflict, CardNumber: "5200****1096", CardScheme: "ECMC", RespCode: "1205",
			RespMsg: "card already tokenised for another customer", SysTime: t0, UserID: "2319316", CustomerID: b.ID},
	}, events)
}

// TestCustomersAndProductsSDK: create, update, query (filters, pages),
// delete, through the SDK in both body encodings.
func TestCustomersAndProductsSDK(t *testing.T) {
	for _, enc := range []qfpay.BodyEncoding{qfpay.BodyForm, qfpay.BodyJSON} {
		t.Run(string(enc), func(t *testing.T) {
			e := newRecurring(t, qfpay.WithRecurringBody(enc), qfpay.WithSignType(qfpay.SHA256))
			ctx := t.Context()
			var ids []string
			for _, name := range []string{"Chan", "Wong", "Lee"} {
				c, err := e.client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: name, Email: name + "@example.com",
					BillingAddress: &qfpay.BillingAddress{Address1: "1 Queen's Road", City: "香港", CountryCode: "HK"}})
				require.NoError(t, err)
				ids = append(ids, c.ID)
			}
			up, err := e.client.UpdateCustomer(ctx, ids[1], &qfpay.CustomerRequest{Phone: "+852 5555 0000"})
			require.NoError(t, err)
			assert.Equal(t, qfpay.Customer{ID: ids[1], Rows: 1}, *up)

			var all []qfpay.Customer
			for c, err := range e.client.QueryCustomer(ctx, &qfpay.CustomerQuery{PageSize: 2}) {
				require.NoError(t, err)
				all = append(all, *c)
			}
			require.Len(t, all, 3, "two pages")
			assert.Equal(t, qfpay.Customer{ID: ids[1], Name: "Wong", Phone: "+852 5555 0000", Email: "Wong@example.com",
				BillingAddress: &qfpay.BillingAddress{Address1: "1 Queen's Road", City: "香港", CountryCode: "HK"}}, all[1])

			var byEmail []string
			for c, err := range e.client.QueryCustomer(ctx, &qfpay.CustomerQuery{Email: "Lee@example.com"}) {
				require.NoError(t, err)
				byEmail = append(byEmail, c.ID)
			}
			assert.Equal(t, []string{ids[2]}, byEmail)

			del, err := e.client.DeleteCustomer(ctx, ids[0])
			require.NoError(t, err)
			assert.Equal(t, 1, del.Rows)
			_, err = e.client.DeleteCustomer(ctx, ids[0])
			var apiErr *qfpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "1136", apiErr.Code)

			p, err := e.client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Gift box", Amount: 25000, Currency: qfpay.CurrencyHKD})
			require.NoError(t, err)
			tea := e.product("Milk tea club", 9900)
			_, err = e.client.UpdateProduct(ctx, tea, &qfpay.ProductUpdate{Description: "One cup a day"})
			require.NoError(t, err)
			var monthly []qfpay.Product
			for pr, err := range e.client.QueryProduct(ctx, &qfpay.ProductQuery{Interval: qfpay.IntervalMonthly}) {
				require.NoError(t, err)
				monthly = append(monthly, *pr)
			}
			assert.Equal(t, []qfpay.Product{{ID: tea, Name: "Milk tea club", Type: qfpay.ProductRecurring, Description: "One cup a day",
				Amount: 9900, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 1, UsageType: qfpay.UsageLicensed}}, monthly)
			deleted, err := e.client.DeleteProduct(ctx, p.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, deleted.Rows)

		})
	}
}

// TestRecurringRefusals: what the server refuses, sent as a form or as
// JSON by hand (the SDK's own checks would stop most of it first).
func TestRecurringRefusals(t *testing.T) {
	e := newRecurring(t)
	ctx := t.Context()
	customerID, good := e.customer("Chan", "5200000000001096")
	_, otherToken := e.customer("Wong", "4111111111111111")
	tea := e.product("Milk tea club", 9900)
	yearly, err := e.client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Tea year", Type: qfpay.ProductRecurring,
		Amount: 99000, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalYearly, IntervalCount: 1})
	require.NoError(t, err)
	once, err := e.client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Gift", Amount: 100, Currency: qfpay.CurrencyHKD})
	require.NoError(t, err)
	sub, err := e.client.CreateSubscription(ctx, &qfpay.SubscriptionRequest{CustomerID: customerID, TokenID: good,
		Products: []qfpay.SubscriptionItem{{ProductID: tea}}})
	require.NoError(t, err)
	items := func(ids ...string) string {
		var list []map[string]any
		for _, id := range ids {
			list = append(list, map[string]any{"product_id": id, "quantity": 1})
		}
		b, _ := json.Marshal(list)
		return string(b)
	}
	tests := []struct {
		name   string
		path   string
		params url.Values
		code   string
		detail string
	}{
		{"a recurring product without interval", "/product/v1/create", form("name", "x", "txamt", "100", "txcurrcd", "HKD", "type", "recurring", "interval_count", "1"), "1104", "interval"},
		{"13 months", "/product/v1/create", form("name", "x", "txamt", "100", "txcurrcd", "HKD", "type", "recurring", "interval", "monthly", "interval_count", "13"), "1104", "one year at most"},
		{"metered usage", "/product/v1/create", form("name", "x", "txamt", "100", "txcurrcd", "HKD", "type", "recurring", "interval", "monthly", "interval_count", "1", "usage_type", "metered"), "1104", "usage_type"},
		{"an amount in the product update", "/product/v1/update", form("product_id", tea, "txamt", "1"), "1104", "name and description only"},
		{"a product a subscription holds", "/product/v1/delete", form("product_id", tea), "1136", "held by subscription"},
		{"billing_address not JSON", "/customer/v1/create", form("billing_address", "1 Queen's Road"), "1103", "JSON object"},
		{"an unknown customer", "/subscription/v1/create", form("customer_id", "cust_x", "token_id", good, "products", items(tea)), "1104", "no customer"},
		{"another customer's token", "/subscription/v1/create", form("customer_id", customerID, "token_id", otherToken, "products", items(tea)), "1104", "does not belong"},
		{"a one-time product", "/subscription/v1/create", form("customer_id", customerID, "token_id", good, "products", items(once.ID)), "1104", "not a recurring product"},
		{"products of two periods", "/subscription/v1/create", form("customer_id", customerID, "token_id", good, "products", items(tea, yearly.ID)), "1104", "billed in HKD every 1 yearly"},
		{"products not JSON", "/subscription/v1/create", form("customer_id", customerID, "token_id", good, "products", "prod_1"), "1103", "JSON array"},
		{"both id spellings, differing", "/subscription/v1/query", form("subscription_id", sub.ID, "subscritpion_id", "sub_other"), "1104", "differ"},
		{"a charge with nothing failed", "/subscription/v1/charge", form("subscription_id", sub.ID), "1136", "no failed order"},
		{"a page size of 101", "/customer/v1/query", form("page_size", "101"), "1104", "page_size"},
		{"orders of an unknown subscription", "/subscription/billing_order/v1/list", form("subscription_id", "sub_x"), "1136", "no subscription"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, e.srv, tt.path, tt.params)
			requireCode(t, a, tt.code)
			assert.Contains(t, a.str("respmsg"), tt.detail)
		})
	}
}

// TestRecurringQueryIDSpellings: the query reads the subscription's id
// under either spelling the documentation uses.
func TestRecurringQueryIDSpellings(t *testing.T) {
	e := newRecurring(t)
	customerID, good := e.customer("Chan", "5200000000001096")
	tea := e.product("Milk tea club", 9900)
	var ids []string
	for range 2 {
		s, err := e.client.CreateSubscription(t.Context(), &qfpay.SubscriptionRequest{CustomerID: customerID, TokenID: good,
			Products: []qfpay.SubscriptionItem{{ProductID: tea}}})
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	tests := []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"subscritpion_id, as the documentation spells it", form("subscritpion_id", ids[1]), ids[1:]},
		{"subscription_id", form("subscription_id", ids[0]), ids[:1]},
		{"both, as the SDK sends it", form("subscription_id", ids[1], "subscritpion_id", ids[1]), ids[1:]},
		{"by state, in lower case", form("state", "active"), ids},
		{"neither: all", form(), ids},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, e.srv, "/subscription/v1/query", tt.params)
			requireCode(t, a, "0000")
			var got []string
			for _, d := range a.data(t) {
				got = append(got, d["subscription_id"].(string))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestRecurringJSONBody: the recurring endpoints take a JSON body signed
// over the same values as a form, nested values as their compact text;
// the other endpoints refuse JSON.
func TestRecurringJSONBody(t *testing.T) {
	e := newRecurring(t)
	body := `{"name": "Chan", "billing_address": {"city": "Hong Kong", "country_code": "HK"}, "page": 1}`
	signed := url.Values{"name": {"Chan"}, "billing_address": {`{"city":"Hong Kong","country_code":"HK"}`}, "page": {"1"}}
	send := func(path, sign string) answer {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-QF-APPCODE", appCode)
		req.Header.Set("X-QF-SIGN", sign)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var obj map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&obj))
		return answer{status: resp.StatusCode, obj: obj}
	}
	tests := []struct {
		name, path, sign, code string
	}{
		{"signed over the values", "/customer/v1/create", refSign(signed, clientKey, false), "0000"},
		{"signed over the raw nested text with its blanks", "/customer/v1/create",
			refSign(url.Values{"name": {"Chan"}, "billing_address": {`{"city": "Hong Kong", "country_code": "HK"}`}, "page": {"1"}}, clientKey, false), "1108"},
		{"JSON to a trade endpoint", "/trade/v1/payment", refSign(signed, clientKey, false), "1103"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := send(tt.path, tt.sign)
			assert.Equal(t, tt.code, a.str("respcd"), "%v", a.obj)
		})
	}
}
