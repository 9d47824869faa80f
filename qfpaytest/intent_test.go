package qfpaytest_test

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

func intentReq(outTradeNo, notifyURL string) *qfpay.PaymentIntentRequest {
	return &qfpay.PaymentIntentRequest{PayType: qfpay.PayTypeVisaMastercardOnline, Amount: 4200, Currency: qfpay.CurrencyHKD,
		OutTradeNo: outTradeNo, ReturnURL: "https://shop.example/ok", NotifyURL: notifyURL}
}

// TestPaymentIntentLifecycleSDK: the SDK creates an intent, the shopper
// pays or is declined through the Element; notification and query follow.
func TestPaymentIntentLifecycleSDK(t *testing.T) {
	tests := []struct {
		name     string
		settle   func(*qfpaytest.Server, string) (qfpaytest.Transaction, error)
		respcd   string
		notified bool
	}{
		{"paid", (*qfpaytest.Server).PayIntent, "0000", true},
		{"declined", (*qfpaytest.Server).DeclineIntent, qfpaytest.CheckoutDeclineCode, false},
	}
	for _, tt := range tests {
		for _, signType := range []qfpay.SignType{qfpay.MD5, qfpay.SHA256} {
			t.Run(tt.name+"/"+string(signType), func(t *testing.T) {
				rc := newReceiver(t, reply{200, "SUCCESS"})
				srv := newServer(t, fast, qfpaytest.WithMerchantID("MCH1"))
				client := newClient(t, srv, qfpay.WithSignType(signType), qfpay.WithMerchantID("MCH1"))
				ctx := t.Context()

				intent, err := client.CreatePaymentIntent(ctx, intentReq("pi-1", rc.URL+"/n"))
				require.NoError(t, err)
				assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), intent.ID)
				assert.True(t, intent.Expiry.Equal(t0.Add(qfpaytest.IntentLifetime)), "intent_expiry %v", intent.Expiry)
				assert.True(t, intent.SysTime.Equal(t0))
				assert.Equal(t, "pi-1", intent.OutTradeNo)
				assert.Equal(t, int64(4200), intent.Amount)
				assert.Equal(t, qfpay.CurrencyHKD, intent.Currency)

				tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"pi-1"}})
				assert.Equal(t, "1143", tx.RespCode, "waiting for the shopper")
				assert.Equal(t, qfpay.PayTypeVisaMastercardOnline, tx.PayType)

				snap, err := tt.settle(srv, intent.ID)
				require.NoError(t, err)
				assert.Equal(t, tt.respcd, snap.RespCode)

				got, err := client.WaitForPayment(ctx, "pi-1")
				if tt.notified {
					require.NoError(t, err)
					assert.Equal(t, int64(4200), got.Amount)
					ds := waitDeliveries(t, srv, 1)
					require.Len(t, ds, 1)
					assert.Equal(t, rc.URL+"/n", ds[0].URL)
					n, err := qfpay.ParseNotification(ds[0].Body, ds[0].Signature, clientKey)
					require.NoError(t, err)
					assert.Equal(t, qfpay.NotifyPayment, n.Type)
					assert.Equal(t, "pi-1", n.OutTradeNo)
					assert.Equal(t, "MCH1", n.MerchantID)
				} else {
					require.ErrorIs(t, err, qfpay.ErrPaymentFailed)
					assert.Equal(t, tt.respcd, got.RespCode)
					assert.Empty(t, srv.Deliveries())
				}

				_, err = tt.settle(srv, intent.ID)
				assert.ErrorIs(t, err, qfpaytest.ErrNotPayable, "settled once")
			})
		}
	}
}

func TestPaymentIntentExpires(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	intent, err := client.CreatePaymentIntent(t.Context(), intentReq("pi-exp", ""))
	require.NoError(t, err)
	srv.Advance(qfpaytest.IntentLifetime)
	_, err = srv.PayIntent(intent.ID)
	require.ErrorIs(t, err, qfpaytest.ErrNotPayable)
	tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"pi-exp"}})
	assert.Equal(t, "1181", tx.RespCode)
}

func TestPaymentIntentRefusals(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	ctx := t.Context()
	_, err := client.CreatePaymentIntent(ctx, intentReq("pi-dup", ""))
	require.NoError(t, err)

	tests := []struct {
		name string
		req  *qfpay.PaymentIntentRequest
		code string
	}{
		{"out_trade_no used", intentReq("pi-dup", ""), "2011"},
		{"unknown pay type", &qfpay.PaymentIntentRequest{PayType: "999999", Amount: 100, OutTradeNo: "pi-x"}, "1104"},
		{"unknown currency", &qfpay.PaymentIntentRequest{PayType: qfpay.PayTypeVisaMastercardOnline, Amount: 100, Currency: "XXX", OutTradeNo: "pi-y"}, "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := client.CreatePaymentIntent(ctx, tt.req)
			assert.Nil(t, got)
			assert.Equal(t, tt.code, apiCode(t, err))
		})
	}
	t.Run("no currency: HKD", func(t *testing.T) {
		got, err := client.CreatePaymentIntent(ctx, &qfpay.PaymentIntentRequest{PayType: qfpay.PayTypeAlipayHKOnlineWAP, Amount: 100, OutTradeNo: "pi-hkd"})
		require.NoError(t, err)
		assert.Equal(t, qfpay.CurrencyHKD, got.Currency)
	})
	t.Run("unknown intent", func(t *testing.T) {
		_, err := srv.PayIntent("00000000000000000000000000000000")
		assert.True(t, errors.Is(err, qfpaytest.ErrNotFound), "%v", err)
	})
	t.Run("the sandbox's clock", func(t *testing.T) {
		srv.SetNow(t0.Add(time.Hour))
		got, err := client.CreatePaymentIntent(ctx, intentReq("pi-later", ""))
		require.NoError(t, err)
		assert.True(t, got.SysTime.Equal(t0.Add(time.Hour)))
	})
}
