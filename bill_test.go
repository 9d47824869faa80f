package qfpay

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const billPath = "/download/v1/trade_bill"

// billCSV is a statement file as a spreadsheet exports it: a byte order
// mark, a header row, a quoted field holding a comma, a short summary row.
const billCSV = "\xef\xbb\xbfsyssn,out_trade_no,txamt,txcurrcd,goods_name\r\n" +
	"20171017000200020061752831,CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL,10,HKD,\"Tea, green\"\r\n" +
	"20171017000200020061752832,A2,2500,HKD,\r\n" +
	"total,2510\r\n"

// makeZip builds a zip holding files (name → content), in the order given
// by names; a name ending in "/" is a folder.
func makeZip(t *testing.T, names []string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, files[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func sampleBillZip(t *testing.T) []byte {
	return makeZip(t, []string{"20171017/", "20171017/trade_bill.csv", "20171017/readme.txt"}, map[string]string{
		"20171017/trade_bill.csv": billCSV,
		"20171017/readme.txt":     "amounts in cents",
	})
}

func TestDownloadBillSends(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		date     time.Time
		want     string
		signType SignType
	}{
		{name: "spec example date", date: time.Date(2017, 10, 17, 0, 0, 0, 0, beijing), want: "2017-10-17", signType: MD5},
		{name: "the date's own day, not the client zone's", date: time.Date(2017, 10, 17, 23, 30, 0, 0, time.UTC), want: "2017-10-17", signType: MD5},
		{name: "early morning in Tokyo, client in UTC, no mchid sent", opts: []Option{WithLocation(time.UTC), WithMerchantID("ZaMVg12345")},
			date: time.Date(2017, 10, 17, 1, 0, 0, 0, time.FixedZone("JST", 9*3600)), want: "2017-10-17", signType: MD5},
		{name: "SHA256", opts: []Option{WithSignType(SHA256)}, date: time.Date(2020, 2, 29, 12, 0, 0, 0, beijing), want: "2020-02-29", signType: SHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respond(http.MethodGet, billPath, http.StatusOK, string(sampleBillZip(t)), "Content-Type", "application/zip")
			_, err := e.client.DownloadBill(t.Context(), tt.date)
			require.NoError(t, err)
			r := e.last()
			assert.Equal(t, http.MethodGet, r.Method)
			assert.Equal(t, billPath, r.Path)
			assert.Empty(t, r.RawBody)
			assert.Equal(t, "trade_date="+tt.want, r.RawQuery)
			assertSentParams(t, r, map[string]string{"trade_date": tt.want})
			assertSigned(t, r, tt.signType)
		})
	}
}

func TestDownloadBillReadsZip(t *testing.T) {
	data := sampleBillZip(t)
	date := time.Date(2017, 10, 17, 0, 0, 0, 0, beijing)
	for _, contentType := range []string{"application/zip", "application/octet-stream", ""} {
		t.Run("Content-Type "+contentType, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodGet, billPath, http.StatusOK, string(data), "Content-Type", contentType)
			bill, err := e.client.DownloadBill(t.Context(), date)
			require.NoError(t, err)
			assert.Equal(t, data, bill.Data)
			assert.Equal(t, contentType, bill.ContentType)
			assert.True(t, date.Equal(bill.Date))

			names, err := bill.Files()
			require.NoError(t, err)
			assert.Equal(t, []string{"20171017/trade_bill.csv", "20171017/readme.txt"}, names)

			records, err := bill.Records("20171017/trade_bill.csv")
			require.NoError(t, err)
			assert.Equal(t, [][]string{
				{"syssn", "out_trade_no", "txamt", "txcurrcd", "goods_name"},
				{"20171017000200020061752831", "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL", "10", "HKD", "Tea, green"},
				{"20171017000200020061752832", "A2", "2500", "HKD", ""},
				{"total", "2510"},
			}, records)

			rc, err := bill.Open("20171017/readme.txt")
			require.NoError(t, err)
			text, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			assert.Equal(t, "amounts in cents", string(text))

			_, err = bill.Open("20171017/missing.csv")
			assert.ErrorIs(t, err, fs.ErrNotExist)
			_, err = bill.Records("20171017/")
			assert.ErrorIs(t, err, fs.ErrNotExist, "a folder is not a file")
		})
	}
}

func TestDownloadBillNotAZip(t *testing.T) {
	good := sampleBillZip(t)
	tests := []struct {
		name string
		body []byte
	}{
		{"text", []byte("syssn,txamt\n1,10\n")},
		{"truncated zip", good[:len(good)/2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodGet, billPath, http.StatusOK, string(tt.body), "Content-Type", "application/octet-stream")
			bill, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
			require.NoError(t, err, "the body is kept; reading it fails")
			assert.Equal(t, tt.body, bill.Data)
			_, err = bill.Files()
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "not a zip file")
			_, err = bill.Open("x.csv")
			assert.ErrorIs(t, err, ErrMalformedResponse)
			_, err = bill.Records("x.csv")
			assert.ErrorIs(t, err, ErrMalformedResponse)
		})
	}
	t.Run("corrupt entry", func(t *testing.T) {
		data := makeZip(t, []string{"bill.csv"}, map[string]string{"bill.csv": billCSV})
		// Damage the stored CRC-32 of the entry in the central directory.
		i := bytes.LastIndex(data, []byte("PK\x01\x02"))
		require.Positive(t, i)
		data[i+16] ^= 0xff
		bill := &Bill{Data: data}
		_, err := bill.Records("bill.csv")
		assert.ErrorIs(t, err, ErrMalformedResponse)
	})
}

func TestDownloadBillAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		file   string
		code   string
		is     error
	}{
		{name: "JSON refusal, as test environments answer", status: http.StatusOK, file: "bill_1104.json", code: "1104"},
		{name: "JSON success without a file", status: http.StatusOK, file: "bill_nofile.json", is: ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodGet, billPath, tt.status, readTestdata(t, tt.file))
			bill, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
			assert.Nil(t, bill)
			if tt.code != "" {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				assert.Equal(t, billPath, apiErr.Path)
			} else {
				require.ErrorIs(t, err, tt.is)
			}
		})
	}
	t.Run("empty file", func(t *testing.T) {
		e := setup(t)
		e.respond(http.MethodGet, billPath, http.StatusOK, "", "Content-Type", "application/zip")
		_, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
		assert.ErrorIs(t, err, ErrMalformedResponse)
	})
	t.Run("larger than the bill limit", func(t *testing.T) {
		e := setup(t)
		data := sampleBillZip(t)
		e.client.maxBill = int64(len(data)) - 1
		e.respond(http.MethodGet, billPath, http.StatusOK, string(data), "Content-Type", "application/zip")
		_, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
		require.ErrorIs(t, err, ErrMalformedResponse)
		assert.Contains(t, err.Error(), "larger than")
	})
	t.Run("retried after a 503", func(t *testing.T) {
		e := setup(t)
		data := sampleBillZip(t)
		calls := 0
		e.respondFunc(http.MethodGet, billPath, func(*http.Request) (*http.Response, error) {
			calls++
			if calls == 1 {
				return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Content-Type": {"text/html"}},
					Body: io.NopCloser(bytes.NewReader([]byte(htmlGatewayError)))}, nil
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/zip"}},
				Body: io.NopCloser(bytes.NewReader(data))}, nil
		})
		bill, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
		require.NoError(t, err)
		assert.Equal(t, data, bill.Data)
		assert.Len(t, e.requests(), 2)
	})
}

func TestDownloadBillValidation(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodGet, billPath, http.StatusOK, string(sampleBillZip(t)), "Content-Type", "application/zip")
	bill, err := e.client.DownloadBill(t.Context(), time.Time{})
	assert.Nil(t, bill)
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "date is required")
	assert.Empty(t, e.requests())
}

// bombZip is a zip whose one CSV file, bill.csv, decompresses to size bytes
// of rows (a few KiB compressed).
func bombZip(t *testing.T, size int) []byte {
	t.Helper()
	row := "20171017000200020061752831,A1,10,HKD,tea\r\n"
	return makeZip(t, []string{"bill.csv"}, map[string]string{"bill.csv": strings.Repeat(row, size/len(row)) + strings.Repeat("x", size%len(row))})
}

// TestBillUncompressedBound: a small zip that would inflate past the bound
// is refused when opened, before anything is decompressed.
func TestBillUncompressedBound(t *testing.T) {
	const limit = 64 << 10
	bomb := bombZip(t, 4<<20)
	require.Less(t, len(bomb), 64<<10, "the zip itself is small")
	tests := []struct {
		name    string
		data    []byte
		bound   int64
		wantErr bool
	}{
		{"4 MiB file, 64 KiB bound", bomb, limit, true},
		{"a file of exactly the bound", bombZip(t, limit), limit, false},
		{"a file one byte over the bound", bombZip(t, limit+1), limit, true},
		{"4 MiB file, default bound", bomb, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Bill{Data: tt.data, MaxUncompressedBytes: tt.bound}
			records, err := b.Records("bill.csv")
			rc, openErr := b.Open("bill.csv")
			if !tt.wantErr {
				require.NoError(t, err)
				assert.NotEmpty(t, records)
				require.NoError(t, openErr)
				require.NoError(t, rc.Close())
				return
			}
			assert.Nil(t, records)
			require.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "WithMaxBillUncompressedBytes")
			assert.Contains(t, err.Error(), `"bill.csv"`)
			assert.Nil(t, rc)
			assert.ErrorIs(t, openErr, ErrMalformedResponse)
		})
	}
}

// TestBillUnderstatedSize: a zip that declares a small size for a large
// file cannot get past the bound either: reading stops at the declared size.
func TestBillUnderstatedSize(t *testing.T) {
	content := strings.Repeat("a,b\r\n", 200_000) // 1,000,000 bytes
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.BestCompression)
	require.NoError(t, err)
	_, err = io.WriteString(fw, content)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "bill.csv", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(content)),
		CompressedSize64: uint64(compressed.Len()), UncompressedSize64: 100})
	require.NoError(t, err)
	_, err = w.Write(compressed.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	b := &Bill{Data: buf.Bytes(), MaxUncompressedBytes: 1 << 10}
	records, err := b.Records("bill.csv")
	assert.Nil(t, records)
	require.ErrorIs(t, err, ErrMalformedResponse)
}

func TestWithMaxBillUncompressedBytes(t *testing.T) {
	t.Run("the client's bound reaches the bill", func(t *testing.T) {
		e := setup(t, WithMaxBillUncompressedBytes(1<<10))
		e.respond(http.MethodGet, billPath, http.StatusOK, string(bombZip(t, 2<<10)), "Content-Type", "application/zip")
		bill, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
		require.NoError(t, err)
		assert.Equal(t, int64(1<<10), bill.MaxUncompressedBytes)
		_, err = bill.Records("bill.csv")
		require.ErrorIs(t, err, ErrMalformedResponse)
		assert.Contains(t, err.Error(), "bound of 1024")
	})
	t.Run("the default bound", func(t *testing.T) {
		e := setup(t)
		e.respond(http.MethodGet, billPath, http.StatusOK, string(sampleBillZip(t)), "Content-Type", "application/zip")
		bill, err := e.client.DownloadBill(t.Context(), time.Date(2017, 10, 17, 0, 0, 0, 0, beijing))
		require.NoError(t, err)
		assert.Equal(t, int64(DefaultMaxBillUncompressedBytes), bill.MaxUncompressedBytes)
	})
	for _, n := range []int64{0, -1} {
		t.Run(fmt.Sprintf("bound %d refused", n), func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithMaxBillUncompressedBytes(n))
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidRequest)
		})
	}
}
