package qfpay

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how calls that are safe to repeat (Query, DownloadBill,
// WeChatOpenID) are retried after a connection error, an HTTP 5xx or an
// HTTP 429. Payments, refunds, reversals, closes and deductions are never
// retried, whatever the policy.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts in all; 1 or less disables
	// retries.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before an attempt: a random
	// wait ("full jitter") up to MinBackoff doubled for each attempt made,
	// capped at MaxBackoff. A Retry-After from the gateway is honoured in
	// full, whatever MaxBackoff: no attempt is made before the time it
	// named. When the context's deadline (by default the client's
	// DefaultTimeout) would pass before a wait ends, the call returns the
	// last failure at once: an *APIError whose RetryAfter the caller can
	// schedule by.
	MinBackoff, MaxBackoff time.Duration
}

// DefaultRetryPolicy is the policy of a new Client: three attempts, the
// waits between them drawn up to 200ms, then up to 400ms (5s at most, for
// larger MaxAttempts).
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second}

// WithRetry replaces DefaultRetryPolicy. RetryPolicy{MaxAttempts: 1} turns
// retries off.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MinBackoff < 0 || p.MaxBackoff < p.MinBackoff {
			return fmt.Errorf("%w: retry backoff bounds %v..%v", ErrInvalidRequest, p.MinBackoff, p.MaxBackoff)
		}
		c.retry = p
		return nil
	}
}

// backoff is the wait before the attempt after attempt (1-based); asked is
// the wait the gateway asked for, honoured in full.
func (p RetryPolicy) backoff(attempt int, asked time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	return jitter(p.MinBackoff, p.MaxBackoff, attempt)
}

// jitter draws a wait in [0, min(hi, lo·2^(n-1))] ("full jitter").
func jitter(lo, hi time.Duration, n int) time.Duration {
	if hi <= 0 {
		return 0
	}
	ceiling := lo
	for i := 1; i < n && ceiling < hi; i++ {
		ceiling *= 2
	}
	ceiling = min(max(ceiling, time.Millisecond), hi)
	return rand.N(ceiling + 1)
}

// The gateway's published limits for one merchant (an app code), for
// WithRateLimit: above them it answers HTTP 429 (ErrRateLimited).
const (
	GatewayRequestsPerSecond = 100 // requests a second
	GatewayRequestsPerMinute = 400 // requests a minute
)

// limiter holds the optional client-side rate limits; the zero value lets
// everything through.
type limiter struct {
	// windows are the limits, the longest period first.
	windows []*window
}

// wait returns once a request may be sent under every limit, or with the
// context's error (nothing to be sent then).
func (l limiter) wait(ctx context.Context) error {
	for i, w := range l.windows {
		if err := w.take(ctx); err != nil {
			for _, held := range l.windows[:i] {
				held.giveBack()
			}
			return fmt.Errorf("rate limit: %w", err)
		}
	}
	// Every period starts now, when the request is sent.
	for _, w := range l.windows {
		w.returnLater()
	}
	return nil
}

// window admits at most n requests in any span of its period: a request
// takes one of n tokens, which comes back one period after the request was
// let through. Waiting requests are served in turn (a channel's receivers
// queue first in, first out), and one that gives up holds nothing.
type window struct {
	tokens chan struct{}
	period time.Duration
}

func newWindow(n int, period time.Duration) *window {
	w := &window{tokens: make(chan struct{}, n), period: period}
	for range n {
		w.tokens <- struct{}{}
	}
	return w
}

func (w *window) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-w.tokens:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *window) giveBack() { w.tokens <- struct{}{} }

func (w *window) returnLater() { time.AfterFunc(w.period, w.giveBack) }

// WithRateLimit makes the client queue its own requests so that it sends
// at most perSecond requests in any second and perMinute in any minute
// (zero or less: no limit of that kind), retries included. A busy backend
// then waits instead of collecting HTTP 429 answers; a call whose context
// ends while it waits sends nothing and returns the context's error.
// WithRateLimit(GatewayRequestsPerSecond, GatewayRequestsPerMinute) matches
// the gateway's published limits; the limits hold for this Client only, so
// share one Client per merchant. The windows are exact and sliding: no span
// of a second (or a minute) ever holds more requests than its limit,
// where a token bucket (golang.org/x/time/rate) refilled at the same rate
// lets up to twice the limit through in the span after a burst.
func WithRateLimit(perSecond, perMinute int) Option {
	return func(c *Client) error {
		c.limiter = limiter{}
		if perMinute > 0 {
			c.limiter.windows = append(c.limiter.windows, newWindow(perMinute, time.Minute))
		}
		if perSecond > 0 {
			c.limiter.windows = append(c.limiter.windows, newWindow(perSecond, time.Second))
		}
		return nil
	}
}

// PollPolicy says how WaitForPayment polls: it waits a random time up to
// MinInterval, doubled for each poll made, capped at MaxInterval, until the
// context ends.
type PollPolicy struct {
	// MinInterval bounds the wait before the first poll; each later poll
	// may wait up to twice as long as the one before. Above zero.
	MinInterval time.Duration
	// MaxInterval caps the wait between two polls; at least MinInterval.
	MaxInterval time.Duration
}

// DefaultPollPolicy is the policy of a new Client: first poll within 1s,
// then backing off to at most 10s between polls.
var DefaultPollPolicy = PollPolicy{MinInterval: time.Second, MaxInterval: 10 * time.Second}

// WithPollInterval sets the bounds of WaitForPayment's backoff.
func WithPollInterval(minInterval, maxInterval time.Duration) Option {
	return func(c *Client) error {
		if minInterval <= 0 || maxInterval < minInterval {
			return fmt.Errorf("%w: poll interval bounds %v..%v", ErrInvalidRequest, minInterval, maxInterval)
		}
		c.poll = PollPolicy{MinInterval: minInterval, MaxInterval: maxInterval}
		return nil
	}
}
