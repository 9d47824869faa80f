package qfpay

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// Recurring payments (current documentation, section "Recurring payments";
// not in the API documentation). QF Pay runs subscriptions for the
// merchant: a Customer, a card token for the customer, Products with a
// price and a billing interval, and a Subscription of the customer to
// products, which QF Pay charges on the token each cycle. The setup:
//
//  1. register the notification URL with QF Pay (token ids arrive only by
//     notification);
//  2. CreateCustomer;
//  3. tokenise the customer's card through the Payment Element (its
//     customer_id set): the token id arrives as a NotifyPaymentToken
//     notification (Notification.PaymentToken);
//  4. CreateProduct (Type ProductRecurring, an Interval);
//  5. CreateSubscription of the customer, with the token and products.
//
// Then each cycle's charge is notified as NotifySubscriptionPayment and
// each change of state as NotifySubscription; SubscriptionOrders lists the
// billing orders and ChargeSubscription charges a failed one again.
//
// The documentation gives only the sandbox host (HongKongSandbox) for
// these calls; the SDK sends them to the client's environment (open
// question 1 of its digest). They take no mchid, txdtm or txzone, so their
// times are written and read in UTC+8; their body is a form or JSON as
// WithRecurringBody says.

// The recurring endpoints. Lists are safe to repeat; creations are not
// (a repeated create makes a second customer, product or subscription),
// and neither are updates, deletions and cancellations (a repeat that
// finds its work done answers differently); a charge moves money.
var (
	epCustomerCreate = endpoint{method: "POST", path: "/customer/v1/create", nested: true}
	epCustomerUpdate = endpoint{method: "POST", path: "/customer/v1/update", nested: true}
	epCustomerQuery  = endpoint{method: "POST", path: "/customer/v1/query", nested: true, retry: true}
	epCustomerDelete = endpoint{method: "POST", path: "/customer/v1/delete", nested: true}

	epProductCreate = endpoint{method: "POST", path: "/product/v1/create", nested: true}
	epProductUpdate = endpoint{method: "POST", path: "/product/v1/update", nested: true}
	epProductQuery  = endpoint{method: "POST", path: "/product/v1/query", nested: true, retry: true}
	epProductDelete = endpoint{method: "POST", path: "/product/v1/delete", nested: true}

	epSubscriptionCreate = endpoint{method: "POST", path: "/subscription/v1/create", nested: true}
	epSubscriptionUpdate = endpoint{method: "POST", path: "/subscription/v1/update", nested: true}
	epSubscriptionQuery  = endpoint{method: "POST", path: "/subscription/v1/query", nested: true, retry: true}
	epSubscriptionCancel = endpoint{method: "POST", path: "/subscription/v1/cancel", nested: true}
	epSubscriptionCharge = endpoint{method: "POST", path: "/subscription/v1/charge", nested: true, movesMoney: true}
	epSubscriptionOrders = endpoint{method: "POST", path: "/subscription/billing_order/v1/list", nested: true, retry: true}
)

// State is the state of a subscription (current documentation,
// "Recurring payments", "Subscription states"): one of the constants below
// or a state QF Pay adds, upper-cased. The documentation names ACTIVE,
// INCOMPLETE, COMPLETED, UNPAID and PAST_DUE; its state diagram adds
// Incomplete_expired, Cancelled, Pause and Trial, whose spelling in the
// API is not documented (open question 5 of its digest): the SDK writes
// them as the others are written, upper case with underscores, and reads
// every state upper-cased so that "Cancelled" and "CANCELLED" compare
// equal.
//
// The transitions of the diagram:
//
//	create             -> INCOMPLETE (TRIAL when a trial applies)
//	INCOMPLETE         -> ACTIVE              the first payment succeeded
//	INCOMPLETE         -> INCOMPLETE          the first payment failed
//	INCOMPLETE         -> INCOMPLETE_EXPIRED  no payment before it lapsed
//	ACTIVE             -> ACTIVE              a cycle was charged
//	ACTIVE             -> PAST_DUE            a cycle's charge and its retries failed so far
//	PAST_DUE           -> UNPAID              the retries are exhausted
//	PAST_DUE, UNPAID   -> ACTIVE              ChargeSubscription succeeded before the next
//	                                          billing time (after it: CANCELLED)
//	ACTIVE             -> COMPLETED           the last of TotalBillingCycles was charged
//	ACTIVE, PAST_DUE,
//	UNPAID, TRIAL      -> CANCELLED           CancelSubscription (or DeleteCustomer)
//	ACTIVE            <-> PAUSE               pause and resume (no documented call)
//
// CreateSubscription answers ACTIVE, INCOMPLETE or COMPLETED. COMPLETED,
// CANCELLED and INCOMPLETE_EXPIRED are final (Ended).
type State string

// The subscription states. The first five are spelt as the documentation
// writes them; the others are its state diagram's, spelt as the SDK
// assumes (see State).
const (
	StateIncomplete State = "INCOMPLETE" // created; the first payment is still to succeed
	StateActive     State = "ACTIVE"     // paid up; charged each cycle
	StatePastDue    State = "PAST_DUE"   // a cycle's charge failed; QF Pay retries it
	StateUnpaid     State = "UNPAID"     // the retries failed; ChargeSubscription may recover it
	StateCompleted  State = "COMPLETED"  // every billing cycle was charged

	StateIncompleteExpired State = "INCOMPLETE_EXPIRED" // never paid before it lapsed (spelling assumed)
	StateCancelled         State = "CANCELLED"          // cancelled (spelling assumed)
	StatePaused            State = "PAUSE"              // paused; no documented call pauses (spelling assumed)
	StateTrial             State = "TRIAL"              // in a trial; no documented call sets one (spelling assumed)
)

// Known reports whether s is one of the State constants.
func (s State) Known() bool {
	switch s {
	case StateIncomplete, StateActive, StatePastDue, StateUnpaid, StateCompleted,
		StateIncompleteExpired, StateCancelled, StatePaused, StateTrial:
		return true
	}
	return false
}

// Ended reports whether s is final: COMPLETED, CANCELLED or
// INCOMPLETE_EXPIRED. An ended subscription is charged no more.
func (s State) Ended() bool {
	return s == StateCompleted || s == StateCancelled || s == StateIncompleteExpired
}

// Chargeable reports whether ChargeSubscription applies to a subscription
// in state s (with a failed billing order): UNPAID, INCOMPLETE or PAST_DUE.
func (s State) Chargeable() bool {
	return s == StateUnpaid || s == StateIncomplete || s == StatePastDue
}

// String returns the state as sent.
func (s State) String() string { return string(s) }

// normalState reads a state as the SDK keeps it: trimmed, upper case.
func normalState(s string) State { return State(strings.ToUpper(strings.TrimSpace(s))) }

// maxRecurringPageSize is the largest page_size of the recurring lists.
const maxRecurringPageSize = MaxPageSize

// validatePageSize checks a list's optional page_size: 0 (the list's
// default) or 1 to 100.
func validatePageSize(size int) error {
	if size < 0 || size > maxRecurringPageSize {
		return invalidField("page_size", "PageSize must be within 1 to %d (0: %d), got %d", maxRecurringPageSize, maxRecurringPageSize, size)
	}
	return nil
}

// requireID checks the id of the customer, product, token or subscription
// a call acts on: present, without blanks or control characters, which no
// id of the documentation ("cust_…", "sub_…") holds.
func requireID(field, name, id string) error {
	if id == "" {
		return invalidField(field, "%s is required", name)
	}
	if strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return invalidField(field, "%s %q holds blanks or control characters", name, id)
	}
	return nil
}

// paginate yields the items of pages 1, 2, ... that fetch returns, until a
// short or empty page or the end of the loop. fetch returns a page's
// items and the page_size the gateway served (0 when it did not say). A
// page whose first item repeats the previous page's (by id) means the
// gateway ignored page: that is an error, not an endless loop. An error is
// yielded once, with a nil item, and ends the sequence.
func paginate[T any](path string, pageSize int, fetch func(page int) ([]T, int, error), id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		firstOfLast := ""
		for page := 1; ; page++ {
			items, served, err := fetch(page)
			if err != nil {
				yield(nil, err)
				return
			}
			if len(items) > 0 && page > 1 && id(&items[0]) != "" && id(&items[0]) == firstOfLast {
				yield(nil, fmt.Errorf("%w: %s: page %d repeats page %d (%s): the gateway ignored page", ErrMalformedResponse, path, page, page-1, firstOfLast))
				return
			}
			for i := range items {
				if !yield(&items[i], nil) {
					return
				}
			}
			size := pageSize
			if served > 0 && served < size {
				size = served
			}
			if len(items) < size || len(items) == 0 {
				return
			}
			firstOfLast = id(&items[0])
		}
	}
}

// listPageSize is the page_size a list asks for: the request's, else the
// largest, so that a list takes as few calls as it can.
func listPageSize(size int) int {
	if size == 0 {
		return maxRecurringPageSize
	}
	return size
}

// apiTime reads a time of a recurring answer: the API's "YYYY-MM-DD
// hh:mm:ss" in loc (UTC+8), or ISO 8601 with a zone ("2024-11-21T11:12:06Z",
// as the subscription query's sample writes it), kept as that instant and
// shown in loc. Empty is the zero time.
func apiTime(field, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc), nil
	}
	layout := wire.TimeLayout
	if len(s) == len(wire.DateLayout) {
		layout = wire.DateLayout
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("field %s: want a time as YYYY-MM-DD hh:mm:ss or ISO 8601, got %.40q", field, s)
	}
	return t, nil
}

// one runs a call whose answer's data is one record R, and returns the
// record as T.
func one[R recordOf[T], T any](ctx context.Context, c *Client, ep *endpoint, req any) (*T, error) {
	ans, err := do[oneAnswer[R, T]](ctx, c, ep, req)
	if err != nil {
		return nil, err
	}
	return &ans.value, nil
}

// list yields the records R of every page of a list call as T (see
// paginate). form makes the request of a page.
func list[R recordOf[T], T any](ctx context.Context, c *Client, ep *endpoint, size int, form func(page int) any, id func(*T) string) iter.Seq2[*T, error] {
	return paginate(ep.path, size, func(page int) ([]T, int, error) {
		ans, err := do[pageAnswer[R, T]](ctx, c, ep, form(page))
		if err != nil {
			return nil, 0, err
		}
		return ans.items, ans.PageSize, nil
	}, id)
}

// failed is a sequence yielding err alone.
func failed[T any](err error) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) { yield(nil, err) }
}

// recordOf is a record of an answer's data that reads as a T, or fails
// (an id missing, a time unreadable): the answer is then malformed.
type recordOf[T any] interface{ public() (T, error) }

// oneAnswer is an answer whose data is one record.
type oneAnswer[R recordOf[T], T any] struct {
	Data  R `json:"data"`
	value T
}

func (a *oneAnswer[R, T]) check() error {
	v, err := a.Data.public()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	a.value = v
	return nil
}

// pageAnswer is one page of a list: data an array of records.
type pageAnswer[R recordOf[T], T any] struct {
	// PageSize is page_size when the gateway says it (a top-level field in
	// an older copy of the documentation).
	PageSize int `json:"page_size"`
	Data     []R `json:"data"`
	items    []T
}

func (a *pageAnswer[R, T]) check() error {
	a.items = make([]T, len(a.Data))
	for i, r := range a.Data {
		v, err := r.public()
		if err != nil {
			return fmt.Errorf("data item %d: %w", i+1, err)
		}
		a.items[i] = v
	}
	return nil
}
