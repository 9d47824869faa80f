package qfpaytest

import (
	"encoding/json"

	"github.com/qfpay-go/qfpay"
)

// movement reads the parameters of a refund or a deduction: the payment's
// syssn, the movement's own out_trade_no and amount, txdtm, and udid and
// return_url when given.
func movement(c *call) (syssn, outTradeNo string, amount int64, err *apiError) {
	p := params{v: c.params}
	syssn = p.str("syssn", true, 0)
	outTradeNo = p.str("out_trade_no", true, 128)
	amount = p.amount("txamt", true)
	p.time("txdtm", true, c.loc)
	p.str("udid", false, 40)
	p.str("return_url", false, 512)
	return syssn, outTradeNo, amount, p.err
}

// refund serves POST /trade/v1/refund: a full or partial refund of what is
// left of a paid payment.
func (s *Server) refund(c *call) (object, *apiError) {
	origSysSN, outTradeNo, amount, aerr := movement(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.stampLocked(c.now)
	if aerr := s.unusedLocked(outTradeNo); aerr != nil {
		return nil, aerr
	}
	o := s.bySysSN[origSysSN]
	if o == nil || o.orderType != orderPayment {
		return nil, refuse(codeNotFound, "no payment with syssn %q", origSysSN)
	}
	s.refreshLocked(o, c.now)
	left := o.amount - o.refunded - o.refunding
	switch {
	case o.freeze:
		return nil, refuse("1155", "a pre-authorization is unfrozen (reversal) or deducted (authtrade), not refunded")
	case o.cancel == qfpay.CancelReversed || o.cancel == qfpay.CancelClosed:
		return nil, refuse("1264", "payment %s was closed", o.syssn)
	case o.respcd != codeOK:
		return nil, refuse("1261", "payment %s is not paid (respcd %s)", o.syssn, o.respcd)
	case left <= 0:
		return nil, refuse("1125", "payment %s is refunded in full already", o.syssn)
	case amount > left:
		return nil, refuse("1272", "refund of %d above the %d left to refund", amount, left)
	}
	r := &txn{
		syssn: s.nextSysSNLocked(c.now), origSysSN: o.syssn, outTradeNo: outTradeNo, orderType: orderRefund,
		payType: o.payType, amount: amount, currency: o.currency, txdtm: c.params.Get("txdtm"), loc: c.loc,
		sysTime: c.now, udid: c.params.Get("udid"), mchid: c.params.Get("mchid"), goodsName: o.goodsName,
		notifyURL: o.notifyURL,
	}
	s.addLocked(r)
	if s.cfg.pendingRefunds {
		r.respcd = codePending
		o.refunding += amount
		s.startPendingLocked(r, codeOK, c.now)
	} else {
		s.refundDoneLocked(r, c.now)
	}
	return object{
		"respcd": r.respcd,
		"syssn":  r.syssn, "orig_syssn": o.syssn, "out_trade_no": r.outTradeNo,
		"txamt": itoa(r.amount), "txcurrcd": r.currency, "txdtm": r.txdtm,
		"sysdtm": times(r.sysTime, c.loc), "paydtm": times(r.payTime, c.loc),
		"udid": r.udid, "chnlsn": r.chnlsn, "cardcd": "",
	}, nil
}

// Paths of the two ways to cancel a payment not paid yet.
const (
	pathReversal = "/trade/v1/reversal"
	pathClose    = "/trade/v1/close"
)

// CancelPath is the endpoint that cancels an unpaid payment of pay type
// pt, as the API's section "Reversal/ Cancel" assigns them and the server
// enforces: "/trade/v1/reversal" for Alipay CPM and MPM (800101, 800108,
// the unified CPM 800008, and the Alipay pre-authorizations 801801,
// 801808, 801810, 801814, whose unfreeze is a reversal) and WeChat Pay CPM
// (800208); "" for the Hong Kong pay types, which cannot be cancelled
// (801008, 801010, 801501, 801510, 801512, 802001, 803701, 803712, and
// those the current documentation's catalogue marks HK: 800712, 800714,
// 801514, 803714, 805801, 805808, 805812, 805814); else
// "/trade/v1/close" (WeChat Pay MPM 800201 and the other wallets).
func CancelPath(pt qfpay.PayType) string {
	switch pt {
	case qfpay.PayTypeUnifiedCPM, qfpay.PayTypeAlipayMPM, qfpay.PayTypeAlipayCPM, qfpay.PayTypeWeChatCPM,
		qfpay.PayTypeAlipayPreAuthCPM, qfpay.PayTypeAlipayPreAuthMPM, qfpay.PayTypeAlipayPreAuthInApp,
		qfpay.PayTypeAlipayPreAuthOnline:
		return pathReversal
	case qfpay.PayTypeWeChatPayHKCPM, qfpay.PayTypeWeChatPayHKInApp, qfpay.PayTypeAlipayHKOnlineQR,
		qfpay.PayTypeAlipayHKInApp, qfpay.PayTypeAlipayHKOnlineWAP, qfpay.PayTypeFPSMPM,
		qfpay.PayTypeOctopusMPM, qfpay.PayTypeOctopusWAP,
		qfpay.PayTypeUnionPayWAP, qfpay.PayTypeUnionPayWeb, qfpay.PayTypeAlipayHKOnlineWeb, qfpay.PayTypeOctopusWeb,
		qfpay.PayTypePayMeMPM, qfpay.PayTypePayMeCPM, qfpay.PayTypePayMeWAP, qfpay.PayTypePayMeWeb:
		return ""
	}
	return pathClose
}

// reversal serves /trade/v1/reversal: cancels a payment not paid yet
// (cancel 1), or unfreezes what is left of a paid pre-authorization.
func (s *Server) reversal(c *call) (object, *apiError) {
	return s.cancelPayment(c, pathReversal, qfpay.CancelReversed)
}

// close serves /trade/v1/close: closes a payment not paid yet (cancel 2).
func (s *Server) close(c *call) (object, *apiError) {
	return s.cancelPayment(c, pathClose, qfpay.CancelClosed)
}

// wrongCancelPath refuses a reversal or close on path of a payment whose
// pay type the other endpoint, or neither, cancels (1104).
func wrongCancelPath(t *txn, path string) *apiError {
	switch want := CancelPath(t.payType); want {
	case path:
		return nil
	case "":
		return refuse("1104", "pay_type %s is a Hong Kong pay type: it cannot be cancelled (neither %s nor %s); refund it once paid",
			t.payType, pathReversal, pathClose)
	default:
		return refuse("1104", "pay_type %s is cancelled with %s, not %s", t.payType, want, path)
	}
}

func (s *Server) cancelPayment(c *call, path string, status qfpay.CancelStatus) (object, *apiError) {
	p := params{v: c.params}
	syssn := p.str("syssn", false, 0)
	outTradeNo := p.str("out_trade_no", false, 128)
	p.str("udid", false, 40)
	if p.err != nil {
		return nil, p.err
	}
	if syssn == "" && outTradeNo == "" {
		return nil, refuse("1104", "syssn or out_trade_no is required")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.bySysSN[syssn]
	if syssn == "" {
		t = s.byOutTradeNo[outTradeNo]
	}
	if t == nil || t.orderType != orderPayment {
		return nil, refuse(codeNotFound, "no payment with syssn %q or out_trade_no %q", syssn, outTradeNo)
	}
	if syssn != "" && outTradeNo != "" && t.outTradeNo != outTradeNo {
		return nil, refuse("1267", "syssn %s does not belong to out_trade_no %q", syssn, outTradeNo)
	}
	if aerr := wrongCancelPath(t, path); aerr != nil {
		return nil, aerr
	}
	s.refreshLocked(t, c.now)
	if status == qfpay.CancelReversed && t.freeze && t.respcd == codeOK {
		return s.unfreezeLocked(t, c)
	}
	// Alipay pre-authorizations need neither txamt nor txdtm (API section
	// "Unfreeze Funds"); other payments need both.
	amount := p.amount("txamt", !t.freeze)
	p.time("txdtm", !t.freeze, c.loc)
	switch {
	case p.err != nil:
		return nil, p.err
	case amount != 0 && amount != t.amount:
		return nil, refuse("1266", "txamt %d is not the payment's amount %d", amount, t.amount)
	case t.cancel == qfpay.CancelReversed || t.cancel == qfpay.CancelClosed:
		return nil, refuse(codeClosed, "payment %s was closed already", t.syssn)
	case t.respcd == codeOK || t.cancel != qfpay.CancelNone:
		return nil, refuse("1260", "payment %s is paid: refund it instead", t.syssn)
	}
	if t.payable() {
		t.respcd = codeClosed
	}
	t.cancel = status
	return object{
		"syssn": s.nextSysSNLocked(c.now), "orig_syssn": t.syssn, "out_trade_no": t.outTradeNo,
		"txamt": itoa(t.amount), "txcurrcd": t.currency, "txdtm": c.params.Get("txdtm"),
		"sysdtm": times(c.now, c.loc), "udid": c.params.Get("udid"), "cardcd": "",
		"chnlsn": "", "chnlsn2": "", "surcharge_fee": "0", "surcharge_rate": "0",
	}, nil
}

// unfreezeLocked releases what is still frozen of a paid pre-authorization
// and finishes it (cancel 4).
func (s *Server) unfreezeLocked(t *txn, c *call) (object, *apiError) {
	if t.frozen == 0 {
		return nil, refuse("1264", "pre-authorization %s is finished: nothing left frozen", t.syssn)
	}
	released := t.frozen
	t.frozen = 0
	t.cancel = qfpay.CancelPreAuthFinished
	return object{
		"syssn": s.nextSysSNLocked(c.now), "orig_syssn": t.syssn, "txamt": itoa(released),
		"txcurrcd": t.currency, "txdtm": c.params.Get("txdtm"), "sysdtm": times(c.now, c.loc), "cardcd": "",
	}, nil
}

// authTrade serves POST /trade/v1/authtrade: deducts from the funds a
// pre-authorization froze, as a new payment. Several deductions may be
// made until nothing is left frozen, which finishes the freeze (cancel 4).
func (s *Server) authTrade(c *call) (object, *apiError) {
	freezeSysSN, outTradeNo, amount, aerr := movement(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.stampLocked(c.now)
	if aerr := s.unusedLocked(outTradeNo); aerr != nil {
		return nil, aerr
	}
	f := s.bySysSN[freezeSysSN]
	if f == nil || !f.freeze {
		return nil, refuse(codeNotFound, "no pre-authorization with syssn %q", freezeSysSN)
	}
	s.refreshLocked(f, c.now)
	switch {
	case f.respcd != codeOK:
		return nil, refuse("1261", "pre-authorization %s is not paid (respcd %s)", f.syssn, f.respcd)
	case f.frozen == 0:
		return nil, refuse("1264", "pre-authorization %s is finished: nothing left frozen", f.syssn)
	case amount > f.frozen:
		return nil, refuse("1272", "deduction of %d above the %d frozen", amount, f.frozen)
	}
	d := &txn{
		syssn: s.nextSysSNLocked(c.now), origSysSN: f.syssn, outTradeNo: outTradeNo, orderType: orderPayment,
		payType: f.payType, amount: amount, currency: f.currency, txdtm: c.params.Get("txdtm"), loc: c.loc,
		sysTime: c.now, respcd: codeWaiting, udid: c.params.Get("udid"), mchid: c.params.Get("mchid"),
		goodsName: f.goodsName, goodsInfo: f.goodsInfo, returnURL: c.params.Get("return_url"),
	}
	s.addLocked(d)
	s.payLocked(d, c.now)
	f.frozen -= amount
	if f.frozen == 0 {
		f.cancel = qfpay.CancelPreAuthFinished
	}
	return object{
		"syssn": d.syssn,
		// The documentation's sample writes orig_syssn as a bare number.
		"orig_syssn": json.Number(f.syssn),
		"txamt":      itoa(d.amount), "txcurrcd": d.currency, "txdtm": d.txdtm,
		"sysdtm": times(d.sysTime, c.loc), "cardcd": "",
	}, nil
}

// addNote serves POST /trade/v1/add_note.
func (s *Server) addNote(c *call) (object, *apiError) {
	p := params{v: c.params}
	code := p.str("code", true, 32)
	syssn := p.str("syssn", true, 0)
	note := p.str("note", true, 200)
	if p.err != nil {
		return nil, p.err
	}
	if code != s.appCode {
		return nil, refuse("1104", "code must be the app code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.bySysSN[syssn]
	if t == nil {
		return nil, refuse(codeNotFound, "no transaction with syssn %q", syssn)
	}
	t.note = note
	return object{"resperr": "Success", "data": object{"syssn": t.syssn}}, nil
}
