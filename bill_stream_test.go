package qfpay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var billDay = time.Date(2017, 10, 17, 0, 0, 0, 0, beijing)

// largeBillZip is a statement of rows enough for the stream to be written
// in many parts: random digits, so that it does not compress to nothing.
func largeBillZip(t *testing.T, rows int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	var sb strings.Builder
	sb.WriteString("\xef\xbb\xbfsyssn,out_trade_no,txamt,txcurrcd,goods_name\r\n")
	for i := range rows {
		fmt.Fprintf(&sb, "2017101700020002%010d,%016x,%d,HKD,\"tea, %d\"\r\n", i, rng.Uint64(), rng.IntN(100000), i)
	}
	return makeZip(t, []string{"20171017/", "20171017/trade_bill.csv"}, map[string]string{"20171017/trade_bill.csv": sb.String()})
}

// zipResponse answers data as the gateway answers a statement, with its
// Content-Length when known is set.
func zipResponse(data []byte, known bool) *http.Response {
	n := int64(-1)
	if known {
		n = int64(len(data))
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/zip"}},
		Body: io.NopCloser(bytes.NewReader(data)), ContentLength: n}
}

func htmlResponse(status int) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/html"}},
		Body: io.NopCloser(strings.NewReader(htmlGatewayError)), ContentLength: int64(len(htmlGatewayError))}
}

// TestDownloadBillToEqualsDownloadBill: the streamed statement is the
// in-memory one byte for byte, and its rows, read from the file with
// ReadBill and Rows, are Records' rows.
func TestDownloadBillToEqualsDownloadBill(t *testing.T) {
	data := largeBillZip(t, 20_000)
	require.Greater(t, len(data), 256<<10, "large enough for many writes")
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("content length known %v", known), func(t *testing.T) {
			e := setup(t)
			e.respondFunc(http.MethodGet, billPath, func(*http.Request) (*http.Response, error) { return zipResponse(data, known), nil })
			inMemory, err := e.client.DownloadBill(t.Context(), billDay)
			require.NoError(t, err)

			file, err := os.Create(filepath.Join(t.TempDir(), "bill.zip"))
			require.NoError(t, err)
			defer file.Close()
			var calls int
			var last, total int64
			n, err := e.client.DownloadBillTo(t.Context(), billDay, file, WithBillProgress(func(written, size int64) {
				calls++
				assert.Greater(t, written, last, "progress only grows")
				last, total = written, size
			}))
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)), n)
			assert.Equal(t, n, last, "the last progress is the whole file")
			if known {
				assert.Equal(t, int64(len(data)), total)
			} else {
				assert.Equal(t, int64(-1), total)
			}
			assert.Greater(t, calls, 4, "written in parts")

			streamed, err := os.ReadFile(file.Name())
			require.NoError(t, err)
			assert.Equal(t, inMemory.Data, streamed)
			bill := e.client.ReadBill(file, n)
			assert.Nil(t, bill.Data)
			files, err := bill.Files()
			require.NoError(t, err)
			assert.Equal(t, []string{"20171017/trade_bill.csv"}, files)
			want, err := inMemory.Records("20171017/trade_bill.csv")
			require.NoError(t, err)
			require.Len(t, want, 20_001)
			var got [][]string
			for row, err := range bill.Rows("20171017/trade_bill.csv") {
				require.NoError(t, err)
				got = append(got, row)
			}
			assert.Equal(t, want, got)
			assert.Equal(t, []string{"syssn", "out_trade_no", "txamt", "txcurrcd", "goods_name"}, got[0], "byte order mark dropped")
		})
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// failingWriter takes after bytes, then fails.
type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.after)
	w.after -= n
	if n < len(p) {
		return n, errors.New("disk full")
	}
	return n, nil
}

func TestDownloadBillToAnswers(t *testing.T) {
	data := largeBillZip(t, 5_000)
	tests := []struct {
		name string
		// answers are the gateway's answers to the attempts, in order.
		answers  []func() *http.Response
		w        func() io.Writer
		maxBill  int64
		wantN    int64
		wantReqs int
		check    func(t *testing.T, err error)
	}{
		{
			name:    "JSON refusal: nothing written",
			answers: []func() *http.Response{func() *http.Response { return jsonResponse(readTestdata(t, "bill_1104.json")) }},
			wantN:   0, wantReqs: 1,
			check: func(t *testing.T, err error) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "1104", apiErr.Code)
			},
		},
		{
			name:     "JSON success without a file",
			answers:  []func() *http.Response{func() *http.Response { return jsonResponse(readTestdata(t, "bill_nofile.json")) }},
			wantReqs: 1,
			check:    func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrMalformedResponse) },
		},
		{
			name:     "empty file",
			answers:  []func() *http.Response{func() *http.Response { return zipResponse(nil, true) }},
			wantReqs: 1,
			check:    func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrMalformedResponse) },
		},
		{
			name: "a 503, then the file: retried before writing",
			answers: []func() *http.Response{
				func() *http.Response { return htmlResponse(http.StatusServiceUnavailable) },
				func() *http.Response { return zipResponse(data, true) },
			},
			wantN: int64(len(data)), wantReqs: 2,
			check: func(t *testing.T, err error) { assert.NoError(t, err) },
		},
		{
			name: "cut in the middle: not retried, the part written kept",
			answers: []func() *http.Response{func() *http.Response {
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/zip"}},
					Body: io.NopCloser(&failingReader{data: data[:100_000], err: io.ErrUnexpectedEOF}), ContentLength: int64(len(data))}
			}},
			wantN: 100_000, wantReqs: 1,
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Contains(t, err.Error(), "after 100000 bytes")
				assert.Contains(t, err.Error(), "qfpay: GET "+billPath)
			},
		},
		{
			name:    "the writer fails: not retried",
			answers: []func() *http.Response{func() *http.Response { return zipResponse(data, true) }},
			w:       func() io.Writer { return &failingWriter{after: 70_000} },
			wantN:   70_000, wantReqs: 1,
			check: func(t *testing.T, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "writing the statement: disk full")
			},
		},
		{
			name:    "announced larger than the bound: nothing written",
			answers: []func() *http.Response{func() *http.Response { return zipResponse(data, true) }},
			maxBill: int64(len(data)) - 1, wantReqs: 1,
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), "more than the bound")
			},
		},
		{
			name:    "larger than the bound without announcing it: stopped at the bound",
			answers: []func() *http.Response{func() *http.Response { return zipResponse(data, false) }},
			maxBill: 50_000, wantN: 32<<10 + 64, wantReqs: 1,
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), "larger than 50000 bytes")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			if tt.maxBill > 0 {
				e.client.maxBill = tt.maxBill
			}
			calls := 0
			e.respondFunc(http.MethodGet, billPath, func(*http.Request) (*http.Response, error) {
				calls++
				return tt.answers[min(calls, len(tt.answers))-1](), nil
			})
			var buf bytes.Buffer
			w := io.Writer(&buf)
			if tt.w != nil {
				w = tt.w()
			}
			n, err := e.client.DownloadBillTo(t.Context(), billDay, w)
			tt.check(t, err)
			assert.Equal(t, tt.wantN, n)
			assert.Len(t, e.requests(), tt.wantReqs)
			if tt.w == nil {
				assert.True(t, bytes.Equal(data[:buf.Len()], buf.Bytes()), "what was written is the start of the file")
			}
		})
	}
}

// TestDownloadBillToRefusesBadInput: nothing is sent without somewhere to
// write, or without a date.
func TestDownloadBillToRefusesBadInput(t *testing.T) {
	e := setup(t)
	for name, call := range map[string]func() (int64, error){
		"nil writer": func() (int64, error) { return e.client.DownloadBillTo(t.Context(), billDay, nil) },
		"zero date":  func() (int64, error) { return e.client.DownloadBillTo(t.Context(), time.Time{}, io.Discard) },
	} {
		t.Run(name, func(t *testing.T) {
			n, err := call()
			assert.Zero(t, n)
			var ve *ValidationError
			assert.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, ErrInvalidRequest)
		})
	}
	assert.Empty(t, e.requests())
}

// TestBillRows: Rows yields Records' rows one at a time, stops when the
// loop breaks, and yields the errors of Records once.
func TestBillRows(t *testing.T) {
	bill := &Bill{Data: sampleBillZip(t)}
	want, err := bill.Records("20171017/trade_bill.csv")
	require.NoError(t, err)
	var got [][]string
	for row, err := range bill.Rows("20171017/trade_bill.csv") {
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"total", "2510"}, got[3], "rows of any length")

	n := 0
	for range bill.Rows("20171017/trade_bill.csv") {
		n++
		break
	}
	assert.Equal(t, 1, n, "a break stops the rows")

	tests := []struct {
		name string
		bill *Bill
		file string
		is   error
	}{
		{"no such file", bill, "nope.csv", os.ErrNotExist},
		{"not a zip", &Bill{Data: []byte("<html>")}, "bill.csv", ErrMalformedResponse},
		{"over the uncompressed bound", &Bill{Data: bombZip(t, 4<<10), MaxUncompressedBytes: 1 << 10}, "bill.csv", ErrMalformedResponse},
		{"stray quotes, read as LazyQuotes reads them", &Bill{Data: makeZip(t, []string{"bill.csv"}, map[string]string{"bill.csv": "a,b\r\n\"x\"y\"z,\n"})}, "bill.csv", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			for row, err := range tt.bill.Rows(tt.file) {
				if err != nil {
					assert.Nil(t, row)
					errs = append(errs, err)
				}
			}
			if tt.is == nil {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1, "one error, which ends the rows")
			assert.ErrorIs(t, errs[0], tt.is)
		})
	}
}

// TestReadBillBound: a bill read from a file is bounded by the client's
// WithMaxBillUncompressedBytes as DownloadBill's is.
func TestReadBillBound(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey, WithMaxBillUncompressedBytes(1<<10))
	require.NoError(t, err)
	data := bombZip(t, 2<<10)
	bill := c.ReadBill(bytes.NewReader(data), int64(len(data)))
	assert.Equal(t, int64(1<<10), bill.MaxUncompressedBytes)
	_, err = bill.Records("bill.csv")
	require.ErrorIs(t, err, ErrMalformedResponse)
	assert.Contains(t, err.Error(), "bound of 1024")
}
