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

// Object is a JSON object with its values left raw. The members keep the
// body's order; where a name occurs twice the last one counts, as with
// encoding/json. The values are substrings of one copy of the body, so
// that the strings decoded from them cost no further copies.
type Object struct {
	src     string
	members []Member
}

// NewObject makes an Object of members, for a value that came apart from
// its answer (a nested value sent as a string of JSON). A member with an
// empty value is absent; any other value must be valid JSON text, as the
// decoder reads it as validated.
func NewObject(members ...Member) (Object, error) {
	kept := make([]Member, 0, len(members))
	for _, m := range members {
		if strings.TrimSpace(m.Value) == "" {
			continue
		}
		if _, _, _, ok := parseText(m.Value, nil); !ok {
			return Object{}, fmt.Errorf("member %s: invalid JSON value %.40q", m.Name, m.Value)
		}
		kept = append(kept, m)
	}
	return Object{members: kept}, nil
}

// Src is the JSON text the object was read from: the body, or the body
// with leading-zero numbers quoted when only that made it JSON.
func (o Object) Src() string { return o.src }

// Members are the object's members in the body's order (names occurring
// twice included).
func (o Object) Members() []Member { return o.members }

// Get returns the raw value of name (its last occurrence).
func (o Object) Get(name string) (raw string, ok bool) {
	for i := len(o.members) - 1; i >= 0; i-- {
		if o.members[i].Name == name {
			return o.members[i].Value, true
		}
	}
	return "", false
}

// Map returns the members as encoding/json reads the object into a map.
func (o Object) Map() map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(o.members))
	for _, mb := range o.members {
		m[mb.Name] = json.RawMessage(mb.Value)
	}
	return m
}

// errNotObject is the error of JSON text that is not an object.
var errNotObject = errors.New("not a JSON object")

// ParseObject reads a JSON object. It first tries the body as it is; when
// that fails it retries once with bare numbers that have leading zeros
// quoted (the API documents answers such as "respcd": 0000, which strict
// JSON forbids). Anything else that is not a JSON object is an error.
func ParseObject(body []byte) (Object, error) {
	if obj, err, ok := parseObject(body); ok {
		return obj, err
	}
	fixed, changed := QuoteLeadingZeroNumbers(body)
	if changed {
		if obj, err, ok := parseObject(fixed); ok && err == nil {
			return obj, nil
		}
	}
	// encoding/json says what is wrong with the body.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return Object{}, err
	}
	return Object{}, errNotObject
}

// parseObject reads body when it is valid JSON (ok); err is set when it is
// not an object.
func parseObject(body []byte) (obj Object, err error, ok bool) {
	src := string(body)
	members, object, plain, valid := parseText(src, make([]Member, 0, 24))
	switch {
	case !valid:
		return Object{}, nil, false
	case !object:
		return Object{}, errNotObject, true
	case !plain:
		members = unmarshalMembers(src)
	}
	return Object{src: src, members: members}, nil, true
}

// unmarshalMembers reads the members of the valid JSON object s with
// encoding/json, for names that need unescaping.
func unmarshalMembers(s string) []Member {
	var m map[string]json.RawMessage
	_ = json.Unmarshal([]byte(s), &m)
	out := make([]Member, 0, len(m))
	for k, v := range m {
		out = append(out, Member{Name: k, Value: string(v)})
	}
	return out
}

// membersOf splits the valid JSON object s into buf.
func membersOf(s string, buf []Member) []Member {
	members, plain := splitObject(s, buf[:0])
	if !plain {
		return unmarshalMembers(s)
	}
	return members
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
func String(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if s, ok := plainString(raw); ok {
			return s, nil
		}
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		if raw == "null" {
			return "", nil
		}
	case 't', 'f':
		if raw == "true" || raw == "false" {
			return raw, nil
		}
	case '{', '[':
		return "", fmt.Errorf("want a string or number, got %s", kindOf(raw))
	default:
		if v := (validator{s: raw}); v.number() && v.i == len(raw) {
			return raw, nil
		}
	}
	return "", fmt.Errorf("invalid JSON value %.40q", raw)
}

// Int reads a raw JSON value as an integer: a JSON number or a string
// holding one ("10", " 10 ", "10.0"), null or "" as 0. Fractions, overflow
// and other text are errors.
func Int(raw string) (int64, error) {
	if n, ok := plainInt(raw); ok {
		return n, nil
	}
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

// plainInt reads the commonest integers, 1 to 18 digits bare or quoted
// with an optional minus sign, without a copy; ok is false for any other
// value, which Int reads the long way.
func plainInt(raw string) (int64, bool) {
	quoted := len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"'
	if quoted {
		raw = raw[1 : len(raw)-1]
	}
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || len(raw) > 18 || (!quoted && len(raw) > 1 && raw[0] == '0') {
		return 0, false
	}
	var n int64
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Time reads a raw JSON value holding "YYYY-MM-DD hh:mm:ss" (or
// "YYYY-MM-DD") in loc; null or "" is the zero time.
func Time(raw string, loc *time.Location) (time.Time, error) {
	if len(raw) == len(TimeLayout)+2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		if t, ok := plainTime(raw[1:len(raw)-1], loc); ok {
			return t, nil
		}
	}
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

// plainTime reads "YYYY-MM-DD hh:mm:ss" exactly as time.ParseInLocation
// does with TimeLayout when every field is in range; ok is false for
// anything else, which Time reads with time.ParseInLocation.
func plainTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc), true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int((m-1)%7%2)
}

func kindOf(raw string) string {
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
	return decodeStruct(obj.members, v.Elem(), false, loc)
}

// DecodeStrict is Decode with every field strict: for an object whose every
// field the caller hands on as it is (a wallet's pay_params), where a value
// of the wrong type anywhere is an error.
func DecodeStrict(obj Object, dst any, loc *time.Location) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wire: DecodeStrict needs a pointer to a struct, got %T", dst)
	}
	return decodeStruct(obj.members, v.Elem(), true, loc)
}

type fieldPlan struct {
	index  []int
	names  []string
	kind   fieldKind
	strict bool
}

// structPlan is how a struct type decodes: its fields, and for each wire
// name the field it fills with its rank among the field's names (0 for
// the json name, which wins over the aliases).
type structPlan struct {
	fields []fieldPlan
	byName map[string]nameRef
}

type nameRef struct {
	field int
	rank  int
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
	plans       sync.Map // reflect.Type -> *structPlan
	timeType    = reflect.TypeFor[time.Time]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	errNotField = errors.New("unsupported field type")
)

func planFor(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	plan := &structPlan{byName: map[string]nameRef{}}
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
		for rank, n := range names {
			strict = strict || strictNames[n]
			if _, taken := plan.byName[n]; !taken {
				plan.byName[n] = nameRef{field: len(plan.fields), rank: rank}
			}
		}
		plan.fields = append(plan.fields, fieldPlan{index: f.Index, names: names, kind: k, strict: strict})
	}
	p, _ := plans.LoadOrStore(t, plan)
	return p.(*structPlan)
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

// decodeStruct fills v from members; all makes every field strict. Each
// field takes the member of its best-ranked name, the last such member
// where one occurs twice, as encoding/json's map would keep it.
func decodeStruct(members []Member, v reflect.Value, all bool, loc *time.Location) error {
	plan := planFor(v.Type())
	// win holds, per field, 1 + the index of the member it takes.
	var winBuf [64]int32
	var rankBuf [64]int8
	win, rank := winBuf[:], rankBuf[:]
	if n := len(plan.fields); n > len(winBuf) {
		win, rank = make([]int32, n), make([]int8, n)
	} else {
		win, rank = win[:n], rank[:n]
	}
	for i, m := range members {
		ref, ok := plan.byName[m.Name]
		if !ok {
			continue
		}
		if win[ref.field] == 0 || ref.rank <= int(rank[ref.field]) {
			win[ref.field], rank[ref.field] = int32(i+1), int8(ref.rank)
		}
	}
	for i := range plan.fields {
		if win[i] == 0 {
			continue
		}
		p := &plan.fields[i]
		m := members[win[i]-1]
		if err := decodeField(m.Value, v.FieldByIndex(p.index), p.kind, p.strict || all, all, loc); err != nil {
			return &FieldError{Field: m.Name, Err: err}
		}
	}
	return nil
}

// decodeField reads raw into f. A lenient field (strict false) falls back
// to the value's JSON text or to its zero value where a strict one fails;
// the strict fields of a nested struct fail all the same. all is passed on
// to nested structs.
func decodeField(raw string, f reflect.Value, k fieldKind, strict, all bool, loc *time.Location) error {
	switch k {
	case kindString:
		s, err := String(raw)
		if err != nil {
			if strict {
				return err
			}
			s = strings.TrimSpace(raw)
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
		if f.CanAddr() {
			*f.Addr().Interface().(*time.Time) = t // no copy boxed
		} else {
			f.Set(reflect.ValueOf(t))
		}
	case kindRaw:
		t := strings.TrimSpace(raw)
		if len(t) == 0 || t == "null" {
			f.SetBytes(nil)
			return nil
		}
		f.SetBytes([]byte(t))
	case kindStruct:
		t := strings.TrimSpace(raw)
		if len(t) == 0 || t == "null" {
			return nil
		}
		if t[0] != '{' {
			if strict {
				return fmt.Errorf("want an object, got %s", kindOf(t))
			}
			f.SetZero()
			return nil
		}
		return decodeStruct(membersOf(t, make([]Member, 0, 16)), f, all, loc)
	case kindStructSlice:
		return decodeStructSlice(raw, f, all, loc)
	}
	return nil
}

// boolean reads a raw JSON value as a boolean: true, false, 1, 0 (as
// numbers or strings); null and "" are false.
func boolean(raw string) (bool, error) {
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
// and absence are no items. raw is valid JSON: it comes from an Object.
func decodeStructSlice(raw string, f reflect.Value, all bool, loc *time.Location) error {
	t := strings.TrimSpace(raw)
	if len(t) == 0 || t == "null" || t == `""` {
		return nil
	}
	var one [1]string
	var items []string
	switch t[0] {
	case '{':
		one[0] = t
		items = one[:]
	case '[':
		items = arrayItems(t)
	default:
		return fmt.Errorf("want an array of objects, got %s", kindOf(t))
	}
	s := reflect.MakeSlice(f.Type(), len(items), len(items))
	// One buffer for the members of every item: they are decoded one
	// item at a time.
	var buf []Member
	for i, item := range items {
		if item == "null" {
			continue // a zero item, as encoding/json reads null
		}
		if item[0] != '{' {
			return fmt.Errorf("item %d: want an object, got %s", i, kindOf(item))
		}
		if buf == nil {
			buf = make([]Member, 0, 32)
		}
		buf = membersOf(item, buf)
		if err := decodeStruct(buf, s.Index(i), all, loc); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	f.Set(s)
	return nil
}

// arrayItems splits the valid JSON array s into its items' raw text.
func arrayItems(s string) []string {
	i := skipSpace(s, 1)
	if s[i] == ']' {
		return []string{}
	}
	items := make([]string, 0, 16)
	for {
		end := valueEnd(s, i)
		items = append(items, s[i:end])
		i = skipSpace(s, end)
		if s[i] == ']' {
			return items
		}
		i = skipSpace(s, i+1)
	}
}
