package qfpaytest

import (
	"regexp"
	"strconv"
	"strings"
)

// Customs declaration (QF Pay's current documentation, "Customs
// declaration"). See the package documentation, "Customs declaration".

// declaration is one declared (sub-)order of a payment.
type declaration struct {
	tradeType, syssn, customs, merchantNo, subOrderNo string
}

// verifyTradeID is the number the verifying body gives a declaration.
func (d *declaration) verifyTradeID() string { return "42" + d.syssn + d.subOrderNo }

// customsAmount is declare's amount: yuan with two decimals.
var customsAmount = regexp.MustCompile(`^[0-9]{1,17}\.[0-9]{2}$`)

// customsTarget reads what every customs call names: trade_type (weixin
// or alipay), customs, syssn and sub_order_no.
func customsTarget(p *params, maxSubOrder int) (tradeType, customs, syssn, subOrderNo string) {
	tradeType = p.str("trade_type", true, 8)
	syssn = p.str("syssn", true, 32)
	customs = p.str("customs", true, 20)
	subOrderNo = p.str("sub_order_no", false, maxSubOrder)
	if tradeType != "" && tradeType != "weixin" && tradeType != "alipay" {
		p.fail("1104", "trade_type %q: want weixin or alipay", tradeType)
	}
	return tradeType, customs, syssn, subOrderNo
}

// walletOf tells the wallet of a pay type, by its description: weixin,
// alipay or "".
func walletOf(t *txn) string {
	d := strings.ToLower(t.payType.Description())
	switch {
	case strings.Contains(d, "wechat"):
		return "weixin"
	case strings.Contains(d, "alipay"):
		return "alipay"
	}
	return ""
}

// findDeclarationsLocked lists the declarations of syssn at customs,
// of one sub-order when subOrderNo is set.
func (s *Server) findDeclarationsLocked(syssn, customs, subOrderNo string) []*declaration {
	var out []*declaration
	for _, d := range s.recLocked().declarations {
		if d.syssn == syssn && d.customs == customs && (subOrderNo == "" || d.subOrderNo == subOrderNo) {
			out = append(out, d)
		}
	}
	return out
}

// declareCustoms serves POST /custom/v1/declare. The payment must be a
// paid payment of the server in the trade_type's wallet (1136, 1104);
// Alipay needs mch_customs_name, out_request_no and amount (yuan, at most
// the payment's); a split order's fees must add up (order_fee =
// product_fee + transport_fee, at most the payment's; fee_type CNY). A
// (sub-)order declared before is 1102 unless WeChat Pay's action_type is
// MODIFY, which needs one declared before (1136).
func (s *Server) declareCustoms(c *call) (object, *apiError) {
	p := params{v: c.params}
	tradeType, customs, syssn, subOrderNo := customsTarget(&p, 64)
	merchantNo := p.str("mch_customs_no", true, 20)
	action := p.str("action_type", false, 256)
	p.str("mch_customs_name", tradeType == "alipay", 256)
	p.str("out_request_no", tradeType == "alipay", 32)
	amount := p.str("amount", tradeType == "alipay", 20)
	feeType := p.str("fee_type", false, 8)
	fees := map[string]int64{}
	for _, name := range []string{"order_fee", "product_fee", "transport_fee"} {
		if v := p.str(name, false, 8); v != "" {
			if !digits(v) {
				p.fail("1103", "%s %q: want fen, a whole number", name, v)
			}
			fees[name], _ = strconv.ParseInt(v, 10, 64)
		}
	}
	switch {
	case p.err != nil:
		return nil, p.err
	case action != "" && tradeType != "weixin":
		return nil, refuse("1104", "action_type is for weixin declarations only")
	case action != "" && action != "ADD" && action != "MODIFY":
		return nil, refuse("1104", "action_type %q: want ADD or MODIFY", action)
	case amount != "" && !customsAmount.MatchString(amount):
		return nil, refuse("1103", "amount %q: want yuan with two decimals, such as 2.00", amount)
	case feeType != "" && feeType != "CNY":
		return nil, refuse("1104", "fee_type %q: CNY only", feeType)
	case len(fees) > 0 && subOrderNo == "":
		return nil, refuse("1104", "sub_order_no is required for a split order's fees")
	case len(fees) > 0 && fees["order_fee"] != fees["product_fee"]+fees["transport_fee"]:
		return nil, refuse("1104", "order_fee must equal product_fee + transport_fee")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.bySysSN[syssn]
	switch {
	case t == nil || t.orderType != orderPayment || t.respcd != codeOK:
		return nil, refuse(codeNotFound, "no paid payment with syssn %q", syssn)
	case walletOf(t) != tradeType:
		return nil, refuse("1104", "syssn %s is not a %s payment (pay_type %s)", syssn, tradeType, t.payType)
	case fees["order_fee"] > t.amount:
		return nil, refuse("1104", "order_fee %d is above the payment's %d", fees["order_fee"], t.amount)
	}
	if amount != "" {
		yuan, fen, _ := strings.Cut(amount, ".")
		n, _ := strconv.ParseInt(yuan+fen, 10, 64)
		if n > t.amount {
			return nil, refuse("1104", "amount %s is above the payment's", amount)
		}
	}
	found := s.findDeclarationsLocked(syssn, customs, subOrderNo)
	var d *declaration
	for _, f := range found {
		if f.subOrderNo == subOrderNo {
			d = f
		}
	}
	switch {
	case action == "MODIFY" && d == nil:
		return nil, refuse(codeNotFound, "no declaration of %s at %s to modify", syssn, customs)
	case action != "MODIFY" && d != nil:
		return nil, refuse("1102", "%s is declared at %s already", syssn, customs)
	case d == nil:
		d = &declaration{tradeType: tradeType, syssn: syssn, customs: customs, subOrderNo: subOrderNo}
		s.recLocked().declarations = append(s.recLocked().declarations, d)
	}
	d.merchantNo = merchantNo
	return object{"syssn": syssn, "verify_department": "OTHERS", "verify_department_trade_id": d.verifyTradeID()}, nil
}

// queryCustoms serves POST (or GET) /custom/v1/query: the declarations of
// syssn at customs (of sub_order_no when sent), 1136 when none.
func (s *Server) queryCustoms(c *call) (object, *apiError) {
	p := params{v: c.params}
	_, customs, syssn, subOrderNo := customsTarget(&p, 40)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := s.findDeclarationsLocked(syssn, customs, subOrderNo)
	if len(found) == 0 {
		return nil, refuse(codeNotFound, "no declaration of %s at %s", syssn, customs)
	}
	data := make([]object, len(found))
	for i, d := range found {
		data[i] = object{"resperr": "declared", "errmsg": "", "sub_order_no": d.subOrderNo,
			"verify_department": "OTHERS", "verify_department_trade_id": d.verifyTradeID()}
	}
	return object{"syssn": syssn, "data": data}, nil
}

// redeclareCustoms serves POST /custom/v1/redeclare: a declaration made
// before (1136 otherwise) with its mch_customs_no (1104 otherwise) is
// pushed again.
func (s *Server) redeclareCustoms(c *call) (object, *apiError) {
	p := params{v: c.params}
	_, customs, syssn, subOrderNo := customsTarget(&p, 40)
	merchantNo := p.str("mch_customs_no", true, 20)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := s.findDeclarationsLocked(syssn, customs, subOrderNo)
	if len(found) == 0 {
		return nil, refuse(codeNotFound, "no declaration of %s at %s", syssn, customs)
	}
	for _, d := range found {
		if d.merchantNo != merchantNo {
			return nil, refuse("1104", "mch_customs_no %q is not the declaration's", merchantNo)
		}
	}
	return object{"syssn": syssn}, nil
}
