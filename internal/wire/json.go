package wire

import (
	"strings"
	"unicode/utf8"
)

// The answers of the API are small objects of plain strings and numbers.
// The functions below read them in one pass without encoding/json's
// reflection: a validator that accepts exactly what json.Valid accepts
// (FuzzValid compares the two) and records the members of the object it
// validates, and splitters for text validated already.

// maxDepth is encoding/json's limit on nesting.
const maxDepth = 10000

// Member is one name and value of a JSON object: the name as written
// between its quotes (names needing unescaping are read by encoding/json
// instead), the value as its raw JSON text.
type Member struct {
	Name, Value string
}

// validator checks JSON text as json.Valid does.
type validator struct {
	s     string
	i     int
	depth int
}

// parseText validates s as JSON. When s is an object it returns its
// members, appended to buf, and plain is false when a name needs
// unescaping (or is not ASCII), in which case members is incomplete.
func parseText(s string, buf []Member) (members []Member, object, plain, valid bool) {
	v := validator{s: s}
	v.space()
	if v.i < len(s) && s[v.i] == '{' {
		members, plain, valid = v.topObject(buf)
		object = true
	} else {
		valid = v.value()
	}
	if !valid {
		return nil, false, false, false
	}
	v.space()
	if v.i != len(s) {
		return nil, false, false, false
	}
	return members, object, plain, true
}

func (v *validator) space() {
	for v.i < len(v.s) {
		switch v.s[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// topObject validates the object at v.i, recording its members.
func (v *validator) topObject(buf []Member) (members []Member, plain, ok bool) {
	members, plain = buf, true
	v.depth++
	v.i++ // '{'
	v.space()
	if v.i < len(v.s) && v.s[v.i] == '}' {
		v.i++
		v.depth--
		return members, plain, true
	}
	for {
		if v.i >= len(v.s) || v.s[v.i] != '"' {
			return nil, false, false
		}
		start := v.i
		if !v.str() {
			return nil, false, false
		}
		name := v.s[start+1 : v.i-1]
		if plain && !plainASCII(name) {
			plain = false
		}
		v.space()
		if v.i >= len(v.s) || v.s[v.i] != ':' {
			return nil, false, false
		}
		v.i++
		v.space()
		vstart := v.i
		if !v.value() {
			return nil, false, false
		}
		if plain {
			members = append(members, Member{Name: name, Value: v.s[vstart:v.i]})
		}
		v.space()
		if v.i >= len(v.s) {
			return nil, false, false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.space()
		case '}':
			v.i++
			v.depth--
			return members, plain, true
		default:
			return nil, false, false
		}
	}
}

// value validates the value at v.i (no leading space) and moves past it.
func (v *validator) value() bool {
	if v.i >= len(v.s) {
		return false
	}
	switch c := v.s[v.i]; {
	case c == '"':
		return v.str()
	case c == '{':
		return v.object()
	case c == '[':
		return v.array()
	case c == '-' || ('0' <= c && c <= '9'):
		return v.number()
	case c == 't':
		return v.literal("true")
	case c == 'f':
		return v.literal("false")
	case c == 'n':
		return v.literal("null")
	}
	return false
}

func (v *validator) literal(lit string) bool {
	if !strings.HasPrefix(v.s[v.i:], lit) {
		return false
	}
	v.i += len(lit)
	return true
}

func (v *validator) object() bool {
	if v.depth++; v.depth > maxDepth {
		return false
	}
	v.i++ // '{'
	v.space()
	if v.i < len(v.s) && v.s[v.i] == '}' {
		v.i++
		v.depth--
		return true
	}
	for {
		if v.i >= len(v.s) || v.s[v.i] != '"' || !v.str() {
			return false
		}
		v.space()
		if v.i >= len(v.s) || v.s[v.i] != ':' {
			return false
		}
		v.i++
		v.space()
		if !v.value() {
			return false
		}
		v.space()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.space()
		case '}':
			v.i++
			v.depth--
			return true
		default:
			return false
		}
	}
}

func (v *validator) array() bool {
	if v.depth++; v.depth > maxDepth {
		return false
	}
	v.i++ // '['
	v.space()
	if v.i < len(v.s) && v.s[v.i] == ']' {
		v.i++
		v.depth--
		return true
	}
	for {
		if !v.value() {
			return false
		}
		v.space()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.space()
		case ']':
			v.i++
			v.depth--
			return true
		default:
			return false
		}
	}
}

// str validates the string at v.i: no control characters, valid escapes.
// Bytes that are not UTF-8 are accepted, as encoding/json accepts them.
func (v *validator) str() bool {
	s := v.s
	i := v.i + 1
	for {
		// Jump to the next byte that needs a look.
		j := i
		for j < len(s) && s[j] != '"' && s[j] != '\\' && s[j] >= 0x20 {
			j++
		}
		if j >= len(s) || s[j] < 0x20 {
			return false
		}
		if s[j] == '"' {
			v.i = j + 1
			return true
		}
		// An escape.
		if j+1 >= len(s) {
			return false
		}
		switch s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = j + 2
		case 'u':
			if j+6 > len(s) {
				return false
			}
			for _, h := range []byte(s[j+2 : j+6]) {
				if !isHex(h) {
					return false
				}
			}
			i = j + 6
		default:
			return false
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (v *validator) number() bool {
	s, i := v.s, v.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digitsEnd(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digitsEnd(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digitsEnd(s, i)
		if j == i {
			return false
		}
		i = j
	}
	v.i = i
	return true
}

func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// plainASCII reports whether a name between quotes reads as itself:
// printable ASCII without escapes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

// plainString returns the text of a JSON string that reads as itself (no
// escapes, no control characters, valid UTF-8) as a substring of raw; ok is
// false for any other value.
func plainString(raw string) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	ascii := true
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	if !ascii && !utf8.ValidString(inner) {
		return "", false
	}
	return inner, true
}

// The splitters below read text validated already (by parseText): they
// find where things end and do not check them again.

// valueEnd returns the end of the valid JSON value that starts at s[i].
func valueEnd(s string, i int) int {
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch s[i] {
			case '"':
				i = stringEnd(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	// A number, true, false or null.
	for i < len(s) && !isDelimiter(s[i]) {
		i++
	}
	return i
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// stringEnd returns the end of the valid JSON string that starts at s[i].
func stringEnd(s string, i int) int {
	for i++; ; {
		j := strings.IndexByte(s[i:], '"')
		end := i + j
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		k := end
		for k > i && s[k-1] == '\\' {
			k--
		}
		if (end-k)%2 == 0 {
			return end + 1
		}
		i = end + 1
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// splitObject appends the members of the valid JSON object s to buf;
// plain is false when a name needs unescaping or is not ASCII.
func splitObject(s string, buf []Member) (members []Member, plain bool) {
	i := skipSpace(s, 0) + 1 // past '{'
	i = skipSpace(s, i)
	if s[i] == '}' {
		return buf, true
	}
	for {
		end := stringEnd(s, i)
		name := s[i+1 : end-1]
		if !plainASCII(name) {
			return nil, false
		}
		i = skipSpace(s, skipSpace(s, end)+1) // past the ':'
		vend := valueEnd(s, i)
		buf = append(buf, Member{Name: name, Value: s[i:vend]})
		i = skipSpace(s, vend)
		if s[i] == '}' {
			return buf, true
		}
		i = skipSpace(s, i+1) // past the ','
	}
}
