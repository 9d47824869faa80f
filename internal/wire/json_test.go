package wire

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonCases are texts valid and invalid, for the validator and the
// splitters; the fuzz targets start from them.
var jsonCases = []string{
	`{}`, " \n{ \t}\r\n", `{"respcd": "0000", "txamt": 10, "ok": true, "none": null, "f": -1.5e-3}`,
	`{"a": {"b": [1, {"c": "}]"}], "d": {}}, "e": [], "f": [[]]}`,
	`{"s": "a\"b\\", "t": "{[,:]}", "u": "\u00e9\n", "v": "\\\\\""}`,
	"{ \"a\" :\t1 ,\n\"b\"\r:[ 1 , 2 ] }  ", `{"a": 1, "a": 2}`, `{"goods_name": "咖啡"}`,
	`{"a\u0062": 1}`, `{"名": 1}`, `[1, 2]`, `null`, `"x"`, `0`, `-0.0e+0`, `1E5`, `true`,
	// invalid
	``, ` `, `{`, `}`, `{"a": 1`, `{"a" 1}`, `{"a": 1,}`, `{,}`, `{"a": }`, `{a: 1}`, `[1,]`, `[,1]`,
	`{"respcd": 0000}`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `nulll`, `"\x"`, `"\u12"`, `"\u12g4"`,
	"\"a\tb\"", "\"a\x01\"", `"open`, `{"a": 1} x`, `{} {}`, strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), "\xef\xbb\xbf{}", "{\"a\": \"\xff\"}",
}

func TestParseTextMatchesEncodingJSON(t *testing.T) {
	for i, text := range jsonCases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			checkParseText(t, text)
		})
	}
}

// checkParseText compares parseText with json.Valid and, for an object,
// its members with encoding/json's map.
func checkParseText(t *testing.T, text string) {
	t.Helper()
	members, object, plain, valid := parseText(text, nil)
	if valid != json.Valid([]byte(text)) {
		t.Fatalf("parseText(%q) valid %v, json.Valid %v", text, valid, !valid)
	}
	if !valid || !object {
		return
	}
	var want map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(text), &want))
	if !plain {
		members = unmarshalMembers(text)
	}
	got := Object{members: members}.Map()
	if len(got) == 0 {
		got = map[string]json.RawMessage{}
	}
	assert.Equal(t, want, got, text)
	if plain {
		again, plainAgain := splitObject(text, nil)
		assert.True(t, plainAgain)
		assert.Equal(t, members, again, "the splitter reads what the validator recorded")
	}
}

// FuzzParseText: the validator accepts exactly what json.Valid accepts,
// and an object's members are encoding/json's.
func FuzzParseText(f *testing.F) {
	for _, c := range jsonCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkParseText(t, text)
	})
}

func TestArrayItems(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`[]`, []string{}},
		{` [ ] `[1:], []string{}},
		{`[1]`, []string{"1"}},
		{`[ {"a": "]"} , [1, [2]], "x\"", null ]`, []string{`{"a": "]"}`, `[1, [2]]`, `"x\""`, `null`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, arrayItems(tt.in))
		})
	}
}

func TestPlainString(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		ok   bool
	}{
		{`"0000"`, "0000", true},
		{`""`, "", true},
		{`"2019-12-25 14:21:28"`, "2019-12-25 14:21:28", true},
		{`"咖啡"`, "咖啡", true},
		{`"a\"b"`, "", false},
		{`"\u0041"`, "", false},
		{"\"\xff\"", "", false}, // encoding/json reads it as U+FFFD
		{"\"a\tb\"", "", false},
		{`"`, "", false},
		{`"abc`, "", false},
		{`abc"`, "", false},
		{`10`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := plainString(tt.raw)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				var want string
				require.NoError(t, json.Unmarshal([]byte(tt.raw), &want))
				assert.Equal(t, want, got)
			}
		})
	}
}

// TestShortcutsMatchTheLongWay: Int and Time read the commonest values
// without a copy; what they read is what the long way reads.
func TestShortcutsMatchTheLongWay(t *testing.T) {
	for _, raw := range []string{`10`, `"10"`, `-7`, `"-7"`, `"007"`, `0`, `"-0"`, `123456789012345678`, `"123456789012345678"`} {
		t.Run(raw, func(t *testing.T) {
			n, ok := plainInt(raw)
			require.True(t, ok)
			s, err := String(raw)
			require.NoError(t, err)
			want, err := strconv.ParseInt(s, 10, 64)
			require.NoError(t, err)
			assert.Equal(t, want, n)
		})
	}
	for _, raw := range []string{`007`, `-`, `""`, `" 1"`, `+1`, `1.0`, `1234567890123456789`, `1e3`} {
		t.Run(raw, func(t *testing.T) {
			_, ok := plainInt(raw)
			assert.False(t, ok, "left to the long way")
		})
	}
	tokyo := time.FixedZone("JST", 9*60*60)
	for _, s := range []string{"2019-12-25 14:21:28", "2020-02-29 23:59:59", "0000-01-01 00:00:00", "2019-01-31 00:00:00"} {
		t.Run(s, func(t *testing.T) {
			got, ok := plainTime(s, tokyo)
			require.True(t, ok)
			want, err := time.ParseInLocation(TimeLayout, s, tokyo)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Same(t, tokyo, got.Location())
		})
	}
	for _, s := range []string{"2019-02-29 00:00:00", "2019-04-31 00:00:00", "2019-13-01 00:00:00", "2019-00-01 00:00:00",
		"2019-12-25 24:00:00", "2019-12-25 23:60:00", "2019-12-25 23:59:60", "2019-12-25T14:21:28", "2019-12-25 4:21:28 ", "2019-12-25 14:21:2x"} {
		t.Run(s, func(t *testing.T) {
			_, ok := plainTime(s, tokyo)
			assert.False(t, ok, "left to time.ParseInLocation")
		})
	}
}
