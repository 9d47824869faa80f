package shop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/qfpay-go/qfpay"
)

// NotifyPath is where Routes serves QF Pay's notifications.
const NotifyPath = "/qfpay/notify"

// maxRequestBytes bounds the JSON body of an API request.
const maxRequestBytes = 64 << 10

// Routes is the shop's HTTP API, JSON in and out:
//
//	POST /orders                {"amount": 1250, "currency": "HKD", "description": "..."}
//	GET  /orders/{id}
//	POST /orders/{id}/pay       {"pay_type": "800208", "auth_code": "..."} (see PayInput)
//	POST /orders/{id}/refunds   {"amount": 250}
//	POST /qfpay/notify          QF Pay's notifications, checked with the client's key
//
// Pay answers with the order, whose state says the outcome (paid, awaiting
// with a qr_code or pay_url, failed, or unknown: ask again later).
func (s *Shop) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.serveCreate)
	mux.HandleFunc("GET /orders/{id}", s.serveOrder)
	mux.HandleFunc("POST /orders/{id}/pay", s.servePay)
	mux.HandleFunc("POST /orders/{id}/refunds", s.serveRefund)
	mux.Handle("POST "+NotifyPath, s.NotificationHandler())
	return mux
}

func (s *Shop) serveCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount      int64          `json:"amount"`
		Currency    qfpay.Currency `json:"currency"`
		Description string         `json:"description"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	o, err := s.CreateOrder(r.Context(), in.Amount, in.Currency, in.Description)
	s.reply(w, http.StatusCreated, o, err)
}

func (s *Shop) serveOrder(w http.ResponseWriter, r *http.Request) {
	o, err := s.Order(r.Context(), r.PathValue("id"))
	s.reply(w, http.StatusOK, o, err)
}

func (s *Shop) servePay(w http.ResponseWriter, r *http.Request) {
	var in PayInput
	if !readJSON(w, r, &in) {
		return
	}
	o, err := s.Pay(r.Context(), r.PathValue("id"), in)
	s.reply(w, http.StatusOK, o, err)
}

func (s *Shop) serveRefund(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount int64 `json:"amount"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	ref, err := s.Refund(r.Context(), r.PathValue("id"), in.Amount)
	s.reply(w, http.StatusOK, ref, err)
}

// readJSON decodes the request's body into v, or answers 400.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("shop: request body: %v", err)})
		return false
	}
	return true
}

// reply writes v with status, or the error with the status it calls for.
func (s *Shop) reply(w http.ResponseWriter, status int, v any, err error) {
	if err == nil {
		writeJSON(w, status, v)
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, ErrAlreadyPaid), errors.Is(err, ErrPaymentInProgress),
		errors.Is(err, ErrNotPaid), errors.Is(err, ErrRefundTooLarge):
		status = http.StatusConflict
	default:
		s.log.Error("request failed", "err", err)
		status = http.StatusInternalServerError
		err = errors.New("shop: internal error")
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
