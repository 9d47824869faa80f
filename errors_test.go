package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodeDescriptionsMatchSpecTable(t *testing.T) {
	rows := specTable(t, "spec_codes.txt", "Return code Description", regexp.MustCompile(`^(\d{4}) (.+?)(?: \((\d{4})\))?$`))
	for _, row := range rows {
		t.Run(row[0], func(t *testing.T) {
			if row[2] != "" {
				assert.Equal(t, row[0], row[2], "the code repeated in parentheses")
			}
			assert.Equal(t, row[1], CodeDescription(row[0]))
			assert.Equal(t, row[1], (&APIError{Code: row[0]}).Description())
		})
	}
	assert.Len(t, codeDescriptions, len(rows), "no code beyond the table")
	assert.Empty(t, CodeDescription("9999"))
	assert.Empty(t, CodeDescription(""))
}

func TestCodeConstants(t *testing.T) {
	for code, want := range map[string]string{
		CodeSuccess:         "0000",
		CodePasswordPending: "1143",
		CodeProcessing:      "1145",
		CodeSlowNetwork:     "1298",
		CodeSignatureError:  "1108",
		CodeDuplicate:       "1102",
		CodeSerialRepeated:  "2011",
	} {
		assert.Equal(t, want, code)
		assert.NotEmpty(t, CodeDescription(code), code)
	}
}

func TestAPIErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  APIError
		want string
	}{
		{"code with description and messages",
			APIError{Code: "1272", Message: "refund too large", Detail: "退款金额超过原交易可退金额", HTTPStatus: 200, Path: "/trade/v1/refund"},
			"qfpay: /trade/v1/refund: respcd 1272 (The refund amount is greater than the maximum amount that can be refunded for the original transaction): refund too large: 退款金额超过原交易可退金额"},
		{"detail equal to message said once",
			APIError{Code: "1108", Message: "signature mismatch", Detail: "signature mismatch", Path: "/trade/v1/payment"},
			"qfpay: /trade/v1/payment: respcd 1108 (Signature error): signature mismatch"},
		{"message repeating the description not said twice",
			APIError{Code: "1145", Message: "Please wait while processing (1145)", Detail: "", Path: "/trade/v1/payment"},
			"qfpay: /trade/v1/payment: respcd 1145 (Please wait while processing)"},
		{"message repeating the description, detail kept",
			APIError{Code: "1108", Message: "Signature error", Detail: "sign mismatch", Path: "/trade/v1/payment"},
			"qfpay: /trade/v1/payment: respcd 1108 (Signature error): sign mismatch"},
		{"code the table does not list",
			APIError{Code: "9001", Message: "new error"},
			"qfpay: respcd 9001: new error"},
		{"HTTP answer without a code",
			APIError{HTTPStatus: 502, Message: "Bad Gateway", Detail: "<html>", Path: "/trade/v1/query"},
			"qfpay: /trade/v1/query: HTTP 502: Bad Gateway: <html>"},
		{"nothing but the status", APIError{HTTPStatus: 500}, "qfpay: HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestAPIErrorIs(t *testing.T) {
	tests := []struct {
		name                                      string
		err                                       *APIError
		pending, duplicate, declined, rateLimited bool
	}{
		{"1143", &APIError{Code: "1143", HTTPStatus: 200}, true, false, false, false},
		{"1145", &APIError{Code: "1145", HTTPStatus: 200}, true, false, false, false},
		{"1298", &APIError{Code: "1298", HTTPStatus: 200}, true, false, false, false},
		// "The connection is slow, waiting for a network response": not
		// known yet, never a decline.
		{"1295", &APIError{Code: "1295", HTTPStatus: 200}, true, false, false, false},
		{"1296", &APIError{Code: "1296", HTTPStatus: 200}, true, false, false, false},
		{"1102 duplicate request", &APIError{Code: "1102", HTTPStatus: 200}, false, true, false, false},
		{"2011 out_trade_no used", &APIError{Code: "2011", HTTPStatus: 200}, false, true, false, false},
		{"1297", &APIError{Code: "1297", HTTPStatus: 200}, false, false, true, false},
		{"1201", &APIError{Code: "1201", HTTPStatus: 200}, false, false, true, false},
		{"1108", &APIError{Code: "1108", HTTPStatus: 200}, false, false, true, false},
		{"1201 in a 502: not the gateway's decision", &APIError{Code: "1201", HTTPStatus: 502}, false, false, false, false},
		{"HTTP 429", &APIError{HTTPStatus: 429}, false, false, false, true},
		{"HTTP 503", &APIError{HTTPStatus: 503}, false, false, false, false},
		{"HTTP 403 page", &APIError{HTTPStatus: 403}, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("charging order 42: %w", tt.err)
			assert.Equal(t, tt.pending, errors.Is(wrapped, ErrPending), "ErrPending")
			assert.Equal(t, tt.pending, tt.err.Pending(), "Pending")
			assert.Equal(t, tt.duplicate, errors.Is(wrapped, ErrDuplicate), "ErrDuplicate")
			assert.Equal(t, tt.duplicate, tt.err.Duplicate(), "Duplicate")
			assert.Equal(t, tt.declined, tt.err.Declined(), "Declined")
			assert.Equal(t, tt.rateLimited, errors.Is(wrapped, ErrRateLimited), "ErrRateLimited")
			assert.NotErrorIs(t, wrapped, ErrOutcomeUnknown)
			assert.NotErrorIs(t, wrapped, ErrMalformedResponse)
			assert.NotErrorIs(t, wrapped, ErrInvalidRequest)
			var got *APIError
			require.ErrorAs(t, wrapped, &got)
			assert.Same(t, tt.err, got)
		})
	}
}

func TestOutcomeUnknownError(t *testing.T) {
	cause := context.DeadlineExceeded
	tests := []struct {
		name string
		err  *OutcomeUnknownError
		want string
	}{
		{"by out_trade_no", &OutcomeUnknownError{Path: "/trade/v1/payment", OutTradeNo: "A1", SysSN: "2019", Err: cause},
			`qfpay: /trade/v1/payment: outcome unknown for out_trade_no "A1": query it before doing anything else: context deadline exceeded`},
		{"by syssn", &OutcomeUnknownError{Path: "/trade/v1/reversal", SysSN: "20191227000200020061752831", Err: cause},
			`qfpay: /trade/v1/reversal: outcome unknown for syssn "20191227000200020061752831": query it before doing anything else: context deadline exceeded`},
		{"no reference", &OutcomeUnknownError{Path: "/trade/v1/payment", Err: cause},
			`qfpay: /trade/v1/payment: outcome unknown: query it before doing anything else: context deadline exceeded`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, tt.err, ErrOutcomeUnknown)
			assert.ErrorIs(t, tt.err, context.DeadlineExceeded, "unwraps to the cause")
			assert.NotErrorIs(t, tt.err, ErrPending)
		})
	}
}

// call names one of the core calls, for tests that run the same answer
// through each of them.
type coreCall struct {
	name       string
	path       string
	outTradeNo string // the request's out_trade_no, "" for Query
	movesMoney bool
	call       func(context.Context, *Client) (any, error)
}

func coreCalls() []coreCall {
	return []coreCall{
		{"Payment", "/trade/v1/payment", "01234567890123", true, func(ctx context.Context, c *Client) (any, error) {
			r, err := c.Payment(ctx, docPaymentRequest())
			if r == nil {
				return nil, err
			}
			return r, err
		}},
		{"Refund", "/trade/v1/refund", "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", true, func(ctx context.Context, c *Client) (any, error) {
			r, err := c.Refund(ctx, docRefundRequest())
			if r == nil {
				return nil, err
			}
			return r, err
		}},
		{"Query", "/trade/v1/query", "", false, func(ctx context.Context, c *Client) (any, error) {
			r, err := c.Query(ctx, &QueryRequest{SysSNs: []string{"20191227000200020061752831"}})
			if r == nil {
				return nil, err
			}
			return r, err
		}},
	}
}

// assertOutcome checks that err is an *OutcomeUnknownError for the call's
// out_trade_no when the call moves money, and not one otherwise.
func assertOutcome(t *testing.T, cc coreCall, err error) {
	t.Helper()
	if !cc.movesMoney {
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a query moves no money")
		return
	}
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou, "money may have moved")
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, cc.outTradeNo, ou.OutTradeNo)
	assert.Equal(t, cc.path, ou.Path)
	assert.Contains(t, err.Error(), cc.outTradeNo)
}

func TestUnreadableAnswers(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"empty body", "application/json", "", "empty body"},
		{"blank body", "application/json", " \r\n\t", "empty body"},
		{"not JSON", "text/plain", "Service OK", "not JSON"},
		{"truncated JSON", "application/json", `{"respcd": "0000", "syssn": "2019`, "not JSON"},
		{"JSON null", "application/json", "null", "not JSON"},
		{"JSON array", "application/json", `[{"respcd": "0000"}]`, "not JSON"},
		{"JSON string", "application/json", `"0000"`, "not JSON"},
		{"missing respcd", "application/json", `{"resperr": "success", "syssn": "20191225000200020060996533", "data": []}`, "no respcd"},
		{"null respcd", "application/json", `{"respcd": null, "syssn": "20191225000200020060996533"}`, "no respcd"},
		{"empty respcd", "application/json", `{"respcd": "", "syssn": "20191225000200020060996533"}`, "no respcd"},
		{"respcd an object", "application/json", `{"respcd": {"code": "0000"}}`, "no respcd"},
	}
	for _, cc := range coreCalls() {
		for _, tt := range tests {
			t.Run(cc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t)
				e.respond(http.MethodPost, cc.path, http.StatusOK, tt.body, "Content-Type", tt.contentType)
				got, err := cc.call(context.Background(), e.client)
				assert.Nil(t, got, "never a zero-valued success")
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), tt.want)
				assert.Contains(t, err.Error(), "HTTP 200")
				var apiErr *APIError
				assert.False(t, errors.As(err, &apiErr), "no APIError without a respcd: %v", err)
				assertOutcome(t, cc, err)
				assert.Len(t, e.requests(), 1, "a 200 answer is not retried")
				assertNoKey(t, err.Error(), "error message")
			})
		}
	}
}

func TestHTTPErrorPage(t *testing.T) {
	page := readTestdata(t, "error_502.html")
	for _, cc := range coreCalls() {
		t.Run(cc.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, cc.path, http.StatusBadGateway, page, "Content-Type", "text/html")
			got, err := cc.call(context.Background(), e.client)
			assert.Nil(t, got)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
			assert.Empty(t, apiErr.Code)
			assert.Equal(t, "Bad Gateway", apiErr.Message)
			assert.Contains(t, apiErr.Detail, "502 Bad Gateway", "the start of the page, for the logs")
			assert.NotContains(t, apiErr.Detail, "\n")
			assert.Equal(t, cc.path, apiErr.Path)
			assert.NotErrorIs(t, err, ErrPending)
			assert.NotErrorIs(t, err, ErrRateLimited)
			assertOutcome(t, cc, err)
			if cc.movesMoney {
				assert.Len(t, e.requests(), 1, "a money movement is never re-sent")
			} else {
				assert.Len(t, e.requests(), 3, "a query is retried up to the policy's attempts")
			}
		})
	}
}

// TestErrorStatusWithRespcd: a non-2xx answer that carries a respcd is the
// gateway's own refusal, a known outcome.
func TestErrorStatusWithRespcd(t *testing.T) {
	for _, cc := range coreCalls() {
		t.Run(cc.name, func(t *testing.T) {
			e := setup(t)
			e.respond(http.MethodPost, cc.path, http.StatusInternalServerError, `{"respcd": "1100", "resperr": "System under maintenance (1100)", "respmsg": ""}`)
			_, err := cc.call(context.Background(), e.client)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "1100", apiErr.Code)
			assert.Equal(t, http.StatusInternalServerError, apiErr.HTTPStatus)
			assert.Equal(t, "System under maintenance (1100)", apiErr.Message)
			assert.Equal(t, "System under maintenance", apiErr.Description())
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.Len(t, e.requests(), 1)
		})
	}
}

func TestRateLimited(t *testing.T) {
	tests := []struct {
		name, retryAfter string
		min, max         time.Duration
	}{
		{"seconds", "7", 7 * time.Second, 7 * time.Second},
		{"padded seconds", " 2 ", 2 * time.Second, 2 * time.Second},
		{"HTTP date", time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), 80 * time.Second, 90 * time.Second},
		{"date in the past", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0, 0},
		{"none", "", 0, 0},
		{"garbage", "soon", 0, 0},
	}
	for _, cc := range coreCalls() {
		for _, tt := range tests {
			t.Run(cc.name+"/"+tt.name, func(t *testing.T) {
				e := setup(t, WithTimeout(time.Second))
				header := []string{"Content-Type", "text/plain"}
				if tt.retryAfter != "" {
					header = append(header, "Retry-After", tt.retryAfter)
				}
				e.respond(http.MethodPost, cc.path, http.StatusTooManyRequests, "Too Many Requests", header...)
				got, err := cc.call(context.Background(), e.client)
				assert.Nil(t, got)
				assert.ErrorIs(t, err, ErrRateLimited)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusTooManyRequests, apiErr.HTTPStatus)
				assert.GreaterOrEqual(t, apiErr.RetryAfter, tt.min)
				assert.LessOrEqual(t, apiErr.RetryAfter, tt.max)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 was refused, not executed")
				switch {
				case cc.movesMoney:
					assert.Len(t, e.requests(), 1, "never re-sent")
				case tt.min > 0:
					assert.Len(t, e.requests(), 1, "a wait beyond the call's 1s timeout: not asked again early")
				default:
					assert.Len(t, e.requests(), 3)
				}
			})
		}
	}
}

func TestRateLimitedWithJSONBody(t *testing.T) {
	e := setup(t)
	e.respond(http.MethodPost, "/trade/v1/payment", http.StatusTooManyRequests,
		`{"respcd": "", "resperr": "too many requests", "respmsg": "100 per second"}`, "Retry-After", "3")
	_, err := e.client.Payment(context.Background(), docPaymentRequest())
	assert.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "too many requests", apiErr.Message)
	assert.Equal(t, "100 per second", apiErr.Detail)
	assert.Equal(t, 3*time.Second, apiErr.RetryAfter)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

func TestQueryRetriedAfterRateLimit(t *testing.T) {
	e := setup(t)
	n := 0
	e.respondFunc(http.MethodPost, "/trade/v1/query", func(r *http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			resp := httpmock.NewStringResponse(http.StatusTooManyRequests, "")
			resp.Header.Set("Retry-After", "1")
			return resp, nil
		}
		return httpmock.NewStringResponse(http.StatusOK, readTestdata(t, "query_doc.json")), nil
	})
	got, err := e.client.Query(context.Background(), &QueryRequest{SysSNs: []string{"20191227000200020061752831"}})
	require.NoError(t, err)
	require.Len(t, got.Transactions, 1)
	reqs := e.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].RawBody, reqs[1].RawBody, "the same request again")
	assert.Equal(t, reqs[0].Header.Get("X-QF-SIGN"), reqs[1].Header.Get("X-QF-SIGN"))
}

// blockUntilDone answers only when the request's context ends.
func blockUntilDone(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func TestContextErrors(t *testing.T) {
	for _, cc := range coreCalls() {
		t.Run(cc.name+"/deadline", func(t *testing.T) {
			e := setup(t)
			e.respondFunc(http.MethodPost, cc.path, blockUntilDone)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			got, err := cc.call(ctx, e.client)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), cc.path)
			assert.Len(t, e.requests(), 1, "no retry once the context is done")
		})
		t.Run(cc.name+"/client timeout", func(t *testing.T) {
			e := setup(t, WithTimeout(20*time.Millisecond))
			e.respondFunc(http.MethodPost, cc.path, blockUntilDone)
			start := time.Now()
			_, err := cc.call(context.Background(), e.client)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 5*time.Second)
		})
		t.Run(cc.name+"/cancelled during the call", func(t *testing.T) {
			e := setup(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.respondFunc(http.MethodPost, cc.path, func(r *http.Request) (*http.Response, error) {
				cancel()
				return blockUntilDone(r)
			})
			got, err := cc.call(ctx, e.client)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.LessOrEqual(t, len(e.requests()), 1)
		})
		t.Run(cc.name+"/cancelled before the call", func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, cc.path, "payment_doc.json")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			got, err := cc.call(ctx, e.client)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was sent")
			assert.Empty(t, e.requests(), "a done context sends nothing, whatever the transport")
		})
	}
}

// TestPaymentCancelledAfterSend: a payment whose context is cancelled once
// the gateway has the request has an unknown outcome. (Timeouts, resets and
// dial errors: TestPaymentOutcomeUnknown and TestPaymentOutcomeKnown.)
func TestPaymentCancelledAfterSend(t *testing.T) {
	arrived := make(chan struct{}, 1)
	c, hits := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		stall(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	got, err := c.Payment(ctx, docPaymentRequest())
	assert.Nil(t, got)
	assert.ErrorIs(t, err, context.Canceled)
	assertOutcome(t, coreCalls()[0], err)
	assertNoKey(t, err.Error(), "error message")
	assert.Equal(t, int32(1), hits.Load(), "sent once")
}

// TestOversizedHTTPError: an HTTP error answer over the size limit is still
// judged by its status: a 429 is a refusal, a 5xx page a gateway failure.
func TestOversizedHTTPError(t *testing.T) {
	big := "<html>" + strings.Repeat("x", 200) + "</html>"
	for _, cc := range coreCalls() {
		t.Run(cc.name+"/429", func(t *testing.T) {
			e := setup(t, WithMaxResponseBytes(64))
			e.respond(http.MethodPost, cc.path, http.StatusTooManyRequests, big, "Content-Type", "text/html")
			got, err := cc.call(context.Background(), e.client)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, ErrRateLimited)
			assert.NotErrorIs(t, err, ErrMalformedResponse)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 was refused, not executed")
		})
		t.Run(cc.name+"/502", func(t *testing.T) {
			e := setup(t, WithMaxResponseBytes(64))
			e.respond(http.MethodPost, cc.path, http.StatusBadGateway, big, "Content-Type", "text/html")
			got, err := cc.call(context.Background(), e.client)
			assert.Nil(t, got)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
			assert.LessOrEqual(t, len(apiErr.Detail), 130, "a snippet of the page")
			assertOutcome(t, cc, err)
			if cc.movesMoney {
				assert.Len(t, e.requests(), 1)
			} else {
				assert.Len(t, e.requests(), 3, "retried like any 5xx")
			}
		})
	}
}

func TestResponseSizeLimit(t *testing.T) {
	doc := readTestdata(t, "payment_doc.json")
	t.Run("default limit, one byte over", func(t *testing.T) {
		e := setup(t)
		e.respond(http.MethodPost, "/trade/v1/payment", http.StatusOK, strings.Repeat(" ", DefaultMaxResponseBytes+1-len(doc))+doc)
		got, err := e.client.Payment(context.Background(), docPaymentRequest())
		assert.Nil(t, got)
		assert.ErrorIs(t, err, ErrMalformedResponse)
		assert.Contains(t, err.Error(), "larger than")
		assertOutcome(t, coreCalls()[0], err)
	})
	t.Run("default limit, exactly at it", func(t *testing.T) {
		e := setup(t)
		e.respond(http.MethodPost, "/trade/v1/payment", http.StatusOK, strings.Repeat(" ", DefaultMaxResponseBytes-len(doc))+doc)
		got, err := e.client.Payment(context.Background(), docPaymentRequest())
		require.NoError(t, err)
		assert.Equal(t, "20191225000200020060996533", got.SysSN)
	})
	for _, cc := range coreCalls() {
		t.Run(cc.name+"/WithMaxResponseBytes", func(t *testing.T) {
			e := setup(t, WithMaxResponseBytes(64))
			e.respond(http.MethodPost, cc.path, http.StatusOK, doc)
			got, err := cc.call(context.Background(), e.client)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, ErrMalformedResponse)
			assert.Contains(t, err.Error(), "larger than 64 bytes")
			assert.Contains(t, err.Error(), cc.path+": HTTP 200", "says which call")
			assertOutcome(t, cc, err)
			assert.Len(t, e.requests(), 1)
		})
	}
}
