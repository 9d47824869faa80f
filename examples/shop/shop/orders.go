package shop

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/qfpay-go/qfpay"
)

// State is where an order, or one payment attempt of it, stands.
//
//	new ──► sent ──► paid
//	         │ ├───► awaiting ──► paid | failed      (MPM, online: the customer pays later)
//	         │ ├───► failed                          (proven: may pay again under a new number)
//	         │ └───► unknown ──► paid | failed | awaiting  (settled by the same number)
//	failed ──► sent                                   (a new attempt, a new out_trade_no)
//
// Paid is final: nothing downgrades it, so a late answer or a late
// settlement cannot undo a notification that came first.
type State string

// The states of an order and of a payment attempt. An order follows its
// current attempt; an order is StateNew until its first attempt.
const (
	// StateNew: created, no payment sent yet.
	StateNew State = "new"
	// StateSent: the attempt's out_trade_no is written and the payment is
	// being sent. An attempt left in this state (the process stopped
	// mid-call) is settled like StateUnknown once it is stale.
	StateSent State = "sent"
	// StateAwaiting: QF Pay created the payment and waits for the customer
	// (a QR code shown, a checkout opened).
	StateAwaiting State = "awaiting"
	// StateUnknown: the money may or may not have moved; the settle worker
	// resolves it by the same out_trade_no. The customer must not pay again.
	StateUnknown State = "unknown"
	// StatePaid: QF Pay captured the payment. Final.
	StatePaid State = "paid"
	// StateFailed: proven not charged (declined on its first send, or listed
	// by QF Pay as failed); the customer may pay again under a new number.
	StateFailed State = "failed"
)

// transitions are the state changes an attempt may make. Anything else is
// ignored: a late answer that would move a paid attempt back, a settlement
// racing a notification. failed → paid is there because QF Pay's word that
// it captured the money outranks anything the shop concluded (it is logged
// as an error: it should never happen).
var transitions = map[State][]State{
	StateSent:     {StateAwaiting, StateUnknown, StatePaid, StateFailed},
	StateAwaiting: {StatePaid, StateFailed},
	StateUnknown:  {StateAwaiting, StatePaid, StateFailed},
	StateFailed:   {StatePaid},
}

// allowed reports whether an attempt may go from one state to another.
func allowed(from, to State) bool { return slices.Contains(transitions[from], to) }

// RefundState is where a refund stands: sent, then succeeded, failed or
// unknown; unknown is settled to succeeded or failed.
type RefundState string

// The states of a refund.
const (
	// RefundSent: written and being sent.
	RefundSent RefundState = "sent"
	// RefundUnknown: the refund may or may not have happened; settled by
	// the refund's own out_trade_no. Its amount stays reserved.
	RefundUnknown RefundState = "unknown"
	// RefundSucceeded: QF Pay refunded it. Final.
	RefundSucceeded RefundState = "succeeded"
	// RefundFailed: proven not refunded; its amount is free again.
	RefundFailed RefundState = "failed"
)

var refundTransitions = map[RefundState][]RefundState{
	RefundSent:    {RefundUnknown, RefundSucceeded, RefundFailed},
	RefundUnknown: {RefundSucceeded, RefundFailed},
	RefundFailed:  {RefundSucceeded},
}

// Errors the shop's calls return; match them with errors.Is.
var (
	ErrNotFound          = errors.New("shop: no such order")
	ErrAlreadyPaid       = errors.New("shop: the order is paid already")
	ErrPaymentInProgress = errors.New("shop: a payment of the order is in progress or its outcome is unknown: do not pay again until it is settled")
	ErrNotPaid           = errors.New("shop: the order is not paid")
	ErrRefundTooLarge    = errors.New("shop: the refund is more than what is left to refund (refunds whose outcome is unknown count as made)")
	ErrInvalid           = errors.New("shop: invalid request")
	// ErrMismatch matches evidence of a payment or refund (a notification,
	// an answer, a listing) whose amount or currency is not the order's:
	// refused, logged, and never marked paid.
	ErrMismatch = errors.New("shop: amount or currency does not match the order")
	// ErrUnknownNumber matches an out_trade_no this shop never sent.
	ErrUnknownNumber = errors.New("shop: out_trade_no unknown to this shop")
)

// Order is an order and the history of its payment.
type Order struct {
	ID          string         `json:"id"`
	Amount      int64          `json:"amount"`
	Currency    qfpay.Currency `json:"currency"`
	Description string         `json:"description,omitempty"`
	// State is the state of the current attempt, or StatePaid once any
	// attempt was captured.
	State State `json:"state"`
	// OutTradeNo is the current attempt's number.
	OutTradeNo string `json:"out_trade_no,omitempty"`
	// PaidOutTradeNo and SysSN are the captured attempt's numbers.
	PaidOutTradeNo string `json:"paid_out_trade_no,omitempty"`
	SysSN          string `json:"syssn,omitempty"`
	// Refunded is what refunds succeeded for; Reserved is what refunds sent
	// or of unknown outcome hold.
	Refunded  int64     `json:"refunded"`
	Reserved  int64     `json:"reserved"`
	Attempts  []Attempt `json:"attempts"`
	Refunds   []Refund  `json:"refunds"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Current is the order's current attempt, nil before the first.
func (o *Order) Current() *Attempt {
	for i := range o.Attempts {
		if o.Attempts[i].OutTradeNo == o.OutTradeNo {
			return &o.Attempts[i]
		}
	}
	return nil
}

// Attempt is one payment sent to QF Pay under one out_trade_no.
type Attempt struct {
	OutTradeNo    string        `json:"out_trade_no"`
	Seq           int           `json:"seq"`
	PayType       qfpay.PayType `json:"pay_type"`
	ExpireMinutes int           `json:"expire_minutes,omitempty"`
	State         State         `json:"state"`
	// Sends counts how often the request was sent (1 + re-sends).
	Sends int `json:"sends"`
	// Listed reports that QF Pay is known to hold the number.
	Listed bool   `json:"listed"`
	SysSN  string `json:"syssn,omitempty"`
	// QRCode and PayURL are what to show the customer (MPM, online).
	QRCode string `json:"qr_code,omitempty"`
	PayURL string `json:"pay_url,omitempty"`
	// Code and Reason say why it failed or is unknown (a respcd, an error).
	Code      string    `json:"code,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	TxTime    time.Time `json:"tx_time"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	orderID   string
	authCode  string
	returnURL string
	amount    int64
	currency  qfpay.Currency
}

// Refund is one refund sent to QF Pay under its own out_trade_no.
type Refund struct {
	OutTradeNo   string         `json:"out_trade_no"`
	Seq          int            `json:"seq"`
	OrderID      string         `json:"order_id"`
	PaymentSysSN string         `json:"payment_syssn"`
	Amount       int64          `json:"amount"`
	Currency     qfpay.Currency `json:"currency"`
	State        RefundState    `json:"state"`
	Sends        int            `json:"sends"`
	Listed       bool           `json:"listed"`
	SysSN        string         `json:"syssn,omitempty"`
	Code         string         `json:"code,omitempty"`
	Reason       string         `json:"reason,omitempty"`
	TxTime       time.Time      `json:"tx_time"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// newID returns a random identifier. Random, not a counter: a database
// started afresh must never reuse a number QF Pay has seen, or settling it
// would find another order's payment.
func newID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return prefix + hex.EncodeToString(b[:])
}

// CreateOrder records an order of amount (minor units) in currency, to be
// paid with Pay.
func (s *Shop) CreateOrder(ctx context.Context, amount int64, currency qfpay.Currency, description string) (*Order, error) {
	switch {
	case amount <= 0:
		return nil, fmt.Errorf("%w: amount must be above zero (minor units), got %d", ErrInvalid, amount)
	case !currency.Known():
		return nil, fmt.Errorf("%w: currency %q is not one of QF Pay's", ErrInvalid, currency)
	}
	id := newID("o")
	now := dbTime(s.now())
	_, err := s.st.q().exec(ctx,
		`INSERT INTO orders (id, amount, currency, description, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, amount, string(currency), description, StateNew, now, now)
	if err != nil {
		return nil, fmt.Errorf("shop: create order: %w", err)
	}
	return s.Order(ctx, id)
}

// Order returns the order with its attempts and refunds.
func (s *Shop) Order(ctx context.Context, id string) (*Order, error) {
	o := &Order{Attempts: []Attempt{}, Refunds: []Refund{}}
	var created, updated string
	err := s.st.q().row(ctx,
		`SELECT id, amount, currency, description, state, current_out_trade_no, paid_out_trade_no, paid_syssn, created_at, updated_at
		 FROM orders WHERE id = ?`, id).
		Scan(&o.ID, &o.Amount, &o.Currency, &o.Description, &o.State, &o.OutTradeNo, &o.PaidOutTradeNo, &o.SysSN, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("shop: read order %q: %w", id, err)
	}
	if o.CreatedAt, err = parseDBTime(created); err != nil {
		return nil, err
	}
	if o.UpdatedAt, err = parseDBTime(updated); err != nil {
		return nil, err
	}
	if o.Attempts, err = s.attempts(ctx, `WHERE a.order_id = ? ORDER BY a.seq`, id); err != nil {
		return nil, err
	}
	if o.Refunds, err = s.refunds(ctx, `WHERE order_id = ? ORDER BY seq`, id); err != nil {
		return nil, err
	}
	for _, r := range o.Refunds {
		switch r.State {
		case RefundSucceeded:
			o.Refunded += r.Amount
		case RefundSent, RefundUnknown:
			o.Reserved += r.Amount
		}
	}
	return o, nil
}

// Orders returns the ids of the orders, oldest first, for reports and tests.
func (s *Shop) Orders(ctx context.Context) ([]string, error) {
	rows, err := s.st.q().query(ctx, `SELECT id FROM orders ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("shop: list orders: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("shop: list orders: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const attemptColumns = `a.out_trade_no, a.order_id, a.seq, a.pay_type, a.auth_code, a.return_url, a.expire_minutes,
	a.tx_time, a.state, a.sends, a.listed, COALESCE(a.syssn, ''), a.qr_code, a.pay_url, a.code, a.reason,
	a.created_at, a.updated_at, o.amount, o.currency`

// attempts reads the attempts selected by where (over attempts a joined
// with their orders o).
func (s *Shop) attempts(ctx context.Context, where string, args ...any) ([]Attempt, error) {
	rows, err := s.st.q().query(ctx, `SELECT `+attemptColumns+` FROM attempts a JOIN orders o ON o.id = a.order_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("shop: read attempts: %w", err)
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shop: read attempts: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanAttempt(row scanner) (*Attempt, error) {
	var a Attempt
	var txTime, created, updated string
	err := row.Scan(&a.OutTradeNo, &a.orderID, &a.Seq, &a.PayType, &a.authCode, &a.returnURL, &a.ExpireMinutes,
		&txTime, &a.State, &a.Sends, &a.Listed, &a.SysSN, &a.QRCode, &a.PayURL, &a.Code, &a.Reason,
		&created, &updated, &a.amount, &a.currency)
	if err != nil {
		return nil, fmt.Errorf("shop: read attempt: %w", err)
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{txTime, &a.TxTime}, {created, &a.CreatedAt}, {updated, &a.UpdatedAt}} {
		if *t.dst, err = parseDBTime(t.s); err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// attempt reads one attempt by its number, in tx.
func attemptTx(ctx context.Context, q querier, outTradeNo string) (*Attempt, error) {
	a, err := scanAttempt(q.row(ctx,
		`SELECT `+attemptColumns+` FROM attempts a JOIN orders o ON o.id = a.order_id WHERE a.out_trade_no = ?`, outTradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownNumber, outTradeNo)
	}
	return a, err
}

const refundColumns = `out_trade_no, order_id, seq, payment_syssn, amount, currency, tx_time, state, sends, listed,
	COALESCE(syssn, ''), code, reason, created_at, updated_at`

func (s *Shop) refunds(ctx context.Context, where string, args ...any) ([]Refund, error) {
	rows, err := s.st.q().query(ctx, `SELECT `+refundColumns+` FROM refunds `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("shop: read refunds: %w", err)
	}
	defer rows.Close()
	out := []Refund{}
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shop: read refunds: %w", err)
	}
	return out, nil
}

func scanRefund(row scanner) (*Refund, error) {
	var r Refund
	var txTime, created, updated string
	err := row.Scan(&r.OutTradeNo, &r.OrderID, &r.Seq, &r.PaymentSysSN, &r.Amount, &r.Currency, &txTime, &r.State, &r.Sends, &r.Listed,
		&r.SysSN, &r.Code, &r.Reason, &created, &updated)
	if err != nil {
		return nil, fmt.Errorf("shop: read refund: %w", err)
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{txTime, &r.TxTime}, {created, &r.CreatedAt}, {updated, &r.UpdatedAt}} {
		if *t.dst, err = parseDBTime(t.s); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

func refundTx(ctx context.Context, q querier, outTradeNo string) (*Refund, error) {
	r, err := scanRefund(q.row(ctx, `SELECT `+refundColumns+` FROM refunds WHERE out_trade_no = ?`, outTradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownNumber, outTradeNo)
	}
	return r, err
}
