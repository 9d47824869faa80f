package qfpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/qfpay-go/qfpay"
)

// One notification endpoint for every type: payments, refunds and
// releases are the Notification itself; token and subscription events are
// read with their accessor.
func ExampleNotification_PaymentToken() {
	const clientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
	handler := qfpay.NotificationHandler(clientKey, func(ctx context.Context, n *qfpay.Notification) error {
		switch n.Type {
		case qfpay.NotifyPayment, qfpay.NotifyRefund, qfpay.NotifyUnfreeze:
			fmt.Println(n.Type, n.SysSN, n.Amount, n.Currency)
		case qfpay.NotifyPaymentToken:
			tok, err := n.PaymentToken()
			if err != nil {
				return err // answered 400: nothing recorded
			}
			fmt.Println("token", tok.Event, tok.TokenID, "for", tok.CustomerID, "until", tok.TokenExpiry.Format("2006-01-02"))
		case qfpay.NotifySubscriptionPayment:
			p, err := n.SubscriptionPayment()
			if err != nil {
				return err
			}
			fmt.Println("billing order", p.OrderID, "charged:", p.Charged())
		default:
			fmt.Println("kept for later:", n.Type, len(n.Raw) > 0)
		}
		return nil
	})

	for _, body := range []string{
		`{"notify_type": "payment_token", "event": "NEW", "tokenid": "tk_5f8e2a9c", "token_expiry_date": "2026-04-30 00:00:00", "respcd": "0000", "customer_id": "cust_9a8b", "sysdtm": "2024-04-23 10:15:00"}`,
		`{"notify_type": "subscription_payment", "subscription_id": "sub_3c2b", "subscription_order_id": "sub_ord_3c2b_0002", "respcd": "1201", "txamt": "9900"}`,
		`{"notify_type": "unfreeze", "syssn": "20240514000200020000000513", "txamt": "300", "txcurrcd": "HKD"}`,
		`{"notify_type": "subscription", "subscription_id": "sub_3c2b", "state": "PAST_DUE"}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/qfpay/notify", strings.NewReader(body))
		req.Header.Set("X-QF-SIGN", qfpay.SignNotification([]byte(body), clientKey))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
	}
	// Output:
	// token NEW tk_5f8e2a9c for cust_9a8b until 2026-04-30
	// billing order sub_ord_3c2b_0002 charged: false
	// unfreeze 20240514000200020000000513 300 HKD
	// kept for later: subscription true
}
