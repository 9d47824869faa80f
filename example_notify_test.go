package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/qfpay-go/qfpay"
)

func ExampleNotificationHandler() {
	const clientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"

	// fn records the notification and returns; it may see the same SysSN
	// more than once, so it must be idempotent on it.
	seen := map[string]bool{}
	handler := qfpay.NotificationHandler(clientKey, func(ctx context.Context, n *qfpay.Notification) error {
		if seen[n.SysSN] {
			return nil // already recorded: answer SUCCESS again
		}
		seen[n.SysSN] = true
		fmt.Printf("fn: %s %s %d %s (order %s)\n", n.Type, n.SysSN, n.Amount, n.Currency, n.OutTradeNo)
		return nil
	})
	// In a server: http.Handle("/qfpay/notify", handler)

	// What the gateway sends: the JSON body and its signature in X-QF-SIGN.
	body := `{"status": "1", "pay_type": "800101", "txcurrcd": "THB", "txamt": "10", "out_trade_no": "YEPE7WTW46NVU30JW5N90H7DHD94N56B", "syssn": "20200514000300020093755455", "cancel": "0", "respcd": "0000", "notify_type": "payment"}`
	for range 2 { // the second delivery is a retry
		req := httptest.NewRequest(http.MethodPost, "/qfpay/notify", strings.NewReader(body))
		req.Header.Set("X-QF-SIGN", qfpay.SignNotification([]byte(body), clientKey))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// fn: payment 20200514000300020093755455 10 THB (order YEPE7WTW46NVU30JW5N90H7DHD94N56B)
	// 200 SUCCESS
	// 200 SUCCESS
}

func ExampleVerifyNotification() {
	const clientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
	// The body exactly as received, and the X-QF-SIGN header.
	body := []byte(`{"status": "1", "pay_type": "800101", "txamt": "10", "notify_type": "payment", "syssn": "20200615000200020000641807", "respcd": "0000", "cancel": "0"}`)
	signature := "E288C774319DB5F15FE2B36DB05970FD"

	if err := qfpay.VerifyNotification(body, signature, clientKey); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified")

	// Any change to the bytes, even re-encoding the same JSON, breaks it.
	tampered := []byte(strings.Replace(string(body), `"txamt": "10"`, `"txamt": "1000"`, 1))
	err := qfpay.VerifyNotification(tampered, signature, clientKey)
	fmt.Println(errors.Is(err, qfpay.ErrInvalidSignature))

	// ParseNotification verifies, then decodes.
	n, err := qfpay.ParseNotification(body, signature, clientKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Type, n.SysSN, n.Amount, n.PayType, n.RespCode)
	// Output:
	// verified
	// true
	// payment 20200615000200020000641807 10 800101 0000
}
