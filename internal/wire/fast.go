package wire

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The answers of the API are small flat objects of plain ASCII strings and
// numbers. The fast paths below read those without encoding/json's
// reflection; anything else is left to encoding/json, whose results they
// match exactly (FuzzParseObject compares the two).

// splitObject reads body when it is a valid JSON object whose names need no
// unescaping, the values kept raw in a copy of body; ok is false otherwise.
func splitObject(body []byte) (obj Object, ok bool) {
	if !json.Valid(body) {
		return nil, false
	}
	b := bytes.Clone(body)
	i := skipSpace(b, 0)
	if b[i] != '{' {
		return nil, false
	}
	obj = make(Object, 16)
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return obj, true
	}
	for {
		// b[i] opens a name: the input is valid JSON.
		j := i + 1
		for b[j] != '"' {
			if b[j] == '\\' || b[j] >= utf8.RuneSelf {
				return nil, false
			}
			j++
		}
		name := string(b[i+1 : j])
		i = skipSpace(b, skipSpace(b, j+1)+1) // past the ':'
		end := valueEnd(b, i)
		obj[name] = json.RawMessage(b[i:end:end])
		i = skipSpace(b, end)
		if b[i] == '}' {
			return obj, true
		}
		i = skipSpace(b, i+1) // past the ','
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the end of the valid JSON value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
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
	for i < len(b) && !isDelimiter(b[i]) {
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

// stringEnd returns the end of the valid JSON string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// plainString returns the text of a JSON string of printable ASCII with no
// escapes; ok is false for any other value.
func plainString(raw []byte) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(inner), true
}
