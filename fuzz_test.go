package qfpay

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// addTestdataSeeds adds every testdata/*.json answer to the corpus through
// add, so that recorded answers added later become seeds too.
func addTestdataSeeds(f *testing.F, add func(body []byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

// FuzzSign checks Sign against a plain reimplementation of the API's
// algorithm for arbitrary parameters: params holds one name=value pair a
// line; a name given twice has two values.
func FuzzSign(f *testing.F) {
	raw, err := os.ReadFile(signatureVectorsFile)
	if err != nil {
		f.Fatal(err)
	}
	var vectors signatureVectors
	if err := json.Unmarshal(raw, &vectors); err != nil {
		f.Fatal(err)
	}
	for _, v := range vectors.Requests {
		var lines []string
		for k, val := range v.Params {
			lines = append(lines, k+"="+val)
		}
		f.Add(strings.Join(lines, "\n"), v.Key, v.SignType == string(SHA256))
	}
	for _, seed := range []string{
		"",
		"=",
		"a=",
		"bcd=value2\nabc=value1\nbad=value3",
		"return_url=https://m.example/ok?a=1&b=2\ngoods_name=咖啡 x2",
		"b=1\nB=2\na_b=3\nab=4",
		"k=1\nk=2\nk=3",
		"k=v=w\n=v\nx&y=z",
		"\xff\xfe=\x00\nä=ö",
		strings.Repeat("p=0123456789\n", 60),
	} {
		f.Add(seed, "KEY", false)
		f.Add(seed, "", true)
	}

	f.Fuzz(func(t *testing.T, lines, key string, sha bool) {
		st := MD5
		if sha {
			st = SHA256
		}
		// The pairs, grouped by name in first-seen order, values in order.
		var names []string
		values := map[string][]string{}
		for line := range strings.SplitSeq(lines, "\n") {
			k, v, _ := strings.Cut(line, "=")
			if _, ok := values[k]; !ok {
				names = append(names, k)
			}
			values[k] = append(values[k], v)
		}
		forward, backward := url.Values{}, url.Values{}
		for _, k := range names {
			for _, v := range values[k] {
				forward.Add(k, v)
			}
		}
		for _, k := range slices.Backward(names) {
			backward[k] = slices.Clone(values[k])
		}

		got := Sign(forward, key, st)
		if again := Sign(forward, key, st); again != got {
			t.Fatalf("not deterministic: %s then %s", got, again)
		}
		if other := Sign(backward, key, st); other != got {
			t.Fatalf("depends on insertion order: %s vs %s", got, other)
		}
		wantLen := 32
		if st == SHA256 {
			wantLen = 64
		}
		if len(got) != wantLen || strings.Trim(got, "0123456789ABCDEF") != "" {
			t.Fatalf("%q is not %d upper-case hex digits", got, wantLen)
		}

		var pairs []string
		for _, k := range slices.Sorted(slices.Values(names)) {
			for _, v := range values[k] {
				pairs = append(pairs, k+"="+v)
			}
		}
		if want := referenceHash(strings.Join(pairs, "&")+key, st); got != want {
			t.Fatalf("Sign = %s, reference = %s over %q", got, want, pairs)
		}
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fuzzStatuses are the HTTP statuses FuzzDecodeResponse answers with.
var fuzzStatuses = []int{200, 200, 200, 201, 400, 404, 429, 500, 502, 503}

// FuzzDecodeResponse sends arbitrary bytes as the gateway's answer through
// the whole request path of a payment and of a query: no panic, a success
// is never zero-valued, and a payment failure that is not a definite
// refusal is reported as an unknown outcome.
func FuzzDecodeResponse(f *testing.F) {
	addTestdataSeeds(f, func(b []byte) { f.Add(b, uint8(0)) })
	for _, seed := range []string{
		specPaymentJSON,
		queryPageJSON,
		"",
		"null",
		"[]",
		"{}",
		`{"respcd": 0000, "syssn": 20191225000200020060996533}`,
		`{"respcd": "0000", "syssn": ""}`,
		`{"respcd": "0000", "syssn": null}`,
		`{"respcd": "1143", "syssn": "1"}`,
		`{"respcd": "1201", "resperr": "insufficient balance"}`,
		`{"respcd": {"a": 1}}`,
		`{"respcd": "0000", "syssn": "1", "txamt": 1e400}`,
		`{"respcd": "0000", "syssn": "1", "txamt": "1.5"}`,
		`{"respcd": "0000", "syssn": "1", "sysdtm": "2019-13-45 99:99:99"}`,
		`{"respcd": "0000", "syssn": "1", "pay_params": {"appId": "wx"}}`,
		`{"respcd": "0000", "data": [{"syssn": 1}, null, 7]}`,
		`{"respcd": "0000", "data": [null]}`,
		`{"respcd": "0000", "data": [{"out_trade_no": "P-1"}]}`,
		`{"respcd": "0000", "page": "x"}`,
		"\xef\xbb\xbf{\"respcd\": \"0000\", \"syssn\": \"1\"}",
		`{"respcd": "0000", "syssn": "\ud800"}`,
		strings.Repeat("[", 10000),
		"<html><body>502 Bad Gateway</body></html>",
	} {
		for sel := range len(fuzzStatuses) {
			f.Add([]byte(seed), uint8(sel))
		}
	}

	f.Fuzz(func(t *testing.T, body []byte, sel uint8) {
		status := fuzzStatuses[int(sel)%len(fuzzStatuses)]
		transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
			}
			return &http.Response{
				StatusCode: status,
				Header:     http.Header{"Content-Type": {"application/json"}},
				Body:       io.NopCloser(strings.NewReader(string(body))),
				Request:    r,
			}, nil
		})
		c, err := NewClient(testAppCode, testClientKey, WithBaseURL(testBaseURL),
			WithHTTPClient(&http.Client{Transport: transport}), WithRetry(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		c.now = func() time.Time { return testNow }
		ctx := context.Background()

		pay, err := c.Payment(ctx, testPaymentRequest("P-1"))
		checkFuzzedAnswer(t, "payment", err, pay != nil)
		if err == nil && pay.SysSN == "" {
			t.Fatalf("payment success without SysSN from %q", body)
		}
		if err == nil && (status < 200 || status > 299) {
			t.Fatalf("payment success from an HTTP %d answer %q", status, body)
		}
		if err != nil && !errors.Is(err, ErrPending) && pay != nil {
			t.Fatalf("payment failure with a response: %v", err)
		}
		var apiErr *APIError
		// Only the gateway's own words are definite: a respcd, or its
		// documented 429 refusal; any other HTTP error page is not.
		definite := errors.As(err, &apiErr) && (apiErr.Code != "" || apiErr.HTTPStatus == 429)
		if err != nil && definite == errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("HTTP %d %q: outcome unknown is %v for %v", status, body, !definite, err)
		}

		q, err := c.Query(ctx, &QueryRequest{OutTradeNos: []string{"P-1"}})
		checkFuzzedAnswer(t, "query", err, q != nil)
		if err == nil {
			for i, tx := range q.Transactions {
				if tx.SysSN == "" {
					t.Fatalf("query success listing transaction %d without SysSN from %q", i, body)
				}
			}
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("a query moves no money: %v", err)
		}
	})
}

// checkFuzzedAnswer checks what every call promises: a response or an
// error of the package's kinds, with a message that starts "qfpay:".
func checkFuzzedAnswer(t *testing.T, call string, err error, gotResponse bool) {
	t.Helper()
	if err == nil {
		if !gotResponse {
			t.Fatalf("%s: nil response and nil error", call)
		}
		return
	}
	if !strings.HasPrefix(err.Error(), "qfpay: ") {
		t.Fatalf("%s: error %q does not start with qfpay:", call, err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) && !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("%s: error of no known kind: %v", call, err)
	}
	if apiErr != nil && apiErr.Code == CodeSuccess {
		t.Fatalf("%s: an error with respcd 0000: %v", call, err)
	}
}
