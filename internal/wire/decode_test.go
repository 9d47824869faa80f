package wire

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeItem has a lenient field (id) and a strict one (txamt).
type decodeItem struct {
	ID     string `json:"id"`
	Amount int64  `json:"txamt"`
}

// decodeTarget has strict fields (syssn, orig_syssn, txamt, sysdtm, data)
// and lenient ones (goods_name, page, small, ok, pay_params, nested).
type decodeTarget struct {
	SysSN   string          `json:"syssn"`
	Name    string          `json:"goods_name"`
	Orig    string          `json:"orig_syssn" wire:"origssn,orig_sn"`
	Amount  int64           `json:"txamt"`
	Page    int             `json:"page"`
	Small   int8            `json:"small"`
	OK      bool            `json:"ok"`
	When    time.Time       `json:"sysdtm"`
	Raw     json.RawMessage `json:"pay_params"`
	Nested  decodeItem      `json:"nested"`
	Items   []decodeItem    `json:"data"`
	Ignored string          `json:"-"`
	NoTag   string
}

func parse(t *testing.T, body string) Object {
	t.Helper()
	obj, err := ParseObject([]byte(body))
	require.NoError(t, err, body)
	return obj
}

func TestDecode(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*60*60)
	tests := []struct {
		name string
		body string
		want decodeTarget
	}{
		{"strings", `{"syssn": "20191227000200020061752831", "txamt": "10", "page": "1", "small": "-3", "ok": "true", "sysdtm": "2019-12-27 10:40:24"}`,
			decodeTarget{SysSN: "20191227000200020061752831", Amount: 10, Page: 1, Small: -3, OK: true, When: time.Date(2019, 12, 27, 10, 40, 24, 0, utc8)}},
		{"numbers", `{"syssn": 20191227000200020061752831, "txamt": 10, "page": 1, "small": 127, "ok": 1}`,
			decodeTarget{SysSN: "20191227000200020061752831", Amount: 10, Page: 1, Small: 127, OK: true}},
		{"padded and float-looking integers", `{"txamt": " 10 ", "page": "2.0", "small": 1e2}`,
			decodeTarget{Amount: 10, Page: 2, Small: 100}},
		{"null and empty as zero", `{"syssn": null, "txamt": "", "page": null, "ok": "", "sysdtm": "", "pay_params": null, "nested": null, "data": null}`,
			decodeTarget{}},
		{"empty data string as no items", `{"data": ""}`, decodeTarget{}},
		{"booleans", `{"ok": false, "syssn": true}`, decodeTarget{OK: false, SysSN: "true"}},
		{"date only", `{"sysdtm": "2019-12-27"}`, decodeTarget{When: time.Date(2019, 12, 27, 0, 0, 0, 0, utc8)}},
		{"alias", `{"origssn": 20191227000200020061752831}`, decodeTarget{Orig: "20191227000200020061752831"}},
		{"second alias", `{"orig_sn": "X"}`, decodeTarget{Orig: "X"}},
		{"json name before alias", `{"origssn": "B", "orig_syssn": "A"}`, decodeTarget{Orig: "A"}},
		{"raw kept trimmed", `{"pay_params":  {"a": 1, "b": [true]} }`, decodeTarget{Raw: json.RawMessage(`{"a": 1, "b": [true]}`)}},
		{"nested and slices", `{"nested": {"id": 7, "txamt": "3"}, "data": [{"id": "a", "txamt": 1}, {"id": 2, "txamt": "2"}]}`,
			decodeTarget{Nested: decodeItem{ID: "7", Amount: 3}, Items: []decodeItem{{"a", 1}, {"2", 2}}}},
		{"empty slice", `{"data": []}`, decodeTarget{Items: []decodeItem{}}},
		{"null items are zero items", `{"data": [null, {"id": "a"}]}`, decodeTarget{Items: []decodeItem{{}, {ID: "a"}}}},
		{"the last of a name twice", `{"txamt": "1", "goods_name": "x", "txamt": 2}`, decodeTarget{Amount: 2, Name: "x"}},
		{"alias after the json name still loses", `{"orig_syssn": "A", "origssn": "B", "orig_syssn": "C"}`, decodeTarget{Orig: "C"}},
		{"non-ASCII text read in place", `{"goods_name": "咖啡 x2", "data": [{"id": "茶"}]}`, decodeTarget{Name: "咖啡 x2", Items: []decodeItem{{ID: "茶"}}}},
		{"escaped names", `{"goods\u005fname": "x", "data": [{"\u0069d": "y"}]}`, decodeTarget{Name: "x", Items: []decodeItem{{ID: "y"}}}},
		{"one object for a slice is a list of one", `{"data": {"id": "a", "txamt": 1}}`, decodeTarget{Items: []decodeItem{{"a", 1}}}},
		{"unknown and untagged fields ignored", `{"syssn": "1", "unknown": {"x": [1, 2]}, "NoTag": "n", "Ignored": "i", "-": "i"}`,
			decodeTarget{SysSN: "1"}},
		{"respcd 0000 style leading zeros", `{"syssn": 0000, "txamt": 0010}`, decodeTarget{SysSN: "0000", Amount: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decodeTarget
			require.NoError(t, Decode(parse(t, tt.body), &got, utc8))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeTimeInLocation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	var got decodeTarget
	require.NoError(t, Decode(parse(t, `{"sysdtm": "2019-12-27 10:40:24"}`), &got, tokyo))
	assert.Equal(t, time.Date(2019, 12, 27, 10, 40, 24, 0, tokyo), got.When)
	assert.Same(t, tokyo, got.When.Location())
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body, field, want string
	}{
		{"object for a string", `{"syssn": {"id": 1}}`, "syssn", "an object"},
		{"array for a string", `{"syssn": [1]}`, "syssn", "an array"},
		{"object for an int", `{"txamt": {}}`, "txamt", "an object"},
		{"text for an int", `{"txamt": "ten"}`, "txamt", "integer"},
		{"fraction for an int", `{"txamt": 10.5}`, "txamt", "integer"},
		{"overflow of int64", `{"txamt": 99999999999999999999}`, "txamt", "integer"},
		{"overflow of int64 in a string", `{"txamt": "-99999999999999999999"}`, "txamt", "integer"},
		{"not a time", `{"sysdtm": "27/12/2019 10:40"}`, "sysdtm", "YYYY-MM-DD"},
		{"a number for a time", `{"sysdtm": 1577414424}`, "sysdtm", "YYYY-MM-DD"},
		{"alias named in the error", `{"origssn": {}}`, "origssn", "an object"},
		{"strict field of a lenient nested object", `{"nested": {"txamt": "x"}}`, "txamt", "integer"},
		{"slice not an array", `{"data": "x"}`, "data", "array"},
		{"number for a slice", `{"data": 5}`, "data", "array"},
		{"slice item not an object", `{"data": [{"id": 1}, 2]}`, "data", "item 1"},
		{"slice item field", `{"data": [{"id": 1}, {"txamt": 1.5}]}`, "data", "item 1"},
		{"strict field of a single object for a slice", `{"data": {"txamt": []}}`, "data", "item 0"},
		{"lenient fields do not hide a strict one", `{"page": "x", "goods_name": {}, "txamt": "ten"}`, "txamt", "integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decodeTarget
			err := Decode(parse(t, tt.body), &got, time.UTC)
			require.Error(t, err)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Contains(t, err.Error(), "field "+tt.field)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotNil(t, errors.Unwrap(fe))
		})
	}
}

// TestDecodeLenient: a value of an unexpected type in a field the SDK does
// not rely on is kept as its JSON text or left zero, never an error.
func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name string
		body string
		want decodeTarget
	}{
		{"object for a string kept as its JSON text", `{"goods_name": {"a": [1, "x"]}}`, decodeTarget{Name: `{"a": [1, "x"]}`}},
		{"array for a string kept as its JSON text", `{"goods_name": [1, 2] }`, decodeTarget{Name: `[1, 2]`}},
		{"fraction for an int left zero", `{"page": 10.5}`, decodeTarget{}},
		{"fraction in a string for an int left zero", `{"page": "1.25"}`, decodeTarget{}},
		{"decimal money for an int left zero", `{"page": "0.50"}`, decodeTarget{}},
		{"text for an int left zero", `{"page": "ten"}`, decodeTarget{}},
		{"object for an int left zero", `{"page": {"n": 1}}`, decodeTarget{}},
		{"overflow of int8 left zero", `{"small": 300}`, decodeTarget{}},
		{"not a boolean left false", `{"ok": "yes"}`, decodeTarget{}},
		{"string for a nested object left zero", `{"nested": "x"}`, decodeTarget{}},
		{"array for a nested object left zero", `{"nested": [{"id": 1}]}`, decodeTarget{}},
		{"raw keeps any value", `{"pay_params": "x"}`, decodeTarget{Raw: json.RawMessage(`"x"`)}},
		{"strict fields beside lenient failures decoded", `{"syssn": 1, "txamt": "10", "page": "x", "goods_name": {}, "nested": 3, "sysdtm": "2019-12-27 10:40:24"}`,
			decodeTarget{SysSN: "1", Amount: 10, Name: "{}", When: time.Date(2019, 12, 27, 10, 40, 24, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decodeTarget
			require.NoError(t, Decode(parse(t, tt.body), &got, time.UTC))
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestDecodeLenientOverwrites: a lenient field that falls back to zero
// does not keep what the struct held before.
func TestDecodeLenientOverwrites(t *testing.T) {
	got := decodeTarget{Page: 3, OK: true, Nested: decodeItem{ID: "old"}}
	require.NoError(t, Decode(parse(t, `{"page": "x", "ok": "maybe", "nested": "x"}`), &got, time.UTC))
	assert.Equal(t, decodeTarget{}, got)
}

// TestDecodeStrict: with every field strict, what Decode lets pass
// leniently is an error naming the field, down to nested objects.
func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"object for a string", `{"goods_name": {"a": 1}}`, "goods_name"},
		{"text for an int", `{"page": "ten"}`, "page"},
		{"overflow of int8", `{"small": 300}`, "small"},
		{"not a boolean", `{"ok": "yes"}`, "ok"},
		{"string for a nested object", `{"nested": "x"}`, "nested"},
		{"lenient field of a nested object", `{"nested": {"id": []}}`, "id"},
		{"lenient field of a list item", `{"data": [{"id": {}}]}`, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := parse(t, tt.body)
			require.NoError(t, Decode(obj, &decodeTarget{}, time.UTC), "Decode is lenient there")
			err := DecodeStrict(obj, &decodeTarget{}, time.UTC)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Contains(t, err.Error(), "field "+tt.field)
		})
	}
	t.Run("well-typed values decode as with Decode", func(t *testing.T) {
		obj := parse(t, `{"syssn": 1, "goods_name": "n", "page": "2", "ok": 1, "nested": {"id": 7, "txamt": "3"}, "data": {"id": "a"}}`)
		var lenient, strict decodeTarget
		require.NoError(t, Decode(obj, &lenient, time.UTC))
		require.NoError(t, DecodeStrict(obj, &strict, time.UTC))
		assert.Equal(t, decodeTarget{SysSN: "1", Name: "n", Page: 2, OK: true, Nested: decodeItem{"7", 3}, Items: []decodeItem{{ID: "a"}}}, strict)
		assert.Equal(t, lenient, strict)
	})
}

func TestDecodeNeedsStructPointer(t *testing.T) {
	obj := parse(t, `{"syssn": "1"}`)
	var s string
	var target decodeTarget
	for name, dst := range map[string]any{"nil": nil, "struct value": target, "string pointer": &s, "map": map[string]any{}} {
		assert.Error(t, Decode(obj, dst, time.UTC), name)
		assert.Error(t, DecodeStrict(obj, dst, time.UTC), name)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		raw, want string
		err       bool
	}{
		{`"abc"`, "abc", false},
		{`"a\"b\u00e9"`, `a"bé`, false},
		{` 20191227000200020061752831 `, "20191227000200020061752831", false},
		{`-1.5e3`, "-1.5e3", false},
		{`true`, "true", false},
		{`null`, "", false},
		{``, "", false},
		{`{}`, "", true},
		{`[]`, "", true},
		{`nul`, "", true},
		{`tru`, "", true},
		{`1.`, "", true},
		{`"open`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := String(tt.raw)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		err  bool
	}{
		{`10`, 10, false},
		{`"10"`, 10, false},
		{`"-7"`, -7, false},
		{`10.0`, 10, false},
		{`1e3`, 1000, false},
		{`9223372036854775807`, 9223372036854775807, false},
		{`null`, 0, false},
		{`""`, 0, false},
		{`"  "`, 0, false},
		{`9223372036854775808`, 0, true},
		{`1e300`, 0, true},
		{`0.1`, 0, true},
		{`"0x10"`, 0, true},
		{`true`, 0, true},
		{`[1]`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Int(tt.raw)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseObject(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]string // raw values
		err        bool
	}{
		{"plain", `{"respcd": "0000", "txamt": 10}`, map[string]string{"respcd": `"0000"`, "txamt": `10`}, false},
		{"respcd 0000 as the spec prints it", "{\n\"respmsg\": \"\", \n\"respcd\": 0000, \n\"page\": \"1\"\n}",
			map[string]string{"respmsg": `""`, "respcd": `"0000"`, "page": `"1"`}, false},
		{"leading zeros inside data", `{"respcd":0000,"data":[{"clisn":038424}]}`,
			map[string]string{"respcd": `"0000"`, "data": `[{"clisn":"038424"}]`}, false},
		{"null", `null`, nil, true},
		{"array", `[{"respcd": "0000"}]`, nil, true},
		{"empty", ``, nil, true},
		{"html", `<html><body>502 Bad Gateway</body></html>`, nil, true},
		{"still invalid after quoting", `{"respcd": 0000,}`, nil, true},
		{"leading zero with a fraction", `{"txamt": 0012.5}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := ParseObject([]byte(tt.body))
			if tt.err {
				assert.Error(t, err)
				assert.Empty(t, obj.Members())
				return
			}
			require.NoError(t, err)
			got := map[string]string{}
			for k, v := range obj.Map() {
				got[k] = string(v)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestQuoteLeadingZeroNumbers(t *testing.T) {
	tests := []struct {
		name, in, want string
		changed        bool
	}{
		{"respcd", `{"respcd": 0000}`, `{"respcd": "0000"}`, true},
		{"no space", `{"respcd":0000}`, `{"respcd":"0000"}`, true},
		{"newline and tab separators", "{\"a\":\n0001,\"b\":\t0002}", "{\"a\":\n\"0001\",\"b\":\t\"0002\"}", true},
		{"in arrays", `{"a": [00, 01, 1, 0]}`, `{"a": ["00", "01", 1, 0]}`, true},
		{"several", `{"respcd": 0000, "clisn": 038424}`, `{"respcd": "0000", "clisn": "038424"}`, true},
		{"strings untouched", `{"respcd": "0000", "s": "a 0123 b", "t": ":0001"}`, `{"respcd": "0000", "s": "a 0123 b", "t": ":0001"}`, false},
		{"escaped quote inside a string", `{"s": "a\" 0001", "n": 0002}`, `{"s": "a\" 0001", "n": "0002"}`, true},
		{"escaped backslash ends a string", `{"s": "\\", "n": 007}`, `{"s": "\\", "n": "007"}`, true},
		{"escaped backslash then quote", `{"s": "\\\" 01", "n": 1}`, `{"s": "\\\" 01", "n": 1}`, false},
		{"zero", `{"n": 0}`, `{"n": 0}`, false},
		{"zero fraction", `{"n": 0.05}`, `{"n": 0.05}`, false},
		{"zeros after other digits", `{"n": 10000, "m": 20191227000200020061752831}`, `{"n": 10000, "m": 20191227000200020061752831}`, false},
		{"exponent", `{"n": 1e05}`, `{"n": 1e05}`, false},
		{"negative", `{"n": -0001}`, `{"n": -0001}`, false},
		{"empty", ``, ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := QuoteLeadingZeroNumbers([]byte(tt.in))
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.changed, changed)
			if changed {
				assert.True(t, json.Valid(got), "the result is JSON: %s", got)
			}
		})
	}
}

func TestTime(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*60*60)
	got, err := Time(`" 2019-12-25 14:21:28 "`, utc8)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2019, 12, 25, 14, 21, 28, 0, utc8), got)
	got, err = Time(`null`, utc8)
	require.NoError(t, err)
	assert.True(t, got.IsZero())
	for _, bad := range []string{`"2019-12-25T14:21:28Z"`, `"2019-13-01 00:00:00"`, `"2019-12-25 14:21"`, `{}`} {
		_, err := Time(bad, utc8)
		assert.Error(t, err, bad)
	}
}

// TestDecodeOwnsItsStrings: ParseObject reads one copy of the body; what
// is decoded does not change when the caller reuses the body's bytes.
func TestDecodeOwnsItsStrings(t *testing.T) {
	body := []byte(`{"syssn": "20191227000200020061752831", "goods_name": "tea", "pay_params": {"a": 1}}`)
	obj, err := ParseObject(body)
	require.NoError(t, err)
	for i := range body {
		body[i] = 'x'
	}
	var got decodeTarget
	require.NoError(t, Decode(obj, &got, time.UTC))
	assert.Equal(t, decodeTarget{SysSN: "20191227000200020061752831", Name: "tea", Raw: json.RawMessage(`{"a": 1}`)}, got)
}

func TestNewObject(t *testing.T) {
	obj, err := NewObject(Member{Name: "data", Value: `[{"id": "a", "txamt": 1}]`}, Member{Name: "syssn", Value: ""})
	require.NoError(t, err)
	var got decodeTarget
	require.NoError(t, Decode(obj, &got, time.UTC))
	assert.Equal(t, decodeTarget{Items: []decodeItem{{"a", 1}}}, got, "an empty value is absent")
	_, err = NewObject(Member{Name: "data", Value: `[{"id": }]`})
	assert.ErrorContains(t, err, "member data")
}
