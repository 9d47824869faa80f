package wire

import (
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
)

// Encode turns a request struct into the form values to send, with
// go-querystring and the struct's `url` tags. time.Time fields are then
// written in loc as YYYY-MM-DD hh:mm:ss (or with the field's `layout` tag);
// a field tagged `wire:"asis"` keeps its own zone (a calendar date). Empty
// values are dropped: what is not sent is not signed either.
func Encode(req any, loc *time.Location) (url.Values, error) {
	if req == nil {
		return url.Values{}, nil
	}
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
