package qfpay

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceHash hashes s the way the API documentation's Python sample does
// (hashlib over the UTF-8 bytes, hexdigest, upper()), independently of the
// package's own signer, so tests can recompute signatures from what was sent.
func referenceHash(s string, t SignType) string {
	if t == SHA256 {
		sum := sha256.Sum256([]byte(s))
		return strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Test credentials: the reference vectors' key, and an app code of the same
// shape the documentation shows.
const (
	testAppCode   = "D5589D2A1F2E42A9A60C37A1B2C3D4E5"
	testClientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
	testBaseURL   = "https://qfpay.test"
)

// testNow is the fixed clock of setup's client: the documentation's sample
// payment time, in the API's zone.
var testNow = time.Date(2019, 12, 25, 14, 21, 28, 0, beijing)

// received is one request as the mock gateway got it.
type received struct {
	Method string
	Path   string
	Header http.Header
	// Params are the form (POST) or query (GET) parameters, decoded.
	Params url.Values
	// RawBody is the body exactly as sent; RawQuery the query string.
	RawBody  string
	RawQuery string
}

// testEnv is a Client wired to an httpmock transport: no network, fixed
// clock, fast retries, and every request recorded.
type testEnv struct {
	t      *testing.T
	client *Client
	mock   *httpmock.MockTransport
	mu     sync.Mutex
	reqs   []received
}

// setup returns a client for testBaseURL whose requests go to an httpmock
// transport, its clock at testNow. Extra options are applied after the
// test defaults (a WithClock among them replaces testNow).
func setup(t *testing.T, opts ...Option) *testEnv {
	t.Helper()
	e := &testEnv{t: t, mock: httpmock.NewMockTransport()}
	base := []Option{
		WithBaseURL(testBaseURL),
		WithHTTPClient(&http.Client{Transport: e.mock}),
		WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}),
		WithClock(func() time.Time { return testNow }),
	}
	c, err := NewClient(testAppCode, testClientKey, append(base, opts...)...)
	require.NoError(t, err)
	e.client = c
	return e
}

// record captures r for later assertions.
func (e *testEnv) record(r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	params, _ := url.ParseQuery(r.URL.RawQuery)
	if r.Method != http.MethodGet {
		params, _ = url.ParseQuery(string(body))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reqs = append(e.reqs, received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Params: params, RawBody: string(body), RawQuery: r.URL.RawQuery})
}

// respond answers method path with status and body, recording each request.
// Extra headers are given as name, value pairs.
func (e *testEnv) respond(method, path string, status int, body string, header ...string) {
	e.mock.RegisterResponder(method, testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		e.record(r)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	})
}

// respondFile answers method path with HTTP 200 and testdata/<file>.
func (e *testEnv) respondFile(method, path, file string) {
	e.respond(method, path, http.StatusOK, readTestdata(e.t, file))
}

// respondFunc answers method path with fn, recording each request.
func (e *testEnv) respondFunc(method, path string, fn func(*http.Request) (*http.Response, error)) {
	e.mock.RegisterResponder(method, testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		e.record(r)
		return fn(r)
	})
}

// requests returns what the gateway received so far.
func (e *testEnv) requests() []received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]received(nil), e.reqs...)
}

// last returns the one request received, failing unless exactly one was.
func (e *testEnv) last() received {
	e.t.Helper()
	reqs := e.requests()
	require.Len(e.t, reqs, 1, "requests received")
	return reqs[0]
}

func readTestdata(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	return string(b)
}

// mustReadTestdata reads testdata/<file> for a package-level fixture.
func mustReadTestdata(file string) string {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// assertSigned recomputes the signature from the parameters the gateway
// received, the way the documentation's Python sample does, and checks the
// headers that carry it.
func assertSigned(t *testing.T, r received, signType SignType) {
	t.Helper()
	for k, vs := range r.Params {
		require.Len(t, vs, 1, "parameter %s sent once", k)
		require.NotEmpty(t, vs[0], "parameter %s sent empty", k)
	}
	signed := canonicalString(r.Params)
	want := referenceHash(signed+testClientKey, signType)
	assert.Equal(t, want, r.Header.Get("X-QF-SIGN"), "X-QF-SIGN over %q", signed)
	assert.Equal(t, testAppCode, r.Header.Get("X-QF-APPCODE"))
	if signType == SHA256 {
		assert.Equal(t, "SHA256", r.Header.Get("X-QF-SIGNTYPE"))
	} else {
		assert.Empty(t, r.Header.Get("X-QF-SIGNTYPE"))
	}
}

// assertNoKey fails when s holds the client key in either letter case.
func assertNoKey(t *testing.T, s, what string) {
	t.Helper()
	assert.NotContains(t, s, testClientKey, what)
	assert.NotContains(t, strings.ToLower(s), strings.ToLower(testClientKey), what)
}

// canonicalString is the string a request's signature covers, without the
// key: sorted name=value pairs joined with '&'.
func canonicalString(form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + form.Get(k))
	}
	return b.String()
}
