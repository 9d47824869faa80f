package qfpay

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pathPaymentIntent = "/payment_element/v1/create_payment_intent"

func docPaymentIntentRequest() *PaymentIntentRequest {
	return &PaymentIntentRequest{PayType: PayTypeVisaMastercardOnline, Amount: 300, Currency: CurrencyHKD, OutTradeNo: "element-0001"}
}

func TestCreatePaymentIntentSends(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		req    PaymentIntentRequest
		body   string
		signed string
	}{
		{
			name:   "required fields: no txdtm, no txzone",
			req:    *docPaymentIntentRequest(),
			body:   "out_trade_no=element-0001&pay_type=802801&txamt=300&txcurrcd=HKD",
			signed: "out_trade_no=element-0001&pay_type=802801&txamt=300&txcurrcd=HKD",
		},
		{
			name: "every field; the client's zone sends no txzone here",
			opts: []Option{WithLocation(time.UTC)},
			req: PaymentIntentRequest{PayType: PayTypeVisaMastercardOnline, Amount: 1200, Currency: CurrencyUSD, OutTradeNo: "E2", MerchantID: "MCH1",
				ReturnURL: "https://shop.example/ok?o=E2", FailedURL: "https://shop.example/fail", NotifyURL: "https://shop.example/n"},
			body:   "failed_url=https%3A%2F%2Fshop.example%2Ffail&mchid=MCH1&notify_url=https%3A%2F%2Fshop.example%2Fn&out_trade_no=E2&pay_type=802801&return_url=https%3A%2F%2Fshop.example%2Fok%3Fo%3DE2&txamt=1200&txcurrcd=USD",
			signed: "failed_url=https://shop.example/fail&mchid=MCH1&notify_url=https://shop.example/n&out_trade_no=E2&pay_type=802801&return_url=https://shop.example/ok?o=E2&txamt=1200&txcurrcd=USD",
		},
		{
			name:   "the client's mchid; no currency",
			opts:   []Option{WithMerchantID("MCH9")},
			req:    PaymentIntentRequest{PayType: PayTypeVisaMastercardOnline, Amount: 300, OutTradeNo: "E3"},
			body:   "mchid=MCH9&out_trade_no=E3&pay_type=802801&txamt=300",
			signed: "mchid=MCH9&out_trade_no=E3&pay_type=802801&txamt=300",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_ok.json")
				req := tt.req
				_, err := e.client.CreatePaymentIntent(t.Context(), &req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), pathPaymentIntent, tt.body, tt.signed, st)
				assert.Equal(t, tt.req, req)
			})
		}
	}
}

func TestCreatePaymentIntentDecodes(t *testing.T) {
	want := PaymentIntent{
		ID:         "f3a1c9d2e4b5a6978877665544332211",
		Expiry:     time.Date(2024, 5, 15, 7, 28, 38, 0, beijing),
		OutTradeNo: "element-0001", Amount: 300, Currency: CurrencyHKD,
		SysTime:  time.Date(2024, 5, 14, 11, 28, 38, 0, beijing),
		RespCode: "0000",
	}
	tests := []struct {
		name, file string
	}{
		{"the documentation's shape", "create_payment_intent_ok.json"},
		{"numbers, respcd 0000 unquoted, null, an unknown field", "create_payment_intent_numbers.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathPaymentIntent, tt.file)
			got, err := e.client.CreatePaymentIntent(t.Context(), docPaymentIntentRequest())
			require.NoError(t, err)
			assert.Equal(t, want, *got)
			assert.Equal(t, "UTC+8", got.Expiry.Location().String(), "read in the API's zone")
		})
	}
	t.Run("read in UTC+8 whatever the client's zone", func(t *testing.T) {
		e := setup(t, WithLocation(time.UTC))
		e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_ok.json")
		got, err := e.client.CreatePaymentIntent(t.Context(), docPaymentIntentRequest())
		require.NoError(t, err)
		assert.True(t, got.Expiry.Equal(time.Date(2024, 5, 14, 23, 28, 38, 0, time.UTC)), "%v", got.Expiry)
	})
}

// TestCreatePaymentIntentFailures: refusals, unusable successes and
// transport failures are returned as they are, after exactly one request:
// creating an intent is never re-sent, and moves no money.
func TestCreatePaymentIntentFailures(t *testing.T) {
	tests := []struct {
		name    string
		respond func(e *testEnv)
		check   func(t *testing.T, err error)
	}{
		{"refused 1104", func(e *testEnv) { e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_1104.json") },
			func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "1104", apiErr.Code)
				assert.Equal(t, "pay_type not activated for this merchant", apiErr.Detail)
				assert.Equal(t, pathPaymentIntent, apiErr.Path)
			}},
		{"out_trade_no taken 2011", func(e *testEnv) { e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_2011.json") },
			func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrDuplicate) }},
		{"success without payment_intent", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_no_intent.json")
		}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "without payment_intent")
		}},
		{"intent_expiry not a time", func(e *testEnv) {
			e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_bad_expiry.json")
		}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "intent_expiry")
		}},
		{"502 page", func(e *testEnv) { e.respondHTML(http.MethodPost, pathPaymentIntent, http.StatusBadGateway) },
			func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
			}},
		{"429", func(e *testEnv) {
			e.respond(http.MethodPost, pathPaymentIntent, http.StatusTooManyRequests, "", "Retry-After", "0")
		}, func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrRateLimited) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			tt.respond(e)
			got, err := e.client.CreatePaymentIntent(t.Context(), docPaymentIntentRequest())
			assert.Nil(t, got)
			require.Error(t, err)
			tt.check(t, err)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "no money moves")
			assert.Len(t, e.requests(), 1, "sent once, never re-sent")
			assertNoKey(t, err.Error(), "error")
		})
	}
}

func TestCreatePaymentIntentValidation(t *testing.T) {
	with := func(change func(r *PaymentIntentRequest)) *PaymentIntentRequest {
		r := docPaymentIntentRequest()
		change(r)
		return r
	}
	n := strings.Repeat
	tests := []struct {
		name  string
		req   *PaymentIntentRequest
		field string
	}{
		{"nil", nil, wholeRequest},
		{"valid", docPaymentIntentRequest(), ""},
		{"no PayType", with(func(r *PaymentIntentRequest) { r.PayType = "" }), "pay_type"},
		{"Amount 0", with(func(r *PaymentIntentRequest) { r.Amount = 0 }), "txamt"},
		{"no Currency: optional", with(func(r *PaymentIntentRequest) { r.Currency = "" }), ""},
		{"lower-case Currency", with(func(r *PaymentIntentRequest) { r.Currency = "hkd" }), "txcurrcd"},
		{"no OutTradeNo", with(func(r *PaymentIntentRequest) { r.OutTradeNo = "" }), "out_trade_no"},
		{"MerchantID of 17", with(func(r *PaymentIntentRequest) { r.MerchantID = n("m", 17) }), "mchid"},
		{"ReturnURL http on a public host", with(func(r *PaymentIntentRequest) { r.ReturnURL = "http://shop.example/ok" }), "return_url"},
		{"ReturnURL of 513", with(func(r *PaymentIntentRequest) { r.ReturnURL = "https://m.example/" + n("r", 495) }), "return_url"},
		{"FailedURL relative", with(func(r *PaymentIntentRequest) { r.FailedURL = "/fail" }), "failed_url"},
		{"NotifyURL on port 8443", with(func(r *PaymentIntentRequest) { r.NotifyURL = "https://shop.example:8443/n" }), "notify_url"},
		{"NotifyURL on loopback", with(func(r *PaymentIntentRequest) { r.NotifyURL = "http://127.0.0.1:9000/n" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathPaymentIntent, "create_payment_intent_ok.json")
			got, err := e.client.CreatePaymentIntent(t.Context(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}
