package qfpay

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slack absorbs the delay between a request being let through and its
// arrival at the mock, on a loaded machine.
const slack = 100 * time.Millisecond

// assertAtMost checks that no span of period holds more than n of times.
func assertAtMost(t *testing.T, times []time.Time, n int, period time.Duration) {
	t.Helper()
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 0; i+n < len(times); i++ {
		assert.GreaterOrEqual(t, times[i+n].Sub(times[i]), period-slack, "requests %d and %d are within one period", i, i+n)
	}
}

func TestRateLimitQueuesConcurrentCalls(t *testing.T) {
	e := setup(t, WithRateLimit(20, 0))
	times := e.script("POST", pathQuery, queryPage)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Go(func() {
			_, err := e.client.Query(context.Background(), queryByOTN)
			errs <- err
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	at := times()
	require.Len(t, at, 30)
	assert.GreaterOrEqual(t, elapsed, time.Second-slack, "30 calls at 20 a second")
	assert.Less(t, elapsed, 3*time.Second)
	assertAtMost(t, at, 20, time.Second)
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	assert.Less(t, at[19].Sub(start), 500*time.Millisecond, "the first 20 go at once")
}

func TestRateLimitPerMinute(t *testing.T) {
	e := setup(t, WithRateLimit(0, 3))
	e.script("POST", pathQuery, queryPage)
	for i := range 3 {
		_, err := e.client.Query(context.Background(), queryByOTN)
		require.NoError(t, err, "call %d", i+1)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := e.client.Query(ctx, queryByOTN)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "rate limit")
	assert.Len(t, e.requests(), 3, "the fourth call of the minute waited and sent nothing")
}

func TestRateLimitContextEndsWhileWaiting(t *testing.T) {
	e := setup(t, WithRateLimit(1, 0))
	times := e.script("POST", pathPayment, paymentOK)
	_, err := e.client.Payment(context.Background(), testPaymentRequest("P-1"))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	resp, err := e.client.Payment(ctx, testPaymentRequest("P-2"))
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was sent")
	assert.Len(t, e.requests(), 1)

	// The call that gave up holds no place: the next one goes one second
	// after the first, not two.
	_, err = e.client.Payment(context.Background(), testPaymentRequest("P-3"))
	require.NoError(t, err)
	at := times()
	require.Len(t, at, 2)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), time.Second-slack)
	assert.Less(t, at[1].Sub(at[0]), 1500*time.Millisecond)
	assert.Equal(t, "P-3", e.requests()[1].Params.Get("out_trade_no"))
}

func TestRateLimitCoversRetries(t *testing.T) {
	e := setup(t, WithRateLimit(1, 0))
	times := e.script("POST", pathQuery, html503, queryPage)

	_, err := e.client.Query(context.Background(), queryByOTN)
	require.NoError(t, err)
	at := times()
	require.Len(t, at, 2)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), time.Second-slack, "the retry waits for the limit too")
}

func TestLimiterWindows(t *testing.T) {
	l := limiter{windows: []*window{newWindow(4, 400*time.Millisecond), newWindow(2, 100*time.Millisecond)}}
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			assert.NoError(t, l.wait(context.Background())) // not require: another goroutine than the test's
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Len(t, at, 10)
	assertAtMost(t, at, 4, 400*time.Millisecond)
	assertAtMost(t, at, 2, 100*time.Millisecond)

	t.Run("a waiter that gives up returns what it held", func(t *testing.T) {
		l := limiter{windows: []*window{newWindow(1, time.Hour), newWindow(1, time.Hour)}}
		<-l.windows[1].tokens // the second window is exhausted
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, l.wait(ctx), context.DeadlineExceeded)
		assert.Len(t, l.windows[0].tokens, 1, "the first window's token came back")
	})
}

func TestWithRateLimitOptions(t *testing.T) {
	tests := []struct {
		perSecond, perMinute int
		want                 []int // capacity of each window, longest period first
	}{
		{0, 0, nil},
		{-1, -5, nil},
		{100, 400, []int{400, 100}},
		{10, 0, []int{10}},
		{0, 60, []int{60}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/s %d/min", tt.perSecond, tt.perMinute), func(t *testing.T) {
			c, err := NewClient(testAppCode, testClientKey, WithRateLimit(5, 5), WithRateLimit(tt.perSecond, tt.perMinute))
			require.NoError(t, err)
			var got []int
			for _, w := range c.limiter.windows {
				got = append(got, cap(w.tokens))
				assert.Len(t, w.tokens, cap(w.tokens), "starts full")
			}
			assert.Equal(t, tt.want, got, "the last WithRateLimit wins")
		})
	}
}
