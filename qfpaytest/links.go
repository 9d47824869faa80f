package qfpaytest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/qfpay-go/qfpay"
)

// SandboxOpenID is the WeChat openid get_weixin_openid answers for every
// code: the sandbox's one WeChat user.
const SandboxOpenID = "oSandbox0qfpaytest0WeChatUser"

// payPath is where the links of unpaid payments (qrcode, pay_url) point.
const payPath = "/pay/"

// NewWeChatCode issues a WeChat oauth code, as get_weixin_oauth_code does
// when the user comes back from WeChat: get_weixin_openid accepts it once.
func (s *Server) NewWeChatCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeSeq++
	code := fmt.Sprintf("0sbx%028d", s.codeSeq)
	s.weChatCodes[code] = true
	return code
}

// weChatOAuthCode serves GET /tool/v1/get_weixin_oauth_code: the app code
// and the signature are query parameters (app_code, sign) rather than
// headers; the answer redirects to redirect_uri with a fresh code.
func (s *Server) weChatOAuthCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, &apiError{code: "1104", detail: "method " + r.Method + " not allowed, use GET", status: http.StatusMethodNotAllowed})
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, refuse("1103", "query string: %v", err))
		return
	}
	if aerr := s.checkAppCode(q.Get("app_code"), "app_code parameter"); aerr != nil {
		writeError(w, aerr)
		return
	}
	sign := q.Get("sign")
	signed := url.Values{}
	for k, vs := range q {
		if k != "sign" {
			signed[k] = vs
		}
	}
	// A browser sends no X-QF-SIGNTYPE: tell SHA256 by its length.
	signType, aerr := signTypeOf(r.Header.Get("X-QF-SIGNTYPE"))
	if aerr == nil && len(sign) == 64 {
		signType = qfpay.SHA256
	}
	if aerr == nil {
		aerr = s.checkSign(signed, sign, signType)
	}
	if aerr == nil {
		aerr = s.checkMerchant(signed, mchidChecked)
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	target, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		writeError(w, refuse("1104", "redirect_uri %q: want an absolute http(s) URL", q.Get("redirect_uri")))
		return
	}
	tq := target.Query()
	tq.Set("code", s.NewWeChatCode())
	target.RawQuery = tq.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// weChatOpenID serves GET /tool/v1/get_weixin_openid.
func (s *Server) weChatOpenID(c *call) (object, *apiError) {
	p := params{v: c.params}
	code := p.str("code", true, 0)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.weChatCodes[code] {
		return nil, refuse("1104", "code %q unknown or used already", code)
	}
	delete(s.weChatCodes, code)
	return object{"resperr": "", "openid": SandboxOpenID}, nil
}

// payPage serves GET (or POST) /pay/<syssn>, the qrcode and pay_url of
// unpaid payments: it pays the payment, as the customer would, then
// redirects to its return_url or says it is paid.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	syssn := strings.TrimPrefix(r.URL.Path, payPath)
	err := s.Pay(syssn)
	t, _ := s.Transaction(syssn)
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case err != nil && t.RespCode == codeOK:
		fmt.Fprintf(w, "already paid: %s %d %s (out_trade_no %s)\n", t.SysSN, t.Amount, t.Currency, t.OutTradeNo)
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
	case t.ReturnURL != "":
		http.Redirect(w, r, t.ReturnURL, http.StatusFound)
	default:
		fmt.Fprintf(w, "paid: %s %d %s (out_trade_no %s)\n", t.SysSN, t.Amount, t.Currency, t.OutTradeNo)
	}
}
