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
	// One pass over the map gathers the names, each with its one value
	// (no lookup afterwards), into arrays on the stack, insertion-sorting
	// the few names of a request on the way; the pairs are copied into a
	// stack buffer of the exact size. A typical request costs the hash and
	// one allocation, the returned string. Many names, or a name with
	// several values (or none), take the general way.
	const small = 16
	if len(params) > small {
		return signSorted(params, clientKey, t)
	}
	var names, values [small]string
	n, size := 0, len(clientKey)
	for k, vs := range params {
		if len(vs) != 1 {
			return signSorted(params, clientKey, t)
		}
		j := n
		for ; j > 0 && nameLess(k, names[j-1]); j-- {
			names[j], values[j] = names[j-1], values[j-1]
		}
		names[j], values[j] = k, vs[0]
		n++
		size += len(k) + len(vs[0]) + 2
	}
	var stack [512]byte
	buf := stack[:]
	if size > len(stack) {
		buf = make([]byte, size)
	}
	pos := 0
	for i := range n {
		pos += copy(buf[pos:], names[i])
		buf[pos] = '='
		pos += 1 + copy(buf[pos+1:], values[i])
		buf[pos] = '&'
		pos++
	}
	if pos > 0 {
		pos-- // the last '&'
	}
	pos += copy(buf[pos:], clientKey)
	return hashHex(buf[:pos], t)
}

// nameLess orders parameter names by byte order, deciding on the first byte
// without a call when it differs, as it mostly does.
func nameLess(a, b string) bool {
	if a != "" && b != "" && a[0] != b[0] {
		return a[0] < b[0]
	}
	return a < b
}

// signSorted is Sign for a request of many names, or of a name with
// several values (or none): sorted with the standard library.
func signSorted(params url.Values, clientKey string, t SignType) string {
	form := make(wire.Form, 0, len(params))
	for k, vs := range params {
		for _, v := range vs {
			form = append(form, wire.Param{Name: k, Value: v})
		}
	}
	slices.SortStableFunc(form, func(a, b wire.Param) int { return strings.Compare(a.Name, b.Name) })
	return signForm(form, clientKey, t)
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
