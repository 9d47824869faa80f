package qfpaytest

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay/internal/loopback"
)

// adminPrefix is where the admin API lives (WithAdmin): a path no QF Pay
// API uses.
const adminPrefix = "/_sandbox/"

// adminError is an admin API refusal: its HTTP status and reason.
type adminError struct {
	status int
	reason string
}

func adminRefuse(status int, reason string) *adminError {
	return &adminError{status: status, reason: reason}
}

// adminErrorOf maps an error of the Server's methods to its HTTP status:
// 404 for an unknown transaction or delivery, 409 for one whose state
// does not allow it, 400 for a bad value.
func adminErrorOf(err error) *adminError {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrNotPayable), errors.Is(err, ErrSettled):
		status = http.StatusConflict
	}
	return adminRefuse(status, strings.TrimPrefix(err.Error(), "qfpaytest: "))
}

// adminEndpoint is one path of the admin API: its method and handler,
// which reads the request's form values.
type adminEndpoint struct {
	method string
	handle func(s *Server, r *http.Request) (any, *adminError)
}

// adminRoutes are the admin API's endpoints (see the package
// documentation, "Admin API").
var adminRoutes = map[string]adminEndpoint{
	"/_sandbox/v1/transactions":            {http.MethodGet, (*Server).adminTransactions},
	"/_sandbox/v1/pay":                     {http.MethodPost, (*Server).adminPay},
	"/_sandbox/v1/fail":                    {http.MethodPost, (*Server).adminFail},
	"/_sandbox/v1/expire":                  {http.MethodPost, (*Server).adminExpire},
	"/_sandbox/v1/advance":                 {http.MethodPost, (*Server).adminAdvance},
	"/_sandbox/v1/notifications":           {http.MethodGet, (*Server).adminNotifications},
	"/_sandbox/v1/notifications/redeliver": {http.MethodPost, (*Server).adminRedeliver},
}

// serveAdmin answers the status page and the admin API, to loopback
// clients only.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !loopbackRequest(r) {
		writeAdminError(w, adminRefuse(http.StatusForbidden, "the admin API and the status page answer loopback clients only"))
		return
	}
	if err := crossOrigin.Check(r); err != nil {
		writeAdminError(w, adminRefuse(http.StatusForbidden, "a web page of another origin may not call the admin API ("+err.Error()+")"))
		return
	}
	path := r.URL.Path
	if path == "/" {
		s.statusPage(w, r)
		return
	}
	ep, ok := adminRoutes[path]
	if !ok {
		writeAdminError(w, adminRefuse(http.StatusNotFound, "no admin endpoint "+path))
		return
	}
	if r.Method != ep.method && (ep.method != http.MethodGet || r.Method != http.MethodHead) {
		w.Header().Set("Allow", ep.method)
		writeAdminError(w, adminRefuse(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+path+", use "+ep.method))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeAdminError(w, adminRefuse(http.StatusBadRequest, "reading the form values: "+err.Error()))
		return
	}
	v, aerr := ep.handle(s, r)
	if aerr != nil {
		writeAdminError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeAdminError(w http.ResponseWriter, e *adminError) {
	writeJSON(w, e.status, object{"error": "qfpay sandbox: " + e.reason})
}

// crossOrigin refuses the admin API's POSTs when a browser says they come
// from a page of another origin (Sec-Fetch-Site, or Origin against Host):
// the loopback check alone would let any web site the developer visits
// pay or fail the sandbox's payments through their browser. curl and the
// qfpay command send neither header and pass; GET and HEAD always pass.
var crossOrigin = http.NewCrossOriginProtection()

// loopbackRequest reports whether r comes from a loopback address
// (127.0.0.0/8, ::1, or an IPv4-mapped loopback address). An
// X-Forwarded-For header never makes a request more trusted than its
// RemoteAddr: a request relayed by a proxy on the machine for any address
// that is not loopback (or that cannot be read) is refused.
func loopbackRequest(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if !loopback.Host(host) {
		return false
	}
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for part := range strings.SplitSeq(h, ",") {
			if !loopback.Host(strings.TrimSpace(part)) {
				return false
			}
		}
	}
	return true
}

// transactionAnswer is the answer of pay, fail and expire.
type transactionAnswer struct {
	Transaction Transaction `json:"transaction"`
}

// adminTransactions serves GET /_sandbox/v1/transactions: every payment
// and refund, newest first, and the server's time.
func (s *Server) adminTransactions(*http.Request) (any, *adminError) {
	list := s.Transactions()
	slices.Reverse(list)
	return struct {
		Now          time.Time     `json:"now"`
		Transactions []Transaction `json:"transactions"`
	}{s.Now(), list}, nil
}

// ref reads the required value ref, a syssn or an out_trade_no.
func ref(r *http.Request) (string, *adminError) {
	ref := strings.TrimSpace(r.Form.Get("ref"))
	if ref == "" {
		return "", adminRefuse(http.StatusBadRequest, "ref is required: a syssn or an out_trade_no")
	}
	return ref, nil
}

// adminPay serves POST /_sandbox/v1/pay (Server.Pay).
func (s *Server) adminPay(r *http.Request) (any, *adminError) {
	ref, aerr := ref(r)
	if aerr != nil {
		return nil, aerr
	}
	if err := s.Pay(ref); err != nil {
		return nil, adminErrorOf(err)
	}
	t, _ := s.Transaction(ref)
	return transactionAnswer{t}, nil
}

// defaultFailCode is the respcd of the fail endpoint without one: a
// decline.
const defaultFailCode = "1205"

// adminFail serves POST /_sandbox/v1/fail (Server.Fail).
func (s *Server) adminFail(r *http.Request) (any, *adminError) {
	ref, aerr := ref(r)
	if aerr != nil {
		return nil, aerr
	}
	code := strings.TrimSpace(r.Form.Get("respcd"))
	if code == "" {
		code = defaultFailCode
	}
	if err := s.Fail(ref, code); err != nil {
		return nil, adminErrorOf(err)
	}
	t, _ := s.Transaction(ref)
	return transactionAnswer{t}, nil
}

// adminExpire serves POST /_sandbox/v1/expire (Server.Expire).
func (s *Server) adminExpire(r *http.Request) (any, *adminError) {
	ref, aerr := ref(r)
	if aerr != nil {
		return nil, aerr
	}
	t, err := s.Expire(ref)
	if err != nil {
		return nil, adminErrorOf(err)
	}
	return transactionAnswer{t}, nil
}

// adminAdvance serves POST /_sandbox/v1/advance (Server.Advance).
func (s *Server) adminAdvance(r *http.Request) (any, *adminError) {
	raw := strings.TrimSpace(r.Form.Get("by"))
	if raw == "" {
		return nil, adminRefuse(http.StatusBadRequest, "by is required: a Go duration such as 30s or 2h")
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return nil, adminRefuse(http.StatusBadRequest, "by "+strconv.Quote(raw)+": want a positive Go duration such as 30s or 2h")
	}
	s.Advance(d)
	return struct {
		Now time.Time `json:"now"`
	}{s.Now()}, nil
}

// adminNotifications serves GET /_sandbox/v1/notifications: every
// delivery, oldest first.
func (s *Server) adminNotifications(*http.Request) (any, *adminError) {
	return struct {
		Notifications []Delivery `json:"notifications"`
	}{s.Deliveries()}, nil
}

// adminRedeliver serves POST /_sandbox/v1/notifications/redeliver
// (Server.Redeliver).
func (s *Server) adminRedeliver(r *http.Request) (any, *adminError) {
	raw := strings.TrimSpace(r.Form.Get("id"))
	if raw == "" {
		return nil, adminRefuse(http.StatusBadRequest, "id is required: the delivery's id in /_sandbox/v1/notifications")
	}
	id, err := strconv.Atoi(raw)
	if err != nil || id < 0 {
		return nil, adminRefuse(http.StatusBadRequest, "id "+strconv.Quote(raw)+": want a delivery's id, 0 or more")
	}
	d, err := s.Redeliver(id, strings.TrimSpace(r.Form.Get("to")))
	if err != nil {
		return nil, adminErrorOf(err)
	}
	return struct {
		Notification Delivery `json:"notification"`
	}{d}, nil
}
