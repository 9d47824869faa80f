package qfpay

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// MaxPageSize is the largest page the query endpoint serves.
const MaxPageSize = 100

// QueryRequest selects transactions (API section "Transaction Enquiry").
// Start and End filter on the system time (sysdtm) and must lie within one
// calendar month of each other (Transactions splits longer ranges for
// you); a zero Start or End is the start or end of the current month. The
// gateway ignores the range only with SysSNs: QF Pay's current
// documentation narrowed the API documentation's rule (ignored with
// syssn or out_trade_no), so a query by OutTradeNos finds a transaction
// of another month only with a range that holds it. The zero request
// lists the current month, ten to a page.
type QueryRequest struct {
	// MerchantID is mchid (at most 16 characters); empty means the
	// client's WithMerchantID value.
	MerchantID string `url:"mchid,omitempty"`
	// SysSNs are syssn values, sent comma-joined; each of at most 128
	// characters, without commas. The API states no limit on how many one
	// query takes; the answer is paged like any other (PageSize).
	SysSNs []string `url:"syssn,comma,omitempty"`
	// OutTradeNos are out_trade_no values (payments' or refunds' own
	// numbers), sent comma-joined; each of at most 128 characters, without
	// commas. As for SysSNs, the API states no limit on their number, and
	// the answer is paged.
	OutTradeNos []string `url:"out_trade_no,comma,omitempty"`
	// PayTypes are pay_type values, sent comma-joined.
	PayTypes []PayType `url:"pay_type,comma,omitempty"`
	// RespCode keeps only transactions with this respcd ("0000": paid).
	RespCode string `url:"respcd,omitempty"`
	// Start is start_time, written in the client's zone (WithLocation):
	// the earliest system time (sysdtm) listed; zero means the start of
	// the current month. Ignored by the gateway with SysSNs; with
	// OutTradeNos it still applies.
	Start time.Time `url:"start_time,omitempty"`
	// End is end_time, the latest system time listed, at most one calendar
	// month after Start; zero means the end of the current month.
	End time.Time `url:"end_time,omitempty"`
	// TimeZone is txzone, "+HHMM" or "-HHMM"; empty means the client's
	// location.
	TimeZone string `url:"txzone,omitempty"`
	// Page is the page to fetch, from 1 (0: the first).
	Page int `url:"page,omitempty"`
	// PageSize is the page's size, at most MaxPageSize; 0 leaves the
	// gateway's default of 10 transactions a page, so a query of more
	// than ten sets it or reads the next pages (Transactions does).
	PageSize int `url:"page_size,omitempty"`
}

// QueryResponse is one page of transactions (API section "Transaction
// Enquiry", "Response Parameters").
type QueryResponse struct {
	// Page is page, the number of the page served, from 1 (0 when the
	// gateway did not say).
	Page int `json:"page"`
	// PageSize is page_size, the page's size as the gateway served it (0
	// when it did not say). A page with fewer transactions is the last.
	PageSize int `json:"page_size"`
	// Transactions is data, the page's transactions. The API's table types
	// data as an "Object": a single object is read as a page of that one
	// transaction.
	Transactions []Transaction `json:"data"`
	// RespCode is respcd of the answer: "0000", the query succeeded
	// (each transaction's own status is its RespCode).
	RespCode string `json:"respcd"`
	// Message is resperr, the gateway's text for RespCode ("请求成功" in
	// the documentation's sample).
	Message string `json:"resperr"`
	// Detail is respmsg, further text from the gateway; usually empty.
	Detail string `json:"respmsg"`
}

// check refuses a page listing a transaction without syssn (a null entry,
// say): it would read as a zero-valued transaction that failed.
func (r *QueryResponse) check() error {
	for i := range r.Transactions {
		if r.Transactions[i].SysSN == "" {
			return fmt.Errorf("transaction %d of the page without syssn", i+1)
		}
	}
	return nil
}

// OrderType tells payments from refunds in a query answer.
type OrderType string

// The order types of the API.
const (
	OrderTypePayment OrderType = "payment" // a payment (or a pre-authorization deduction)
	OrderTypeRefund  OrderType = "refund"  // a refund; its OrigSysSN is the payment refunded
)

// Transaction is a payment or refund as the query endpoint lists it (API
// section "Transaction Enquiry", "Response Parameters"). Times are read in
// the client's zone (WithLocation).
type Transaction struct {
	// SysSN is syssn, QF Pay's number for the transaction.
	SysSN string `json:"syssn"`
	// OrigSysSN is, for a refund, the refunded payment's syssn (origssn,
	// also read from orig_syssn); empty for a payment.
	OrigSysSN string `json:"orig_syssn" wire:"origssn"`
	// OutTradeNo is out_trade_no, the merchant's number of the payment or
	// of the refund itself.
	OutTradeNo string `json:"out_trade_no"`
	// PayType is pay_type; a refund has its payment's.
	PayType PayType `json:"pay_type"`
	// OrderType is order_type: OrderTypePayment or OrderTypeRefund (see
	// IsRefund).
	OrderType OrderType `json:"order_type"`
	// Amount is txamt, in minor units of Currency: the amount paid, or
	// refunded for a refund.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd.
	Currency Currency `json:"txcurrcd"`
	// TxTime is txdtm, the request time the merchant sent with the payment
	// or refund.
	TxTime time.Time `json:"txdtm"`
	// SysTime is sysdtm, when the gateway created the transaction: the
	// time settlement cut-offs and the query's Start and End go by.
	SysTime time.Time `json:"sysdtm"`
	// PayTime is paydtm, when the customer paid (or the refund was made);
	// zero while the transaction is not paid.
	PayTime time.Time `json:"paydtm"`
	// Cancel is cancel: whether and how the transaction was reversed,
	// closed or refunded since.
	Cancel CancelStatus `json:"cancel"`
	// RespCode is the transaction's status: "0000" succeeded, a pending
	// code (1143, 1145, 1295, 1296, 1298) or "" not settled yet, anything
	// else failed for good (see Paid, Pending and Failed).
	RespCode string `json:"respcd"`
	// ErrMsg is errmsg, the gateway's description of the status
	// ("success").
	ErrMsg string `json:"errmsg"`
	// GoodsName is goods_name, as the payment sent it; often empty.
	GoodsName string `json:"goods_name"`
	// GoodsInfo is goods_info, the product description the payment sent.
	GoodsInfo string `json:"goods_info"`
	// GoodsDetail is goods_detail, as listed; the API does not describe
	// it and its sample has it empty.
	GoodsDetail string `json:"goods_detail"`
	// ChannelSN is chnlsn, the wallet's own transaction number (Alipay's,
	// WeChat Pay's); empty until paid.
	ChannelSN string `json:"chnlsn"`
	// ChannelSN2 is chnlsn2, an additional transaction number; usually
	// empty.
	ChannelSN2 string `json:"chnlsn2"`
	// CardNumber is cardcd, the card or wallet account number, as the
	// gateway shows it; often empty.
	CardNumber string `json:"cardcd"`
	// CardType is cardtp, as listed ("5" in the API's sample, which does
	// not describe it).
	CardType string `json:"cardtp"`
	// DeviceID is udid, the device ID the payment sent.
	DeviceID string `json:"udid"`
	// ClientSN is clisn, as listed: the API's sample has "038424" (kept
	// with its leading zero) and does not describe it.
	ClientSN string `json:"clisn"`
	// UserID is userid, as listed: the API's sample has "2605489" and
	// does not describe it.
	UserID string `json:"userid"`
	// ExchangeRate is exchange_rate, the conversion rate applied, as sent
	// (current documentation); empty without conversion.
	ExchangeRate string `json:"exchange_rate"`
	// CashFee is cash_fee, what the customer actually paid, in
	// CashFeeType, as sent (the current documentation types it String
	// and states no unit).
	CashFee string `json:"cash_fee"`
	// CashFeeType is cash_fee_type, the currency of CashFee.
	CashFeeType Currency `json:"cash_fee_type"`
	// CashRefundFee is cash_refund_fee, what was actually refunded, in
	// CashRefundFeeType, as sent (String, no unit stated).
	CashRefundFee string `json:"cash_refund_fee"`
	// CashRefundFeeType is cash_refund_fee_type, the currency of
	// CashRefundFee.
	CashRefundFeeType Currency `json:"cash_refund_fee_type"`
}

// Paid reports whether the transaction succeeded (respcd 0000).
func (t *Transaction) Paid() bool { return t.RespCode == CodeSuccess }

// Pending reports whether the outcome is not known yet: a pending code
// (1143, 1145, 1295, 1296, 1298), or no respcd at all.
func (t *Transaction) Pending() bool { return t.RespCode == "" || isPendingCode(t.RespCode) }

// Failed reports whether the transaction is listed with a final failure
// code: neither success nor pending. For a payment this is the only proof
// that paying again (under a new out_trade_no) is safe.
func (t *Transaction) Failed() bool { return !t.Paid() && !t.Pending() }

// IsRefund reports whether the transaction is a refund.
func (t *Transaction) IsRefund() bool {
	return strings.EqualFold(string(t.OrderType), string(OrderTypeRefund))
}

var epQuery = endpoint{method: "POST", path: "/trade/v1/query", retry: true, mchid: true, txzone: true}

// Query fetches one page of transactions (POST /trade/v1/query, API section
// "Transaction Enquiry"): by syssn or out_trade_no to learn a payment's or
// refund's status, or by time range, pay type and return code. Query is safe
// to repeat and is retried on connection errors, 5xx and 429.
//
// Without SysSNs, a range longer than a month is refused before sending,
// counting a zero Start or End as the gateway does (the start or end of
// the current month, in the client's location): a Start three months back
// needs an End too.
func (c *Client) Query(ctx context.Context, req *QueryRequest) (*QueryResponse, error) {
	if req == nil {
		req = &QueryRequest{}
	}
	if err := req.validateWindow(c.now().In(c.loc)); err != nil {
		return nil, err
	}
	return do[QueryResponse](ctx, c, &epQuery, req)
}

// validateWindow checks the range the gateway applies, its defaults
// filled in from now: within one month, End not before Start. With SysSNs
// the gateway ignores it.
func (r *QueryRequest) validateWindow(now time.Time) error {
	if len(r.SysSNs) > 0 || (r.Start.IsZero() && r.End.IsZero()) {
		return nil
	}
	start, end := r.Start, r.End
	if start.IsZero() {
		start = monthStart(now)
	}
	if end.IsZero() {
		end = monthStart(now).AddDate(0, 1, 0).Add(-time.Second)
	}
	switch {
	case end.Before(start):
		return invalidField("end_time", "End %v is before Start %v (a zero one is the current month's)", end, start)
	case end.After(start.AddDate(0, 1, 0)):
		field := "end_time"
		if r.End.IsZero() {
			field = "start_time"
		}
		return invalidField(field, "Start %v to End %v spans more than one month, which the API refuses (a zero bound is the current month's); set both, or use Transactions, which splits the range", start, end)
	}
	return nil
}

func (r *QueryRequest) validate() error {
	if r.PageSize < 0 || r.PageSize > MaxPageSize {
		return invalidField("page_size", "PageSize must be within 1 to %d, got %d", MaxPageSize, r.PageSize)
	}
	if r.Page < 0 {
		return invalidField("page", "Page must be 1 or more, got %d", r.Page)
	}
	for _, list := range []struct {
		field, name string
		values      []string
		max         int
	}{{"syssn", "SysSNs", r.SysSNs, maxSysSN}, {"out_trade_no", "OutTradeNos", r.OutTradeNos, maxOutTradeNo}} {
		for _, s := range list.values {
			if s == "" || strings.Contains(s, ",") {
				return invalidField(list.field, "%s entries must be non-empty and without commas, got %q", list.name, s)
			}
			if err := checkLength(list.field, list.name+" entry", s, list.max); err != nil {
				return err
			}
		}
	}
	if !r.Start.IsZero() && !r.End.IsZero() && len(r.SysSNs) == 0 {
		if r.End.Before(r.Start) {
			return invalidField("end_time", "End %v is before Start %v", r.End, r.Start)
		}
		if r.End.After(r.Start.AddDate(0, 1, 0)) {
			return invalidField("end_time", "Start to End spans more than one month, which the API refuses; use Transactions, which splits the range")
		}
	}
	return validateMerchantFields(r.MerchantID, "", r.TimeZone)
}
