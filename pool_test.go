package qfpay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultClientReusesConnections: 1,000 payments made by 64
// goroutines on a client made without WithHTTPClient open at most 70
// connections to the gateway (net/http's default pool of 2 idle
// connections opened several hundred: a TLS handshake each against the
// real gateway). A count, not a time.
//
// The gateway holds the first 64 payments until all 64 are in flight, as
// a real gateway, slower than a connection is made, has them in flight
// at once: a local handler that answers before the next connection is
// even accepted would let a payment find a connection freed while its
// own was being dialled, which net/http keeps for later, so that the
// count would measure how the test's goroutines were scheduled rather
// than the pool.
func TestDefaultClientReusesConnections(t *testing.T) {
	const payments, workers = 1000, 64
	var opened, arrived atomic.Int32
	allIn := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("out_trade_no") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch n := arrived.Add(1); {
		case n == workers:
			close(allIn)
		case n < workers:
			select {
			case <-allIn:
			case <-time.After(10 * time.Second): // a client that never has 64 in flight
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(specPaymentJSON))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(srv.URL))
	require.NoError(t, err)

	next := make(chan int)
	errs := make(chan error, payments)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				_, err := c.Payment(t.Context(), testPaymentRequest(fmt.Sprintf("pool-%d", i)))
				errs <- err
			}
		})
	}
	for i := range payments {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, opened.Load(), int32(70), "new connections for %d payments at %d goroutines", payments, workers)
	assert.GreaterOrEqual(t, opened.Load(), int32(1))
}

// TestDefaultClientBoundsEachAttempt: the default HTTP client has no
// Timeout of its own; with WithTimeout(0) (no call bound) each attempt is
// still bounded, as an http.Client.Timeout bounded it.
func TestDefaultClientBoundsEachAttempt(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := NewClient(testAppCode, testClientKey, WithBaseURL(srv.URL), WithTimeout(0), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	c.attemptTimeout = 50 * time.Millisecond
	_, err = c.Query(t.Context(), &QueryRequest{SysSNs: []string{"20191227000200020061752831"}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, t.Context().Err(), "the attempt's own deadline, not the caller's")

	t.Run("a sooner deadline of the call needs no deadline of the attempt", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		c.attemptTimeout = time.Hour
		_, err := c.Query(ctx, &QueryRequest{SysSNs: []string{"20191227000200020061752831"}})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, errors.Is(ctx.Err(), context.DeadlineExceeded))
	})
}
