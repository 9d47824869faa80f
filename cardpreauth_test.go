package qfpay

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathCapture = "/trade/v1/authtrade"
	pathRelease = "/trade/v1/unfreeze"
	holdSysSN   = "20240514000200020000000511"
)

func TestCaptureFundsSends(t *testing.T) {
	tests := []struct {
		name         string
		opts         []Option
		req          CaptureRequest
		body, signed string
	}{
		{
			name:   "the table's required fields: no txdtm, no out_trade_no",
			req:    CaptureRequest{SysSN: holdSysSN, Amount: 500},
			body:   "syssn=" + holdSysSN + "&txamt=500",
			signed: "syssn=" + holdSysSN + "&txamt=500",
		},
		{
			name:   "currency and the client's mchid; no txzone in another zone",
			opts:   []Option{WithMerchantID("MCH1"), WithLocation(time.UTC)},
			req:    CaptureRequest{SysSN: holdSysSN, Amount: 500, Currency: CurrencyHKD},
			body:   "mchid=MCH1&syssn=" + holdSysSN + "&txamt=500&txcurrcd=HKD",
			signed: "mchid=MCH1&syssn=" + holdSysSN + "&txamt=500&txcurrcd=HKD",
		},
		{
			name:   "the request's own mchid",
			opts:   []Option{WithMerchantID("MCH1")},
			req:    CaptureRequest{SysSN: holdSysSN, Amount: 1, MerchantID: "MCH2"},
			body:   "mchid=MCH2&syssn=" + holdSysSN + "&txamt=1",
			signed: "mchid=MCH2&syssn=" + holdSysSN + "&txamt=1",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, pathCapture, "authtrade_card_ok.json")
				req := tt.req
				_, err := e.client.CaptureFunds(t.Context(), &req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), pathCapture, tt.body, tt.signed, st)
			})
		}
	}
}

func TestReleaseFundsSends(t *testing.T) {
	tests := []struct {
		name         string
		opts         []Option
		req          ReleaseRequest
		body, signed string
	}{
		{
			name:   "txdtm now, in UTC+8",
			req:    ReleaseRequest{SysSN: holdSysSN, OutTradeNo: "hold-0001", Amount: 300},
			body:   "out_trade_no=hold-0001&syssn=" + holdSysSN + "&txamt=300&txdtm=2019-12-25+14%3A21%3A28",
			signed: "out_trade_no=hold-0001&syssn=" + holdSysSN + "&txamt=300&txdtm=2019-12-25 14:21:28",
		},
		{
			name: "the request's time written in UTC+8, no txzone, the client's mchid",
			opts: []Option{WithLocation(time.UTC), WithMerchantID("MCH1")},
			req: ReleaseRequest{SysSN: holdSysSN, OutTradeNo: "hold-0001", Amount: 300,
				TxTime: time.Date(2024, 5, 14, 4, 0, 0, 0, time.UTC)},
			body:   "mchid=MCH1&out_trade_no=hold-0001&syssn=" + holdSysSN + "&txamt=300&txdtm=2024-05-14+12%3A00%3A00",
			signed: "mchid=MCH1&out_trade_no=hold-0001&syssn=" + holdSysSN + "&txamt=300&txdtm=2024-05-14 12:00:00",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, pathRelease, "unfreeze_card_ok.json")
				req := tt.req
				_, err := e.client.ReleaseFunds(t.Context(), &req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), pathRelease, tt.body, tt.signed, st)
			})
		}
	}
}

func TestCaptureAndReleaseDecode(t *testing.T) {
	at := func(h, m, s int) time.Time { return time.Date(2024, 5, 14, h, m, s, 0, beijing) }
	tests := []struct {
		name, path, file string
		call             func(context.Context, *Client) (*CaptureResponse, error)
		want             CaptureResponse
	}{
		{
			name: "capture", path: pathCapture, file: "authtrade_card_ok.json",
			call: func(ctx context.Context, c *Client) (*CaptureResponse, error) {
				return c.CaptureFunds(ctx, &CaptureRequest{SysSN: holdSysSN, Amount: 500})
			},
			want: CaptureResponse{SysSN: "20240514000200020000000512", OrigSysSN: holdSysSN, Amount: 500, Currency: CurrencyHKD,
				TxTime: at(11, 28, 38), SysTime: at(11, 30, 2), PayTime: at(11, 30, 3), DeviceID: "qiantai2",
				CardNumber: "520000******1096", RespCode: "0000", Message: "success", Detail: "Capture received"},
		},
		{
			name: "release", path: pathRelease, file: "unfreeze_card_ok.json",
			call: func(ctx context.Context, c *Client) (*CaptureResponse, error) {
				return c.ReleaseFunds(ctx, &ReleaseRequest{SysSN: holdSysSN, OutTradeNo: "hold-0001", Amount: 300})
			},
			want: CaptureResponse{SysSN: "20240514000200020000000513", OrigSysSN: holdSysSN, Amount: 300, Currency: CurrencyHKD,
				TxTime: at(12, 0, 0), SysTime: at(12, 0, 1), PayTime: at(12, 0, 1), OutTradeNo: "hold-0001",
				CardNumber: "520000******1096", RespCode: "0000", Message: "success", Detail: "Void received"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, WithLocation(time.UTC))
			e.respondFile(http.MethodPost, tt.path, tt.file)
			got, err := tt.call(t.Context(), e.client)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got, "times read in UTC+8, the call's zone")
		})
	}
}

// TestCaptureAndReleaseMoveMoney: refusals are errors with the code;
// pending answers come back with the response; anything after the request
// may have reached the gateway is ErrOutcomeUnknown; nothing is re-sent.
func TestCaptureAndReleaseMoveMoney(t *testing.T) {
	calls := []struct {
		name, path, refused, code, pending, noSysSN string
		call                                        func(context.Context, *Client) (*CaptureResponse, error)
		outTradeNo                                  string
	}{
		{
			name: "CaptureFunds", path: pathCapture, refused: "authtrade_card_1272.json", code: "1272",
			pending: "authtrade_card_1145.json", noSysSN: "authtrade_no_syssn.json",
			call: func(ctx context.Context, c *Client) (*CaptureResponse, error) {
				return c.CaptureFunds(ctx, &CaptureRequest{SysSN: holdSysSN, Amount: 500})
			},
		},
		{
			name: "ReleaseFunds", path: pathRelease, refused: "unfreeze_card_1264.json", code: "1264",
			noSysSN: "unfreeze_card_no_syssn.json",
			call: func(ctx context.Context, c *Client) (*CaptureResponse, error) {
				return c.ReleaseFunds(ctx, &ReleaseRequest{SysSN: holdSysSN, OutTradeNo: "hold-0001", Amount: 300})
			},
			outTradeNo: "hold-0001",
		},
	}
	for _, tt := range calls {
		t.Run(tt.name+"/refused", func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, tt.path, tt.refused)
			got, err := tt.call(t.Context(), e.client)
			assert.Nil(t, got)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.path, apiErr.Path)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.Len(t, e.requests(), 1)
		})
		if tt.pending != "" {
			t.Run(tt.name+"/pending", func(t *testing.T) {
				e := setup(t)
				e.respondFile(http.MethodPost, tt.path, tt.pending)
				got, err := tt.call(t.Context(), e.client)
				require.ErrorIs(t, err, ErrPending)
				require.NotNil(t, got)
				assert.Equal(t, "20240514000200020000000512", got.SysSN)
				assert.Equal(t, holdSysSN, got.OrigSysSN, "every digit of a bare number")
				assert.Len(t, e.requests(), 1)
			})
		}
		for _, fault := range []struct {
			name    string
			respond func(e *testEnv)
		}{
			{"502 page", func(e *testEnv) { e.respondHTML(http.MethodPost, tt.path, http.StatusBadGateway) }},
			{"success without syssn", func(e *testEnv) { e.respondFile(http.MethodPost, tt.path, tt.noSysSN) }},
			{"not JSON", func(e *testEnv) { e.respond(http.MethodPost, tt.path, http.StatusOK, "<html>ok</html>") }},
		} {
			t.Run(tt.name+"/"+fault.name, func(t *testing.T) {
				e := setup(t)
				fault.respond(e)
				got, err := tt.call(t.Context(), e.client)
				assert.Nil(t, got)
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				var ou *OutcomeUnknownError
				require.ErrorAs(t, err, &ou)
				assert.Equal(t, tt.path, ou.Path)
				assert.Equal(t, holdSysSN, ou.SysSN)
				assert.Equal(t, tt.outTradeNo, ou.OutTradeNo)
				assert.Len(t, e.requests(), 1, "never re-sent")
			})
		}
	}
}

func TestCaptureFundsValidation(t *testing.T) {
	with := func(change func(r *CaptureRequest)) *CaptureRequest {
		r := &CaptureRequest{SysSN: holdSysSN, Amount: 500}
		change(r)
		return r
	}
	tests := []struct {
		name  string
		req   *CaptureRequest
		field string
	}{
		{"nil", nil, wholeRequest},
		{"valid", with(func(*CaptureRequest) {}), ""},
		{"no SysSN", with(func(r *CaptureRequest) { r.SysSN = "" }), "syssn"},
		{"SysSN of 129", with(func(r *CaptureRequest) { r.SysSN = strings.Repeat("1", 129) }), "syssn"},
		{"Amount 0", with(func(r *CaptureRequest) { r.Amount = 0 }), "txamt"},
		{"Amount negative", with(func(r *CaptureRequest) { r.Amount = -5 }), "txamt"},
		{"Currency lower-case", with(func(r *CaptureRequest) { r.Currency = "hkd" }), "txcurrcd"},
		{"MerchantID of 17", with(func(r *CaptureRequest) { r.MerchantID = strings.Repeat("m", 17) }), "mchid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathCapture, "authtrade_card_ok.json")
			got, err := e.client.CaptureFunds(t.Context(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}

func TestReleaseFundsValidation(t *testing.T) {
	with := func(change func(r *ReleaseRequest)) *ReleaseRequest {
		r := &ReleaseRequest{SysSN: holdSysSN, OutTradeNo: "hold-0001", Amount: 300}
		change(r)
		return r
	}
	tests := []struct {
		name  string
		req   *ReleaseRequest
		field string
	}{
		{"nil", nil, wholeRequest},
		{"valid", with(func(*ReleaseRequest) {}), ""},
		{"no SysSN", with(func(r *ReleaseRequest) { r.SysSN = "" }), "syssn"},
		{"no OutTradeNo", with(func(r *ReleaseRequest) { r.OutTradeNo = "" }), "out_trade_no"},
		{"OutTradeNo of 129", with(func(r *ReleaseRequest) { r.OutTradeNo = strings.Repeat("o", 129) }), "out_trade_no"},
		{"Amount 0", with(func(r *ReleaseRequest) { r.Amount = 0 }), "txamt"},
		{"Amount of 12 digits", with(func(r *ReleaseRequest) { r.Amount = MaxAmount + 1 }), "txamt"},
		{"MerchantID of 17", with(func(r *ReleaseRequest) { r.MerchantID = strings.Repeat("m", 17) }), "mchid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathRelease, "unfreeze_card_ok.json")
			got, err := e.client.ReleaseFunds(t.Context(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}
