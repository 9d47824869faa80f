package qfpay

// Benchmarks in pairs: each beside a baseline doing the same work by hand
// as fast as plain Go does it, so that the ratio of the two holds on a
// noisy machine. Measure with
//
//	go test -run '^$' -bench . -benchmem .
//
// and compare each pair's medians over alternating -count=1 runs, as
// go run ./internal/benchpairs does (see the README's Performance
// section). No test asserts a time: the ratios are read here and in the
// README.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay/internal/wire"
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

// upperHexMD5 is the fastest plain way to the signature of canonical: MD5,
// hex into a stack buffer, upper-cased in place, one string.
func upperHexMD5(canonical []byte) string {
	sum := md5.Sum(canonical)
	var out [2 * md5.Size]byte
	hex.Encode(out[:], sum[:])
	for i, c := range out {
		if c >= 'a' {
			out[i] = c - ('a' - 'A')
		}
	}
	return string(out[:])
}

// signBaseline signs the plain way: sorted names, one buffer, MD5,
// upper-case hex. The hand-written baselines sign with it.
func signBaseline(params url.Values, key string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf := make([]byte, 0, 256)
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, '&')
		}
		buf = append(append(append(buf, k...), '='), params.Get(k)...)
	}
	return upperHexMD5(append(buf, key...))
}

// BenchmarkSign signs a typical eight-parameter payment: target within
// 1.5x of BenchmarkSignBaseline.
func BenchmarkSign(b *testing.B) {
	params := benchParams()
	if Sign(params, testClientKey, MD5) != upperHexMD5([]byte(benchCanonical)) || signBaseline(params, testClientKey) != Sign(params, testClientKey, MD5) {
		b.Fatal("Sign and the baselines disagree")
	}
	b.ReportAllocs()
	for b.Loop() {
		benchSink = Sign(params, testClientKey, MD5)
	}
}

// BenchmarkSignBaseline is the raw MD5 of the same canonical string, built
// by hand beforehand: the hashing any signer does, with nothing else.
func BenchmarkSignBaseline(b *testing.B) {
	canonical := []byte(benchCanonical)
	b.ReportAllocs()
	for b.Loop() {
		benchSink = upperHexMD5(canonical)
	}
}

// BenchmarkSignForm signs the same payment as the client signs what it
// sends: from its form, sorted when it was built, with no map to walk.
func BenchmarkSignForm(b *testing.B) {
	form := wire.FormOf(benchParams())
	if signForm(form, testClientKey, MD5) != upperHexMD5([]byte(benchCanonical)) {
		b.Fatal("signForm and the baseline disagree")
	}
	b.ReportAllocs()
	for b.Loop() {
		benchSink = signForm(form, testClientKey, MD5)
	}
}

// BenchmarkSignFormBaseline is BenchmarkSignBaseline, beside
// BenchmarkSignForm.
func BenchmarkSignFormBaseline(b *testing.B) { BenchmarkSignBaseline(b) }

// memTransport is a gateway in memory: it reads each request's form and
// answers with the bytes answer returns for it, so that a benchmark
// measures the client and nothing of a network.
type memTransport struct {
	answer func(form url.Values) []byte
}

var benchJSONHeader = http.Header{"Content-Type": {"application/json"}}

func (t *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Header.Get("X-QF-SIGN") == "" {
		return nil, fmt.Errorf("bad request: %v", err)
	}
	answer := t.answer(form)
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: benchJSONHeader, Body: io.NopCloser(bytes.NewReader(answer)),
		ContentLength: int64(len(answer)), Request: r,
	}, nil
}

func fixedAnswer(answer []byte) *memTransport {
	return &memTransport{answer: func(url.Values) []byte { return answer }}
}

// BenchmarkPayment is a whole Payment call on an in-memory transport:
// encode, sign, build the request, send, read, check and decode. Target
// within 1.15x of BenchmarkPaymentBaseline, at most 90 allocations.
func BenchmarkPayment(b *testing.B) {
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(testBaseURL), WithMerchantID(benchMchID),
		WithHTTPClient(&http.Client{Transport: fixedAnswer([]byte(specPaymentJSON))}))
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

// benchPaymentAnswer is the payment answer as a hand-written client
// declares it for encoding/json.
type benchPaymentAnswer struct {
	SysSN         string `json:"syssn"`
	OutTradeNo    string `json:"out_trade_no"`
	PayType       string `json:"pay_type"`
	Amount        int64  `json:"txamt,string"`
	Currency      string `json:"txcurrcd"`
	TxTime        string `json:"txdtm"`
	SysTime       string `json:"sysdtm"`
	PayTime       string `json:"paydtm"`
	QRCode        string `json:"qrcode"`
	ChannelSN     string `json:"chnlsn"`
	CardNumber    string `json:"cardcd"`
	DeviceID      string `json:"udid"`
	SurchargeFee  string `json:"surcharge_fee"`
	SurchargeRate string `json:"surcharge_rate"`
	RespCode      string `json:"respcd"`
	Message       string `json:"resperr"`
	Detail        string `json:"respmsg"`
}

// BenchmarkPaymentBaseline is the same call written by hand with net/http
// on the same transport: the form built, signed with signBaseline, posted
// with the same headers under one deadline, the answer decoded with
// encoding/json into a struct and its times parsed.
func BenchmarkPaymentBaseline(b *testing.B) {
	hc := &http.Client{Transport: fixedAnswer([]byte(specPaymentJSON))}
	ua := "qfpay-go/" + Version
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
		form := url.Values{}
		form.Set("mchid", benchMchID)
		form.Set("out_trade_no", "01234567890123")
		form.Set("pay_type", "800101")
		form.Set("txamt", "10")
		form.Set("txcurrcd", "EUR")
		form.Set("txdtm", testNow.Format(time.DateTime))
		form.Set("goods_name", "qfpay")
		form.Set("udid", "qiantai2")
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, testBaseURL+pathPayment, strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
		hreq.Header.Set("X-QF-APPCODE", testAppCode)
		hreq.Header.Set("X-QF-SIGN", signBaseline(form, testClientKey))
		hreq.Header.Set("Accept", "application/json")
		hreq.Header.Set("User-Agent", ua)
		resp, err := hc.Do(hreq)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		var ans benchPaymentAnswer
		if err := json.Unmarshal(data, &ans); err != nil || ans.RespCode != "0000" || ans.SysSN == "" {
			b.Fatal(string(data), err)
		}
		for _, s := range []string{ans.TxTime, ans.SysTime, ans.PayTime} {
			if _, err := time.ParseInLocation(time.DateTime, s, beijing); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchPages is how many full pages of MaxPageSize transactions the
// listing benchmarks go through, before the empty page that ends them.
const benchPages = 10

// benchPageAnswers are the answers to query pages 1 to benchPages: full
// pages of the documentation's sample transaction, each with its own
// syssn, then an empty page.
func benchPageAnswers(b *testing.B) [][]byte {
	b.Helper()
	var pages [][]byte
	for p := 1; p <= benchPages+1; p++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, `{"respmsg": "", "resperr": "请求成功", "respcd": "0000", "page": "%d", "page_size": "%d", "data": [`, p, MaxPageSize)
		for i := range MaxPageSize {
			if p > benchPages {
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, `{"cardtp": "5", "cancel": "0", "pay_type": "800101", "order_type": "payment", "clisn": "038424",
"txdtm": "2019-12-27 10:39:39", "goods_detail": "", "out_trade_no": "CHZ7D61JN1ANJF2R2K1I7T%010d", "syssn": "2019122700020002%010d",
"sysdtm": "2019-12-27 10:40:24", "paydtm": "2019-12-27 10:42:18", "goods_name": "", "txcurrcd": "EUR", "chnlsn2": "", "udid": "qiantai2",
"userid": "2605489", "txamt": "10", "chnlsn": "2019122722001411461404119764", "respcd": "0000", "goods_info": "", "errmsg": "success"}`, p*1000+i, p*1000+i)
		}
		sb.WriteString("]}")
		pages = append(pages, []byte(sb.String()))
	}
	return pages
}

// pagesTransport serves pages by the form's page parameter.
func pagesTransport(pages [][]byte) *memTransport {
	return &memTransport{answer: func(form url.Values) []byte {
		p, err := strconv.Atoi(form.Get("page"))
		if err != nil || p < 1 || p > len(pages) {
			return pages[len(pages)-1]
		}
		return pages[p-1]
	}}
}

func reportPerTx(b *testing.B, txs int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*txs), "ns/tx")
}

// BenchmarkTransactions lists benchPages full pages with Transactions on
// an in-memory transport; ns/tx is the cost per transaction listed.
// Target within 1.3x of BenchmarkTransactionsBaseline.
func BenchmarkTransactions(b *testing.B) {
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(testBaseURL),
		WithHTTPClient(&http.Client{Transport: pagesTransport(benchPageAnswers(b))}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for tx, err := range c.Transactions(ctx, &QueryRequest{}) {
			if err != nil || tx.SysSN == "" || tx.Amount != 10 || tx.PayTime.IsZero() {
				b.Fatal(tx, err)
			}
			n++
		}
		if n != benchPages*MaxPageSize {
			b.Fatal(n)
		}
	}
	reportPerTx(b, benchPages*MaxPageSize)
}

// benchTransaction is a listed transaction as a hand-written client
// declares it for encoding/json.
type benchTransaction struct {
	SysSN       string `json:"syssn"`
	OrigSysSN   string `json:"orig_syssn"`
	OutTradeNo  string `json:"out_trade_no"`
	PayType     string `json:"pay_type"`
	OrderType   string `json:"order_type"`
	Amount      int64  `json:"txamt,string"`
	Currency    string `json:"txcurrcd"`
	TxTime      string `json:"txdtm"`
	SysTime     string `json:"sysdtm"`
	PayTime     string `json:"paydtm"`
	Cancel      int    `json:"cancel,string"`
	RespCode    string `json:"respcd"`
	ErrMsg      string `json:"errmsg"`
	GoodsName   string `json:"goods_name"`
	GoodsInfo   string `json:"goods_info"`
	GoodsDetail string `json:"goods_detail"`
	ChannelSN   string `json:"chnlsn"`
	ChannelSN2  string `json:"chnlsn2"`
	CardNumber  string `json:"cardcd"`
	CardType    string `json:"cardtp"`
	DeviceID    string `json:"udid"`
	ClientSN    string `json:"clisn"`
	UserID      string `json:"userid"`

	paid time.Time
}

// BenchmarkTransactionsBaseline is the same listing written by hand: a
// loop over pages, each posted signed under one deadline, decoded with
// encoding/json, the times parsed, until a short page.
func BenchmarkTransactionsBaseline(b *testing.B) {
	hc := &http.Client{Transport: pagesTransport(benchPageAnswers(b))}
	ua := "qfpay-go/" + Version
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for page := 1; ; page++ {
			ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
			form := url.Values{}
			form.Set("page", strconv.Itoa(page))
			form.Set("page_size", strconv.Itoa(MaxPageSize))
			hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, testBaseURL+pathQuery, strings.NewReader(form.Encode()))
			if err != nil {
				b.Fatal(err)
			}
			hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
			hreq.Header.Set("X-QF-APPCODE", testAppCode)
			hreq.Header.Set("X-QF-SIGN", signBaseline(form, testClientKey))
			hreq.Header.Set("Accept", "application/json")
			hreq.Header.Set("User-Agent", ua)
			resp, err := hc.Do(hreq)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			var ans struct {
				RespCode string             `json:"respcd"`
				Data     []benchTransaction `json:"data"`
			}
			if err := json.Unmarshal(data, &ans); err != nil || ans.RespCode != "0000" {
				b.Fatal(err)
			}
			for i := range ans.Data {
				tx := &ans.Data[i]
				for _, t := range []struct {
					s   string
					dst *time.Time
				}{{tx.TxTime, nil}, {tx.SysTime, nil}, {tx.PayTime, &tx.paid}} {
					v, err := time.ParseInLocation(time.DateTime, t.s, beijing)
					if err != nil {
						b.Fatal(err)
					}
					if t.dst != nil {
						*t.dst = v
					}
				}
				if tx.SysSN == "" || tx.Amount != 10 || tx.paid.IsZero() {
					b.Fatal(tx)
				}
				n++
			}
			if len(ans.Data) < MaxPageSize {
				break
			}
		}
		if n != benchPages*MaxPageSize {
			b.Fatal(n)
		}
	}
	reportPerTx(b, benchPages*MaxPageSize)
}

// BenchmarkParseNotification verifies and decodes the documentation's
// sample notification. Target within 1.1x of
// BenchmarkParseNotificationBaseline.
func BenchmarkParseNotification(b *testing.B) {
	body, sig := benchNotification(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := ParseNotification(body, sig, testClientKey)
		if err != nil || n.SysSN == "" {
			b.Fatal(err)
		}
	}
}

// benchNotificationBody is a notification as a hand-written handler
// declares it for encoding/json.
type benchNotificationBody struct {
	Type         string `json:"notify_type"`
	Status       string `json:"status"`
	PayType      string `json:"pay_type"`
	Amount       int64  `json:"txamt,string"`
	Currency     string `json:"txcurrcd"`
	OutTradeNo   string `json:"out_trade_no"`
	SysSN        string `json:"syssn"`
	OrigSysSN    string `json:"orig_syssn"`
	Cancel       int    `json:"cancel,string"`
	RespCode     string `json:"respcd"`
	SysTime      string `json:"sysdtm"`
	PayTime      string `json:"paydtm"`
	TxTime       string `json:"txdtm"`
	MerchantID   string `json:"mchid"`
	GoodsName    string `json:"goods_name"`
	GoodsInfo    string `json:"goods_info"`
	ExchangeRate string `json:"exchange_rate"`
	ChannelSN    string `json:"chnlsn"`
	ChannelSN2   string `json:"chnlsn2"`
	CashFee      string `json:"cash_fee"`
	CashFeeType  string `json:"cash_fee_type"`
	CardNumber   string `json:"cardcd"`

	Raw json.RawMessage `json:"-"`
}

// BenchmarkParseNotificationBaseline is the same work by hand: MD5 of body
// and key, hex into a stack buffer, upper-cased in place and compared in
// constant time, json.Unmarshal into a struct, the times parsed, the body
// kept.
func BenchmarkParseNotificationBaseline(b *testing.B) {
	body, sig := benchNotification(b)
	want := []byte(sig)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		h := md5.New()
		h.Write(body)
		h.Write([]byte(testClientKey))
		var sum [md5.Size]byte
		var got [2 * md5.Size]byte
		hex.Encode(got[:], h.Sum(sum[:0]))
		for i, c := range got {
			if c >= 'a' {
				got[i] = c - ('a' - 'A')
			}
		}
		if subtle.ConstantTimeCompare(got[:], want) != 1 {
			b.Fatal("signature")
		}
		var n benchNotificationBody
		if err := json.Unmarshal(body, &n); err != nil || n.SysSN == "" {
			b.Fatal(err)
		}
		for _, s := range []string{n.SysTime, n.PayTime, n.TxTime} {
			if _, err := time.ParseInLocation(time.DateTime, s, beijing); err != nil {
				b.Fatal(err)
			}
		}
		n.Raw = bytes.Clone(body)
	}
}

// benchBill is a statement of 60 MB of CSV zipped to about 18 MB, made
// once: rows of random digits, as a busy channel's day.
var benchBill = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var csvBuf bytes.Buffer
	csvBuf.WriteString("syssn,orig_syssn,out_trade_no,order_type,pay_type,txcurrcd,txamt,respcd,cancel,txdtm,sysdtm,paydtm,goods_name,udid,note\r\n")
	for i := 0; csvBuf.Len() < 60<<20; i++ {
		fmt.Fprintf(&csvBuf, "2024033100020002%010d,,%016x%016x,payment,800101,HKD,%d,0000,0,2024-03-31 %02d:%02d:%02d,2024-03-31 %02d:%02d:%02d,2024-03-31 %02d:%02d:%02d,tea %x,pos-%x,%016x\r\n",
			i, rng.Uint64(), rng.Uint64(), rng.IntN(1_000_000), i/3600%24, i/60%60, i%60, i/3600%24, i/60%60, i%60, i/3600%24, i/60%60, i%60, rng.Uint64(), rng.Uint32(), rng.Uint64())
	}
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	w, err := zw.Create("trade_bill_2024-03-31.csv")
	if err == nil {
		_, err = w.Write(csvBuf.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		panic(err)
	}
	return zipBuf.Bytes()
})

// zipTransport answers every request with the statement, its
// Content-Length announced, as the gateway does.
type zipTransport struct{ data []byte }

func (t zipTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/zip"}}, Body: io.NopCloser(bytes.NewReader(t.data)),
		ContentLength: int64(len(t.data)), Request: r,
	}, nil
}

// peakHeap samples the heap while fn runs and returns how far it rose
// above what it held before: the memory fn needed at once.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	return peak - base
}

// benchPeak runs fn once per iteration and reports the largest rise of
// the heap as peak-MB.
func benchPeak(b *testing.B, fn func()) {
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(fn))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

var billDate = time.Date(2024, 3, 31, 0, 0, 0, 0, beijing)

func billClient(b *testing.B) *Client {
	b.Helper()
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: zipTransport{benchBill()}}))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkDownloadBill downloads the 60 MB statement into memory: it
// holds the zip, read into a buffer of the announced size, and no more.
func BenchmarkDownloadBill(b *testing.B) {
	c := billClient(b)
	ctx := context.Background()
	benchPeak(b, func() {
		bill, err := c.DownloadBill(ctx, billDate)
		if err != nil || len(bill.Data) != len(benchBill()) {
			b.Fatal(err)
		}
	})
}

// BenchmarkDownloadBillBaseline is the download into memory written by
// hand: io.ReadAll of the answer, which grows its buffer as it reads.
func BenchmarkDownloadBillBaseline(b *testing.B) {
	hc := &http.Client{Transport: zipTransport{benchBill()}}
	benchPeak(b, func() {
		resp, err := hc.Get(testBaseURL + billPath + "?trade_date=2024-03-31")
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || len(data) != len(benchBill()) {
			b.Fatal(err)
		}
	})
}

// BenchmarkDownloadBillTo streams the 60 MB statement to a file, with a
// progress callback: constant memory. Target: at most 8 MB at the peak.
func BenchmarkDownloadBillTo(b *testing.B) {
	c := billClient(b)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bill.zip")
	benchPeak(b, func() {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		var progress int64
		n, err := c.DownloadBillTo(ctx, billDate, f, WithBillProgress(func(written, _ int64) { progress = written }))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil || n != int64(len(benchBill())) || progress != n {
			b.Fatal(n, err)
		}
	})
}

// BenchmarkDownloadBillToBaseline is the download to a file written by
// hand: the answer copied to the file with io.Copy.
func BenchmarkDownloadBillToBaseline(b *testing.B) {
	hc := &http.Client{Transport: zipTransport{benchBill()}}
	path := filepath.Join(b.TempDir(), "bill.zip")
	benchPeak(b, func() {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := hc.Get(testBaseURL + billPath + "?trade_date=2024-03-31")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(f, resp.Body)
		resp.Body.Close()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil || n != int64(len(benchBill())) {
			b.Fatal(n, err)
		}
	})
}

// benchBillFile writes the statement to a file once, for the row
// readers.
func benchBillFile(b *testing.B) (*os.File, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bill.zip")
	if err := os.WriteFile(path, benchBill(), 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f, int64(len(benchBill()))
}

// BenchmarkBillRows reads every row of the 60 MB CSV from the file with
// Rows: one row at a time in memory (the peak is the garbage of the rows
// read before the collector runs, as for the baseline).
func BenchmarkBillRows(b *testing.B) {
	f, size := benchBillFile(b)
	bill := billClient(b).ReadBill(f, size)
	benchPeak(b, func() {
		n := 0
		for row, err := range bill.Rows("trade_bill_2024-03-31.csv") {
			if err != nil || len(row) != 15 {
				b.Fatal(row, err)
			}
			n++
		}
		if n < 300_000 {
			b.Fatal(n)
		}
	})
}

// BenchmarkBillRowsBaseline reads the same rows by hand: archive/zip on
// the file, encoding/csv row by row.
func BenchmarkBillRowsBaseline(b *testing.B) {
	f, size := benchBillFile(b)
	benchPeak(b, func() {
		zr, err := zip.NewReader(f, size)
		if err != nil {
			b.Fatal(err)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(rc)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		n := 0
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil || len(row) != 15 {
				b.Fatal(row, err)
			}
			n++
		}
		rc.Close()
		if n < 300_000 {
			b.Fatal(n)
		}
	})
}
