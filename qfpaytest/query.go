package qfpaytest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// query serves POST /trade/v1/query: payments and refunds, newest first,
// filtered and paged.
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
	// The time range is ignored when syssn or out_trade_no is given;
	// otherwise it defaults to the current month and spans at most one.
	byID := len(syssns) > 0 || len(outTradeNos) > 0
	if !byID {
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
	var found []*txn
	for _, t := range slices.Backward(s.txns) {
		switch {
		case len(syssns) > 0 && !slices.Contains(syssns, t.syssn),
			len(outTradeNos) > 0 && !slices.Contains(outTradeNos, t.outTradeNo),
			len(payTypes) > 0 && !slices.Contains(payTypes, string(t.payType)),
			!byID && (t.sysTime.Before(start) || !t.sysTime.Before(end.Add(time.Second))):
			continue
		}
		s.refreshLocked(t, c.now)
		s.settleByQueryLocked(t, c.now)
		if respcd != "" && t.respcd != respcd {
			continue
		}
		found = append(found, t)
	}
	from := min((page-1)*size, len(found))
	shown := found[from:min(from+size, len(found))]
	data := make([]object, 0, len(shown))
	for _, t := range shown {
		if t.pendingNow() && t.pendingLeft > 0 {
			t.pendingLeft--
		}
		data = append(data, listing(t, c.loc))
	}
	return object{"data": data, "page": itoa(int64(page)), "page_size": itoa(int64(size))}, nil
}

// listing is a transaction as the query lists it, in the documentation's
// shape (every value a string).
func listing(t *txn, loc *time.Location) object {
	o := object{
		"syssn": t.syssn, "out_trade_no": t.outTradeNo, "order_type": t.orderType,
		"pay_type": string(t.payType), "txamt": itoa(t.amount), "txcurrcd": t.currency,
		"txdtm": t.txdtm, "sysdtm": times(t.sysTime, loc), "paydtm": times(t.payTime, loc),
		"cancel": itoa(int64(t.cancel)), "respcd": t.respcd, "errmsg": errmsg(t.respcd),
		"goods_name": t.goodsName, "goods_info": t.goodsInfo, "goods_detail": "",
		"chnlsn": t.chnlsn, "chnlsn2": "", "udid": t.udid, "userid": "", "clisn": "",
		"cardtp": "", "cardcd": "",
	}
	if t.orderType == orderRefund {
		o["origssn"] = t.origSysSN
	}
	return o
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
