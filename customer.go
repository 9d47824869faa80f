package qfpay

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"unicode"
)

// BillingAddress is a customer's billing address, sent as billing_address
// (a JSON object). The documentation does not name its keys; these are
// those of the only address in QF Pay's documentation (the removed card
// payment API's), a plausible but unconfirmed shape. Empty fields are
// not sent.
type BillingAddress struct {
	// Address1 is address1, the first address line.
	Address1 string `json:"address1,omitempty"`
	// Address2 is address2, the second address line.
	Address2 string `json:"address2,omitempty"`
	// Address3 is address3, the third address line.
	Address3 string `json:"address3,omitempty"`
	// City is city.
	City string `json:"city,omitempty"`
	// PostalCode is postal_code.
	PostalCode string `json:"postal_code,omitempty"`
	// CountryCode is country_code, such as "HK".
	CountryCode string `json:"country_code,omitempty"`
}

// IsZero reports an address with no field set, which is not sent.
func (a BillingAddress) IsZero() bool { return a == BillingAddress{} }

// CustomerRequest is a customer of recurring payments to create, or the
// fields of one to change (current documentation, "Recurring payments",
// "Customer"). Every field is optional; empty fields are not sent, so an
// update cannot clear a field.
type CustomerRequest struct {
	// Name is name, the customer's name.
	Name string `url:"name,omitempty"`
	// Phone is phone.
	Phone string `url:"phone,omitempty"`
	// Email is email.
	Email string `url:"email,omitempty"`
	// BillingAddress is billing_address, sent as JSON (see
	// WithRecurringBody); nil or empty is not sent.
	BillingAddress *BillingAddress `url:"-"`
}

// Customer is a customer of recurring payments as the gateway answered:
// the whole record in QueryCustomer, only ID after CreateCustomer, ID and
// Rows after UpdateCustomer and DeleteCustomer.
type Customer struct {
	// ID is customer_id ("cust_…"): give it to the Payment Element when
	// tokenising the customer's card, and to CreateSubscription.
	ID string
	// Name is name.
	Name string
	// Phone is phone.
	Phone string
	// Email is email.
	Email string
	// BillingAddress is billing_address (sent as a JSON object or as a
	// string holding one); nil when the gateway sent none, or something
	// that is not a JSON object.
	BillingAddress *BillingAddress
	// Rows is rowAffected of an update or rowDeleted of a deletion: how
	// many customers the call changed (0: none). Zero in other answers.
	Rows int
}

// CustomerQuery selects customers for QueryCustomer (current
// documentation, "Customer", "Query"): every field set must match; the
// zero query lists every customer.
type CustomerQuery struct {
	// ID is customer_id.
	ID string `url:"customer_id,omitempty"`
	// Name is name.
	Name string `url:"name,omitempty"`
	// Phone is phone.
	Phone string `url:"phone,omitempty"`
	// Email is email.
	Email string `url:"email,omitempty"`
	// PageSize is page_size, the customers asked for per call: 1 to 100
	// (0: 100, the fewest calls).
	PageSize int `url:"page_size,omitempty"`
}

// customerForm is what a customer call sends: the request's fields, the
// customer's id for an update or a deletion, the address as JSON.
type customerForm struct {
	ID string `url:"customer_id,omitempty"`
	CustomerRequest
	Address nested `url:"billing_address,omitempty"`
}

// customerQueryForm is one page of a customer query.
type customerQueryForm struct {
	CustomerQuery
	Page int `url:"page"`
}

// customerRecord is a customer as an answer's data carries it.
type customerRecord struct {
	ID             string          `json:"customer_id"`
	Name           string          `json:"name"`
	Phone          string          `json:"phone"`
	Email          string          `json:"email"`
	BillingAddress json.RawMessage `json:"billing_address"`
	Rows           int             `json:"rowAffected" wire:"rowDeleted"`
}

func (r customerRecord) public() (Customer, error) {
	if r.ID == "" {
		return Customer{}, errors.New("customer without customer_id")
	}
	c := Customer{ID: r.ID, Name: r.Name, Phone: r.Phone, Email: r.Email, Rows: r.Rows}
	// Lenient: an address that is no JSON object is left out, never an
	// error, as the SDK relies on none of it.
	var a struct {
		V BillingAddress `json:"billing_address"`
	}
	if decodeNested("billing_address", r.BillingAddress, &a) == nil && !a.V.IsZero() {
		c.BillingAddress = &a.V
	}
	return c, nil
}

// CreateCustomer creates a customer of recurring payments (POST
// /customer/v1/create, current documentation, "Recurring payments",
// "Customer"): the first step of a subscription. The answer holds only
// the new ID. The call is not repeated on a failure: a lost answer may
// have created the customer, which QueryCustomer (by Email, say) finds.
func (c *Client) CreateCustomer(ctx context.Context, req *CustomerRequest) (*Customer, error) {
	if req == nil {
		return nil, invalid("nil *CustomerRequest")
	}
	return one[customerRecord](ctx, c, &epCustomerCreate, req.form(""))
}

// UpdateCustomer changes the fields req sets of the customer id (POST
// /customer/v1/update, current documentation, "Customer"); the others keep
// their values. The answer holds ID and Rows (the customers changed).
func (c *Client) UpdateCustomer(ctx context.Context, id string, req *CustomerRequest) (*Customer, error) {
	if err := requireID("customer_id", "customer id", id); err != nil {
		return nil, err
	}
	if req == nil || (req.Name == "" && req.Phone == "" && req.Email == "" && (req.BillingAddress == nil || req.BillingAddress.IsZero())) {
		return nil, invalid("UpdateCustomer needs a field to change: Name, Phone, Email or BillingAddress")
	}
	return one[customerRecord](ctx, c, &epCustomerUpdate, req.form(id))
}

// DeleteCustomer deletes the customer id for good (POST
// /customer/v1/delete, current documentation, "Customer"), and with it
// cancels every subscription of the customer: nobody is charged for them
// again. The answer holds ID and Rows (the customers deleted).
func (c *Client) DeleteCustomer(ctx context.Context, id string) (*Customer, error) {
	if err := requireID("customer_id", "customer id", id); err != nil {
		return nil, err
	}
	return one[customerRecord](ctx, c, &epCustomerDelete, &customerForm{ID: id})
}

// QueryCustomer lists the customers q selects, page after page (POST
// /customer/v1/query, current documentation, "Customer"), for a range
// loop; a nil q lists every customer. An error (a *ValidationError before
// anything is sent) is yielded once, with a nil customer, and ends the
// sequence. q is not modified.
func (c *Client) QueryCustomer(ctx context.Context, q *CustomerQuery) iter.Seq2[*Customer, error] {
	var base CustomerQuery
	if q != nil {
		base = *q
	}
	if err := validatePageSize(base.PageSize); err != nil {
		return failed[Customer](err)
	}
	base.PageSize = listPageSize(base.PageSize)
	return list[customerRecord](ctx, c, &epCustomerQuery, base.PageSize, func(page int) any {
		return &customerQueryForm{CustomerQuery: base, Page: page}
	}, func(c *Customer) string { return c.ID })
}

// form is what the customer call sends for req, of customer id (empty for
// a creation).
func (r *CustomerRequest) form(id string) *customerForm {
	f := &customerForm{ID: id, CustomerRequest: *r}
	if r.BillingAddress != nil && !r.BillingAddress.IsZero() {
		f.Address = nested{*r.BillingAddress}
	}
	return f
}

// validate checks what the documentation's table allows checking: the
// values are text (valid UTF-8, no control characters), and an email has
// the shape of one (one @ between a local part and a domain, no blanks).
// No length is documented.
func (r *CustomerRequest) validate() error {
	if r == nil {
		return invalid("nil *CustomerRequest")
	}
	fields := []struct{ field, name, value string }{
		{"name", "Name", r.Name}, {"phone", "Phone", r.Phone}, {"email", "Email", r.Email},
	}
	if a := r.BillingAddress; a != nil {
		fields = append(fields, []struct{ field, name, value string }{
			{"billing_address", "BillingAddress.Address1", a.Address1}, {"billing_address", "BillingAddress.Address2", a.Address2},
			{"billing_address", "BillingAddress.Address3", a.Address3}, {"billing_address", "BillingAddress.City", a.City},
			{"billing_address", "BillingAddress.PostalCode", a.PostalCode}, {"billing_address", "BillingAddress.CountryCode", a.CountryCode},
		}...)
	}
	for _, f := range fields {
		if err := validateText(f.field, f.name, f.value); err != nil {
			return err
		}
	}
	if r.Email != "" {
		local, domain, ok := strings.Cut(r.Email, "@")
		if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.ContainsFunc(r.Email, unicode.IsSpace) {
			return invalidField("email", "Email %q is not an email address", r.Email)
		}
	}
	return nil
}
