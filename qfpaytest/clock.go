package qfpaytest

import "time"

// SetNow freezes the server's clock at t (sysdtm, paydtm, syssn dates,
// expiries, pending settlements, the query's default month). The zero
// time returns to the clock of WithClock (default time.Now). Pending
// payments and refunds due by then settle before it returns. A qfpay
// client shares the frozen clock with qfpay.WithClock(srv.Now), so that
// the months it searches by out_trade_no are the server's.
func (s *Server) SetNow(t time.Time) {
	s.clockMu.Lock()
	s.fixed, s.fixedSet = t, !t.IsZero()
	s.clockMu.Unlock()
	s.settleDue()
}

// Advance moves a clock frozen with SetNow by d (it freezes the clock at
// Now()+d when it was running). Pending payments and refunds due by then
// settle (and are notified) before it returns.
func (s *Server) Advance(d time.Duration) {
	s.clockMu.Lock()
	s.fixed, s.fixedSet = s.nowLocked().Add(d), true
	s.clockMu.Unlock()
	s.settleDue()
}

// Now is the server's current time.
func (s *Server) Now() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.nowLocked()
}

// frozen reports whether the clock is frozen by SetNow or Advance.
func (s *Server) frozen() bool {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.fixedSet
}

// stampLocked is the time of a transaction about to be stored, read under
// s.mu so that transactions are stored in the order of their times while
// the clock runs forward (see Server.unordered): the clock's time, or the
// request's own (was) when the clock is frozen.
func (s *Server) stampLocked(was time.Time) time.Time {
	if s.frozen() {
		return was
	}
	return s.Now()
}

func (s *Server) nowLocked() time.Time {
	if s.fixedSet {
		return s.fixed
	}
	return s.cfg.clock()
}
