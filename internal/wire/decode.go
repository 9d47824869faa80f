// Package wire holds the plumbing between Go structs and the QF Pay wire
// format: request structs to form values and JSON answers to response
// structs, tolerating the gateway's mix of JSON numbers and strings.
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
// (`wire:"origssn"`); the first name present wins. string, integer,
// time.Time, json.RawMessage, nested struct and slice-of-struct fields are
// filled leniently (see String, Int, Time); unknown names are ignored.
func Decode(obj Object, dst any, loc *time.Location) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wire: Decode needs a pointer to a struct, got %T", dst)
	}
	return decodeStruct(obj, v.Elem(), loc)
}

type fieldPlan struct {
	index []int
	names []string
	kind  fieldKind
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
		out = append(out, fieldPlan{index: f.Index, names: names, kind: k})
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

func decodeStruct(obj Object, v reflect.Value, loc *time.Location) error {
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
		if err := decodeField(raw, v.FieldByIndex(p.index), p.kind, loc); err != nil {
			return &FieldError{Field: name, Err: err}
		}
	}
	return nil
}

func decodeField(raw json.RawMessage, f reflect.Value, k fieldKind, loc *time.Location) error {
	switch k {
	case kindString:
		s, err := String(raw)
		if err != nil {
			return err
		}
		f.SetString(s)
	case kindInt:
		n, err := Int(raw)
		if err != nil {
			return err
		}
		if f.OverflowInt(n) {
			return fmt.Errorf("%d overflows %s", n, f.Type())
		}
		f.SetInt(n)
	case kindBool:
		s, err := String(raw)
		if err != nil {
			return err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "", "0", "false":
			f.SetBool(false)
		case "1", "true":
			f.SetBool(true)
		default:
			return fmt.Errorf("want a boolean, got %.40q", s)
		}
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
		if err != nil || obj == nil {
			return err
		}
		return decodeStruct(obj, f, loc)
	case kindStructSlice:
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || string(t) == "null" || string(t) == `""` {
			return nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return fmt.Errorf("want an array of objects, got %s", kindOf(t))
		}
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, item := range items {
			obj, err := nestedObject(item)
			if err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
			if err := decodeStruct(obj, s.Index(i), loc); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		f.Set(s)
	}
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
