package qfpay

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertSentParams checks that r carried exactly the parameters want, no
// more, each once.
func assertSentParams(t *testing.T, r received, want map[string]string) {
	t.Helper()
	wantValues := url.Values{}
	for k, v := range want {
		wantValues.Set(k, v)
	}
	assert.Equal(t, wantValues, r.Params)
}

// htmlGatewayError is what a proxy in front of the gateway answers on a 5xx.
const htmlGatewayError = "<html><body><h1>502 Bad Gateway</h1></body></html>"

// respondHTML answers method path with status and an HTML page.
func (e *testEnv) respondHTML(method, path string, status int) {
	e.respond(method, path, status, htmlGatewayError, "Content-Type", "text/html")
}

type reversalCall func(*Client, context.Context, *ReversalRequest) (*ReversalResponse, error)

var reversalCalls = []struct {
	name string
	call reversalCall
	path string
}{
	{"Reverse", (*Client).Reverse, "/trade/v1/reversal"},
	{"CloseOrder", (*Client).CloseOrder, "/trade/v1/close"},
	{"Cancel Alipay CPM", cancelAs(PayTypeAlipayCPM), "/trade/v1/reversal"},
	{"Cancel WeChat MPM", cancelAs(PayTypeWeChatMPM), "/trade/v1/close"},
}

// cancelAs is Cancel for a payment made with pay type p.
func cancelAs(p PayType) reversalCall {
	return func(c *Client, ctx context.Context, req *ReversalRequest) (*ReversalResponse, error) {
		return c.Cancel(ctx, p, req)
	}
}

func TestReversalSends(t *testing.T) {
	sampleTime := time.Date(2020, 3, 5, 16, 50, 30, 0, beijing)
	tests := []struct {
		name     string
		opts     []Option
		req      ReversalRequest
		want     map[string]string
		signType SignType
	}{
		{
			name: "spec sample by out_trade_no",
			req:  ReversalRequest{OutTradeNo: "4MDGEJ7L496LAAU1V1HBY9HMOGWZWLXQ", Amount: 2500, TxTime: sampleTime, MerchantID: "MNxMp11FV35qQN"},
			want: map[string]string{"txamt": "2500", "out_trade_no": "4MDGEJ7L496LAAU1V1HBY9HMOGWZWLXQ", "txdtm": "2020-03-05 16:50:30", "mchid": "MNxMp11FV35qQN"},
		},
		{
			name: "by syssn with every optional field",
			req: ReversalRequest{SysSN: "20200305066100020000977812", Amount: 2500, TxTime: sampleTime,
				MerchantID: "MNxMp11FV35qQN", DeviceID: "qiantai2"},
			want: map[string]string{"txamt": "2500", "syssn": "20200305066100020000977812", "txdtm": "2020-03-05 16:50:30",
				"mchid": "MNxMp11FV35qQN", "udid": "qiantai2"},
		},
		{
			// The endpoints' parameter table has no txzone: none is sent,
			// even from a client outside UTC+8, and txdtm is written in
			// UTC+8, the only zone the gateway can read it in.
			name: "client defaults: now in UTC+8 and mchid, no txzone",
			opts: []Option{WithMerchantID("ZaMVg12345"), WithLocation(time.UTC)},
			req:  ReversalRequest{SysSN: "20200305066100020000977812", Amount: 10},
			want: map[string]string{"txamt": "10", "syssn": "20200305066100020000977812", "txdtm": "2019-12-25 14:21:28",
				"mchid": "ZaMVg12345"},
		},
		{
			name:     "request mchid wins, SHA256",
			opts:     []Option{WithMerchantID("ZaMVg12345"), WithSignType(SHA256)},
			req:      ReversalRequest{OutTradeNo: "A1", Amount: 10, MerchantID: "OTHER"},
			want:     map[string]string{"txamt": "10", "out_trade_no": "A1", "txdtm": "2019-12-25 14:21:28", "mchid": "OTHER"},
			signType: SHA256,
		},
	}
	for _, rc := range reversalCalls {
		for _, tt := range tests {
			t.Run(rc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, tt.opts...)
				e.respondFile(http.MethodPost, rc.path, "reversal_ok.json")
				req := tt.req
				_, err := rc.call(e.client, t.Context(), &req)
				require.NoError(t, err)
				r := e.last()
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, rc.path, r.Path)
				assert.Contains(t, r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
				assertSentParams(t, r, tt.want)
				signType := tt.signType
				if signType == "" {
					signType = MD5
				}
				assertSigned(t, r, signType)
				assert.Equal(t, tt.req, req, "request not modified")
			})
		}
	}
}

func TestReversalDecodes(t *testing.T) {
	// The section's one sample answer, for either endpoint.
	specSample := ReversalResponse{
		SysSN: "20200305066100020000977814", OrigSysSN: "20200305066100020000977813",
		Amount: 2500, Currency: CurrencyEUR,
		TxTime:   time.Date(2020, 3, 5, 16, 50, 30, 0, beijing),
		SysTime:  time.Date(2020, 3, 5, 16, 54, 38, 0, beijing),
		DeviceID: "qiantai2", RespCode: "0000", Message: "success",
		SurchargeFee: "0", SurchargeRate: "0",
	}
	tests := []struct {
		name string
		call reversalCall
		path string
		file string
		want ReversalResponse
	}{
		{
			name: "Reverse spec sample",
			call: (*Client).Reverse, path: "/trade/v1/reversal", file: "reversal_ok.json",
			want: specSample,
		},
		{
			name: "CloseOrder spec sample",
			call: (*Client).CloseOrder, path: "/trade/v1/close", file: "close_ok.json",
			want: specSample,
		},
		{
			name: "numbers and the origssn alias",
			call: (*Client).Reverse, path: "/trade/v1/reversal", file: "reversal_numbers.json",
			want: ReversalResponse{
				SysSN: "20200305066100020000977814", OrigSysSN: "20200305066100020000977813",
				OutTradeNo: "4MDGEJ7L496LAAU1V1HBY9HMOGWZWLXQ",
				Amount:     2500, Currency: CurrencyEUR,
				TxTime:    time.Date(2020, 3, 5, 16, 50, 30, 0, beijing),
				SysTime:   time.Date(2020, 3, 5, 16, 54, 38, 0, beijing),
				ChannelSN: "2020030522001411461404119764", ChannelSN2: "4200000512202003051234567890",
				CardNumber: "2088032341453564", DeviceID: "qiantai2", RespCode: "0000", Message: "success",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, tt.path, tt.file)
			got, err := tt.call(e.client, t.Context(), &ReversalRequest{SysSN: "20200305066100020000977813", Amount: 2500})
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestReversalAnswers(t *testing.T) {
	tests := []struct {
		name  string
		call  reversalCall
		path  string
		file  string
		code  string
		sysSN string // of the response returned alongside a pending error
	}{
		{"Reverse pending 1143", (*Client).Reverse, "/trade/v1/reversal", "reversal_1143.json", "1143", "20200305066100020000977814"},
		{"CloseOrder pending 1145", (*Client).CloseOrder, "/trade/v1/close", "close_1145.json", "1145", "20200305066100020000977815"},
		{"Reverse refused 1101", (*Client).Reverse, "/trade/v1/reversal", "reversal_1101.json", "1101", ""},
		{"CloseOrder refused 1142", (*Client).CloseOrder, "/trade/v1/close", "close_1142.json", "1142", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, tt.path, tt.file)
			got, err := tt.call(e.client, t.Context(), &ReversalRequest{OutTradeNo: "A1", Amount: 2500})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.path, apiErr.Path)
			assert.NotEmpty(t, apiErr.Description())
			if tt.sysSN != "" {
				assert.ErrorIs(t, err, ErrPending)
				require.NotNil(t, got, "pending answers return the response")
				assert.Equal(t, tt.sysSN, got.SysSN)
				assert.Equal(t, "20200305066100020000977813", got.OrigSysSN)
			} else {
				assert.NotErrorIs(t, err, ErrPending)
				assert.Nil(t, got)
			}
			assert.Len(t, e.requests(), 1)
		})
	}
}

func TestReversalOutcomeUnknown(t *testing.T) {
	for _, rc := range reversalCalls {
		t.Run(rc.name, func(t *testing.T) {
			e := setup(t)
			e.respondHTML(http.MethodPost, rc.path, http.StatusBadGateway)
			got, err := rc.call(e.client, t.Context(), &ReversalRequest{OutTradeNo: "A1", Amount: 2500})
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			assert.Equal(t, rc.path, ou.Path)
			assert.Equal(t, "A1", ou.OutTradeNo)
			assert.Len(t, e.requests(), 1, "a money-moving call is never re-sent")
		})
	}
}

func TestReversalSuccessWithoutSysSN(t *testing.T) {
	// A success that names no reversal is not a usable success.
	for _, rc := range reversalCalls {
		t.Run(rc.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, rc.path, "reversal_no_syssn.json")
			got, err := rc.call(e.client, t.Context(), &ReversalRequest{SysSN: "20200305066100020000977813", Amount: 2500})
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "without syssn")
		})
	}
}

func TestReversalValidation(t *testing.T) {
	tests := []struct {
		name  string
		req   *ReversalRequest
		field string
		msg   string
	}{
		{"nil", nil, "", "nil *ReversalRequest"},
		{"no syssn nor out_trade_no", &ReversalRequest{Amount: 10}, "syssn", "SysSN or OutTradeNo"},
		{"syssn too long", &ReversalRequest{SysSN: strings.Repeat("1", 129), Amount: 10}, "syssn", "at most 128"},
		{"zero amount", &ReversalRequest{SysSN: "1", Amount: 0}, "txamt", "Amount"},
		{"negative amount", &ReversalRequest{OutTradeNo: "A1", Amount: -5}, "txamt", "Amount"},
		{"amount over 11 digits", &ReversalRequest{OutTradeNo: "A1", Amount: 123456789012}, "txamt", "11 digits"},
		{"out_trade_no too long", &ReversalRequest{OutTradeNo: strings.Repeat("x", 129), Amount: 10}, "out_trade_no", "at most 128"},
		{"mchid too long", &ReversalRequest{OutTradeNo: "A1", Amount: 10, MerchantID: strings.Repeat("m", 17)}, "mchid", "at most 16"},
		{"udid too long", &ReversalRequest{OutTradeNo: "A1", Amount: 10, DeviceID: strings.Repeat("d", 41)}, "udid", "at most 40"},
	}
	for _, rc := range reversalCalls {
		for _, tt := range tests {
			t.Run(rc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t)
				e.respondFile(http.MethodPost, rc.path, "reversal_ok.json")
				got, err := rc.call(e.client, t.Context(), tt.req)
				assert.Nil(t, got)
				require.ErrorIs(t, err, ErrInvalidRequest)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
				assert.Contains(t, err.Error(), tt.msg)
				assert.False(t, errors.Is(err, ErrOutcomeUnknown))
				assert.Empty(t, e.requests())
			})
		}
	}
}

// TestCancelPicksTheWalletsEndpoint checks Cancel's routing for every pay
// type of the table: reversal for Alipay CPM/MPM, WeChat Pay CPM, the
// unified CPM code and Alipay pre-authorization; nothing sent for Hong Kong
// pay types; close for every other wallet and for unknown codes.
func TestCancelPicksTheWalletsEndpoint(t *testing.T) {
	reversal := map[PayType]bool{
		PayTypeAlipayCPM: true, PayTypeAlipayMPM: true, PayTypeWeChatCPM: true, PayTypeUnifiedCPM: true,
		PayTypeAlipayPreAuthCPM: true, PayTypeAlipayPreAuthMPM: true, PayTypeAlipayPreAuthInApp: true, PayTypeAlipayPreAuthOnline: true,
	}
	hongKong := map[PayType]bool{
		"801008": true, "801010": true, "801501": true, "801510": true, "801512": true, "802001": true, "803701": true, "803712": true,
		// The current documentation's catalogue, marked (HK).
		"800712": true, "800714": true, "801514": true, "803714": true, "805801": true, "805808": true, "805812": true, "805814": true,
	}
	for _, p := range append(PayTypes(), "899999") {
		t.Run(string(p), func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/reversal", "reversal_ok.json")
			e.respondFile(http.MethodPost, "/trade/v1/close", "close_ok.json")
			got, err := e.client.Cancel(t.Context(), p, &ReversalRequest{OutTradeNo: "A1", Amount: 2500})
			if hongKong[p] {
				assert.Nil(t, got)
				require.ErrorIs(t, err, ErrInvalidRequest)
				assert.Contains(t, err.Error(), "does not support cancel")
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "pay_type", ve.Field)
				assert.Contains(t, err.Error(), string(p))
				assert.Empty(t, e.requests(), "nothing sent")
				return
			}
			require.NoError(t, err)
			want := "/trade/v1/close"
			if reversal[p] {
				want = "/trade/v1/reversal"
			}
			require.Len(t, e.requests(), 1)
			assert.Equal(t, want, e.last().Path)
			assertSentParams(t, e.last(), map[string]string{"out_trade_no": "A1", "txamt": "2500", "txdtm": "2019-12-25 14:21:28"})
		})
	}
	t.Run("no pay type", func(t *testing.T) {
		e := setup(t)
		_, err := e.client.Cancel(t.Context(), "", &ReversalRequest{OutTradeNo: "A1", Amount: 2500})
		require.ErrorIs(t, err, ErrInvalidRequest)
		assert.Contains(t, err.Error(), "PayType")
		assert.Empty(t, e.requests())
	})
}
