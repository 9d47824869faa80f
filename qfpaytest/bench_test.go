package qfpaytest

// Benchmarks of the sandbox beside baselines, as in the qfpay package:
//
//	go test -run '^$' -bench . -benchmem ./qfpaytest
//
// BenchmarkServerTransactions lists stores of 1k, 10k and 100k
// transactions: its ns/tx and B/tx at 100k are to stay within 1.5x of
// those at 1k (a page costs O(page)). BenchmarkHandler is to stay within
// 2.5x of BenchmarkHandlerBaseline, a trivial gateway.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
)

// handlerTransport serves requests with h in memory: no sockets, so that
// a benchmark measures the server and the client, not the loopback.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// seed stores n paid payments of the current month, one a second up to
// internalNow, as payments the server made would be stored.
func seed(s *Server, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := internalNow.Add(-time.Duration(n) * time.Second)
	for i := range n {
		at := start.Add(time.Duration(i) * time.Second)
		t := &txn{
			syssn: s.nextSysSNLocked(at), outTradeNo: "seed-" + strconv.Itoa(i), orderType: orderPayment,
			payType: qfpay.PayTypeAlipayMPM, amount: 100, currency: "HKD", txdtm: at.Format(timeLayout),
			loc: beijing, sysTime: at, payTime: at, respcd: codeOK, goodsName: "tea", udid: "pos-1",
		}
		t.chnlsn = "42" + t.syssn
		s.addLocked(t)
	}
}

// BenchmarkServerTransactions lists every transaction of a store with the
// SDK's Transactions, 100 a page, through the server's handler.
func BenchmarkServerTransactions(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			s := NewServer(internalAppCode, internalClientKey, WithoutListener())
			defer s.Close()
			s.SetNow(internalNow)
			seed(s, n)
			c, err := qfpay.NewClient(internalAppCode, internalClientKey, qfpay.WithBaseURL("http://127.0.0.1:1"),
				qfpay.WithHTTPClient(&http.Client{Transport: handlerTransport{s}}), qfpay.WithLocation(beijing))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				listed := 0
				for tx, err := range c.Transactions(ctx, &qfpay.QueryRequest{}) {
					if err != nil || tx.SysSN == "" {
						b.Fatal(tx, err)
					}
					listed++
				}
				if listed != n {
					b.Fatal(listed)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			txs := float64(b.N * n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/txs, "ns/tx")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/txs, "B/tx")
		})
	}
}

// handlerRequests makes n signed payment requests, each with its own
// out_trade_no, ready to serve.
func handlerRequests(n, from int) []*http.Request {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		form := url.Values{
			"pay_type": {"800101"}, "txamt": {"1250"}, "txcurrcd": {"HKD"}, "out_trade_no": {"order-" + strconv.Itoa(from+i)},
			"txdtm": {internalNow.Format(timeLayout)}, "goods_name": {"tea"}, "udid": {"pos-1"},
		}
		r := httptest.NewRequest(http.MethodPost, "/trade/v1/payment", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		r.Header.Set("X-QF-APPCODE", internalAppCode)
		r.Header.Set("X-QF-SIGN", qfpay.Sign(form, internalClientKey, qfpay.MD5))
		reqs[i] = r
	}
	return reqs
}

// discardWriter is a ResponseWriter that keeps the status and nothing
// else, reused between requests.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

// benchHandler serves a fresh payment request with h per iteration, the
// requests made in batches outside the timer.
func benchHandler(b *testing.B, h http.Handler) {
	w := &discardWriter{h: http.Header{}}
	var reqs []*http.Request
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%1024 == 0 {
			b.StopTimer()
			reqs = handlerRequests(1024, i)
			b.StartTimer()
		}
		w.reset()
		h.ServeHTTP(w, reqs[i%1024])
		if w.status != http.StatusOK || w.n == 0 {
			b.Fatal(w.status)
		}
	}
}

// BenchmarkHandler is the sandbox's handler serving merchant-presented
// payments: read and check the request, store the payment, answer.
func BenchmarkHandler(b *testing.B) {
	s := NewServer(internalAppCode, internalClientKey, WithoutListener())
	defer s.Close()
	s.SetNow(internalNow)
	benchHandler(b, s)
}

// trivialAnswer is the payment answer of the trivial gateway.
type trivialAnswer struct {
	SysSN      string `json:"syssn"`
	OutTradeNo string `json:"out_trade_no"`
	PayType    string `json:"pay_type"`
	Amount     string `json:"txamt"`
	Currency   string `json:"txcurrcd"`
	TxTime     string `json:"txdtm"`
	SysTime    string `json:"sysdtm"`
	QRCode     string `json:"qrcode"`
	RespCode   string `json:"respcd"`
	Message    string `json:"resperr"`
	Detail     string `json:"respmsg"`
}

// BenchmarkHandlerBaseline is a trivial gateway written by hand: it reads
// the form, checks the app code and the signature and answers the
// payment with encoding/json, storing nothing.
func BenchmarkHandlerBaseline(b *testing.B) {
	seq := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Header.Get("X-QF-APPCODE") != internalAppCode ||
			qfpay.Sign(r.PostForm, internalClientKey, qfpay.MD5) != r.Header.Get("X-QF-SIGN") {
			http.Error(w, "refused", http.StatusBadRequest)
			return
		}
		seq++
		syssn := fmt.Sprintf("2024033100020002%010d", seq)
		var buf bytes.Buffer
		_ = json.NewEncoder(&buf).Encode(trivialAnswer{
			SysSN: syssn, OutTradeNo: r.PostForm.Get("out_trade_no"), PayType: r.PostForm.Get("pay_type"),
			Amount: r.PostForm.Get("txamt"), Currency: r.PostForm.Get("txcurrcd"), TxTime: r.PostForm.Get("txdtm"),
			SysTime: internalNow.Format(timeLayout), QRCode: "http://127.0.0.1/pay/" + syssn, RespCode: codeOK, Message: "success",
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, &buf)
	})
	benchHandler(b, h)
}
