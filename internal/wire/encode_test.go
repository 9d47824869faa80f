package wire

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type code string

type encodeRequest struct {
	Name     string    `url:"name"`
	Optional string    `url:"optional,omitempty"`
	Bare     string    `url:"bare"` // empty without omitempty: still dropped
	Amount   int64     `url:"txamt"`
	Page     int       `url:"page,omitempty"`
	IDs      []string  `url:"ids,comma,omitempty"`
	Codes    []code    `url:"codes,comma,omitempty"`
	Repeated []string  `url:"repeated,omitempty"`
	When     time.Time `url:"txdtm,omitempty"`
	Day      time.Time `url:"day,omitempty" layout:"2006-01-02"`
	BillDate time.Time `url:"bill_date,omitempty" layout:"20060102" wire:"asis"`
	Zero     time.Time `url:"zero"`
	Skipped  string    `url:"-"`
	internal string
}

func TestEncode(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*60*60)
	tokyo := time.FixedZone("JST", 9*60*60)
	instant := time.Date(2019, 12, 31, 16, 30, 5, 0, time.UTC) // 2020-01-01 00:30:05 in UTC+8
	tests := []struct {
		name string
		req  any
		loc  *time.Location
		want url.Values
	}{
		{
			name: "every kind of field",
			req: &encodeRequest{Name: "咖啡 & tea", Amount: 10, Page: 2, IDs: []string{"a", "b"}, Codes: []code{"800101", "800201"},
				Repeated: []string{"x", "", "y"}, When: instant, Day: instant, BillDate: time.Date(2019, 12, 31, 0, 0, 0, 0, tokyo),
				Skipped: "not sent", internal: "not sent"},
			loc: utc8,
			want: url.Values{
				"name":      {"咖啡 & tea"},
				"txamt":     {"10"},
				"page":      {"2"},
				"ids":       {"a,b"},
				"codes":     {"800101,800201"},
				"repeated":  {"x", "y"},
				"txdtm":     {"2020-01-01 00:30:05"},
				"day":       {"2020-01-01"},
				"bill_date": {"20191231"},
			},
		},
		{
			name: "times written in the location given",
			req:  encodeRequest{Name: "n", When: instant, Day: instant},
			loc:  time.UTC,
			want: url.Values{"name": {"n"}, "txamt": {"0"}, "txdtm": {"2019-12-31 16:30:05"}, "day": {"2019-12-31"}},
		},
		{
			name: "asis keeps the date's own zone whatever the location",
			req:  &encodeRequest{Name: "n", Amount: -1, BillDate: time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC)},
			loc:  tokyo,
			want: url.Values{"name": {"n"}, "txamt": {"-1"}, "bill_date": {"20191231"}},
		},
		{
			name: "empty values dropped",
			req:  &encodeRequest{IDs: []string{}, Codes: nil},
			loc:  utc8,
			want: url.Values{"txamt": {"0"}},
		},
		{"nil", nil, utc8, url.Values{}},
		{"nil pointer", (*encodeRequest)(nil), utc8, url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.req, tt.loc)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Values())
			assert.Equal(t, tt.want.Encode(), got.Encode())
		})
	}
}

func TestEncodeRejectsNonStruct(t *testing.T) {
	_, err := Encode(42, time.UTC)
	assert.Error(t, err)
	_, err = Encode("txamt=10", time.UTC)
	assert.Error(t, err)
}

func TestDropEmpty(t *testing.T) {
	vals := url.Values{"a": {""}, "b": {"", "1", ""}, "c": {"2"}, "d": {}, "e": nil}
	DropEmpty(vals)
	assert.Equal(t, url.Values{"b": {"1"}, "c": {"2"}}, vals)
}

func TestTimeOf(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	when := time.Date(2019, 11, 3, 1, 30, 0, 0, tokyo)
	tests := []struct {
		name   string
		req    any
		param  string
		want   time.Time
		wantOK bool
	}{
		{"set, as given", &encodeRequest{When: when}, "txdtm", when, true},
		{"by value", encodeRequest{Day: when}, "day", when, true},
		{"zero", &encodeRequest{}, "txdtm", time.Time{}, false},
		{"not a time field", &encodeRequest{Name: "n"}, "name", time.Time{}, false},
		{"no such parameter", &encodeRequest{When: when}, "start_time", time.Time{}, false},
		{"nil pointer", (*encodeRequest)(nil), "txdtm", time.Time{}, false},
		{"nil", nil, "txdtm", time.Time{}, false},
		{"not a struct", 42, "txdtm", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := TimeOf(tt.req, tt.param)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				assert.Same(t, tt.want.Location(), got.Location(), "the instant with its own zone")
			}
		})
	}
}

// Types of every kind the plans know, and of kinds they leave to
// go-querystring.
type (
	plainCode   string
	stringCode  string // String differs from the value
	errCode     int
	panicCode   string
	pointerOnly string // String on the pointer only: fmt.Sprint ignores it
	level       uint16
)

func (c stringCode) String() string { return "s:" + string(c) }
func (c errCode) Error() string     { return "e" + strconv.Itoa(int(c)) }
func (c panicCode) String() string {
	if c == "boom" {
		panic("boom")
	}
	return string(c)
}
func (c *pointerOnly) String() string { return "never" }

// pair writes its own parameter: registered with RegisterFormEncoder.
type pair struct{ A, B string }

func (p pair) IsZero() bool { return p == pair{} }
func (p pair) EncodeValues(key string, v *url.Values) error {
	if p.A == "fail" {
		return errors.New("pair refuses fail")
	}
	if p.IsZero() {
		return nil
	}
	v.Set(key, p.A+"|"+p.B)
	return nil
}

// rogue is registered but writes another parameter too: found out, and
// its requests go through go-querystring.
type rogue struct{ A string }

func (r rogue) EncodeValues(key string, v *url.Values) error {
	v.Set(key, r.A)
	if r.A == "x" {
		v.Set("rogue_extra", "1")
	}
	return nil
}

// unregistered writes its own values as it likes: go-querystring's.
type unregistered struct{ A string }

func (u unregistered) EncodeValues(key string, v *url.Values) error {
	v.Add(key, u.A)
	v.Add(key+"_too", u.A)
	return nil
}

func init() {
	RegisterFormEncoder(reflect.TypeFor[pair](), reflect.TypeFor[rogue]())
}

// planRequest has a field of every kind and option the plans write.
type planRequest struct {
	S        string       `url:"s"`
	SOmit    string       `url:"s_omit,omitempty"`
	Code     plainCode    `url:"code,omitempty"`
	Stringer stringCode   `url:"stringer"`
	StrOmit  stringCode   `url:"stringer_omit,omitempty"`
	Err      errCode      `url:"err"`
	Panic    panicCode    `url:"panic,omitempty"`
	PtrOnly  pointerOnly  `url:"ptr_only"`
	I        int          `url:"i"`
	I8       int8         `url:"i8,omitempty"`
	I64      int64        `url:"i64"`
	U        uint         `url:"u,omitempty"`
	U16      level        `url:"u16"`
	B        bool         `url:"b"`
	BOmit    bool         `url:"b_omit,omitempty"`
	BInt     bool         `url:"b_int,int"`
	When     time.Time    `url:"when,omitempty"`
	Day      time.Time    `url:"day" layout:"2006-01-02"`
	AsIs     time.Time    `url:"asis,omitempty" layout:"20060102" wire:"asis"`
	Comma    []string     `url:"comma,comma,omitempty"`
	Space    []plainCode  `url:"space,space"`
	Semi     []int        `url:"semi,semicolon"`
	Del      []stringCode `url:"del" del:"|"`
	Repeat   []string     `url:"repeat"`
	Brackets []bool       `url:"brk,brackets,int"`
	Pair     pair         `url:"pair,omitempty"`
	PairAll  pair         `url:"pair_all"`
	Same1    string       `url:"same"`
	Same2    int          `url:"same"`
	Untagged string
	Options  string `url:",omitempty"`
	Skipped  string `url:"-"`
	hidden   string //lint:ignore U1000 an unexported field, which neither encoder sends
}

// noPlanRequests are types the plans leave to go-querystring.
var noPlanRequests = []any{
	&struct {
		P *string `url:"p"`
	}{},
	&struct {
		F float64 `url:"f"`
	}{},
	&struct {
		T time.Time `url:",omitempty"`
	}{},
	&struct {
		T time.Time `url:"t"`
		S string    `url:"t"`
	}{},
	&struct {
		N []string `url:"n,numbered"`
	}{},
	&struct {
		Nested struct{ A string } `url:"nested"`
	}{},
	&struct {
		L []time.Time `url:"l"`
	}{},
	&struct {
		M map[string]string `url:"m"`
	}{},
	&struct {
		A [2]string `url:"a"`
	}{},
	&struct{ encodeRequest }{},
	&struct {
		U unregistered `url:"u"`
	}{},
	&struct {
		P pair   `url:"p"`
		S string `url:"p"`
	}{},
}

// TestPlanMatchesQuerystring: a plan writes what go-querystring writes,
// byte for byte, for every kind and option, with random values; the types
// it does not know go through go-querystring itself.
func TestPlanMatchesQuerystring(t *testing.T) {
	require.True(t, HasPlan(reflect.TypeFor[planRequest]()))
	require.True(t, HasPlan(reflect.TypeFor[encodeRequest]()))
	tokyo := time.FixedZone("JST", 9*60*60)
	rng := rand.New(rand.NewPCG(1, 2))
	reqs := []any{&planRequest{}, planRequest{}, &encodeRequest{}}
	for range 500 {
		var r planRequest
		Fill(reflect.ValueOf(&r).Elem(), rng)
		r.Panic = panicCode([]string{"", "ok", "boom"}[rng.IntN(3)])
		reqs = append(reqs, &r, r)
		var e encodeRequest
		Fill(reflect.ValueOf(&e).Elem(), rng)
		reqs = append(reqs, &e)
	}
	for i, req := range reqs {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			want, err := EncodeQuerystring(req, tokyo)
			require.NoError(t, err)
			got, err := Encode(req, tokyo)
			require.NoError(t, err)
			if got.Encode() != want.Encode() || !reflect.DeepEqual(got.Values(), want) && len(want) > 0 {
				t.Fatalf("%+v\nplan         %s\ngo-querystring %s", req, got.Encode(), want.Encode())
			}
		})
	}
	for _, req := range noPlanRequests {
		t.Run(fmt.Sprintf("%T", req), func(t *testing.T) {
			assert.False(t, HasPlan(reflect.TypeOf(req).Elem()))
			Fill(reflect.ValueOf(req).Elem(), rng)
			want, werr := EncodeQuerystring(req, tokyo)
			got, err := Encode(req, tokyo)
			require.Equal(t, werr, err)
			if err == nil {
				assert.Equal(t, want.Encode(), got.Encode())
			}
		})
	}
}

// Fill sets every settable field of v, recursively, to random values:
// zero often, strings with the characters forms escape, numbers of every
// size, times in several zones, lists of 0 to 3 items.
func Fill(v reflect.Value, rng *rand.Rand) {
	if rng.IntN(5) == 0 {
		v.SetZero()
		return
	}
	switch v.Kind() {
	case reflect.String:
		parts := []string{"", "a", "800101", "咖啡", " ", "&", "=", "+", "%", ",", "é", "a b", "\x00", "~-._"}
		var sb strings.Builder
		for range rng.IntN(4) {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		v.SetString(sb.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			n = -n
		}
		if v.OverflowInt(n) {
			n = int64(int8(n))
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rng.Uint64() >> rng.IntN(64)
		if v.OverflowUint(n) {
			n = uint64(uint8(n))
		}
		v.SetUint(n)
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(rng.NormFloat64())
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		Fill(p.Elem(), rng)
		v.Set(p)
	case reflect.Slice:
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			Fill(s.Index(i), rng)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			Fill(v.Index(i), rng)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("v"))
	case reflect.Struct:
		if v.Type() == timeType {
			zones := []*time.Location{time.UTC, time.FixedZone("UTC+8", 8*60*60), time.FixedZone("X", -(3*3600 + 30*60))}
			v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])))
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				Fill(v.Field(i), rng)
			}
		}
	}
}

func TestFormEncodeMatchesURLValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		vals := url.Values{}
		for range rng.IntN(6) {
			var name, value string
			Fill(reflect.ValueOf(&name).Elem(), rng)
			Fill(reflect.ValueOf(&value).Elem(), rng)
			vals.Add(name, value)
		}
		for b := range 256 {
			if rng.IntN(8) == 0 {
				vals.Add(string(rune(b)), string([]byte{byte(b)}))
			}
		}
		form := FormOf(vals)
		DropEmpty(vals)
		require.Equal(t, vals.Encode(), form.Encode(), "case %d", i)
		if len(vals) > 0 {
			assert.Equal(t, vals, form.Values())
		}
	}
}

func TestFormSetAndGet(t *testing.T) {
	form := Form{{"b", "1"}, {"d", "2"}, {"d", "3"}}
	assert.Equal(t, "2", form.Get("d"))
	assert.Equal(t, "", form.Get("x"))
	form.Set("a", "0")
	form.Set("c", "x")
	form.Set("d", "4")
	form.Set("e", "5")
	assert.Equal(t, Form{{"a", "0"}, {"b", "1"}, {"c", "x"}, {"d", "4"}, {"e", "5"}}, form)
	assert.Equal(t, "a=0&b=1&c=x&d=4&e=5", form.Encode())
}

// TestPlanEncoders: a registered encoder's error is Encode's, as
// go-querystring's is; one that writes another parameter after all is
// found out and its request encoded by go-querystring.
func TestPlanEncoders(t *testing.T) {
	type withRogue struct {
		R rogue  `url:"r"`
		N string `url:"n"`
	}
	require.True(t, HasPlan(reflect.TypeFor[withRogue]()))
	for _, r := range []withRogue{{R: rogue{"a"}, N: "1"}, {R: rogue{"x"}, N: "2"}} {
		want, err := EncodeQuerystring(&r, time.UTC)
		require.NoError(t, err)
		got, err := Encode(&r, time.UTC)
		require.NoError(t, err)
		assert.Equal(t, want.Encode(), got.Encode())
	}
	_, werr := EncodeQuerystring(&planRequest{Pair: pair{A: "fail"}}, time.UTC)
	_, err := Encode(&planRequest{Pair: pair{A: "fail"}}, time.UTC)
	require.Error(t, werr)
	assert.Equal(t, werr, err)
}
