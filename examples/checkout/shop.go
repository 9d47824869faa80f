package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
)

// The shop's routes.
const (
	ordersPath = "/orders/"      // POST /orders/ starts a checkout; GET /orders/<no> shows an order
	notifyPath = "/qfpay/notify" // QF Pay's notifications
	failedPage = "/failed"       // suffix of an order's failed_url: /orders/<no>/failed
)

// The one product on sale.
const (
	productName  = "Milk tea x2"
	productPrice = 2500 // minor units of the shop's currency: HKD 25.00
)

// The states of an order.
const (
	stateAwaiting = "awaiting payment" // sent to the checkout page, nothing settled
	statePaid     = "paid"             // final: the query or a signed notification said so
	stateFailed   = "failed"           // listed as failed by the query: a new checkout is safe
)

// order is one checkout, kept in memory.
type order struct {
	no       string
	amount   int64
	currency qfpay.Currency
	state    string
	// notified tells whether QF Pay's notification of the payment arrived.
	notified bool
	// respCode is the failure's respcd, for a failed order.
	respCode string
	payType  qfpay.PayType
}

// config is what a shop needs.
type config struct {
	// Client calls QF Pay (or the embedded sandbox).
	Client *qfpay.Client
	// Currency is the currency of the shop's price.
	Currency qfpay.Currency
	// PublicURL is where shoppers' browsers and QF Pay's notifications
	// reach the shop, without a trailing slash: the base of return_url,
	// failed_url and notify_url.
	PublicURL string
	// SettleWait bounds how long an order page waits for the query to
	// settle the payment before it shows "not settled yet" and refreshes.
	SettleWait time.Duration
	// Logger logs notifications and settlements.
	Logger *slog.Logger
}

// shop is a web shop that takes payments on QF Pay's hosted checkout
// page: the shopper's browser is redirected to the signed checkout URL,
// pays there, and comes back to the order page, which confirms the payment
// by query before showing it paid. The notification marks it paid too.
type shop struct {
	cfg config

	mu     sync.Mutex
	orders map[string]*order
}

func newShop(cfg config) (*shop, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("checkout: no client")
	case !strings.HasPrefix(cfg.PublicURL, "http://") && !strings.HasPrefix(cfg.PublicURL, "https://"):
		return nil, fmt.Errorf("checkout: public URL %q is not an http(s) URL", cfg.PublicURL)
	case cfg.SettleWait <= 0:
		return nil, fmt.Errorf("checkout: settle wait %s is not positive", cfg.SettleWait)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	return &shop{cfg: cfg, orders: map[string]*order{}}, nil
}

// routes is the shop's HTTP handler.
func (s *shop) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST "+ordersPath+"{$}", s.checkout)
	mux.HandleFunc("GET "+ordersPath+"{no}", s.orderPage)
	mux.HandleFunc("GET "+ordersPath+"{no}"+failedPage, s.orderPage)
	mux.Handle("POST "+notifyPath, s.cfg.Client.NotificationHandler(s.notified))
	return mux
}

// home shows the product and the checkout button.
func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, homeHTML, map[string]string{
		"Product": productName, "Price": exampleenv.Money(productPrice, s.cfg.Currency), "Action": ordersPath,
	})
}

// checkout creates an order and redirects the browser to its signed
// checkout URL. The order is stored before the redirect: its number is the
// key to settle it whatever happens next.
func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	no := exampleenv.OrderNo("web")
	o := &order{no: no, amount: productPrice, currency: s.cfg.Currency, state: stateAwaiting}
	s.mu.Lock()
	s.orders[no] = o
	s.mu.Unlock()

	orderURL := s.cfg.PublicURL + ordersPath + no
	link, err := s.cfg.Client.CheckoutURL(&qfpay.CheckoutRequest{
		Amount:     o.amount,
		Currency:   o.currency,
		OutTradeNo: no,
		GoodsName:  productName,
		PaySource:  qfpay.PaySourceRemotePay,
		ReturnURL:  orderURL,
		FailedURL:  orderURL + failedPage,
		CancelURL:  s.cfg.PublicURL + "/",
		NotifyURL:  s.cfg.PublicURL + notifyPath,
	})
	if err != nil {
		// Refused before anything was sent: the shop's own configuration
		// is wrong (a public URL QF Pay cannot take, say).
		s.cfg.Logger.Error("checkout URL refused", "out_trade_no", no, "error", err)
		http.Error(w, "the checkout could not be started", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// notified records QF Pay's signed notification (the handler verified its
// signature): a payment of the order's amount makes it paid. Answering
// nil acknowledges it; the same notification may come again.
func (s *shop) notified(ctx context.Context, n *qfpay.Notification) error {
	if n.Type != qfpay.NotifyPayment {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[n.OutTradeNo]
	switch {
	case o == nil:
		s.cfg.Logger.Warn("notification for an unknown order", "out_trade_no", n.OutTradeNo, "syssn", n.SysSN)
	case n.Amount != o.amount || n.Currency != o.currency:
		s.cfg.Logger.Error("notification does not match the order", "out_trade_no", n.OutTradeNo,
			"amount", n.Amount, "currency", n.Currency)
	default:
		o.notified = true
		o.state, o.payType = statePaid, n.PayType
		s.cfg.Logger.Info("paid (notification)", "out_trade_no", n.OutTradeNo, "syssn", n.SysSN)
	}
	return nil
}

// orderPage is where the checkout page sends the browser back (return_url
// after paying, failed_url after a failure). The visit proves nothing, as
// anybody can open the URL: the page asks QF Pay (WaitForPayment) and
// shows what the query says.
func (s *shop) orderPage(w http.ResponseWriter, r *http.Request) {
	no := r.PathValue("no")
	s.mu.Lock()
	o := s.orders[no]
	s.mu.Unlock()
	if o == nil {
		http.NotFound(w, r)
		return
	}
	s.settle(r.Context(), o)

	s.mu.Lock()
	view := map[string]any{
		"No": o.no, "Amount": exampleenv.Money(o.amount, o.currency), "State": o.state,
		"Notified": o.notified, "RespCode": o.respCode, "PayType": o.payType,
		"Settled": o.state != stateAwaiting, "Home": "/",
	}
	s.mu.Unlock()
	render(w, http.StatusOK, orderHTML, view)
}

// settle confirms an order not settled yet by query, for at most
// SettleWait: paid only with the order's amount and currency, failed only
// when the gateway lists it failed. Paid is final.
func (s *shop) settle(ctx context.Context, o *order) {
	s.mu.Lock()
	settled := o.state != stateAwaiting
	s.mu.Unlock()
	if settled {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SettleWait)
	defer cancel()
	tx, err := s.cfg.Client.WaitForPayment(ctx, o.no)

	s.mu.Lock()
	defer s.mu.Unlock()
	if o.state != stateAwaiting {
		return // the notification settled it meanwhile
	}
	switch {
	case err == nil && tx.Amount == o.amount && tx.Currency == o.currency:
		o.state, o.payType = statePaid, tx.PayType
		s.cfg.Logger.Info("paid (query)", "out_trade_no", o.no, "syssn", tx.SysSN)
	case err == nil:
		s.cfg.Logger.Error("paid, but not the order's amount", "out_trade_no", o.no, "amount", tx.Amount, "currency", tx.Currency)
	case errors.Is(err, qfpay.ErrPaymentFailed):
		o.state, o.respCode = stateFailed, tx.RespCode
		s.cfg.Logger.Info("failed (query)", "out_trade_no", o.no, "respcd", tx.RespCode)
	default:
		// Unknown: the shopper may still be paying. Never fail the
		// order on it; the page refreshes and asks again.
		s.cfg.Logger.Info("not settled yet", "out_trade_no", o.no, "error", err)
	}
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

var homeHTML = template.Must(template.New("home").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Tea shop</title></head>
<body>
<h1>Tea shop</h1>
<p><span id="product">{{.Product}}</span>: <span id="price">{{.Price}}</span></p>
<form method="post" action="{{.Action}}"><button type="submit" id="checkout">Checkout</button></form>
</body></html>
`))

var orderHTML = template.Must(template.New("order").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Order {{.No}}</title>
{{if not .Settled}}<meta http-equiv="refresh" content="3">{{end}}</head>
<body>
<h1>Order <span id="order">{{.No}}</span></h1>
<p>{{.Amount}}: <strong id="status">{{.State}}</strong></p>
{{if eq .State "paid"}}<p id="message">Thank you: your payment is confirmed{{if .PayType}} ({{.PayType}}){{end}}.</p>
{{else if eq .State "failed"}}<p id="message">The payment failed (respcd {{.RespCode}}). <a href="{{.Home}}">Try again</a> with a new checkout.</p>
{{else}}<p id="message">Not settled yet: this page asks again in a moment.</p>
{{end}}<p>Notification received: <span id="notified">{{if .Notified}}yes{{else}}not yet{{end}}</span></p>
</body></html>
`))
