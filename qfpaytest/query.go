package qfpaytest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// query serves POST /trade/v1/query: payments and refunds, newest first,
// filtered and paged.
//
// The time range follows QF Pay's current documentation (transaction
// enquiry, fixed 2025-05-09), which narrowed the API documentation's rule
// (ignored with syssn or out_trade_no): start_time and end_time are
// ignored only when syssn is given. Every other query, a search by
// out_trade_no included, lists the transactions whose sysdtm lies in the
// range, which defaults to the current calendar month of the server's
// clock (a zero start_time is the month's first second, a zero end_time
// its last) and may span one calendar month at most: an end before the
// start, or more than a month after it, is refused with 1104. So a payment
// made on January 31 is not found by its out_trade_no alone in February,
// as on the gateway: the query needs January's range.
func (s *Server) query(c *call) (object, *apiError) {
	p := params{v: c.params}
	start := p.time("start_time", false, c.loc)
	end := p.time("end_time", false, c.loc)
	page := p.integer("page", 1, 1, 1<<30)
	size := p.integer("page_size", 10, 1, qfpay.MaxPageSize)
	if p.err != nil {
		return nil, p.err
	}
	syssns := splitList(c.params.Get("syssn"))
	outTradeNos := splitList(c.params.Get("out_trade_no"))
	payTypes := splitList(c.params.Get("pay_type"))
	respcd := c.params.Get("respcd")
	// The range applies unless syssn is given (see above).
	byID := len(syssns) > 0 || len(outTradeNos) > 0
	windowed := len(syssns) == 0
	if windowed {
		now := c.now.In(c.loc)
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, c.loc)
		if start.IsZero() {
			start = month
		}
		if end.IsZero() {
			end = month.AddDate(0, 1, 0).Add(-time.Second)
		}
		switch {
		case end.Before(start):
			return nil, refuse("1104", "end_time is before start_time")
		case end.After(start.AddDate(0, 1, 0)):
			return nil, refuse("1104", "start_time to end_time spans more than one calendar month")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	q := listQuery{syssns: syssns, outTradeNos: outTradeNos, payTypes: payTypes, windowed: windowed, start: start, end: end.Add(time.Second)}
	var shown []*txn
	switch {
	case respcd != "" || s.scanOnly:
		// Which transactions a respcd selects depends on their state
		// once refreshed: every candidate is looked at.
		shown = s.scanLocked(q, c.now, respcd, page, size)
	case byID:
		shown = s.byIDLocked(q, c.now, page, size)
	default:
		var ok bool
		if shown, ok = s.rangeLocked(q, c.now, page, size); !ok {
			shown = s.scanLocked(q, c.now, "", page, size)
		}
	}
	data := make([]json.RawMessage, 0, len(shown))
	buf := make([]byte, 0, 640*len(shown))
	for _, t := range shown {
		if t.pendingNow() && t.pendingLeft > 0 {
			t.pendingLeft--
		}
		from := len(buf)
		buf = appendListing(buf, t, c.loc)
		data = append(data, buf[from:len(buf):len(buf)])
	}
	return object{"data": data, "page": itoa(int64(page)), "page_size": itoa(int64(size))}, nil
}

// listQuery is what a query selects: by syssn, out_trade_no and pay type,
// and, unless by syssn (windowed false), by the time range start to end
// (end excluded).
type listQuery struct {
	syssns, outTradeNos, payTypes []string
	windowed                      bool
	start, end                    time.Time
}

// matches reports whether t is selected, its respcd aside.
func (q *listQuery) matches(t *txn) bool {
	switch {
	case len(q.syssns) > 0 && !slices.Contains(q.syssns, t.syssn),
		len(q.outTradeNos) > 0 && !slices.Contains(q.outTradeNos, t.outTradeNo),
		len(q.payTypes) > 0 && !slices.Contains(q.payTypes, string(t.payType)),
		q.windowed && (t.sysTime.Before(q.start) || !t.sysTime.Before(q.end)):
		return false
	}
	return true
}

// pageOf returns page (of size) of found.
func pageOf(found []*txn, page, size int) []*txn {
	from := min((page-1)*size, len(found))
	return found[from:min(from+size, len(found))]
}

// settleListedLocked applies what the clock and the queries did to the
// transactions a query selects, newest first, as they are listed.
func (s *Server) settleListedLocked(ts []*txn, now time.Time) {
	for _, t := range ts {
		s.refreshLocked(t, now)
		s.settleByQueryLocked(t, now)
	}
}

// scanLocked selects the page by looking at every transaction, newest
// first: the way for a respcd, several pay types, or a clock set back.
func (s *Server) scanLocked(q listQuery, now time.Time, respcd string, page, size int) []*txn {
	var found []*txn
	for _, t := range slices.Backward(s.txns) {
		if !q.matches(t) {
			continue
		}
		s.refreshLocked(t, now)
		s.settleByQueryLocked(t, now)
		if respcd != "" && t.respcd != respcd {
			continue
		}
		found = append(found, t)
	}
	return pageOf(found, page, size)
}

// byIDLocked selects the page of a query by syssn or out_trade_no from
// the indexes: the numbers listed, newest first, in the range when by
// out_trade_no.
func (s *Server) byIDLocked(q listQuery, now time.Time, page, size int) []*txn {
	var found []*txn
	if len(q.syssns) > 0 {
		for _, sn := range q.syssns {
			if t := s.bySysSN[sn]; t != nil {
				found = append(found, t)
			}
		}
	} else {
		for _, no := range q.outTradeNos {
			if t := s.byOutTradeNo[no]; t != nil {
				found = append(found, t)
			}
		}
	}
	found = slices.DeleteFunc(found, func(t *txn) bool { return !q.matches(t) })
	slices.SortFunc(found, func(a, b *txn) int { return b.seq - a.seq })
	found = slices.Compact(found)
	s.settleListedLocked(found, now)
	return pageOf(found, page, size)
}

// rangeLocked selects the page of a query by time range in O(page): the
// transactions are stored in the order of their times, so the range is
// found by its ends and the page by its place in it. ok is false when it
// cannot (several pay types, a clock set back): scanLocked then does.
func (s *Server) rangeLocked(q listQuery, now time.Time, page, size int) (shown []*txn, ok bool) {
	if s.unordered || len(q.payTypes) > 1 {
		return nil, false
	}
	list := s.txns
	if len(q.payTypes) == 1 {
		list = s.byPayType[qfpay.PayType(q.payTypes[0])]
	}
	// The first transaction at or after each end of the range.
	lo := sort.Search(len(list), func(i int) bool { return !list[i].sysTime.Before(q.start) })
	hi := sort.Search(len(list), func(i int) bool { return !list[i].sysTime.Before(q.end) })
	// What a query settles, it settles in every transaction it selects,
	// listed or not: only those made pending can be settled by it.
	var pending []*txn
	kept := s.awaiting[:0]
	for _, t := range s.awaiting {
		if !t.pendingNow() {
			continue
		}
		kept = append(kept, t)
		if q.matches(t) {
			pending = append(pending, t)
		}
	}
	clear(s.awaiting[len(kept):])
	s.awaiting = kept
	slices.SortFunc(pending, func(a, b *txn) int { return b.seq - a.seq })
	s.settleListedLocked(pending, now)

	// Newest first: the page ends (page-1)*size before hi.
	top := hi - (page-1)*size
	for i := top - 1; i >= lo && i >= top-size; i-- {
		s.refreshLocked(list[i], now)
		shown = append(shown, list[i])
	}
	return shown, true
}

// appendListing appends a transaction as the query lists it, in the
// documentation's shape (every value a string), encoded as encoding/json
// encodes the object of its members (names sorted), without its
// reflection.
func appendListing(b []byte, t *txn, loc *time.Location) []byte {
	start := len(b)
	str := func(name, value string) {
		if len(b) > start+1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = appendJSONString(b, value)
	}
	b = append(b, '{')
	str("cancel", itoa(int64(t.cancel)))
	str("cardcd", "")
	str("cardtp", "")
	str("chnlsn", t.chnlsn)
	str("chnlsn2", "")
	str("clisn", "")
	str("errmsg", errmsg(t.respcd))
	str("goods_detail", "")
	str("goods_info", t.goodsInfo)
	str("goods_name", t.goodsName)
	str("order_type", t.orderType)
	if t.orderType == orderRefund {
		str("origssn", t.origSysSN)
	}
	str("out_trade_no", t.outTradeNo)
	str("pay_type", string(t.payType))
	str("paydtm", times(t.payTime, loc))
	str("respcd", t.respcd)
	str("sysdtm", times(t.sysTime, loc))
	str("syssn", t.syssn)
	str("txamt", itoa(t.amount))
	str("txcurrcd", t.currency)
	str("txdtm", t.txdtm)
	str("udid", t.udid)
	str("userid", "")
	return append(b, '}')
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// BillColumns is the header row of the CSV in a trade_bill zip.
var BillColumns = []string{
	"syssn", "orig_syssn", "out_trade_no", "order_type", "pay_type", "txcurrcd", "txamt",
	"respcd", "cancel", "txdtm", "sysdtm", "paydtm", "goods_name", "udid", "note",
}

// tradeBill serves GET /download/v1/trade_bill?trade_date=YYYY-MM-DD: a zip
// holding trade_bill_<date>.csv, the successful payments and refunds of
// that day (sysdtm, in txzone or UTC+8), oldest first.
func (s *Server) tradeBill(w http.ResponseWriter, r *http.Request) {
	c, aerr := s.authenticate(r, methodGet, mchidRefused)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	p := params{v: c.params}
	date := p.str("trade_date", true, 0)
	if p.err != nil {
		writeError(w, p.err)
		return
	}
	day, err := time.ParseInLocation(dateLayout, date, c.loc)
	if err != nil || len(date) != len(dateLayout) {
		writeError(w, refuse("1103", "trade_date %q: want YYYY-MM-DD", date))
		return
	}
	next := day.AddDate(0, 0, 1)

	var csvBuf bytes.Buffer
	cw := csv.NewWriter(&csvBuf)
	_ = cw.Write(BillColumns)
	s.mu.Lock()
	for _, t := range s.txns {
		if t.respcd != codeOK || t.sysTime.Before(day) || !t.sysTime.Before(next) {
			continue
		}
		_ = cw.Write([]string{
			t.syssn, t.origSysSN, t.outTradeNo, t.orderType, string(t.payType), t.currency, itoa(t.amount),
			t.respcd, itoa(int64(t.cancel)), t.txdtm, times(t.sysTime, c.loc), times(t.payTime, c.loc),
			t.goodsName, t.udid, t.note,
		})
	}
	s.mu.Unlock()
	cw.Flush()

	name := "trade_bill_" + date
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".csv", Method: zip.Deflate, Modified: day})
	if err == nil {
		_, err = f.Write(csvBuf.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.zip"`)
	_, _ = w.Write(zipBuf.Bytes())
}
