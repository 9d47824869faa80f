package qfpaytest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Magic auth codes for consumer-presented (CPM) payments. Any other
// auth_code succeeds at once. Codes may be used any number of times.
const (
	// AuthCodeSuccess succeeds at once (as does any code not listed here).
	AuthCodeSuccess = "134857901234588557"
	// AuthCodePending answers 1145; the payment is listed pending, then
	// paid (and notified) once WithPendingQueries queries (default 2) have
	// listed it or WithPendingFor (default DefaultPendingFor) has passed
	// on the server's clock, whichever comes first, queried or not.
	AuthCodePending = "134857901234581145"
	// AuthCodePasswordPending is AuthCodePending with 1143 (the customer
	// is entering the wallet password).
	AuthCodePasswordPending = "134857901234581143"
	// AuthCodeSlowNetwork is AuthCodePending with 1298 (slow network).
	AuthCodeSlowNetwork = "134857901234581298"
	// AuthCodePendingThenFail answers 1145, stays pending like
	// AuthCodePending, then fails with 1205 (not notified).
	AuthCodePendingThenFail = "134857901234581205"
	// AuthCodeInsufficientBalance fails at once with 1201.
	AuthCodeInsufficientBalance = "134857901234581201"
	// AuthCodeInvalid fails at once with 1202 (incorrect or expired code).
	AuthCodeInvalid = "134857901234581202"
	// AuthCodeExpired fails at once with 2005 (code incorrect or expired).
	AuthCodeExpired = "134857901234582005"
)

// magicCodes maps an auth code to its first answer and, for pending ones,
// the code it settles to.
var magicCodes = map[string]struct{ first, final string }{
	AuthCodePending:             {"1145", codeOK},
	AuthCodePasswordPending:     {"1143", codeOK},
	AuthCodeSlowNetwork:         {"1298", codeOK},
	AuthCodePendingThenFail:     {"1145", "1205"},
	AuthCodeInsufficientBalance: {"1201", ""},
	AuthCodeInvalid:             {"1202", ""},
	AuthCodeExpired:             {"2005", ""},
}

// Fixed identities of the sandbox's wallets, in pay_params.
const (
	// SandboxWeChatAppID is the appId/appid of WeChat pay_params.
	SandboxWeChatAppID = "wx5a4db0c0de5a4db0"
	// SandboxWeChatPartnerID is the partnerid of WeChat in-app pay_params.
	SandboxWeChatPartnerID = "1900000109"
	// SandboxAlipayPartner is the partner and seller_id of Alipay in-app
	// pay_params.
	SandboxAlipayPartner = "2088000000000000"
)

// payment serves POST /trade/v1/payment.
func (s *Server) payment(c *call) (object, *apiError) {
	p := params{v: c.params}
	payType := qfpay.PayType(p.str("pay_type", true, 0))
	amount := p.amount("txamt", true)
	currency := p.str("txcurrcd", true, 0)
	outTradeNo := p.str("out_trade_no", true, 128)
	p.time("txdtm", true, c.loc)
	authCode := p.str("auth_code", false, 128)
	expire := p.integer("expired_time", 0, 5, 120)
	goodsName := p.str("goods_name", false, 64)
	p.str("udid", false, 40)
	p.str("return_url", false, 512)
	notifyURL := p.notifyURL()
	if p.err != nil {
		return nil, p.err
	}
	switch {
	case !payType.Known():
		return nil, refuse("1104", "unknown pay_type %q", payType)
	case !qfpay.Currency(currency).Known():
		return nil, refuse("1104", "unknown txcurrcd %q", currency)
	case payType.IsConsumerPresented() && authCode == "":
		return nil, refuse("1104", "auth_code is required for pay_type %s", payType)
	case payType == qfpay.PayTypeAlipayServiceWindowH5 && c.params.Get("openid") == "":
		return nil, refuse("1104", "openid is required for pay_type %s", payType)
	case (payType == qfpay.PayTypeWeChatJSAPI || payType == qfpay.PayTypeWeChatMiniProgram) && c.params.Get("sub_openid") == "":
		return nil, refuse("1104", "sub_openid is required for pay_type %s", payType)
	case payType.Mode() == qfpay.ModeInApp && goodsName == "":
		return nil, refuse("1104", "goods_name is required for in-app pay_type %s", payType)
	case c.params.Get("limit_pay") != "" && c.params.Get("limit_pay") != "no_credit":
		return nil, refuse("1104", "limit_pay %q: the only value is no_credit", c.params.Get("limit_pay"))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.stampLocked(c.now)
	if aerr := s.unusedLocked(outTradeNo); aerr != nil {
		return nil, aerr
	}
	t := &txn{
		syssn: s.nextSysSNLocked(c.now), outTradeNo: outTradeNo, orderType: orderPayment,
		payType: payType, amount: amount, currency: currency, txdtm: c.params.Get("txdtm"),
		loc: c.loc, sysTime: c.now, goodsName: goodsName, goodsInfo: c.params.Get("goods_info"),
		udid: c.params.Get("udid"), mchid: c.params.Get("mchid"), authCode: authCode,
		returnURL: c.params.Get("return_url"), freeze: payType.IsPreAuth(), notifyURL: notifyURL,
	}
	s.addLocked(t)
	if payType.IsConsumerPresented() {
		s.consumerPresentedLocked(t, c.now)
		return paymentAnswer(t, c, t.respcd, nil), nil
	}

	t.respcd = codeWaiting
	wait := defaultExpiry
	if payType.IsPreAuth() {
		wait = defaultPreAuthExpiry
	}
	if expire > 0 {
		wait = time.Duration(expire) * time.Minute
	}
	t.expireAt = c.now.Add(wait)
	link := c.base + payPath + t.syssn
	extra := object{}
	switch payType.Mode() {
	case qfpay.ModeMerchantPresented:
		t.qrcode = link
		extra["qrcode"] = link
	case qfpay.ModeOnline:
		t.payURL = link
		extra["pay_url"] = link
	default:
		extra["pay_params"] = s.payParams(t, c)
	}
	s.autoPayLocked(t)
	// The order was created: 0000; the query tells when it is paid.
	return paymentAnswer(t, c, codeOK, extra), nil
}

// consumerPresentedLocked charges the customer's code, or not, as its
// magic says.
func (s *Server) consumerPresentedLocked(t *txn, now time.Time) {
	m, magic := magicCodes[t.authCode]
	switch {
	case !magic:
		s.payLocked(t, now)
	case pendingCode(m.first):
		t.respcd = m.first
		s.startPendingLocked(t, m.final, now)
	default:
		t.respcd = m.first
	}
}

// autoPayLocked schedules the payment of t under WithAutoPay.
func (s *Server) autoPayLocked(t *txn) {
	if s.cfg.autoPay <= 0 || s.closed {
		return
	}
	syssn := t.syssn
	s.timers = append(s.timers, time.AfterFunc(s.cfg.autoPay, func() { _ = s.Pay(syssn) }))
}

// paymentAnswer is the answer to a payment, in the shape of the
// documentation's samples (amounts as strings).
func paymentAnswer(t *txn, c *call, code string, extra object) object {
	paydtm := t.payTime
	if paydtm.IsZero() {
		paydtm = t.sysTime // the samples carry paydtm even for an unpaid order
	}
	o := object{
		"syssn": t.syssn, "out_trade_no": t.outTradeNo, "pay_type": string(t.payType),
		"txamt": itoa(t.amount), "txcurrcd": t.currency, "txdtm": t.txdtm,
		"sysdtm": times(t.sysTime, c.loc), "paydtm": times(paydtm, c.loc),
		"udid": t.udid, "cardcd": "", "chnlsn": t.chnlsn, "chnlsn2": "",
		"surcharge_fee": "0", "surcharge_rate": "0",
		"respcd": code, "resperr": resperr(code), "respmsg": "",
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// payParams builds the pay_params of an in-wallet or in-app payment in the
// documentation's shapes, signed with qfpay.Sign and the client key so that
// they are deterministic.
func (s *Server) payParams(t *txn, c *call) object {
	sum := md5.Sum([]byte(t.syssn))
	nonce := hex.EncodeToString(sum[:])
	stamp := t.sysTime.Unix()
	sign := func(o object) string {
		v := url.Values{}
		for k, x := range o {
			switch x := x.(type) {
			case string:
				v.Set(k, x)
			case int64:
				v.Set(k, itoa(x))
			case json.Number:
				v.Set(k, x.String())
			}
		}
		return qfpay.Sign(v, s.clientKey, qfpay.MD5)
	}
	switch t.payType {
	case qfpay.PayTypeAlipayServiceWindowH5:
		return object{"tradeNO": "2088" + t.syssn}
	case qfpay.PayTypeWeChatJSAPI, qfpay.PayTypeWeChatMiniProgram:
		o := object{"appId": SandboxWeChatAppID, "timeStamp": itoa(stamp), "nonceStr": nonce,
			"package": "prepay_id=wx" + t.syssn, "signType": "MD5"}
		o["paySign"] = sign(o)
		return o
	case qfpay.PayTypeWeChatInApp, qfpay.PayTypeWeChatPayHKInApp:
		o := object{"appid": SandboxWeChatAppID, "partnerid": SandboxWeChatPartnerID,
			"prepayid": "wx" + t.syssn, "package": "Sign=WXPay", "noncestr": nonce, "timestamp": stamp}
		o["sign"] = sign(o)
		return o
	}
	// Alipay in-app: 801110, 801510, 801810.
	payTag := c.params.Get("pay_tag")
	if payTag == "" {
		payTag = "ALIPAYHK"
	}
	minutes := int(t.expireAt.Sub(t.sysTime) / time.Minute)
	body := t.goodsInfo
	if body == "" {
		body = t.goodsName
	}
	o := object{
		"body": body, "forex_biz": "FP", "seller_id": SandboxAlipayPartner, "partner": SandboxAlipayPartner,
		"product_code": "NEW_WAP_OVERSEAS_SELLER", "total_fee": majorUnits(t.amount, t.currency),
		"service": "mobile.securitypay.pay", "payment_inst": payTag, "subject": t.goodsName,
		"secondary_merchant_name": "qfpaytest sandbox", "secondary_merchant_id": "2319316",
		"secondary_merchant_industry": json.Number("5311"), "_input_charset": "UTF-8",
		"currency": t.currency, "out_trade_no": t.syssn, "payment_type": "1",
		"notify_url": c.base + "/alipay/notify", "it_b_pay": strconv.Itoa(minutes) + "m",
		"return_url": t.returnURL,
	}
	o["sign"] = sign(o)
	o["sign_type"] = "MD5"
	return o
}

// majorUnits writes an amount in the currency's major unit as a JSON number
// (0.1 for 10 HKD cents), as Alipay's total_fee.
func majorUnits(amount int64, currency string) json.Number {
	if currency == "JPY" {
		return json.Number(itoa(amount))
	}
	return json.Number(strconv.FormatFloat(float64(amount)/100, 'f', -1, 64))
}
