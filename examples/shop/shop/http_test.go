package shop_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestRoutes drives the shop's HTTP API: statuses and the JSON it answers.
func TestRoutes(t *testing.T) {
	e := newEnv(t, envConfig{})
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, data)
		}
		return resp.StatusCode, v
	}

	status, created := call("POST", "/orders", `{"amount": 1250, "currency": "HKD", "description": "tea"}`)
	id, _ := created["id"].(string)
	if status != http.StatusCreated || id == "" || created["state"] != "new" || created["amount"] != 1250.0 {
		t.Fatalf("create: %d %v", status, created)
	}
	cpm := `{"pay_type": "800208", "auth_code": "` + qfpaytest.AuthCodeSuccess + `"}`
	steps := []struct {
		name, method, path, body string
		status                   int
		field, want              string // a top-level field of the answer and its value
	}{
		{"create without amount", "POST", "/orders", `{"currency": "HKD"}`, 400, "error", "shop: invalid request: amount must be above zero (minor units), got 0"},
		{"create with an unknown field", "POST", "/orders", `{"amount": 1, "currency": "HKD", "tip": 1}`, 400, "error", `shop: request body: json: unknown field "tip"`},
		{"create in an unknown currency", "POST", "/orders", `{"amount": 1, "currency": "XXX"}`, 400, "error", `shop: invalid request: currency "XXX" is not one of QF Pay's`},
		{"get a missing order", "GET", "/orders/o-missing", "", 404, "error", `shop: no such order: "o-missing"`},
		{"refund before paying", "POST", "/orders/" + id + "/refunds", `{"amount": 100}`, 409, "error", `shop: the order is not paid: "` + id + `" is new`},
		{"pay", "POST", "/orders/" + id + "/pay", cpm, 200, "state", "paid"},
		{"pay again", "POST", "/orders/" + id + "/pay", cpm, 409, "error", "shop: the order is paid already"},
		{"get", "GET", "/orders/" + id, "", 200, "paid_out_trade_no", id + "-1"},
		{"refund", "POST", "/orders/" + id + "/refunds", `{"amount": 250}`, 200, "state", "succeeded"},
		{"refund too much", "POST", "/orders/" + id + "/refunds", `{"amount": 1001}`, 409, "error",
			"shop: the refund is more than what is left to refund (refunds whose outcome is unknown count as made): 1001 asked, 1250 paid, 250 refunded or reserved"},
		{"pay with a GET", "GET", "/orders/" + id + "/pay", "", 405, "", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.field == "" {
				req, _ := http.NewRequest(s.method, e.api.URL+s.path, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != s.status {
					t.Errorf("HTTP %d, want %d", resp.StatusCode, s.status)
				}
				return
			}
			status, got := call(s.method, s.path, s.body)
			if status != s.status || got[s.field] != s.want {
				t.Errorf("HTTP %d, %s %q; want %d, %q (answer %v)", status, s.field, got[s.field], s.status, s.want, got)
			}
		})
	}
	if got := e.get(id); got.Refunded != 250 {
		t.Errorf("refunded %d, want 250", got.Refunded)
	}
}
