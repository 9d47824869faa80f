package qfpaytest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AllPaths makes InjectFault hit every path.
const AllPaths = "*"

// Fault is a failure injected in the answers to one path, for testing how
// a merchant's code copes with a slow or failing gateway or network.
// Latency combines with the others; Drop wins over Status.
type Fault struct {
	// Latency delays the answer. A client that gives up during a latency
	// injected before processing leaves the request unprocessed.
	Latency time.Duration
	// Status answers with this HTTP status (a 5xx, 429) and a plain-text
	// body instead of the gateway's answer.
	Status int
	// RetryAfter, with Status, adds a Retry-After header in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Drop closes the connection without any answer.
	Drop bool
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

// String describes the fault for the log.
func (f *Fault) String() string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	switch {
	case f.Drop:
		parts = append(parts, "drop")
	case f.Status != 0:
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.AfterProcessing {
		parts = append(parts, "after processing")
	}
	return strings.Join(parts, ", ")
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

// breakAnswer applies a Drop or Status fault and reports whether it did.
func breakAnswer(w http.ResponseWriter, f *Fault) bool {
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // closes the connection where hijacking is not possible
	case f.Status != 0:
		if f.RetryAfter > 0 {
			secs := (f.RetryAfter + time.Second - 1) / time.Second
			w.Header().Set("Retry-After", strconv.Itoa(int(secs)))
		}
		http.Error(w, fmt.Sprintf("%d %s (injected by qfpaytest)", f.Status, http.StatusText(f.Status)), f.Status)
		return true
	}
	return false
}
