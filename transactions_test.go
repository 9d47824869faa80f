package qfpay

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const queryPath = "/trade/v1/query"

// sampleTx is a transaction as the spec's query sample lists it, with
// syssn, out_trade_no and respcd of the caller's choosing.
func sampleTx(sysSN, outTradeNo, respcd string) map[string]any {
	return map[string]any{
		"cardtp": "5", "cancel": "0", "pay_type": "800101", "order_type": "payment", "clisn": "038424",
		"txdtm": "2019-12-27 10:39:39", "goods_detail": "", "out_trade_no": outTradeNo, "syssn": sysSN,
		"sysdtm": "2019-12-27 10:40:24", "paydtm": "2019-12-27 10:42:18", "goods_name": "", "txcurrcd": "EUR",
		"chnlsn2": "", "udid": "qiantai2", "userid": "2605489", "txamt": "10", "chnlsn": "2019122722001411461404119764",
		"respcd": respcd, "goods_info": "", "errmsg": map[string]string{"0000": "success", "1143": "password being entered", "1145": "processing"}[respcd],
	}
}

// queryAnswer is a query answer in the spec sample's shape: "respcd": 0000
// bare, page and page_size as strings.
func queryAnswer(t *testing.T, page, pageSize int, txs []map[string]any) string {
	t.Helper()
	data, err := json.Marshal(txs)
	require.NoError(t, err)
	if txs == nil {
		data = []byte("[]")
	}
	return fmt.Sprintf(`{"respmsg": "", "resperr": "请求成功", "respcd": 0000, "data": %s, "page": "%d", "page_size": "%d"}`, data, page, pageSize)
}

// jsonResponse answers with HTTP 200 and body.
func jsonResponse(body string) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}
}

// formOf is the form of the request being answered: respondFunc records
// (and so reads) the body before the responder runs.
func formOf(e *testEnv) url.Values {
	reqs := e.requests()
	return reqs[len(reqs)-1].Params
}

// pagedGateway serves n transactions page by page, as the query endpoint
// does, answering page_size as asked.
func pagedGateway(t *testing.T, e *testEnv, n int) {
	e.respondFunc(http.MethodPost, queryPath, func(r *http.Request) (*http.Response, error) {
		form := formOf(e)
		page, _ := strconv.Atoi(form.Get("page"))
		size, _ := strconv.Atoi(form.Get("page_size"))
		var txs []map[string]any
		for i := (page - 1) * size; i < min(page*size, n); i++ {
			txs = append(txs, sampleTx(fmt.Sprintf("2019122700020002006175%04d", i), fmt.Sprintf("T%d", i), "0000"))
		}
		return jsonResponse(queryAnswer(t, page, size, txs)), nil
	})
}

func collect(t *testing.T, e *testEnv, req *QueryRequest) ([]string, []error) {
	t.Helper()
	var sysSNs []string
	var errs []error
	for tx, err := range e.client.Transactions(t.Context(), req) {
		if err != nil {
			assert.Nil(t, tx)
			errs = append(errs, err)
			continue
		}
		sysSNs = append(sysSNs, tx.SysSN)
	}
	return sysSNs, errs
}

func TestTransactionsPages(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		req       *QueryRequest
		pageSize  string
		wantPages int
	}{
		{name: "short last page stops", n: 250, req: nil, pageSize: "100", wantPages: 3},
		{name: "full last page, then an empty one", n: 200, req: &QueryRequest{}, pageSize: "100", wantPages: 3},
		{name: "no transactions", n: 0, req: &QueryRequest{}, pageSize: "100", wantPages: 1},
		{name: "caller's page size; Page ignored", n: 25, req: &QueryRequest{PageSize: 10, Page: 7}, pageSize: "10", wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			pagedGateway(t, e, tt.n)
			sysSNs, errs := collect(t, e, tt.req)
			assert.Empty(t, errs)
			require.Len(t, sysSNs, tt.n)
			for i, s := range sysSNs {
				assert.Equal(t, fmt.Sprintf("2019122700020002006175%04d", i), s)
			}
			reqs := e.requests()
			require.Len(t, reqs, tt.wantPages)
			for i, r := range reqs {
				assert.Equal(t, queryPath, r.Path)
				assertSentParams(t, r, map[string]string{"page": strconv.Itoa(i + 1), "page_size": tt.pageSize})
				assertSigned(t, r, MD5)
			}
		})
	}
}

func TestTransactionsDecodesSample(t *testing.T) {
	e := setup(t)
	e.respondFunc(http.MethodPost, queryPath, func(*http.Request) (*http.Response, error) {
		return jsonResponse(queryAnswer(t, 1, 100, []map[string]any{sampleTx("20191227000200020061752831", "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL", "0000")})), nil
	})
	var got []Transaction
	for tx, err := range e.client.Transactions(t.Context(), nil) {
		require.NoError(t, err)
		got = append(got, *tx)
	}
	assert.Equal(t, []Transaction{{
		SysSN: "20191227000200020061752831", OutTradeNo: "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL", PayType: PayTypeAlipayMPM,
		OrderType: OrderTypePayment, Amount: 10, Currency: CurrencyEUR,
		TxTime:  time.Date(2019, 12, 27, 10, 39, 39, 0, beijing),
		SysTime: time.Date(2019, 12, 27, 10, 40, 24, 0, beijing),
		PayTime: time.Date(2019, 12, 27, 10, 42, 18, 0, beijing),
		Cancel:  CancelNone, RespCode: "0000", ErrMsg: "success",
		ChannelSN: "2019122722001411461404119764", CardType: "5", DeviceID: "qiantai2", ClientSN: "038424", UserID: "2605489",
	}}, got)
}

func TestTransactionsBreakStops(t *testing.T) {
	e := setup(t)
	pagedGateway(t, e, 100)
	var seen []string
	for tx, err := range e.client.Transactions(t.Context(), &QueryRequest{PageSize: 2}) {
		require.NoError(t, err)
		seen = append(seen, tx.SysSN)
		if len(seen) == 3 {
			break
		}
	}
	assert.Len(t, seen, 3)
	assert.Len(t, e.requests(), 2, "page 3 is never asked for")
}

func TestTransactionsErrorYieldedOnce(t *testing.T) {
	t.Run("gateway refusal on page 2", func(t *testing.T) {
		e := setup(t)
		e.respondFunc(http.MethodPost, queryPath, func(r *http.Request) (*http.Response, error) {
			if formOf(e).Get("page") == "2" {
				return jsonResponse(`{"respcd": "1108", "resperr": "Signature error", "respmsg": ""}`), nil
			}
			return jsonResponse(queryAnswer(t, 1, 2, []map[string]any{sampleTx("1", "A", "0000"), sampleTx("2", "B", "0000")})), nil
		})
		sysSNs, errs := collect(t, e, &QueryRequest{PageSize: 2})
		assert.Equal(t, []string{"1", "2"}, sysSNs)
		require.Len(t, errs, 1)
		var apiErr *APIError
		require.ErrorAs(t, errs[0], &apiErr)
		assert.Equal(t, "1108", apiErr.Code)
		assert.Len(t, e.requests(), 2)
	})
	t.Run("invalid request", func(t *testing.T) {
		e := setup(t)
		pagedGateway(t, e, 5)
		sysSNs, errs := collect(t, e, &QueryRequest{PageSize: MaxPageSize + 1})
		assert.Empty(t, sysSNs)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrInvalidRequest)
		assert.Empty(t, e.requests())
	})
	t.Run("End before Start", func(t *testing.T) {
		e := setup(t)
		pagedGateway(t, e, 5)
		sysSNs, errs := collect(t, e, &QueryRequest{Start: time.Date(2020, 3, 1, 0, 0, 0, 0, beijing), End: time.Date(2020, 1, 1, 0, 0, 0, 0, beijing)})
		assert.Empty(t, sysSNs)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrInvalidRequest)
		assert.Empty(t, e.requests())
	})
	t.Run("gateway ignoring page", func(t *testing.T) {
		e := setup(t)
		e.respondFunc(http.MethodPost, queryPath, func(*http.Request) (*http.Response, error) {
			return jsonResponse(queryAnswer(t, 1, 2, []map[string]any{sampleTx("1", "A", "0000"), sampleTx("2", "B", "0000")})), nil
		})
		sysSNs, errs := collect(t, e, &QueryRequest{PageSize: 2})
		assert.Equal(t, []string{"1", "2"}, sysSNs)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrMalformedResponse)
		assert.Len(t, e.requests(), 2)
	})
}

func TestTransactionsSmallerPagesThanAsked(t *testing.T) {
	// The gateway serves 10 a page whatever is asked, and says so.
	e := setup(t)
	e.respondFunc(http.MethodPost, queryPath, func(r *http.Request) (*http.Response, error) {
		page, _ := strconv.Atoi(formOf(e).Get("page"))
		var txs []map[string]any
		for i := (page - 1) * 10; i < min(page*10, 13); i++ {
			txs = append(txs, sampleTx(strconv.Itoa(i), "T", "0000"))
		}
		return jsonResponse(queryAnswer(t, page, 10, txs)), nil
	})
	sysSNs, errs := collect(t, e, nil)
	assert.Empty(t, errs)
	assert.Len(t, sysSNs, 13)
	assert.Len(t, e.requests(), 2)
}

func TestTransactionsMonthSplit(t *testing.T) {
	bj := func(mo time.Month, d, h, mi, s int) time.Time { return time.Date(2020, mo, d, h, mi, s, 0, beijing) }
	type window struct{ start, end string }
	tests := []struct {
		name string
		opts []Option
		req  QueryRequest
		want []window
	}{
		{
			name: "three calendar months",
			req:  QueryRequest{Start: bj(1, 15, 10, 0, 0), End: bj(3, 10, 12, 0, 0)},
			want: []window{
				{"2020-01-15 10:00:00", "2020-01-31 23:59:59"},
				{"2020-02-01 00:00:00", "2020-02-29 23:59:59"},
				{"2020-03-01 00:00:00", "2020-03-10 12:00:00"},
			},
		},
		{
			name: "under a month but over two calendar months",
			req:  QueryRequest{Start: bj(1, 15, 0, 0, 0), End: bj(2, 10, 0, 0, 0)},
			want: []window{{"2020-01-15 00:00:00", "2020-01-31 23:59:59"}, {"2020-02-01 00:00:00", "2020-02-10 00:00:00"}},
		},
		{
			name: "one calendar month: one query",
			req:  QueryRequest{Start: bj(2, 1, 0, 0, 0), End: bj(2, 29, 23, 59, 59)},
			want: []window{{"2020-02-01 00:00:00", "2020-02-29 23:59:59"}},
		},
		{
			name: "months of the client's zone",
			opts: []Option{WithLocation(time.UTC)},
			// Jan 31 20:00 to Feb 1 07:00 in UTC+8 is all Jan 31 in UTC.
			req:  QueryRequest{Start: bj(1, 31, 20, 0, 0), End: bj(2, 1, 7, 0, 0)},
			want: []window{{"2020-01-31 12:00:00", "2020-01-31 23:00:00"}},
		},
		{
			name: "zero End: to the end of the current month (clock: 2019-12-25)",
			req:  QueryRequest{Start: time.Date(2019, 11, 20, 8, 0, 0, 0, beijing)},
			want: []window{{"2019-11-20 08:00:00", "2019-11-30 23:59:59"}, {"2019-12-01 00:00:00", "2019-12-31 23:59:59"}},
		},
		{
			name: "zero Start: from the start of the current month",
			req:  QueryRequest{End: time.Date(2019, 12, 24, 0, 0, 0, 0, beijing)},
			want: []window{{"2019-12-01 00:00:00", "2019-12-24 00:00:00"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			// Two transactions in the first window, with a page size of one,
			// to show that each window is paged from page 1.
			e.respondFunc(http.MethodPost, queryPath, func(r *http.Request) (*http.Response, error) {
				form := formOf(e)
				page, _ := strconv.Atoi(form.Get("page"))
				var txs []map[string]any
				if form.Get("start_time") == tt.want[0].start && page <= 2 {
					txs = append(txs, sampleTx("first-"+form.Get("page"), "T", "0000"))
				}
				return jsonResponse(queryAnswer(t, page, 1, txs)), nil
			})
			req := tt.req
			req.PageSize = 1
			req.PayTypes = []PayType{PayTypeAlipayMPM, PayTypeWeChatMPM}
			sysSNs, errs := collect(t, e, &req)
			assert.Empty(t, errs)
			assert.Equal(t, []string{"first-1", "first-2"}, sysSNs)

			var got []window
			pages := map[string][]string{}
			for _, r := range e.requests() {
				assertSigned(t, r, MD5)
				assert.Equal(t, "800101,800201", r.Params.Get("pay_type"))
				w := window{r.Params.Get("start_time"), r.Params.Get("end_time")}
				if !slices.Contains(got, w) {
					got = append(got, w)
				}
				pages[w.start] = append(pages[w.start], r.Params.Get("page"))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, []string{"1", "2", "3"}, pages[tt.want[0].start])
			for _, w := range tt.want[1:] {
				assert.Equal(t, []string{"1"}, pages[w.start], "window %v", w)
			}
		})
	}
}

// TestTransactionsBySysSNNotSplit: the gateway ignores the range with
// syssn, so it is sent once as it is.
func TestTransactionsBySysSNNotSplit(t *testing.T) {
	e := setup(t)
	pagedGateway(t, e, 1)
	req := &QueryRequest{SysSNs: []string{"1", "2"}, Start: time.Date(2020, 1, 15, 0, 0, 0, 0, beijing), End: time.Date(2020, 3, 10, 0, 0, 0, 0, beijing)}
	_, errs := collect(t, e, req)
	assert.Empty(t, errs)
	r := e.last()
	assertSentParams(t, r, map[string]string{"syssn": "1,2", "start_time": "2020-01-15 00:00:00", "end_time": "2020-03-10 00:00:00", "page": "1", "page_size": "100"})
}

// TestTransactionsByOutTradeNoSplit: the range applies to out_trade_no
// (QF Pay's current documentation), so it is split by month.
func TestTransactionsByOutTradeNoSplit(t *testing.T) {
	e := setup(t)
	pagedGateway(t, e, 1)
	req := &QueryRequest{OutTradeNos: []string{"A", "B"}, Start: time.Date(2020, 1, 15, 0, 0, 0, 0, beijing), End: time.Date(2020, 2, 10, 0, 0, 0, 0, beijing)}
	_, errs := collect(t, e, req)
	assert.Empty(t, errs)
	reqs := e.requests()
	require.Len(t, reqs, 2)
	assertSentParams(t, reqs[0], map[string]string{"out_trade_no": "A,B", "start_time": "2020-01-15 00:00:00", "end_time": "2020-01-31 23:59:59", "page": "1", "page_size": "100"})
	assertSentParams(t, reqs[1], map[string]string{"out_trade_no": "A,B", "start_time": "2020-02-01 00:00:00", "end_time": "2020-02-10 00:00:00", "page": "1", "page_size": "100"})
}

func TestTransactionsLeavesRequestAlone(t *testing.T) {
	e := setup(t)
	pagedGateway(t, e, 3)
	req := &QueryRequest{SysSNs: []string{"1"}, PayTypes: []PayType{PayTypeAlipayMPM}, Page: 4}
	before := *req
	before.SysSNs = slices.Clone(req.SysSNs)
	before.PayTypes = slices.Clone(req.PayTypes)
	_, errs := collect(t, e, req)
	assert.Empty(t, errs)
	assert.Equal(t, before, *req)

	split := &QueryRequest{Start: time.Date(2019, 10, 5, 0, 0, 0, 0, beijing)}
	splitBefore := *split
	_, errs = collect(t, e, split)
	assert.Empty(t, errs)
	assert.Equal(t, splitBefore, *split)
}
