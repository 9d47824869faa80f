package qfpaytest_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// Test credentials, of the shape the documentation shows.
const (
	appCode   = "D5589D2A1F2E42A9A60C37A1B2C3D4E5"
	clientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
)

var utc8 = time.FixedZone("UTC+8", 8*60*60)

// t0 is the frozen clock of newServer: the documentation's sample time.
var t0 = time.Date(2019, 12, 25, 14, 21, 28, 0, utc8)

// newServer starts a sandbox with its clock frozen at t0, closed at the
// end of the test.
func newServer(t *testing.T, opts ...qfpaytest.Option) *qfpaytest.Server {
	t.Helper()
	srv := qfpaytest.NewServer(appCode, clientKey, opts...)
	srv.SetNow(t0)
	t.Cleanup(srv.Close)
	return srv
}

// newClient is an SDK client for srv with fast retries, on srv's clock:
// the months it searches by out_trade_no are the server's.
func newClient(t *testing.T, srv *qfpaytest.Server, opts ...qfpay.Option) *qfpay.Client {
	t.Helper()
	base := []qfpay.Option{
		qfpay.WithBaseURL(srv.URL),
		qfpay.WithClock(srv.Now),
		qfpay.WithRetry(qfpay.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
	}
	c, err := qfpay.NewClient(appCode, clientKey, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// refSign signs params the way the documentation's Python sample does,
// independently of qfpay.Sign.
func refSign(params url.Values, key string, sha bool) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		for _, v := range params[k] {
			pairs = append(pairs, k+"="+v)
		}
	}
	s := strings.Join(pairs, "&") + key
	if sha {
		sum := sha256.Sum256([]byte(s))
		return strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func md5Upper(s string) string {
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// form builds parameters from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// answer is what the sandbox answered.
type answer struct {
	status int
	header http.Header
	body   []byte
	obj    map[string]any
}

// str is a top-level field of the JSON answer as text ("" when absent).
func (a answer) str(key string) string {
	switch v := a.obj[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// data is the query answer's transactions.
func (a answer) data(t *testing.T) []map[string]any {
	t.Helper()
	raw, ok := a.obj["data"].([]any)
	require.True(t, ok, "data in %s", a.body)
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

// reqOpt changes a request before it is sent (after signing).
type reqOpt func(*http.Request)

func header(name, value string) reqOpt {
	return func(r *http.Request) {
		if value == "" {
			r.Header.Del(name)
		} else {
			r.Header.Set(name, value)
		}
	}
}

// do sends params to path, signed with MD5 in the headers: as a form body
// for POST, as the query for GET.
func do(t *testing.T, srv *qfpaytest.Server, method, path string, params url.Values, opts ...reqOpt) answer {
	t.Helper()
	encoded := params.Encode()
	target := srv.URL + path
	var body io.Reader
	if method == http.MethodGet {
		target += "?" + encoded
	} else {
		body = strings.NewReader(encoded)
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	}
	req.Header.Set("X-QF-APPCODE", appCode)
	req.Header.Set("X-QF-SIGN", refSign(params, clientKey, false))
	for _, o := range opts {
		o(req)
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, body: raw}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&a.obj), "JSON answer %s", raw)
	}
	return a
}

var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func post(t *testing.T, srv *qfpaytest.Server, path string, params url.Values, opts ...reqOpt) answer {
	t.Helper()
	return do(t, srv, http.MethodPost, path, params, opts...)
}

// requireCode checks the answer's respcd (and that an error says why).
func requireCode(t *testing.T, a answer, code string) {
	t.Helper()
	require.Equal(t, code, a.str("respcd"), "answer %s", a.body)
	if code != "0000" {
		require.Contains(t, a.str("resperr"), "("+code+")")
	}
}

const txdtm = "2019-12-25 14:21:28"

// mpm is the parameters of a merchant-presented payment.
func mpm(outTradeNo string, amount string) url.Values {
	return form("pay_type", "800101", "txamt", amount, "txcurrcd", "HKD", "out_trade_no", outTradeNo, "txdtm", txdtm)
}

// cpm is the parameters of a consumer-presented payment.
func cpm(outTradeNo, amount, authCode string) url.Values {
	return form("pay_type", "800208", "txamt", amount, "txcurrcd", "HKD", "out_trade_no", outTradeNo, "txdtm", txdtm, "auth_code", authCode)
}

func refund(syssn, outTradeNo, amount string) url.Values {
	return form("syssn", syssn, "out_trade_no", outTradeNo, "txamt", amount, "txdtm", txdtm)
}

// queryOne lists the one transaction with syssn.
func queryOne(t *testing.T, srv *qfpaytest.Server, syssn string) map[string]any {
	t.Helper()
	a := post(t, srv, "/trade/v1/query", form("syssn", syssn))
	requireCode(t, a, "0000")
	d := a.data(t)
	require.Len(t, d, 1, "query of %s: %s", syssn, a.body)
	return d[0]
}

// paid makes a paid CPM payment and returns its syssn.
func paid(t *testing.T, srv *qfpaytest.Server, outTradeNo, amount string) string {
	t.Helper()
	a := post(t, srv, "/trade/v1/payment", cpm(outTradeNo, amount, qfpaytest.AuthCodeSuccess))
	requireCode(t, a, "0000")
	return a.str("syssn")
}
