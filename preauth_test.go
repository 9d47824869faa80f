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

func TestFreezeFundsSends(t *testing.T) {
	tests := []struct {
		name string
		req  PaymentRequest
		want map[string]string
	}{
		{
			name: "spec sample with an MPM pre-auth pay type",
			req: PaymentRequest{PayType: PayTypeAlipayPreAuthMPM, Amount: 1, Currency: CurrencyUSD, OutTradeNo: "alipay201909261129164551bcdd40",
				TxTime: time.Date(2019, 9, 26, 11, 29, 16, 0, beijing), GoodsName: "goodcode1", MerchantID: "R1zQrTdJnn", TimeZone: "+0800"},
			want: map[string]string{"goods_name": "goodcode1", "mchid": "R1zQrTdJnn", "out_trade_no": "alipay201909261129164551bcdd40",
				"pay_type": "801808", "txamt": "1", "txcurrcd": "USD", "txdtm": "2019-09-26 11:29:16", "txzone": "+0800"},
		},
		{
			name: "CPM with the customer's code",
			req:  PaymentRequest{PayType: PayTypeAlipayPreAuthCPM, Amount: 100, Currency: CurrencyHKD, OutTradeNo: "F1", AuthCode: "287255838063025836"},
			want: map[string]string{"out_trade_no": "F1", "pay_type": "801801", "txamt": "100", "txcurrcd": "HKD",
				"txdtm": "2019-12-25 14:21:28", "auth_code": "287255838063025836"},
		},
		{
			name: "in-app with openid",
			req: PaymentRequest{PayType: PayTypeAlipayPreAuthInApp, Amount: 100, Currency: CurrencyHKD, OutTradeNo: "F2",
				GoodsName: "deposit", OpenID: "2088802811715388"},
			want: map[string]string{"out_trade_no": "F2", "pay_type": "801810", "txamt": "100", "txcurrcd": "HKD",
				"txdtm": "2019-12-25 14:21:28", "goods_name": "deposit", "openid": "2088802811715388"},
		},
		{
			name: "online",
			req:  PaymentRequest{PayType: PayTypeAlipayPreAuthOnline, Amount: 100, Currency: CurrencyHKD, OutTradeNo: "F3", ReturnURL: "https://shop.example/done"},
			want: map[string]string{"out_trade_no": "F3", "pay_type": "801814", "txamt": "100", "txcurrcd": "HKD",
				"txdtm": "2019-12-25 14:21:28", "return_url": "https://shop.example/done"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "preauth_freeze_ok.json")
			_, err := e.client.FreezeFunds(t.Context(), &tt.req)
			require.NoError(t, err)
			r := e.last()
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/trade/v1/payment", r.Path)
			assertSentParams(t, r, tt.want)
			assertSigned(t, r, MD5)
		})
	}
}

func TestFreezeFundsAnswers(t *testing.T) {
	req := func() *PaymentRequest {
		return &PaymentRequest{PayType: PayTypeAlipayPreAuthCPM, Amount: 1, Currency: CurrencyUSD, OutTradeNo: "alipay201909261129164551bcdd40", AuthCode: "287255838063025836"}
	}
	t.Run("success", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, "/trade/v1/payment", "preauth_freeze_ok.json")
		got, err := e.client.FreezeFunds(t.Context(), req())
		require.NoError(t, err)
		assert.Equal(t, PaymentResponse{
			SysSN: "20190926000200020016004244", OutTradeNo: "alipay201909261129164551bcdd40", PayType: PayTypeAlipayPreAuthCPM,
			Amount: 1, Currency: CurrencyUSD,
			TxTime:    time.Date(2019, 9, 26, 11, 29, 16, 0, beijing),
			SysTime:   time.Date(2019, 9, 26, 11, 29, 18, 0, beijing),
			PayTime:   time.Date(2019, 9, 26, 11, 29, 19, 0, beijing),
			ChannelSN: "2019092622001411461404119764", CardNumber: "2088032341453564", DeviceID: "qiantai2",
			RespCode: "0000", Message: "交易成功",
		}, *got)
	})
	t.Run("spec sample 1297", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, "/trade/v1/payment", "preauth_freeze_1297.json")
		got, err := e.client.FreezeFunds(t.Context(), req())
		assert.Nil(t, got)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "1297", apiErr.Code)
		assert.Equal(t, "Network busy, don't worry, we are fixing it (1297)", apiErr.Message)
		assert.Equal(t, "预授权发码参数异常或参数缺失", apiErr.Detail)
		assert.NotErrorIs(t, err, ErrPending)
	})
}

func TestFreezeFundsValidation(t *testing.T) {
	ok := PaymentRequest{PayType: PayTypeAlipayPreAuthMPM, Amount: 1, Currency: CurrencyUSD, OutTradeNo: "F1"}
	with := func(f func(*PaymentRequest)) *PaymentRequest {
		r := ok
		f(&r)
		return &r
	}
	tests := []struct {
		name string
		req  *PaymentRequest
		msg  string
	}{
		{"nil", nil, "nil *PaymentRequest"},
		{"plain Alipay MPM", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayMPM }), `"800101" is not an Alipay pre-authorization pay type`},
		{"the spec sample's 801802, not in the PayType table", with(func(r *PaymentRequest) { r.PayType = "801802" }), "not an Alipay pre-authorization"},
		{"no pay type", with(func(r *PaymentRequest) { r.PayType = "" }), "not an Alipay pre-authorization"},
		{"CPM without auth code", with(func(r *PaymentRequest) { r.PayType = PayTypeAlipayPreAuthCPM }), "AuthCode is required"},
		{"zero amount", with(func(r *PaymentRequest) { r.Amount = 0 }), "Amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "preauth_freeze_ok.json")
			got, err := e.client.FreezeFunds(t.Context(), tt.req)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}

func TestUnfreezeFundsSends(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		req  UnfreezeRequest
		want map[string]string
	}{
		{
			name: "spec sample",
			req:  UnfreezeRequest{MerchantID: "R1zQrTd123", SysSN: "20190722000300020081074842"},
			want: map[string]string{"mchid": "R1zQrTd123", "syssn": "20190722000300020081074842", "txdtm": "2019-12-25 14:21:28"},
		},
		{
			name: "client mchid, every optional field",
			opts: []Option{WithMerchantID("R1zQrTd123"), WithSignType(SHA256)},
			req: UnfreezeRequest{OutTradeNo: "F1", Amount: 10, TxTime: time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
				DeviceID: "qiantai2", TimeZone: "+0800"},
			want: map[string]string{"mchid": "R1zQrTd123", "out_trade_no": "F1", "txamt": "10", "txdtm": "2019-07-22 15:20:54",
				"udid": "qiantai2", "txzone": "+0800"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodPost, "/trade/v1/reversal", "unfreeze_ok.json")
			_, err := e.client.UnfreezeFunds(t.Context(), &tt.req)
			require.NoError(t, err)
			r := e.last()
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/trade/v1/reversal", r.Path)
			assertSentParams(t, r, tt.want)
			assertSigned(t, r, e.client.signType)
		})
	}
}

func TestUnfreezeFundsDecodes(t *testing.T) {
	e := setup(t)
	e.respondFile(http.MethodPost, "/trade/v1/reversal", "unfreeze_ok.json")
	got, err := e.client.UnfreezeFunds(t.Context(), &UnfreezeRequest{MerchantID: "R1zQrTd123", SysSN: "20190722000300020081074842"})
	require.NoError(t, err)
	assert.Equal(t, ReversalResponse{
		SysSN: "20190722000302320081074842", OrigSysSN: "20190722000300020081074842",
		Amount: 10, Currency: CurrencyHKD,
		TxTime:   time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
		SysTime:  time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
		RespCode: "0000", Message: "请求成功",
	}, *got)
}

func TestUnfreezeFundsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		req  *UnfreezeRequest
		msg  string
	}{
		{"no mchid on request nor client", nil, &UnfreezeRequest{SysSN: "20190722000300020081074842"}, "MerchantID is required"},
		{"nil", []Option{WithMerchantID("R1")}, nil, "nil *UnfreezeRequest"},
		{"no syssn nor out_trade_no", []Option{WithMerchantID("R1")}, &UnfreezeRequest{}, "SysSN or OutTradeNo"},
		{"negative amount", nil, &UnfreezeRequest{MerchantID: "R1", SysSN: "1", Amount: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodPost, "/trade/v1/reversal", "unfreeze_ok.json")
			got, err := e.client.UnfreezeFunds(t.Context(), tt.req)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}

func TestDeductFundsSends(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		req  DeductRequest
		want map[string]string
	}{
		{
			name: "spec sample",
			req: DeductRequest{MerchantID: "R1zQrTd123", SysSN: "20190722000300020081074842", OutTradeNo: "alipay201909271528139576015cbf",
				Amount: 1, TxTime: time.Date(2019, 9, 27, 15, 28, 13, 0, beijing), TimeZone: "+0800"},
			want: map[string]string{"mchid": "R1zQrTd123", "syssn": "20190722000300020081074842", "out_trade_no": "alipay201909271528139576015cbf",
				"txamt": "1", "txdtm": "2019-09-27 15:28:13", "txzone": "+0800"},
		},
		{
			name: "defaults, device and return URL, SHA256",
			opts: []Option{WithMerchantID("R1zQrTd123"), WithLocation(time.FixedZone("JST", 9*3600)), WithSignType(SHA256)},
			req: DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 5, DeviceID: "pos-7",
				ReturnURL: "https://shop.example/done?o=1&b=2"},
			want: map[string]string{"mchid": "R1zQrTd123", "syssn": "20190722000300020081074842", "out_trade_no": "D1",
				"txamt": "5", "txdtm": "2019-12-25 15:21:28", "txzone": "+0900", "udid": "pos-7", "return_url": "https://shop.example/done?o=1&b=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodPost, "/trade/v1/authtrade", "authtrade_ok.json")
			_, err := e.client.DeductFunds(t.Context(), &tt.req)
			require.NoError(t, err)
			r := e.last()
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/trade/v1/authtrade", r.Path)
			assertSentParams(t, r, tt.want)
			assertSigned(t, r, e.client.signType)
		})
	}
}

func TestDeductFundsDecodes(t *testing.T) {
	e := setup(t)
	e.respondFile(http.MethodPost, "/trade/v1/authtrade", "authtrade_ok.json")
	got, err := e.client.DeductFunds(t.Context(), &DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 10})
	require.NoError(t, err)
	assert.Equal(t, DeductResponse{
		SysSN: "20190722000302320081074842",
		// The sample sends orig_syssn as a bare 26-digit number: every digit
		// is kept (a float64 would give 20190722000300020000000000).
		OrigSysSN: "20190722000300020081074842",
		Amount:    10, Currency: CurrencyHKD,
		TxTime:   time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
		SysTime:  time.Date(2019, 7, 22, 15, 20, 54, 0, beijing),
		RespCode: "0000", Message: "请求成功",
	}, *got)
}

func TestDeductFundsSuccessWithoutSysSN(t *testing.T) {
	e := setup(t)
	e.respondFile(http.MethodPost, "/trade/v1/authtrade", "authtrade_no_syssn.json")
	got, err := e.client.DeductFunds(t.Context(), &DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 10})
	assert.Nil(t, got)
	require.ErrorIs(t, err, ErrMalformedResponse)
	assert.Contains(t, err.Error(), "without syssn")
}

func TestDeductFundsValidation(t *testing.T) {
	ok := DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 1}
	with := func(f func(*DeductRequest)) *DeductRequest {
		r := ok
		f(&r)
		return &r
	}
	tests := []struct {
		name string
		req  *DeductRequest
		msg  string
	}{
		{"nil", nil, "nil *DeductRequest"},
		{"no syssn", with(func(r *DeductRequest) { r.SysSN = "" }), "SysSN"},
		{"no out_trade_no", with(func(r *DeductRequest) { r.OutTradeNo = "" }), "OutTradeNo is required"},
		{"zero amount", with(func(r *DeductRequest) { r.Amount = 0 }), "Amount"},
		{"return URL too long", with(func(r *DeductRequest) { r.ReturnURL = "https://x.example/" + strings.Repeat("a", 500) }), "ReturnURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/authtrade", "authtrade_ok.json")
			got, err := e.client.DeductFunds(t.Context(), tt.req)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}

// TestPreAuthPendingAndUnknown covers the answers every pre-authorization
// call shares with the other money-moving calls.
func TestPreAuthPendingAndUnknown(t *testing.T) {
	type result struct {
		sysSN, origSysSN string
		ok               bool // a response came back
	}
	calls := []struct {
		name, path, pending string
		opts                []Option
		call                func(context.Context, *Client) (result, error)
		outTradeNo, sysSN   string // expected in *OutcomeUnknownError
		want                result
	}{
		{
			name: "FreezeFunds", path: "/trade/v1/payment", pending: "preauth_freeze_1143.json",
			call: func(ctx context.Context, c *Client) (result, error) {
				r, err := c.FreezeFunds(ctx, &PaymentRequest{PayType: PayTypeAlipayPreAuthCPM, Amount: 1, Currency: CurrencyUSD, OutTradeNo: "F1", AuthCode: "287255838063025836"})
				if r == nil {
					return result{}, err
				}
				return result{r.SysSN, "", true}, err
			},
			outTradeNo: "F1",
			want:       result{"20190926000200020016004244", "", true},
		},
		{
			name: "UnfreezeFunds", path: "/trade/v1/reversal", pending: "unfreeze_1145.json", opts: []Option{WithMerchantID("R1")},
			call: func(ctx context.Context, c *Client) (result, error) {
				r, err := c.UnfreezeFunds(ctx, &UnfreezeRequest{SysSN: "20190722000300020081074842"})
				if r == nil {
					return result{}, err
				}
				return result{r.SysSN, r.OrigSysSN, true}, err
			},
			sysSN: "20190722000300020081074842",
			want:  result{"20190722000302320081074842", "20190722000300020081074842", true},
		},
		{
			name: "DeductFunds", path: "/trade/v1/authtrade", pending: "authtrade_1143.json",
			call: func(ctx context.Context, c *Client) (result, error) {
				r, err := c.DeductFunds(ctx, &DeductRequest{SysSN: "20190722000300020081074842", OutTradeNo: "D1", Amount: 10})
				if r == nil {
					return result{}, err
				}
				return result{r.SysSN, r.OrigSysSN, true}, err
			},
			outTradeNo: "D1", sysSN: "20190722000300020081074842",
			want: result{"20190722000302320081074842", "20190722000300020081074842", true},
		},
	}
	for _, tt := range calls {
		t.Run(tt.name+"/pending", func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodPost, tt.path, tt.pending)
			got, err := tt.call(t.Context(), e.client)
			require.ErrorIs(t, err, ErrPending)
			assert.Equal(t, tt.want, got, "the response comes back with the pending error")
			assert.Len(t, e.requests(), 1)
		})
		t.Run(tt.name+"/5xx HTML", func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondHTML(http.MethodPost, tt.path, http.StatusServiceUnavailable)
			got, err := tt.call(t.Context(), e.client)
			assert.False(t, got.ok)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			assert.Equal(t, tt.path, ou.Path)
			assert.Equal(t, tt.outTradeNo, ou.OutTradeNo)
			assert.Equal(t, tt.sysSN, ou.SysSN)
			assert.Len(t, e.requests(), 1, "never re-sent")
		})
	}
}
