package qfpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

func writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, object{"respcd": e.code, "resperr": resperr(e.code), "respmsg": e.detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// recorder holds an answer until faults have had their say.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
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

// respcdOf is the respcd of a JSON answer, for the log.
func respcdOf(r *recorder) string {
	if !strings.Contains(r.header.Get("Content-Type"), "json") {
		return ""
	}
	var v struct {
		RespCD string `json:"respcd"`
	}
	_ = json.Unmarshal(r.body.Bytes(), &v)
	return v.RespCD
}

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
