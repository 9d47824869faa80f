package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitObjectMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		fast bool // taken by the fast path
	}{
		{"empty object", `{}`, true},
		{"spaced empty object", " \n{ \t}\r\n", true},
		{"flat answer", `{"respcd": "0000", "txamt": 10, "ok": true, "none": null, "f": -1.5e-3}`, true},
		{"nested values", `{"a": {"b": [1, {"c": "}]"}], "d": {}}, "e": [], "f": [[]]}`, true},
		{"strings with escapes and brackets", `{"s": "a\"b\\", "t": "{[,:]}", "u": "\u00e9\n"}`, true},
		{"whitespace everywhere", "{ \"a\" :\t1 ,\n\"b\"\r:[ 1 , 2 ] }  ", true},
		{"duplicate names: the last wins", `{"a": 1, "a": 2}`, true},
		{"non-ASCII value", `{"goods_name": "咖啡"}`, true},
		{"escaped name", `{"a\u0062": 1}`, false},
		{"non-ASCII name", `{"名": 1}`, false},
		{"array", `[1, 2]`, false},
		{"null", `null`, false},
		{"leading zeros", `{"respcd": 0000}`, false},
		{"cut short", `{"a": 1`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, ok := splitObject([]byte(tt.body))
			assert.Equal(t, tt.fast, ok)
			if !ok {
				assert.Nil(t, obj)
				return
			}
			var want map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(tt.body), &want))
			assert.Equal(t, want, map[string]json.RawMessage(obj))
		})
	}
	t.Run("values do not share the input", func(t *testing.T) {
		body := []byte(`{"a": "xyz"}`)
		obj, ok := splitObject(body)
		require.True(t, ok)
		body[7] = 'Q'
		assert.Equal(t, `"xyz"`, string(obj["a"]))
	})
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
		{`"a\"b"`, "", false},
		{`"\u0041"`, "", false},
		{`"咖啡"`, "", false},
		{"\"a\tb\"", "", false},
		{`"`, "", false},
		{`"abc`, "", false},
		{`abc"`, "", false},
		{`10`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := plainString([]byte(tt.raw))
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
