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

// docRefundRequest is the documentation's refund (API section "Refunds"):
// the full 10 cents of the payment 20191227000200020061752831.
func docRefundRequest() *RefundRequest {
	return &RefundRequest{SysSN: "20191227000200020061752831", OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", Amount: 10,
		TxTime: time.Date(2019, 12, 27, 11, 10, 38, 0, beijing)}
}

func TestRefundRequestBody(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		req    RefundRequest
		body   string
		signed string
	}{
		{
			name:   "full refund, the documentation's request",
			req:    *docRefundRequest(),
			body:   "out_trade_no=RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F&syssn=20191227000200020061752831&txamt=10&txdtm=2019-12-27+11%3A10%3A38",
			signed: "out_trade_no=RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F&syssn=20191227000200020061752831&txamt=10&txdtm=2019-12-27 11:10:38",
		},
		{
			name:   "partial refund, txdtm now, client mchid",
			opts:   []Option{WithMerchantID("ZaMVg12345")},
			req:    RefundRequest{SysSN: "20191227000200020061752831", OutTradeNo: "R-2", Amount: 4, DeviceID: "qiantai2"},
			body:   "mchid=ZaMVg12345&out_trade_no=R-2&syssn=20191227000200020061752831&txamt=4&txdtm=2019-12-25+14%3A21%3A28&udid=qiantai2",
			signed: "mchid=ZaMVg12345&out_trade_no=R-2&syssn=20191227000200020061752831&txamt=4&txdtm=2019-12-25 14:21:28&udid=qiantai2",
		},
		{
			name:   "the request's own mchid and txzone win",
			opts:   []Option{WithMerchantID("ZaMVg12345"), WithLocation(time.UTC)},
			req:    RefundRequest{SysSN: "20191227000200020061752831", OutTradeNo: "R-3", Amount: 6, MerchantID: "Shop2", TimeZone: "+0700"},
			body:   "mchid=Shop2&out_trade_no=R-3&syssn=20191227000200020061752831&txamt=6&txdtm=2019-12-25+06%3A21%3A28&txzone=%2B0700",
			signed: "mchid=Shop2&out_trade_no=R-3&syssn=20191227000200020061752831&txamt=6&txdtm=2019-12-25 06:21:28&txzone=+0700",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_doc.json")
				req := tt.req
				_, err := e.client.Refund(context.Background(), &req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), "/trade/v1/refund", tt.body, tt.signed, st)
			})
		}
	}
}

func TestRefundSignatureVectors(t *testing.T) {
	for _, vec := range loadVectors(t).Requests {
		if !strings.HasPrefix(vec.Name, "refund/") {
			continue
		}
		t.Run(vec.Name, func(t *testing.T) {
			e := setup(t, WithSignType(SignType(vec.SignType)))
			e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_doc.json")
			req := docRefundRequest()
			_, err := e.client.Refund(context.Background(), req)
			require.NoError(t, err)
			r := e.last()
			require.Len(t, r.Params, len(vec.Params))
			for k, v := range vec.Params {
				assert.Equal(t, v, r.Params.Get(k), k)
			}
			assert.Equal(t, vec.Signature, r.Header.Get("X-QF-SIGN"))
		})
	}
}

func TestRefundDecodesSamples(t *testing.T) {
	tests := []struct {
		file string
		want RefundResponse
	}{
		{"refund_doc.json", RefundResponse{
			SysSN:      "20191227000300020061652643",
			OrigSysSN:  "20191227000200020061752831",
			OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F",
			Amount:     10,
			Currency:   CurrencyEUR,
			TxTime:     time.Date(2019, 12, 27, 11, 10, 38, 0, beijing),
			SysTime:    time.Date(2019, 12, 27, 11, 11, 23, 0, beijing),
			PayTime:    time.Date(2019, 12, 27, 11, 11, 26, 0, beijing),
			ChannelSN:  "2019122722001411461404119764",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
		}},
		{"refund_numbers.json", RefundResponse{
			SysSN:      "20191227000300020061652644",
			OrigSysSN:  "20191227000200020061752831", // a bare 26-digit number, digit for digit
			OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720G",
			Amount:     5,
			Currency:   CurrencyEUR,
			TxTime:     time.Date(2019, 12, 27, 11, 10, 38, 0, beijing),
			SysTime:    time.Date(2019, 12, 27, 11, 11, 23, 0, beijing),
			PayTime:    time.Date(2019, 12, 27, 11, 11, 26, 0, beijing),
			ChannelSN:  "2019122722001411461404119764",
			DeviceID:   "qiantai2",
			RespCode:   "0000",
			Message:    "success",
		}},
		// QF Pay's current documentation adds the cash fields; a number
		// where it types String is kept as its digits.
		{"refund_cash.json", RefundResponse{
			SysSN: "20240515000200020000000611", OrigSysSN: "20240514000200020000000507", OutTradeNo: "web-20240514-0007-r1",
			Amount: 100, Currency: CurrencyHKD,
			TxTime:    time.Date(2024, 5, 15, 9, 10, 11, 0, beijing),
			SysTime:   time.Date(2024, 5, 15, 9, 10, 11, 0, beijing),
			PayTime:   time.Date(2024, 5, 15, 9, 10, 12, 0, beijing),
			ChannelSN: "8816158379876543", CardNumber: "400000******1091",
			CashFee: "274", CashFeeType: CurrencyCNY, CashRefundFee: "91", CashRefundFeeType: CurrencyCNY,
			RespCode: "0000", Message: "success",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/refund", tt.file)
			got, err := e.client.Refund(context.Background(), docRefundRequest())
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestRefundRefused(t *testing.T) {
	tests := []struct {
		file, code, message, detail string
	}{
		{"refund_1272.json", "1272", "The refund amount is greater than the maximum amount that can be refunded for the original transaction (1272)", "退款金额超过原交易可退金额"},
		{"refund_1125.json", "1125", "Transaction has been refunded already (1125)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/refund", tt.file)
			got, err := e.client.Refund(context.Background(), docRefundRequest())
			assert.Nil(t, got)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Equal(t, tt.detail, apiErr.Detail)
			assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
			assert.Equal(t, "/trade/v1/refund", apiErr.Path)
			assert.Equal(t, CodeDescription(tt.code), apiErr.Description())
			assert.NotEmpty(t, apiErr.Description())
			assert.NotErrorIs(t, err, ErrPending)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.Len(t, e.requests(), 1)
		})
	}
}

func TestRefundPending(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/refund", http.StatusOK,
		`{"respcd": "1145", "resperr": "Please wait while processing (1145)", "syssn": "20191227000300020061652643", "orig_syssn": 20191227000200020061752831, "txamt": "10"}`)
	got, err := e.client.Refund(context.Background(), docRefundRequest())
	assert.ErrorIs(t, err, ErrPending)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	require.NotNil(t, got)
	assert.Equal(t, "20191227000300020061652643", got.SysSN)
	assert.Equal(t, "20191227000200020061752831", got.OrigSysSN)
	assert.Equal(t, "1145", got.RespCode)
}

func TestRefundValidation(t *testing.T) {
	with := func(change func(r *RefundRequest)) *RefundRequest {
		r := docRefundRequest()
		change(r)
		return r
	}
	tests := []struct {
		name  string
		req   *RefundRequest
		field string
	}{
		{"nil request", nil, wholeRequest},
		{"no SysSN", with(func(r *RefundRequest) { r.SysSN = "" }), "syssn"},
		{"no OutTradeNo", with(func(r *RefundRequest) { r.OutTradeNo = "" }), "out_trade_no"},
		{"OutTradeNo of 129 characters", with(func(r *RefundRequest) { r.OutTradeNo = strings.Repeat("R", 129) }), "out_trade_no"},
		{"no Amount", with(func(r *RefundRequest) { r.Amount = 0 }), "txamt"},
		{"negative Amount", with(func(r *RefundRequest) { r.Amount = -10 }), "txamt"},
		{"OutTradeNo of 128 characters", with(func(r *RefundRequest) { r.OutTradeNo = strings.Repeat("R", 128) }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_doc.json")
			got, err := e.client.Refund(context.Background(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}

// TestRefundWithoutSysSN: a 0000 refund without syssn cannot be used and
// may have moved money.
func TestRefundWithoutSysSN(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/refund", http.StatusOK, `{"respcd": "0000", "resperr": "success", "orig_syssn": "20191227000200020061752831", "txamt": "10"}`)
	got, err := e.client.Refund(context.Background(), docRefundRequest())
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrMalformedResponse)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", ou.OutTradeNo, "the refund's own number, to query it by")
	assert.Equal(t, "20191227000200020061752831", ou.SysSN)
	assert.Contains(t, err.Error(), "syssn")
}
