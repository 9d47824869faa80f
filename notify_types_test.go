package qfpay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseTestdata parses testdata/<file> as a notification signed with the
// test key.
func parseTestdata(t *testing.T, file string) *Notification {
	t.Helper()
	body := readTestdata(t, file)
	n, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
	require.NoError(t, err)
	return n
}

func TestNotifyTypeNames(t *testing.T) {
	for want, got := range map[string]NotifyType{
		"payment": NotifyPayment, "refund": NotifyRefund, "unfreeze": NotifyUnfreeze, "cancel": NotifyCancel,
		"payment_token": NotifyPaymentToken, "subscription": NotifySubscription, "subscription_payment": NotifySubscriptionPayment,
	} {
		assert.Equal(t, want, string(got))
	}
}

// TestParseNotificationCurrentTypes: the notifications of the current
// documentation are accepted, those without a syssn included, and keep
// Raw for their accessor.
func TestParseNotificationCurrentTypes(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation(time.DateTime, s, beijing)
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		file string
		want Notification
	}{
		{"notify_payment_token.json", Notification{Type: NotifyPaymentToken, RespCode: "0000", SysTime: at("2024-04-23 10:15:00"),
			CardNumber: "5200****1096", UserID: "2319316"}},
		{"notify_payment_token_conflict.json", Notification{Type: NotifyPaymentToken, RespCode: "1205", SysTime: at("2024-04-23 10:16:00"),
			CardNumber: "5200****1096"}},
		{"notify_subscription.json", Notification{Type: NotifySubscription, SysTime: at("2024-04-23 10:20:00")}},
		{"notify_subscription_payment.json", Notification{Type: NotifySubscriptionPayment, RespCode: "0000",
			SysSN: "20240423000200020000001234", TxTime: at("2024-04-23 10:20:05"), Amount: 9900, Currency: CurrencyHKD,
			CardNumber: "5200****1096"}},
		{"notify_subscription_payment_failed.json", Notification{Type: NotifySubscriptionPayment, RespCode: "1201",
			TxTime: at("2024-05-23 10:20:05"), Amount: 9900, Currency: CurrencyHKD}},
		{"notify_unfreeze.json", Notification{Type: NotifyUnfreeze, Status: "1", PayType: PayTypeVisaMastercardOnline, RespCode: "0000",
			SysTime: at("2024-05-14 12:00:01"), PayTime: at("2024-05-14 12:00:01"), TxTime: at("2024-05-14 12:00:00"),
			Amount: 300, Currency: CurrencyHKD, OutTradeNo: "hold-0001", SysSN: "20240514000200020000000513",
			OrigSysSN: "20240514000200020000000511", Cancel: CancelPreAuthFinished, CardNumber: "520000******1096"}},
		{"notify_refund_cash.json", Notification{Type: NotifyRefund, Status: "1", PayType: PayTypeWeChatMPM, RespCode: "0000",
			SysTime: at("2024-05-15 09:10:11"), PayTime: at("2024-05-15 09:10:12"), TxTime: at("2024-05-15 09:10:11"),
			Amount: 500, Currency: CurrencyHKD, OutTradeNo: "refund-0001", SysSN: "20240515000200020000000611",
			OrigSysSN: "20240514000200020000000600", ExchangeRate: "0.9123", ChannelSN: "4200000612202405151234567890",
			CashFee: "456", CashFeeType: CurrencyCNY, CashRefundFee: "456", CashRefundFeeType: CurrencyCNY}},
		{
			// The card payment sample: order_type and card fields, no
			// notify_type and no status.
			"notify_card_payment.json", Notification{Type: NotifyPayment, PayType: PayTypeVisaMastercardOnline, RespCode: "0000",
				SysTime: at("2024-05-14 11:28:38"), PayTime: at("2024-05-14 11:28:52"), TxTime: at("2024-05-14 11:28:38"),
				Amount: 300, Currency: CurrencyHKD, OutTradeNo: "web-20240514-0007", SysSN: "20240514000200020000000507",
				GoodsName: "Milk tea", ChannelSN: "8816158371234567", CardNumber: "400000******1091",
				OrderType: OrderTypePayment, CardType: "VISA", ClientSN: "038424", UserID: "2319316", ErrMsg: "success", DeviceID: "web"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := parseTestdata(t, tt.file)
			assert.Equal(t, readTestdata(t, tt.file), string(n.Raw))
			n.Raw = nil
			for _, pair := range [][2]time.Time{{tt.want.SysTime, n.SysTime}, {tt.want.PayTime, n.PayTime}, {tt.want.TxTime, n.TxTime}} {
				assert.True(t, pair[0].Equal(pair[1]), "want %v, got %v", pair[0], pair[1])
			}
			tt.want.SysTime, tt.want.PayTime, tt.want.TxTime = n.SysTime, n.PayTime, n.TxTime
			assert.Equal(t, tt.want, *n)
		})
	}
}

func TestNotificationPaymentToken(t *testing.T) {
	tests := []struct {
		file string
		want PaymentTokenNotification
	}{
		{"notify_payment_token.json", PaymentTokenNotification{
			Event: TokenEventNew, TokenID: "tk_5f8e2a9c1b3d4e6f8091a2b3c4d5e6f7", TokenExpiry: time.Date(2026, 4, 30, 0, 0, 0, 0, beijing),
			CardNumber: "5200****1096", CardScheme: "VISA", RespCode: "0000", SysTime: time.Date(2024, 4, 23, 10, 15, 0, 0, beijing),
			UserID: "2319316", CustomerID: "cust_9a8b7c6d5e4f", TokenReason: "subscription", TokenReference: "member-42",
		}},
		{"notify_payment_token_conflict.json", PaymentTokenNotification{
			Event: TokenEventConflict, CardNumber: "5200****1096", CardScheme: "ECMC_DEBIT", RespCode: "1205",
			RespMsg: "card already tokenised with other details", SysTime: time.Date(2024, 4, 23, 10, 16, 0, 0, beijing),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseTestdata(t, tt.file).PaymentToken()
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestNotificationSubscription(t *testing.T) {
	got, err := parseTestdata(t, "notify_subscription.json").Subscription()
	require.NoError(t, err)
	assert.Equal(t, SubscriptionNotification{SubscriptionID: "sub_3c2b1a09f8e7d6c5", State: "ACTIVE",
		SysTime: time.Date(2024, 4, 23, 10, 20, 0, 0, beijing)}, *got)
}

func TestNotificationSubscriptionPayment(t *testing.T) {
	tests := []struct {
		file     string
		want     SubscriptionPaymentNotification
		charged  bool
		products []string
	}{
		{"notify_subscription_payment.json", SubscriptionPaymentNotification{
			SubscriptionID: "sub_3c2b1a09f8e7d6c5", OrderID: "sub_ord_3c2b1a09f8e7d6c5_0001", RespCode: "0000",
			SysSN: "20240423000200020000001234", TxTime: time.Date(2024, 4, 23, 10, 20, 5, 0, beijing), Amount: 9900,
			Currency: CurrencyHKD, CustomerID: "cust_9a8b7c6d5e4f", ProductID: "prod_aa11,prod_bb22",
			CardNumber: "5200****1096", CardScheme: "VISA_DEBIT-SSL", Iteration: 1, Reason: "AUTHORISED",
		}, true, []string{"prod_aa11", "prod_bb22"}},
		{"notify_subscription_payment_failed.json", SubscriptionPaymentNotification{
			SubscriptionID: "sub_3c2b1a09f8e7d6c5", OrderID: "sub_ord_3c2b1a09f8e7d6c5_0002", RespCode: "1201",
			RespMsg: "insufficient balance", TxTime: time.Date(2024, 5, 23, 10, 20, 5, 0, beijing), Amount: 9900,
			Currency: CurrencyHKD, CustomerID: "cust_9a8b7c6d5e4f", ProductID: "prod_aa11", Iteration: 2,
		}, false, []string{"prod_aa11"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseTestdata(t, tt.file).SubscriptionPayment()
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
			assert.Equal(t, tt.charged, got.Charged())
			assert.Equal(t, tt.products, got.ProductIDs())
		})
	}
}

// TestNotificationAccessorErrors: an accessor of another type, and a
// notification of the right type that lacks what the accessor relies on.
func TestNotificationAccessorErrors(t *testing.T) {
	parse := func(body string) *Notification {
		n, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
		require.NoError(t, err)
		return n
	}
	payment := parseTestdata(t, "notify_payment.json")
	token := parseTestdata(t, "notify_payment_token.json")
	tests := []struct {
		name    string
		call    func() (any, error)
		wantErr error
		msg     string
	}{
		{"PaymentToken of a payment", func() (any, error) { return payment.PaymentToken() }, ErrNotificationType, `"payment", not "payment_token"`},
		{"Subscription of a payment", func() (any, error) { return payment.Subscription() }, ErrNotificationType, `not "subscription"`},
		{"SubscriptionPayment of a token", func() (any, error) { return token.SubscriptionPayment() }, ErrNotificationType, `not "subscription_payment"`},
		{"token success without tokenid", func() (any, error) {
			return parse(`{"notify_type": "payment_token", "event": "NEW", "respcd": "0000"}`).PaymentToken()
		}, ErrMalformedResponse, "without tokenid"},
		{"token expiry not a time", func() (any, error) {
			return parse(`{"notify_type": "payment_token", "tokenid": "tk_1", "respcd": "0000", "token_expiry_date": "2026-04"}`).PaymentToken()
		}, ErrMalformedResponse, "token_expiry_date"},
		{"subscription without id", func() (any, error) {
			return parse(`{"notify_type": "subscription", "state": "ACTIVE"}`).Subscription()
		}, ErrMalformedResponse, "without subscription_id"},
		{"subscription payment without id", func() (any, error) {
			return parse(`{"notify_type": "subscription_payment", "respcd": "1201"}`).SubscriptionPayment()
		}, ErrMalformedResponse, "without subscription_id"},
		{"charge without syssn", func() (any, error) {
			return parse(`{"notify_type": "subscription_payment", "subscription_id": "sub_1", "respcd": "0000"}`).SubscriptionPayment()
		}, ErrMalformedResponse, "without syssn"},
		{"Raw emptied by the caller", func() (any, error) {
			n := *token
			n.Raw = nil
			return n.PaymentToken()
		}, ErrMalformedResponse, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "qfpay: "), err.Error())
			assert.Nil(t, got)
		})
	}
}

// TestNotificationHandlerCurrentTypes: the handler acknowledges the new
// types (a token notification has no syssn) and the accessors read their
// times in the handler's zone.
func TestNotificationHandlerCurrentTypes(t *testing.T) {
	var got *PaymentTokenNotification
	h := setup(t, WithLocation(time.UTC)).client.NotificationHandler(func(_ context.Context, n *Notification) error {
		var err error
		got, err = n.PaymentToken()
		return err
	})
	body := readTestdata(t, "notify_payment_token.json")
	req := httptest.NewRequest(http.MethodPost, "/qfpay/notify", strings.NewReader(body))
	req.Header.Set("X-QF-SIGN", notifySig(body, testClientKey))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "SUCCESS", rec.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, "tk_5f8e2a9c1b3d4e6f8091a2b3c4d5e6f7", got.TokenID)
	assert.Equal(t, time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), got.TokenExpiry)
}

// TestNotificationWithoutAnyType: neither notify_type nor an order_type
// that names one is still refused.
func TestNotificationWithoutAnyType(t *testing.T) {
	for _, body := range []string{
		`{"syssn": "1", "order_type": "subscription"}`,
		`{"syssn": "1", "order_type": ""}`,
	} {
		_, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
		require.ErrorIs(t, err, ErrMalformedResponse, body)
		assert.Contains(t, err.Error(), "no notify_type")
	}
	body := `{"syssn": "1", "order_type": "Refund"}`
	n, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
	require.NoError(t, err)
	assert.Equal(t, NotifyRefund, n.Type)
}
