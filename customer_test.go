package qfpay

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathCustomerCreate = "/customer/v1/create"
	pathCustomerUpdate = "/customer/v1/update"
	pathCustomerQuery  = "/customer/v1/query"
	pathCustomerDelete = "/customer/v1/delete"
)

// respondInTurn answers the calls to method path with the testdata files
// in turn, the last one again once they run out.
func (e *testEnv) respondInTurn(method, path string, files ...string) {
	var bodies []string
	for _, f := range files {
		bodies = append(bodies, readTestdata(e.t, f))
	}
	n := 0
	e.respondFunc(method, path, func(*http.Request) (*http.Response, error) {
		e.mu.Lock()
		b := bodies[min(n, len(bodies)-1)]
		n++
		e.mu.Unlock()
		resp := httpmock.NewStringResponse(http.StatusOK, b)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

// collectSeq ranges over seq, returning the items and errors yielded.
func collectSeq[T any](seq func(func(*T, error) bool)) ([]T, []error) {
	var items []T
	var errs []error
	for it, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, *it)
	}
	return items, errs
}

func docCustomer() *CustomerRequest {
	return &CustomerRequest{
		Name: "Chan Tai Man", Phone: "+852 9123 4567", Email: "tm.chan@example.com",
		BillingAddress: &BillingAddress{Address1: "1 Queen's Road Central", City: "Hong Kong", CountryCode: "HK"},
	}
}

const (
	docCustomerForm   = "billing_address=%7B%22address1%22%3A%221+Queen%27s+Road+Central%22%2C%22city%22%3A%22Hong+Kong%22%2C%22country_code%22%3A%22HK%22%7D&email=tm.chan%40example.com&name=Chan+Tai+Man&phone=%2B852+9123+4567"
	docCustomerJSON   = `{"billing_address":{"address1":"1 Queen's Road Central","city":"Hong Kong","country_code":"HK"},"email":"tm.chan@example.com","name":"Chan Tai Man","phone":"+852 9123 4567"}`
	docCustomerSigned = `billing_address={"address1":"1 Queen's Road Central","city":"Hong Kong","country_code":"HK"}&email=tm.chan@example.com&name=Chan Tai Man&phone=+852 9123 4567`
)

// TestCustomerCallsSend pins each customer call's exact body, in both
// encodings, and its signature recomputed independently.
func TestCustomerCallsSend(t *testing.T) {
	tests := []struct {
		name       string
		path, file string
		call       func(context.Context, *Client) error
		form, json string
		signed     string
	}{
		{
			name: "create: every field, the address as JSON", path: pathCustomerCreate, file: "customer_create_ok.json",
			call: func(ctx context.Context, c *Client) error { _, err := c.CreateCustomer(ctx, docCustomer()); return err },
			form: docCustomerForm, json: docCustomerJSON, signed: docCustomerSigned,
		},
		{
			name: "create: no field at all", path: pathCustomerCreate, file: "customer_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateCustomer(ctx, &CustomerRequest{})
				return err
			},
			form: "", json: "{}", signed: "",
		},
		{
			name: "create: an empty address is not sent", path: pathCustomerCreate, file: "customer_create_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.CreateCustomer(ctx, &CustomerRequest{Name: "Lee", BillingAddress: &BillingAddress{}})
				return err
			},
			form: "name=Lee", json: `{"name":"Lee"}`, signed: "name=Lee",
		},
		{
			name: "update: the id and the fields to change", path: pathCustomerUpdate, file: "customer_update_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.UpdateCustomer(ctx, "cust_9a8b7c6d5e4f", &CustomerRequest{Email: "new@example.com"})
				return err
			},
			form:   "customer_id=cust_9a8b7c6d5e4f&email=new%40example.com",
			json:   `{"customer_id":"cust_9a8b7c6d5e4f","email":"new@example.com"}`,
			signed: "customer_id=cust_9a8b7c6d5e4f&email=new@example.com",
		},
		{
			name: "delete: the id alone", path: pathCustomerDelete, file: "customer_delete_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.DeleteCustomer(ctx, "cust_9a8b7c6d5e4f")
				return err
			},
			form: "customer_id=cust_9a8b7c6d5e4f", json: `{"customer_id":"cust_9a8b7c6d5e4f"}`, signed: "customer_id=cust_9a8b7c6d5e4f",
		},
		{
			name: "query: filters, the first page, the largest page size", path: pathCustomerQuery, file: "customer_query_empty.json",
			call: func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.QueryCustomer(ctx, &CustomerQuery{Email: "tm.chan@example.com", Name: "Chan"}))
				return errorsJoin(errs)
			},
			form:   "email=tm.chan%40example.com&name=Chan&page=1&page_size=100",
			json:   `{"email":"tm.chan@example.com","name":"Chan","page":1,"page_size":100}`,
			signed: "email=tm.chan@example.com&name=Chan&page=1&page_size=100",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/form/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st), WithMerchantID("MCH1"))
				e.respondFile(http.MethodPost, tt.path, tt.file)
				require.NoError(t, tt.call(t.Context(), e.client))
				r := e.last()
				assert.Equal(t, tt.form, r.RawBody)
				assert.Equal(t, "application/x-www-form-urlencoded; charset=UTF-8", r.Header.Get("Content-Type"))
				assert.Equal(t, referenceHash(tt.signed+testClientKey, st), r.Header.Get("X-QF-SIGN"), "no mchid, txdtm or txzone: the recurring tables take none")
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

// errorsJoin is the first of errs, or nil.
func errorsJoin(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func TestCustomerCallsDecode(t *testing.T) {
	tests := []struct {
		name string
		path string
		file string
		call func(context.Context, *Client) (*Customer, error)
		want Customer
	}{
		{"create answers the id", pathCustomerCreate, "customer_create_ok.json",
			func(ctx context.Context, c *Client) (*Customer, error) { return c.CreateCustomer(ctx, docCustomer()) },
			Customer{ID: "cust_9a8b7c6d5e4f"}},
		{"update answers the id and rowAffected", pathCustomerUpdate, "customer_update_ok.json",
			func(ctx context.Context, c *Client) (*Customer, error) {
				return c.UpdateCustomer(ctx, "cust_9a8b7c6d5e4f", &CustomerRequest{Name: "Chan"})
			},
			Customer{ID: "cust_9a8b7c6d5e4f", Rows: 1}},
		{"delete answers the id and rowDeleted, a string", pathCustomerDelete, "customer_delete_ok.json",
			func(ctx context.Context, c *Client) (*Customer, error) {
				return c.DeleteCustomer(ctx, "cust_9a8b7c6d5e4f")
			},
			Customer{ID: "cust_9a8b7c6d5e4f", Rows: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, tt.path, tt.file)
			got, err := tt.call(t.Context(), e.client)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestQueryCustomerPages(t *testing.T) {
	page1 := []Customer{
		{ID: "cust_9a8b7c6d5e4f", Name: "Chan Tai Man", Phone: "+852 9123 4567", Email: "tm.chan@example.com",
			BillingAddress: &BillingAddress{Address1: "1 Queen's Road Central", City: "Hong Kong", CountryCode: "HK"}},
		{ID: "cust_1b2c3d4e5f60", Name: "Wong Siu Ming", Email: "sm.wong@example.com",
			BillingAddress: &BillingAddress{Address1: "8 Finance Street", Address2: "Flat 12A", PostalCode: "999077", CountryCode: "HK"}},
	}
	page2 := []Customer{{ID: "cust_7a6b5c4d3e2f", Name: "Lee Ka Yan", Phone: "85291234567"}}

	t.Run("every page until a short one", func(t *testing.T) {
		e := setup(t)
		e.respondInTurn(http.MethodPost, pathCustomerQuery, "customer_query_page1.json", "customer_query_page2.json")
		q := &CustomerQuery{PageSize: 2}
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), q))
		require.Empty(t, errs)
		assert.Equal(t, append(append([]Customer{}, page1...), page2...), got)
		reqs := e.requests()
		require.Len(t, reqs, 2)
		assert.Equal(t, "page=1&page_size=2", reqs[0].RawBody)
		assert.Equal(t, "page=2&page_size=2", reqs[1].RawBody)
		assert.Equal(t, &CustomerQuery{PageSize: 2}, q, "the query is not modified")
	})
	t.Run("a full last page needs an empty one to end", func(t *testing.T) {
		e := setup(t)
		e.respondInTurn(http.MethodPost, pathCustomerQuery, "customer_query_page1.json", "customer_query_empty.json")
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), &CustomerQuery{PageSize: 2}))
		require.Empty(t, errs)
		assert.Equal(t, page1, got)
		assert.Len(t, e.requests(), 2)
	})
	t.Run("a page served twice is an error, not a loop", func(t *testing.T) {
		e := setup(t)
		e.respondInTurn(http.MethodPost, pathCustomerQuery, "customer_query_page1.json")
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), &CustomerQuery{PageSize: 2}))
		assert.Equal(t, page1, got)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrMalformedResponse)
		assert.Contains(t, errs[0].Error(), "page 2 repeats page 1 (cust_9a8b7c6d5e4f)")
		assert.Len(t, e.requests(), 2)
	})
	t.Run("breaking the loop asks for no more pages", func(t *testing.T) {
		e := setup(t)
		e.respondInTurn(http.MethodPost, pathCustomerQuery, "customer_query_page1.json", "customer_query_page2.json")
		for c, err := range e.client.QueryCustomer(t.Context(), &CustomerQuery{PageSize: 2}) {
			require.NoError(t, err)
			assert.Equal(t, "cust_9a8b7c6d5e4f", c.ID)
			break
		}
		assert.Len(t, e.requests(), 1)
	})
	t.Run("a record without customer_id", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomerQuery, "customer_query_no_id.json")
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), nil))
		assert.Empty(t, got, "nothing of a malformed page is yielded")
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrMalformedResponse)
		assert.Contains(t, errs[0].Error(), "data item 2: customer without customer_id")
	})
	t.Run("an address that is no JSON object is left out", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomerQuery, "customer_query_odd_address.json")
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), nil))
		require.Empty(t, errs)
		assert.Equal(t, []Customer{{ID: "cust_9a8b7c6d5e4f", Name: "Chan Tai Man"}, {ID: "cust_1b2c3d4e5f60"}}, got)
	})
	t.Run("a refused page ends the sequence with the error", func(t *testing.T) {
		e := setup(t)
		e.respondInTurn(http.MethodPost, pathCustomerQuery, "customer_query_page1.json", "customer_create_1104.json")
		got, errs := collectSeq(e.client.QueryCustomer(t.Context(), &CustomerQuery{PageSize: 2}))
		assert.Equal(t, page1, got)
		require.Len(t, errs, 1)
		var apiErr *APIError
		require.ErrorAs(t, errs[0], &apiErr)
		assert.Equal(t, "1104", apiErr.Code)
		assert.Equal(t, pathCustomerQuery, apiErr.Path)
	})
}

func TestCustomerCallsFailures(t *testing.T) {
	create := func(ctx context.Context, c *Client) error { _, err := c.CreateCustomer(ctx, docCustomer()); return err }
	tests := []struct {
		name     string
		respond  func(e *testEnv)
		call     func(context.Context, *Client) error
		requests int
		check    func(t *testing.T, err error)
	}{
		{"refused 1104", func(e *testEnv) { e.respondFile(http.MethodPost, pathCustomerCreate, "customer_create_1104.json") }, create, 1,
			func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "1104", apiErr.Code)
				assert.Equal(t, "billing_address is not a JSON object", apiErr.Detail)
			}},
		{"a success without customer_id", func(e *testEnv) { e.respondFile(http.MethodPost, pathCustomerCreate, "customer_create_no_id.json") }, create, 1,
			func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), "data: customer without customer_id")
			}},
		{"a 502 page: a creation is not repeated", func(e *testEnv) { e.respondHTML(http.MethodPost, pathCustomerCreate, http.StatusBadGateway) }, create, 1,
			func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown, "no money moves")
			}},
		{"a 502 page: a deletion is not repeated either", func(e *testEnv) { e.respondHTML(http.MethodPost, pathCustomerDelete, http.StatusBadGateway) },
			func(ctx context.Context, c *Client) error { _, err := c.DeleteCustomer(ctx, "cust_1"); return err }, 1,
			func(t *testing.T, err error) { assert.Contains(t, err.Error(), "HTTP 502") }},
		{"a 502 page: a query is asked again", func(e *testEnv) { e.respondHTML(http.MethodPost, pathCustomerQuery, http.StatusBadGateway) },
			func(ctx context.Context, c *Client) error {
				_, errs := collectSeq(c.QueryCustomer(ctx, nil))
				return errorsJoin(errs)
			}, 3,
			func(t *testing.T, err error) { assert.Contains(t, err.Error(), "HTTP 502") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			tt.respond(e)
			err := tt.call(t.Context(), e.client)
			require.Error(t, err)
			tt.check(t, err)
			assert.Len(t, e.requests(), tt.requests)
			assertNoKey(t, err.Error(), "error")
		})
	}
}

func TestCustomerCallsValidation(t *testing.T) {
	tests := []struct {
		name  string
		call  func(context.Context, *Client) (bool, error)
		field string
	}{
		{"create nil", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, nil)
			return r != nil, err
		}, wholeRequest},
		{"create valid", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, docCustomer())
			return r != nil, err
		}, ""},
		{"create, an email without @", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, &CustomerRequest{Email: "tm.chan.example.com"})
			return r != nil, err
		}, "email"},
		{"create, an email with a blank", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, &CustomerRequest{Email: "tm chan@example.com"})
			return r != nil, err
		}, "email"},
		{"create, a name with a newline", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, &CustomerRequest{Name: "Chan\nTai Man"})
			return r != nil, err
		}, "name"},
		{"create, an address line not UTF-8", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.CreateCustomer(ctx, &CustomerRequest{BillingAddress: &BillingAddress{City: "\xff"}})
			return r != nil, err
		}, "billing_address"},
		{"update without an id", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.UpdateCustomer(ctx, "", &CustomerRequest{Name: "x"})
			return r != nil, err
		}, "customer_id"},
		{"update, an id with a blank", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.UpdateCustomer(ctx, " cust_1", &CustomerRequest{Name: "x"})
			return r != nil, err
		}, "customer_id"},
		{"update with nothing to change", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.UpdateCustomer(ctx, "cust_1", &CustomerRequest{BillingAddress: &BillingAddress{}})
			return r != nil, err
		}, wholeRequest},
		{"update nil", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.UpdateCustomer(ctx, "cust_1", nil)
			return r != nil, err
		}, wholeRequest},
		{"delete without an id", func(ctx context.Context, c *Client) (bool, error) {
			r, err := c.DeleteCustomer(ctx, "")
			return r != nil, err
		}, "customer_id"},
		{"query with a page size of 101", func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QueryCustomer(ctx, &CustomerQuery{PageSize: 101}))
			return len(got) > 0, errorsJoin(errs)
		}, "page_size"},
		{"query with a negative page size", func(ctx context.Context, c *Client) (bool, error) {
			got, errs := collectSeq(c.QueryCustomer(ctx, &CustomerQuery{PageSize: -1}))
			return len(got) > 0, errorsJoin(errs)
		}, "page_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathCustomerCreate, "customer_create_ok.json")
			answered, err := tt.call(t.Context(), e.client)
			assertValidation(t, e, answered, err, tt.field)
			if err != nil {
				assert.False(t, strings.Contains(err.Error(), testClientKey))
			}
		})
	}
}
