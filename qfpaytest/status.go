package qfpaytest

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/qfpay-go/qfpay"
)

// statusTimeLayout is how the status page writes times: the server's
// clock as it reads, with its offset.
const statusTimeLayout = "2006-01-02 15:04:05 -07:00"

// statusView is what the status page shows.
type statusView struct {
	Now          string
	Base         string
	Example      string // a syssn for the curl lines: the newest waiting payment's
	Transactions []statusTxn
	Deliveries   []statusDelivery
}

type statusTxn struct {
	SysSN, OutTradeNo, OrderType, PayType, PayTypeName string
	Amount, GoodsName, Status, Time                    string
}

type statusDelivery struct {
	ID                            int
	Type, SysSN, URL, Last, State string
	Attempts                      int
}

// statusWord is the one word (or two) the status page gives t's state.
func statusWord(t Transaction) string {
	refund := t.OrderType == qfpay.OrderTypeRefund
	switch {
	case t.RespCode == codeOK && refund:
		return "refunded"
	case t.RespCode == codeOK && t.Cancel == qfpay.CancelRefunded:
		return "refunded"
	case t.RespCode == codeOK && t.Cancel == qfpay.CancelPartiallyRefunded:
		return "partly refunded"
	case t.RespCode == codeOK && t.Cancel == qfpay.CancelReversed:
		return "reversed"
	case t.RespCode == codeOK:
		return "paid"
	case t.Cancel != qfpay.CancelNone || t.RespCode == codeClosed:
		return "closed"
	case t.RespCode == codeExpired:
		return "expired"
	case t.RespCode == codeWaiting && !refund && !t.PayType.IsConsumerPresented():
		return "waiting"
	case pendingCode(t.RespCode):
		return "pending"
	}
	return "failed " + t.RespCode
}

// shownAmount writes an amount with its currency: "HKD 10.00".
func shownAmount(amount int64, c qfpay.Currency) string {
	s, err := c.FormatAmount(amount)
	if err != nil {
		return string(c) + " " + itoa(amount) + " (minor units)"
	}
	return string(c) + " " + s
}

// deliveryState is a delivery's state on the status page, and the status
// of its last attempt.
func deliveryState(d Delivery) (state, last string) {
	last = "none yet"
	if n := len(d.Attempts); n > 0 {
		a := d.Attempts[n-1]
		switch {
		case a.Err != "":
			last = "error: " + a.Err
		default:
			last = strconv.Itoa(a.StatusCode)
		}
	}
	switch {
	case d.Delivered:
		return "delivered", last
	case d.Done:
		return "given up", last
	case len(d.Attempts) == 0:
		return "sending", last
	}
	return "failing", last
}

// statusPage serves GET / under WithAdmin: the transactions, newest first,
// and the notification deliveries, read-only.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", http.MethodGet)
		writeAdminError(w, adminRefuse(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on /, use GET"))
		return
	}
	txns := s.Transactions()
	slices.Reverse(txns)
	v := statusView{Now: s.Now().Format(statusTimeLayout), Base: s.baseURL(r), Example: "SYSSN"}
	example := ""
	for _, t := range txns {
		st := statusWord(t)
		if example == "" && st == "waiting" {
			example = t.SysSN
		}
		v.Transactions = append(v.Transactions, statusTxn{
			SysSN: t.SysSN, OutTradeNo: t.OutTradeNo, OrderType: string(t.OrderType),
			PayType: string(t.PayType), PayTypeName: t.PayType.Description(),
			Amount: shownAmount(t.Amount, t.Currency), GoodsName: t.GoodsName,
			Status: st, Time: t.SysTime.Format(statusTimeLayout),
		})
	}
	if example != "" {
		v.Example = example
	}
	for _, d := range s.Deliveries() {
		state, last := deliveryState(d)
		v.Deliveries = append(v.Deliveries, statusDelivery{
			ID: d.ID, Type: d.Type, SysSN: d.SysSN, URL: d.URL, Attempts: len(d.Attempts), Last: last, State: state,
		})
	}
	var b bytes.Buffer
	if err := statusHTML.Execute(&b, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

// statusRefresh is how often the status page reloads itself.
const statusRefresh = 5 * time.Second

var statusHTML = template.Must(template.New("status").Funcs(template.FuncMap{
	"refresh": func() int { return int(statusRefresh / time.Second) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{{refresh}}">
<title>QF Pay sandbox</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { background: #f4f4f4; padding: .1em .3em; }
</style>
</head>
<body>
<h1>QF Pay sandbox</h1>
<p>Server time: <span id="now">{{.Now}}</span>. This page reloads every {{refresh}} seconds.</p>

<h2>Transactions</h2>
{{if .Transactions}}<table id="transactions">
<thead><tr><th>syssn</th><th>out_trade_no</th><th>order</th><th>pay_type</th><th>amount</th><th>goods</th><th>status</th><th>time</th></tr></thead>
<tbody>
{{range .Transactions}}<tr data-syssn="{{.SysSN}}"><td class="syssn">{{.SysSN}}</td><td class="out-trade-no">{{.OutTradeNo}}</td><td class="order-type">{{.OrderType}}</td><td class="pay-type" title="{{.PayTypeName}}">{{.PayType}}</td><td class="amount">{{.Amount}}</td><td class="goods-name">{{.GoodsName}}</td><td class="status">{{.Status}}</td><td class="time">{{.Time}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p id="no-transactions">No transactions yet.</p>{{end}}

<h2>Notifications</h2>
{{if .Deliveries}}<table id="deliveries">
<thead><tr><th>id</th><th>type</th><th>syssn</th><th>url</th><th>attempts</th><th>last status</th><th>state</th></tr></thead>
<tbody>
{{range .Deliveries}}<tr data-delivery="{{.ID}}"><td class="id">{{.ID}}</td><td class="type">{{.Type}}</td><td class="syssn">{{.SysSN}}</td><td class="url">{{.URL}}</td><td class="attempts">{{.Attempts}}</td><td class="last-status">{{.Last}}</td><td class="state">{{.State}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p id="no-deliveries">No notifications yet.</p>{{end}}

<h2>Admin API</h2>
<p>Drive the sandbox from a terminal (loopback only; values as form fields or in the query):</p>
<pre id="curl">curl -s {{.Base}}/_sandbox/v1/transactions
curl -s -X POST {{.Base}}/_sandbox/v1/pay -d ref={{.Example}}
curl -s -X POST {{.Base}}/_sandbox/v1/fail -d ref={{.Example}} -d respcd=1205
curl -s -X POST {{.Base}}/_sandbox/v1/expire -d ref={{.Example}}
curl -s -X POST {{.Base}}/_sandbox/v1/advance -d by=1h
curl -s {{.Base}}/_sandbox/v1/notifications
curl -s -X POST {{.Base}}/_sandbox/v1/notifications/redeliver -d id=0 -d to=http://127.0.0.1:8080/notify</pre>
</body></html>
`))
