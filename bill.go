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
// by DefaultMaxBillBytes (see WithMaxResponseBytes) and retried like Query.
func (c *Client) DownloadBill(ctx context.Context, date time.Time) (*Bill, error) {
	b, err := do[Bill](ctx, c, &epBill, &billRequest{TradeDate: date})
	if err != nil {
		return nil, err
	}
	b.Date = date
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
// ErrMalformedResponse when Data is not a zip file and with an error
// matching fs.ErrNotExist when there is no such file.
func (b *Bill) Open(name string) (io.ReadCloser, error) {
	zr, err := b.zip()
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if f.Name == name && !f.FileInfo().IsDir() {
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
// leading UTF-8 byte order mark is dropped).
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
