package qfpay

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogLinesCarryOrderNumbers decodes each call's log line as JSON and
// checks the numbers a merchant joins it to an order by: exactly the
// out_trade_no and syssn the request sent, and none when it sent none.
func TestLogLinesCarryOrderNumbers(t *testing.T) {
	tests := []struct {
		name           string
		path, file     string
		call           func(*Client) error
		wantOutTradeNo any // nil: no attribute
		wantSysSN      any
	}{
		{"payment", "/trade/v1/payment", "payment_doc.json",
			func(c *Client) error { _, err := c.Payment(context.Background(), docPaymentRequest()); return err },
			"01234567890123", nil},
		{"refund", "/trade/v1/refund", "refund_doc.json",
			func(c *Client) error { _, err := c.Refund(context.Background(), docRefundRequest()); return err },
			"RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", "20191227000200020061752831"},
		{"reversal by syssn", "/trade/v1/reversal", "reversal_ok.json",
			func(c *Client) error {
				_, err := c.Reverse(context.Background(), &ReversalRequest{SysSN: "20191227000200020061752831", Amount: 10})
				return err
			},
			nil, "20191227000200020061752831"},
		{"query of two numbers", "/trade/v1/query", "query_doc.json",
			func(c *Client) error {
				_, err := c.Query(context.Background(), &QueryRequest{OutTradeNos: []string{"a-1", "a-2"}})
				return err
			},
			"a-1,a-2", nil},
		{"query of nothing in particular", "/trade/v1/query", "query_doc.json",
			func(c *Client) error { _, err := c.Query(context.Background(), nil); return err },
			nil, nil},
		{"note", "/trade/v1/add_note", "add_note_ok.json",
			func(c *Client) error {
				return c.AddNote(context.Background(), "20190722000200020081075691", "gift wrap")
			},
			nil, "20190722000200020081075691"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := setup(t, WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			e.respondFile(http.MethodPost, tt.path, tt.file)
			require.NoError(t, tt.call(e.client))
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line), "one JSON line: %s", buf.String())
			assert.Equal(t, tt.path, line["path"])
			assert.Equal(t, tt.wantOutTradeNo, line["out_trade_no"])
			assert.Equal(t, tt.wantSysSN, line["syssn"])
		})
	}
}

// TestAPIErrorCarriesOrderNumbers: every *APIError a call returns names
// the out_trade_no and syssn it sent, whether the gateway refused it or a
// proxy answered (TestWaitFails covers the settling query's listed
// failure).
func TestAPIErrorCarriesOrderNumbers(t *testing.T) {
	tests := []struct {
		name           string
		setup          func(*testEnv)
		call           func(context.Context, *Client) error
		wantCode       string
		wantOutTradeNo string
		wantSysSN      string
	}{
		{"declined payment", func(e *testEnv) { e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_1108.json") },
			func(ctx context.Context, c *Client) error { _, err := c.Payment(ctx, docPaymentRequest()); return err },
			"1108", "01234567890123", ""},
		{"pending payment", func(e *testEnv) { e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_1145.json") },
			func(ctx context.Context, c *Client) error { _, err := c.Payment(ctx, docPaymentRequest()); return err },
			"1145", "01234567890123", ""},
		{"refund refused", func(e *testEnv) { e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_1272.json") },
			func(ctx context.Context, c *Client) error { _, err := c.Refund(ctx, docRefundRequest()); return err },
			"1272", "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", "20191227000200020061752831"},
		{"reversal refused", func(e *testEnv) { e.respondFile(http.MethodPost, "/trade/v1/reversal", "reversal_1101.json") },
			func(ctx context.Context, c *Client) error {
				_, err := c.Reverse(ctx, &ReversalRequest{OutTradeNo: "r-9", Amount: 10})
				return err
			},
			"1101", "r-9", ""},
		{"proxy page on a query", func(e *testEnv) {
			e.respond(http.MethodPost, "/trade/v1/query", http.StatusBadGateway, readTestdata(e.t, "error_502.html"), "Content-Type", "text/html")
		},
			func(ctx context.Context, c *Client) error {
				_, err := c.Query(ctx, &QueryRequest{OutTradeNos: []string{"q-1"}})
				return err
			},
			"", "q-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			tt.setup(e)
			err := tt.call(context.Background(), e.client)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantOutTradeNo, apiErr.OutTradeNo)
			assert.Equal(t, tt.wantSysSN, apiErr.SysSN)
		})
	}

}
