package qfpay

import (
	"crypto/md5"
	"crypto/sha256"
	"net/url"
	"slices"
	"strings"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// SignType names the hash the request signature uses (API section
// "Signature Generation"). The gateway defaults to MD5; SHA256 is the one it
// recommends and is announced with the X-QF-SIGNTYPE header.
type SignType string

// The signature algorithms the gateway accepts.
const (
	MD5    SignType = "MD5"    // the gateway's default; no X-QF-SIGNTYPE header is sent
	SHA256 SignType = "SHA256" // recommended by the API; sent with X-QF-SIGNTYPE: SHA256
)

// valid reports whether t is a sign type the gateway knows.
func (t SignType) valid() bool { return t == MD5 || t == SHA256 }

// Sign computes the request signature of the API section "Signature
// Generation": parameter names sorted by byte order, name=value pairs over
// the raw (not URL-encoded) values joined with '&', the client key appended,
// the UTF-8 bytes hashed with t (MD5 unless t is SHA256) and written as
// upper-case hex. A parameter given several values contributes one pair per
// value, in order. Sign is what the client puts in X-QF-SIGN; it is exported
// so that merchants can check a request or build a signed URL by hand.
func Sign(params url.Values, clientKey string, t SignType) string {
	// One pass over the map gathers each name with its values (no lookup
	// afterwards), insertion-sorting the few names of a request on the way;
	// the pairs are written to a stack buffer. A typical request costs the
	// hash and one allocation, the returned string.
	var pairBuf [16]param
	pairs := pairBuf[:0]
	small := len(params) <= len(pairBuf)
	if !small {
		pairs = make([]param, 0, len(params))
	}
	n := len(clientKey)
	for k, vs := range params {
		if small {
			pairs = pairs[:len(pairs)+1]
			j := len(pairs) - 1
			for ; j > 0 && nameLess(k, pairs[j-1].name); j-- {
				pairs[j] = pairs[j-1]
			}
			pairs[j] = param{k, vs}
		} else {
			pairs = append(pairs, param{k, vs})
		}
		for _, v := range vs {
			n += len(k) + len(v) + 2
		}
	}
	if !small {
		slices.SortFunc(pairs, func(a, b param) int { return strings.Compare(a.name, b.name) })
	}

	var stack [512]byte
	buf := stack[:0]
	if n > len(stack) {
		buf = make([]byte, 0, n)
	}
	for _, p := range pairs {
		for _, v := range p.values {
			if len(buf) > 0 {
				buf = append(buf, '&')
			}
			buf = append(buf, p.name...)
			buf = append(buf, '=')
			buf = append(buf, v...)
		}
	}
	buf = append(buf, clientKey...)
	return hashHex(buf, t)
}

// signForm is Sign of a form sorted already, as the client builds it:
// the pairs in their order, the key appended, hashed.
func signForm(form wire.Form, clientKey string, t SignType) string {
	size := len(clientKey)
	for _, p := range form {
		size += len(p.Name) + len(p.Value) + 2
	}
	var stack [512]byte
	buf := stack[:]
	if size > len(stack) {
		buf = make([]byte, size)
	}
	pos := 0
	for _, p := range form {
		pos += copy(buf[pos:], p.Name)
		buf[pos] = '='
		pos += 1 + copy(buf[pos+1:], p.Value)
		buf[pos] = '&'
		pos++
	}
	if pos > 0 {
		pos-- // the last '&'
	}
	pos += copy(buf[pos:], clientKey)
	return hashHex(buf[:pos], t)
}

// param is one name of a request with its values.
type param struct {
	name   string
	values []string
}

// nameLess orders parameter names by byte order, deciding on the first byte
// without a call when it differs, as it mostly does.
func nameLess(a, b string) bool {
	if a != "" && b != "" && a[0] != b[0] {
		return a[0] < b[0]
	}
	return a < b
}

// hashHex hashes b with t and returns the digest as upper-case hex.
func hashHex(b []byte, t SignType) string {
	if t == SHA256 {
		sum := sha256.Sum256(b)
		return upperHex(sum[:])
	}
	sum := md5.Sum(b)
	return upperHex(sum[:])
}

const hexDigits = "0123456789ABCDEF"

func upperHex(sum []byte) string {
	var out [2 * sha256.Size]byte
	putUpperHex(out[:], sum)
	return string(out[:2*len(sum)])
}

// putUpperHex writes src as upper-case hex into dst, which holds at least
// 2*len(src) bytes.
func putUpperHex(dst, src []byte) {
	for i, c := range src {
		dst[2*i] = hexDigits[c>>4]
		dst[2*i+1] = hexDigits[c&0x0f]
	}
}
