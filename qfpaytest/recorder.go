package qfpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

func writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, object{"respcd": e.code, "resperr": resperr(e.code), "respmsg": e.detail})
}

// writeJSON answers v as JSON, encoded as json.Encoder encodes it without
// HTML escaping (see appendJSON), with its Content-Length. A recorder
// keeps the respcd of an object, for the log.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := appendJSON(make([]byte, 0, sizeHint(v)), v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if rec, ok := w.(respcdRecorder); ok {
		if o, ok := v.(object); ok {
			code, _ := o["respcd"].(string)
			rec.recordRespcd(code)
		}
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// sizeHint is about the size of v as JSON: its raw members counted, for
// a query's page of listings.
func sizeHint(v any) int {
	n := 512
	if o, ok := v.(object); ok {
		if data, ok := o["data"].([]json.RawMessage); ok {
			for _, raw := range data {
				n += len(raw) + 1
			}
		}
	}
	return n
}

// respcdRecorder keeps the respcd of the JSON answer writeJSON writes,
// for the log.
type respcdRecorder interface{ recordRespcd(code string) }

func (r *recorder) recordRespcd(code string) { r.respcd = code }

// statusWriter passes an answer on as it is written, keeping its status
// and respcd for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	respcd string
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) recordRespcd(code string) { w.respcd = code }

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recorder holds an answer until faults have had their say.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	// respcd is the respcd of the JSON answer writeJSON wrote.
	respcd string
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) writeTo(w http.ResponseWriter) {
	for k, vs := range r.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(r.statusCode())
	_, _ = w.Write(r.body.Bytes())
}

// respcdOf is the respcd of a JSON answer, for the log: writeJSON wrote
// every JSON answer a recorder holds, and kept its respcd.
func respcdOf(r *recorder) string { return r.respcd }

func (s *Server) logRequest(r *http.Request, status int, respcd string, start time.Time, f *Fault, note string) {
	if s.cfg.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.String("respcd", respcd),
		slog.Duration("duration", time.Since(start)),
	}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.String()))
	}
	if note != "" {
		attrs = append(attrs, slog.String("note", note))
	}
	s.cfg.logger.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}
