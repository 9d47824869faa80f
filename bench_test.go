package qfpay

// Benchmarks in pairs: each beside a baseline doing the same work by hand,
// so that the ratio of the two holds on a noisy machine. Measure with
//
//	go test -run '^$' -bench . -benchmem -benchtime=2s -count=5 .
//
// and compare the medians of each pair.

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

var benchSink string

const benchMchID = "ZaMVg12345"

// benchParams are a typical payment's eight parameters.
func benchParams() url.Values {
	return url.Values{
		"mchid":        {benchMchID},
		"out_trade_no": {"01234567890123"},
		"pay_type":     {"800101"},
		"txamt":        {"10"},
		"txcurrcd":     {"EUR"},
		"txdtm":        {"2019-12-25 14:21:28"},
		"goods_name":   {"qfpay"},
		"udid":         {"qiantai2"},
	}
}

// benchCanonical is the string benchParams sign, written by hand: the
// sorted name=value pairs and the key.
const benchCanonical = "goods_name=qfpay&mchid=" + benchMchID + "&out_trade_no=01234567890123&pay_type=800101" +
	"&txamt=10&txcurrcd=EUR&txdtm=2019-12-25 14:21:28&udid=qiantai2" + testClientKey

// signBaseline signs the plain way: sorted names, a strings.Builder,
// crypto/md5, upper-case hex. BenchmarkPaymentBaseline signs with it.
func signBaseline(params url.Values, key string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(params.Get(k))
	}
	sb.WriteString(key)
	sum := md5.Sum([]byte(sb.String()))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// BenchmarkSign signs a typical eight-parameter payment: target within
// 1.5x of BenchmarkSignBaseline and at most 2 allocations.
func BenchmarkSign(b *testing.B) {
	params := benchParams()
	sum := md5.Sum([]byte(benchCanonical))
	if Sign(params, testClientKey, MD5) != strings.ToUpper(hex.EncodeToString(sum[:])) || signBaseline(params, testClientKey) != Sign(params, testClientKey, MD5) {
		b.Fatal("Sign and the baselines disagree")
	}
	b.ReportAllocs()
	for b.Loop() {
		benchSink = Sign(params, testClientKey, MD5)
	}
}

// BenchmarkSignBaseline is the raw MD5 of the same canonical string, built
// by hand beforehand, written as upper-case hex: the hashing any signer
// does, with nothing else.
func BenchmarkSignBaseline(b *testing.B) {
	canonical := []byte(benchCanonical)
	b.ReportAllocs()
	for b.Loop() {
		sum := md5.Sum(canonical)
		benchSink = strings.ToUpper(hex.EncodeToString(sum[:]))
	}
}

// benchGateway answers every request, after reading its form, with the
// documentation's sample payment answer.
func benchGateway(b *testing.B) *httptest.Server {
	b.Helper()
	answer := []byte(specPaymentJSON)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("out_trade_no") == "" || r.Header.Get("X-QF-SIGN") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkPayment is a whole Payment call against a local server: encode,
// sign, send, read, check and decode.
func BenchmarkPayment(b *testing.B) {
	srv := benchGateway(b)
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(srv.URL), WithMerchantID(benchMchID))
	if err != nil {
		b.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	req := &PaymentRequest{PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyEUR, OutTradeNo: "01234567890123", GoodsName: "qfpay", DeviceID: "qiantai2"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Payment(ctx, req)
		if err != nil || resp.SysSN == "" {
			b.Fatal(resp, err)
		}
	}
}

// BenchmarkPaymentBaseline posts the same signed form by hand with net/http
// and decodes the answer into a map.
func BenchmarkPaymentBaseline(b *testing.B) {
	srv := benchGateway(b)
	hc := &http.Client{Timeout: DefaultTimeout}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		form := url.Values{}
		form.Set("mchid", benchMchID)
		form.Set("out_trade_no", "01234567890123")
		form.Set("pay_type", "800101")
		form.Set("txamt", "10")
		form.Set("txcurrcd", "EUR")
		form.Set("txdtm", testNow.Format(time.DateTime))
		form.Set("goods_name", "qfpay")
		form.Set("udid", "qiantai2")
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+pathPayment, strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		hreq.Header.Set("X-QF-APPCODE", testAppCode)
		hreq.Header.Set("X-QF-SIGN", signBaseline(form, testClientKey))
		resp, err := hc.Do(hreq)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var answer map[string]any
		if err := json.Unmarshal(data, &answer); err != nil || answer["respcd"] != "0000" || answer["syssn"] == "" {
			b.Fatal(string(data), err)
		}
	}
}
