package qfpaytest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// TestCustoms: a WeChat Pay payment declared, queried and redeclared
// through the SDK, and what the server refuses.
func TestCustoms(t *testing.T) {
	e := newRecurring(t)
	ctx := t.Context()
	syssn := paid(t, e.srv, "customs-1", "1500")
	alipay := post(t, e.srv, "/trade/v1/payment", form("pay_type", "800108", "txamt", "900", "txcurrcd", "HKD",
		"out_trade_no", "customs-2", "txdtm", txdtm, "auth_code", qfpaytest.AuthCodeSuccess))
	requireCode(t, alipay, "0000")

	decl, err := e.client.DeclareCustoms(ctx, &qfpay.CustomsDeclaration{TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS",
		MerchantCustomsNo: "3101000001", SubOrderNo: "SUB-1", FeeType: qfpay.CurrencyCNY, OrderFee: 1500, ProductFee: 1200, TransportFee: 300})
	require.NoError(t, err)
	assert.Equal(t, qfpay.CustomsResponse{SysSN: syssn, RespCode: "0000", Message: "success", VerifyDepartment: "OTHERS",
		VerifyDepartmentTradeID: "42" + syssn + "SUB-1"}, *decl)
	status, err := e.client.QueryCustoms(ctx, &qfpay.CustomsQuery{TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS"})
	require.NoError(t, err)
	assert.Equal(t, []qfpay.CustomsRecord{{SubOrderNo: "SUB-1", Message: "declared", VerifyDepartment: "OTHERS",
		VerifyDepartmentTradeID: "42" + syssn + "SUB-1"}}, status.Records)
	re, err := e.client.RedeclareCustoms(ctx, &qfpay.CustomsRedeclaration{TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS", MerchantCustomsNo: "3101000001"})
	require.NoError(t, err)
	assert.Equal(t, syssn, re.SysSN)
	_, err = e.client.DeclareCustoms(ctx, &qfpay.CustomsDeclaration{TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS",
		MerchantCustomsNo: "3101000001", Action: qfpay.CustomsModify, SubOrderNo: "SUB-1"})
	require.NoError(t, err, "a WeChat Pay declaration modified")

	tests := []struct {
		name   string
		path   string
		params url.Values
		code   string
	}{
		{"declared twice", "/custom/v1/declare", form("trade_type", "weixin", "syssn", syssn, "customs", "SHANGHAI_ZS", "mch_customs_no", "3101000001", "sub_order_no", "SUB-1"), "1102"},
		{"a modification of nothing", "/custom/v1/declare", form("trade_type", "weixin", "syssn", syssn, "customs", "NINGBO", "mch_customs_no", "1", "action_type", "MODIFY"), "1136"},
		{"an unknown payment", "/custom/v1/declare", form("trade_type", "weixin", "syssn", "20191225000200029999999999", "customs", "SHANGHAI_ZS", "mch_customs_no", "1"), "1136"},
		{"a WeChat payment as Alipay", "/custom/v1/declare", form("trade_type", "alipay", "syssn", syssn, "customs", "HANGZHOU", "mch_customs_no", "1", "mch_customs_name", "n", "out_request_no", "r", "amount", "1.00"), "1104"},
		{"Alipay without an amount", "/custom/v1/declare", form("trade_type", "alipay", "syssn", alipay.str("syssn"), "customs", "HANGZHOU", "mch_customs_no", "1", "mch_customs_name", "n", "out_request_no", "r"), "1104"},
		{"Alipay, an amount in fen", "/custom/v1/declare", form("trade_type", "alipay", "syssn", alipay.str("syssn"), "customs", "HANGZHOU", "mch_customs_no", "1", "mch_customs_name", "n", "out_request_no", "r", "amount", "900"), "1103"},
		{"Alipay, more than was paid", "/custom/v1/declare", form("trade_type", "alipay", "syssn", alipay.str("syssn"), "customs", "HANGZHOU", "mch_customs_no", "1", "mch_customs_name", "n", "out_request_no", "r", "amount", "9.01"), "1104"},
		{"Alipay, all it paid", "/custom/v1/declare", form("trade_type", "alipay", "syssn", alipay.str("syssn"), "customs", "HANGZHOU", "mch_customs_no", "1", "mch_customs_name", "n", "out_request_no", "r", "amount", "9.00"), "0000"},
		{"fees that do not add up", "/custom/v1/declare", form("trade_type", "weixin", "syssn", syssn, "customs", "SHANGHAI_ZS", "mch_customs_no", "1", "sub_order_no", "SUB-2", "order_fee", "100", "product_fee", "99"), "1104"},
		{"the trade type wechat", "/custom/v1/query", form("trade_type", "wechat", "syssn", syssn, "customs", "SHANGHAI_ZS"), "1104"},
		{"a query of nothing declared", "/custom/v1/query", form("trade_type", "weixin", "syssn", syssn, "customs", "NINGBO"), "1136"},
		{"a redeclaration under another number", "/custom/v1/redeclare", form("trade_type", "weixin", "syssn", syssn, "customs", "SHANGHAI_ZS", "mch_customs_no", "9"), "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, post(t, e.srv, tt.path, tt.params), tt.code)
		})
	}
	t.Run("the query by GET", func(t *testing.T) {
		a := do(t, e.srv, http.MethodGet, "/custom/v1/query", form("trade_type", "weixin", "syssn", syssn, "customs", "SHANGHAI_ZS"))
		requireCode(t, a, "0000")
		assert.Len(t, a.data(t), 1)
	})
}
