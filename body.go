package qfpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// How the recurring calls (customers, products, subscriptions) send
// nested values is decided here, and only here. The current
// documentation, section "Recurring payments", gives one full request, a
// JSON object with a nested products array, and calls billing_address a
// "stringified JSON object"; it does not say whether the endpoints take a
// JSON body or form fields that hold JSON (open question 2 of its
// digest). Both are built from the same parameters:
//
//   - BodyForm (the default, which the digest calls safest): the usual
//     application/x-www-form-urlencoded body; a nested value (products,
//     billing_address) is one field holding its compact JSON text,
//     products=[{"product_id":"prod_1","quantity":2}].
//   - BodyJSON: an application/json object of the same names, keys
//     sorted; a nested value is embedded as that same JSON text, whole
//     numbers (txamt, quantity counts, page) are JSON numbers and every
//     other value a JSON string.
//
// Either way the signature is the API's usual one, computed over the same
// name=value pairs: a nested value signs as its compact JSON text, byte for
// byte the text sent, and a number as its decimal digits. What is signed is
// what is sent.

// BodyEncoding is how the recurring calls send their parameters (see
// WithRecurringBody).
type BodyEncoding string

// The body encodings of the recurring calls.
const (
	// BodyForm sends an application/x-www-form-urlencoded body, nested
	// values (products, billing_address) as fields holding compact JSON
	// text: the default.
	BodyForm BodyEncoding = "form"
	// BodyJSON sends an application/json object, nested values embedded
	// as JSON, as the documentation's one full request example does.
	BodyJSON BodyEncoding = "json"
)

// Content types of a request body.
const (
	formContentType = "application/x-www-form-urlencoded; charset=UTF-8"
	jsonContentType = "application/json; charset=UTF-8"
)

// WithRecurringBody picks how the recurring calls (customers, products,
// subscriptions, billing orders; current documentation, section
// "Recurring payments") send their parameters: BodyForm (the default) or
// BodyJSON. The documentation leaves it open (open question 2 of its
// digest); try BodyForm in the sandbox first, BodyJSON if the gateway
// refuses nested values in a form. Every other call always sends a form,
// as the API documentation says. The signature covers the same values
// either way.
func WithRecurringBody(enc BodyEncoding) Option {
	return func(c *Client) error {
		switch enc {
		case BodyForm, BodyJSON:
			c.recurringBody = enc
			return nil
		}
		return fmt.Errorf("%w: recurring body encoding %q: want %q or %q", ErrInvalidRequest, enc, BodyForm, BodyJSON)
	}
}

// body is what the request path sends for form (already signed): the
// encoded form, or for a recurring call under BodyJSON a JSON object, with
// its content type.
func (c *Client) body(ep *endpoint, req any, form wire.Form) (encoded, contentType string, err error) {
	if !ep.nested || c.recurringBody != BodyJSON || ep.method == "GET" {
		return form.Encode(), formContentType, nil
	}
	b, err := jsonBody(req, form.Values())
	if err != nil {
		return "", "", fmt.Errorf("%w: encode %T as JSON: %v", ErrInvalidRequest, req, err)
	}
	return string(b), jsonContentType, nil
}

func init() {
	// Their form values are their own parameter's only, so that the
	// request encoder's plans write them (see wire.RegisterFormEncoder).
	wire.RegisterFormEncoder(reflect.TypeFor[nested](), reflect.TypeFor[WeChatExtendInfo]())
}

// nested is a request field sent as JSON: a form field holding the value's
// compact JSON text, or that JSON embedded in a JSON body. A nil value is
// not sent (with the field's omitempty).
type nested struct{ v any }

// IsZero reports a value not to send (go-querystring's omitempty).
func (n nested) IsZero() bool {
	if n.v == nil {
		return true
	}
	rv := reflect.ValueOf(n.v)
	return (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.IsNil()
}

// EncodeValues writes the value's compact JSON text as the field key
// (go-querystring's Encoder).
func (n nested) EncodeValues(key string, v *url.Values) error {
	if n.IsZero() {
		return nil
	}
	b, err := compactJSON(n.v)
	if err != nil {
		return err
	}
	v.Set(key, string(b))
	return nil
}

// compactJSON marshals v without HTML escapes (& stays &) and without the
// encoder's trailing newline: the text both bodies carry and the signature
// covers.
func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonKind is how a parameter is written in a JSON body.
type jsonKind int

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonNested
)

var jsonKindsCache sync.Map // reflect.Type -> map[string]jsonKind

// jsonKinds maps the url names of a request struct's fields to the JSON
// they are sent as: whole numbers as numbers, nested values as JSON, the
// rest (and parameters the client adds, such as mchid) as strings.
func jsonKinds(t reflect.Type) map[string]jsonKind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k, ok := jsonKindsCache.Load(t); ok {
		return k.(map[string]jsonKind)
	}
	kinds := map[string]jsonKind{}
	if t.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("url"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			switch {
			case f.Type == reflect.TypeFor[nested]():
				kinds[name] = jsonNested
			case f.Type.Kind() >= reflect.Int && f.Type.Kind() <= reflect.Uint64:
				kinds[name] = jsonNumber
			}
		}
	}
	jsonKindsCache.Store(t, kinds)
	return kinds
}

// jsonBody writes params, the values a form would carry, as a JSON object
// with the types of req's fields (see jsonKinds).
func jsonBody(req any, params url.Values) ([]byte, error) {
	var kinds map[string]jsonKind
	if req != nil {
		kinds = jsonKinds(reflect.TypeOf(req))
	}
	obj := make(map[string]any, len(params))
	for name, vs := range params {
		if len(vs) != 1 {
			return nil, fmt.Errorf("parameter %s has %d values: a JSON body holds one", name, len(vs))
		}
		switch kinds[name] {
		case jsonNumber:
			if _, err := strconv.ParseInt(vs[0], 10, 64); err != nil {
				return nil, fmt.Errorf("parameter %s is not a whole number: %q", name, vs[0])
			}
			obj[name] = json.Number(vs[0])
		case jsonNested:
			if !json.Valid([]byte(vs[0])) {
				return nil, fmt.Errorf("parameter %s is not JSON", name)
			}
			obj[name] = json.RawMessage(vs[0])
		default:
			obj[name] = vs[0]
		}
	}
	return compactJSON(obj)
}
