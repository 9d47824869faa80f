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
	"iter"
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

	// src holds the zip of a Bill made by ReadBill (Data is nil then), of
	// size bytes.
	src  io.ReaderAt
	size int64
}

// ReadBill returns the statement zip of size bytes that r holds, as
// DownloadBillTo wrote it (an *os.File), as a Bill whose Files, Open,
// Records and Rows read it from r without loading it into memory. Its
// Data is nil, and its files are bounded by the client's
// WithMaxBillUncompressedBytes as DownloadBill's are.
func (c *Client) ReadBill(r io.ReaderAt, size int64) *Bill {
	return &Bill{MaxUncompressedBytes: c.maxBillFile, src: r, size: size}
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

// zip opens Data (or the zip of ReadBill) as a zip archive.
func (b *Bill) zip() (*zip.Reader, error) {
	src, size := io.ReaderAt(bytes.NewReader(b.Data)), int64(len(b.Data))
	if b.src != nil {
		src, size = b.src, b.size
	}
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return nil, fmt.Errorf("%w: statement is not a zip file (%d bytes, Content-Type %q): %v", ErrMalformedResponse, size, b.ContentType, err)
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
// ErrMalformedResponse. Records holds every row in memory at once; Rows
// reads them one at a time.
func (b *Bill) Records(name string) ([][]string, error) {
	var records [][]string
	for row, err := range b.Rows(name) {
		if err != nil {
			return nil, err
		}
		records = append(records, row)
	}
	return records, nil
}

// Rows reads the CSV file name of the statement's zip row by row, for use
// in a range loop, holding one row at a time whatever the size of the
// file:
//
//	for row, err := range bill.Rows(name) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// The rows are those of Records, header row included; each row is the
// caller's to keep. An error (no such file, a file larger than
// MaxUncompressedBytes, a CSV error matching ErrMalformedResponse) is
// yielded once, with a nil row, and ends the sequence.
func (b *Bill) Rows(name string) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		rc, err := b.Open(name)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rc.Close()
		br := bufio.NewReader(rc)
		if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xef\xbb\xbf")) {
			_, _ = br.Discard(3)
		}
		r := csv.NewReader(br)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		for {
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("%w: statement file %q: %v", ErrMalformedResponse, name, err))
				return
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// BillOption configures DownloadBillTo.
type BillOption func(*billOptions)

type billOptions struct {
	progress func(written, total int64)
}

// WithBillProgress makes DownloadBillTo call fn after each part of the
// statement it writes, with the bytes written so far and the size the
// gateway announced (-1 when it announced none): for a progress bar, or a
// log line per megabyte. fn runs on the downloading goroutine; a slow fn
// slows the download.
func WithBillProgress(fn func(written, total int64)) BillOption {
	return func(o *billOptions) { o.progress = fn }
}

// DownloadBillTo is DownloadBill writing the statement's zip file to w as
// it arrives (GET /download/v1/trade_bill, API section "Account
// Statement"), in constant memory whatever its size, and returning the
// number of bytes written: for a statement too large to hold, saved to a
// file and then read with Client.ReadBill and Rows. The same bounds apply
// (DefaultMaxBillBytes, see WithMaxResponseBytes); a JSON answer is an
// *APIError (or ErrMalformedResponse) as for DownloadBill, and nothing is
// written then.
//
// Failures before the first byte is written (a dropped connection, a 5xx,
// a 429) are retried like Query; once writing has begun, a failure ends
// the download with an error and w holds the part written.
func (c *Client) DownloadBillTo(ctx context.Context, date time.Time, w io.Writer, opts ...BillOption) (int64, error) {
	if w == nil {
		return 0, invalid("nil io.Writer for the statement")
	}
	var o billOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	s := &billStream{w: w, progress: o.progress}
	if err := c.run(ctx, &epBill, &billRequest{TradeDate: date}, s, s.attempt); err != nil {
		return s.written, err
	}
	return s.written, nil
}

// billStream is one DownloadBillTo: the attempt that streams a zip to w,
// and the file answer that records it.
type billStream struct {
	w        io.Writer
	progress func(written, total int64)
	written  int64
}

func (s *billStream) setFile([]byte, string) {}

// check refuses a JSON success that carries no file, as Bill.check does.
func (s *billStream) check() error {
	if s.written == 0 {
		return errors.New("respcd 0000 without a statement file")
	}
	return nil
}

// attempt sends the request and writes a zip answer to w as it arrives;
// any other answer (JSON, an HTTP error) is read whole for classify.
func (s *billStream) attempt(c *Client, ctx context.Context, ep *endpoint, r *request) (*answer, error) {
	resp, start, done, err := c.roundTrip(ctx, ep, r)
	if err != nil {
		return nil, err
	}
	defer done()
	// The first bytes tell a zip from a JSON answer, as looksLikeJSON
	// reads them.
	head := make([]byte, 64)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, &transportError{err: fmt.Errorf("reading the answer: %w", err), sent: true, status: resp.StatusCode, took: time.Since(start)}
	}
	probe := &answer{status: resp.StatusCode, header: resp.Header, body: head, contentType: resp.Header.Get("Content-Type")}
	if !isSuccess(resp.StatusCode) || looksLikeJSON(probe) || len(head) == 0 {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		ans, err := c.read(ep, resp)
		if err != nil {
			return nil, &transportError{err: err, sent: true, status: resp.StatusCode, took: time.Since(start)}
		}
		ans.took = time.Since(start)
		return ans, nil
	}
	if resp.ContentLength > c.maxBill {
		probe.took = time.Since(start)
		return nil, c.malformed(ep, probe, fmt.Errorf("statement of %d bytes, more than the bound of %d", resp.ContentLength, c.maxBill))
	}
	if err := s.copy(head, resp.Body, resp.ContentLength, c.maxBill); err != nil {
		return nil, fmt.Errorf("qfpay: %s %s: %w", ep.method, ep.path, err)
	}
	probe.body, probe.streamed, probe.took = nil, s.written, time.Since(start)
	return probe, nil
}

// copy writes head then the rest of body to w, at most max bytes in all.
func (s *billStream) copy(head []byte, body io.Reader, total, max int64) error {
	if err := s.write(head, total); err != nil {
		return err
	}
	buf := make([]byte, 32<<10)
	for {
		n, rerr := body.Read(buf)
		if s.written+int64(n) > max {
			return fmt.Errorf("%w: statement larger than %d bytes", ErrMalformedResponse, max)
		}
		if err := s.write(buf[:n], total); err != nil {
			return err
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("reading the statement after %d bytes: %w", s.written, rerr)
		}
	}
}

func (s *billStream) write(p []byte, total int64) error {
	if len(p) == 0 {
		return nil
	}
	n, err := s.w.Write(p)
	s.written += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("writing the statement: %w", err)
	}
	if s.progress != nil {
		s.progress(s.written, total)
	}
	return nil
}
