package qfpay

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClassify: what each kind of answer says, without HTTP: success, a
// file, the gateway's refusal, an HTTP error, or a malformed answer.
func TestClassify(t *testing.T) {
	c, err := NewClient(testAppCode, testClientKey)
	require.NoError(t, err)
	jsonType := "application/json"
	tests := []struct {
		name        string
		ep          *endpoint
		status      int
		contentType string
		header      http.Header
		body        string
		tooLarge    bool
		streamed    int64

		want     verdict
		code     string   // ans.code after classify
		apiErr   APIError // for verdictRefused and verdictHTTPError
		contains string   // for verdictMalformed
	}{
		{name: "success", ep: &epPayment, status: 200, contentType: jsonType, body: `{"respcd": "0000", "syssn": "1"}`,
			want: verdictSuccess, code: "0000"},
		{name: "success as the spec prints it", ep: &epQuery, status: 200, contentType: jsonType, body: `{"respcd": 0000, "data": []}`,
			want: verdictSuccess, code: "0000"},
		{name: "refused", ep: &epRefund, status: 200, contentType: jsonType, body: `{"respcd": "1272", "resperr": "over", "respmsg": "left 5"}`,
			want: verdictRefused, code: "1272", apiErr: APIError{Code: "1272", Message: "over", Detail: "left 5", HTTPStatus: 200, Path: epRefund.path}},
		{name: "pending", ep: &epPayment, status: 200, contentType: jsonType, body: `{"respcd": 1145, "syssn": "1"}`,
			want: verdictRefused, code: "1145", apiErr: APIError{Code: "1145", HTTPStatus: 200, Path: epPayment.path}},
		{name: "a respcd on an HTTP error is the gateway's word", ep: &epQuery, status: 500, contentType: jsonType, body: `{"respcd": "1100", "resperr": "maintenance"}`,
			want: verdictRefused, code: "1100", apiErr: APIError{Code: "1100", Message: "maintenance", HTTPStatus: 500, Path: epQuery.path}},
		{name: "empty body", ep: &epPayment, status: 200, contentType: jsonType, body: " \n",
			want: verdictMalformed, contains: "empty body"},
		{name: "not JSON", ep: &epPayment, status: 200, contentType: "text/html", body: "<html>ok</html>",
			want: verdictMalformed, contains: `not JSON: "<html>ok</html>"`},
		{name: "no respcd", ep: &epPayment, status: 200, contentType: jsonType, body: `{"syssn": "1"}`,
			want: verdictMalformed, contains: "no respcd"},
		{name: "respcd not a string", ep: &epPayment, status: 200, contentType: jsonType, body: `{"respcd": {}}`,
			want: verdictMalformed, contains: "no respcd"},
		{name: "success with an HTTP error status", ep: &epPayment, status: 500, contentType: jsonType, body: `{"respcd": "0000"}`,
			want: verdictMalformed, code: "0000", contains: "respcd 0000 with an HTTP error status"},
		{name: "larger than the limit", ep: &epPayment, status: 200, contentType: jsonType, body: `{"respcd": "0000"`, tooLarge: true,
			want: verdictMalformed, contains: "answer larger than 17 bytes"},
		{name: "a proxy's error page", ep: &epPayment, status: 502, contentType: "text/html", body: "<html>\n<h1>Bad Gateway</h1></html>",
			want: verdictHTTPError, apiErr: APIError{HTTPStatus: 502, Path: epPayment.path, Message: "Bad Gateway", Detail: "<html> <h1>Bad Gateway</h1></html>"}},
		{name: "429 with the gateway's refusal and Retry-After", ep: &epQuery, status: 429, contentType: jsonType, header: http.Header{"Retry-After": {"3"}},
			body: `{"respcd": "1100", "resperr": "slow down"}`,
			want: verdictHTTPError, code: "1100", apiErr: APIError{Code: "1100", HTTPStatus: 429, Path: epQuery.path, Message: "slow down", RetryAfter: 3 * time.Second}},
		{name: "redirect", ep: &epPayment, status: 302, contentType: jsonType, header: http.Header{"Location": {"https://elsewhere.test/x"}}, body: `{"respcd": "0000"}`,
			want: verdictHTTPError, code: "0000", apiErr: APIError{HTTPStatus: 302, Path: epPayment.path, Message: "Found: redirect not followed (to https://elsewhere.test/x)", Detail: `{"respcd": "0000"}`}},
		{name: "a statement", ep: &epBill, status: 200, contentType: "application/zip", body: "PK\x03\x04zip",
			want: verdictFile},
		{name: "a statement streamed", ep: &epBill, status: 200, contentType: "application/zip", streamed: 1 << 20,
			want: verdictFile},
		{name: "an empty statement", ep: &epBill, status: 200, contentType: "application/zip",
			want: verdictMalformed, contains: "empty file"},
		{name: "a statement refused in JSON", ep: &epBill, status: 200, contentType: "text/plain", body: ` {"respcd": "1104", "resperr": "test env"}`,
			want: verdictRefused, code: "1104", apiErr: APIError{Code: "1104", Message: "test env", HTTPStatus: 200, Path: epBill.path}},
		{name: "a statement's error page", ep: &epBill, status: 503, contentType: "text/html", body: "<html>busy</html>",
			want: verdictHTTPError, apiErr: APIError{HTTPStatus: 503, Path: epBill.path, Message: "Service Unavailable", Detail: "<html>busy</html>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Content-Type": {tt.contentType}}
			for k, vs := range tt.header {
				header[k] = vs
			}
			ans := &answer{status: tt.status, header: header, contentType: tt.contentType, body: []byte(tt.body), tooLarge: tt.tooLarge, streamed: tt.streamed}
			got, err := c.classify(tt.ep, ans)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.code, ans.code)
			switch tt.want {
			case verdictSuccess, verdictFile:
				assert.NoError(t, err)
			case verdictRefused, verdictHTTPError:
				apiErr, ok := err.(*APIError)
				require.True(t, ok, "an *APIError: %v", err)
				assert.Equal(t, tt.apiErr, *apiErr)
			case verdictMalformed:
				require.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), tt.contains)
				assert.Contains(t, err.Error(), tt.ep.path)
			}
		})
	}
}
