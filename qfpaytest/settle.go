package qfpaytest

import (
	"fmt"
	"time"

	"github.com/qfpay-go/qfpay"
)

// settleTick bounds how long the settler sleeps while the server's clock
// runs, so that a clock of WithClock that jumps is noticed.
const settleTick = 100 * time.Millisecond

// startPendingLocked makes t, just answered with a pending code, settle to
// final by the rules of WithPendingQueries and WithPendingFor.
func (s *Server) startPendingLocked(t *txn, final string, now time.Time) {
	t.pending, t.finalCode = true, final
	t.pendingLeft = s.cfg.pendingQueries
	s.awaiting = append(s.awaiting, t)
	if s.cfg.pendingFor < 0 {
		return
	}
	t.settleAt = now.Add(s.cfg.pendingFor)
	s.pendingTxns = append(s.pendingTxns, t)
	if !s.settling && !s.closed {
		s.settling = true
		s.wg.Add(1)
		go s.settler()
	}
	s.wakeSettlerLocked()
}

// settleLocked settles a pending payment or refund at time at: paid (and
// notified) or refunded (and notified), or failed with its final code.
func (s *Server) settleLocked(t *txn, at time.Time) {
	if t.finalCode != codeOK {
		s.failLocked(t, t.finalCode)
		return
	}
	if t.orderType == orderRefund {
		s.refundDoneLocked(t, at)
		return
	}
	s.payLocked(t, at)
}

// settleByQueryLocked settles a pending payment or refund a query is about
// to list once WithPendingQueries' queries have listed it.
func (s *Server) settleByQueryLocked(t *txn, now time.Time) {
	if t.pendingNow() && s.cfg.pendingQueries >= 0 && t.pendingLeft <= 0 {
		s.settleLocked(t, now)
	}
}

// failLocked makes an unsettled payment or refund fail with code.
func (s *Server) failLocked(t *txn, code string) {
	t.respcd = code
	if t.orderType == orderRefund {
		if o := s.bySysSN[t.origSysSN]; o != nil {
			o.refunding -= t.amount
		}
	}
}

// settleDueLocked settles the pending payments and refunds whose time has
// come on the server's clock, and returns when the next one is due (zero:
// none left).
func (s *Server) settleDueLocked(now time.Time) time.Time {
	var next time.Time
	left := s.pendingTxns[:0]
	for _, t := range s.pendingTxns {
		s.refreshLocked(t, now)
		if !t.pendingNow() {
			continue
		}
		left = append(left, t)
		if next.IsZero() || t.settleAt.Before(next) {
			next = t.settleAt
		}
	}
	clear(s.pendingTxns[len(left):])
	s.pendingTxns = left
	return next
}

// settleDue settles what is due at the server's current time, and bills
// the subscriptions' cycles due by then.
func (s *Server) settleDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDueLocked(s.Now())
	s.billDueLocked(s.Now())
	s.wakeSettlerLocked()
}

// wakeSettlerLocked makes the settler look at the clock again.
func (s *Server) wakeSettlerLocked() {
	close(s.settleWake)
	s.settleWake = make(chan struct{})
}

// settler settles pending payments and refunds when their time comes on
// the server's clock, whether or not anybody queries them, until none is
// left or the server is closed. While the clock is frozen (SetNow,
// Advance) it waits for the clock to move.
func (s *Server) settler() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		now := s.Now()
		next := s.settleDueLocked(now)
		if next.IsZero() || s.closed {
			s.settling = false
			s.mu.Unlock()
			return
		}
		wake := s.settleWake
		s.mu.Unlock()
		var tick <-chan time.Time
		var timer *time.Timer
		if !s.frozen() {
			timer = time.NewTimer(min(max(next.Sub(now), time.Millisecond), settleTick))
			tick = timer.C
		}
		closed := false
		select {
		case <-tick:
		case <-wake:
		case <-s.ctx.Done():
			closed = true
		}
		if timer != nil {
			timer.Stop()
		}
		if closed {
			s.mu.Lock()
			s.settling = false
			s.mu.Unlock()
			return
		}
	}
}

// Fail makes the payment or refund with syssn or out_trade_no ref, while
// its outcome is not settled yet, fail with respcd: the query lists it
// with that code from then on, as a final failure. Any payment waiting
// for the customer or pending, and any refund pending (WithPendingRefunds)
// can fail. It fails with ErrNotFound, ErrSettled for a transaction whose
// outcome is settled already (paid, refunded, closed, expired or failed),
// or an error for a respcd that is not four digits or is 0000 or a pending
// code (1143, 1145, 1298).
func (s *Server) Fail(ref, respcd string) error {
	if len(respcd) != 4 || !digits(respcd) || respcd == codeOK || pendingCode(respcd) {
		return fmt.Errorf("qfpaytest: respcd %q is not a failure code", respcd)
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(ref)
	if t == nil {
		return fmt.Errorf("%w: %q", ErrNotFound, ref)
	}
	s.refreshLocked(t, now)
	if !t.unsettled() {
		return fmt.Errorf("%w: %s %s (respcd %s, cancel %d)", ErrSettled, t.orderType, t.syssn, t.respcd, t.cancel)
	}
	s.failLocked(t, respcd)
	return nil
}

// Expire makes the unpaid payment with syssn or out_trade_no ref expire
// now, as if its expiry (expired_time) had passed: the query lists it with
// 1181 from then on, and its links no longer pay it. Any payment Pay could
// pay can expire (one waiting for the customer, or a pending one). It
// returns the expired payment; it fails as Pay does, with ErrNotFound, or
// ErrNotPayable for a payment paid, closed, expired or failed already, or
// a refund.
func (s *Server) Expire(ref string) (Transaction, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(ref)
	if t == nil {
		return Transaction{}, fmt.Errorf("%w: %q", ErrNotFound, ref)
	}
	s.refreshLocked(t, now)
	if !t.payable() {
		return Transaction{}, fmt.Errorf("%w: %s is %s (respcd %s, cancel %d)", ErrNotPayable, t.syssn, t.orderType, t.respcd, t.cancel)
	}
	t.respcd = codeExpired
	if t.expireAt.IsZero() || t.expireAt.After(now) {
		t.expireAt = now
	}
	return t.snapshot(), nil
}

// refundDoneLocked makes the refund r succeed at time at: the payment's
// refunded amount and cancel status follow, and it is notified.
func (s *Server) refundDoneLocked(r *txn, at time.Time) {
	o := s.bySysSN[r.origSysSN]
	if r.pending {
		o.refunding -= r.amount
	}
	r.respcd = codeOK
	r.payTime = at
	r.chnlsn = "42" + r.syssn
	o.refunded += r.amount
	o.cancel = qfpay.CancelPartiallyRefunded
	if o.refunded == o.amount {
		o.cancel = qfpay.CancelRefunded
	}
	s.notifyLocked(r, orderRefund)
}
