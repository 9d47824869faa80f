package qfpaytest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AllPaths makes InjectFault hit every path.
const AllPaths = "*"

// DefaultRefuseCode is the respcd of a Fault with Refuse and no
// RefuseCode: 1100, "System under maintenance".
const DefaultRefuseCode = "1100"

// GarbledBody is the body of a Fault with Garble: bytes that are not JSON
// (nor UTF-8), as a broken proxy or a corrupted connection delivers.
const GarbledBody = "\x1f\x8b\x08\x00\xff\xfe qfpaytest: garbled answer \x00\x9c"

// Fault is a failure injected in the answers to one path, for testing how
// a merchant's code copes with a slow or failing gateway or network. Each
// applies to every path (payments, refunds, reversal, close, authtrade,
// query, add_note, the bill, the pay links).
//
// Without AfterProcessing the fault hits before the request is processed:
// nothing happens, and the answer is broken. With AfterProcessing the
// request is processed as usual (the payment, refund or cancel happens),
// then its answer is broken: the case where money moved but the merchant
// cannot know. Late is the third case: nothing is answered, and the
// request is processed later.
//
// One fault breaks the answer in one way, the first of: Late, Drop,
// Truncate, Garble, Refuse, then Status and Body. Latency combines with
// all but Late.
type Fault struct {
	// Latency delays the answer. A client that gives up during a latency
	// injected before processing leaves the request unprocessed.
	Latency time.Duration
	// Status answers with this HTTP status (a 5xx, 429, 403) instead of
	// the gateway's answer: with Body when set, else with a plain-text
	// body naming the status.
	Status int
	// RetryAfter, with Status, adds a Retry-After header in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Body answers these bytes instead of the gateway's answer, with
	// Status (200 when Status is 0) and ContentType: an HTML error page as
	// a proxy or WAF sends (see ErrorPage), JSON of the wrong shape (e.g.
	// `[]` or `{"respcd": 0}`), anything.
	Body string
	// ContentType is the Content-Type of Body (default application/json,
	// the gateway's).
	ContentType string
	// Drop closes the connection without any answer. With Truncate, the
	// connection is closed in the middle of the body instead: the status,
	// the headers and a Content-Length of the whole answer are sent, then
	// half of its bytes, and the client reads an unexpected end of file.
	Drop bool
	// Truncate answers the gateway's answer cut short to the first half
	// of its bytes, with its HTTP status (200) and headers and a
	// Content-Length of what is sent: a whole HTTP answer of JSON cut in
	// the middle. Before processing, the answer cut is the refusal of
	// Refuse (nothing was processed).
	Truncate bool
	// Garble answers HTTP 200 with Content-Type application/json and
	// GarbledBody, bytes that are not JSON.
	Garble bool
	// Refuse answers HTTP 200 with the gateway's JSON refusal
	// {"respcd": RefuseCode, "resperr": "<description> (<code>)",
	// "respmsg": ""}: before processing, the request was refused (on the
	// query path, the query was refused: it says nothing of the
	// transactions); after processing, the request was processed but the
	// answer says it was refused.
	Refuse bool
	// RefuseCode is the respcd of Refuse (default DefaultRefuseCode,
	// 1100 "System under maintenance").
	RefuseCode string
	// Late processes the request this long after it arrived (real time,
	// not the server's clock), in the background, exactly as it would
	// have been processed then (2011 for an out_trade_no used in the
	// meantime, the notification, the ledger), and discards its answer:
	// a gateway that received the request before the client's timeout and
	// processed it after. The client gets no answer: with Drop the
	// connection is closed at once; without, it is held until the client
	// gives up or the request is processed, then closed. Close abandons
	// the requests not processed yet. Late ignores the other fields but
	// Drop, Count and Probability.
	Late time.Duration
	// AfterProcessing lets the request be processed (the payment or refund
	// happens) before the fault hits the answer: the case where money moved
	// but the merchant cannot know. Without it the fault hits before, and
	// nothing happens.
	AfterProcessing bool
	// Count is the number of requests the fault hits, then it is removed;
	// 0 means every request until ClearFaults.
	Count int
	// Probability is the chance that a request is hit, in (0, 1); 0 (or 1
	// or more) means every request. Requests not hit do not use up Count.
	// The draws come from the server's seed (WithSeed, default
	// DefaultSeed), so a test that sends the same requests in the same
	// order sees the same faults.
	Probability float64
}

// ErrorPage is the fault of a proxy or web application firewall in front
// of the gateway answering an HTML error page with status (403, 502, ...):
// e.g. <html><body><h1>403 Forbidden</h1></body></html>, Content-Type
// text/html. Set AfterProcessing, Count or Probability on the result as
// needed.
func ErrorPage(status int) Fault {
	return Fault{
		Status:      status,
		Body:        fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status)),
		ContentType: "text/html",
	}
}

// String describes the fault for the log.
func (f *Fault) String() string {
	var parts []string
	if f.Latency > 0 && f.Late <= 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	switch {
	case f.Late > 0 && f.Drop:
		parts = append(parts, "dropped, processed late "+f.Late.String())
	case f.Late > 0:
		parts = append(parts, "held, processed late "+f.Late.String())
	case f.Drop && f.Truncate:
		parts = append(parts, "truncated, then drop")
	case f.Drop:
		parts = append(parts, "drop")
	case f.Truncate:
		parts = append(parts, "truncated")
	case f.Garble:
		parts = append(parts, "garbled")
	case f.Refuse:
		parts = append(parts, "refused "+f.refuseCode())
	case f.Status != 0 || f.Body != "":
		desc := "status " + strconv.Itoa(f.status())
		if f.Body != "" {
			desc += " " + f.contentType() + " body"
		}
		parts = append(parts, desc)
	}
	if f.AfterProcessing && f.Late <= 0 {
		parts = append(parts, "after processing")
	}
	return strings.Join(parts, ", ")
}

func (f *Fault) refuseCode() string {
	if f.RefuseCode == "" {
		return DefaultRefuseCode
	}
	return f.RefuseCode
}

func (f *Fault) status() int {
	if f.Status == 0 {
		return http.StatusOK
	}
	return f.Status
}

func (f *Fault) contentType() string {
	if f.ContentType == "" {
		return "application/json"
	}
	return f.ContentType
}

type faultEntry struct {
	f    Fault
	used int
}

// InjectFault adds a fault to the answers of path ("/trade/v1/payment"),
// or of every path with AllPaths. Faults of a path are tried in the order
// added, before those of AllPaths; the first that hits a request applies.
func (s *Server) InjectFault(path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], &faultEntry{f: f})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault picks the fault that hits a request to path, if any.
func (s *Server) takeFault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{path, AllPaths} {
		entries := s.faults[key]
		for i, e := range entries {
			if p := e.f.Probability; p > 0 && p < 1 && s.rng.Float64() >= p {
				continue
			}
			e.used++
			if e.f.Count > 0 && e.used >= e.f.Count {
				s.faults[key] = append(entries[:i:i], entries[i+1:]...)
			}
			f := e.f
			return &f
		}
	}
	return nil
}

// delay waits d, and reports false when the client or the server gave up
// first.
func (s *Server) delay(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	return false
}

// breakAnswer answers r as f says instead of the gateway's answer rec (nil
// before processing), logs it, and reports whether f broke the answer.
func (s *Server) breakAnswer(w http.ResponseWriter, r *http.Request, f *Fault, rec *recorder, start time.Time) bool {
	processed := ""
	if rec != nil {
		processed = respcdOf(rec)
	}
	switch {
	case f.Drop && f.Truncate:
		a := f.answerOf(rec)
		s.logRequest(r, a.statusCode(), processed, start, f, "")
		copyHeader(w.Header(), a.header)
		w.Header().Set("Content-Length", strconv.Itoa(a.body.Len()))
		w.WriteHeader(a.statusCode())
		_, _ = w.Write(a.body.Bytes()[:a.body.Len()/2])
		_ = http.NewResponseController(w).Flush() // the half out before the connection closes
		dropConn(w)
	case f.Drop:
		s.logRequest(r, 0, processed, start, f, "")
		dropConn(w)
	case f.Truncate:
		a := f.answerOf(rec)
		s.logRequest(r, a.statusCode(), processed, start, f, "")
		cut := a.body.Bytes()[:a.body.Len()/2]
		copyHeader(w.Header(), a.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(cut)))
		w.WriteHeader(a.statusCode())
		_, _ = w.Write(cut)
	case f.Garble:
		s.logRequest(r, http.StatusOK, processed, start, f, "")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, GarbledBody)
	case f.Refuse:
		s.logRequest(r, http.StatusOK, processed, start, f, "")
		writeJSON(w, http.StatusOK, refusal(f.refuseCode()))
	case f.Body != "":
		s.logRequest(r, f.status(), processed, start, f, "")
		setRetryAfter(w, f)
		w.Header().Set("Content-Type", f.contentType())
		w.WriteHeader(f.status())
		_, _ = io.WriteString(w, f.Body)
	case f.Status != 0:
		s.logRequest(r, f.Status, processed, start, f, "")
		setRetryAfter(w, f)
		http.Error(w, fmt.Sprintf("%d %s (injected by qfpaytest)", f.Status, http.StatusText(f.Status)), f.Status)
	default:
		return false
	}
	return true
}

// answerOf is the answer a Truncate fault cuts: the gateway's (rec), or
// before processing the refusal of Refuse.
func (f *Fault) answerOf(rec *recorder) *recorder {
	if rec != nil {
		return rec
	}
	a := &recorder{header: http.Header{}}
	writeJSON(a, http.StatusOK, refusal(f.refuseCode()))
	return a
}

// refusal is the gateway's JSON refusal with code.
func refusal(code string) object {
	return object{"respcd": code, "resperr": resperr(code), "respmsg": ""}
}

func setRetryAfter(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter > 0 {
		secs := (f.RetryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", strconv.Itoa(int(secs)))
	}
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs
	}
}

// dropConn closes the connection of w without (any more of) an answer.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection where hijacking is not possible
}

// serveLate serves a request hit by a Late fault: it is processed f.Late
// from now in the background, and the client gets no answer.
func (s *Server) serveLate(w http.ResponseWriter, r *http.Request, body []byte, f *Fault, start time.Time) {
	processed := s.processLater(r, body, f)
	if !f.Drop && processed != nil {
		select {
		case <-processed:
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
	}
	s.logRequest(r, 0, "", start, f, "no answer")
	dropConn(w)
}

// processLater processes a copy of r with body after f.Late, unless the
// server is closed first, and discards the answer. The channel is closed
// when that is over (nil: the server is closed already).
func (s *Server) processLater(r *http.Request, body []byte, f *Fault) <-chan struct{} {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.wg.Add(1)
	s.mu.Unlock()
	// The copy outlives the client's request: its context is the server's.
	late := r.Clone(s.ctx)
	done := make(chan struct{})
	go func() {
		defer s.wg.Done()
		defer close(done)
		t := time.NewTimer(f.Late)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		late.Body = io.NopCloser(bytes.NewReader(body))
		start := time.Now()
		rec := &recorder{header: http.Header{}}
		s.route(rec, late)
		s.logRequest(late, rec.statusCode(), respcdOf(rec), start, f, "processed late, answer discarded")
	}()
	return done
}
