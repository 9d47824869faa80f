package qfpaytest_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

func itoa(i int) string { return strconv.Itoa(i) }

func paymentReq(outTradeNo string, amount int64) *qfpay.PaymentRequest {
	return &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayMPM, Amount: amount, Currency: qfpay.CurrencyHKD, OutTradeNo: outTradeNo}
}

func queryBySysSN(syssn ...string) *qfpay.QueryRequest {
	return &qfpay.QueryRequest{SysSNs: syssn}
}

// only queries one transaction through the SDK.
func only(t *testing.T, c *qfpay.Client, req *qfpay.QueryRequest) qfpay.Transaction {
	t.Helper()
	q, err := c.Query(t.Context(), req)
	require.NoError(t, err)
	require.Len(t, q.Transactions, 1)
	return q.Transactions[0]
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var apiErr *qfpay.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr.Code
}

// TestLifecycleSDK runs a merchant-presented payment's whole life through
// the SDK: create, pay, query, partial refund, refund of the rest, refund
// of nothing left.
func TestLifecycleSDK(t *testing.T) {
	for _, signType := range []qfpay.SignType{qfpay.MD5, qfpay.SHA256} {
		t.Run(string(signType), func(t *testing.T) {
			srv := newServer(t)
			client := newClient(t, srv, qfpay.WithSignType(signType))
			ctx := t.Context()

			resp, err := client.Payment(ctx, &qfpay.PaymentRequest{
				PayType: qfpay.PayTypeWeChatMPM, Amount: 1000, Currency: qfpay.CurrencyHKD,
				OutTradeNo: "order-1", GoodsName: "coffee",
			})
			require.NoError(t, err)
			assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.QRCode)
			assert.Equal(t, int64(1000), resp.Amount)
			assert.Equal(t, qfpay.CurrencyHKD, resp.Currency)
			assert.Equal(t, "order-1", resp.OutTradeNo)
			assert.True(t, resp.SysTime.Equal(t0), "sysdtm %v", resp.SysTime)

			tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"order-1"}})
			assert.Equal(t, "1143", tx.RespCode, "waiting for the customer")
			assert.True(t, tx.Pending())
			assert.True(t, tx.PayTime.IsZero())

			srv.SetNow(t0.Add(time.Minute))
			require.NoError(t, srv.Pay("order-1"))
			tx = only(t, client, queryBySysSN(resp.SysSN))
			assert.True(t, tx.Paid())
			assert.True(t, tx.PayTime.Equal(t0.Add(time.Minute)), "paydtm %v", tx.PayTime)
			assert.Equal(t, qfpay.CancelNone, tx.Cancel)
			assert.Equal(t, "coffee", tx.GoodsName)
			assert.Equal(t, qfpay.OrderTypePayment, tx.OrderType)

			r1, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "refund-1", Amount: 300})
			require.NoError(t, err)
			assert.Equal(t, resp.SysSN, r1.OrigSysSN)
			assert.Equal(t, int64(300), r1.Amount)
			assert.NotEqual(t, resp.SysSN, r1.SysSN)
			assert.Equal(t, qfpay.CancelPartiallyRefunded, only(t, client, queryBySysSN(resp.SysSN)).Cancel)

			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "refund-2", Amount: 701})
			assert.Equal(t, "1272", apiCode(t, err), "above the 700 left")

			r2, err := client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "refund-2", Amount: 700})
			require.NoError(t, err)
			assert.Equal(t, qfpay.CancelRefunded, only(t, client, queryBySysSN(resp.SysSN)).Cancel)

			_, err = client.Refund(ctx, &qfpay.RefundRequest{SysSN: resp.SysSN, OutTradeNo: "refund-3", Amount: 1})
			assert.Equal(t, "1125", apiCode(t, err))

			q, err := client.Query(ctx, &qfpay.QueryRequest{OutTradeNos: []string{"refund-1", "refund-2"}})
			require.NoError(t, err)
			require.Len(t, q.Transactions, 2)
			for i, want := range []*qfpay.RefundResponse{r2, r1} { // newest first
				got := q.Transactions[i]
				assert.True(t, got.IsRefund())
				assert.Equal(t, want.SysSN, got.SysSN)
				assert.Equal(t, resp.SysSN, got.OrigSysSN)
				assert.Equal(t, want.Amount, got.Amount)
				assert.True(t, got.Paid())
			}
		})
	}
}

func TestMagicAuthCodes(t *testing.T) {
	tests := []struct {
		name     string
		authCode string
		first    string   // respcd of the payment
		queries  []string // respcd listed by the following queries
	}{
		{"success", qfpaytest.AuthCodeSuccess, "0000", []string{"0000"}},
		{"any other code", "287255838063025836", "0000", []string{"0000"}},
		{"pending", qfpaytest.AuthCodePending, "1145", []string{"1145", "1145", "0000", "0000"}},
		{"password pending", qfpaytest.AuthCodePasswordPending, "1143", []string{"1143", "1143", "0000"}},
		{"slow network", qfpaytest.AuthCodeSlowNetwork, "1298", []string{"1298", "1298", "0000"}},
		{"pending then failed", qfpaytest.AuthCodePendingThenFail, "1145", []string{"1145", "1145", "1205", "1205"}},
		{"insufficient balance", qfpaytest.AuthCodeInsufficientBalance, "1201", []string{"1201"}},
		{"invalid code", qfpaytest.AuthCodeInvalid, "1202", []string{"1202"}},
		{"expired code", qfpaytest.AuthCodeExpired, "2005", []string{"2005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			client := newClient(t, srv)
			resp, err := client.Payment(t.Context(), &qfpay.PaymentRequest{
				PayType: qfpay.PayTypeWeChatCPM, Amount: 10, Currency: qfpay.CurrencyHKD,
				OutTradeNo: "cpm-1", AuthCode: tt.authCode,
			})
			switch {
			case tt.first == "0000":
				require.NoError(t, err)
				assert.NotEmpty(t, resp.ChannelSN)
				assert.False(t, resp.PayTime.IsZero())
			case tt.first == "1143" || tt.first == "1145" || tt.first == "1298":
				require.ErrorIs(t, err, qfpay.ErrPending)
				assert.Equal(t, tt.first, apiCode(t, err))
				require.NotNil(t, resp, "a pending answer carries the payment")
				assert.NotEmpty(t, resp.SysSN)
			default:
				assert.Equal(t, tt.first, apiCode(t, err))
				assert.NotErrorIs(t, err, qfpay.ErrPending)
			}
			for i, want := range tt.queries {
				tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"cpm-1"}})
				assert.Equal(t, want, tx.RespCode, "query %d", i+1)
			}
		})
	}
	t.Run("no pending queries", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingQueries(0))
		a := post(t, srv, "/trade/v1/payment", cpm("cpm-0", "10", qfpaytest.AuthCodePending))
		requireCode(t, a, "1145")
		assert.Equal(t, "0000", queryOne(t, srv, a.str("syssn"))["respcd"])
	})
	t.Run("Pay settles a pending payment", func(t *testing.T) {
		srv := newServer(t)
		a := post(t, srv, "/trade/v1/payment", cpm("cpm-p", "10", qfpaytest.AuthCodePendingThenFail))
		requireCode(t, a, "1145")
		require.NoError(t, srv.Pay(a.str("syssn")))
		assert.Equal(t, "0000", queryOne(t, srv, a.str("syssn"))["respcd"])
	})
	t.Run("WaitForPayment-style polling", func(t *testing.T) {
		srv := newServer(t, qfpaytest.WithPendingQueries(3))
		client := newClient(t, srv)
		_, err := client.Payment(t.Context(), &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayCPM, Amount: 10, Currency: qfpay.CurrencyHKD, OutTradeNo: "cpm-w", AuthCode: qfpaytest.AuthCodePending})
		require.ErrorIs(t, err, qfpay.ErrPending)
		polls := 0
		for tx := only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"cpm-w"}}); tx.Pending(); tx = only(t, client, &qfpay.QueryRequest{OutTradeNos: []string{"cpm-w"}}) {
			polls++
			require.Less(t, polls, 10)
		}
		assert.Equal(t, 3, polls)
	})
}

// TestPayParams checks the pay_params of each in-wallet and in-app pay type
// through the SDK's accessors, and the links of MPM and online pay types.
func TestPayParams(t *testing.T) {
	srv := newServer(t)
	client := newClient(t, srv)
	pay := func(t *testing.T, req *qfpay.PaymentRequest) *qfpay.PaymentResponse {
		t.Helper()
		req.Amount, req.Currency = 10, qfpay.CurrencyHKD
		req.OutTradeNo = strings.ReplaceAll(t.Name(), "/", "-")
		resp, err := client.Payment(t.Context(), req)
		require.NoError(t, err)
		tx, ok := srv.Transaction(resp.SysSN)
		require.True(t, ok)
		assert.Equal(t, "1143", tx.RespCode, "waits for the customer")
		return resp
	}
	t.Run("WeChat JSAPI", func(t *testing.T) {
		for _, pt := range []qfpay.PayType{qfpay.PayTypeWeChatJSAPI, qfpay.PayTypeWeChatMiniProgram} {
			t.Run(string(pt), func(t *testing.T) {
				resp := pay(t, &qfpay.PaymentRequest{PayType: pt, SubOpenID: qfpaytest.SandboxOpenID})
				p, err := resp.WeChatJSAPIParams()
				require.NoError(t, err)
				assert.Equal(t, qfpaytest.SandboxWeChatAppID, p.AppID)
				assert.Equal(t, strconv.FormatInt(t0.Unix(), 10), p.TimeStamp)
				assert.Equal(t, "prepay_id=wx"+resp.SysSN, p.Package)
				assert.Equal(t, "MD5", p.SignType)
				assert.Len(t, p.NonceStr, 32)
				want := refSign(form("appId", p.AppID, "timeStamp", p.TimeStamp, "nonceStr", p.NonceStr, "package", p.Package, "signType", p.SignType), clientKey, false)
				assert.Equal(t, want, p.PaySign)
			})
		}
	})
	t.Run("WeChat in-app", func(t *testing.T) {
		resp := pay(t, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatInApp, GoodsName: "qfpay"})
		p, err := resp.WeChatAppParams()
		require.NoError(t, err)
		assert.Equal(t, qfpaytest.SandboxWeChatAppID, p.AppID)
		assert.Equal(t, qfpaytest.SandboxWeChatPartnerID, p.PartnerID)
		assert.Equal(t, "Sign=WXPay", p.Package)
		assert.NotEmpty(t, p.Sign)
		var raw map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(resp.PayParams, &raw))
		assert.Equal(t, strconv.FormatInt(t0.Unix(), 10), string(raw["timestamp"]), "timestamp is a JSON number, as in the sample")
	})
	t.Run("Alipay in-app", func(t *testing.T) {
		resp := pay(t, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayHKInApp, GoodsName: "qfpay", GoodsInfo: "test_app"})
		p, err := resp.AlipayAppParams()
		require.NoError(t, err)
		assert.Equal(t, qfpaytest.SandboxAlipayPartner, p.Partner)
		assert.Equal(t, resp.SysSN, p.OutTradeNo)
		assert.Equal(t, "0.1", p.TotalFee)
		assert.Equal(t, "HKD", p.Currency)
		assert.Equal(t, "ALIPAYHK", p.PaymentInst)
		assert.Equal(t, "test_app", p.Body)
		assert.Equal(t, "qfpay", p.Subject)
		assert.Equal(t, "mobile.securitypay.pay", p.Service)
		assert.Equal(t, "30m", p.ItBPay)
		assert.Equal(t, "5311", p.SecondaryMerchantIndustry)
	})
	t.Run("Alipay H5", func(t *testing.T) {
		resp := pay(t, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayServiceWindowH5, OpenID: "2088802811715388"})
		tradeNO, err := resp.AlipayTradeNO()
		require.NoError(t, err)
		assert.Equal(t, "2088"+resp.SysSN, tradeNO)
	})
	t.Run("online", func(t *testing.T) {
		resp := pay(t, &qfpay.PaymentRequest{PayType: qfpay.PayTypeAlipayOnlineWAP})
		assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.PayURL)
		assert.Empty(t, resp.QRCode)
	})
	t.Run("merchant presented", func(t *testing.T) {
		resp := pay(t, &qfpay.PaymentRequest{PayType: qfpay.PayTypeFPSMPM})
		assert.Equal(t, srv.URL+"/pay/"+resp.SysSN, resp.QRCode)
		assert.Empty(t, resp.PayURL)
	})
}

func TestDuplicateOutTradeNo(t *testing.T) {
	srv := newServer(t)
	syssn := paid(t, srv, "dup-pay", "100")
	requireCode(t, post(t, srv, "/trade/v1/refund", refund(syssn, "dup-refund", "10")), "0000")
	tests := []struct {
		name   string
		path   string
		params url.Values
	}{
		{"payment again", "/trade/v1/payment", cpm("dup-pay", "100", qfpaytest.AuthCodeSuccess)},
		{"payment with a refund's number", "/trade/v1/payment", mpm("dup-refund", "5")},
		{"refund with a payment's number", "/trade/v1/refund", refund(syssn, "dup-pay", "10")},
		{"refund again", "/trade/v1/refund", refund(syssn, "dup-refund", "10")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, post(t, srv, tt.path, tt.params), "2011")
		})
	}
	assert.Len(t, srv.Transactions(), 2)
	tx, _ := srv.Transaction(syssn)
	assert.Equal(t, int64(10), tx.Refunded, "refused refunds took nothing")

	t.Run("through the SDK", func(t *testing.T) {
		_, err := newClient(t, srv).Payment(t.Context(), paymentReq("dup-pay", 5))
		assert.Equal(t, qfpay.CodeSerialRepeated, apiCode(t, err))
		assert.False(t, errors.Is(err, qfpay.ErrOutcomeUnknown))
	})
}
