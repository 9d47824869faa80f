package qfpay

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWeChatOAuthURL(t *testing.T) {
	tests := []struct {
		name        string
		opts        []Option
		redirectURI string
		mchid       string
	}{
		{name: "spec sample", redirectURI: "https://sdk.qfapi.com"},
		{name: "redirect with a query and UTF-8, escaped on the wire, signed raw", redirectURI: "http://49ae4dbd47a6.ngrok.io/getcode?shop=茶"},
		{name: "callback with one query parameter", redirectURI: "https://shop.example/wx/callback?order=42"},
		{name: "an escaped ampersand is no separator", redirectURI: "https://shop.example/wx/callback?order=42%26x%3D1"},
		{name: "client mchid is sent and signed", opts: []Option{WithMerchantID("ZaMVg12345")}, redirectURI: "https://shop.example/wx", mchid: "ZaMVg12345"},
		// A browser redirect cannot carry X-QF-SIGNTYPE: MD5 always.
		{name: "SHA256 client still signs MD5", opts: []Option{WithSignType(SHA256)}, redirectURI: "https://shop.example/wx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			got, err := e.client.WeChatOAuthURL(tt.redirectURI)
			require.NoError(t, err)
			base, rawQuery, ok := strings.Cut(got, "?")
			require.True(t, ok)
			assert.Equal(t, testBaseURL+"/tool/v1/get_weixin_oauth_code", base)
			q, err := url.ParseQuery(rawQuery)
			require.NoError(t, err)

			want := url.Values{"app_code": {testAppCode}, "redirect_uri": {tt.redirectURI}}
			signed := "app_code=" + testAppCode
			if tt.mchid != "" {
				want.Set("mchid", tt.mchid)
				signed += "&mchid=" + tt.mchid
			}
			signed += "&redirect_uri=" + tt.redirectURI
			want.Set("sign", referenceHash(signed+testClientKey, MD5))
			assert.Equal(t, want, q)
			assert.NotContains(t, got, testClientKey)
			assert.Empty(t, e.requests(), "only built, not sent")
		})
	}
}

func TestWeChatOAuthURLValidation(t *testing.T) {
	tests := []struct{ name, redirectURI, msg string }{
		{"empty", "", "redirectURI is required"},
		{"relative", "/getcode", "absolute"},
		{"no scheme, as the spec's checkout sample writes hosts", "www.example.com", "absolute"},
		{"not http", "ftp://shop.example/x", "absolute"},
		{"javascript:", "javascript:alert(1)", "absolute"},
		{"data:", "data:text/html,<script>alert(1)</script>", "absolute"},
		{"too long", "https://shop.example/" + strings.Repeat("a", 492), "at most 512"},
		// The signature of "app_code=A&redirect_uri=https://x?a=1&syssn=S&txamt=T"
		// is also the signature of a request with syssn and txamt.
		{"a second parameter makes the signature an oracle", "https://shop.example/wx/callback?order=42&lang=en", "must not contain '&'"},
		{"forged refund parameters", "https://x.example/?&syssn=20191227000200020061752831&txamt=10&txdtm=2019-12-27 11:10:38", "valid signature for a request"},
		{"an ampersand in the path", "https://shop.example/a&b", "must not contain '&'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			got, err := e.client.WeChatOAuthURL(tt.redirectURI)
			assert.Empty(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "redirect_uri", ve.Field)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}

func TestWeChatOpenID(t *testing.T) {
	const code = "011QipnO1yMIla1VJdoO1FUrnO1Qipnv"
	tests := []struct {
		name     string
		opts     []Option
		want     map[string]string
		signType SignType
	}{
		{name: "spec sample", want: map[string]string{"code": code}, signType: MD5},
		{name: "client mchid, SHA256", opts: []Option{WithMerchantID("ZaMVg12345"), WithSignType(SHA256)},
			want: map[string]string{"code": code, "mchid": "ZaMVg12345"}, signType: SHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodGet, "/tool/v1/get_weixin_openid", "wechat_openid_ok.json")
			openID, err := e.client.WeChatOpenID(t.Context(), code)
			require.NoError(t, err)
			assert.Equal(t, "oo3Lss8d0hLOuyTuSJMVwLTk68JE", openID)
			r := e.last()
			assert.Equal(t, http.MethodGet, r.Method)
			assert.Equal(t, "/tool/v1/get_weixin_openid", r.Path)
			assert.Empty(t, r.RawBody)
			assertSentParams(t, r, tt.want)
			assertSigned(t, r, tt.signType)
		})
	}
}

func TestWeChatOpenIDAnswers(t *testing.T) {
	tests := []struct {
		name string
		file string
		code string
		is   error
	}{
		{name: "success without openid", file: "wechat_openid_missing.json", is: ErrMalformedResponse},
		{name: "refused 1104", file: "wechat_openid_1104.json", code: "1104"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodGet, "/tool/v1/get_weixin_openid", tt.file)
			openID, err := e.client.WeChatOpenID(t.Context(), "011QipnO1yMIla1VJdoO1FUrnO1Qipnv")
			assert.Empty(t, openID)
			if tt.code != "" {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				assert.Equal(t, "code been used", apiErr.Detail)
				return
			}
			require.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), "openid")
		})
	}
	// The code may be spent by a request whose answer was lost: not
	// retried (TestSingleUseCallRetriedOnlyWhenUnsent has every case).
	t.Run("not retried after a 502", func(t *testing.T) {
		e := setup(t)
		body := readTestdata(t, "wechat_openid_ok.json")
		calls := 0
		e.respondFunc(http.MethodGet, "/tool/v1/get_weixin_openid", func(*http.Request) (*http.Response, error) {
			calls++
			if calls == 1 {
				return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{"Content-Type": {"text/html"}},
					Body: io.NopCloser(strings.NewReader(htmlGatewayError))}, nil
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader([]byte(body)))}, nil
		})
		openID, err := e.client.WeChatOpenID(t.Context(), "011QipnO1yMIla1VJdoO1FUrnO1Qipnv")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
		assert.Empty(t, openID)
		assert.Len(t, e.requests(), 1)
	})
	t.Run("no code", func(t *testing.T) {
		e := setup(t)
		e.respondFile(http.MethodGet, "/tool/v1/get_weixin_openid", "wechat_openid_ok.json")
		openID, err := e.client.WeChatOpenID(t.Context(), "")
		assert.Empty(t, openID)
		require.ErrorIs(t, err, ErrInvalidRequest)
		assert.Empty(t, e.requests())
	})
}

// sampleJSAPIParams are the wallet parameters of the documentation's mini
// program sample, with an app id.
func sampleJSAPIParams() *WeChatJSAPIParams {
	return &WeChatJSAPIParams{
		AppID: "wx7b5d2f1c0d9e8a11", TimeStamp: "1593746074", NonceStr: "69d8a67fe34e44ca9bb2a20dd299cc58",
		Package: "prepay_id=wx03111434674853b80d25e0911996417600", SignType: "MD5", PaySign: "B0AECE676746F2A310CB06F27641E809",
	}
}

func TestWeChatCheckoutURL(t *testing.T) {
	checkout := WeChatCheckout{MerchantName: "Pet Shop", Amount: 1, Currency: CurrencyTHB, GoodsName: "猫粮 & treats", RedirectURL: "https://shop.example/paid?order=7"}
	wantQuery := url.Values{
		"appId": {"wx7b5d2f1c0d9e8a11"}, "timeStamp": {"1593746074"}, "nonceStr": {"69d8a67fe34e44ca9bb2a20dd299cc58"},
		"package": {"prepay_id=wx03111434674853b80d25e0911996417600"}, "signType": {"MD5"}, "paySign": {"B0AECE676746F2A310CB06F27641E809"},
		"mchntnm": {"Pet Shop"}, "txamt": {"1"}, "currency": {"THB"}, "goods_name": {"猫粮 & treats"}, "redirect_url": {"https://shop.example/paid?order=7"},
	}
	tests := []struct {
		name, host, wantBase string
		checkout             WeChatCheckout
		wantQuery            url.Values
	}{
		{"documented host", WeChatCheckoutHost, "https://o2.qfpay.com/q/direct", checkout, wantQuery},
		{"Thai host with a trailing slash", WeChatCheckoutHostThailand + "/", "https://o2-th.qfapi.com/q/direct", checkout, wantQuery},
		{"host with a path prefix", "https://pay.example/qf", "https://pay.example/qf/q/direct", checkout, wantQuery},
		{"no goods name", WeChatCheckoutHost, "https://o2.qfpay.com/q/direct",
			WeChatCheckout{MerchantName: "Pet Shop", Amount: 1, Currency: CurrencyTHB, RedirectURL: "https://shop.example/paid?order=7"},
			func() url.Values { q := maps.Clone(wantQuery); q.Del("goods_name"); return q }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WeChatCheckoutURL(tt.host, sampleJSAPIParams(), tt.checkout)
			require.NoError(t, err)
			base, rawQuery, ok := strings.Cut(got, "?")
			require.True(t, ok)
			assert.Equal(t, tt.wantBase, base)
			q, err := url.ParseQuery(rawQuery)
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, q)
		})
	}
	t.Run("from a payment's pay_params", func(t *testing.T) {
		resp := &PaymentResponse{PayParams: []byte(`{"appId":"wx7b5d2f1c0d9e8a11","timeStamp":"1593746074","nonceStr":"69d8a67fe34e44ca9bb2a20dd299cc58",` +
			`"package":"prepay_id=wx03111434674853b80d25e0911996417600","signType":"MD5","paySign":"B0AECE676746F2A310CB06F27641E809"}`)}
		p, err := resp.WeChatJSAPIParams()
		require.NoError(t, err)
		got, err := WeChatCheckoutURL(WeChatCheckoutHost, p, checkout)
		require.NoError(t, err)
		u, err := url.Parse(got)
		require.NoError(t, err)
		assert.Equal(t, wantQuery, u.Query())
	})
}

func TestWeChatCheckoutURLValidation(t *testing.T) {
	ok := WeChatCheckout{MerchantName: "Pet Shop", Amount: 1, Currency: CurrencyTHB, RedirectURL: "https://shop.example/paid"}
	with := func(f func(*WeChatCheckout)) WeChatCheckout { o := ok; f(&o); return o }
	params := func(f func(*WeChatJSAPIParams)) *WeChatJSAPIParams { p := sampleJSAPIParams(); f(p); return p }
	tests := []struct {
		name     string
		host     string
		params   *WeChatJSAPIParams
		checkout WeChatCheckout
		field    string // "" when the URL is built
		msg      string
	}{
		{"within every limit", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) {
			o.MerchantName, o.GoodsName, o.Amount = strings.Repeat("店", 128), strings.Repeat("g", 64), MaxAmount
			o.RedirectURL = "https://shop.example/" + strings.Repeat("p", 491)
		}), "", ""},
		{"loopback http host", "http://127.0.0.1:8787", sampleJSAPIParams(), ok, "", ""},
		{"no host", "", sampleJSAPIParams(), ok, "host", "host is required"},
		{"host without scheme", "o2.qfpay.com", sampleJSAPIParams(), ok, "host", "absolute"},
		{"javascript: host", "javascript:alert(1)//", sampleJSAPIParams(), ok, "host", "absolute"},
		{"data: host", "data:text/html,x", sampleJSAPIParams(), ok, "host", "absolute"},
		{"relative host", "/q", sampleJSAPIParams(), ok, "host", "absolute"},
		{"plain http host", "http://o2.qfpay.com", sampleJSAPIParams(), ok, "host", "https://"},
		{"host with a query", "https://o2.qfpay.com/?a=1", sampleJSAPIParams(), ok, "host", "no query"},
		{"nil params", WeChatCheckoutHost, nil, ok, wholeRequest, "nil *WeChatJSAPIParams"},
		{"no appId", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.AppID = "" }), ok, "appId", "appId"},
		{"no timeStamp", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.TimeStamp = "" }), ok, "timeStamp", "timeStamp"},
		{"no nonceStr", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.NonceStr = "" }), ok, "nonceStr", "nonceStr"},
		{"no package", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.Package = "" }), ok, "package", "package"},
		{"no signType", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.SignType = "" }), ok, "signType", "signType"},
		{"no paySign", WeChatCheckoutHost, params(func(p *WeChatJSAPIParams) { p.PaySign = "" }), ok, "paySign", "paySign"},
		{"no merchant name", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.MerchantName = "" }), "mchntnm", "MerchantName is required"},
		{"merchant name of 129", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.MerchantName = strings.Repeat("店", 129) }), "mchntnm", "129 characters"},
		{"zero amount", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.Amount = 0 }), "txamt", "Amount"},
		{"amount of 12 digits", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.Amount = MaxAmount + 1 }), "txamt", "11 digits"},
		{"no currency", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.Currency = "" }), "currency", "Currency is required"},
		{"lower-case currency", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.Currency = "thb" }), "currency", "upper-case"},
		{"no redirect", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.RedirectURL = "" }), "redirect_url", "RedirectURL is required"},
		{"redirect of 513", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) {
			o.RedirectURL = "https://shop.example/" + strings.Repeat("p", 492)
		}), "redirect_url", "513 characters"},
		{"javascript: redirect", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.RedirectURL = "javascript:alert(1)" }), "redirect_url", "absolute"},
		{"data: redirect", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.RedirectURL = "data:text/html,x" }), "redirect_url", "absolute"},
		{"relative redirect", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.RedirectURL = "/paid" }), "redirect_url", "absolute"},
		{"the spec sample's scheme-less redirect", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.RedirectURL = "www.example.com" }), "redirect_url", "absolute"},
		{"goods name of 65", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.GoodsName = strings.Repeat("g", 65) }), "goods_name", "65 characters"},
		{"goods name with a control character", WeChatCheckoutHost, sampleJSAPIParams(), with(func(o *WeChatCheckout) { o.GoodsName = "a\tb" }), "goods_name", "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WeChatCheckoutURL(tt.host, tt.params, tt.checkout)
			if tt.field == "" {
				require.NoError(t, err)
				u, err := url.Parse(got)
				require.NoError(t, err)
				assert.Equal(t, strings.TrimRight(tt.host, "/")+"/q/direct", u.Scheme+"://"+u.Host+u.Path)
				assert.Equal(t, tt.checkout.RedirectURL, u.Query().Get("redirect_url"))
				return
			}
			assert.Empty(t, got)
			require.ErrorIs(t, err, ErrInvalidRequest)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			want := tt.field
			if want == wholeRequest {
				want = ""
			}
			assert.Equal(t, want, ve.Field)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
