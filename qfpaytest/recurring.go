package qfpaytest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Recurring payments (QF Pay's current documentation, "Recurring
// payments"): customers, card tokens, products and subscriptions, billed
// on the server's clock. See the package documentation, "Recurring
// payments".

// TokenDeclined is a magic card token: every charge on it is declined
// with TokenDeclineCode. Any customer may use it (CreateSubscription,
// UpdateSubscription), as if their card had stopped paying.
const TokenDeclined = "tk_declined00000000000000000000"

// TokenDeclineCode is the respcd of a charge on TokenDeclined: 1205,
// "The transaction failed".
const TokenDeclineCode = "1205"

// SubscriptionRetries is how many times the server retries a failed
// billing order before a PAST_DUE subscription turns UNPAID.
const SubscriptionRetries = 3

// SubscriptionRetryDelay is the wait between a failed charge and its
// retry, or a quarter of the subscription's billing period when that is
// shorter (a product billed by the minute is retried within the minute),
// so that the retries end before the next cycle is due.
const SubscriptionRetryDelay = time.Hour

// ErrTokenConflict: TokenizeCard of a card tokenised before for another
// customer (the gateway's payment_token event CONFLICT).
var ErrTokenConflict = errors.New("qfpaytest: card tokenised for another customer")

// sandboxUserID is the userid (QF Pay's store) the server answers.
const sandboxUserID = 2319316

// recurringPaths are the recurring endpoints, which alone take a JSON
// body besides a form (the documentation leaves the encoding open).
var recurringPaths = []string{"/customer/", "/product/", "/subscription/"}

// acceptsJSON reports whether path takes an application/json body.
func acceptsJSON(path string) bool {
	for _, p := range recurringPaths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// readJSONParams reads a JSON object body as the parameters the signature
// covers: a string as it is, a number or boolean as its JSON text, an
// object or array as its compact JSON text; null is no parameter.
func readJSONParams(r *http.Request) (url.Values, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, refuse("1103", "reading the body: %v", err)
	}
	if len(body) > maxBody {
		return nil, refuse("1103", "body larger than %d bytes", maxBody)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, refuse("1103", "JSON body: %v", err)
	}
	v := url.Values{}
	for name, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch raw[0] {
		case 'n':
			continue
		case '"':
			var s string
			_ = json.Unmarshal(raw, &s)
			v.Set(name, s)
		case '{', '[':
			var buf bytes.Buffer
			_ = json.Compact(&buf, raw)
			v.Set(name, buf.String())
		default:
			v.Set(name, string(raw))
		}
	}
	return v, nil
}

// recurring is what the server keeps of recurring payments, and the
// customs declarations (customs.go).
type recurring struct {
	seq          int
	customers    []*customer
	products     []*product
	tokens       map[string]*token
	tokenByCard  map[string]*token
	subs         []*subscription
	declarations []*declaration
}

type customer struct {
	id, name, phone, email, address string
	deleted                         bool
}

type product struct {
	id, name, kind, description, currency, interval, usage string
	amount                                                 int64
	count                                                  int
	deleted                                                bool
}

type token struct {
	id, customerID, card string
	expiry               time.Time
	declines             bool
}

// item is a product of a subscription and its quantity.
type item struct {
	ProductID string
	Quantity  int
}

type subscription struct {
	id, hex, customerID, tokenID string
	items                        []item
	total                        int // 0: unlimited
	anchor                       time.Time
	state                        qfpay.State
	completed                    int
	retries                      int
	lastStatus                   string
	lastBilling                  time.Time
	// next is when the next cycle is due (zero once ended): the
	// "scheduled next billing date" a manual charge is measured against.
	next time.Time
	// failed is the billing order that failed and awaits a retry or a
	// manual charge; nextRetry when the next retry is due (zero: none
	// left); lapse when an INCOMPLETE one expires.
	failed    *billingOrder
	nextRetry time.Time
	lapse     time.Time
	orders    []*billingOrder
	// the products' common terms
	currency, interval string
	count              int
	amount             int64
}

type billingOrder struct {
	id, trigger string
	seq         int
}

// recLocked is the server's recurring store, made on first use.
func (s *Server) recLocked() *recurring {
	if s.rec == nil {
		s.rec = &recurring{tokens: map[string]*token{}, tokenByCard: map[string]*token{}}
	}
	return s.rec
}

// newID makes an id: prefix and n hex digits of a counter's hash, the same
// from run to run.
func (r *recurring) newID(prefix string, n int) string {
	r.seq++
	sum := md5.Sum([]byte(prefix + strconv.Itoa(r.seq)))
	return prefix + hex.EncodeToString(sum[:])[:n]
}

func (r *recurring) customer(id string) *customer {
	for _, c := range r.customers {
		if c.id == id && !c.deleted {
			return c
		}
	}
	return nil
}

func (r *recurring) product(id string) *product {
	for _, p := range r.products {
		if p.id == id && !p.deleted {
			return p
		}
	}
	return nil
}

func (r *recurring) subscription(id string) *subscription {
	for _, sub := range r.subs {
		if sub.id == id {
			return sub
		}
	}
	return nil
}

// token finds a token; TokenDeclined exists for every customer.
func (r *recurring) token(id string) *token {
	if id == TokenDeclined {
		return &token{id: TokenDeclined, card: "4000000000000002", declines: true}
	}
	return r.tokens[id]
}

// TokenizeCard tokenises the card number card for the customer customerID,
// as the Payment Element does when the customer enters a card: it answers
// the token id and sends the payment_token notification (to the server's
// notify URL), the only way the gateway tells a merchant the token. A card
// tokenised before for the same customer answers its token again (event
// MATCH); for another customer it fails with ErrTokenConflict (event
// CONFLICT, respcd 1205, no tokenid). It fails with ErrNotFound for an
// unknown customer, and for a card number that is not 12 to 19 digits.
func (s *Server) TokenizeCard(customerID, card string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recLocked()
	if !digits(card) || len(card) < 12 || len(card) > 19 {
		return "", fmt.Errorf("qfpaytest: card number %q: want 12 to 19 digits", card)
	}
	if r.customer(customerID) == nil {
		return "", fmt.Errorf("%w: no customer %q", ErrNotFound, customerID)
	}
	if t := r.tokenByCard[card]; t != nil {
		if t.customerID != customerID {
			s.notifyTokenLocked(&token{card: card, customerID: customerID}, "CONFLICT", TokenDeclineCode, now)
			return "", fmt.Errorf("%w: card %s", ErrTokenConflict, maskCard(card))
		}
		s.notifyTokenLocked(t, "MATCH", codeOK, now)
		return t.id, nil
	}
	t := &token{id: r.newID("tk_", 32), customerID: customerID, card: card,
		expiry: time.Date(now.In(beijing).Year()+3, now.In(beijing).Month(), 1, 0, 0, 0, 0, beijing)}
	r.tokens[t.id] = t
	r.tokenByCard[card] = t
	s.notifyTokenLocked(t, "NEW", codeOK, now)
	return t.id, nil
}

// maskCard writes a card number as the notifications do: "5200****1096".
func maskCard(card string) string {
	if len(card) < 8 {
		return ""
	}
	return card[:4] + "****" + card[len(card)-4:]
}

// cardScheme is the scheme the notifications name for a card number.
func cardScheme(card string) string {
	if card == "" {
		return ""
	}
	switch card[0] {
	case '4':
		return "VISA"
	case '5', '2':
		return "ECMC"
	}
	return "CARD"
}

// due is when cycle n (from 1) of sub is due: its anchor (the start) plus
// n-1 billing periods of its products.
func (sub *subscription) due(n int) time.Time {
	k := (n - 1) * sub.count
	switch sub.interval {
	case "monthly":
		return sub.anchor.AddDate(0, k, 0)
	case "yearly":
		return sub.anchor.AddDate(k, 0, 0)
	case "hours":
		return sub.anchor.Add(time.Duration(k) * time.Hour)
	}
	return sub.anchor.Add(time.Duration(k) * time.Minute)
}

// retryDelay is the wait between two attempts at cycle n.
func (sub *subscription) retryDelay(n int) time.Duration {
	return min(SubscriptionRetryDelay, sub.due(n+1).Sub(sub.due(n))/(SubscriptionRetries+1))
}

// billDueLocked runs the subscriptions' schedule up to now, event by event
// in time order: cycles due, retries due, incomplete subscriptions lapsing.
func (s *Server) billDueLocked(now time.Time) {
	if s.rec == nil {
		return
	}
	for {
		var first *subscription
		var at time.Time
		for _, sub := range s.rec.subs {
			if t := sub.nextEvent(); !t.IsZero() && !t.After(now) && (first == nil || t.Before(at)) {
				first, at = sub, t
			}
		}
		if first == nil {
			return
		}
		s.stepLocked(first, at)
	}
}

// nextEvent is when sub's schedule acts next (zero: nothing scheduled).
func (sub *subscription) nextEvent() time.Time {
	switch {
	case sub.state.Ended() || sub.state == qfpay.StateUnpaid:
		return time.Time{}
	case sub.failed != nil:
		switch {
		case sub.nextRetry.IsZero():
			return sub.lapse
		case !sub.lapse.IsZero() && sub.lapse.Before(sub.nextRetry):
			return sub.lapse
		}
		return sub.nextRetry
	}
	return sub.next
}

// stepLocked makes the event of sub due at at: a lapse, a retry or a
// cycle's charge.
func (s *Server) stepLocked(sub *subscription, at time.Time) {
	switch {
	case sub.failed != nil && !sub.lapse.IsZero() && !sub.lapse.After(at):
		sub.failed, sub.nextRetry, sub.next = nil, time.Time{}, time.Time{}
		s.setStateLocked(sub, qfpay.StateIncompleteExpired, at)
	case sub.failed != nil:
		sub.retries++
		o := sub.failed
		if s.chargeLocked(sub, o, at).respcd == codeOK {
			s.paidLocked(sub, at)
			return
		}
		if sub.retries < SubscriptionRetries {
			sub.nextRetry = at.Add(sub.retryDelay(o.seq))
			return
		}
		sub.nextRetry = time.Time{}
		if sub.state == qfpay.StatePastDue {
			s.setStateLocked(sub, qfpay.StateUnpaid, at)
		}
	default:
		n := sub.completed + 1
		o := &billingOrder{id: fmt.Sprintf("sub_ord_%s_%04d", sub.hex, n), trigger: string(qfpay.TriggerAuto), seq: n}
		sub.orders = append(sub.orders, o)
		if s.chargeLocked(sub, o, at).respcd == codeOK {
			s.paidLocked(sub, at)
			return
		}
		sub.failed, sub.retries = o, 0
		sub.next = sub.due(n + 1)
		sub.nextRetry = at.Add(sub.retryDelay(n))
		if sub.state == qfpay.StateIncomplete {
			sub.lapse = sub.next
			return
		}
		s.setStateLocked(sub, qfpay.StatePastDue, at)
	}
}

// chargeLocked charges billing order o of sub on its token at time at,
// as a card payment the query lists (no out_trade_no), and notifies the
// outcome as subscription_payment. It returns the charge: paid when its
// respcd is 0000.
func (s *Server) chargeLocked(sub *subscription, o *billingOrder, at time.Time) *txn {
	tk := s.rec.token(sub.tokenID)
	code := codeOK
	if tk == nil || tk.declines {
		code = TokenDeclineCode
	}
	t := &txn{
		syssn: s.nextSysSNLocked(at), orderType: orderPayment, payType: qfpay.PayTypeVisaMastercardOnline, amount: sub.amount,
		currency: sub.currency, txdtm: times(at, beijing), loc: beijing, sysTime: at, respcd: code,
		goodsName: "subscription " + sub.id,
	}
	if code == codeOK {
		t.payTime = at
		t.chnlsn = "42" + t.syssn
	}
	s.txns = append(s.txns, t)
	s.bySysSN[t.syssn] = t
	sub.lastBilling = at
	sub.lastStatus = "SUCCESS"
	if code != codeOK {
		sub.lastStatus = "FAILED"
	}
	card := ""
	if tk != nil {
		card = tk.card
	}
	s.notifyPaymentLocked(sub, o, t, card)
	return t
}

// sendLocked sends a token or subscription notification to the server's
// notify URL: such notifications have no order of their own, so no
// notify_url of an order applies.
func (s *Server) sendLocked(notifyType, sysSN string, body []byte) {
	s.deliverLocked(s.notifyURL, notifyType, sysSN, "", body)
}

// paidLocked records a paid cycle of sub at time at.
func (s *Server) paidLocked(sub *subscription, at time.Time) {
	sub.completed++
	sub.failed, sub.retries, sub.nextRetry, sub.lapse = nil, 0, time.Time{}, time.Time{}
	sub.next = sub.due(sub.completed + 1)
	switch {
	case sub.total > 0 && sub.completed >= sub.total:
		sub.next = time.Time{}
		s.setStateLocked(sub, qfpay.StateCompleted, at)
	case sub.state != qfpay.StateActive:
		s.setStateLocked(sub, qfpay.StateActive, at)
	}
}

// setStateLocked moves sub to state and notifies it.
func (s *Server) setStateLocked(sub *subscription, state qfpay.State, at time.Time) {
	sub.state = state
	s.sendLocked(string(qfpay.NotifySubscription), "", pyJSON([]string{
		"notify_type", string(qfpay.NotifySubscription),
		"subscription_id", sub.id,
		"state", string(state),
		"sysdtm", times(at, beijing),
	}))
}

// notifyTokenLocked sends a payment_token notification.
func (s *Server) notifyTokenLocked(t *token, event, code string, at time.Time) {
	f := []string{"notify_type", string(qfpay.NotifyPaymentToken), "event", event}
	if code == codeOK {
		f = append(f, "tokenid", t.id, "token_expiry_date", times(t.expiry, beijing))
	}
	msg := ""
	if code != codeOK {
		msg = "card already tokenised for another customer"
	}
	f = append(f, "cardcd", maskCard(t.card), "card_scheme", cardScheme(t.card), "respcd", code, "respmsg", msg,
		"sysdtm", times(at, beijing), "userid", strconv.Itoa(sandboxUserID), "customer_id", t.customerID)
	s.sendLocked(string(qfpay.NotifyPaymentToken), "", pyJSON(f))
}

// notifyPaymentLocked sends the subscription_payment notification of
// billing order o, charged as t.
func (s *Server) notifyPaymentLocked(sub *subscription, o *billingOrder, t *txn, card string) {
	ids := make([]string, len(sub.items))
	for i, it := range sub.items {
		ids[i] = it.ProductID
	}
	f := []string{
		"notify_type", string(qfpay.NotifySubscriptionPayment),
		"subscription_id", sub.id, "subscription_order_id", o.id,
		"respcd", t.respcd, "respmsg", "",
	}
	syssn, reason := t.syssn, "AUTHORISED"
	if t.respcd != codeOK {
		f[len(f)-1] = "card declined"
		syssn, reason = "", "REFUSED"
	}
	f = append(f, "syssn", syssn, "txdtm", t.txdtm, "txamt", itoa(t.amount), "txcurrcd", t.currency,
		"customer_id", sub.customerID, "product_id", strings.Join(ids, ","), "cardcd", maskCard(card))
	if t.respcd == codeOK {
		f = append(f, "card_scheme", cardScheme(card))
	}
	f = append(f, "current_iteration", strconv.Itoa(o.seq), "reason", reason)
	s.sendLocked(string(qfpay.NotifySubscriptionPayment), syssn, pyJSON(f))
}

// recurringCall starts a recurring call: the schedule is brought up to
// the call's time first, so that what it reads and changes is current.
func (s *Server) recurringCall(c *call) *recurring {
	s.billDueLocked(c.now)
	return s.recLocked()
}

// page reads page and page_size (1..100, default 10) and returns the
// slice of the n records the page shows.
func page(p *params, n int) (from, to, size, pg int) {
	pg = p.integer("page", 1, 1, 1<<30)
	size = p.integer("page_size", 10, 1, qfpay.MaxPageSize)
	from = min((pg-1)*size, n)
	return from, min(from+size, n), size, pg
}

func pageAnswer(data []object, pg, size int) object {
	return object{"data": data, "page": pg, "page_size": size}
}

// createCustomer serves POST /customer/v1/create.
func (s *Server) createCustomer(c *call) (object, *apiError) {
	p := params{v: c.params}
	cu := &customer{name: p.str("name", false, 0), phone: p.str("phone", false, 0), email: p.str("email", false, 0),
		address: p.jsonObject("billing_address")}
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	cu.id = r.newID("cust_", 12)
	r.customers = append(r.customers, cu)
	return object{"data": object{"customer_id": cu.id}}, nil
}

// updateCustomer serves POST /customer/v1/update.
func (s *Server) updateCustomer(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("customer_id", true, 0)
	address := p.jsonObject("billing_address")
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cu := s.recurringCall(c).customer(id)
	if cu == nil {
		return nil, refuse(codeNotFound, "no customer %q", id)
	}
	for name, dst := range map[string]*string{"name": &cu.name, "phone": &cu.phone, "email": &cu.email} {
		if v := c.params.Get(name); v != "" {
			*dst = v
		}
	}
	if address != "" {
		cu.address = address
	}
	return object{"data": object{"customer_id": id, "rowAffected": 1}}, nil
}

// deleteCustomer serves POST /customer/v1/delete: the customer goes, and
// every subscription of it is cancelled.
func (s *Server) deleteCustomer(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("customer_id", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	cu := r.customer(id)
	if cu == nil {
		return nil, refuse(codeNotFound, "no customer %q", id)
	}
	cu.deleted = true
	for _, sub := range r.subs {
		if sub.customerID == id && !sub.state.Ended() {
			s.cancelLocked(sub, c.now)
		}
	}
	return object{"data": object{"customer_id": id, "rowDeleted": 1}}, nil
}

// queryCustomers serves POST /customer/v1/query.
func (s *Server) queryCustomers(c *call) (object, *apiError) {
	p := params{v: c.params}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*customer
	for _, cu := range s.recurringCall(c).customers {
		if !cu.deleted && match(c.params, "customer_id", cu.id) && match(c.params, "name", cu.name) &&
			match(c.params, "phone", cu.phone) && match(c.params, "email", cu.email) {
			found = append(found, cu)
		}
	}
	from, to, size, pg := page(&p, len(found))
	if p.err != nil {
		return nil, p.err
	}
	data := []object{}
	for _, cu := range found[from:to] {
		data = append(data, object{"customer_id": cu.id, "name": cu.name, "phone": cu.phone, "email": cu.email, "billing_address": cu.address})
	}
	return pageAnswer(data, pg, size), nil
}

// match reports whether the filter name, when sent, equals value.
func match(v url.Values, name, value string) bool {
	f := v.Get(name)
	return f == "" || f == value
}

// intervals are the product intervals and the most of each between two
// charges (one year).
var intervals = map[string]int{"monthly": 12, "yearly": 1, "hours": 365 * 24, "minutes": 365 * 24 * 60}

// createProduct serves POST /product/v1/create.
func (s *Server) createProduct(c *call) (object, *apiError) {
	p := params{v: c.params}
	pr := &product{
		name: p.str("name", true, 0), kind: p.str("type", false, 0), description: p.str("description", false, 0),
		amount: p.amount("txamt", true), currency: p.str("txcurrcd", true, 3),
		interval: p.str("interval", false, 0), usage: p.str("usage_type", false, 0),
	}
	pr.count = p.integer("interval_count", 0, 1, 1<<30)
	if p.err != nil {
		return nil, p.err
	}
	if pr.kind == "" {
		pr.kind = "onetime"
	}
	if pr.usage == "" {
		pr.usage = "licensed"
	}
	switch {
	case !qfpay.Currency(pr.currency).Known():
		return nil, refuse("1104", "unknown txcurrcd %q", pr.currency)
	case pr.kind != "onetime" && pr.kind != "recurring":
		return nil, refuse("1104", "type %q: want onetime or recurring", pr.kind)
	case pr.usage != "licensed":
		return nil, refuse("1104", "usage_type %q: want licensed", pr.usage)
	case pr.kind == "recurring" && intervals[pr.interval] == 0:
		return nil, refuse("1104", "interval %q: a recurring product needs monthly, yearly, hours or minutes", pr.interval)
	case pr.kind == "recurring" && (pr.count < 1 || pr.count > intervals[pr.interval]):
		return nil, refuse("1104", "interval_count %d: 1 to %d %s (one year at most)", pr.count, intervals[pr.interval], pr.interval)
	case pr.kind == "onetime" && (pr.interval != "" || pr.count != 0):
		return nil, refuse("1104", "interval and interval_count are for recurring products")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	pr.id = r.newID("prod_", 12)
	r.products = append(r.products, pr)
	return object{"data": object{"product_id": pr.id}}, nil
}

// updateProduct serves POST /product/v1/update: name and description
// only, the documented fields; any other is 1104.
func (s *Server) updateProduct(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("product_id", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	for name := range c.params {
		if name != "product_id" && name != "name" && name != "description" {
			return nil, refuse("1104", "%s cannot be updated: name and description only", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.recurringCall(c).product(id)
	if pr == nil {
		return nil, refuse(codeNotFound, "no product %q", id)
	}
	if v := c.params.Get("name"); v != "" {
		pr.name = v
	}
	if v := c.params.Get("description"); v != "" {
		pr.description = v
	}
	return object{"data": object{"product_id": id, "rowAffected": 1}}, nil
}

// deleteProduct serves POST /product/v1/delete: refused (1136) while any
// subscription holds the product.
func (s *Server) deleteProduct(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("product_id", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	pr := r.product(id)
	if pr == nil {
		return nil, refuse(codeNotFound, "no product %q", id)
	}
	for _, sub := range r.subs {
		for _, it := range sub.items {
			if it.ProductID == id {
				return nil, refuse(codeNotFound, "product %s is held by subscription %s", id, sub.id)
			}
		}
	}
	pr.deleted = true
	return object{"data": object{"product_id": id, "rowDeleted": 1}}, nil
}

// queryProducts serves POST /product/v1/query.
func (s *Server) queryProducts(c *call) (object, *apiError) {
	p := params{v: c.params}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*product
	for _, pr := range s.recurringCall(c).products {
		if !pr.deleted && match(c.params, "product_id", pr.id) && match(c.params, "name", pr.name) &&
			match(c.params, "description", pr.description) && match(c.params, "txcurrcd", pr.currency) &&
			match(c.params, "interval", pr.interval) {
			found = append(found, pr)
		}
	}
	from, to, size, pg := page(&p, len(found))
	if p.err != nil {
		return nil, p.err
	}
	data := []object{}
	for _, pr := range found[from:to] {
		data = append(data, object{"product_id": pr.id, "name": pr.name, "type": pr.kind, "description": pr.description,
			"txamt": itoa(pr.amount), "txcurrcd": pr.currency, "interval": pr.interval, "interval_count": itoa(int64(pr.count)),
			"usage_type": pr.usage})
	}
	return pageAnswer(data, pg, size), nil
}

// items reads products: a JSON array of {product_id, quantity}, each a
// recurring product of the server, listed once, all of one currency and
// billing period. It sets sub's terms from them.
func (r *recurring) items(raw string, sub *subscription) *apiError {
	var list []struct {
		ProductID string          `json:"product_id"`
		Quantity  json.RawMessage `json:"quantity"`
	}
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return refuse("1103", "products: want a JSON array of {product_id, quantity}: %v", err)
	}
	if len(list) == 0 {
		return refuse("1104", "products: at least one product")
	}
	var out []item
	var amount int64
	for i, it := range list {
		q := 1
		if s := strings.Trim(string(it.Quantity), `"`); s != "" && s != "null" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return refuse("1104", "products[%d].quantity %s: want a whole number from 1", i, it.Quantity)
			}
			q = n
		}
		pr := r.product(it.ProductID)
		switch {
		case pr == nil:
			return refuse("1104", "products[%d]: no product %q", i, it.ProductID)
		case pr.kind != "recurring":
			return refuse("1104", "products[%d]: %s is not a recurring product", i, pr.id)
		case slices.ContainsFunc(out, func(o item) bool { return o.ProductID == pr.id }):
			return refuse("1104", "products[%d]: %s is listed twice", i, pr.id)
		case i > 0 && (pr.currency != sub.currency || pr.interval != sub.interval || pr.count != sub.count):
			return refuse("1104", "products[%d]: %s is billed in %s every %d %s, the first product in %s every %d %s",
				i, pr.id, pr.currency, pr.count, pr.interval, sub.currency, sub.count, sub.interval)
		}
		sub.currency, sub.interval, sub.count = pr.currency, pr.interval, pr.count
		amount += pr.amount * int64(q)
		out = append(out, item{ProductID: pr.id, Quantity: q})
	}
	sub.items, sub.amount = out, amount
	return nil
}

// checkToken refuses a token that is not the customer's (TokenDeclined is
// every customer's).
func (r *recurring) checkToken(id, customerID string) *apiError {
	t := r.token(id)
	switch {
	case t == nil:
		return refuse("1104", "no token %q", id)
	case !t.declines && t.customerID != customerID:
		return refuse("1104", "token %s does not belong to customer %s", id, customerID)
	}
	return nil
}

// createSubscription serves POST /subscription/v1/create: the
// subscription starts INCOMPLETE (notified) and its first cycle is
// charged at start_time, at once when that is not later than now; the
// answer gives the state after that charge.
func (s *Server) createSubscription(c *call) (object, *apiError) {
	p := params{v: c.params}
	customerID := p.str("customer_id", true, 0)
	tokenID := p.str("token_id", true, 0)
	raw := p.str("products", true, 0)
	total := p.integer("total_billing_cycles", 0, 1, 1<<30)
	start := p.time("start_time", false, beijing)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	if r.customer(customerID) == nil {
		return nil, refuse("1104", "no customer %q", customerID)
	}
	if aerr := r.checkToken(tokenID, customerID); aerr != nil {
		return nil, aerr
	}
	sub := &subscription{customerID: customerID, tokenID: tokenID, total: total, state: qfpay.StateIncomplete}
	if aerr := r.items(raw, sub); aerr != nil {
		return nil, aerr
	}
	sub.id = r.newID("sub_", 16)
	sub.hex = strings.TrimPrefix(sub.id, "sub_")
	// The gateway's times are whole seconds.
	sub.anchor = start
	if start.Before(c.now) {
		sub.anchor = c.now.Truncate(time.Second)
	}
	sub.next = sub.anchor
	r.subs = append(r.subs, sub)
	s.setStateLocked(sub, qfpay.StateIncomplete, c.now)
	s.billDueLocked(c.now)
	return object{"data": object{"subscription_id": sub.id, "state": string(sub.state)}}, nil
}

// updateSubscription serves POST /subscription/v1/update: token_id (the
// customer's), products (replacing the list), total_billing_cycles (not
// below the cycles charged) and start_time (before the first charge
// only). An ended subscription cannot change (1136).
func (s *Server) updateSubscription(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("subscription_id", true, 0)
	total := p.integer("total_billing_cycles", 0, 1, 1<<30)
	start := p.time("start_time", false, beijing)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.recurringCall(c)
	sub := r.subscription(id)
	switch {
	case sub == nil:
		return nil, refuse(codeNotFound, "no subscription %q", id)
	case sub.state.Ended():
		return nil, refuse(codeNotFound, "subscription %s is %s", id, sub.state)
	case total > 0 && total < sub.completed:
		return nil, refuse("1104", "total_billing_cycles %d: %d cycles are charged already", total, sub.completed)
	case !start.IsZero() && (sub.completed > 0 || sub.failed != nil):
		return nil, refuse("1104", "start_time: subscription %s has started", id)
	}
	if tokenID := c.params.Get("token_id"); tokenID != "" {
		if aerr := r.checkToken(tokenID, sub.customerID); aerr != nil {
			return nil, aerr
		}
	}
	if raw := c.params.Get("products"); raw != "" {
		next := *sub
		if aerr := r.items(raw, &next); aerr != nil {
			return nil, aerr
		}
		sub.items, sub.amount, sub.currency, sub.interval, sub.count = next.items, next.amount, next.currency, next.interval, next.count
	}
	if tokenID := c.params.Get("token_id"); tokenID != "" {
		sub.tokenID = tokenID
	}
	if total > 0 {
		sub.total = total
	}
	if !start.IsZero() {
		sub.anchor = start
		if start.Before(c.now) {
			sub.anchor = c.now.Truncate(time.Second)
		}
		sub.next = sub.anchor
	}
	if sub.total > 0 && sub.completed >= sub.total {
		sub.next = time.Time{}
		s.setStateLocked(sub, qfpay.StateCompleted, c.now)
	}
	return object{"data": object{"subscription_id": id, "rowAffected": 1}}, nil
}

// cancelLocked cancels sub now.
func (s *Server) cancelLocked(sub *subscription, now time.Time) {
	sub.failed, sub.nextRetry, sub.lapse, sub.next = nil, time.Time{}, time.Time{}, time.Time{}
	s.setStateLocked(sub, qfpay.StateCancelled, now)
}

// cancelSubscription serves POST /subscription/v1/cancel: rowDeleted 1,
// or 0 for a subscription ended already.
func (s *Server) cancelSubscription(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("subscription_id", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.recurringCall(c).subscription(id)
	if sub == nil {
		return nil, refuse(codeNotFound, "no subscription %q", id)
	}
	rows := 0
	if !sub.state.Ended() {
		s.cancelLocked(sub, c.now)
		rows = 1
	}
	return object{"data": object{"subscription_id": id, "rowDeleted": rows}}, nil
}

// chargeSubscription serves POST /subscription/v1/charge: the failed
// order (subscription_order_id's, when sent) of a subscription UNPAID,
// INCOMPLETE or PAST_DUE is charged at once (1136 otherwise). Declined,
// the answer is TokenDeclineCode and the state stays; paid before the
// next cycle is due, the subscription goes on ACTIVE; paid after, it is
// cancelled.
func (s *Server) chargeSubscription(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("subscription_id", true, 0)
	orderID := p.str("subscription_order_id", false, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.recurringCall(c).subscription(id)
	switch {
	case sub == nil:
		return nil, refuse(codeNotFound, "no subscription %q", id)
	case !sub.state.Chargeable() || sub.failed == nil:
		return nil, refuse(codeNotFound, "subscription %s is %s with no failed order to charge", id, sub.state)
	case orderID != "" && orderID != sub.failed.id:
		return nil, refuse(codeNotFound, "billing order %q is not the failed order of %s (%s)", orderID, id, sub.failed.id)
	}
	o := sub.failed
	t := s.chargeLocked(sub, o, c.now)
	if t.respcd != codeOK {
		return nil, refuse(TokenDeclineCode, "card declined")
	}
	o.trigger = string(qfpay.TriggerManual)
	last := sub.total > 0 && sub.completed+1 >= sub.total
	if last || c.now.Before(sub.next) {
		s.paidLocked(sub, c.now)
	} else {
		// Paid after the next cycle was due: the plan ends, and the
		// customer must subscribe again.
		sub.completed++
		sub.retries = 0
		s.cancelLocked(sub, c.now)
	}
	return object{"data": object{
		"subscription_id": id, "subscription_order_id": o.id, "state": string(sub.state),
		"syssn": t.syssn, "txamt": itoa(t.amount), "txcurrcd": t.currency,
	}}, nil
}

// querySubscriptions serves POST /subscription/v1/query: by
// subscription_id or the documentation's subscritpion_id (both: the same
// id), customer_id, token_id and state (either letter case), in the
// shape of the documentation's sample (completed_iteration, ISO 8601 UTC
// times, numbers).
func (s *Server) querySubscriptions(c *call) (object, *apiError) {
	p := params{v: c.params}
	id, typo := c.params.Get("subscription_id"), c.params.Get("subscritpion_id")
	if id != "" && typo != "" && id != typo {
		return nil, refuse("1104", "subscription_id %q and subscritpion_id %q differ", id, typo)
	}
	if id == "" {
		id = typo
	}
	state := strings.ToUpper(c.params.Get("state"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*subscription
	for _, sub := range s.recurringCall(c).subs {
		if (id == "" || sub.id == id) && match(c.params, "customer_id", sub.customerID) &&
			match(c.params, "token_id", sub.tokenID) && (state == "" || string(sub.state) == state) {
			found = append(found, sub)
		}
	}
	from, to, size, pg := page(&p, len(found))
	if p.err != nil {
		return nil, p.err
	}
	iso := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	data := []object{}
	for _, sub := range found[from:to] {
		products := make([]object, len(sub.items))
		for i, it := range sub.items {
			products[i] = object{"product_id": it.ProductID, "quantity": it.Quantity}
		}
		var total any = sub.total
		if sub.total == 0 {
			total = nil
		}
		data = append(data, object{
			"subscription_id": sub.id, "customer_id": sub.customerID, "token_id": sub.tokenID, "products": products,
			"state": string(sub.state), "total_billing_cycles": total, "completed_iteration": sub.completed,
			"retry_attempts": sub.retries, "last_billing_status": sub.lastStatus, "last_billing_time": iso(sub.lastBilling),
			"next_billing_time": iso(sub.next), "start_time": iso(sub.anchor), "is_available": 1, "userid": sandboxUserID,
		})
	}
	return pageAnswer(data, pg, size), nil
}

// billingOrders serves POST /subscription/billing_order/v1/list.
func (s *Server) billingOrders(c *call) (object, *apiError) {
	p := params{v: c.params}
	id := p.str("subscription_id", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.recurringCall(c).subscription(id)
	if sub == nil {
		return nil, refuse(codeNotFound, "no subscription %q", id)
	}
	from, to, size, pg := page(&p, len(sub.orders))
	if p.err != nil {
		return nil, p.err
	}
	data := []object{}
	for _, o := range sub.orders[from:to] {
		data = append(data, object{"subscription_order_id": o.id, "subscription_id": sub.id, "trigger_by": o.trigger, "sequence_no": o.seq})
	}
	return pageAnswer(data, pg, size), nil
}

// jsonObject reads an optional parameter holding a JSON object (sent as
// its text in a form, or embedded in a JSON body): 1103 otherwise.
func (p *params) jsonObject(name string) string {
	s := p.str(name, false, 0)
	if s == "" {
		return ""
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		p.fail("1103", "%s: want a JSON object: %v", name, err)
		return ""
	}
	return s
}
