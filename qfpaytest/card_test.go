package qfpaytest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// hold places a card pre-authorisation of amount through a payment intent,
// as the Payment Element does, and returns its syssn.
func hold(t *testing.T, srv *qfpaytest.Server, client *qfpay.Client, outTradeNo string, amount int64, notifyURL string) string {
	t.Helper()
	intent, err := client.CreatePaymentIntent(t.Context(), &qfpay.PaymentIntentRequest{
		PayType: qfpay.PayTypeVisaMastercardOnline, Amount: amount, Currency: qfpay.CurrencyHKD, OutTradeNo: outTradeNo, NotifyURL: notifyURL,
	})
	require.NoError(t, err)
	tx, err := srv.AuthorizeIntent(intent.ID)
	require.NoError(t, err)
	require.Equal(t, "0000", tx.RespCode)
	require.Equal(t, amount, tx.Frozen)
	return tx.SysSN
}

// TestCardPreAuthCaptureThenRelease runs the documentation's lifecycle
// PreAuthorized -> Captured -> Unfreezed through the SDK.
func TestCardPreAuthCaptureThenRelease(t *testing.T) {
	for _, signType := range []qfpay.SignType{qfpay.MD5, qfpay.SHA256} {
		t.Run(string(signType), func(t *testing.T) {
			rc := newReceiver(t, reply{200, "SUCCESS"})
			srv := newServer(t, fast)
			client := newClient(t, srv, qfpay.WithSignType(signType))
			ctx := t.Context()
			holdSN := hold(t, srv, client, "hotel-1", 1000, rc.URL)

			capt, err := client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 600, Currency: qfpay.CurrencyHKD})
			require.NoError(t, err)
			assert.NotEqual(t, holdSN, capt.SysSN)
			assert.Equal(t, holdSN, capt.OrigSysSN)
			assert.Equal(t, int64(600), capt.Amount)
			assert.Equal(t, "Capture received", capt.Detail)
			assert.True(t, capt.PayTime.Equal(t0))
			h, _ := srv.Transaction(holdSN)
			assert.Equal(t, int64(400), h.Frozen, "the rest is still held")
			c := only(t, client, &qfpay.QueryRequest{SysSNs: []string{capt.SysSN}})
			assert.True(t, c.Paid())
			assert.Equal(t, int64(600), c.Amount)

			_, err = client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 100})
			assert.Equal(t, "1260", apiCode(t, err), "captured once")

			tests := []struct {
				name string
				req  qfpay.ReleaseRequest
				code string
			}{
				{"not the amount still held", qfpay.ReleaseRequest{SysSN: holdSN, OutTradeNo: "hotel-1", Amount: 1000}, "1266"},
				{"a new out_trade_no", qfpay.ReleaseRequest{SysSN: holdSN, OutTradeNo: "hotel-1-release", Amount: 400}, "1267"},
				{"an unknown hold", qfpay.ReleaseRequest{SysSN: "20191225000200020000009999", OutTradeNo: "hotel-1", Amount: 400}, "1136"},
			}
			for _, tt := range tests {
				_, err := client.ReleaseFunds(ctx, &tt.req)
				assert.Equal(t, tt.code, apiCode(t, err), tt.name)
			}

			rel, err := client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{SysSN: holdSN, OutTradeNo: "hotel-1", Amount: 400})
			require.NoError(t, err)
			assert.Equal(t, holdSN, rel.OrigSysSN)
			assert.Equal(t, int64(400), rel.Amount)
			assert.Equal(t, "Void received", rel.Detail)
			assert.Equal(t, "hotel-1", rel.OutTradeNo)
			h, _ = srv.Transaction(holdSN)
			assert.Zero(t, h.Frozen)
			assert.Equal(t, qfpay.CancelPreAuthFinished, only(t, client, &qfpay.QueryRequest{SysSNs: []string{holdSN}}).Cancel)

			_, err = client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{SysSN: holdSN, OutTradeNo: "hotel-1", Amount: 400})
			assert.Equal(t, "1264", apiCode(t, err), "released once")
			_, err = client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 1})
			assert.Equal(t, "1264", apiCode(t, err), "nothing to capture after the release")

			// The capture is refunded, never the hold.
			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: holdSN, OutTradeNo: "hotel-1-r0", Amount: 100})
			assert.Equal(t, "1155", apiCode(t, err))
			r, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: capt.SysSN, OutTradeNo: "hotel-1-r1", Amount: 600})
			require.NoError(t, err)
			assert.Equal(t, capt.SysSN, r.OrigSysSN)

			ds := waitDeliveries(t, srv, 4)
			require.Len(t, ds, 4)
			wants := []struct {
				typ       qfpay.NotifyType
				syssn     string
				origSysSN string
				amount    int64
			}{
				{qfpay.NotifyPayment, holdSN, "", 1000},
				{qfpay.NotifyPayment, capt.SysSN, holdSN, 600},
				{qfpay.NotifyUnfreeze, rel.SysSN, holdSN, 400},
				{qfpay.NotifyRefund, r.SysSN, capt.SysSN, 600},
			}
			for i, want := range wants {
				assert.Equal(t, rc.URL, ds[i].URL, "the hold's notify_url")
				n, err := qfpay.ParseNotification(ds[i].Body, ds[i].Signature, clientKey)
				require.NoError(t, err)
				assert.Equal(t, want.typ, n.Type, "notification %d", i)
				assert.Equal(t, want.syssn, n.SysSN, "notification %d", i)
				assert.Equal(t, want.origSysSN, n.OrigSysSN, "notification %d", i)
				assert.Equal(t, want.amount, n.Amount, "notification %d", i)
			}
		})
	}
}

// TestCardPreAuthReleaseWhole runs PreAuthorized -> Unfreezed: the whole
// amount released, nothing captured.
func TestCardPreAuthReleaseWhole(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	ctx := t.Context()
	holdSN := hold(t, srv, client, "deposit-1", 5000, "")

	_, err := client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 5001})
	assert.Equal(t, "1272", apiCode(t, err), "more than is held")
	_, err = client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 10, Currency: qfpay.CurrencyUSD})
	assert.Equal(t, "1104", apiCode(t, err), "another currency")

	rel, err := client.ReleaseFunds(ctx, &qfpay.ReleaseRequest{SysSN: holdSN, OutTradeNo: "deposit-1", Amount: 5000})
	require.NoError(t, err)
	assert.Equal(t, int64(5000), rel.Amount)
	h, _ := srv.Transaction(holdSN)
	assert.Equal(t, qfpay.CancelPreAuthFinished, h.Cancel)
	assert.Zero(t, h.Frozen)
	_, err = client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: holdSN, Amount: 1})
	assert.Equal(t, "1264", apiCode(t, err))
}

// TestCardPreAuthNotAuthorised: an intent the shopper did not authorise
// holds nothing.
func TestCardPreAuthNotAuthorised(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	intent, err := client.CreatePaymentIntent(t.Context(), &qfpay.PaymentIntentRequest{
		PayType: qfpay.PayTypeVisaMastercardOnline, Amount: 100, OutTradeNo: "never-held"})
	require.NoError(t, err)
	tx, _ := srv.Transaction("never-held")
	_, err = client.ReleaseFunds(t.Context(), &qfpay.ReleaseRequest{SysSN: tx.SysSN, OutTradeNo: "never-held", Amount: 100})
	assert.Equal(t, "1136", apiCode(t, err), "no hold")
	_, err = srv.PayIntent(intent.ID)
	require.NoError(t, err)
	_, err = srv.AuthorizeIntent(intent.ID)
	assert.ErrorIs(t, err, qfpaytest.ErrNotPayable, "paid, not held")
}

// TestAlipayDeductStillServed: /trade/v1/authtrade still deducts from an
// Alipay freeze.
func TestAlipayDeductStillServed(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	ctx := t.Context()
	f, err := client.FreezeFunds(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayPreAuthCPM, Amount: 100, Currency: qfpay.CurrencyHKD,
		OutTradeNo: "fz-1", AuthCode: qfpaytest.AuthCodeSuccess})
	require.NoError(t, err)
	d, err := client.DeductFunds(ctx, &qfpay.DeductRequest{SysSN: f.SysSN, OutTradeNo: "fz-1-d", Amount: 40})
	require.NoError(t, err)
	assert.Equal(t, f.SysSN, d.OrigSysSN)
	_, err = client.CaptureFunds(ctx, &qfpay.CaptureRequest{SysSN: f.SysSN, Amount: 10})
	assert.Equal(t, "1104", apiCode(t, err), "an Alipay freeze is deducted with an out_trade_no, not captured")
}
