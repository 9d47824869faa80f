package qfpay

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathSubscriptionCreate = "/subscription/v1/create"
	pathSubscriptionUpdate = "/subscription/v1/update"
	pathSubscriptionQuery  = "/subscription/v1/query"
	pathSubscriptionCancel = "/subscription/v1/cancel"
	pathSubscriptionCharge = "/subscription/v1/charge"
	pathSubscriptionOrders = "/subscription/billing_order/v1/list"

	docSubscriptionID = "sub_3c2b1a09f8e7d6c5"
	docTokenID        = "tk_5f8e2a9c1b3d4e6f8091a2b3c4d5e6f7"
)

// docSubscription is the documentation's create example, with a second
// product of the default quantity.
func docSubscription() *SubscriptionRequest {
	return &SubscriptionRequest{
		CustomerID: "cust_9a8b7c6d5e4f", TokenID: docTokenID,
		Products:           []SubscriptionItem{{ProductID: "prod_aa11", Quantity: 1}, {ProductID: "prod_bb22"}},
		TotalBillingCycles: 2,
		StartTime:          time.Date(2020, 5, 14, 12, 32, 56, 0, beijing),
	}
}

func TestSubscriptionCallsSend(t *testing.T) {
	tests := []struct {
		name       string
		path, file string
		call       func(context.Context, *Client) error
		form, json string
		signed     string
	}{
		{
			name: "create: the documentation's example", path: pathSubscriptionCreate, file: "subscription_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateSubscription(ctx, docSubscription())
				return err
			},
			form:   "customer_id=cust_9a8b7c6d5e4f&products=%5B%7B%22product_id%22%3A%22prod_aa11%22%2C%22quantity%22%3A1%7D%2C%7B%22product_id%22%3A%22prod_bb22%22%7D%5D&start_time=2020-05-14+12%3A32%3A56&token_id=" + docTokenID + "&total_billing_cycles=2",
			json:   `{"customer_id":"cust_9a8b7c6d5e4f","products":[{"product_id":"prod_aa11","quantity":1},{"product_id":"prod_bb22"}],"start_time":"2020-05-14 12:32:56","token_id":"` + docTokenID + `","total_billing_cycles":2}`,
			signed: `customer_id=cust_9a8b7c6d5e4f&products=[{"product_id":"prod_aa11","quantity":1},{"product_id":"prod_bb22"}]&start_time=2020-05-14 12:32:56&token_id=` + docTokenID + `&total_billing_cycles=2`,
		},
		{
			name: "create: the start written in UTC+8 whatever its zone", path: pathSubscriptionCreate, file: "subscription_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				r := &SubscriptionRequest{CustomerID: "c1", TokenID: "t1", Products: []SubscriptionItem{{ProductID: "p1"}},
					StartTime: time.Date(2020, 5, 14, 4, 32, 56, 0, time.UTC)}
				_, err := c.CreateSubscription(ctx, r)
				return err
			},
			form:   "customer_id=c1&products=%5B%7B%22product_id%22%3A%22p1%22%7D%5D&start_time=2020-05-14+12%3A32%3A56&token_id=t1",
			json:   `{"customer_id":"c1","products":[{"product_id":"p1"}],"start_time":"2020-05-14 12:32:56","token_id":"t1"}`,
			signed: `customer_id=c1&products=[{"product_id":"p1"}]&start_time=2020-05-14 12:32:56&token_id=t1`,
		},
		{
			name: "update: a new token", path: pathSubscriptionUpdate, file: "subscription_update_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateSubscription(ctx, docSubscriptionID, &SubscriptionUpdate{TokenID: "tk_new"})
				return err
			},
			form:   "subscription_id=" + docSubscriptionID + "&token_id=tk_new",
			json:   `{"subscription_id":"` + docSubscriptionID + `","token_id":"tk_new"}`,
			signed: "subscription_id=" + docSubscriptionID + "&token_id=tk_new",
		},
		{
			name: "update: the products and the cycles", path: pathSubscriptionUpdate, file: "subscription_update_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateSubscription(ctx, docSubscriptionID, &SubscriptionUpdate{Products: []SubscriptionItem{{ProductID: "prod_aa11", Quantity: 3}}, TotalBillingCycles: 12})
				return err
			},
			form:   "products=%5B%7B%22product_id%22%3A%22prod_aa11%22%2C%22quantity%22%3A3%7D%5D&subscription_id=" + docSubscriptionID + "&total_billing_cycles=12",
			json:   `{"products":[{"product_id":"prod_aa11","quantity":3}],"subscription_id":"` + docSubscriptionID + `","total_billing_cycles":12}`,
			signed: `products=[{"product_id":"prod_aa11","quantity":3}]&subscription_id=` + docSubscriptionID + `&total_billing_cycles=12`,
		},
		{
			name: "cancel", path: pathSubscriptionCancel, file: "subscription_cancel_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CancelSubscription(ctx, docSubscriptionID)
				return err
			},
			form: "subscription_id=" + docSubscriptionID, json: `{"subscription_id":"` + docSubscriptionID + `"}`, signed: "subscription_id=" + docSubscriptionID,
		},
		{
			name: "query: the id under both names, the state in lower case", path: pathSubscriptionQuery, file: "subscription_query_doc.json",
			call: func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.QuerySubscription(ctx, &SubscriptionQuery{ID: docSubscriptionID, CustomerID: "cust_9a8b7c6d5e4f", State: StatePastDue}))
				return errorsJoin(errs)
			},
			form:   "customer_id=cust_9a8b7c6d5e4f&page=1&page_size=100&state=past_due&subscription_id=" + docSubscriptionID + "&subscritpion_id=" + docSubscriptionID,
			json:   `{"customer_id":"cust_9a8b7c6d5e4f","page":1,"page_size":100,"state":"past_due","subscription_id":"` + docSubscriptionID + `","subscritpion_id":"` + docSubscriptionID + `"}`,
			signed: "customer_id=cust_9a8b7c6d5e4f&page=1&page_size=100&state=past_due&subscription_id=" + docSubscriptionID + "&subscritpion_id=" + docSubscriptionID,
		},
		{
			name: "query: a token", path: pathSubscriptionQuery, file: "customer_query_empty.json",
			call: func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.QuerySubscription(ctx, &SubscriptionQuery{TokenID: docTokenID, PageSize: 5}))
				return errorsJoin(errs)
			},
			form:   "page=1&page_size=5&token_id=" + docTokenID,
			json:   `{"page":1,"page_size":5,"token_id":"` + docTokenID + `"}`,
			signed: "page=1&page_size=5&token_id=" + docTokenID,
		},
		{
			name: "charge: a failed order", path: pathSubscriptionCharge, file: "subscription_charge_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ChargeSubscription(ctx, &SubscriptionChargeRequest{SubscriptionID: docSubscriptionID, OrderID: "sub_ord_3c2b1a09f8e7d6c5_0002"})
				return err
			},
			form:   "subscription_id=" + docSubscriptionID + "&subscription_order_id=sub_ord_3c2b1a09f8e7d6c5_0002",
			json:   `{"subscription_id":"` + docSubscriptionID + `","subscription_order_id":"sub_ord_3c2b1a09f8e7d6c5_0002"}`,
			signed: "subscription_id=" + docSubscriptionID + "&subscription_order_id=sub_ord_3c2b1a09f8e7d6c5_0002",
		},
		{
			name: "billing orders", path: pathSubscriptionOrders, file: "subscription_orders_page.json",
			call: func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.SubscriptionOrders(ctx, docSubscriptionID))
				return errorsJoin(errs)
			},
			form:   "page=1&page_size=100&subscription_id=" + docSubscriptionID,
			json:   `{"page":1,"page_size":100,"subscription_id":"` + docSubscriptionID + `"}`,
			signed: "page=1&page_size=100&subscription_id=" + docSubscriptionID,
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/form/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st), WithLocation(time.UTC))
				e.respondFile(http.MethodPost, tt.path, tt.file)
				require.NoError(t, tt.call(t.Context(), e.client))
				assertSentForm(t, e.last(), tt.path, tt.form, tt.signed, st)
			})
			t.Run(tt.name+"/json/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st), WithRecurringBody(BodyJSON))
				e.respondFile(http.MethodPost, tt.path, tt.file)
				require.NoError(t, tt.call(t.Context(), e.client))
				assertSentJSON(t, e.last(), tt.path, tt.json, tt.signed, st)
			})
		}
	}
}

func TestSubscriptionCallsDecode(t *testing.T) {
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, beijing)
	}
	t.Run("create answers the id and the state", func(t *testing.T) {
		for file, want := range map[string]State{"subscription_create_ok.json": StateActive, "subscription_create_incomplete.json": StateIncomplete} {
			e := setup(t)
			e.respondFile(http.MethodPost, pathSubscriptionCreate, file)
			got, err := e.client.CreateSubscription(t.Context(), docSubscription())
			require.NoError(t, err, file)
			assert.Equal(t, Subscription{ID: docSubscriptionID, Status: want}, *got, file)
		}
	})
	t.Run("update and cancel answer the id and the rows", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionUpdate, "subscription_update_ok.json")
		e.respondInTurn(http.MethodPost, pathSubscriptionCancel, "subscription_cancel_ok.json", "subscription_cancel_again.json")
		got, err := e.client.UpdateSubscription(t.Context(), docSubscriptionID, &SubscriptionUpdate{TotalBillingCycles: 3})
		require.NoError(t, err)
		assert.Equal(t, Subscription{ID: docSubscriptionID, Rows: 1}, *got)
		got, err = e.client.CancelSubscription(t.Context(), docSubscriptionID)
		require.NoError(t, err)
		assert.Equal(t, Subscription{ID: docSubscriptionID, Rows: 1}, *got)
		got, err = e.client.CancelSubscription(t.Context(), docSubscriptionID)
		require.NoError(t, err)
		assert.Equal(t, Subscription{ID: docSubscriptionID}, *got, "cancelled before: nothing changed")
	})
	queries := []struct {
		name, file string
		want       Subscription
	}{
		{"the documentation's sample: completed_iteration, ISO 8601 UTC times, numbers", "subscription_query_doc.json", Subscription{
			ID: docSubscriptionID, Status: StateActive, CustomerID: "cust_9a8b7c6d5e4f", TokenID: docTokenID,
			Products: []SubscriptionItem{{ProductID: "prod_aa11", Quantity: 1}}, TotalBillingCycles: 3, CompletedIterations: 1,
			LastBillingStatus: "SUCCESS", LastBillingTime: at(2024, 11, 21, 19, 12, 6), NextBillingTime: at(2024, 12, 21, 19, 12, 6),
			Available: true, UserID: "0",
		}},
		{"the table's names: completed_billing_iteration, API times, products a JSON string, strings for numbers", "subscription_query_table.json", Subscription{
			ID: docSubscriptionID, Status: StatePastDue, CustomerID: "cust_9a8b7c6d5e4f", TokenID: docTokenID,
			Products:            []SubscriptionItem{{ProductID: "prod_aa11", Quantity: 2}, {ProductID: "prod_bb22"}},
			CompletedIterations: 4, RetryAttempts: 2, LastBillingStatus: "FAILED",
			LastBillingTime: at(2024, 11, 21, 19, 12, 6), NextBillingTime: at(2024, 12, 21, 19, 12, 6), StartTime: at(2024, 8, 21, 19, 12, 6),
			Available: true, UserID: "2319316",
		}},
	}
	for _, q := range queries {
		t.Run("query: "+q.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathSubscriptionQuery, q.file)
			got, errs := collectSeq(e.client.QuerySubscription(t.Context(), nil))
			require.Empty(t, errs)
			require.Len(t, got, 1)
			assert.Equal(t, q.want, got[0])
			assert.Equal(t, "UTC+8", got[0].NextBillingTime.Location().String())
		})
	}
	t.Run("query by id keeps only that subscription", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionQuery, "subscription_query_other.json")
		got, errs := collectSeq(e.client.QuerySubscription(t.Context(), &SubscriptionQuery{ID: docSubscriptionID}))
		require.Empty(t, errs)
		assert.Equal(t, []Subscription{{ID: docSubscriptionID, Status: StateActive, CustomerID: "cust_9a8b7c6d5e4f"}}, got)
	})
	t.Run("query without id lists all", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionQuery, "subscription_query_other.json")
		got, errs := collectSeq(e.client.QuerySubscription(t.Context(), nil))
		require.Empty(t, errs)
		assert.Len(t, got, 2)
	})
	for _, bad := range []struct{ file, want string }{
		{"subscription_query_bad_time.json", `field next_billing_time: want a time as YYYY-MM-DD hh:mm:ss or ISO 8601, got "21/12/2024"`},
		{"subscription_query_bad_products.json", "field products: a string that is not JSON"},
	} {
		t.Run("query: "+bad.file, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathSubscriptionQuery, bad.file)
			got, errs := collectSeq(e.client.QuerySubscription(t.Context(), nil))
			assert.Empty(t, got)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrMalformedResponse)
			assert.Contains(t, errs[0].Error(), bad.want)
		})
	}
	t.Run("billing orders", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionOrders, "subscription_orders_page.json")
		got, errs := collectSeq(e.client.SubscriptionOrders(t.Context(), docSubscriptionID))
		require.Empty(t, errs)
		assert.Equal(t, []SubscriptionOrder{
			{ID: "sub_ord_3c2b1a09f8e7d6c5_0001", SubscriptionID: docSubscriptionID, TriggeredBy: TriggerAuto, Sequence: 1},
			{ID: "sub_ord_3c2b1a09f8e7d6c5_0002", SubscriptionID: docSubscriptionID, TriggeredBy: TriggerManual, Sequence: 2},
		}, got)
	})
	t.Run("a billing order without its id", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionOrders, "subscription_orders_no_id.json")
		_, errs := collectSeq(e.client.SubscriptionOrders(t.Context(), docSubscriptionID))
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrMalformedResponse)
		assert.Contains(t, errs[0].Error(), "billing order without subscription_order_id")
	})
	t.Run("a creation without its id", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionCreate, "subscription_create_no_id.json")
		got, err := e.client.CreateSubscription(t.Context(), docSubscription())
		assert.Nil(t, got)
		require.ErrorIs(t, err, ErrMalformedResponse)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
	t.Run("a creation refused", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathSubscriptionCreate, "subscription_create_1104.json")
		_, err := e.client.CreateSubscription(t.Context(), docSubscription())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "token_id does not belong to customer_id", apiErr.Detail)
	})
}

// TestChargeSubscription: the charge moves money, so it is sent once and
// a failure after sending is ErrOutcomeUnknown; the gateway's refusal is
// its word and is not.
func TestChargeSubscription(t *testing.T) {
	req := func() *SubscriptionChargeRequest {
		return &SubscriptionChargeRequest{SubscriptionID: docSubscriptionID}
	}
	tests := []struct {
		name    string
		respond func(e *testEnv)
		want    *SubscriptionCharge
		check   func(t *testing.T, err error)
	}{
		{"charged", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathSubscriptionCharge, "subscription_charge_ok.json")
		},
			&SubscriptionCharge{SubscriptionID: docSubscriptionID, OrderID: "sub_ord_3c2b1a09f8e7d6c5_0002", Status: StateActive,
				SysSN: "20241121000200020000001240", Amount: 9900, Currency: CurrencyHKD, RespCode: "0000", Message: "success", Detail: "success"},
			func(t *testing.T, err error) { require.NoError(t, err) }},
		{"charged, an answer without data", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathSubscriptionCharge, "subscription_charge_bare.json")
		},
			&SubscriptionCharge{RespCode: "0000", Message: "success", Detail: "success"},
			func(t *testing.T, err error) { require.NoError(t, err) }},
		{"pending: the answer comes with ErrPending", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathSubscriptionCharge, "subscription_charge_1145.json")
		},
			&SubscriptionCharge{SubscriptionID: docSubscriptionID, OrderID: "sub_ord_3c2b1a09f8e7d6c5_0002", SysSN: "20241121000200020000001240",
				RespCode: "1145", Message: "Please wait while processing (1145)"},
			func(t *testing.T, err error) {
				assert.ErrorIs(t, err, ErrPending)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			}},
		{"declined: the state is unchanged, nothing is unknown", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathSubscriptionCharge, "subscription_charge_1205.json")
		}, nil,
			func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.True(t, apiErr.Declined())
				assert.Equal(t, "card declined", apiErr.Detail)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			}},
		{"a 502 page: outcome unknown", func(e *testEnv) { e.respondHTML(http.MethodPost, pathSubscriptionCharge, http.StatusBadGateway) }, nil,
			func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				var oue *OutcomeUnknownError
				require.ErrorAs(t, err, &oue)
				assert.Equal(t, pathSubscriptionCharge, oue.Path)
			}},
		{"the connection lost after sending: outcome unknown", func(e *testEnv) {
			e.respondFunc(http.MethodPost, pathSubscriptionCharge, func(*http.Request) (*http.Response, error) {
				return nil, errors.New("connection reset by peer")
			})
		}, nil,
			func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.Contains(t, err.Error(), "connection reset by peer")
			}},
		{"a garbled syssn: outcome unknown", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathSubscriptionCharge, "subscription_charge_bad_syssn.json")
		}, nil,
			func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.ErrorIs(t, err, ErrMalformedResponse)
			}},
		{"429: refused, not unknown", func(e *testEnv) {
			e.respond(http.MethodPost, pathSubscriptionCharge, http.StatusTooManyRequests, "", "Retry-After", "0")
		}, nil,
			func(t *testing.T, err error) {
				assert.ErrorIs(t, err, ErrRateLimited)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			tt.respond(e)
			got, err := e.client.ChargeSubscription(t.Context(), req())
			tt.check(t, err)
			if tt.want == nil {
				assert.Nil(t, got)
			} else {
				require.NotNil(t, got)
				assert.Equal(t, *tt.want, *got)
			}
			assert.Len(t, e.requests(), 1, "a charge is never re-sent")
			if err != nil {
				assertNoKey(t, err.Error(), "error")
			}
		})
	}
}

func TestSubscriptionValidation(t *testing.T) {
	with := func(change func(r *SubscriptionRequest)) *SubscriptionRequest {
		r := docSubscription()
		change(r)
		return r
	}
	create := func(r *SubscriptionRequest) func(context.Context, *Client) (bool, error) {
		return func(ctx context.Context, c *Client) (bool, error) {
			s, err := c.CreateSubscription(ctx, r)
			return s != nil, err
		}
	}
	update := func(id string, u *SubscriptionUpdate) func(context.Context, *Client) (bool, error) {
		return func(ctx context.Context, c *Client) (bool, error) {
			s, err := c.UpdateSubscription(ctx, id, u)
			return s != nil, err
		}
	}
	charge := func(r *SubscriptionChargeRequest) func(context.Context, *Client) (bool, error) {
		return func(ctx context.Context, c *Client) (bool, error) {
			s, err := c.ChargeSubscription(ctx, r)
			return s != nil, err
		}
	}
	tests := []struct {
		name  string
		call  func(context.Context, *Client) (bool, error)
		field string
	}{
		{"create nil", create(nil), wholeRequest},
		{"create valid", create(docSubscription()), ""},
		{"no customer", create(with(func(r *SubscriptionRequest) { r.CustomerID = "" })), "customer_id"},
		{"no token", create(with(func(r *SubscriptionRequest) { r.TokenID = "" })), "token_id"},
		{"a token with a newline", create(with(func(r *SubscriptionRequest) { r.TokenID = "tk_1\n" })), "token_id"},
		{"no products", create(with(func(r *SubscriptionRequest) { r.Products = nil })), "products"},
		{"a product without id", create(with(func(r *SubscriptionRequest) { r.Products[1].ProductID = "" })), "products"},
		{"a negative quantity", create(with(func(r *SubscriptionRequest) { r.Products[0].Quantity = -1 })), "products"},
		{"a product twice", create(with(func(r *SubscriptionRequest) { r.Products[1].ProductID = "prod_aa11" })), "products"},
		{"negative cycles", create(with(func(r *SubscriptionRequest) { r.TotalBillingCycles = -1 })), "total_billing_cycles"},
		{"update without id", update("", &SubscriptionUpdate{TokenID: "t"}), "subscription_id"},
		{"update nil", update(docSubscriptionID, nil), wholeRequest},
		{"update with nothing to change", update(docSubscriptionID, &SubscriptionUpdate{}), wholeRequest},
		{"update to no products", update(docSubscriptionID, &SubscriptionUpdate{Products: []SubscriptionItem{}}), "products"},
		{"update, negative cycles", update(docSubscriptionID, &SubscriptionUpdate{TotalBillingCycles: -2}), "total_billing_cycles"},
		{"update, a token with a blank", update(docSubscriptionID, &SubscriptionUpdate{TokenID: "tk 1"}), "token_id"},
		{"cancel without id", func(ctx context.Context, c *Client) (bool, error) {
			s, err := c.CancelSubscription(ctx, "")
			return s != nil, err
		}, "subscription_id"},
		{"charge nil", charge(nil), wholeRequest},
		{"charge without id", charge(&SubscriptionChargeRequest{}), "subscription_id"},
		{"charge, an order id with a blank", charge(&SubscriptionChargeRequest{SubscriptionID: "s", OrderID: " o"}), "subscription_order_id"},
		{"orders without id", func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.SubscriptionOrders(ctx, ""))
			return len(got) > 0, errorsJoin(errs)
		}, "subscription_id"},
		{"query, a page size of 101", func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QuerySubscription(ctx, &SubscriptionQuery{PageSize: 101}))
			return len(got) > 0, errorsJoin(errs)
		}, "page_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathSubscriptionCreate, "subscription_create_ok.json")
			answered, err := tt.call(t.Context(), e.client)
			assertValidation(t, e, answered, err, tt.field)
		})
	}
}

func TestState(t *testing.T) {
	tests := []struct {
		s                        State
		known, ended, chargeable bool
	}{
		{StateIncomplete, true, false, true},
		{StateActive, true, false, false},
		{StatePastDue, true, false, true},
		{StateUnpaid, true, false, true},
		{StateCompleted, true, true, false},
		{StateIncompleteExpired, true, true, false},
		{StateCancelled, true, true, false},
		{StatePaused, true, false, false},
		{StateTrial, true, false, false},
		{"REFUNDED", false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			assert.Equal(t, tt.known, tt.s.Known())
			assert.Equal(t, tt.ended, tt.s.Ended())
			assert.Equal(t, tt.chargeable, tt.s.Chargeable())
			assert.Equal(t, string(tt.s), tt.s.String())
		})
	}
}

// TestNotificationSubscriptionState: a notification's state reads as
// Subscription.Status does, upper-cased, so the diagram's "Cancelled"
// matches StateCancelled.
func TestNotificationSubscriptionState(t *testing.T) {
	got, err := parseTestdata(t, "notify_subscription_cancelled.json").Subscription()
	require.NoError(t, err)
	assert.Equal(t, StateCancelled, got.State)
	assert.True(t, got.State.Ended())
}
