package qfpay

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathProductCreate = "/product/v1/create"
	pathProductUpdate = "/product/v1/update"
	pathProductQuery  = "/product/v1/query"
	pathProductDelete = "/product/v1/delete"
)

func monthlyProduct() *ProductRequest {
	return &ProductRequest{Name: "Milk tea club", Type: ProductRecurring, Description: "One cup a day",
		Amount: 9900, Currency: CurrencyHKD, Interval: IntervalMonthly, IntervalCount: 1}
}

func TestProductCallsSend(t *testing.T) {
	tests := []struct {
		name       string
		path, file string
		call       func(context.Context, *Client) error
		form, json string
		signed     string
	}{
		{
			name: "create a recurring product: usage_type licensed added", path: pathProductCreate, file: "product_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateProduct(ctx, monthlyProduct())
				return err
			},
			form:   "description=One+cup+a+day&interval=monthly&interval_count=1&name=Milk+tea+club&txamt=9900&txcurrcd=HKD&type=recurring&usage_type=licensed",
			json:   `{"description":"One cup a day","interval":"monthly","interval_count":1,"name":"Milk tea club","txamt":9900,"txcurrcd":"HKD","type":"recurring","usage_type":"licensed"}`,
			signed: "description=One cup a day&interval=monthly&interval_count=1&name=Milk tea club&txamt=9900&txcurrcd=HKD&type=recurring&usage_type=licensed",
		},
		{
			name: "create a one-time product: no interval, no type", path: pathProductCreate, file: "product_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateProduct(ctx, &ProductRequest{Name: "Gift box", Amount: 25000, Currency: CurrencyHKD})
				return err
			},
			form:   "name=Gift+box&txamt=25000&txcurrcd=HKD",
			json:   `{"name":"Gift box","txamt":25000,"txcurrcd":"HKD"}`,
			signed: "name=Gift box&txamt=25000&txcurrcd=HKD",
		},
		{
			name: "update: the id, a name and a description", path: pathProductUpdate, file: "product_update_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateProduct(ctx, "prod_aa11", &ProductUpdate{Name: "Tea club", Description: "Two cups"})
				return err
			},
			form:   "description=Two+cups&name=Tea+club&product_id=prod_aa11",
			json:   `{"description":"Two cups","name":"Tea club","product_id":"prod_aa11"}`,
			signed: "description=Two cups&name=Tea club&product_id=prod_aa11",
		},
		{
			name: "delete: the id alone", path: pathProductDelete, file: "product_delete_ok.json",
			call: func(ctx context.Context, c *Client) error { _, err := c.DeleteProduct(ctx, "prod_aa11"); return err },
			form: "product_id=prod_aa11", json: `{"product_id":"prod_aa11"}`, signed: "product_id=prod_aa11",
		},
		{
			name: "query: every filter", path: pathProductQuery, file: "customer_query_empty.json",
			call: func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.QueryProduct(ctx, &ProductQuery{ID: "prod_aa11", Name: "Milk tea club", Description: "x",
					Currency: CurrencyHKD, Interval: IntervalMonthly, PageSize: 20}))
				return errorsJoin(errs)
			},
			form:   "description=x&interval=monthly&name=Milk+tea+club&page=1&page_size=20&product_id=prod_aa11&txcurrcd=HKD",
			json:   `{"description":"x","interval":"monthly","name":"Milk tea club","page":1,"page_size":20,"product_id":"prod_aa11","txcurrcd":"HKD"}`,
			signed: "description=x&interval=monthly&name=Milk tea club&page=1&page_size=20&product_id=prod_aa11&txcurrcd=HKD",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/form/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st))
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

func TestProductCallsDecode(t *testing.T) {
	t.Run("create, update and delete answer the id (and the rows)", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathProductCreate, "product_create_ok.json")
		e.respondFile(http.MethodPost, pathProductUpdate, "product_update_ok.json")
		e.respondFile(http.MethodPost, pathProductDelete, "product_delete_ok.json")
		created, err := e.client.CreateProduct(t.Context(), monthlyProduct())
		require.NoError(t, err)
		assert.Equal(t, Product{ID: "prod_aa11"}, *created)
		updated, err := e.client.UpdateProduct(t.Context(), "prod_aa11", &ProductUpdate{Name: "x"})
		require.NoError(t, err)
		assert.Equal(t, Product{ID: "prod_aa11", Rows: 1}, *updated)
		deleted, err := e.client.DeleteProduct(t.Context(), "prod_aa11")
		require.NoError(t, err)
		assert.Equal(t, Product{ID: "prod_aa11", Rows: 1}, *deleted)
	})
	t.Run("query: strings and numbers, null", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathProductQuery, "product_query_page.json")
		got, errs := collectSeq(e.client.QueryProduct(t.Context(), nil))
		require.Empty(t, errs)
		assert.Equal(t, []Product{
			{ID: "prod_aa11", Name: "Milk tea club", Type: ProductRecurring, Description: "One cup a day", Amount: 9900,
				Currency: CurrencyHKD, Interval: IntervalMonthly, IntervalCount: 1, UsageType: UsageLicensed},
			{ID: "prod_bb22", Name: "Gift box", Type: ProductOneTime, Amount: 25000, Currency: CurrencyHKD, UsageType: UsageLicensed},
		}, got)
		assert.Len(t, e.requests(), 1, "a short page ends the list")
	})
	t.Run("query: an amount that is not minor units", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathProductQuery, "product_query_bad_amount.json")
		got, errs := collectSeq(e.client.QueryProduct(t.Context(), nil))
		assert.Empty(t, got)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrMalformedResponse)
		assert.Contains(t, errs[0].Error(), "field txamt")
	})
	t.Run("delete refused: a subscription holds the product", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathProductDelete, "product_delete_1136.json")
		got, err := e.client.DeleteProduct(t.Context(), "prod_aa11")
		assert.Nil(t, got)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "1136", apiErr.Code)
		assert.True(t, apiErr.Declined())
	})
	t.Run("create refused", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathProductCreate, "product_create_1104.json")
		_, err := e.client.CreateProduct(t.Context(), monthlyProduct())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "interval is required for recurring products", apiErr.Detail)
	})
}

func TestProductValidation(t *testing.T) {
	with := func(change func(r *ProductRequest)) *ProductRequest {
		r := monthlyProduct()
		change(r)
		return r
	}
	create := func(r *ProductRequest) func(context.Context, *Client) (bool, error) {
		return func(ctx context.Context, c *Client) (bool, error) {
			p, err := c.CreateProduct(ctx, r)
			return p != nil, err
		}
	}
	tests := []struct {
		name  string
		opts  []Option
		call  func(context.Context, *Client) (bool, error)
		field string
	}{
		{"nil", nil, create(nil), wholeRequest},
		{"valid monthly", nil, create(monthlyProduct()), ""},
		{"no name", nil, create(with(func(r *ProductRequest) { r.Name = "" })), "name"},
		{"a description with a control character", nil, create(with(func(r *ProductRequest) { r.Description = "a\x00b" })), "description"},
		{"amount 0", nil, create(with(func(r *ProductRequest) { r.Amount = 0 })), "txamt"},
		{"no currency", nil, create(with(func(r *ProductRequest) { r.Currency = "" })), "txcurrcd"},
		{"an unknown type", nil, create(with(func(r *ProductRequest) { r.Type = "weekly" })), "type"},
		{"recurring without an interval", nil, create(with(func(r *ProductRequest) { r.Interval = "" })), "interval"},
		{"recurring, an unknown interval", nil, create(with(func(r *ProductRequest) { r.Interval = "weekly" })), "interval"},
		{"recurring without a count", nil, create(with(func(r *ProductRequest) { r.IntervalCount = 0 })), "interval_count"},
		{"13 months: more than a year", nil, create(with(func(r *ProductRequest) { r.IntervalCount = 13 })), "interval_count"},
		{"12 months", nil, create(with(func(r *ProductRequest) { r.IntervalCount = 12 })), ""},
		{"2 years", nil, create(with(func(r *ProductRequest) { r.Interval, r.IntervalCount = IntervalYearly, 2 })), "interval_count"},
		{"8,761 hours", nil, create(with(func(r *ProductRequest) { r.Interval, r.IntervalCount = IntervalHours, 8761 })), "interval_count"},
		{"an unknown usage type", nil, create(with(func(r *ProductRequest) { r.UsageType = "metered" })), "usage_type"},
		{"one-time with an interval", nil, create(with(func(r *ProductRequest) { r.Type = "" })), "interval"},
		{"one-time with a count", nil, create(&ProductRequest{Name: "x", Amount: 1, Currency: CurrencyHKD, IntervalCount: 1}), "interval_count"},
		{"one-time with a usage type", nil, create(&ProductRequest{Name: "x", Amount: 1, Currency: CurrencyHKD, UsageType: UsageLicensed}), "usage_type"},
		{"minutes through a test server", nil, create(with(func(r *ProductRequest) { r.Interval = IntervalMinutes })), ""},
		{"minutes in the Hong Kong sandbox", []Option{WithEnvironment(HongKongSandbox)}, create(with(func(r *ProductRequest) { r.Interval = IntervalMinutes })), ""},
		{"minutes in production", []Option{WithEnvironment(HongKongLive)}, create(with(func(r *ProductRequest) { r.Interval = IntervalMinutes })), "interval"},
		{"hours in production", []Option{WithEnvironment(ChinaLive)}, create(with(func(r *ProductRequest) { r.Interval = IntervalHours })), "interval"},
		{"update without an id", nil, func(ctx context.Context, c *Client) (bool, error) {
			p, err := c.UpdateProduct(ctx, "", &ProductUpdate{Name: "x"})
			return p != nil, err
		}, "product_id"},
		{"update with nothing to change", nil, func(ctx context.Context, c *Client) (bool, error) {
			p, err := c.UpdateProduct(ctx, "prod_1", &ProductUpdate{})
			return p != nil, err
		}, wholeRequest},
		{"update, a name with a tab", nil, func(ctx context.Context, c *Client) (bool, error) {
			p, err := c.UpdateProduct(ctx, "prod_1", &ProductUpdate{Name: "a\tb"})
			return p != nil, err
		}, "name"},
		{"delete without an id", nil, func(ctx context.Context, c *Client) (bool, error) {
			p, err := c.DeleteProduct(ctx, "")
			return p != nil, err
		}, "product_id"},
		{"query, a lower-case currency", nil, func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QueryProduct(ctx, &ProductQuery{Currency: "hkd"}))
			return len(got) > 0, errorsJoin(errs)
		}, "txcurrcd"},
		{"query, an unknown interval", nil, func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QueryProduct(ctx, &ProductQuery{Interval: "weekly"}))
			return len(got) > 0, errorsJoin(errs)
		}, "interval"},
		{"query, a page size of 101", nil, func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QueryProduct(ctx, &ProductQuery{PageSize: 101}))
			return len(got) > 0, errorsJoin(errs)
		}, "page_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			if len(tt.opts) > 0 {
				// A named environment replaces the test base URL: answer
				// there too.
				e.mock.RegisterResponder(http.MethodPost, string(e.client.Environment())+pathProductCreate, func(r *http.Request) (*http.Response, error) {
					e.record(r)
					return httpmockJSON(readTestdata(t, "product_create_ok.json")), nil
				})
			}
			e.respondFile(http.MethodPost, pathProductCreate, "product_create_ok.json")
			answered, err := tt.call(t.Context(), e.client)
			assertValidation(t, e, answered, err, tt.field)
		})
	}
}

func TestCreateProductDoesNotModifyTheRequest(t *testing.T) {
	e := setup(t)
	e.respondFile(http.MethodPost, pathProductCreate, "product_create_ok.json")
	req := monthlyProduct()
	_, err := e.client.CreateProduct(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, monthlyProduct(), req, "usage_type is added to what is sent, not to the request")
	assert.Contains(t, e.last().RawBody, "usage_type=licensed")
}

func TestInterval(t *testing.T) {
	tests := []struct {
		in          Interval
		max         int
		sandboxOnly bool
	}{
		{IntervalMonthly, 12, false},
		{IntervalYearly, 1, false},
		{IntervalHours, 8760, true},
		{IntervalMinutes, 525600, true},
		{"weekly", 0, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			assert.Equal(t, tt.max, tt.in.MaxIntervalCount())
			assert.Equal(t, tt.sandboxOnly, tt.in.SandboxOnly())
		})
	}
}

// httpmockJSON is an HTTP 200 JSON answer with body.
func httpmockJSON(body string) *http.Response {
	resp := httpmock.NewStringResponse(http.StatusOK, body)
	resp.Header.Set("Content-Type", "application/json")
	return resp
}
