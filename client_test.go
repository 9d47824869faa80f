package qfpay

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // zones for WithLocation tests on machines without zoneinfo

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientCredentials(t *testing.T) {
	tests := []struct {
		name, appCode, key, want string
	}{
		{"empty app code", "", testClientKey, "app code"},
		{"blank app code", " \t", testClientKey, "app code"},
		{"empty client key", testAppCode, "", "client key"},
		{"blank client key", testAppCode, "  ", "client key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.appCode, tt.key)
			assert.Nil(t, c)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.want)
			assertNoKey(t, err.Error(), "printed or logged")
		})
	}
}

func TestNewClientTrimsCredentials(t *testing.T) {
	c, err := NewClient(" "+testAppCode+"\n", "\t"+testClientKey+" ", WithHTTPClient(&http.Client{Transport: httpmock.NewMockTransport()}))
	require.NoError(t, err)
	assert.Equal(t, testAppCode, c.AppCode())
	assert.Equal(t, testClientKey, c.clientKey())
}

func TestNewClientDefaults(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, nil) // a nil option is ignored
	require.NoError(t, err)
	assert.Equal(t, Sandbox, c.Environment(), "never real money by accident")
	assert.Equal(t, testAppCode, c.AppCode())
	assert.Empty(t, c.MerchantID())
	_, off := time.Date(2019, 12, 25, 0, 0, 0, 0, c.Location()).Zone()
	assert.Equal(t, 8*60*60, off, "UTC+8, the API's zone")
	require.NotNil(t, c.hc)
	assert.NotSame(t, http.DefaultClient, c.hc)
	assert.Zero(t, c.hc.Timeout, "one deadline per call: the client bounds the attempts")
	assert.Greater(t, c.attemptTimeout, time.Duration(0), "the default HTTP client's attempts have a finite timeout")
	assert.LessOrEqual(t, c.attemptTimeout, time.Minute)
	tr, ok := c.hc.Transport.(*http.Transport)
	require.True(t, ok, "a pooled transport of its own, not http.DefaultTransport")
	assert.NotSame(t, http.DefaultTransport, tr)
	assert.Equal(t, DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	assert.Equal(t, DefaultTimeout, c.timeout)
	assert.Equal(t, MD5, c.signType)
	assert.Regexp(t, `^\d+\.\d+\.\d+`, Version)
}

// recordURLs makes an http.Client whose transport answers every request
// with the documentation's query answer and records the URL asked for.
func recordURLs(t *testing.T) (*http.Client, func() []string) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	var mu sync.Mutex
	var urls []string
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		urls = append(urls, r.URL.String())
		mu.Unlock()
		return httpmock.NewStringResponse(http.StatusOK, readTestdata(t, "query_doc.json")), nil
	})
	return &http.Client{Transport: mock}, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}

func TestDefaultEnvironmentIsSandbox(t *testing.T) {
	hc, urls := recordURLs(t)
	c, err := NewClient(testAppCode, testClientKey, WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.Query(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://openapi-test.qfpay.com/trade/v1/query"}, urls())
}

func TestWithEnvironment(t *testing.T) {
	for _, name := range EnvironmentNames() {
		env, err := ParseEnvironment(name)
		require.NoError(t, err)
		t.Run(name, func(t *testing.T) {
			hc, urls := recordURLs(t)
			c, err := NewClient(testAppCode, testClientKey, WithHTTPClient(hc), WithEnvironment(env))
			require.NoError(t, err)
			assert.Equal(t, env, c.Environment())
			_, err = c.Query(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, []string{string(env) + "/trade/v1/query"}, urls())
		})
	}
	for _, bad := range []Environment{"", "openapi-hk.qfapi.com", "ftp://openapi-hk.qfapi.com"} {
		t.Run(fmt.Sprintf("invalid %q", bad), func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithEnvironment(bad))
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidRequest)
		})
	}
}

func TestWithBaseURL(t *testing.T) {
	valid := []struct {
		base, want string
	}{
		{"https://qfpay.test", "https://qfpay.test/trade/v1/query"},
		{"https://qfpay.test/", "https://qfpay.test/trade/v1/query"},
		{"  http://127.0.0.1:8080  ", "http://127.0.0.1:8080/trade/v1/query"},
		{"https://proxy.test/qfpay/", "https://proxy.test/qfpay/trade/v1/query"},
	}
	for _, tt := range valid {
		t.Run(tt.base, func(t *testing.T) {
			hc, urls := recordURLs(t)
			c, err := NewClient(testAppCode, testClientKey, WithHTTPClient(hc), WithBaseURL(tt.base))
			require.NoError(t, err)
			_, err = c.Query(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, urls())
		})
	}
	for _, bad := range []string{"", "   ", "qfpay.test", "qfpay.test/trade", "ftp://qfpay.test", "https://", "https:///path", "://qfpay.test", "http://[::1", "/trade/v1"} {
		t.Run(fmt.Sprintf("invalid %q", bad), func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithBaseURL(bad))
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), "base URL")
		})
	}
}

func TestWithHTTPClient(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, WithHTTPClient(nil))
	assert.Nil(t, c)
	assert.ErrorIs(t, err, ErrInvalidRequest)

	hc, urls := recordURLs(t)
	c, err = NewClient(testAppCode, testClientKey, WithHTTPClient(hc))
	require.NoError(t, err)
	assert.NotSame(t, hc, c.hc, "a copy, so that its CheckRedirect can be set")
	assert.Same(t, hc.Transport, c.hc.Transport)
	assert.Nil(t, hc.CheckRedirect, "the caller's client is left as it was")
	assert.ErrorIs(t, c.hc.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	_, err = c.Query(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, urls(), 1, "requests go through the given client")
}

func TestWithSignType(t *testing.T) {
	for _, st := range []SignType{MD5, SHA256} {
		t.Run(string(st), func(t *testing.T) {
			e := setup(t, WithSignType(st))
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			_, err := e.client.Payment(context.Background(), docPaymentRequest())
			require.NoError(t, err)
			r := e.last()
			assertSigned(t, r, st)
			if st == SHA256 {
				assert.Equal(t, []string{"SHA256"}, r.Header.Values("X-QF-SIGNTYPE"))
				assert.Len(t, r.Header.Get("X-QF-SIGN"), 64)
			} else {
				assert.NotContains(t, r.Header, "X-Qf-Signtype", "MD5 is the gateway's default, announced by no header")
				assert.Len(t, r.Header.Get("X-QF-SIGN"), 32)
			}
			assert.Regexp(t, `^[0-9A-F]+$`, r.Header.Get("X-QF-SIGN"))
		})
	}
	for _, bad := range []SignType{"", "md5", "sha256", "SHA1", "HMAC-SHA256"} {
		t.Run(fmt.Sprintf("invalid %q", bad), func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithSignType(bad))
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), "sign type")
		})
	}
}

func TestWithMerchantID(t *testing.T) {
	type call struct {
		name, path, file string
		do               func(c *Client, mchid string) error
	}
	calls := []call{
		{"Payment", "/trade/v1/payment", "payment_doc.json", func(c *Client, mchid string) error {
			r := docPaymentRequest()
			r.MerchantID = mchid
			_, err := c.Payment(context.Background(), r)
			return err
		}},
		{"Refund", "/trade/v1/refund", "refund_doc.json", func(c *Client, mchid string) error {
			r := docRefundRequest()
			r.MerchantID = mchid
			_, err := c.Refund(context.Background(), r)
			return err
		}},
		{"Query", "/trade/v1/query", "query_doc.json", func(c *Client, mchid string) error {
			_, err := c.Query(context.Background(), &QueryRequest{MerchantID: mchid})
			return err
		}},
	}
	tests := []struct {
		name          string
		opts          []Option
		request, want string // want "" means no mchid sent
	}{
		{"client's mchid added", []Option{WithMerchantID("ZaMVg12345")}, "", "ZaMVg12345"},
		{"client's mchid trimmed", []Option{WithMerchantID("  ZaMVg12345 ")}, "", "ZaMVg12345"},
		{"request's own mchid wins", []Option{WithMerchantID("ZaMVg12345")}, "R1zQrTdJnn", "R1zQrTdJnn"},
		{"request's mchid without a client one", nil, "R1zQrTdJnn", "R1zQrTdJnn"},
		{"no mchid at all: none sent", nil, "", ""},
		{"blank client mchid: none sent", []Option{WithMerchantID("  ")}, "", ""},
	}
	for _, cl := range calls {
		for _, tt := range tests {
			t.Run(cl.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, tt.opts...)
				e.respondFile(http.MethodPost, cl.path, cl.file)
				require.NoError(t, cl.do(e.client, tt.request))
				r := e.last()
				if tt.want == "" {
					assert.NotContains(t, r.Params, "mchid")
				} else {
					assert.Equal(t, []string{tt.want}, r.Params["mchid"])
				}
				assertSigned(t, r, MD5)
			})
		}
	}
	c := setup(t, WithMerchantID("ZaMVg12345")).client
	assert.Equal(t, "ZaMVg12345", c.MerchantID())
}

func TestWithLocation(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	tests := []struct {
		name   string
		loc    *time.Location // nil: the default
		zone   string         // the request's TimeZone
		txdtm  string
		txzone string // "" means not sent
	}{
		{"default UTC+8", nil, "", "2019-12-25 14:21:28", ""},
		{"Asia/Shanghai is UTC+8", load("Asia/Shanghai"), "", "2019-12-25 14:21:28", ""},
		{"Asia/Hong_Kong is UTC+8", load("Asia/Hong_Kong"), "", "2019-12-25 14:21:28", ""},
		{"fixed +08:00", time.FixedZone("", 8*60*60), "", "2019-12-25 14:21:28", ""},
		{"Asia/Tokyo", load("Asia/Tokyo"), "", "2019-12-25 15:21:28", "+0900"},
		{"fixed +09:00", time.FixedZone("JST", 9*60*60), "", "2019-12-25 15:21:28", "+0900"},
		{"America/New_York in winter", load("America/New_York"), "", "2019-12-25 01:21:28", "-0500"},
		{"UTC", time.UTC, "", "2019-12-25 06:21:28", "+0000"},
		{"Asia/Kolkata, half hours", load("Asia/Kolkata"), "", "2019-12-25 11:51:28", "+0530"},
		{"America/St_Johns, negative half hours", load("America/St_Johns"), "", "2019-12-25 02:51:28", "-0330"},
		{"request TimeZone wins", load("Asia/Tokyo"), "+0700", "2019-12-25 15:21:28", "+0700"},
		{"request TimeZone in UTC+8", nil, "+0800", "2019-12-25 14:21:28", "+0800"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.loc != nil {
				opts = append(opts, WithLocation(tt.loc))
			}
			e := setup(t, opts...)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_doc.json")
			req := docPaymentRequest()
			req.TimeZone = tt.zone
			_, err := e.client.Payment(context.Background(), req)
			require.NoError(t, err)
			refund := docRefundRequest()
			refund.TxTime, refund.TimeZone = time.Time{}, tt.zone
			_, err = e.client.Refund(context.Background(), refund)
			require.NoError(t, err)
			reqs := e.requests()
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Equal(t, tt.txdtm, r.Params.Get("txdtm"), r.Path)
				if tt.txzone == "" {
					assert.NotContains(t, r.Params, "txzone", r.Path)
				} else {
					assert.Equal(t, []string{tt.txzone}, r.Params["txzone"], r.Path)
				}
				assertSigned(t, r, MD5)
			}
		})
	}
	c, err := NewClient(testAppCode, testClientKey, WithLocation(nil))
	assert.Nil(t, c)
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

// TestTxZoneFollowsTheRequestTime checks that txzone is the offset of the
// time sent (txdtm, or a query's start_time), not of the clock: a summer
// time sent in winter carries its summer offset.
func TestTxZoneFollowsTheRequestTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	e := setup(t, WithLocation(ny)) // the clock, testNow, is in December: -0500
	e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
	e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
	july := time.Date(2019, 7, 4, 12, 0, 0, 0, ny)
	req := docPaymentRequest()
	req.TxTime = july
	_, err = e.client.Payment(context.Background(), req)
	require.NoError(t, err)
	_, err = e.client.Query(context.Background(), &QueryRequest{Start: july, End: july.Add(time.Hour)})
	require.NoError(t, err)
	_, err = e.client.Query(context.Background(), &QueryRequest{})
	require.NoError(t, err)
	reqs := e.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "2019-07-04 12:00:00", reqs[0].Params.Get("txdtm"))
	assert.Equal(t, "-0400", reqs[0].Params.Get("txzone"), "payment in July")
	assert.Equal(t, "-0400", reqs[1].Params.Get("txzone"), "query from July")
	assert.Equal(t, "-0500", reqs[2].Params.Get("txzone"), "query with no time: the clock's zone")
	for _, r := range reqs {
		assertSigned(t, r, MD5)
	}
}

// TestTxZoneInTheRepeatedHour: in the hour a daylight-saving zone repeats,
// a txdtm the client fills in from its clock carries the clock's own
// offset; the wall clock alone could be either.
func TestTxZoneInTheRepeatedHour(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	first := time.Date(2019, 11, 3, 5, 30, 0, 0, time.UTC)  // 01:30 daylight time
	second := time.Date(2019, 11, 3, 6, 30, 0, 0, time.UTC) // 01:30 standard time
	tests := []struct {
		name        string
		now, txTime time.Time // txTime zero: txdtm is the clock's
		txzone      string
	}{
		{"the clock at 01:30 daylight time, the first pass", first, time.Time{}, "-0400"},
		{"the clock at 01:30 standard time, the second pass", second, time.Time{}, "-0500"},
		{"TxTime at 01:30 daylight time", testNow, first, "-0400"},
		{"TxTime at 01:30 standard time", testNow, second, "-0500"},
		{"TxTime at 01:30 standard time, given in UTC", testNow, second.UTC(), "-0500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, WithLocation(ny))
			e.client.now = func() time.Time { return tt.now }
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			req := docPaymentRequest()
			req.TxTime = tt.txTime
			_, err := e.client.Payment(context.Background(), req)
			require.NoError(t, err)
			r := e.last()
			assert.Equal(t, "2019-11-03 01:30:00", r.Params.Get("txdtm"))
			assert.Equal(t, tt.txzone, r.Params.Get("txzone"))
			assertSigned(t, r, MD5)
		})
	}
}

// TestWithClock checks that every time the client computes follows the
// clock given: the txdtm a payment sends, the two calendar months
// WaitForPayment searches, the monthly ranges Transactions sends up to the
// end of the current month, and the check that a checkout page's expiry is
// in the future. The clock is read in the client's location (UTC+8).
func TestWithClock(t *testing.T) {
	pageExpires := time.Date(2024, 2, 1, 0, 0, 0, 0, beijing)
	from := time.Date(2023, 12, 20, 0, 0, 0, 0, beijing) // Transactions' Start
	tests := []struct {
		name         string
		now          time.Time
		txdtm        string
		waitWindows  [][2]string // start_time, end_time of each query
		rangeWindows [][2]string
		checkoutOK   bool
	}{
		{
			name: "January 31, 23:59:59 in UTC+8", now: time.Date(2024, 1, 31, 23, 59, 59, 0, beijing),
			txdtm: "2024-01-31 23:59:59",
			waitWindows: [][2]string{
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
				{"2023-12-01 00:00:00", "2023-12-31 23:59:59"},
			},
			rangeWindows: [][2]string{
				{"2023-12-20 00:00:00", "2023-12-31 23:59:59"},
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
			},
			checkoutOK: true,
		},
		{
			name: "February 1, 00:00:00 in UTC+8, a leap year", now: time.Date(2024, 2, 1, 0, 0, 0, 0, beijing),
			txdtm: "2024-02-01 00:00:00",
			waitWindows: [][2]string{
				{"2024-02-01 00:00:00", "2024-02-29 23:59:59"},
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
			},
			rangeWindows: [][2]string{
				{"2023-12-20 00:00:00", "2023-12-31 23:59:59"},
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
				{"2024-02-01 00:00:00", "2024-02-29 23:59:59"},
			},
		},
		{
			name: "a clock in UTC still on January 31: February in UTC+8", now: time.Date(2024, 1, 31, 16, 30, 0, 0, time.UTC),
			txdtm: "2024-02-01 00:30:00",
			waitWindows: [][2]string{
				{"2024-02-01 00:00:00", "2024-02-29 23:59:59"},
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
			},
			rangeWindows: [][2]string{
				{"2023-12-20 00:00:00", "2023-12-31 23:59:59"},
				{"2024-01-01 00:00:00", "2024-01-31 23:59:59"},
				{"2024-02-01 00:00:00", "2024-02-29 23:59:59"},
			},
		},
	}
	windows := func(reqs []received) [][2]string {
		var out [][2]string
		for _, r := range reqs {
			out = append(out, [2]string{r.Params.Get("start_time"), r.Params.Get("end_time")})
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := WithClock(func() time.Time { return tt.now })

			e := setup(t, clock)
			e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
			_, err := e.client.Payment(context.Background(), docPaymentRequest())
			require.NoError(t, err)
			assert.Equal(t, tt.txdtm, e.last().Params.Get("txdtm"))

			e = setup(t, clock, fastPoll)
			sequenceGateway(t, e, txs(), txs(sampleTx("20191227000200020061752831", waitNo, "0000")))
			_, err = e.client.WaitForPayment(t.Context(), waitNo)
			require.NoError(t, err)
			assert.Equal(t, tt.waitWindows, windows(e.requests()), "not listed this month, then found in the month before")

			e = setup(t, clock)
			pagedGateway(t, e, 0)
			sysSNs, errs := collect(t, e, &QueryRequest{Start: from, PageSize: 10})
			assert.Empty(t, sysSNs)
			assert.Empty(t, errs)
			assert.Equal(t, tt.rangeWindows, windows(e.requests()), "Start to the end of the clock's month, month by month")

			order := docCheckout()
			order.PageExpiresAt = pageExpires
			_, err = checkoutClient(t, clock).CheckoutURL(order)
			if tt.checkoutOK {
				assert.NoError(t, err)
			} else {
				var verr *ValidationError
				require.ErrorAs(t, err, &verr)
				assert.Equal(t, "checkout_expired_time", verr.Field)
			}
		})
	}
	t.Run("default: time.Now", func(t *testing.T) {
		mock := httpmock.NewMockTransport()
		var txdtm string
		mock.RegisterResponder(http.MethodPost, testBaseURL+"/trade/v1/payment", func(r *http.Request) (*http.Response, error) {
			require.NoError(t, r.ParseForm())
			txdtm = r.PostForm.Get("txdtm")
			return httpmock.NewStringResponse(http.StatusOK, readTestdata(t, "payment_doc.json")), nil
		})
		c, err := NewClient(testAppCode, testClientKey, WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: mock}))
		require.NoError(t, err)
		before := time.Now().Truncate(time.Second)
		_, err = c.Payment(context.Background(), docPaymentRequest())
		require.NoError(t, err)
		after := time.Now()
		sent, err := time.ParseInLocation("2006-01-02 15:04:05", txdtm, beijing)
		require.NoError(t, err, "txdtm %q", txdtm)
		assert.False(t, sent.Before(before) || sent.After(after), "txdtm %s not within %s to %s", sent, before, after)
	})
	t.Run("nil refused", func(t *testing.T) {
		c, err := NewClient(testAppCode, testClientKey, WithClock(nil))
		assert.Nil(t, c)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.EqualError(t, err, ErrInvalidRequest.Error()+": nil clock func")
	})
}

func TestWithUserAgent(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
		_, err := e.client.Query(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, "qfpay-go/"+Version+" go/"+runtime.Version(), e.last().Header.Get("User-Agent"))
	})
	t.Run("custom", func(t *testing.T) {
		e := setup(t, WithUserAgent("shop-backend/2.3 (+https://shop.example)"))
		e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
		_, err := e.client.Query(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, "shop-backend/2.3 (+https://shop.example)", e.last().Header.Get("User-Agent"))
	})
}

func TestWithMaxResponseBytesRejectsNonPositive(t *testing.T) {
	for _, n := range []int64{0, -1} {
		c, err := NewClient(testAppCode, testClientKey, WithMaxResponseBytes(n))
		assert.Nil(t, c)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
}

func TestWithLogger(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := setup(t, WithLogger(logger), WithSignType(SHA256))
	e.respondFile(http.MethodPost, "/trade/v1/payment", "payment_doc.json")
	e.respondFile(http.MethodPost, "/trade/v1/refund", "refund_1272.json")
	e.respond(http.MethodPost, "/trade/v1/query", http.StatusBadGateway, readTestdata(t, "error_502.html"), "Content-Type", "text/html")

	_, err := e.client.Payment(context.Background(), docPaymentRequest())
	require.NoError(t, err)
	_, err = e.client.Refund(context.Background(), docRefundRequest())
	require.Error(t, err)
	_, err = e.client.Query(context.Background(), &QueryRequest{OutTradeNos: []string{"o-1", "o-2"}})
	require.Error(t, err)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 5, "one line per HTTP attempt:\n%s", buf.String())
	// out_trade_no and syssn, as sent, join each line to an order.
	wants := []*regexp.Regexp{
		regexp.MustCompile(`level=DEBUG msg="qfpay request" method=POST path=/trade/v1/payment out_trade_no=01234567890123 status=200 respcd=0000 attempt=1 duration=\S+$`),
		regexp.MustCompile(`level=DEBUG msg="qfpay request" method=POST path=/trade/v1/refund out_trade_no=RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F syssn=20191227000200020061752831 status=200 respcd=1272 attempt=1 duration=\S+$`),
		regexp.MustCompile(`level=WARN msg="qfpay request" method=POST path=/trade/v1/query out_trade_no=o-1,o-2 status=502 respcd="" attempt=1 duration=\S+ error=".*HTTP 502.*"$`),
		regexp.MustCompile(`level=WARN .* path=/trade/v1/query out_trade_no=o-1,o-2 status=502 .* attempt=2 `),
		regexp.MustCompile(`level=WARN .* path=/trade/v1/query out_trade_no=o-1,o-2 status=502 .* attempt=3 `),
	}
	for i, re := range wants {
		assert.Regexp(t, re, lines[i])
	}
	out := buf.String()
	assertNoKey(t, out, "printed or logged")
	for _, r := range e.requests() {
		sign := r.Header.Get("X-QF-SIGN")
		require.NotEmpty(t, sign)
		assert.NotContains(t, out, sign)
		assert.NotContains(t, out, strings.ToLower(sign))
		assert.NotContains(t, out, sign[:16], "not even part of the signature")
	}
	assert.NotContains(t, out, "txdtm=", "not the signed string")
}

// TestVersionIsTheChangelogs: Version is a semantic version, the newest
// one CHANGELOG.md lists.
func TestVersionIsTheChangelogs(t *testing.T) {
	assert.Regexp(t, `^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$`, Version)
	changelog, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\]`).FindStringSubmatch(string(changelog))
	require.NotNil(t, m, "CHANGELOG.md has a version heading")
	assert.Equal(t, m[1], Version, "the newest version of CHANGELOG.md")
	assert.Contains(t, string(changelog), "\n["+Version+"]: ", "a link for the version")
}
