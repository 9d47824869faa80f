package qfpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
)

// echoGateway checks each request's signature and answers with what the
// request carried, so that every answer can be matched to its request.
func echoGateway(t *testing.T, opts ...Option) (*Client, *atomic.Int32) {
	var badSigs atomic.Int32
	c, _ := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form := r.PostForm
		if referenceHash(canonicalString(form)+testClientKey, MD5) != r.Header.Get("X-QF-SIGN") {
			badSigs.Add(1)
			reply(200, `{"respcd": "1108", "resperr": "signature error"}`)(w, r)
			return
		}
		no := form.Get("out_trade_no")
		var answer any
		switch r.URL.Path {
		case pathQuery:
			answer = map[string]any{"respcd": "0000", "page": 1, "page_size": 10, "data": []any{
				map[string]any{"syssn": "SN-" + no, "out_trade_no": no, "respcd": "0000", "txamt": "1"},
			}}
		default:
			answer = map[string]any{"respcd": "0000", "syssn": "SN-" + no, "out_trade_no": no, "txamt": form.Get("txamt"), "orig_syssn": form.Get("syssn")}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	}, opts...)
	return c, &badSigs
}

func TestConcurrentCallsOnOneClient(t *testing.T) {
	configs := map[string][]Option{
		"defaults":              nil,
		"logger and rate limit": {WithLogger(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))), WithRateLimit(100000, 0)},
	}
	for name, opts := range configs {
		t.Run(name, func(t *testing.T) {
			c, badSigs := echoGateway(t, opts...)
			const n = 300
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					errs <- concurrentCall(c, i)
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				assert.NoError(t, err)
			}
			assert.Zero(t, badSigs.Load(), "every signature checked out")
		})
	}
}

// concurrentCall makes call i (a payment, a refund or a query, in turn)
// and checks that the answer is the one to this request.
func concurrentCall(c *Client, i int) error {
	ctx := context.Background()
	no := "N-" + strconv.Itoa(i)
	amount := int64(i + 1)
	switch i % 3 {
	case 0:
		resp, err := c.Payment(ctx, &PaymentRequest{PayType: PayTypeAlipayMPM, Amount: amount, Currency: CurrencyHKD, OutTradeNo: no})
		if err != nil {
			return err
		}
		if resp.OutTradeNo != no || resp.SysSN != "SN-"+no || resp.Amount != amount {
			return fmt.Errorf("payment %s got the answer %+v", no, resp)
		}
	case 1:
		orig := "ORIG-" + no
		resp, err := c.Refund(ctx, &RefundRequest{SysSN: orig, OutTradeNo: no, Amount: amount})
		if err != nil {
			return err
		}
		if resp.OutTradeNo != no || resp.OrigSysSN != orig || resp.Amount != amount {
			return fmt.Errorf("refund %s got the answer %+v", no, resp)
		}
	default:
		resp, err := c.Query(ctx, &QueryRequest{OutTradeNos: []string{no}})
		if err != nil {
			return err
		}
		if len(resp.Transactions) != 1 || resp.Transactions[0].OutTradeNo != no || resp.Transactions[0].SysSN != "SN-"+no {
			return fmt.Errorf("query %s got the answer %+v", no, resp)
		}
	}
	return nil
}

func TestConcurrentRetriedQueriesGetTheirOwnAnswers(t *testing.T) {
	// Each query fails twice (a 503, then a connection error) before its
	// answer: retries from hundreds of goroutines must not cross.
	e := setup(t)
	var attempts sync.Map // out_trade_no -> *atomic.Int32
	e.mock.RegisterResponder("POST", testBaseURL+pathQuery, func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		no := form.Get("out_trade_no")
		n, _ := attempts.LoadOrStore(no, new(atomic.Int32))
		switch n.(*atomic.Int32).Add(1) {
		case 1:
			return httpmock.NewStringResponse(503, htmlPage), nil
		case 2:
			return nil, errors.New("connection reset by peer")
		}
		return httpmock.NewJsonResponse(200, map[string]any{"respcd": "0000", "data": []any{
			map[string]any{"syssn": "SN-" + no, "out_trade_no": no, "respcd": "0000"},
		}})
	})

	const n = 300
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			no := "Q-" + strconv.Itoa(i)
			resp, err := e.client.Query(context.Background(), &QueryRequest{OutTradeNos: []string{no}})
			switch {
			case err != nil:
				errs <- err
			case len(resp.Transactions) != 1 || resp.Transactions[0].OutTradeNo != no || resp.Transactions[0].SysSN != "SN-"+no:
				errs <- fmt.Errorf("query %s got %+v", no, resp.Transactions)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	count := 0
	attempts.Range(func(_, v any) bool {
		count++
		assert.Equal(t, int32(3), v.(*atomic.Int32).Load())
		return true
	})
	assert.Equal(t, n, count)
}
