package qfpay

import (
	"context"
	"errors"
	"iter"
)

// ProductType is a product's type.
type ProductType string

// The product types (current documentation, "Product").
const (
	// ProductOneTime is onetime, the gateway's default: a product sold
	// once.
	ProductOneTime ProductType = "onetime"
	// ProductRecurring is recurring: a product billed every Interval, the
	// kind a subscription takes.
	ProductRecurring ProductType = "recurring"
)

// Interval is the period a recurring product is billed by.
type Interval string

// The billing intervals (current documentation, "Product"). A product is
// billed every IntervalCount of them, at most one year apart.
const (
	IntervalMonthly Interval = "monthly" // every IntervalCount months
	IntervalYearly  Interval = "yearly"  // every year (IntervalCount 1)
	// IntervalHours is accepted by QF Pay's sandbox (HongKongSandbox)
	// only, for fast tests; CreateProduct refuses it against a live
	// environment.
	IntervalHours Interval = "hours"
	// IntervalMinutes is accepted by QF Pay's sandbox only, as
	// IntervalHours is.
	IntervalMinutes Interval = "minutes"
)

// SandboxOnly reports whether only QF Pay's sandbox takes the interval
// (hours, minutes).
func (i Interval) SandboxOnly() bool { return i == IntervalHours || i == IntervalMinutes }

// MaxIntervalCount is the largest IntervalCount of an interval: periods
// between two charges, at most one year in total (12 months, 1 year, 8,760
// hours, 525,600 minutes); 0 for an interval the documentation does not
// name.
func (i Interval) MaxIntervalCount() int {
	switch i {
	case IntervalMonthly:
		return 12
	case IntervalYearly:
		return 1
	case IntervalHours:
		return 365 * 24
	case IntervalMinutes:
		return 365 * 24 * 60
	}
	return 0
}

// UsageType is a recurring product's usage_type.
type UsageType string

// UsageLicensed is licensed, the only usage type (a fixed price per
// cycle and quantity), the default.
const UsageLicensed UsageType = "licensed"

// ProductRequest is a product to create (current documentation,
// "Recurring payments", "Product"). Its amount, currency and interval
// cannot be changed afterwards (UpdateProduct takes the name and the
// description only).
type ProductRequest struct {
	// Name is name, shown to the customer (required).
	Name string `url:"name"`
	// Type is type: ProductRecurring for a product of subscriptions;
	// empty sends nothing, which the gateway reads as ProductOneTime.
	Type ProductType `url:"type,omitempty"`
	// Description is description.
	Description string `url:"description,omitempty"`
	// Amount is txamt, the price per cycle and unit in minor units
	// (required, above 0, at most MaxAmount; QF Pay advises more than
	// 200).
	Amount int64 `url:"txamt"`
	// Currency is txcurrcd, three upper-case letters (required).
	Currency Currency `url:"txcurrcd"`
	// Interval is interval: required for a recurring product, not sent
	// for another.
	Interval Interval `url:"interval,omitempty"`
	// IntervalCount is interval_count, the intervals between two charges:
	// required for a recurring product, 1 to Interval.MaxIntervalCount
	// (one year at most).
	IntervalCount int `url:"interval_count,omitempty"`
	// UsageType is usage_type; a recurring product without one sends
	// UsageLicensed, as the current documentation's API reference marks
	// it required.
	UsageType UsageType `url:"usage_type,omitempty"`
}

// ProductUpdate is what UpdateProduct may change: the documentation's
// update takes nothing else.
type ProductUpdate struct {
	// Name is name; empty keeps the current one.
	Name string `url:"name,omitempty"`
	// Description is description; empty keeps the current one.
	Description string `url:"description,omitempty"`
}

// Product is a product as the gateway answered: the whole record in
// QueryProduct, only ID after CreateProduct, ID and Rows after
// UpdateProduct and DeleteProduct.
type Product struct {
	// ID is product_id ("prod_…").
	ID string `json:"product_id"`
	// Name is name, shown to the customer.
	Name string `json:"name"`
	// Description is description.
	Description string `json:"description"`
	// Type is type.
	Type ProductType `json:"type"`
	// Amount is txamt, the price per cycle and unit in minor units.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd.
	Currency Currency `json:"txcurrcd"`
	// Interval is interval (empty for a one-time product).
	Interval Interval `json:"interval"`
	// IntervalCount is interval_count, the intervals between two charges.
	IntervalCount int `json:"interval_count"`
	// UsageType is usage_type.
	UsageType UsageType `json:"usage_type"`
	// Rows is rowAffected of an update or rowDeleted of a deletion: how
	// many products the call changed (0: none). Zero in other answers.
	Rows int `json:"rowAffected" wire:"rowDeleted"`
}

func (p Product) public() (Product, error) {
	if p.ID == "" {
		return Product{}, errors.New("product without product_id")
	}
	return p, nil
}

// ProductQuery selects products for QueryProduct (current documentation,
// "Product", "Query"): every field set must match; the zero query lists
// every product.
type ProductQuery struct {
	// ID is product_id.
	ID string `url:"product_id,omitempty"`
	// Name is name.
	Name string `url:"name,omitempty"`
	// Description is description.
	Description string `url:"description,omitempty"`
	// Currency is txcurrcd.
	Currency Currency `url:"txcurrcd,omitempty"`
	// Interval is interval: the documentation lists monthly and yearly.
	Interval Interval `url:"interval,omitempty"`
	// PageSize is page_size, the products asked for per call: 1 to 100
	// (0: 100, the fewest calls).
	PageSize int `url:"page_size,omitempty"`
}

// productForm is what a product update or deletion sends.
type productForm struct {
	ID string `url:"product_id"`
	ProductUpdate
}

type productQueryForm struct {
	ProductQuery
	Page int `url:"page"`
}

// CreateProduct creates a product (POST /product/v1/create, current
// documentation, "Recurring payments", "Product"): for a subscription, a
// ProductRecurring with an Interval and IntervalCount. The answer holds
// only the new ID. Hours and minutes, which only QF Pay's sandbox takes,
// are refused against a live environment. The call is not repeated on a
// failure: a lost answer may have created the product, which QueryProduct
// finds.
func (c *Client) CreateProduct(ctx context.Context, req *ProductRequest) (*Product, error) {
	if req == nil {
		return nil, invalid("nil *ProductRequest")
	}
	r := *req
	if r.Type == ProductRecurring && r.UsageType == "" {
		r.UsageType = UsageLicensed
	}
	if r.Interval.SandboxOnly() && c.env.IsLive() {
		return nil, invalidField("interval", "Interval %q is for QF Pay's sandbox only, not %s", r.Interval, c.env.Name())
	}
	return one[Product](ctx, c, &epProductCreate, &r)
}

// UpdateProduct changes the name or description of the product id (POST
// /product/v1/update, current documentation, "Product"): its price,
// currency and interval cannot change; make a new product for that. The
// answer holds ID and Rows.
func (c *Client) UpdateProduct(ctx context.Context, id string, req *ProductUpdate) (*Product, error) {
	if err := requireID("product_id", "product id", id); err != nil {
		return nil, err
	}
	if req == nil || *req == (ProductUpdate{}) {
		return nil, invalid("UpdateProduct needs a field to change: Name or Description")
	}
	return one[Product](ctx, c, &epProductUpdate, &productForm{ID: id, ProductUpdate: *req})
}

// DeleteProduct deletes the product id (POST /product/v1/delete, current
// documentation, "Product"). The gateway refuses to delete a product any
// subscription holds. The answer holds ID and Rows.
func (c *Client) DeleteProduct(ctx context.Context, id string) (*Product, error) {
	if err := requireID("product_id", "product id", id); err != nil {
		return nil, err
	}
	return one[Product](ctx, c, &epProductDelete, &productForm{ID: id})
}

// QueryProduct lists the products q selects, page after page (POST
// /product/v1/query, current documentation, "Product"), for a range loop;
// a nil q lists every product. An error (a *ValidationError before
// anything is sent) is yielded once, with a nil product, and ends the
// sequence. q is not modified.
func (c *Client) QueryProduct(ctx context.Context, q *ProductQuery) iter.Seq2[*Product, error] {
	var base ProductQuery
	if q != nil {
		base = *q
	}
	if err := base.validate(); err != nil {
		return failed[Product](err)
	}
	base.PageSize = listPageSize(base.PageSize)
	return list[Product](ctx, c, &epProductQuery, base.PageSize, func(page int) any {
		return &productQueryForm{ProductQuery: base, Page: page}
	}, func(p *Product) string { return p.ID })
}

// validate checks the product's rules (current documentation, "Product"):
// a name, an amount, a currency; a recurring product with an interval the
// documentation names and 1 to Interval.MaxIntervalCount of them (one year
// at most) and the licensed usage type; another product with neither.
func (r *ProductRequest) validate() error {
	if r == nil {
		return invalid("nil *ProductRequest")
	}
	if r.Name == "" {
		return invalidField("name", "Name is required (shown to the customer)")
	}
	if err := validateText("name", "Name", r.Name); err != nil {
		return err
	}
	if err := validateText("description", "Description", r.Description); err != nil {
		return err
	}
	if err := validateAmount(r.Amount); err != nil {
		return err
	}
	if err := validateCurrency("txcurrcd", r.Currency); err != nil {
		return err
	}
	switch r.Type {
	case "", ProductOneTime:
		switch {
		case r.Interval != "":
			return invalidField("interval", "Interval is for a recurring product: set Type to ProductRecurring")
		case r.IntervalCount != 0:
			return invalidField("interval_count", "IntervalCount is for a recurring product: set Type to ProductRecurring")
		case r.UsageType != "":
			return invalidField("usage_type", "UsageType is for a recurring product: set Type to ProductRecurring")
		}
		return nil
	case ProductRecurring:
	default:
		return invalidField("type", "Type %q: want %q or %q", r.Type, ProductOneTime, ProductRecurring)
	}
	limit := r.Interval.MaxIntervalCount()
	switch {
	case r.Interval == "":
		return invalidField("interval", "Interval is required for a recurring product (monthly or yearly)")
	case limit == 0:
		return invalidField("interval", "Interval %q: want monthly or yearly (hours or minutes in the sandbox)", r.Interval)
	case r.IntervalCount < 1 || r.IntervalCount > limit:
		return invalidField("interval_count", "IntervalCount must be within 1 to %d for %s (one year at most between charges), got %d", limit, r.Interval, r.IntervalCount)
	case r.UsageType != "" && r.UsageType != UsageLicensed:
		return invalidField("usage_type", "UsageType %q: the only usage type is %q", r.UsageType, UsageLicensed)
	}
	return nil
}

func (r *ProductUpdate) validate() error {
	if err := validateText("name", "Name", r.Name); err != nil {
		return err
	}
	return validateText("description", "Description", r.Description)
}

func (q *ProductQuery) validate() error {
	if q.Currency != "" {
		if err := validateCurrency("txcurrcd", q.Currency); err != nil {
			return err
		}
	}
	if q.Interval != "" && q.Interval.MaxIntervalCount() == 0 {
		return invalidField("interval", "Interval %q: want monthly or yearly", q.Interval)
	}
	return validatePageSize(q.PageSize)
}
