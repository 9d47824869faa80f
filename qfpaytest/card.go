package qfpaytest

import (
	"time"

	"github.com/qfpay-go/qfpay"
)

// cardHold is what a card pre-authorisation keeps besides the freeze
// fields of txn (freeze, frozen): its lifecycle of the current
// documentation, PreAuthorized -> Captured -> Unfreezed, or PreAuthorized
// -> Unfreezed.
type cardHold struct {
	captured int64
	released bool
}

// AuthorizeIntent places a card pre-authorisation hold for the payment
// intent id, as the Payment Element does for the VisaMasterCardPreAuth
// method: the order is listed paid (0000) with its amount held (Frozen),
// notified as a payment, and waits for captures (/trade/v1/authtrade with
// its syssn) and a release (/trade/v1/unfreeze). It fails as PayIntent
// does.
func (s *Server) AuthorizeIntent(id string) (Transaction, error) {
	return s.settleIntent(id, func(t *txn, now time.Time) {
		t.freeze = true
		t.hold = &cardHold{}
		s.payLocked(t, now)
	})
}

// authTradeOrCapture serves POST /trade/v1/authtrade: a card capture when
// syssn is a card pre-authorisation's, else an Alipay deduction.
func (s *Server) authTradeOrCapture(c *call) (object, *apiError) {
	s.mu.Lock()
	t := s.bySysSN[c.params.Get("syssn")]
	card := t != nil && t.hold != nil
	s.mu.Unlock()
	if card {
		return s.capture(c)
	}
	return s.authTrade(c)
}

// capture captures part or all of a card hold (current documentation,
// "Capture"): syssn and txamt required, txcurrcd optional (the hold's),
// no out_trade_no. The capture is a new paid payment (orig_syssn the
// hold's, no out_trade_no), notified, refundable; the hold keeps the rest
// until the release. A hold is captured once (the documentation's state
// diagram goes from Captured to the release only): a second capture is
// 1260; more than is held 1272; a hold not authorised 1261, released 1264.
func (s *Server) capture(c *call) (object, *apiError) {
	p := params{v: c.params}
	syssn := p.str("syssn", true, 0)
	amount := p.amount("txamt", true)
	currency := p.str("txcurrcd", false, 3)
	p.time("txdtm", false, beijing)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.bySysSN[syssn]
	s.refreshLocked(h, c.now)
	switch {
	case currency != "" && currency != h.currency:
		return nil, refuse("1104", "txcurrcd %s is not the pre-authorisation's %s", currency, h.currency)
	case h.respcd != codeOK:
		return nil, refuse("1261", "pre-authorisation %s is not authorised (respcd %s)", h.syssn, h.respcd)
	case h.hold.released:
		return nil, refuse("1264", "pre-authorisation %s is released", h.syssn)
	case h.hold.captured > 0:
		return nil, refuse("1260", "pre-authorisation %s is captured already: release the rest", h.syssn)
	case amount > h.frozen:
		return nil, refuse("1272", "capture of %d above the %d held", amount, h.frozen)
	}
	txdtm := c.params.Get("txdtm")
	if txdtm == "" {
		txdtm = times(c.now, beijing)
	}
	d := &txn{
		syssn: s.nextSysSNLocked(c.now), origSysSN: h.syssn, orderType: orderPayment, payType: h.payType,
		amount: amount, currency: h.currency, txdtm: txdtm, loc: beijing, sysTime: c.now, respcd: codeWaiting,
		mchid: c.params.Get("mchid"), goodsName: h.goodsName, notifyURL: h.notifyURL,
	}
	// A capture has no out_trade_no of its own: it is found by syssn.
	s.txns = append(s.txns, d)
	s.bySysSN[d.syssn] = d
	s.payLocked(d, c.now)
	h.frozen -= amount
	h.hold.captured = amount
	return object{
		"syssn": d.syssn, "orig_syssn": h.syssn, "txamt": itoa(amount), "txcurrcd": d.currency, "txdtm": txdtm,
		"sysdtm": times(d.sysTime, beijing), "paydtm": times(d.payTime, beijing), "udid": "", "out_trade_no": "",
		"chnlsn": d.chnlsn, "cardcd": "", "respmsg": "Capture received",
	}, nil
}

// unfreezeCard serves POST /trade/v1/unfreeze: releases what a card hold
// still holds, once (current documentation, "Release"). syssn, txamt,
// txdtm and out_trade_no are required; out_trade_no must be the hold's
// (1267) and txamt what it still holds (1266), the readings of the
// documentation's open points the server takes. A second release is 1264,
// an unknown syssn or one that is no card hold 1136, a hold not authorised
// 1261. The hold is finished (cancel 4) and the release notified as
// notify_type unfreeze (a new syssn, orig_syssn the hold's), not listed.
func (s *Server) unfreezeCard(c *call) (object, *apiError) {
	p := params{v: c.params}
	syssn := p.str("syssn", true, 0)
	outTradeNo := p.str("out_trade_no", true, 128)
	amount := p.amount("txamt", true)
	txdtm := p.str("txdtm", true, 0)
	p.time("txdtm", true, beijing)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.bySysSN[syssn]
	if h == nil || h.hold == nil {
		return nil, refuse(codeNotFound, "no card pre-authorisation with syssn %q", syssn)
	}
	s.refreshLocked(h, c.now)
	switch {
	case h.respcd != codeOK:
		return nil, refuse("1261", "pre-authorisation %s is not authorised (respcd %s)", h.syssn, h.respcd)
	case h.hold.released:
		return nil, refuse("1264", "pre-authorisation %s is released already (once only)", h.syssn)
	case outTradeNo != h.outTradeNo:
		return nil, refuse("1267", "out_trade_no %q is not the pre-authorisation's", outTradeNo)
	case amount != h.frozen:
		return nil, refuse("1266", "txamt %d is not the %d still held", amount, h.frozen)
	}
	h.frozen = 0
	h.hold.released = true
	h.cancel = qfpay.CancelPreAuthFinished
	rel := &txn{
		syssn: s.nextSysSNLocked(c.now), origSysSN: h.syssn, outTradeNo: h.outTradeNo, orderType: orderPayment,
		payType: h.payType, amount: amount, currency: h.currency, txdtm: txdtm, loc: beijing, sysTime: c.now,
		payTime: c.now, respcd: codeOK, mchid: c.params.Get("mchid"), goodsName: h.goodsName, notifyURL: h.notifyURL,
	}
	s.notifyLocked(rel, string(qfpay.NotifyUnfreeze))
	return object{
		"syssn": rel.syssn, "orig_syssn": h.syssn, "txamt": itoa(amount), "txcurrcd": h.currency, "txdtm": txdtm,
		"sysdtm": times(c.now, beijing), "paydtm": times(c.now, beijing), "udid": "", "out_trade_no": h.outTradeNo,
		"chnlsn": "", "cardcd": "", "respmsg": "Void received",
	}, nil
}
