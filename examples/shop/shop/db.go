package shop

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver: pure Go, no cgo
)

// OpenDB opens (creating it if needed) the SQLite database at path with the
// settings the shop relies on, and creates its tables:
//
//   - WAL journal: readers never wait for the writer;
//   - busy_timeout: a writer waits for another instead of failing;
//   - _txlock=immediate: every transaction takes the write lock when it
//     begins, so two transactions never both read a row and then fail to
//     upgrade to write it (SQLite's "database is locked" in WAL mode);
//   - foreign keys on.
//
// A database opened otherwise must have the same settings.
func OpenDB(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("shop: open %s: %w", path, err)
	}
	// Keep idle connections open: one closed is reopened on the next burst,
	// its pragmas run and its statements prepared again. The number open
	// is not bounded: a transaction that prepares a statement needs a
	// second connection.
	db.SetMaxIdleConns(maxIdleConns)
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// maxIdleConns is how many idle connections the pool keeps.
const maxIdleConns = 32

// schema is the shop's tables. Every out_trade_no is a primary key: one row
// per number sent to QF Pay, written before the number is sent.
const schema = `
CREATE TABLE IF NOT EXISTS orders (
	id                   TEXT PRIMARY KEY,
	amount               INTEGER NOT NULL CHECK (amount > 0),
	currency             TEXT NOT NULL,
	description          TEXT NOT NULL DEFAULT '',
	state                TEXT NOT NULL CHECK (state IN ('new', 'sent', 'awaiting', 'unknown', 'paid', 'failed')),
	current_out_trade_no TEXT NOT NULL DEFAULT '', -- the attempt the state follows
	paid_out_trade_no    TEXT NOT NULL DEFAULT '', -- the attempt that was captured
	paid_syssn           TEXT NOT NULL DEFAULT '',
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS attempts (
	out_trade_no   TEXT PRIMARY KEY,
	order_id       TEXT NOT NULL REFERENCES orders (id),
	seq            INTEGER NOT NULL,
	pay_type       TEXT NOT NULL,
	auth_code      TEXT NOT NULL DEFAULT '',
	return_url     TEXT NOT NULL DEFAULT '',
	expire_minutes INTEGER NOT NULL DEFAULT 0,
	tx_time        TEXT NOT NULL, -- txdtm: the same on every send of the number
	state          TEXT NOT NULL CHECK (state IN ('sent', 'awaiting', 'unknown', 'paid', 'failed')),
	sends          INTEGER NOT NULL DEFAULT 0,
	listed         INTEGER NOT NULL DEFAULT 0, -- QF Pay is known to hold the number
	syssn          TEXT UNIQUE,
	qr_code        TEXT NOT NULL DEFAULT '',
	pay_url        TEXT NOT NULL DEFAULT '',
	code           TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	UNIQUE (order_id, seq)
);
CREATE INDEX IF NOT EXISTS attempts_state ON attempts (state, updated_at);

CREATE TABLE IF NOT EXISTS refunds (
	out_trade_no  TEXT PRIMARY KEY,
	order_id      TEXT NOT NULL REFERENCES orders (id),
	seq           INTEGER NOT NULL,
	payment_syssn TEXT NOT NULL,
	amount        INTEGER NOT NULL CHECK (amount > 0),
	currency      TEXT NOT NULL,
	tx_time       TEXT NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('sent', 'unknown', 'succeeded', 'failed')),
	sends         INTEGER NOT NULL DEFAULT 0,
	listed        INTEGER NOT NULL DEFAULT 0,
	syssn         TEXT UNIQUE,
	code          TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	UNIQUE (order_id, seq)
);
CREATE INDEX IF NOT EXISTS refunds_state ON refunds (state, updated_at);

CREATE TABLE IF NOT EXISTS notifications (
	syssn        TEXT PRIMARY KEY,
	notify_type  TEXT NOT NULL,
	out_trade_no TEXT NOT NULL,
	amount       INTEGER NOT NULL,
	currency     TEXT NOT NULL,
	deliveries   INTEGER NOT NULL DEFAULT 1,
	first_at     TEXT NOT NULL,
	last_at      TEXT NOT NULL
);
`

// Migrate creates the shop's tables in db if they are missing.
func Migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("shop: create tables: %w", err)
	}
	return nil
}

// timeLayout stores times as fixed-width UTC text, so that they sort and
// compare as strings and read well in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000Z"

func dbTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseDBTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("shop: stored time %q: %w", s, err)
	}
	return t, nil
}

// store runs the shop's SQL through statements prepared once per query
// text: SQLite otherwise parses every statement again on each call, which
// was most of the shop's CPU time under load.
type store struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt
	// writer lets one transaction of this process at a time ask SQLite for
	// the write lock: the others queue here instead of polling the lock
	// with SQLite's busy handler, which sleeps. Other processes sharing the
	// database still wait through busy_timeout.
	writer sync.Mutex
}

func (st *store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if stmt, ok := st.stmts.Load(query); ok {
		return stmt.(*sql.Stmt), nil
	}
	stmt, err := st.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := st.stmts.LoadOrStore(query, stmt); loaded {
		stmt.Close()
		return prev.(*sql.Stmt), nil
	}
	return stmt, nil
}

// querier runs statements on the database, or in a transaction when tx is
// set.
type querier struct {
	st *store
	tx *sql.Tx
}

// q runs statements outside any transaction.
func (st *store) q() querier { return querier{st: st} }

func (q querier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	stmt, err := q.st.prepared(ctx, query)
	if err != nil || q.tx == nil {
		return stmt, err
	}
	return q.tx.StmtContext(ctx, stmt), nil
}

func (q querier) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stmt, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

func (q querier) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

// row is a *sql.Row, or the error of preparing its statement.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (q querier) row(ctx context.Context, query string, args ...any) row {
	stmt, err := q.stmt(ctx, query)
	if err != nil {
		return row{err: err}
	}
	return row{r: stmt.QueryRowContext(ctx, args...)}
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE under OpenDB's
// settings) and commits it when fn returns nil.
func (st *store) inTx(ctx context.Context, fn func(querier) error) (err error) {
	st.writer.Lock()
	defer st.writer.Unlock()
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("shop: begin: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if err := fn(querier{st: st, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shop: commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
