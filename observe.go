package qfpay

import (
	"context"
	"errors"
	"log/slog"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// orderRefs are the numbers that join a log line or an error to the
// merchant's order: the out_trade_no and syssn a request sent.
type orderRefs struct {
	outTradeNo, sysSN string
}

// refsKey keys a call's orderRefs in its context, for the log lines of its
// attempts.
type refsKey struct{}

// refsOf reads the numbers a request sends: out_trade_no and syssn (a
// query's comma-joined lists as sent).
func refsOf(params wire.Form) orderRefs {
	return orderRefs{outTradeNo: params.Get("out_trade_no"), sysSN: params.Get("syssn")}
}

// withRefs gives ctx the numbers params send, for the call's log lines.
func withRefs(ctx context.Context, params wire.Form) context.Context {
	r := refsOf(params)
	if r == (orderRefs{}) {
		return ctx
	}
	return context.WithValue(ctx, refsKey{}, r)
}

// refsFrom is what withRefs put in ctx.
func refsFrom(ctx context.Context) orderRefs {
	r, _ := ctx.Value(refsKey{}).(orderRefs)
	return r
}

// attrs are the log attributes of the numbers that are set.
func (r orderRefs) attrs() []slog.Attr {
	var a []slog.Attr
	if r.outTradeNo != "" {
		a = append(a, slog.String("out_trade_no", r.outTradeNo))
	}
	if r.sysSN != "" {
		a = append(a, slog.String("syssn", r.sysSN))
	}
	return a
}

// withOrderRefs gives an *APIError in err the numbers the request sent,
// so that a merchant can join it to the order; err is returned as it is.
func withOrderRefs(err error, params wire.Form) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		r := refsOf(params)
		if apiErr.OutTradeNo == "" {
			apiErr.OutTradeNo = r.outTradeNo
		}
		if apiErr.SysSN == "" {
			apiErr.SysSN = r.sysSN
		}
	}
	return err
}
