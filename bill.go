package qfpay

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"
)

// billRequest is the query of /download/v1/trade_bill. The date is written
// as the calendar day it holds, in its own zone. No mchid: the statement
// covers every merchant of the channel and the API forbids the field.
type billRequest struct {
	TradeDate time.Time `url:"trade_date" layout:"2006-01-02" wire:"asis"`
}

func (r *billRequest) validate() error {
	if r.TradeDate.IsZero() {
		return invalidField("trade_date", "the statement date is required")
	}
	return nil
}

var epBill = endpoint{method: "GET", path: "/download/v1/trade_bill", retry: true, file: true}

// Bill is an account statement as DownloadBill returns it: the zip file the
// gateway sent, with helpers to read the files inside.
type Bill struct {
	// Date is the day the statement was asked for.
	Date time.Time
	// Data is the zip file exactly as received.
	Data []byte
	// ContentType is the answer's Content-Type header.
	ContentType string
	// MaxUncompressedBytes bounds the decompressed size of each file Open
	// and Records read from Data, so that a small zip cannot expand into
	// gigabytes in memory. DownloadBill sets the client's bound
	// (WithMaxBillUncompressedBytes); zero means
	// DefaultMaxBillUncompressedBytes.
	MaxUncompressedBytes int64
}

// WithMaxBillUncompressedBytes bounds the decompressed size of each file
// read from a statement's zip with Bill.Open or Bill.Records (default
// DefaultMaxBillUncompressedBytes, 256 MiB); a larger file is an error
// matching ErrMalformedResponse. The download itself is bounded apart, by
// DefaultMaxBillBytes (see WithMaxResponseBytes).
func WithMaxBillUncompressedBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("%w: the bill's uncompressed limit must be positive", ErrInvalidRequest)
		}
		c.maxBillFile = n
		return nil
	}
}

func (b *Bill) setFile(data []byte, contentType string) {
	b.Data, b.ContentType = data, contentType
}

// check refuses a JSON success that carries no file.
func (b *Bill) check() error {
	if len(b.Data) == 0 {
		return errors.New("respcd 0000 without a statement file")
	}
	return nil
}

// DownloadBill downloads the clearing statement of one day (GET
// /download/v1/trade_bill, API section "Account Statement"). The day is
// date's own calendar day (2017-10-17 for any time that day in date's
// location), sent as trade_date. The statement covers the payment channel's
// transactions of every merchant, so no mchid is sent, even when the client
// has one.
//
// The endpoint answers on production environments only; test environments
// answer with an error. The answer is a zip file, kept in Bill.Data (read it
// with Files, Open and Records); a JSON answer is an *APIError (or, if it
// claims success without a file, ErrMalformedResponse). Downloads are bounded
// by DefaultMaxBillBytes (see WithMaxResponseBytes), each file read from the
// zip by WithMaxBillUncompressedBytes, and retried like Query.
func (c *Client) DownloadBill(ctx context.Context, date time.Time) (*Bill, error) {
	b, err := do[Bill](ctx, c, &epBill, &billRequest{TradeDate: date})
	if err != nil {
		return nil, err
	}
	b.Date = date
	b.MaxUncompressedBytes = c.maxBillFile
	return b, nil
}

// zip opens Data as a zip archive.
func (b *Bill) zip() (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(b.Data), int64(len(b.Data)))
	if err != nil {
		return nil, fmt.Errorf("%w: statement is not a zip file (%d bytes, Content-Type %q): %v", ErrMalformedResponse, len(b.Data), b.ContentType, err)
	}
	return zr, nil
}

// Files lists the names of the files in the statement's zip, folders left
// out. It fails with ErrMalformedResponse when Data is not a zip file.
func (b *Bill) Files() ([]string, error) {
	zr, err := b.zip()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			names = append(names, f.Name)
		}
	}
	return names, nil
}

// Open opens the file name of the statement's zip. It fails with
// ErrMalformedResponse when Data is not a zip file, or when the file
// decompresses to more than MaxUncompressedBytes, and with an error
// matching fs.ErrNotExist when there is no such file. The size checked is
// the one the zip declares; archive/zip refuses to read a file past its
// declared size, so a zip that understates it fails when read.
func (b *Bill) Open(name string) (io.ReadCloser, error) {
	zr, err := b.zip()
	if err != nil {
		return nil, err
	}
	limit := b.MaxUncompressedBytes
	if limit <= 0 {
		limit = DefaultMaxBillUncompressedBytes
	}
	for _, f := range zr.File {
		if f.Name == name && !f.FileInfo().IsDir() {
			if f.UncompressedSize64 > uint64(limit) {
				return nil, fmt.Errorf("%w: statement file %q decompresses to %d bytes, more than the bound of %d (WithMaxBillUncompressedBytes)", ErrMalformedResponse, name, f.UncompressedSize64, limit)
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("%w: statement file %q: %v", ErrMalformedResponse, name, err)
			}
			return rc, nil
		}
	}
	return nil, fmt.Errorf("qfpay: statement file %q: %w", name, fs.ErrNotExist)
}

// Records reads the CSV file name of the statement's zip: every row,
// header row included, as the file holds them (rows may differ in length; a
// leading UTF-8 byte order mark is dropped). A file larger than
// MaxUncompressedBytes once decompressed is an error matching
// ErrMalformedResponse.
func (b *Bill) Records(name string) ([][]string, error) {
	rc, err := b.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: statement file %q: %v", ErrMalformedResponse, name, err)
	}
	return records, nil
}
