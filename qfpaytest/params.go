package qfpaytest

import (
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// params reads a call's parameters, keeping the first error: 1104 for a
// missing or unacceptable value, 1103 for a value of the wrong format.
type params struct {
	v   url.Values
	err *apiError
}

func (p *params) fail(code, format string, args ...any) {
	if p.err == nil {
		p.err = refuse(code, format, args...)
	}
}

// str reads name; required refuses it absent or empty; maxRunes > 0 bounds
// its length.
func (p *params) str(name string, required bool, maxRunes int) string {
	s := p.v.Get(name)
	if s == "" && required {
		p.fail("1104", "%s is required", name)
	}
	if maxRunes > 0 && utf8.RuneCountInString(s) > maxRunes {
		p.fail("1104", "%s has %d characters, at most %d", name, utf8.RuneCountInString(s), maxRunes)
	}
	return s
}

// amount reads a positive amount in minor units.
func (p *params) amount(name string, required bool) int64 {
	s := p.str(name, required, 0)
	if s == "" {
		return 0
	}
	if !digits(s) || len(s) > 11 {
		p.fail("1103", "%s %q: want a whole number of minor units", name, s)
		return 0
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	if n <= 0 {
		p.fail("1104", "%s must be above zero", name)
	}
	return n
}

// time reads a YYYY-MM-DD hh:mm:ss time in loc.
func (p *params) time(name string, required bool, loc *time.Location) time.Time {
	s := p.str(name, required, 0)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(timeLayout, s, loc)
	if err != nil || len(s) != len(timeLayout) {
		p.fail("1103", "%s %q: want YYYY-MM-DD hh:mm:ss", name, s)
	}
	return t
}

// integer reads a whole number within lo..hi; def when absent.
func (p *params) integer(name string, def, lo, hi int) int {
	s := p.v.Get(name)
	if s == "" {
		return def
	}
	if !digits(s) || len(s) > 9 {
		p.fail("1103", "%s %q: want a whole number", name, s)
		return def
	}
	n, _ := strconv.Atoi(s)
	if n < lo || n > hi {
		p.fail("1104", "%s must be within %d to %d, got %d", name, lo, hi, n)
	}
	return n
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// notifyURL reads an optional notify_url: String(256), an absolute http(s)
// URL (the gateway would have nowhere to post otherwise).
func (p *params) notifyURL() string {
	return p.absURL("notify_url", false, 256)
}

// absURL reads an absolute http(s) URL of at most maxRunes characters.
func (p *params) absURL(name string, required bool, maxRunes int) string {
	s := p.str(name, required, maxRunes)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("1104", "%s %q: want an absolute http(s) URL", name, s)
		return ""
	}
	return s
}
