package qfpaytest

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Order types of the query's order_type.
const (
	orderPayment = string(qfpay.OrderTypePayment)
	orderRefund  = string(qfpay.OrderTypeRefund)
)

// Response codes the server gives transactions.
const (
	codeWaiting  = "1143" // awaiting the customer (MPM, online, in-app, in-wallet)
	codeClosed   = "1142" // closed or reversed before payment
	codeExpired  = "1181" // not paid in time
	codePending  = "1145"
	codeNotFound = "1136"
)

// txn is one payment or refund.
type txn struct {
	// seq is the transaction's index in Server.txns: its age.
	seq        int
	syssn      string
	origSysSN  string
	outTradeNo string
	orderType  string
	payType    qfpay.PayType
	amount     int64
	currency   string
	txdtm      string
	loc        *time.Location
	sysTime    time.Time
	payTime    time.Time
	expireAt   time.Time
	respcd     string
	cancel     qfpay.CancelStatus
	refunded   int64
	// freeze marks a pre-authorization (a payment with a pre-auth pay
	// type); frozen is what it still holds once paid.
	freeze bool
	frozen int64
	// pending marks a consumer-presented payment (made with a pending
	// magic auth code) or a refund (WithPendingRefunds) answered pending:
	// while its respcd is a pending code, it settles to finalCode once
	// pendingLeft queries have listed it or the server's clock reaches
	// settleAt (zero: never by time). refunding is what pending refunds
	// of a payment hold of its amount.
	pending     bool
	pendingLeft int
	settleAt    time.Time
	finalCode   string
	refunding   int64

	goodsName, goodsInfo, udid, mchid, authCode string
	note, returnURL, qrcode, payURL, chnlsn     string
	// notifyURL is the order's own notify_url, where its notifications
	// go instead of the server's (see notifyTarget).
	notifyURL string
	// checkout is set for an order opened on the checkout page.
	checkout *checkoutOrder
	// intent is the payment intent of an order created by
	// create_payment_intent.
	intent string
	// hold is set for a card pre-authorisation (AuthorizeIntent).
	hold *cardHold
}

// Transaction is a snapshot of a payment or refund the server holds.
type Transaction struct {
	// SysSN is syssn, the server's 26-digit number.
	SysSN string `json:"syssn"`
	// OrigSysSN is, for a refund or a pre-authorization deduction, the
	// payment or freeze it refers to.
	OrigSysSN string `json:"orig_syssn"`
	// OutTradeNo is the merchant's number.
	OutTradeNo string `json:"out_trade_no"`
	// OrderType is payment or refund.
	OrderType qfpay.OrderType `json:"order_type"`
	// PayType is pay_type, as the payment sent it (a refund has its
	// payment's).
	PayType qfpay.PayType `json:"pay_type"`
	// Amount is txamt in minor units of Currency: the amount paid, frozen
	// or deducted, or refunded for a refund.
	Amount int64 `json:"amount"`
	// Currency is txcurrcd, as the payment sent it.
	Currency qfpay.Currency `json:"currency"`
	// RespCode is the status the query lists: "0000" paid (refunded, for
	// a refund), "1143" waiting for the customer, "1145" (or the magic
	// code's) pending, "1142" closed or reversed unpaid, "1181" expired,
	// any other code failed.
	RespCode string `json:"respcd"`
	// Cancel is cancel, whether and how the payment was reversed, closed
	// or refunded.
	Cancel qfpay.CancelStatus `json:"cancel"`
	// Refunded is the amount refunded so far (payments).
	Refunded int64 `json:"refunded"`
	// Frozen is the amount still frozen (paid pre-authorizations).
	Frozen int64 `json:"frozen"`
	// TxTime is txdtm as the merchant sent it.
	TxTime string `json:"txdtm"`
	// SysTime is sysdtm, when the server made the transaction.
	SysTime time.Time `json:"sys_time"`
	// PayTime is paydtm, zero until paid (refunded, for a refund).
	PayTime time.Time `json:"pay_time,omitzero"`
	// ExpireTime is when an unpaid payment expires (zero: never).
	ExpireTime time.Time `json:"expire_time,omitzero"`
	// GoodsName is goods_name, as sent.
	GoodsName string `json:"goods_name"`
	// GoodsInfo is goods_info, as sent.
	GoodsInfo string `json:"goods_info"`
	// DeviceID is udid, as sent.
	DeviceID string `json:"udid"`
	// MerchantID is mchid, as sent.
	MerchantID string `json:"mchid"`
	// AuthCode is the auth_code of a consumer-presented payment.
	AuthCode string `json:"auth_code"`
	// Note is the last add_note's note.
	Note string `json:"note"`
	// ReturnURL is the return_url sent.
	ReturnURL string `json:"return_url"`
	// QRCode is the qrcode link handed out (a GET of it pays).
	QRCode string `json:"qrcode"`
	// PayURL is the pay_url link handed out (a GET of it pays).
	PayURL string `json:"pay_url"`
	// ChannelSN is chnlsn, the simulated wallet's number, set once paid
	// (or refunded).
	ChannelSN string `json:"chnlsn"`
}

func (t *txn) snapshot() Transaction {
	return Transaction{
		SysSN: t.syssn, OrigSysSN: t.origSysSN, OutTradeNo: t.outTradeNo, OrderType: qfpay.OrderType(t.orderType),
		PayType: t.payType, Amount: t.amount, Currency: qfpay.Currency(t.currency), RespCode: t.respcd,
		Cancel: t.cancel, Refunded: t.refunded, Frozen: t.frozen, TxTime: t.txdtm,
		SysTime: t.sysTime, PayTime: t.payTime, ExpireTime: t.expireAt,
		GoodsName: t.goodsName, GoodsInfo: t.goodsInfo, DeviceID: t.udid, MerchantID: t.mchid,
		AuthCode: t.authCode, Note: t.note, ReturnURL: t.returnURL, QRCode: t.qrcode, PayURL: t.payURL,
		ChannelSN: t.chnlsn,
	}
}

// Transaction returns the payment or refund with syssn or out_trade_no ref.
func (s *Server) Transaction(ref string) (Transaction, bool) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(ref)
	if t == nil {
		return Transaction{}, false
	}
	s.refreshLocked(t, now)
	return t.snapshot(), true
}

// Transactions returns every payment and refund, oldest first.
func (s *Server) Transactions() []Transaction {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Transaction, len(s.txns))
	for i, t := range s.txns {
		s.refreshLocked(t, now)
		out[i] = t.snapshot()
	}
	return out
}

// Errors of Server.Pay and Server.Fail.
var (
	// ErrNotFound: no payment or refund has that syssn or out_trade_no.
	ErrNotFound = errors.New("qfpaytest: no such transaction")
	// ErrNotPayable: Pay of a payment that does not wait for the customer
	// (paid, closed, expired or failed), or of a refund.
	ErrNotPayable = errors.New("qfpaytest: transaction cannot be paid")
	// ErrSettled: Fail of a payment or refund whose outcome is settled.
	ErrSettled = errors.New("qfpaytest: transaction settled already")
)

// Pay pays the payment with syssn or out_trade_no ref as if the customer
// had paid it now: a merchant-presented, online, in-wallet or in-app
// payment waiting for the customer, or a consumer-presented one pending.
// A pre-authorization is frozen. The notification is sent. It fails with
// ErrNotFound, or ErrNotPayable for a payment paid, closed, expired or
// failed already, or a refund (a pending refund settles by the clock or
// the queries, or fails by Server.Fail).
func (s *Server) Pay(ref string) error {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(ref)
	if t == nil {
		return fmt.Errorf("%w: %q", ErrNotFound, ref)
	}
	s.refreshLocked(t, now)
	if !t.payable() {
		return fmt.Errorf("%w: %s is %s (respcd %s, cancel %d)", ErrNotPayable, t.syssn, t.orderType, t.respcd, t.cancel)
	}
	s.payLocked(t, now)
	return nil
}

func (s *Server) lookupLocked(ref string) *txn {
	if t := s.bySysSN[ref]; t != nil {
		return t
	}
	return s.byOutTradeNo[ref]
}

// payable reports whether a payment still waits for its outcome.
func (t *txn) payable() bool {
	return t.orderType == orderPayment && t.unsettled()
}

// unsettled reports whether a payment or refund still waits for its
// outcome: a payment waiting for the customer, or a pending one.
func (t *txn) unsettled() bool {
	return t.cancel == qfpay.CancelNone &&
		((t.orderType == orderPayment && t.respcd == codeWaiting) || t.pendingNow())
}

// pendingNow reports whether a pending payment or refund has not settled.
func (t *txn) pendingNow() bool {
	return t.pending && pendingCode(t.respcd) && t.cancel == qfpay.CancelNone
}

func pendingCode(code string) bool { return code == "1143" || code == "1145" || code == "1298" }

// nextSysSNLocked makes a syssn: the date (UTC+8), "00020002", and a
// 10-digit counter: 26 digits, unique in the server.
func (s *Server) nextSysSNLocked(now time.Time) string {
	s.seq++
	return now.In(beijing).Format("20060102") + "00020002" + fmt.Sprintf("%010d", s.seq)
}

// unusedLocked refuses an out_trade_no any payment, refund or deduction
// has used (2011).
func (s *Server) unusedLocked(outTradeNo string) *apiError {
	if s.byOutTradeNo[outTradeNo] != nil {
		return refuse("2011", "out_trade_no %q was used before", outTradeNo)
	}
	return nil
}

func (s *Server) addLocked(t *txn) {
	t.seq = len(s.txns)
	if n := len(s.txns); n > 0 && t.sysTime.Before(s.txns[n-1].sysTime) {
		s.unordered = true
	}
	s.byPayType[t.payType] = append(s.byPayType[t.payType], t)
	s.txns = append(s.txns, t)
	s.bySysSN[t.syssn] = t
	s.byOutTradeNo[t.outTradeNo] = t
}

// payLocked marks t paid now and notifies it.
func (s *Server) payLocked(t *txn, now time.Time) {
	t.respcd = codeOK
	t.payTime = now
	t.pendingLeft = 0
	t.chnlsn = "42" + t.syssn
	if t.freeze {
		t.frozen = t.amount
	}
	s.notifyLocked(t, orderPayment)
}

// refreshLocked applies what the server's clock did to t: an unpaid
// payment past its expiry has expired, a pending payment or refund past
// its settleAt has settled.
func (s *Server) refreshLocked(t *txn, now time.Time) {
	if t.respcd == codeWaiting && t.cancel == qfpay.CancelNone && !t.expireAt.IsZero() && !now.Before(t.expireAt) {
		t.respcd = codeExpired
	}
	if t.pendingNow() && !t.settleAt.IsZero() && !now.Before(t.settleAt) {
		s.settleLocked(t, t.settleAt)
	}
}

// times writes a time in loc, "" for the zero time.
func times(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(timeLayout)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// errmsg is a listed transaction's status text.
func errmsg(code string) string {
	if code == codeOK {
		return "success"
	}
	return resperr(code)
}
