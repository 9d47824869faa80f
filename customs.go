package qfpay

import (
	"context"
	"errors"
	"fmt"
)

// Customs declaration (current documentation, section "Customs
// declaration"; not in the API documentation): a cross-border e-commerce
// merchant pushes the record of a WeChat Pay or Alipay payment to a
// Chinese customs office, so that the goods clear customs. Declare once
// with DeclareCustoms, follow it with QueryCustoms (respcd 1143 or 1145,
// ErrPending: keep querying), and push it again with RedeclareCustoms when
// the customs' electronic port lost it. The calls move no money.

// CustomsTradeType is the wallet of the declared payment.
type CustomsTradeType string

// The wallets a payment can be declared for. The documentation's
// conditions speak of "wechat" while its allowed values are weixin and
// alipay (open question 14 of its digest): the SDK sends weixin.
const (
	CustomsWeChat CustomsTradeType = "weixin" // a WeChat Pay payment
	CustomsAlipay CustomsTradeType = "alipay" // an Alipay payment
)

// CustomsAction is a WeChat Pay declaration's action_type.
type CustomsAction string

// The actions of a WeChat Pay declaration.
const (
	CustomsAdd    CustomsAction = "ADD"    // a new declaration
	CustomsModify CustomsAction = "MODIFY" // a change to a declaration made before
)

// Lengths of the customs tables (String(n)), in characters.
const (
	maxCustomsSysSN     = 32
	maxCustomsOffice    = 20
	maxCustomsNo        = 20
	maxCustomsName      = 256
	maxCustomsRequestNo = 32
	maxCustomsSubOrder  = 64 // declare; query and redeclare say 40
	maxCustomsSubOrderQ = 40
	maxCustomsFeeDigits = 8 // String(8) of fen
)

// CustomsDeclaration declares a payment to customs (current
// documentation, "Customs declaration", "Declare").
type CustomsDeclaration struct {
	// TradeType is trade_type, the payment's wallet (required).
	TradeType CustomsTradeType `url:"trade_type"`
	// SysSN is syssn, the declared payment's (required, at most 32
	// characters).
	SysSN string `url:"syssn"`
	// Customs is customs, the customs office's code, such as
	// "SHANGHAI_ZS" (required, at most 20 characters).
	Customs string `url:"customs"`
	// MerchantCustomsNo is mch_customs_no, the merchant's customs
	// registration number (required, at most 20 characters).
	MerchantCustomsNo string `url:"mch_customs_no"`
	// Action is action_type, WeChat Pay only: CustomsAdd or
	// CustomsModify; empty sends nothing.
	Action CustomsAction `url:"action_type,omitempty"`
	// MerchantCustomsName is mch_customs_name, the merchant's name on
	// record with customs (required for Alipay, at most 256 characters).
	MerchantCustomsName string `url:"mch_customs_name,omitempty"`
	// OutRequestNo is out_request_no, the merchant's number of the
	// declaration (required for Alipay, at most 32 characters).
	OutRequestNo string `url:"out_request_no,omitempty"`
	// Amount is the declared amount in minor units (fen; required for
	// Alipay, above 0): sent as amount in major units, "2.00", as the
	// documentation asks.
	Amount int64 `url:"-"`
	// SubOrderNo is sub_order_no, the sub-order's number when the order is
	// split (at most 64 characters).
	SubOrderNo string `url:"sub_order_no,omitempty"`
	// FeeType is fee_type, the currency of a split order's fees: WeChat
	// Pay takes CNY only.
	FeeType Currency `url:"fee_type,omitempty"`
	// OrderFee is order_fee, a split order's sub-order amount in fen:
	// ProductFee + TransportFee, at most the payment's (8 digits at most).
	OrderFee int64 `url:"order_fee,omitempty"`
	// ProductFee is product_fee, the goods' part of OrderFee in fen.
	ProductFee int64 `url:"product_fee,omitempty"`
	// TransportFee is transport_fee, the logistics' part of OrderFee in
	// fen.
	TransportFee int64 `url:"transport_fee,omitempty"`
}

// CustomsQuery asks how a declaration stands (current documentation,
// "Customs declaration", "Query").
type CustomsQuery struct {
	// TradeType is trade_type (required).
	TradeType CustomsTradeType `url:"trade_type"`
	// Customs is customs, the office's code (required).
	Customs string `url:"customs"`
	// SysSN is syssn, the declared payment's (required).
	SysSN string `url:"syssn"`
	// SubOrderNo is sub_order_no, one sub-order's (at most 40
	// characters); empty asks for all.
	SubOrderNo string `url:"sub_order_no,omitempty"`
}

// CustomsRedeclaration pushes a declaration to customs again when the
// customs' electronic port lost it (current documentation, "Customs
// declaration", "Redeclare").
type CustomsRedeclaration struct {
	// TradeType is trade_type (required).
	TradeType CustomsTradeType `url:"trade_type"`
	// Customs is customs, the office's code (required).
	Customs string `url:"customs"`
	// SysSN is syssn, the declared payment's (required).
	SysSN string `url:"syssn"`
	// MerchantCustomsNo is mch_customs_no, as declared (required).
	MerchantCustomsNo string `url:"mch_customs_no"`
	// SubOrderNo is sub_order_no (at most 40 characters).
	SubOrderNo string `url:"sub_order_no,omitempty"`
}

// CustomsResponse is the answer to a declaration or a redeclaration.
type CustomsResponse struct {
	// SysSN is syssn, the declared payment's.
	SysSN string `json:"syssn"`
	// RespCode is respcd: "0000" declared.
	RespCode string `json:"respcd"`
	// Message is resperr.
	Message string `json:"resperr"`
	// Detail is respmsg.
	Detail string `json:"respmsg"`
	// VerifyDepartment is verify_department, the body that verifies the
	// payment (declarations only).
	VerifyDepartment string `json:"verify_department"`
	// VerifyDepartmentTradeID is verify_department_trade_id, that body's
	// number of the payment (declarations only).
	VerifyDepartmentTradeID string `json:"verify_department_trade_id"`
}

// CustomsStatus is the answer to a query: the declaration's records.
type CustomsStatus struct {
	// SysSN is syssn, the declared payment's.
	SysSN string `json:"syssn"`
	// RespCode is respcd.
	RespCode string `json:"respcd"`
	// Message is resperr.
	Message string `json:"resperr"`
	// Detail is respmsg.
	Detail string `json:"respmsg"`
	// Records is data: one record per (sub-)order declared.
	Records []CustomsRecord `json:"data"`
}

// CustomsRecord is one declared (sub-)order in a CustomsStatus.
type CustomsRecord struct {
	// SubOrderNo is sub_order_no (empty for an order not split).
	SubOrderNo string `json:"sub_order_no"`
	// Message is resperr, the customs' state of the declaration in
	// words.
	Message string `json:"resperr"`
	// ErrMsg is errmsg, what went wrong, if anything.
	ErrMsg string `json:"errmsg"`
	// VerifyDepartment is verify_department ("OTHERS" in the sample).
	VerifyDepartment string `json:"verify_department"`
	// VerifyDepartmentTradeID is verify_department_trade_id.
	VerifyDepartmentTradeID string `json:"verify_department_trade_id"`
}

func (r *CustomsResponse) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

func (r *CustomsStatus) check() error {
	if r.SysSN == "" {
		return errors.New("success without syssn")
	}
	return nil
}

// The customs endpoints. A query is safe to repeat; a declaration is
// not sent twice by the SDK (a second one is a MODIFY to WeChat Pay, a
// duplicate to Alipay).
var (
	epCustomsDeclare   = endpoint{method: "POST", path: "/custom/v1/declare"}
	epCustomsQuery     = endpoint{method: "POST", path: "/custom/v1/query", retry: true}
	epCustomsRedeclare = endpoint{method: "POST", path: "/custom/v1/redeclare"}
)

// customsDeclareForm is what a declaration sends: amount in major units.
type customsDeclareForm struct {
	CustomsDeclaration
	AmountText string `url:"amount,omitempty"`
}

// DeclareCustoms declares a WeChat Pay or Alipay payment to a Chinese
// customs office (POST /custom/v1/declare, current documentation,
// "Customs declaration"). respcd 0000 is declared; 1143 and 1145 return
// the answer with ErrPending: follow it with QueryCustoms. Any other code
// is a refusal (*APIError).
func (c *Client) DeclareCustoms(ctx context.Context, req *CustomsDeclaration) (*CustomsResponse, error) {
	if req == nil {
		return nil, invalid("nil *CustomsDeclaration")
	}
	f := &customsDeclareForm{CustomsDeclaration: *req}
	if req.Amount > 0 {
		f.AmountText = fmt.Sprintf("%d.%02d", req.Amount/100, req.Amount%100)
	}
	return do[CustomsResponse](ctx, c, &epCustomsDeclare, f)
}

// QueryCustoms tells how a declaration stands at customs (POST
// /custom/v1/query, current documentation, "Customs declaration"), per
// declared (sub-)order. 1143 and 1145 return the answer with ErrPending:
// ask again later.
func (c *Client) QueryCustoms(ctx context.Context, req *CustomsQuery) (*CustomsStatus, error) {
	return do[CustomsStatus](ctx, c, &epCustomsQuery, req)
}

// RedeclareCustoms pushes a declaration made before to customs again
// (POST /custom/v1/redeclare, current documentation, "Customs
// declaration"), for when the customs' electronic port lost it.
func (c *Client) RedeclareCustoms(ctx context.Context, req *CustomsRedeclaration) (*CustomsResponse, error) {
	return do[CustomsResponse](ctx, c, &epCustomsRedeclare, req)
}

// validateCustomsTarget checks the fields every customs call takes.
func validateCustomsTarget(tradeType CustomsTradeType, customs, sysSN, subOrderNo string, maxSubOrder int) error {
	switch tradeType {
	case CustomsWeChat, CustomsAlipay:
	case "":
		return invalidField("trade_type", "TradeType is required: CustomsWeChat (weixin) or CustomsAlipay (alipay)")
	default:
		return invalidField("trade_type", "TradeType %q: want %q or %q", tradeType, CustomsWeChat, CustomsAlipay)
	}
	for _, f := range []struct {
		field, name, value string
		max                int
	}{
		{"syssn", "SysSN", sysSN, maxCustomsSysSN},
		{"customs", "Customs", customs, maxCustomsOffice},
	} {
		if f.value == "" {
			return invalidField(f.field, "%s is required", f.name)
		}
		if err := checkLength(f.field, f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return checkLength("sub_order_no", "SubOrderNo", subOrderNo, maxSubOrder)
}

// validate checks the declaration table's rules: the required fields and
// lengths, action_type for WeChat Pay only, the three Alipay fields, and a
// split order's fees (sub_order_no set, CNY, order_fee = product_fee +
// transport_fee, 8 digits at most).
func (r *customsDeclareForm) validate() error {
	if err := validateCustomsTarget(r.TradeType, r.Customs, r.SysSN, r.SubOrderNo, maxCustomsSubOrder); err != nil {
		return err
	}
	if r.MerchantCustomsNo == "" {
		return invalidField("mch_customs_no", "MerchantCustomsNo is required")
	}
	if err := checkLength("mch_customs_no", "MerchantCustomsNo", r.MerchantCustomsNo, maxCustomsNo); err != nil {
		return err
	}
	switch r.Action {
	case "":
	case CustomsAdd, CustomsModify:
		if r.TradeType != CustomsWeChat {
			return invalidField("action_type", "Action is for WeChat Pay declarations only")
		}
	default:
		return invalidField("action_type", "Action %q: want %q or %q", r.Action, CustomsAdd, CustomsModify)
	}
	if err := checkLength("mch_customs_name", "MerchantCustomsName", r.MerchantCustomsName, maxCustomsName); err != nil {
		return err
	}
	if err := checkLength("out_request_no", "OutRequestNo", r.OutRequestNo, maxCustomsRequestNo); err != nil {
		return err
	}
	if r.Amount < 0 || r.Amount > MaxAmount {
		return invalidField("amount", "Amount must be within 1 to %d fen (0: not sent), got %d", int64(MaxAmount), r.Amount)
	}
	if r.TradeType == CustomsAlipay {
		switch {
		case r.MerchantCustomsName == "":
			return invalidField("mch_customs_name", "MerchantCustomsName is required for Alipay")
		case r.OutRequestNo == "":
			return invalidField("out_request_no", "OutRequestNo is required for Alipay")
		case r.Amount == 0:
			return invalidField("amount", "Amount is required for Alipay")
		}
	}
	return r.validateSplit()
}

func (r *customsDeclareForm) validateSplit() error {
	const maxFee = 99_999_999 // String(8)
	if r.FeeType != "" && r.FeeType != CurrencyCNY {
		return invalidField("fee_type", "FeeType %q: WeChat Pay declares fees in CNY only", r.FeeType)
	}
	fees := []struct {
		field, name string
		v           int64
	}{{"order_fee", "OrderFee", r.OrderFee}, {"product_fee", "ProductFee", r.ProductFee}, {"transport_fee", "TransportFee", r.TransportFee}}
	split := false
	for _, f := range fees {
		if f.v < 0 || f.v > maxFee {
			return invalidField(f.field, "%s must be within 0 to %d fen (String(%d)), got %d", f.name, int64(maxFee), maxCustomsFeeDigits, f.v)
		}
		split = split || f.v != 0
	}
	if !split {
		return nil
	}
	switch {
	case r.SubOrderNo == "":
		return invalidField("sub_order_no", "SubOrderNo is required with the fees of a split order")
	case r.OrderFee != r.ProductFee+r.TransportFee:
		return invalidField("order_fee", "OrderFee %d must equal ProductFee %d + TransportFee %d", r.OrderFee, r.ProductFee, r.TransportFee)
	}
	return nil
}

func (r *CustomsQuery) validate() error {
	if r == nil {
		return invalid("nil *CustomsQuery")
	}
	return validateCustomsTarget(r.TradeType, r.Customs, r.SysSN, r.SubOrderNo, maxCustomsSubOrderQ)
}

func (r *CustomsRedeclaration) validate() error {
	if r == nil {
		return invalid("nil *CustomsRedeclaration")
	}
	if err := validateCustomsTarget(r.TradeType, r.Customs, r.SysSN, r.SubOrderNo, maxCustomsSubOrderQ); err != nil {
		return err
	}
	if r.MerchantCustomsNo == "" {
		return invalidField("mch_customs_no", "MerchantCustomsNo is required")
	}
	return checkLength("mch_customs_no", "MerchantCustomsNo", r.MerchantCustomsNo, maxCustomsNo)
}
