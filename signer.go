package qfpay

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"net/url"
	"slices"
	"strings"
)

// SignType names the hash the request signature uses (API section
// "Signature Generation"). The gateway defaults to MD5; SHA256 is the one it
// recommends and is announced with the X-QF-SIGNTYPE header.
type SignType string

// The signature algorithms the gateway accepts.
const (
	MD5    SignType = "MD5"
	SHA256 SignType = "SHA256"
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
	var keyBuf [24]string
	keys := keyBuf[:0]
	n := len(clientKey)
	for k, vs := range params {
		keys = append(keys, k)
		for _, v := range vs {
			n += len(k) + len(v) + 2
		}
	}
	slices.Sort(keys)

	var stack [512]byte
	buf := stack[:0]
	if n > len(stack) {
		buf = make([]byte, 0, n)
	}
	first := true
	for _, k := range keys {
		for _, v := range params[k] {
			if !first {
				buf = append(buf, '&')
			}
			first = false
			buf = append(buf, k...)
			buf = append(buf, '=')
			buf = append(buf, v...)
		}
	}
	buf = append(buf, clientKey...)
	return hashHex(buf, t)
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
	for i, c := range sum {
		out[2*i] = hexDigits[c>>4]
		out[2*i+1] = hexDigits[c&0x0f]
	}
	return string(out[:2*len(sum)])
}

// signaturesEqual compares a received signature with the expected upper-case
// hex one in constant time, accepting either letter case.
func signaturesEqual(expected, got string) bool {
	if len(got) != len(expected) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(expected), []byte(strings.ToUpper(got))) == 1
}
