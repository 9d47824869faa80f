package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzMayFail are the names of decodeTarget's fields that can fail to
// decode: the strict ones and nested, which holds a strict one.
var fuzzMayFail = map[string]bool{"syssn": true, "orig_syssn": true, "origssn": true, "orig_sn": true,
	"txamt": true, "sysdtm": true, "data": true, "nested": true}

// FuzzParseObject reads arbitrary bytes as an answer: never a panic, a JSON
// object exactly as encoding/json reads it, the leading-zero repair only
// where strict JSON failed, and no decoding error from a lenient field.
func FuzzParseObject(f *testing.F) {
	// The recorded answers of the package's callers are seeds too.
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		"",
		"null",
		"{}",
		"[]",
		`{"respcd": 0000}`,
		`{"respcd":0000,"orig_syssn":20200305066100020000977813}`,
		`{"a": [00, 01, 0], "b": "0000", "c": 0.5, "d": -01, "e": 10}`,
		`{"s": "a \" 0000 \\", "n": 007}`,
		`{"n":01e5}`,
		`{"n": 0000`,
		`"0000"`,
		`00`,
		`{"x": {"y": [0001]}}`,
		"{\"respcd\":\t0000\r\n}",
		"\xef\xbb\xbf{}",
		`{"goods_name": {}, "page": "x", "nested": {"txamt": "ten"}, "data": {"id": []}}`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		obj, err := ParseObject(b)
		if !bytes.Equal(in, b) {
			t.Fatal("ParseObject changed its input")
		}
		if err != nil && len(obj.Members()) > 0 {
			t.Fatal("members with an error")
		}

		fixed, changed := QuoteLeadingZeroNumbers(b)
		if !bytes.Equal(in, b) {
			t.Fatal("QuoteLeadingZeroNumbers changed its input")
		}
		if !changed && !bytes.Equal(fixed, b) {
			t.Fatal("unchanged but different")
		}
		if json.Valid(b) {
			if changed {
				t.Fatalf("rewrote valid JSON %q as %q", b, fixed)
			}
			var want map[string]json.RawMessage
			if json.Unmarshal(b, &want) == nil && want != nil {
				if err != nil || !reflect.DeepEqual(obj.Map(), want) {
					t.Fatalf("valid object %q read as %v, %v", b, obj, err)
				}
			}
		}
		if again, more := QuoteLeadingZeroNumbers(fixed); more || !bytes.Equal(again, fixed) {
			t.Fatalf("not idempotent: %q -> %q -> %q", b, fixed, again)
		}
		if changed && len(fixed) <= len(b) {
			t.Fatalf("a rewrite only adds quotes: %q -> %q", b, fixed)
		}

		// Every value read leniently: an error or a value, never a panic.
		for _, m := range obj.Members() {
			raw := m.Value
			s, serr := String(raw)
			if serr == nil && strings.HasPrefix(strings.TrimSpace(raw), `"`) {
				var want string
				if json.Unmarshal([]byte(raw), &want) != nil || want != s {
					t.Fatalf("String(%s) = %q", raw, s)
				}
			}
			_, _ = Int(raw)
			_, _ = Time(raw, time.UTC)
		}

		// Decode never panics, and only a field that is strict, or a
		// nested object holding one, can fail.
		if err == nil {
			var dst decodeTarget
			if derr := Decode(obj, &dst, time.UTC); derr != nil {
				var fe *FieldError
				if !errors.As(derr, &fe) || !fuzzMayFail[fe.Field] {
					t.Fatalf("Decode(%q): %v", b, derr)
				}
			}
		}
	})
}
