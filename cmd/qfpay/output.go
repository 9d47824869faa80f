package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Output formats of the commands that print transactions.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputCSV   = "csv"
)

// txRecord is a transaction as the command prints it: amounts in the
// currency's major unit, times in RFC 3339.
type txRecord struct {
	SysSN      string `json:"syssn"`
	OrigSysSN  string `json:"orig_syssn,omitempty"`
	OutTradeNo string `json:"out_trade_no"`
	OrderType  string `json:"order_type"`
	PayType    string `json:"pay_type"`
	Amount     string `json:"amount"`
	Minor      int64  `json:"txamt"`
	Currency   string `json:"currency"`
	Status     string `json:"status"`
	RespCode   string `json:"respcd"`
	Cancel     string `json:"cancel"`
	SysTime    string `json:"sys_time,omitempty"`
	PayTime    string `json:"pay_time,omitempty"`
	GoodsName  string `json:"goods_name,omitempty"`
}

// csvHeader is the header row of --output csv, the JSON names in order.
var csvHeader = []string{"syssn", "orig_syssn", "out_trade_no", "order_type", "pay_type", "amount", "txamt",
	"currency", "status", "respcd", "cancel", "sys_time", "pay_time", "goods_name"}

func (r *txRecord) csv() []string {
	return []string{r.SysSN, r.OrigSysSN, r.OutTradeNo, r.OrderType, r.PayType, r.Amount, strconv.FormatInt(r.Minor, 10),
		r.Currency, r.Status, r.RespCode, r.Cancel, r.SysTime, r.PayTime, r.GoodsName}
}

// formatAmount writes minor units in the currency's major unit ("10.50");
// for a currency whose decimals are unknown, the minor units and a note.
func formatAmount(c qfpay.Currency, minor int64) string {
	s, err := c.FormatAmount(minor)
	if err != nil {
		return strconv.FormatInt(minor, 10) + " (minor units)"
	}
	return s
}

// money writes "HKD 10.50".
func money(c qfpay.Currency, minor int64) string {
	if c == "" {
		return formatAmount(c, minor)
	}
	return string(c) + " " + formatAmount(c, minor)
}

// statusWord says in a word where a transaction stands: paid (refunded,
// for a refund), waiting (for the customer, 1143), pending, or failed and
// its code.
func statusWord(tx *qfpay.Transaction) string {
	switch {
	case tx.Paid() && tx.IsRefund():
		return "refunded"
	case tx.Paid():
		return "paid"
	case tx.RespCode == qfpay.CodePasswordPending:
		return "waiting"
	case tx.Pending():
		return "pending"
	}
	return "failed"
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func newTxRecord(tx *qfpay.Transaction) *txRecord {
	return &txRecord{
		SysSN: tx.SysSN, OrigSysSN: tx.OrigSysSN, OutTradeNo: tx.OutTradeNo,
		OrderType: string(tx.OrderType), PayType: string(tx.PayType),
		Amount: formatAmount(tx.Currency, tx.Amount), Minor: tx.Amount, Currency: string(tx.Currency),
		Status: statusWord(tx), RespCode: tx.RespCode, Cancel: tx.Cancel.String(),
		SysTime: timeString(tx.SysTime), PayTime: timeString(tx.PayTime), GoodsName: tx.GoodsName,
	}
}

// txWriter writes transactions one by one in an output format, so that a
// listing streams: JSON is one object per line (JSON Lines), CSV has a
// header row, a table has fixed-width columns and a header line.
type txWriter struct {
	format string
	w      io.Writer
	csv    *csv.Writer
	enc    *json.Encoder
	n      int
}

// validOutput checks an --output value before anything is sent.
func validOutput(format string) error {
	switch format {
	case outputTable, outputJSON, outputCSV:
		return nil
	}
	return usagef("--output %q: want table, json or csv", format)
}

func newTxWriter(format string, w io.Writer) *txWriter {
	tw := &txWriter{format: format, w: w}
	switch format {
	case outputCSV:
		tw.csv = csv.NewWriter(w)
	case outputJSON:
		tw.enc = json.NewEncoder(w)
		tw.enc.SetEscapeHTML(false)
	}
	return tw
}

const tableRow = "%-26s  %-24s  %-7s  %-8s  %12s %-3s  %-12s  %-18s  %s\n"

func (tw *txWriter) write(tx *qfpay.Transaction) error {
	r := newTxRecord(tx)
	first := tw.n == 0
	tw.n++
	switch tw.format {
	case outputJSON:
		return tw.enc.Encode(r)
	case outputCSV:
		if first {
			if err := tw.csv.Write(csvHeader); err != nil {
				return err
			}
		}
		if err := tw.csv.Write(r.csv()); err != nil {
			return err
		}
		tw.csv.Flush()
		return tw.csv.Error()
	}
	if first {
		if _, err := fmt.Fprintf(tw.w, tableRow, "SYSSN", "OUT_TRADE_NO", "TYPE", "PAY_TYPE", "AMOUNT", "CUR", "STATUS", "CANCEL", "TIME"); err != nil {
			return err
		}
	}
	status := r.Status
	if !tx.Paid() && tx.RespCode != "" {
		status += " " + tx.RespCode
	}
	cancel := r.Cancel
	if tx.Cancel == qfpay.CancelNone {
		cancel = "-"
	}
	when := "-"
	switch {
	case !tx.PayTime.IsZero():
		when = tx.PayTime.Format(time.DateTime)
	case !tx.SysTime.IsZero():
		when = tx.SysTime.Format(time.DateTime)
	}
	_, err := fmt.Fprintf(tw.w, tableRow, r.SysSN, r.OutTradeNo, r.OrderType, r.PayType, r.Amount, r.Currency,
		status, cancel, when)
	return err
}
