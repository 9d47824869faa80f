package qfpay

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nestedTestRequest has a field of every kind a recurring body carries.
type nestedTestRequest struct {
	Name  string    `url:"name"`
	Count int       `url:"count,omitempty"`
	Items nested    `url:"items,omitempty"`
	When  time.Time `url:"when,omitempty"`
}

var epNestedTest = endpoint{method: "POST", path: "/test/v1/nested", nested: true}

type nestedTestItem struct {
	ID  string `json:"id"`
	Qty int    `json:"qty,omitempty"`
}

// assertSentJSON checks a JSON body: the exact bytes, its headers and the
// signature, recomputed from signed, the canonical string written out by
// hand, with crypto/md5 or crypto/sha256.
func assertSentJSON(t *testing.T, r received, path, body, signed string, st SignType) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, path, r.Path)
	assert.Empty(t, r.RawQuery, "parameters go in the body, not the URL")
	assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
	assert.Equal(t, body, r.RawBody)
	assert.Equal(t, referenceHash(signed+testClientKey, st), r.Header.Get("X-QF-SIGN"), "signed %q", signed)
	assert.Equal(t, testAppCode, r.Header.Get("X-QF-APPCODE"))
	if st == SHA256 {
		assert.Equal(t, "SHA256", r.Header.Get("X-QF-SIGNTYPE"))
	} else {
		assert.Empty(t, r.Header.Get("X-QF-SIGNTYPE"))
	}
}

// TestRecurringBody pins both encodings of the same request to the byte,
// and their one signature: the form carries the nested value as a field of
// compact JSON text, the JSON body embeds that same text, numbers become
// JSON numbers, and the signed string is the same either way.
func TestRecurringBody(t *testing.T) {
	when := time.Date(2024, 5, 14, 12, 32, 56, 0, beijing)
	tests := []struct {
		name   string
		req    nestedTestRequest
		form   string
		json   string
		signed string
	}{
		{
			name: "a nested list, a number, a time, characters JSON and forms escape",
			req: nestedTestRequest{Name: "a&b=c <tea>", Count: 2, When: when,
				Items: nested{[]nestedTestItem{{ID: "p&1", Qty: 2}, {ID: "<p2>"}}}},
			form:   "count=2&items=%5B%7B%22id%22%3A%22p%261%22%2C%22qty%22%3A2%7D%2C%7B%22id%22%3A%22%3Cp2%3E%22%7D%5D&name=a%26b%3Dc+%3Ctea%3E&when=2024-05-14+12%3A32%3A56",
			json:   `{"count":2,"items":[{"id":"p&1","qty":2},{"id":"<p2>"}],"name":"a&b=c <tea>","when":"2024-05-14 12:32:56"}`,
			signed: `count=2&items=[{"id":"p&1","qty":2},{"id":"<p2>"}]&name=a&b=c <tea>&when=2024-05-14 12:32:56`,
		},
		{
			name:   "empty values are neither sent nor signed",
			req:    nestedTestRequest{Name: "only"},
			form:   "name=only",
			json:   `{"name":"only"}`,
			signed: "name=only",
		},
		{
			name:   "a nested object, non-ASCII kept as UTF-8",
			req:    nestedTestRequest{Name: "陳大文", Items: nested{map[string]string{"city": "香港", "country_code": "HK"}}},
			form:   "items=%7B%22city%22%3A%22%E9%A6%99%E6%B8%AF%22%2C%22country_code%22%3A%22HK%22%7D&name=%E9%99%B3%E5%A4%A7%E6%96%87",
			json:   `{"items":{"city":"香港","country_code":"HK"},"name":"陳大文"}`,
			signed: `items={"city":"香港","country_code":"HK"}&name=陳大文`,
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/form/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st))
				e.respond(http.MethodPost, epNestedTest.path, http.StatusOK, `{"respcd":"0000"}`)
				req := tt.req
				require.NoError(t, e.client.call(t.Context(), &epNestedTest, &req, &struct{}{}))
				assertSentForm(t, e.last(), epNestedTest.path, tt.form, tt.signed, st)
			})
			t.Run(tt.name+"/json/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st), WithRecurringBody(BodyJSON))
				e.respond(http.MethodPost, epNestedTest.path, http.StatusOK, `{"respcd":"0000"}`)
				req := tt.req
				require.NoError(t, e.client.call(t.Context(), &epNestedTest, &req, &struct{}{}))
				assertSentJSON(t, e.last(), epNestedTest.path, tt.json, tt.signed, st)
			})
		}
	}
}

// TestRecurringBodyOnlyForRecurringCalls: BodyJSON changes the recurring
// calls only; every other call sends the API's form.
func TestRecurringBodyOnlyForRecurringCalls(t *testing.T) {
	e := setup(t, WithRecurringBody(BodyJSON))
	e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_ok.json")
	_, err := e.client.CreatePaymentIntent(t.Context(), docPaymentIntentRequest())
	require.NoError(t, err)
	r := e.last()
	assert.Equal(t, "application/x-www-form-urlencoded; charset=UTF-8", r.Header.Get("Content-Type"))
	assert.Equal(t, "out_trade_no=element-0001&pay_type=802801&txamt=300&txcurrcd=HKD", r.RawBody)
}

func TestWithRecurringBody(t *testing.T) {
	tests := []struct {
		name    string
		enc     BodyEncoding
		wantErr bool
	}{
		{"form", BodyForm, false},
		{"json", BodyJSON, false},
		{"empty", "", true},
		{"unknown", "xml", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithRecurringBody(tt.enc))
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tt.enc, c.recurringBody)
				return
			}
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), `qfpay: invalid request: recurring body encoding "`+string(tt.enc)+`"`)
			assert.Nil(t, c)
		})
	}
}

func TestJSONBodyRefusesWhatItCannotCarry(t *testing.T) {
	tests := []struct {
		name   string
		params map[string][]string
		want   string
	}{
		{"a repeated parameter", map[string][]string{"name": {"a", "b"}}, "parameter name has 2 values"},
		{"a nested value that is not JSON", map[string][]string{"items": {"[oops"}}, "parameter items is not JSON"},
		{"a number that is not one", map[string][]string{"count": {"12abc"}}, `parameter count is not a whole number: "12abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonBody(&nestedTestRequest{}, tt.params)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
