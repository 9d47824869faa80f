package qfpaytest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay"
)

// IntentLifetime is how long a payment intent stays payable on the
// server's clock: the 30 minutes of the current documentation's Payment
// Element diagram.
const IntentLifetime = 30 * time.Minute

// createPaymentIntent serves POST
// /payment_element/v1/create_payment_intent: it creates the order, waiting
// for the shopper to pay it through the Payment Element (PayIntent), and
// answers its intent.
func (s *Server) createPaymentIntent(c *call) (object, *apiError) {
	p := params{v: c.params}
	payType := qfpay.PayType(p.str("pay_type", true, 6))
	amount := p.amount("txamt", true)
	currency := p.str("txcurrcd", false, 3)
	outTradeNo := p.str("out_trade_no", true, 128)
	returnURL := p.absURL("return_url", false, 512)
	p.absURL("failed_url", false, 512)
	notifyURL := p.notifyURL()
	if p.err != nil {
		return nil, p.err
	}
	if currency == "" {
		currency = "HKD"
	}
	switch {
	case !payType.Known():
		return nil, refuse("1104", "unknown pay_type %q", payType)
	case !qfpay.Currency(currency).Known():
		return nil, refuse("1104", "unknown txcurrcd %q", currency)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := s.unusedLocked(outTradeNo); aerr != nil {
		return nil, aerr
	}
	t := &txn{
		syssn: s.nextSysSNLocked(c.now), outTradeNo: outTradeNo, orderType: orderPayment, payType: payType,
		amount: amount, currency: currency, loc: beijing, sysTime: c.now, respcd: codeWaiting,
		expireAt: c.now.Add(IntentLifetime), mchid: c.params.Get("mchid"), returnURL: returnURL, notifyURL: notifyURL,
	}
	sum := md5.Sum([]byte("intent:" + t.syssn))
	t.intent = hex.EncodeToString(sum[:])
	s.addLocked(t)
	return object{
		"txamt": itoa(amount), "txcurrcd": currency, "sysdtm": times(c.now, beijing),
		"out_trade_no": outTradeNo, "payment_intent": t.intent, "intent_expiry": times(t.expireAt, beijing),
	}, nil
}

// intentLocked finds the order of the payment intent id.
func (s *Server) intentLocked(id string) *txn {
	for _, t := range s.txns {
		if t.intent != "" && t.intent == id {
			return t
		}
	}
	return nil
}

// PayIntent pays the payment intent id as the shopper does in the
// Payment Element: the order is paid, notified (to its notify_url, else
// the server's URL) and listed paid with the intent's pay type. It fails
// with ErrNotFound for an unknown intent, ErrNotPayable once the intent
// is paid, declined or past its intent_expiry (IntentLifetime; listed 1181
// then).
func (s *Server) PayIntent(id string) (Transaction, error) {
	return s.settleIntent(id, func(t *txn, now time.Time) { s.payLocked(t, now) })
}

// DeclineIntent declines the payment intent id as a card the Payment
// Element was given fails: the order is listed failed with
// CheckoutDeclineCode and not notified. It fails as PayIntent does.
func (s *Server) DeclineIntent(id string) (Transaction, error) {
	return s.settleIntent(id, func(t *txn, _ time.Time) { s.failLocked(t, CheckoutDeclineCode) })
}

func (s *Server) settleIntent(id string, settle func(*txn, time.Time)) (Transaction, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.intentLocked(id)
	if t == nil {
		return Transaction{}, fmt.Errorf("%w: no payment intent %q", ErrNotFound, id)
	}
	s.refreshLocked(t, now)
	if !t.payable() {
		return t.snapshot(), fmt.Errorf("%w: intent %s of %s (respcd %s)", ErrNotPayable, id, t.outTradeNo, t.respcd)
	}
	settle(t, now)
	return t.snapshot(), nil
}
