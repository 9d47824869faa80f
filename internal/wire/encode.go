package wire

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
)

// Param is one parameter of a request: a name and one of its values.
type Param struct {
	Name, Value string
}

// Form is a request's parameters as they are signed and sent: sorted by
// name in byte order, the values of one name in the order given, no empty
// value.
type Form []Param

// Get returns the first value of name, or "".
func (f Form) Get(name string) string {
	for _, p := range f {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Set replaces the values of name with value, keeping the form sorted.
func (f *Form) Set(name, value string) {
	form := *f
	i, _ := slices.BinarySearchFunc(form, name, func(p Param, name string) int { return strings.Compare(p.Name, name) })
	j := i
	for j < len(form) && form[j].Name == name {
		j++
	}
	*f = slices.Replace(form, i, j, Param{Name: name, Value: value})
}

// Values returns the form as url.Values.
func (f Form) Values() url.Values {
	v := make(url.Values, len(f))
	for _, p := range f {
		v[p.Name] = append(v[p.Name], p.Value)
	}
	return v
}

// FormOf returns the values as a Form, empty values dropped.
func FormOf(v url.Values) Form {
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	f := make(Form, 0, n)
	for name, vs := range v {
		for _, s := range vs {
			if s != "" {
				f = append(f, Param{Name: name, Value: s})
			}
		}
	}
	// Stable: the values of one name keep their order.
	slices.SortStableFunc(f, func(a, b Param) int { return strings.Compare(a.Name, b.Name) })
	return f
}

// Encode returns the form as url.Values.Encode writes it ("a=1&b=x+y"),
// byte for byte.
func (f Form) Encode() string {
	n := 0
	for _, p := range f {
		n += len(p.Name) + len(p.Value) + 2
	}
	buf := make([]byte, 0, n+n/4)
	for i, p := range f {
		if i > 0 {
			buf = append(buf, '&')
		}
		buf = appendQueryEscape(buf, p.Name)
		buf = append(buf, '=')
		buf = appendQueryEscape(buf, p.Value)
	}
	return string(buf)
}

// appendQueryEscape appends s escaped as url.QueryEscape escapes it.
func appendQueryEscape(buf []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~':
			buf = append(buf, c)
		case c == ' ':
			buf = append(buf, '+')
		default:
			buf = append(buf, '%', hex[c>>4], hex[c&15])
		}
	}
	return buf
}

// Encode turns a request struct into the form to send, as go-querystring
// does with the struct's `url` tags. time.Time fields are then written in
// loc as YYYY-MM-DD hh:mm:ss (or with the field's `layout` tag); a field
// tagged `wire:"asis"` keeps its own zone (a calendar date). Empty values
// are dropped: what is not sent is not signed either.
//
// The form of a struct type whose fields the package knows (strings,
// integers, booleans, times and lists of them, as the requests of the SDK
// have) is written by a plan made once per type, which writes what
// go-querystring writes, byte for byte (TestPlanMatchesQuerystring); other
// types go through go-querystring itself.
func Encode(req any, loc *time.Location) (Form, error) {
	if req == nil {
		return Form{}, nil
	}
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return Form{}, nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if plan := encodePlanFor(v.Type()); plan != nil {
			form, err := plan.encode(v, loc)
			if err != errNoPlan {
				return form, err
			}
		}
	}
	vals, err := EncodeQuerystring(req, loc)
	if err != nil {
		return nil, err
	}
	return FormOf(vals), nil
}

// EncodeQuerystring encodes req with go-querystring, then writes its time
// fields in loc (or their own zone) and drops empty values: the encoder
// of record, which Encode's plans reproduce byte for byte.
func EncodeQuerystring(req any, loc *time.Location) (url.Values, error) {
	vals, err := query.Values(req)
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return url.Values{}, nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		for _, tf := range timeFieldsOf(v.Type()) {
			t := v.FieldByIndex(tf.index).Interface().(time.Time)
			if t.IsZero() {
				vals.Del(tf.name)
				continue
			}
			if !tf.asIs {
				t = t.In(loc)
			}
			vals.Set(tf.name, t.Format(tf.layout))
		}
	}
	DropEmpty(vals)
	return vals, nil
}

// TimeOf returns the time req sends as the parameter name (its time.Time
// field tagged `url:"name"`), when it has one that is set: the instant
// itself, whose zone offset the written wall clock no longer tells.
func TimeOf(req any, name string) (time.Time, bool) {
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return time.Time{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return time.Time{}, false
	}
	for _, tf := range timeFieldsOf(v.Type()) {
		if tf.name == name {
			t := v.FieldByIndex(tf.index).Interface().(time.Time)
			return t, !t.IsZero()
		}
	}
	return time.Time{}, false
}

// DropEmpty removes empty values, and names left with no value.
func DropEmpty(vals url.Values) {
	for k, vs := range vals {
		kept := vs[:0]
		for _, s := range vs {
			if s != "" {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			delete(vals, k)
		} else {
			vals[k] = kept
		}
	}
}

type timeField struct {
	index  []int
	name   string
	layout string
	asIs   bool
}

var timeFields sync.Map // reflect.Type -> []timeField

func timeFieldsOf(t reflect.Type) []timeField {
	if p, ok := timeFields.Load(t); ok {
		return p.([]timeField)
	}
	var out []timeField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Type != timeType {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("url"), ",")
		if name == "" || name == "-" {
			continue
		}
		layout := f.Tag.Get("layout")
		if layout == "" {
			layout = TimeLayout
		}
		out = append(out, timeField{index: f.Index, name: name, layout: layout, asIs: f.Tag.Get("wire") == "asis"})
	}
	timeFields.Store(t, out)
	return out
}

// An encodePlan writes the form of one struct type: its fields in the
// order of their names, each formatted as go-querystring formats it.
type encodePlan struct {
	fields []encodeField
	// params is the most parameters the type sends (a list counted as
	// one), for sizing the form.
	params int
}

type encodeField struct {
	name      string
	index     int
	kind      valueKind
	omitEmpty bool
	// time.Time fields.
	layout string
	asIs   bool
	// Lists: elem formats each item; del joins them into one value, or
	// each item is a value of its own when del is "".
	elem valueKind
	del  string
	// Registered encoders: whether the type reports its zero value (what
	// go-querystring's omitempty asks it).
	zeroable bool
}

// valueKind is how a value is formatted: as fmt.Sprint formats it, which
// is what go-querystring calls.
type valueKind int

const (
	valueString valueKind = iota
	valueInt
	valueUint
	valueBool
	valueBoolInt // a bool with the `int` option: 1 or 0
	valueStringer
	valueError
	valueTime
	valueList
	// valueEncoder: a registered query.Encoder (see RegisterFormEncoder).
	valueEncoder
)

var (
	encodePlans  sync.Map // reflect.Type -> *encodePlan, or noPlan
	noPlan       = &encodePlan{}
	encoderType  = reflect.TypeFor[query.Encoder]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
	errorType    = reflect.TypeFor[error]()
	formatType   = reflect.TypeFor[fmt.Formatter]()
	errNoPlan    = errors.New("no plan")
)

// zeroable is what go-querystring asks a value for omitempty.
type zeroable interface{ IsZero() bool }

var (
	formEncoders sync.Map // reflect.Type -> true
	zeroableType = reflect.TypeFor[zeroable]()
)

// RegisterFormEncoder tells the plans that each type's query.Encoder
// writes its own parameter only: EncodeValues(key, v) sets or adds values
// of key and reads or changes nothing else in v. A plan then writes such a
// field itself (a struct type), calling EncodeValues on a url.Values of
// its own; other encoders leave their types to go-querystring, which
// hands them the form it is building. An encoder that writes another
// parameter after all is found out, and go-querystring encodes that
// request.
func RegisterFormEncoder(types ...reflect.Type) {
	for _, t := range types {
		formEncoders.Store(t, true)
	}
}

// IsFormEncoder reports whether t was registered with RegisterFormEncoder.
func IsFormEncoder(t reflect.Type) bool {
	_, ok := formEncoders.Load(t)
	return ok
}

// HasPlan reports whether Encode writes the form of struct type t with a
// plan rather than through go-querystring.
func HasPlan(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && encodePlanFor(t) != nil
}

// encodePlanFor returns the plan of struct type t, or nil when a field is
// of a kind the plans leave to go-querystring.
func encodePlanFor(t reflect.Type) *encodePlan {
	if p, ok := encodePlans.Load(t); ok {
		if p == noPlan {
			return nil
		}
		return p.(*encodePlan)
	}
	plan, err := makeEncodePlan(t)
	if err != nil {
		plan = noPlan
	}
	encodePlans.Store(t, plan)
	if plan == noPlan {
		return nil
	}
	return plan
}

func makeEncodePlan(t reflect.Type) (*encodePlan, error) {
	plan := &encodePlan{}
	names := map[string]int{}
	exclusive := map[string]bool{} // names no other field may share
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, errNoPlan // embedded structs: go-querystring's own rules
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("url")
		if tag == "-" {
			continue
		}
		name, opts := parseTag(tag)
		if name == "" {
			name = sf.Name
		}
		f := encodeField{name: name, index: i, omitEmpty: hasOpt(opts, "omitempty")}
		ft := sf.Type
		switch {
		case ft.Implements(encoderType) && IsFormEncoder(ft) && ft.Kind() == reflect.Struct:
			f.kind = valueEncoder
			f.zeroable = ft.Implements(zeroableType)
			exclusive[name] = true // it sets its name
		case ft.Implements(encoderType):
			return nil, errNoPlan
		case ft == timeType:
			if tag == "" || strings.HasPrefix(tag, ",") {
				return nil, errNoPlan // written as go-querystring writes it, not as a time of the API
			}
			f.kind = valueTime
			f.layout = cmp.Or(sf.Tag.Get("layout"), TimeLayout)
			f.asIs = sf.Tag.Get("wire") == "asis"
			exclusive[name] = true
		case ft.Kind() == reflect.Slice:
			elem, err := scalarKind(ft.Elem(), opts)
			if err != nil {
				return nil, err
			}
			f.kind, f.elem = valueList, elem
			switch {
			case hasOpt(opts, "comma"):
				f.del = ","
			case hasOpt(opts, "space"):
				f.del = " "
			case hasOpt(opts, "semicolon"):
				f.del = ";"
			case hasOpt(opts, "brackets"):
				f.name += "[]"
			case hasOpt(opts, "numbered"):
				return nil, errNoPlan
			default:
				f.del = sf.Tag.Get("del")
			}
		default:
			k, err := scalarKind(ft, opts)
			if err != nil {
				return nil, err
			}
			f.kind = k
		}
		names[f.name]++
		plan.fields = append(plan.fields, f)
	}
	for name := range exclusive {
		if names[name] > 1 {
			// A time, or an encoder, replaces every value of its name:
			// go-querystring's order of events decides what is left.
			return nil, errNoPlan
		}
	}
	// Sorted by name as url.Values.Encode and Sign sort; stable, so that
	// the values of one name keep the order of their fields.
	slices.SortStableFunc(plan.fields, func(a, b encodeField) int { return strings.Compare(a.name, b.name) })
	plan.params = len(plan.fields)
	return plan, nil
}

// scalarKind is how a value of type t is formatted, as go-querystring
// formats it: a bool with the `int` option as 1 or 0, anything else as
// fmt.Sprint does, through its Format, Error or String method if it has
// one (Format is left to go-querystring), else by its kind. Kinds other
// than strings, integers and booleans are left to go-querystring.
func scalarKind(t reflect.Type, opts []string) (valueKind, error) {
	var k valueKind
	switch t.Kind() {
	case reflect.String:
		k = valueString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		k = valueInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		k = valueUint
	case reflect.Bool:
		if hasOpt(opts, "int") {
			return valueBoolInt, nil
		}
		k = valueBool
	default:
		return 0, errNoPlan
	}
	switch {
	case t.Implements(formatType):
		return 0, errNoPlan
	case t.Implements(errorType):
		return valueError, nil
	case t.Implements(stringerType):
		return valueStringer, nil
	}
	return k, nil
}

func parseTag(tag string) (string, []string) {
	s := strings.Split(tag, ",")
	return s[0], s[1:]
}

func hasOpt(opts []string, opt string) bool { return slices.Contains(opts, opt) }

// encode writes the form of v, a struct of the plan's type. It fails
// with the error of an encoder, or with errNoPlan when a registered
// encoder wrote another parameter than its own (go-querystring then
// encodes v).
func (p *encodePlan) encode(v reflect.Value, loc *time.Location) (Form, error) {
	// Room for the defaults the client adds (mchid, txdtm, txzone).
	form := make(Form, 0, p.params+3)
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		switch f.kind {
		case valueTime:
			t := fv.Interface().(time.Time)
			if t.IsZero() {
				continue
			}
			if !f.asIs {
				t = t.In(loc)
			}
			form = append(form, Param{Name: f.name, Value: t.Format(f.layout)})
		case valueEncoder:
			if f.omitEmpty && f.zeroable && isZero(fv) {
				continue
			}
			vals := url.Values{}
			if err := fv.Interface().(query.Encoder).EncodeValues(f.name, &vals); err != nil {
				return nil, err
			}
			for k, vs := range vals {
				if k != f.name {
					return nil, errNoPlan
				}
				for _, s := range vs {
					if s != "" {
						form = append(form, Param{Name: f.name, Value: s})
					}
				}
			}
		case valueList:
			// An empty list sends nothing, with or without omitempty.
			n := fv.Len()
			if n == 0 {
				continue
			}
			if f.del == "" {
				for j := range n {
					if s := formatValue(fv.Index(j), f.elem); s != "" {
						form = append(form, Param{Name: f.name, Value: s})
					}
				}
				continue
			}
			var sb strings.Builder
			for j := range n {
				if j > 0 {
					sb.WriteString(f.del)
				}
				sb.WriteString(formatValue(fv.Index(j), f.elem))
			}
			if s := sb.String(); s != "" {
				form = append(form, Param{Name: f.name, Value: s})
			}
		default:
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			if s := formatValue(fv, f.kind); s != "" {
				form = append(form, Param{Name: f.name, Value: s})
			}
		}
	}
	return form, nil
}

// isZero calls the IsZero method of v, through a pointer where there is
// one (which boxes no copy of the value).
func isZero(v reflect.Value) bool {
	if v.CanAddr() {
		return v.Addr().Interface().(zeroable).IsZero()
	}
	return v.Interface().(zeroable).IsZero()
}

// formatValue formats v as fmt.Sprint(v.Interface()) does.
func formatValue(v reflect.Value, k valueKind) string {
	switch k {
	case valueString:
		return v.String()
	case valueInt:
		return strconv.FormatInt(v.Int(), 10)
	case valueUint:
		return strconv.FormatUint(v.Uint(), 10)
	case valueBool:
		return strconv.FormatBool(v.Bool())
	case valueBoolInt:
		if v.Bool() {
			return "1"
		}
		return "0"
	}
	return callMethod(v, k)
}

// callMethod formats v with its Error or String method, called through a
// pointer where there is one (which boxes no copy of the value). A method
// that panics is left to fmt.Sprint, which writes the panic.
func callMethod(v reflect.Value, k valueKind) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprint(v.Interface())
		}
	}()
	var x any
	if v.CanAddr() {
		x = v.Addr().Interface()
	} else {
		x = v.Interface()
	}
	if k == valueError {
		return x.(error).Error()
	}
	return x.(fmt.Stringer).String()
}
