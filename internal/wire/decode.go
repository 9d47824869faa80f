// Package wire holds the plumbing between Go structs and the QF Pay wire
// format: request structs to form values and JSON answers to response
// structs, tolerating the gateway's mix of JSON numbers and strings.
//
// # Strict and lenient fields
//
// Decode is strict only where the SDK relies on a value, and lenient
// everywhere else, so that a field the SDK merely passes on can never turn
// an answer the gateway gave (a payment made, a notification sent) into an
// error. A field is strict when
//
//   - its wire name (its json name or a `wire` alias) is one of respcd,
//     syssn, out_trade_no, orig_syssn, origssn or txamt: the return code, the
//     numbers that identify a transaction and its amount, in whatever struct
//     they appear;
//   - it is a time.Time: the times the SDK exposes as times;
//   - it is a list of objects ([]struct), such as a query page's data.
//
// A value of the wrong type in a strict field is an error (*FieldError).
// Every other field is lenient: a value of an unexpected type is kept raw
// where the field can hold it and left zero where it cannot, never an error.
// A lenient string field holding an object or an array gets its JSON text;
// a lenient integer or boolean field holding anything but an integer or a
// boolean is left zero; a lenient struct field holding something other than
// an object is left zero (its own strict fields, when it is an object, stay
// strict). json.RawMessage fields keep any value. A list of objects given a
// single object reads it as a list of that one object (the API's query
// table types data as an "Object"). The rule follows the wire name, not the
// Go struct, so every response struct gets it without tags. DecodeStrict
// makes every field strict, for objects whose every field the caller hands
// on (a wallet's pay_params).
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeLayout is the API's time format, YYYY-MM-DD hh:mm:ss.
const TimeLayout = "2006-01-02 15:04:05"

// DateLayout is the API's date format, YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Object is a JSON object with its values left raw.
type Object map[string]json.RawMessage

// ParseObject reads a JSON object. It first tries the body as it is; when
// that fails it retries once with bare numbers that have leading zeros
// quoted (the API documents answers such as "respcd": 0000, which strict
// JSON forbids). Anything else that is not a JSON object is an error.
func ParseObject(body []byte) (Object, error) {
	if obj, ok := splitObject(body); ok {
		return obj, nil
	}
	var obj Object
	err := json.Unmarshal(body, &obj)
	if err == nil && obj == nil {
		return nil, errors.New("not a JSON object")
	}
	if err == nil {
		return obj, nil
	}
	fixed, changed := QuoteLeadingZeroNumbers(body)
	if !changed {
		return nil, err
	}
	obj = nil
	if err2 := json.Unmarshal(fixed, &obj); err2 != nil || obj == nil {
		return nil, err
	}
	return obj, nil
}

// QuoteLeadingZeroNumbers rewrites number tokens outside strings that
// strict JSON rejects because of a leading zero (0000, 0123) as JSON
// strings, keeping their digits. It reports whether it changed anything.
func QuoteLeadingZeroNumbers(b []byte) ([]byte, bool) {
	var out []byte
	changed := false
	inString := false
	last := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		if c != '0' || i+1 >= len(b) || b[i+1] < '0' || b[i+1] > '9' {
			continue
		}
		// A number token starts here only after a separator.
		if i > 0 {
			p := b[i-1]
			if p != ':' && p != '[' && p != ',' && p != ' ' && p != '\t' && p != '\n' && p != '\r' {
				continue
			}
		}
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		out = append(out, b[last:i]...)
		out = append(out, '"')
		out = append(out, b[i:j]...)
		out = append(out, '"')
		last = j
		i = j - 1
		changed = true
	}
	if !changed {
		return b, false
	}
	return append(out, b[last:]...), true
}

// String reads a raw JSON value as a string: a JSON string as is, a number
// or boolean as its literal text (so a 26-digit number keeps every digit),
// null or absence as "". Objects and arrays are errors.
func String(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if s, ok := plainString(raw); ok {
			return s, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		if string(raw) == "null" {
			return "", nil
		}
	case 't', 'f':
		if string(raw) == "true" || string(raw) == "false" {
			return string(raw), nil
		}
	case '{', '[':
		return "", fmt.Errorf("want a string or number, got %s", kindOf(raw))
	default:
		if json.Valid(raw) {
			return string(raw), nil
		}
	}
	return "", fmt.Errorf("invalid JSON value %.40q", raw)
}

// Int reads a raw JSON value as an integer: a JSON number or a string
// holding one ("10", " 10 ", "10.0"), null or "" as 0. Fractions, overflow
// and other text are errors.
func Int(raw json.RawMessage) (int64, error) {
	s, err := String(raw)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("want an integer, got %.40q", s)
	}
	return int64(f), nil
}

// Time reads a raw JSON value holding "YYYY-MM-DD hh:mm:ss" (or
// "YYYY-MM-DD") in loc; null or "" is the zero time.
func Time(raw json.RawMessage, loc *time.Location) (time.Time, error) {
	s, err := String(raw)
	if err != nil {
		return time.Time{}, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	layout := TimeLayout
	if len(s) == len(DateLayout) {
		layout = DateLayout
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("want a time as YYYY-MM-DD hh:mm:ss, got %.40q", s)
	}
	return t, nil
}

func kindOf(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a value"
}

// FieldError names the response field that could not be decoded.
type FieldError struct {
	Field string
	Err   error
}

// Error names the field and the reason.
func (e *FieldError) Error() string { return "field " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// Decode reads a JSON object into the struct dst points to. Fields are
// matched by their json tag name and by the extra names of a `wire` tag
// (`wire:"origssn"`); the first name present wins. string, integer, bool,
// time.Time, json.RawMessage, nested struct and slice-of-struct fields
// accept JSON numbers and strings alike (see String, Int, Time); unknown
// names are ignored. Only strict fields (see the package documentation) can
// fail to decode: the error is a *FieldError naming the field.
func Decode(obj Object, dst any, loc *time.Location) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wire: Decode needs a pointer to a struct, got %T", dst)
	}
	return decodeStruct(obj, v.Elem(), false, loc)
}

// DecodeStrict is Decode with every field strict: for an object whose every
// field the caller hands on as it is (a wallet's pay_params), where a value
// of the wrong type anywhere is an error.
func DecodeStrict(obj Object, dst any, loc *time.Location) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wire: DecodeStrict needs a pointer to a struct, got %T", dst)
	}
	return decodeStruct(obj, v.Elem(), true, loc)
}

type fieldPlan struct {
	index  []int
	names  []string
	kind   fieldKind
	strict bool
}

// strictNames are the wire names whose values the SDK relies on, decoded
// strictly in every struct (see the package documentation).
var strictNames = map[string]bool{
	"respcd":       true,
	"syssn":        true,
	"out_trade_no": true,
	"orig_syssn":   true,
	"origssn":      true,
	"txamt":        true,
}

type fieldKind int

const (
	kindString fieldKind = iota
	kindInt
	kindTime
	kindRaw
	kindStruct
	kindStructSlice
	kindBool
)

var (
	plans       sync.Map // reflect.Type -> []fieldPlan
	timeType    = reflect.TypeFor[time.Time]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	errNotField = errors.New("unsupported field type")
)

func planFor(t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldPlan)
	}
	var out []fieldPlan
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		names := []string{name}
		if alt := f.Tag.Get("wire"); alt != "" {
			names = append(names, strings.Split(alt, ",")...)
		}
		k, err := kindFor(f.Type)
		if err != nil {
			panic(fmt.Sprintf("wire: %s.%s: %v", t, f.Name, err))
		}
		strict := k == kindTime || k == kindStructSlice
		for _, n := range names {
			strict = strict || strictNames[n]
		}
		out = append(out, fieldPlan{index: f.Index, names: names, kind: k, strict: strict})
	}
	plans.Store(t, out)
	return out
}

func kindFor(t reflect.Type) (fieldKind, error) {
	switch {
	case t == timeType:
		return kindTime, nil
	case t == rawType:
		return kindRaw, nil
	}
	switch t.Kind() {
	case reflect.String:
		return kindString, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kindInt, nil
	case reflect.Bool:
		return kindBool, nil
	case reflect.Struct:
		return kindStruct, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return kindStructSlice, nil
		}
	}
	return 0, fmt.Errorf("%w %s", errNotField, t)
}

// decodeStruct fills v from obj; all makes every field strict.
func decodeStruct(obj Object, v reflect.Value, all bool, loc *time.Location) error {
	for _, p := range planFor(v.Type()) {
		var raw json.RawMessage
		var name string
		for _, n := range p.names {
			if r, ok := obj[n]; ok {
				raw, name = r, n
				break
			}
		}
		if raw == nil {
			continue
		}
		if err := decodeField(raw, v.FieldByIndex(p.index), p.kind, p.strict || all, all, loc); err != nil {
			return &FieldError{Field: name, Err: err}
		}
	}
	return nil
}

// decodeField reads raw into f. A lenient field (strict false) falls back
// to the value's JSON text or to its zero value where a strict one fails;
// the strict fields of a nested struct fail all the same. all is passed on
// to nested structs.
func decodeField(raw json.RawMessage, f reflect.Value, k fieldKind, strict, all bool, loc *time.Location) error {
	switch k {
	case kindString:
		s, err := String(raw)
		if err != nil {
			if strict {
				return err
			}
			s = string(bytes.TrimSpace(raw))
		}
		f.SetString(s)
	case kindInt:
		n, err := Int(raw)
		if err == nil && f.OverflowInt(n) {
			err = fmt.Errorf("%d overflows %s", n, f.Type())
		}
		if err != nil {
			if strict {
				return err
			}
			n = 0
		}
		f.SetInt(n)
	case kindBool:
		b, err := boolean(raw)
		if err != nil && strict {
			return err
		}
		f.SetBool(b)
	case kindTime:
		t, err := Time(raw, loc)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(t))
	case kindRaw:
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || string(t) == "null" {
			f.SetBytes(nil)
			return nil
		}
		f.SetBytes(append([]byte(nil), t...))
	case kindStruct:
		obj, err := nestedObject(raw)
		if err != nil {
			if strict {
				return err
			}
			f.SetZero()
			return nil
		}
		if obj == nil {
			return nil
		}
		return decodeStruct(obj, f, all, loc)
	case kindStructSlice:
		return decodeStructSlice(raw, f, all, loc)
	}
	return nil
}

// boolean reads a raw JSON value as a boolean: true, false, 1, 0 (as
// numbers or strings); null and "" are false.
func boolean(raw json.RawMessage) (bool, error) {
	s, err := String(raw)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fmt.Errorf("want a boolean, got %.40q", s)
}

// decodeStructSlice reads a JSON array of objects into f, a slice of
// structs. A single object is read as a list of that one object; null, ""
// and absence are no items.
func decodeStructSlice(raw json.RawMessage, f reflect.Value, all bool, loc *time.Location) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == `""` {
		return nil
	}
	var items []json.RawMessage
	switch t[0] {
	case '{':
		items = []json.RawMessage{t}
	case '[':
		if err := json.Unmarshal(t, &items); err != nil {
			return err
		}
	default:
		return fmt.Errorf("want an array of objects, got %s", kindOf(t))
	}
	s := reflect.MakeSlice(f.Type(), len(items), len(items))
	for i, item := range items {
		obj, err := nestedObject(item)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if err := decodeStruct(obj, s.Index(i), all, loc); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	f.Set(s)
	return nil
}

func nestedObject(raw json.RawMessage) (Object, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	if t[0] != '{' {
		return nil, fmt.Errorf("want an object, got %s", kindOf(t))
	}
	var obj Object
	if err := json.Unmarshal(t, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}
