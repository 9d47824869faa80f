package qfpay

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueryRequestBody(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	tests := []struct {
		name   string
		opts   []Option
		req    *QueryRequest
		body   string
		signed string
	}{
		{
			name: "by syssn and time range, the documentation's request",
			opts: []Option{WithMerchantID("ZaMVg12345")},
			req: &QueryRequest{SysSNs: []string{"20191227000200020061752831"},
				Start: time.Date(2019, 12, 27, 0, 0, 0, 0, beijing), End: time.Date(2019, 12, 27, 23, 59, 59, 0, beijing)},
			body:   "end_time=2019-12-27+23%3A59%3A59&mchid=ZaMVg12345&start_time=2019-12-27+00%3A00%3A00&syssn=20191227000200020061752831",
			signed: "end_time=2019-12-27 23:59:59&mchid=ZaMVg12345&start_time=2019-12-27 00:00:00&syssn=20191227000200020061752831",
		},
		{
			name: "lists comma-joined, respcd, page and page size",
			req: &QueryRequest{
				SysSNs:      []string{"20191227000200020061752831", "20191227000300020061652643"},
				OutTradeNos: []string{"CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL", "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F"},
				PayTypes:    []PayType{PayTypeAlipayMPM, PayTypeWeChatMPM, PayTypeFPSMPM},
				RespCode:    CodeSuccess, Page: 2, PageSize: 50,
			},
			body:   "out_trade_no=CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL%2CRGNOEIVU9JZLNP9GGYXWXCW7OEMI720F&page=2&page_size=50&pay_type=800101%2C800201%2C802001&respcd=0000&syssn=20191227000200020061752831%2C20191227000300020061652643",
			signed: "out_trade_no=CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL,RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F&page=2&page_size=50&pay_type=800101,800201,802001&respcd=0000&syssn=20191227000200020061752831,20191227000300020061652643",
		},
		{
			name:   "one out_trade_no, largest page size",
			req:    &QueryRequest{OutTradeNos: []string{"01234567890123"}, PageSize: MaxPageSize},
			body:   "out_trade_no=01234567890123&page_size=100",
			signed: "out_trade_no=01234567890123&page_size=100",
		},
		{
			name:   "Start and End in UTC written in the client's zone",
			req:    &QueryRequest{Start: time.Date(2019, 12, 1, 16, 0, 0, 0, time.UTC), End: time.Date(2019, 12, 31, 15, 59, 59, 0, time.UTC)},
			body:   "end_time=2019-12-31+23%3A59%3A59&start_time=2019-12-02+00%3A00%3A00",
			signed: "end_time=2019-12-31 23:59:59&start_time=2019-12-02 00:00:00",
		},
		{
			name:   "client in Tokyo: times in Tokyo, txzone +0900, no txdtm",
			opts:   []Option{WithLocation(tokyo)},
			req:    &QueryRequest{Start: time.Date(2019, 12, 1, 0, 0, 0, 0, beijing), End: time.Date(2019, 12, 2, 0, 0, 0, 0, beijing)},
			body:   "end_time=2019-12-02+01%3A00%3A00&start_time=2019-12-01+01%3A00%3A00&txzone=%2B0900",
			signed: "end_time=2019-12-02 01:00:00&start_time=2019-12-01 01:00:00&txzone=+0900",
		},
		{
			name:   "the request's own txzone and mchid win",
			opts:   []Option{WithLocation(tokyo), WithMerchantID("ZaMVg12345")},
			req:    &QueryRequest{SysSNs: []string{"1"}, TimeZone: "+0800", MerchantID: "Shop2"},
			body:   "mchid=Shop2&syssn=1&txzone=%2B0800",
			signed: "mchid=Shop2&syssn=1&txzone=+0800",
		},
		{"the zero request sends nothing", nil, &QueryRequest{}, "", ""},
		{"a nil request is the zero request", nil, nil, "", ""},
		{"empty lists are not sent", nil, &QueryRequest{SysSNs: []string{}, OutTradeNos: nil, PayTypes: []PayType{}}, "", ""},
	}
	for _, tt := range tests {
		for _, st := range []SignType{MD5, SHA256} {
			t.Run(tt.name+"/"+string(st), func(t *testing.T) {
				e := setup(t, append([]Option{WithSignType(st)}, tt.opts...)...)
				e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
				_, err := e.client.Query(context.Background(), tt.req)
				require.NoError(t, err)
				assertSentForm(t, e.last(), "/trade/v1/query", tt.body, tt.signed, st)
			})
		}
	}
}

// docTransaction is the transaction of the documentation's query answer.
func docTransaction() Transaction {
	return Transaction{
		SysSN:      "20191227000200020061752831",
		OutTradeNo: "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL",
		PayType:    PayTypeAlipayMPM,
		OrderType:  OrderTypePayment,
		Amount:     10,
		Currency:   CurrencyEUR,
		TxTime:     time.Date(2019, 12, 27, 10, 39, 39, 0, beijing),
		SysTime:    time.Date(2019, 12, 27, 10, 40, 24, 0, beijing),
		PayTime:    time.Date(2019, 12, 27, 10, 42, 18, 0, beijing),
		Cancel:     CancelNone,
		RespCode:   "0000",
		ErrMsg:     "success",
		ChannelSN:  "2019122722001411461404119764",
		CardType:   "5",
		DeviceID:   "qiantai2",
		ClientSN:   "038424",
		UserID:     "2605489",
	}
}

func TestQueryDecodesSamples(t *testing.T) {
	refund := Transaction{
		SysSN:      "20191227000300020061652643",
		OrigSysSN:  "20191227000200020061752831", // origssn, a bare 26-digit number
		OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F",
		PayType:    PayTypeAlipayMPM,
		OrderType:  OrderTypeRefund,
		Amount:     10,
		Currency:   CurrencyEUR,
		TxTime:     time.Date(2019, 12, 27, 11, 10, 38, 0, beijing),
		SysTime:    time.Date(2019, 12, 27, 11, 11, 23, 0, beijing),
		PayTime:    time.Date(2019, 12, 27, 11, 11, 26, 0, beijing),
		RespCode:   "0000",
		ErrMsg:     "success",
		ChannelSN:  "2019122722001411461404119764",
		CardType:   "5",
		DeviceID:   "qiantai2",
		ClientSN:   "038425",
		UserID:     "2605489",
	}
	refunded := docTransaction()
	refunded.Cancel = CancelRefunded
	numbers := docTransaction()
	numbers.Cancel = CancelPartiallyRefunded
	numbers.PayTime = time.Time{}
	numbers.RespCode = CodeProcessing
	numbers.ErrMsg = "processing"

	tests := []struct {
		file string
		want QueryResponse
	}{
		{"query_doc.json", QueryResponse{Page: 1, PageSize: 10, Transactions: []Transaction{docTransaction()}, RespCode: "0000", Message: "请求成功"}},
		{"query_refund.json", QueryResponse{Page: 1, PageSize: 10, Transactions: []Transaction{refund, refunded}, RespCode: "0000", Message: "请求成功"}},
		{"query_numbers.json", QueryResponse{Page: 1, PageSize: 10, Transactions: []Transaction{numbers}, RespCode: "0000", Message: "请求成功"}},
		// QF Pay's current documentation adds exchange_rate and the cash
		// fields to each record.
		{"query_current.json", QueryResponse{Page: 1, PageSize: 10, RespCode: "0000", Message: "请求成功", Transactions: []Transaction{{
			SysSN: "20240514000200020000000507", OutTradeNo: "web-20240514-0007", PayType: PayTypeVisaMastercardOnline, OrderType: OrderTypePayment,
			Amount: 300, Currency: CurrencyHKD, TxTime: time.Date(2024, 5, 14, 11, 28, 38, 0, beijing),
			SysTime: time.Date(2024, 5, 14, 11, 28, 38, 0, beijing), PayTime: time.Date(2024, 5, 14, 11, 28, 52, 0, beijing),
			Cancel: CancelPartiallyRefunded, RespCode: "0000", ErrMsg: "success", GoodsName: "Milk tea", ChannelSN: "8816158371234567",
			CardNumber: "400000******1091", CardType: "VISA", DeviceID: "web", ClientSN: "038424", UserID: "2319316",
			ExchangeRate: "0.9123", CashFee: "274", CashFeeType: CurrencyCNY, CashRefundFee: "91", CashRefundFeeType: CurrencyCNY,
		}}}},
		// The spec's table types data as an "Object": one transaction.
		{"query_data_object.json", QueryResponse{Page: 1, PageSize: 10, Transactions: []Transaction{docTransaction()}, RespCode: "0000", Message: "请求成功", Detail: "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/query", tt.file)
			got, err := e.client.Query(context.Background(), &QueryRequest{SysSNs: []string{"20191227000200020061752831"}})
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestQueryEmptyPage(t *testing.T) {
	for _, body := range []string{
		`{"respcd": "0000", "data": [], "page": "3", "page_size": "10"}`,
		`{"respcd": "0000", "data": null, "page": 3, "page_size": 10}`,
		`{"respcd": 0000, "page": "3", "page_size": "10"}`,
	} {
		t.Run(body, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, "/trade/v1/query", http.StatusOK, body)
			got, err := e.client.Query(context.Background(), &QueryRequest{Page: 3})
			require.NoError(t, err)
			assert.Equal(t, 3, got.Page)
			assert.Equal(t, 10, got.PageSize)
			assert.Empty(t, got.Transactions)
		})
	}
}

// TestQueryListedTransactionWithoutSysSN: a page listing an entry that is
// not a transaction is malformed, not a zero-valued transaction that reads
// as failed.
func TestQueryListedTransactionWithoutSysSN(t *testing.T) {
	for _, body := range []string{
		`{"respcd": "0000", "data": [null], "page": "1", "page_size": "10"}`,
		`{"respcd": "0000", "data": [{}]}`,
		`{"respcd": "0000", "data": [{"syssn": "20191227000200020061752831", "respcd": "0000"}, {"out_trade_no": "A1", "respcd": "1297"}]}`,
		`{"respcd": "0000", "data": [{"syssn": null, "out_trade_no": "A1"}]}`,
	} {
		t.Run(body, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, "/trade/v1/query", http.StatusOK, body)
			got, err := e.client.Query(context.Background(), &QueryRequest{})
			assert.Nil(t, got, "never a zero-valued transaction")
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "without syssn")
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a query moves no money")
			assert.Len(t, e.requests(), 1, "a 200 answer is not retried")
		})
	}
}

// TestQueryMalformedData: data, the list the SDK reads transactions from,
// is strict: anything but a list of objects (or one object) is malformed,
// as is a listed transaction whose syssn, txamt or times cannot be read.
// The page's other fields are lenient.
func TestQueryMalformedData(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"data a string", `{"respcd": "0000", "data": "20191227000200020061752831"}`, "field data"},
		{"data a number", `{"respcd": "0000", "data": 1}`, "field data"},
		{"data a list of strings", `{"respcd": "0000", "data": ["20191227000200020061752831"]}`, "field data"},
		{"txamt with a fraction", `{"respcd": "0000", "data": [{"syssn": "1", "txamt": "10.5"}]}`, "field txamt"},
		{"syssn an object", `{"respcd": "0000", "data": {"syssn": {"id": 1}}}`, "field syssn"},
		{"orig_syssn an array", `{"respcd": "0000", "data": [{"syssn": "1", "orig_syssn": [2]}]}`, "field orig_syssn"},
		{"respcd of a transaction an object", `{"respcd": "0000", "data": [{"syssn": "1", "respcd": {}}]}`, "field respcd"},
		{"paydtm not a time", `{"respcd": "0000", "data": [{"syssn": "1", "paydtm": "27/12/2019"}]}`, "field paydtm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, "/trade/v1/query", http.StatusOK, tt.body)
			got, err := e.client.Query(context.Background(), &QueryRequest{})
			assert.Nil(t, got)
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestQueryLenientFields: fields of a page or a transaction the SDK does
// not rely on never fail a query.
func TestQueryLenientFields(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/query", http.StatusOK, `{"respcd": "0000", "resperr": {"en": "ok"}, "respmsg": 0, "page": "one", "page_size": 10.5, `+
		`"data": [{"syssn": "1", "txamt": 10, "cancel": "x", "goods_detail": {"sku": ["a"]}, "cardtp": null, "clisn": [1]}]}`)
	got, err := e.client.Query(context.Background(), &QueryRequest{})
	require.NoError(t, err)
	assert.Equal(t, &QueryResponse{
		RespCode: "0000", Message: `{"en": "ok"}`, Detail: "0",
		Transactions: []Transaction{{SysSN: "1", Amount: 10, GoodsDetail: `{"sku": ["a"]}`, ClientSN: "[1]"}},
	}, got)
}

func TestQueryTimesReadInClientLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	e := setup(t, WithLocation(ny))
	e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
	got, err := e.client.Query(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, got.Transactions, 1)
	assert.Equal(t, time.Date(2019, 12, 27, 10, 40, 24, 0, ny), got.Transactions[0].SysTime)
	assert.Same(t, ny, got.Transactions[0].SysTime.Location())
}

func TestQueryRefused(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/query", http.StatusOK, `{"respcd": "1104", "resperr": "Request parameter error (1104)", "respmsg": "page_size"}`)
	got, err := e.client.Query(context.Background(), &QueryRequest{})
	assert.Nil(t, got)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1104", apiErr.Code)
	assert.Equal(t, "Request parameter error (1104)", apiErr.Message)
	assert.Equal(t, "page_size", apiErr.Detail)
	assert.Equal(t, "Request parameter error", apiErr.Description())
	assert.Len(t, e.requests(), 1, "a refusal is not retried")
}

func TestTransactionStatus(t *testing.T) {
	tests := []struct {
		respcd                string
		paid, pending, failed bool
	}{
		{"0000", true, false, false},
		{"1143", false, true, false},
		{"1145", false, true, false},
		{"1298", false, true, false},
		{"1295", false, true, false},
		{"1296", false, true, false},
		{"1297", false, false, true},
		{"1181", false, false, true},
		{"1205", false, false, true},
		// Listed without a status yet: nothing is proven.
		{"", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.respcd, func(t *testing.T) {
			tx := &Transaction{RespCode: tt.respcd}
			assert.Equal(t, tt.paid, tx.Paid(), "Paid")
			assert.Equal(t, tt.pending, tx.Pending(), "Pending")
			assert.Equal(t, tt.failed, tx.Failed(), "Failed")
		})
	}
	for ot, want := range map[OrderType]bool{OrderTypeRefund: true, "Refund": true, OrderTypePayment: false, "": false} {
		assert.Equal(t, want, (&Transaction{OrderType: ot}).IsRefund(), "IsRefund(%q)", ot)
	}
}

func TestQueryValidation(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2019, m, d, 0, 0, 0, 0, beijing) }
	tests := []struct {
		name  string
		req   *QueryRequest
		field string
	}{
		{"PageSize 101", &QueryRequest{PageSize: 101}, "page_size"},
		{"PageSize negative", &QueryRequest{PageSize: -1}, "page_size"},
		{"PageSize 100", &QueryRequest{PageSize: 100}, ""},
		{"PageSize 1", &QueryRequest{PageSize: 1}, ""},
		{"Page negative", &QueryRequest{Page: -1}, "page"},
		{"Start to End over a month", &QueryRequest{Start: day(11, 1), End: day(12, 1).Add(time.Second)}, "end_time"},
		{"Start to End of a whole year", &QueryRequest{Start: day(1, 1), End: day(12, 31)}, "end_time"},
		{"End before Start", &QueryRequest{Start: day(12, 2), End: day(12, 1)}, "end_time"},
		{"Start to End exactly a month", &QueryRequest{Start: day(11, 1), End: day(12, 1)}, ""},
		{"Start to End within a month", &QueryRequest{Start: day(12, 1), End: day(12, 31).Add(24*time.Hour - time.Second)}, ""},
		// A zero bound is the current month's (the test clock: 2019-12-25).
		{"Start only, in the current month", &QueryRequest{Start: day(12, 1)}, ""},
		{"Start only, last month: to the end of this one", &QueryRequest{Start: day(11, 15)}, "start_time"},
		{"Start only, a year back", &QueryRequest{Start: day(1, 1)}, "start_time"},
		{"End only, before the current month", &QueryRequest{End: day(11, 15)}, "end_time"},
		{"End only, in the current month", &QueryRequest{End: day(12, 20)}, ""},
		{"SysSNs: the range is ignored", &QueryRequest{SysSNs: []string{"20191227000200020061752831"}, Start: day(1, 1), End: day(12, 31)}, ""},
		{"OutTradeNos: the range applies", &QueryRequest{OutTradeNos: []string{"A1"}, Start: day(1, 1), End: day(12, 31)}, "end_time"},
		{"OutTradeNos, Start only, a year back", &QueryRequest{OutTradeNos: []string{"A1"}, Start: day(1, 1)}, "start_time"},
		{"empty SysSN entry", &QueryRequest{SysSNs: []string{"20191227000200020061752831", ""}}, "syssn"},
		{"comma inside an OutTradeNo", &QueryRequest{OutTradeNos: []string{"A1,B2"}}, "out_trade_no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/query", "query_doc.json")
			got, err := e.client.Query(context.Background(), tt.req)
			assertValidation(t, e, got != nil, err, tt.field)
		})
	}
}
