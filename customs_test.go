package qfpay

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathCustomsDeclare   = "/custom/v1/declare"
	pathCustomsQuery     = "/custom/v1/query"
	pathCustomsRedeclare = "/custom/v1/redeclare"

	customsSysSN = "20240423000300020081234567"
)

func weChatDeclaration() *CustomsDeclaration {
	return &CustomsDeclaration{TradeType: CustomsWeChat, SysSN: customsSysSN, Customs: "SHANGHAI_ZS", MerchantCustomsNo: "3101000001"}
}

func alipayDeclaration() *CustomsDeclaration {
	return &CustomsDeclaration{TradeType: CustomsAlipay, SysSN: customsSysSN, Customs: "HANGZHOU", MerchantCustomsNo: "3301000002",
		MerchantCustomsName: "Example Trading Ltd", OutRequestNo: "decl-0001", Amount: 200}
}

// TestCustomsCallsSend pins each call's form and signature. Customs
// calls always send a form (WithRecurringBody does not apply) and take no
// mchid.
func TestCustomsCallsSend(t *testing.T) {
	tests := []struct {
		name       string
		path, file string
		call       func(context.Context, *Client) error
		body       string
		signed     string
	}{
		{
			name: "declare WeChat Pay, the required fields", path: pathCustomsDeclare, file: "customs_declare_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.DeclareCustoms(ctx, weChatDeclaration())
				return err
			},
			body:   "customs=SHANGHAI_ZS&mch_customs_no=3101000001&syssn=" + customsSysSN + "&trade_type=weixin",
			signed: "customs=SHANGHAI_ZS&mch_customs_no=3101000001&syssn=" + customsSysSN + "&trade_type=weixin",
		},
		{
			name: "declare WeChat Pay, a split order modified", path: pathCustomsDeclare, file: "customs_declare_ok.json",
			call: func(ctx context.Context, c *Client) error {
				r := weChatDeclaration()
				r.Action, r.SubOrderNo, r.FeeType, r.OrderFee, r.ProductFee, r.TransportFee = CustomsModify, "SUB-1", CurrencyCNY, 1500, 1200, 300
				_, err := c.DeclareCustoms(ctx, r)
				return err
			},
			body:   "action_type=MODIFY&customs=SHANGHAI_ZS&fee_type=CNY&mch_customs_no=3101000001&order_fee=1500&product_fee=1200&sub_order_no=SUB-1&syssn=" + customsSysSN + "&trade_type=weixin&transport_fee=300",
			signed: "action_type=MODIFY&customs=SHANGHAI_ZS&fee_type=CNY&mch_customs_no=3101000001&order_fee=1500&product_fee=1200&sub_order_no=SUB-1&syssn=" + customsSysSN + "&trade_type=weixin&transport_fee=300",
		},
		{
			name: "declare Alipay: the amount in yuan", path: pathCustomsDeclare, file: "customs_declare_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.DeclareCustoms(ctx, alipayDeclaration())
				return err
			},
			body:   "amount=2.00&customs=HANGZHOU&mch_customs_name=Example+Trading+Ltd&mch_customs_no=3301000002&out_request_no=decl-0001&syssn=" + customsSysSN + "&trade_type=alipay",
			signed: "amount=2.00&customs=HANGZHOU&mch_customs_name=Example Trading Ltd&mch_customs_no=3301000002&out_request_no=decl-0001&syssn=" + customsSysSN + "&trade_type=alipay",
		},
		{
			name: "declare Alipay: 12,345.06 yuan", path: pathCustomsDeclare, file: "customs_declare_ok.json",
			call: func(ctx context.Context, c *Client) error {
				r := alipayDeclaration()
				r.Amount = 1234506
				_, err := c.DeclareCustoms(ctx, r)
				return err
			},
			body:   "amount=12345.06&customs=HANGZHOU&mch_customs_name=Example+Trading+Ltd&mch_customs_no=3301000002&out_request_no=decl-0001&syssn=" + customsSysSN + "&trade_type=alipay",
			signed: "amount=12345.06&customs=HANGZHOU&mch_customs_name=Example Trading Ltd&mch_customs_no=3301000002&out_request_no=decl-0001&syssn=" + customsSysSN + "&trade_type=alipay",
		},
		{
			name: "query one sub-order", path: pathCustomsQuery, file: "customs_query_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.QueryCustoms(ctx, &CustomsQuery{TradeType: CustomsWeChat, Customs: "SHANGHAI_ZS", SysSN: customsSysSN, SubOrderNo: "SUB-1"})
				return err
			},
			body:   "customs=SHANGHAI_ZS&sub_order_no=SUB-1&syssn=" + customsSysSN + "&trade_type=weixin",
			signed: "customs=SHANGHAI_ZS&sub_order_no=SUB-1&syssn=" + customsSysSN + "&trade_type=weixin",
		},
		{
			name: "redeclare", path: pathCustomsRedeclare, file: "customs_redeclare_ok.json",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.RedeclareCustoms(ctx, &CustomsRedeclaration{TradeType: CustomsWeChat, Customs: "SHANGHAI_ZS", SysSN: customsSysSN, MerchantCustomsNo: "110084111"})
				return err
			},
			body:   "customs=SHANGHAI_ZS&mch_customs_no=110084111&syssn=" + customsSysSN + "&trade_type=weixin",
			signed: "customs=SHANGHAI_ZS&mch_customs_no=110084111&syssn=" + customsSysSN + "&trade_type=weixin",
		},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, WithSignType(st), WithMerchantID("MCH1"), WithRecurringBody(BodyJSON))
				e.respondFile(http.MethodPost, tt.path, tt.file)
				require.NoError(t, tt.call(t.Context(), e.client))
				assertSentForm(t, e.last(), tt.path, tt.body, tt.signed, st)
			})
		}
	}
}

func TestCustomsCallsDecode(t *testing.T) {
	t.Run("declared", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsDeclare, "customs_declare_ok.json")
		got, err := e.client.DeclareCustoms(t.Context(), weChatDeclaration())
		require.NoError(t, err)
		assert.Equal(t, CustomsResponse{SysSN: customsSysSN, RespCode: "0000", Message: "success",
			VerifyDepartment: "OTHERS", VerifyDepartmentTradeID: "4200000123202404231234567890"}, *got)
	})
	t.Run("pending: keep querying", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsDeclare, "customs_declare_1145.json")
		got, err := e.client.DeclareCustoms(t.Context(), weChatDeclaration())
		require.ErrorIs(t, err, ErrPending)
		require.NotNil(t, got)
		assert.Equal(t, customsSysSN, got.SysSN)
		assert.Equal(t, "1145", got.RespCode)
	})
	t.Run("refused", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsDeclare, "customs_declare_1104.json")
		got, err := e.client.DeclareCustoms(t.Context(), weChatDeclaration())
		assert.Nil(t, got)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "mch_customs_no not registered with customs SHANGHAI_ZS", apiErr.Detail)
	})
	t.Run("a success without syssn", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsDeclare, "customs_declare_no_syssn.json")
		_, err := e.client.DeclareCustoms(t.Context(), weChatDeclaration())
		require.ErrorIs(t, err, ErrMalformedResponse)
		assert.Contains(t, err.Error(), "success without syssn")
	})
	t.Run("a declaration is not repeated after a 502", func(t *testing.T) {
		e := setup(t)
		e.respondHTML(http.MethodPost, pathCustomsDeclare, http.StatusBadGateway)
		_, err := e.client.DeclareCustoms(t.Context(), weChatDeclaration())
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "no money moves")
		assert.Len(t, e.requests(), 1)
	})
	query := &CustomsQuery{TradeType: CustomsWeChat, Customs: "SHANGHAI_ZS", SysSN: customsSysSN}
	t.Run("query: the records, a bare number kept digit for digit", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsQuery, "customs_query_ok.json")
		got, err := e.client.QueryCustoms(t.Context(), query)
		require.NoError(t, err)
		assert.Equal(t, CustomsStatus{SysSN: customsSysSN, RespCode: "0000", Message: "success", Records: []CustomsRecord{
			{SubOrderNo: "SUB-1", Message: "declared", VerifyDepartment: "OTHERS", VerifyDepartmentTradeID: "4200000123202404231234567890"},
			{SubOrderNo: "SUB-2", Message: "declared", VerifyDepartment: "OTHERS", VerifyDepartmentTradeID: "4200000123202404231234567891"},
		}}, *got)
	})
	t.Run("query: not answered yet", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsQuery, "customs_query_1143.json")
		got, err := e.client.QueryCustoms(t.Context(), query)
		require.ErrorIs(t, err, ErrPending)
		assert.Equal(t, "customs has not answered yet", got.Detail)
	})
	t.Run("query: asked again after a 502", func(t *testing.T) {
		e := setup(t)
		e.respondHTML(http.MethodPost, pathCustomsQuery, http.StatusBadGateway)
		_, err := e.client.QueryCustoms(t.Context(), query)
		require.Error(t, err)
		assert.Len(t, e.requests(), 3)
	})
	t.Run("redeclared", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, pathCustomsRedeclare, "customs_redeclare_ok.json")
		got, err := e.client.RedeclareCustoms(t.Context(), &CustomsRedeclaration{TradeType: CustomsAlipay, Customs: "HANGZHOU", SysSN: customsSysSN, MerchantCustomsNo: "3301000002"})
		require.NoError(t, err)
		assert.Equal(t, CustomsResponse{SysSN: customsSysSN, RespCode: "0000", Message: "success"}, *got)
	})
}

func TestCustomsValidation(t *testing.T) {
	with := func(base func() *CustomsDeclaration, change func(r *CustomsDeclaration)) *CustomsDeclaration {
		r := base()
		change(r)
		return r
	}
	declare := func(r *CustomsDeclaration) func(context.Context, *Client) (bool, error) {
		return func(ctx context.Context, c *Client) (bool, error) {
			a, err := c.DeclareCustoms(ctx, r)
			return a != nil, err
		}
	}
	split := func(r *CustomsDeclaration) {
		r.SubOrderNo, r.FeeType, r.OrderFee, r.ProductFee, r.TransportFee = "SUB-1", CurrencyCNY, 1500, 1200, 300
	}
	n := strings.Repeat
	tests := []struct {
		name  string
		call  func(context.Context, *Client) (bool, error)
		field string
	}{
		{"nil", declare(nil), wholeRequest},
		{"WeChat valid", declare(weChatDeclaration()), ""},
		{"Alipay valid", declare(alipayDeclaration()), ""},
		{"WeChat split valid", declare(with(weChatDeclaration, split)), ""},
		{"no trade type", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.TradeType = "" })), "trade_type"},
		{"trade type wechat (the table's typo)", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.TradeType = "wechat" })), "trade_type"},
		{"no syssn", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.SysSN = "" })), "syssn"},
		{"syssn of 33", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.SysSN = n("1", 33) })), "syssn"},
		{"no customs", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.Customs = "" })), "customs"},
		{"customs of 21", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.Customs = n("C", 21) })), "customs"},
		{"no mch_customs_no", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.MerchantCustomsNo = "" })), "mch_customs_no"},
		{"mch_customs_no of 21", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.MerchantCustomsNo = n("9", 21) })), "mch_customs_no"},
		{"an action for Alipay", declare(with(alipayDeclaration, func(r *CustomsDeclaration) { r.Action = CustomsAdd })), "action_type"},
		{"an unknown action", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.Action = "DELETE" })), "action_type"},
		{"Alipay without its name", declare(with(alipayDeclaration, func(r *CustomsDeclaration) { r.MerchantCustomsName = "" })), "mch_customs_name"},
		{"Alipay without its request number", declare(with(alipayDeclaration, func(r *CustomsDeclaration) { r.OutRequestNo = "" })), "out_request_no"},
		{"Alipay without an amount", declare(with(alipayDeclaration, func(r *CustomsDeclaration) { r.Amount = 0 })), "amount"},
		{"a negative amount", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.Amount = -1 })), "amount"},
		{"out_request_no of 33", declare(with(alipayDeclaration, func(r *CustomsDeclaration) { r.OutRequestNo = n("r", 33) })), "out_request_no"},
		{"sub_order_no of 65", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { r.SubOrderNo = n("s", 65) })), "sub_order_no"},
		{"fees in HKD", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { split(r); r.FeeType = CurrencyHKD })), "fee_type"},
		{"fees that do not add up", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { split(r); r.TransportFee = 299 })), "order_fee"},
		{"fees without a sub-order", declare(with(weChatDeclaration, func(r *CustomsDeclaration) { split(r); r.SubOrderNo = "" })), "sub_order_no"},
		{"a fee of 9 digits", declare(with(weChatDeclaration, func(r *CustomsDeclaration) {
			split(r)
			r.OrderFee, r.ProductFee = 100_000_300, 100_000_000
		})), "order_fee"},
		{"query nil", func(ctx context.Context, c *Client) (bool, error) {
			a, err := c.QueryCustoms(ctx, nil)
			return a != nil, err
		}, wholeRequest},
		{"query, sub_order_no of 41", func(ctx context.Context, c *Client) (bool, error) {
			a, err := c.QueryCustoms(ctx, &CustomsQuery{TradeType: CustomsAlipay, Customs: "HANGZHOU", SysSN: customsSysSN, SubOrderNo: n("s", 41)})
			return a != nil, err
		}, "sub_order_no"},
		{"redeclare nil", func(ctx context.Context, c *Client) (bool, error) {
			a, err := c.RedeclareCustoms(ctx, nil)
			return a != nil, err
		}, wholeRequest},
		{"redeclare without mch_customs_no", func(ctx context.Context, c *Client) (bool, error) {
			a, err := c.RedeclareCustoms(ctx, &CustomsRedeclaration{TradeType: CustomsAlipay, Customs: "HANGZHOU", SysSN: customsSysSN})
			return a != nil, err
		}, "mch_customs_no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, pathCustomsDeclare, "customs_declare_ok.json")
			answered, err := tt.call(t.Context(), e.client)
			assertValidation(t, e, answered, err, tt.field)
		})
	}
}
