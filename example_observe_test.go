package qfpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// spanTransport stands for a tracing transport such as OpenTelemetry's
// otelhttp.NewTransport: it wraps the next transport, passing each request
// on unchanged (its context included), and records one span per HTTP
// attempt.
type spanTransport struct{ next http.RoundTripper }

func (t spanTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// A real span also records the duration, and the request's context
	// carries the caller's trace: pass r itself on, never a copy without it.
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		fmt.Println("span:", r.Method, r.URL.Path, "error")
		return nil, err
	}
	fmt.Println("span:", r.Method, r.URL.Path, resp.StatusCode)
	return resp, nil
}

// Observability with no dependency of the SDK's: a tracing transport given
// through WithHTTPClient (with OpenTelemetry, &http.Client{Transport:
// otelhttp.NewTransport(http.DefaultTransport)}), log lines that carry the
// out_trade_no and syssn each request sent, and an *APIError that carries
// them too, to join a failure to its order.
func ExampleWithHTTPClient() {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 14, 10, 30, 0, 0, time.UTC))

	// Debug level shows every attempt; time and duration are left out here
	// so that the output is the same from run to run.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey,
		qfpay.WithBaseURL(srv.URL),
		qfpay.WithHTTPClient(&http.Client{Transport: spanTransport{next: http.DefaultTransport}}),
		qfpay.WithLogger(logger),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 500,
		Currency: qfpay.CurrencyHKD, OutTradeNo: "order-42", AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		log.Fatal(err)
	}
	// More than was paid: refused with 1272.
	_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "order-42-r1", Amount: 900})
	var apiErr *qfpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("refund refused:", apiErr.Code, "out_trade_no", apiErr.OutTradeNo, "syssn", apiErr.SysSN)
	}
	// Output:
	// span: POST /trade/v1/payment 200
	// level=DEBUG msg="qfpay request" method=POST path=/trade/v1/payment out_trade_no=order-42 status=200 respcd=0000 attempt=1
	// span: POST /trade/v1/refund 200
	// level=DEBUG msg="qfpay request" method=POST path=/trade/v1/refund out_trade_no=order-42-r1 syssn=20240514000200020000000001 status=200 respcd=1272 attempt=1
	// refund refused: 1272 out_trade_no order-42-r1 syssn 20240514000200020000000001
}
