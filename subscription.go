package qfpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// SubscriptionItem is a product of a subscription and its quantity.
type SubscriptionItem struct {
	// ProductID is product_id, a recurring product's (required).
	ProductID string `json:"product_id"`
	// Quantity is quantity, the units charged each cycle; 0 is not sent,
	// which the gateway reads as 1.
	Quantity int `json:"quantity,omitempty"`
}

// SubscriptionRequest is a subscription to create (current documentation,
// "Recurring payments", "Subscription"): the customer, the card token to
// charge and the products, charged each cycle from StartTime.
type SubscriptionRequest struct {
	// CustomerID is customer_id (required).
	CustomerID string `url:"customer_id"`
	// TokenID is token_id, the customer's card token (required): the
	// TokenID of the NotifyPaymentToken notification of the card's
	// tokenisation.
	TokenID string `url:"token_id"`
	// Products is products, sent as JSON (see WithRecurringBody): one
	// item per product, at least one (required).
	Products []SubscriptionItem `url:"-"`
	// TotalBillingCycles is total_billing_cycles, the cycles to charge;
	// 0 is not sent: unlimited.
	TotalBillingCycles int `url:"total_billing_cycles,omitempty"`
	// StartTime is start_time, when the subscription starts and the
	// first cycle is charged; zero is not sent (at once). Written in
	// UTC+8.
	StartTime time.Time `url:"start_time,omitempty"`
}

// SubscriptionUpdate is what UpdateSubscription changes; fields left zero
// keep their values (current documentation, "Subscription", "Update").
type SubscriptionUpdate struct {
	// TokenID is token_id: another card token of the customer, such as
	// after a card expired.
	TokenID string `url:"token_id,omitempty"`
	// Products is products: the new list, replacing the old one, sent as
	// JSON; nil keeps the list.
	Products []SubscriptionItem `url:"-"`
	// TotalBillingCycles is total_billing_cycles.
	TotalBillingCycles int `url:"total_billing_cycles,omitempty"`
	// StartTime is start_time, written in UTC+8.
	StartTime time.Time `url:"start_time,omitempty"`
}

// Subscription is a subscription as the gateway answered: the whole record
// in QuerySubscription, ID and Status after CreateSubscription, ID and
// Rows after UpdateSubscription and CancelSubscription.
type Subscription struct {
	// ID is subscription_id ("sub_…").
	ID string
	// Status is state, upper-cased (see State).
	Status State
	// CustomerID is customer_id.
	CustomerID string
	// TokenID is token_id, the card token charged.
	TokenID string
	// Products is products.
	Products []SubscriptionItem
	// TotalBillingCycles is total_billing_cycles (0: unlimited).
	TotalBillingCycles int
	// CompletedIterations is the cycles charged so far: the field the
	// documentation's table calls completed_billing_iteration and its
	// sample completed_iteration (either is read).
	CompletedIterations int
	// RetryAttempts is retry_attempts, the gateway's retries of a failed
	// cycle so far.
	RetryAttempts int
	// LastBillingStatus is last_billing_status ("SUCCESS" in the
	// documentation's sample).
	LastBillingStatus string
	// LastBillingTime is last_billing_time, read whether the gateway
	// writes it YYYY-MM-DD hh:mm:ss (UTC+8) or ISO 8601
	// ("2024-11-21T11:12:06Z", as the documentation's sample does), and
	// shown in UTC+8; so are the two times below.
	LastBillingTime time.Time
	// NextBillingTime is next_billing_time, when the next cycle is
	// charged.
	NextBillingTime time.Time
	// StartTime is start_time.
	StartTime time.Time
	// Available is is_available (1 in the sample; not described).
	Available bool
	// UserID is userid, QF Pay's store.
	UserID string
	// Rows is rowAffected of an update or rowDeleted of a cancellation:
	// how many subscriptions the call changed (0: none, such as a
	// subscription cancelled before). Zero in other answers.
	Rows int
}

// SubscriptionQuery selects subscriptions for QuerySubscription (current
// documentation, "Subscription", "Query"): every field set must match; the
// zero query lists every subscription.
type SubscriptionQuery struct {
	// ID is the subscription's id, sent under both of its names (see
	// QuerySubscription).
	ID string `url:"-"`
	// CustomerID is customer_id.
	CustomerID string `url:"customer_id,omitempty"`
	// TokenID is token_id (in the Chinese page only).
	TokenID string `url:"token_id,omitempty"`
	// State is state, sent in lower case as the documentation writes it
	// ("active").
	State State `url:"-"`
	// PageSize is page_size, the subscriptions asked for per call: 1 to
	// 100 (0: 100, the fewest calls).
	PageSize int `url:"page_size,omitempty"`
}

// SubscriptionChargeRequest asks ChargeSubscription to charge a failed
// billing order again (current documentation, "Subscription", "Charge").
type SubscriptionChargeRequest struct {
	// SubscriptionID is subscription_id (required): a subscription in
	// state UNPAID, INCOMPLETE or PAST_DUE with a failed order.
	SubscriptionID string `url:"subscription_id"`
	// OrderID is subscription_order_id, the failed order to charge;
	// empty lets the gateway pick it.
	OrderID string `url:"subscription_order_id,omitempty"`
}

// SubscriptionCharge is the answer to ChargeSubscription. The
// documentation gives no answer shape: the fields are read from data when
// the gateway sends them (they are the subscription_payment
// notification's), and the outcome is also notified as
// NotifySubscriptionPayment.
type SubscriptionCharge struct {
	// SubscriptionID is subscription_id.
	SubscriptionID string `json:"subscription_id"`
	// OrderID is subscription_order_id, the billing order charged.
	OrderID string `json:"subscription_order_id"`
	// Status is state, upper-cased, when the answer carries it.
	Status State `json:"state"`
	// SysSN is the charge's syssn, when the answer carries it.
	SysSN string `json:"syssn"`
	// Amount is the charge's txamt in minor units, when the answer
	// carries it.
	Amount int64 `json:"txamt"`
	// Currency is the charge's txcurrcd, when the answer carries it.
	Currency Currency `json:"txcurrcd"`
	// RespCode is the answer's respcd.
	RespCode string `json:"-"`
	// Message is the answer's resperr.
	Message string `json:"-"`
	// Detail is the answer's respmsg.
	Detail string `json:"-"`
}

// BillingTrigger says who triggered a billing order.
type BillingTrigger string

// The triggers of a billing order (current documentation,
// "Subscription", "Billing orders").
const (
	TriggerAuto   BillingTrigger = "auto"   // QF Pay's scheduler, each cycle
	TriggerManual BillingTrigger = "manual" // the merchant (ChargeSubscription)
)

// SubscriptionOrder is a billing order of a subscription: one cycle's
// charge (current documentation, "Subscription", "Billing orders"). The
// documentation gives it no amount, status or syssn: those arrive in its
// NotifySubscriptionPayment notification.
type SubscriptionOrder struct {
	// ID is subscription_order_id, "sub_ord_" + the subscription's hex +
	// "_" + the 4-digit cycle ("…_0001": the first charge).
	ID string `json:"subscription_order_id"`
	// SubscriptionID is subscription_id.
	SubscriptionID string `json:"subscription_id"`
	// TriggeredBy is trigger_by: TriggerAuto or TriggerManual.
	TriggeredBy BillingTrigger `json:"trigger_by"`
	// Sequence is sequence_no, the cycle charged (from 1).
	Sequence int `json:"sequence_no"`
}

func (o SubscriptionOrder) public() (SubscriptionOrder, error) {
	if o.ID == "" {
		return SubscriptionOrder{}, errors.New("billing order without subscription_order_id")
	}
	return o, nil
}

// subscriptionCreateForm is what a subscription creation sends.
type subscriptionCreateForm struct {
	SubscriptionRequest
	Items nested `url:"products,omitempty"`
}

// subscriptionUpdateForm is what a subscription update sends.
type subscriptionUpdateForm struct {
	ID string `url:"subscription_id"`
	SubscriptionUpdate
	Items nested `url:"products,omitempty"`
}

// subscriptionQueryForm is one page of a subscription query.
type subscriptionQueryForm struct {
	SubscriptionQuery
	ID     string `url:"subscription_id,omitempty"`
	IDTypo string `url:"subscritpion_id,omitempty"`
	State  string `url:"state,omitempty"`
	Page   int    `url:"page"`
}

// subscriptionIDForm is what a cancellation sends.
type subscriptionIDForm struct {
	ID string `url:"subscription_id"`
}

// ordersForm is one page of a subscription's billing orders.
type ordersForm struct {
	SubscriptionID string `url:"subscription_id"`
	Page           int    `url:"page"`
	PageSize       int    `url:"page_size"`
}

// subscriptionRecord is a subscription as an answer's data carries it.
type subscriptionRecord struct {
	ID                  string          `json:"subscription_id"`
	State               string          `json:"state"`
	CustomerID          string          `json:"customer_id"`
	TokenID             string          `json:"token_id"`
	Products            json.RawMessage `json:"products"`
	TotalBillingCycles  int             `json:"total_billing_cycles"`
	CompletedIterations int             `json:"completed_billing_iteration" wire:"completed_iteration"`
	RetryAttempts       int             `json:"retry_attempts"`
	LastBillingStatus   string          `json:"last_billing_status"`
	LastBillingTime     string          `json:"last_billing_time"`
	NextBillingTime     string          `json:"next_billing_time"`
	StartTime           string          `json:"start_time"`
	Available           bool            `json:"is_available"`
	UserID              string          `json:"userid"`
	Rows                int             `json:"rowAffected" wire:"rowDeleted"`
}

func (r subscriptionRecord) public() (Subscription, error) {
	if r.ID == "" {
		return Subscription{}, errors.New("subscription without subscription_id")
	}
	s := Subscription{
		ID: r.ID, Status: normalState(r.State), CustomerID: r.CustomerID, TokenID: r.TokenID,
		TotalBillingCycles: r.TotalBillingCycles, CompletedIterations: r.CompletedIterations,
		RetryAttempts: r.RetryAttempts, LastBillingStatus: r.LastBillingStatus, Available: r.Available,
		UserID: r.UserID, Rows: r.Rows,
	}
	var items struct {
		V []SubscriptionItem `json:"products"`
	}
	if err := decodeNested("products", r.Products, &items); err != nil {
		return Subscription{}, err
	}
	s.Products = items.V
	var err error
	for _, t := range []struct {
		field string
		raw   string
		dst   *time.Time
	}{
		{"last_billing_time", r.LastBillingTime, &s.LastBillingTime},
		{"next_billing_time", r.NextBillingTime, &s.NextBillingTime},
		{"start_time", r.StartTime, &s.StartTime},
	} {
		if *t.dst, err = apiTime(t.field, t.raw, beijing); err != nil {
			return Subscription{}, err
		}
	}
	return s, nil
}

// CreateSubscription subscribes a customer to products, charged on the
// card token each cycle (POST /subscription/v1/create, current
// documentation, "Recurring payments", "Subscription"). The answer holds
// ID and Status (ACTIVE, INCOMPLETE or COMPLETED); the state's changes
// are notified as NotifySubscription, each cycle's charge as
// NotifySubscriptionPayment. The call is not repeated on a failure: a lost
// answer may have created the subscription, which QuerySubscription by
// CustomerID finds, and which may charge the customer; never create a
// second one before looking.
func (c *Client) CreateSubscription(ctx context.Context, req *SubscriptionRequest) (*Subscription, error) {
	if req == nil {
		return nil, invalid("nil *SubscriptionRequest")
	}
	return one[subscriptionRecord](ctx, c, &epSubscriptionCreate, &subscriptionCreateForm{SubscriptionRequest: *req, Items: items(req.Products)})
}

// UpdateSubscription changes the fields req sets of the subscription id
// (POST /subscription/v1/update, current documentation, "Subscription"):
// its card token, products, billing cycles or start. The answer holds ID
// and Rows.
func (c *Client) UpdateSubscription(ctx context.Context, id string, req *SubscriptionUpdate) (*Subscription, error) {
	if err := requireID("subscription_id", "subscription id", id); err != nil {
		return nil, err
	}
	if req == nil || (req.TokenID == "" && req.Products == nil && req.TotalBillingCycles == 0 && req.StartTime.IsZero()) {
		return nil, invalid("UpdateSubscription needs a field to change: TokenID, Products, TotalBillingCycles or StartTime")
	}
	return one[subscriptionRecord](ctx, c, &epSubscriptionUpdate, &subscriptionUpdateForm{ID: id, SubscriptionUpdate: *req, Items: items(req.Products)})
}

// CancelSubscription cancels the subscription id at once (POST
// /subscription/v1/cancel, current documentation, "Subscription"): it is
// charged no more. The answer holds ID and Rows (0: nothing was
// cancelled, such as a subscription cancelled before); the new state is
// notified as NotifySubscription. Its spelling is not documented
// (StateCancelled is the SDK's assumption): query the subscription for
// what the gateway calls it.
func (c *Client) CancelSubscription(ctx context.Context, subscriptionID string) (*Subscription, error) {
	if err := requireID("subscription_id", "subscription id", subscriptionID); err != nil {
		return nil, err
	}
	return one[subscriptionRecord](ctx, c, &epSubscriptionCancel, &subscriptionIDForm{ID: subscriptionID})
}

// QuerySubscription lists the subscriptions q selects, page after page
// (POST /subscription/v1/query, current documentation, "Subscription"),
// for a range loop; a nil q lists every subscription. An error (a
// *ValidationError before anything is sent) is yielded once, with a nil
// subscription, and ends the sequence. q is not modified.
//
// The subscription's id is sent twice, as subscription_id and as
// subscritpion_id: the documentation spells the query's parameter
// subscritpion_id, in its English and Chinese pages alike, and
// subscription_id everywhere else (open question 3 of its digest). The
// spelling both pages share is likely copied from the gateway's code, yet
// a typo may be fixed any day; a gateway ignores a parameter it does not
// read, and the signature covers both. The SDK then keeps only the
// records with that id, so that a gateway that read neither, and listed
// every subscription, never hands the caller another subscription (the
// list then takes as many calls as all the subscriptions). State is sent
// in lower case, as the documentation writes it ("active"), and answered
// upper-cased.
func (c *Client) QuerySubscription(ctx context.Context, q *SubscriptionQuery) iter.Seq2[*Subscription, error] {
	var base SubscriptionQuery
	if q != nil {
		base = *q
	}
	if err := validatePageSize(base.PageSize); err != nil {
		return failed[Subscription](err)
	}
	base.PageSize = listPageSize(base.PageSize)
	all := list[subscriptionRecord](ctx, c, &epSubscriptionQuery, base.PageSize, func(page int) any {
		return &subscriptionQueryForm{SubscriptionQuery: base, ID: base.ID, IDTypo: base.ID,
			State: strings.ToLower(string(base.State)), Page: page}
	}, func(s *Subscription) string { return s.ID })
	if base.ID == "" {
		return all
	}
	return func(yield func(*Subscription, error) bool) {
		for s, err := range all {
			if err == nil && s.ID != base.ID {
				continue
			}
			if !yield(s, err) {
				return
			}
		}
	}
}

// ChargeSubscription charges a failed billing order again, at once (POST
// /subscription/v1/charge, current documentation, "Subscription"): for a
// subscription in state UNPAID, INCOMPLETE or PAST_DUE whose card can now
// pay (after UpdateSubscription gave it another token, say). Charged
// before the next billing time, the subscription goes on ACTIVE; charged
// after it, the gateway cancels the subscription (the customer must
// subscribe again). A refused charge (an *APIError) leaves the state as
// it was. The outcome is notified as NotifySubscriptionPayment too.
//
// The call moves money: it is never re-sent. A pending answer (ErrPending)
// returns the answer too; a failure after the request may have reached
// the gateway matches ErrOutcomeUnknown: the order may be charged. Settle
// it by its notification, or by QuerySubscription (the state, the
// completed cycles) and SubscriptionOrders (the order's TriggeredBy turns
// manual), never by charging again before knowing.
func (c *Client) ChargeSubscription(ctx context.Context, req *SubscriptionChargeRequest) (*SubscriptionCharge, error) {
	ans, err := do[chargeAnswer](ctx, c, &epSubscriptionCharge, req)
	if ans == nil {
		return nil, err
	}
	ch := ans.Data
	ch.Status = normalState(string(ch.Status))
	ch.RespCode, ch.Message, ch.Detail = ans.RespCode, ans.Message, ans.Detail
	return &ch, err
}

// chargeAnswer is the answer of a charge: data and the envelope.
type chargeAnswer struct {
	Data     SubscriptionCharge `json:"data"`
	RespCode string             `json:"respcd"`
	Message  string             `json:"resperr"`
	Detail   string             `json:"respmsg"`
}

// SubscriptionOrders lists the billing orders of the subscription
// subscriptionID, page after page (POST
// /subscription/billing_order/v1/list, current documentation,
// "Subscription"), for a range loop. An error (a *ValidationError before
// anything is sent) is yielded once, with a nil order, and ends the
// sequence.
func (c *Client) SubscriptionOrders(ctx context.Context, subscriptionID string) iter.Seq2[*SubscriptionOrder, error] {
	if err := requireID("subscription_id", "subscription id", subscriptionID); err != nil {
		return failed[SubscriptionOrder](err)
	}
	return list[SubscriptionOrder](ctx, c, &epSubscriptionOrders, maxRecurringPageSize, func(page int) any {
		return &ordersForm{SubscriptionID: subscriptionID, Page: page, PageSize: maxRecurringPageSize}
	}, func(o *SubscriptionOrder) string { return o.ID })
}

// items is what a products field sends: nil sends nothing.
func items(list []SubscriptionItem) nested {
	if list == nil {
		return nested{}
	}
	return nested{list}
}

// decodeNested reads a nested value of an answer, sent as JSON or as a
// string holding JSON, into the field of dst tagged with field, with the
// tolerance of every answer (numbers as strings, one object for a list).
func decodeNested(field string, raw json.RawMessage, dst any) error {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("field %s: %w", field, err)
		}
		if strings.TrimSpace(s) == "" {
			return nil
		}
		if !json.Valid([]byte(s)) {
			return fmt.Errorf("field %s: a string that is not JSON: %.40q", field, s)
		}
		raw = json.RawMessage(s)
	}
	obj, err := wire.NewObject(wire.Member{Name: field, Value: string(raw)})
	if err != nil {
		return fmt.Errorf("field %s: %w", field, err)
	}
	return wire.Decode(obj, dst, beijing)
}

func (r *SubscriptionRequest) validate() error {
	if r == nil {
		return invalid("nil *SubscriptionRequest")
	}
	if err := requireID("customer_id", "CustomerID", r.CustomerID); err != nil {
		return err
	}
	if err := requireID("token_id", "TokenID", r.TokenID); err != nil {
		return err
	}
	if len(r.Products) == 0 {
		return invalidField("products", "Products needs at least one product")
	}
	if r.TotalBillingCycles < 0 {
		return invalidField("total_billing_cycles", "TotalBillingCycles must be 0 (unlimited) or more, got %d", r.TotalBillingCycles)
	}
	return validateItems(r.Products)
}

func (u *SubscriptionUpdate) validate() error {
	if u.TokenID != "" {
		if err := requireID("token_id", "TokenID", u.TokenID); err != nil {
			return err
		}
	}
	if u.Products != nil && len(u.Products) == 0 {
		return invalidField("products", "Products needs at least one product (nil keeps the list)")
	}
	if u.TotalBillingCycles < 0 {
		return invalidField("total_billing_cycles", "TotalBillingCycles must be 0 (unchanged) or more, got %d", u.TotalBillingCycles)
	}
	return validateItems(u.Products)
}

// validateItems checks a subscription's products: each with a product id,
// a quantity of 0 (one) or more, listed once.
func validateItems(list []SubscriptionItem) error {
	seen := map[string]bool{}
	for i, it := range list {
		if err := requireID("products", fmt.Sprintf("Products[%d].ProductID", i), it.ProductID); err != nil {
			return err
		}
		if it.Quantity < 0 {
			return invalidField("products", "Products[%d].Quantity must be 0 (one) or more, got %d", i, it.Quantity)
		}
		if seen[it.ProductID] {
			return invalidField("products", "product %s is listed twice: list it once with its Quantity", it.ProductID)
		}
		seen[it.ProductID] = true
	}
	return nil
}

func (r *SubscriptionChargeRequest) validate() error {
	if r == nil {
		return invalid("nil *SubscriptionChargeRequest")
	}
	if err := requireID("subscription_id", "SubscriptionID", r.SubscriptionID); err != nil {
		return err
	}
	if r.OrderID != "" {
		return requireID("subscription_order_id", "OrderID", r.OrderID)
	}
	return nil
}
