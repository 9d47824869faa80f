package shop

import (
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/qfpay-go/qfpay"
)

// Defaults of Config.
const (
	DefaultSettleWait        = 20 * time.Second
	DefaultSettleTimeout     = 30 * time.Second
	DefaultSettleConcurrency = 8
	DefaultStaleAfter        = 2 * time.Minute
	DefaultSettleInterval    = 10 * time.Second
	// DefaultExpireMinutes is QF Pay's expiry of an unpaid QR code or
	// checkout when the payment does not set one.
	DefaultExpireMinutes = 30
)

// Config configures a Shop.
type Config struct {
	// Client calls QF Pay (required).
	Client *qfpay.Client
	// DB is the shop's database, from OpenDB (required).
	DB *sql.DB
	// Logger logs outcomes and anomalies; nil discards.
	Logger *slog.Logger
	// Now is the shop's clock, for the times it stores and for when a QR
	// code has expired (default time.Now).
	Now func() time.Time
	// SettleWait is how long Pay and Refund wait for QF Pay to settle an
	// unknown outcome before leaving it to the settle worker
	// (DefaultSettleWait).
	SettleWait time.Duration
	// SettleTimeout bounds the settle worker's wait for one payment or
	// refund in a pass (DefaultSettleTimeout).
	SettleTimeout time.Duration
	// SettleConcurrency is how many payments and refunds the settle worker
	// settles at once (DefaultSettleConcurrency).
	SettleConcurrency int
	// StaleAfter is how long a payment or refund may stay "sent" before the
	// settle worker takes it for interrupted (the process stopped during
	// the call) and settles it (DefaultStaleAfter). Make it longer than
	// the client's call timeout.
	StaleAfter time.Duration
	// SettleInterval is the pause between two passes of RunSettleWorker
	// (DefaultSettleInterval).
	SettleInterval time.Duration
}

// Shop is a merchant backend: orders paid and refunded through QF Pay,
// recorded in SQLite so that no order is ever charged twice and every
// outcome is settled, whatever the network does. It is safe for concurrent
// use, also by several processes sharing the database.
type Shop struct {
	client *qfpay.Client
	st     *store
	log    *slog.Logger
	now    func() time.Time
	cfg    Config
}

// New returns a Shop.
func New(cfg Config) (*Shop, error) {
	if cfg.Client == nil || cfg.DB == nil {
		return nil, errors.New("shop: Config needs Client and DB")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	setDefault(&cfg.SettleWait, DefaultSettleWait)
	setDefault(&cfg.SettleTimeout, DefaultSettleTimeout)
	setDefault(&cfg.StaleAfter, DefaultStaleAfter)
	setDefault(&cfg.SettleInterval, DefaultSettleInterval)
	if cfg.SettleConcurrency <= 0 {
		cfg.SettleConcurrency = DefaultSettleConcurrency
	}
	return &Shop{client: cfg.Client, st: &store{db: cfg.DB}, log: cfg.Logger, now: cfg.Now, cfg: cfg}, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}
