package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonLines decodes --output json: one object per line.
func jsonLines(t *testing.T, out string) []txRecord {
	t.Helper()
	var recs []txRecord
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r txRecord
		require.NoError(t, dec.Decode(&r))
		recs = append(recs, r)
	}
	require.Equal(t, len(recs), strings.Count(out, "\n"), "one object per line")
	return recs
}

// csvRecords reads --output csv, checking its header.
func csvRecords(t *testing.T, out string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	require.Equal(t, csvHeader, rows[0])
	var recs []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, v := range row {
			m[rows[0][i]] = v
		}
		recs = append(recs, m)
	}
	return recs
}

// TestTxGetAcrossMonthEnd: a search by out_trade_no sees one calendar
// month, so a payment made on January 31 is found on February 1 only by
// also searching January, as tx get does (by syssn, the month is
// ignored).
func TestTxGetAcrossMonthEnd(t *testing.T) {
	s := newSandbox(t)
	s.sharedClock = true
	utc8 := time.FixedZone("UTC+8", 8*3600)
	s.srv.SetNow(time.Date(2027, time.January, 31, 23, 59, 0, 0, utc8))
	paid := s.paid(t, "month-end-1", 300)
	s.srv.SetNow(time.Date(2027, time.February, 1, 9, 0, 0, 0, utc8))

	for _, ref := range []string{"month-end-1", paid.SysSN} {
		t.Run(ref, func(t *testing.T) {
			before := s.log.count("/trade/v1/query")
			r := s.run(t, "", "tx", "get", ref, "-o", "json")
			require.Equal(t, exitOK, r.code, r.stderr)
			recs := jsonLines(t, r.stdout)
			require.Len(t, recs, 1)
			assert.Equal(t, paid.SysSN, recs[0].SysSN)
			assert.Equal(t, "month-end-1", recs[0].OutTradeNo)
			assert.Equal(t, "paid", recs[0].Status)
			if ref == paid.SysSN {
				assert.Equal(t, 1, s.log.count("/trade/v1/query")-before, "by syssn: one query")
			}
		})
	}
	t.Run("not found by this month's search alone", func(t *testing.T) {
		resp, err := s.client.Query(t.Context(), &qfpay.QueryRequest{OutTradeNos: []string{"month-end-1"},
			Start: time.Date(2027, time.February, 1, 0, 0, 0, 0, utc8), End: time.Date(2027, time.February, 28, 23, 59, 59, 0, utc8)})
		require.NoError(t, err)
		assert.Empty(t, resp.Transactions, "the sandbox keeps the gateway's one-month rule")
	})
}

func TestTxGet(t *testing.T) {
	s := newSandbox(t)
	paid := s.paid(t, "get-paid-1", 1050)
	waiting := s.mpm(t, "get-waiting-1", 20)
	// A merchant number that looks like a syssn: found by out_trade_no
	// once no syssn matches.
	numeric := s.paid(t, "12345678901234567890123", 5)
	tests := []struct {
		name       string
		args       []string
		syssn      string
		outTradeNo string
		amount     string
		status     string
	}{
		{"by syssn", []string{paid.SysSN}, paid.SysSN, "get-paid-1", "10.50", "paid"},
		{"by out_trade_no", []string{"get-paid-1"}, paid.SysSN, "get-paid-1", "10.50", "paid"},
		{"waiting for the customer", []string{"get-waiting-1"}, waiting.SysSN, "get-waiting-1", "0.20", "waiting"},
		{"numeric out_trade_no falls back", []string{"12345678901234567890123"}, numeric.SysSN, "12345678901234567890123", "0.05", "paid"},
		{"--syssn", []string{"--syssn", paid.SysSN}, paid.SysSN, "get-paid-1", "10.50", "paid"},
		{"--out-trade-no", []string{"--out-trade-no", "12345678901234567890123"}, numeric.SysSN, "12345678901234567890123", "0.05", "paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(t, "", append([]string{"tx", "get", "-o", "json"}, tt.args...)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			recs := jsonLines(t, r.stdout)
			require.Len(t, recs, 1)
			got := recs[0]
			assert.Equal(t, tt.syssn, got.SysSN)
			assert.Equal(t, tt.outTradeNo, got.OutTradeNo)
			assert.Equal(t, tt.amount, got.Amount)
			assert.Equal(t, "HKD", got.Currency)
			assert.Equal(t, tt.status, got.Status)
			assert.Equal(t, "payment", got.OrderType)
		})
	}

	t.Run("csv", func(t *testing.T) {
		r := s.run(t, "", "tx", "get", paid.SysSN, "--output", "csv")
		require.Equal(t, exitOK, r.code, r.stderr)
		recs := csvRecords(t, r.stdout)
		require.Len(t, recs, 1)
		assert.Equal(t, map[string]string{
			"syssn": paid.SysSN, "orig_syssn": "", "out_trade_no": "get-paid-1", "order_type": "payment",
			"pay_type": "800208", "amount": "10.50", "txamt": "1050", "currency": "HKD", "status": "paid",
			"respcd": "0000", "cancel": "none", "sys_time": recs[0]["sys_time"], "pay_time": recs[0]["pay_time"], "goods_name": "",
		}, recs[0])
		_, err := time.Parse(time.RFC3339, recs[0]["pay_time"])
		assert.NoError(t, err)
	})
	t.Run("table", func(t *testing.T) {
		r := s.run(t, "", "tx", "get", "get-waiting-1")
		require.Equal(t, exitOK, r.code, r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		require.Len(t, lines, 2)
		assert.Equal(t, []string{"SYSSN", "OUT_TRADE_NO", "TYPE", "PAY_TYPE", "AMOUNT", "CUR", "STATUS", "CANCEL", "TIME"}, strings.Fields(lines[0]))
		f := strings.Fields(lines[1])
		assert.Equal(t, []string{waiting.SysSN, "get-waiting-1", "payment", "800201", "0.20", "HKD", "waiting", "1143", "-"}, f[:9])
	})
	t.Run("not found", func(t *testing.T) {
		for _, args := range [][]string{{"no-such-order"}, {"--syssn", "20000101000200020000009999"}} {
			r := s.run(t, "", append([]string{"tx", "get"}, args...)...)
			assert.Equal(t, exitError, r.code)
			assert.Contains(t, r.stderr, "qfpay: no transaction with")
			assert.Empty(t, r.stdout)
		}
	})
}

func TestTxBadInputSendsNothing(t *testing.T) {
	s := newSandbox(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"get: no argument", []string{"tx", "get"}, "tx get takes a syssn or out_trade_no (1 argument), got 0"},
		{"get: both flags", []string{"tx", "get", "x", "--syssn", "--out-trade-no"}, "give --syssn or --out-trade-no, not both"},
		{"get: bad output", []string{"tx", "get", "x", "-o", "yaml"}, `--output "yaml": want table, json or csv`},
		{"get: comma in the number", []string{"tx", "get", "a,b"}, "out_trade_no"},
		{"get: unknown flag", []string{"tx", "get", "x", "--sysn"}, "unknown flag: --sysn"},
		{"list: bad from", []string{"tx", "list", "--from", "30/11/2026"}, `--from "30/11/2026": want a date`},
		{"list: to before from", []string{"tx", "list", "--from", "2026-11-20", "--to", "2026-11-10"}, "--to 2026-11-10 is before --from 2026-11-20"},
		{"list: bad status", []string{"tx", "list", "--status", "ok"}, `--status "ok"`},
		{"list: bad pay type", []string{"tx", "list", "--pay-type", "wechat"}, `--pay-type "wechat"`},
		{"list: an argument", []string{"tx", "list", "x"}, `unknown command "x"`},
		{"wait: bad timeout", []string{"tx", "wait", "x", "--timeout", "0s"}, "--timeout 0s: want a positive duration"},
		{"wait: invalid number", []string{"tx", "wait", strings.Repeat("n", 129)}, "out_trade_no"},
		{"unknown subcommand", []string{"tx", "show", "x"}, `unknown command "show"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(t, "", tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.True(t, strings.HasPrefix(r.stderr, "qfpay: "), r.stderr)
			assert.Empty(t, r.stdout)
			assert.Zero(t, s.log.count(""), "a request was sent")
		})
	}
}

func TestTxList(t *testing.T) {
	s := newSandbox(t)
	var want []string
	for i := range 7 {
		p := s.paid(t, "list-paid-"+string(rune('a'+i)), int64(100+i))
		want = append(want, p.SysSN)
	}
	waiting := s.mpm(t, "list-waiting", 300)
	failed := s.cpm(t, "list-declined", 400, qfpaytest.AuthCodeInsufficientBalance)
	_ = failed
	refund, err := s.client.Refund(context.Background(), &qfpay.RefundRequest{SysSN: want[0], OutTradeNo: "list-paid-a-r1", Amount: 40})
	require.NoError(t, err)
	today := time.Now().In(s.client.Location()).Format(time.DateOnly)

	t.Run("json, every page", func(t *testing.T) {
		before := s.log.count("/trade/v1/query")
		r := s.run(t, "", "tx", "list", "--from", today, "--to", today, "--output", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		recs := jsonLines(t, r.stdout)
		got := map[string]txRecord{}
		for _, rec := range recs {
			got[rec.SysSN] = rec
		}
		assert.Len(t, recs, 10, "7 paid, 1 waiting, 1 declined, 1 refund")
		for _, syssn := range want {
			assert.Equal(t, "paid", got[syssn].Status)
		}
		assert.Equal(t, "waiting", got[waiting.SysSN].Status)
		assert.Equal(t, "refunded", got[refund.SysSN].Status)
		assert.Equal(t, want[0], got[refund.SysSN].OrigSysSN)
		assert.Equal(t, "0.40", got[refund.SysSN].Amount)
		assert.Equal(t, "partially-refunded", got[want[0]].Cancel)
		assert.Empty(t, r.stderr, "no progress when stderr is not a terminal")
		assert.Equal(t, 1, s.log.count("/trade/v1/query")-before, "one page of 100")
	})
	t.Run("csv, paid only", func(t *testing.T) {
		r := s.run(t, "", "tx", "list", "--status", "paid", "-o", "csv")
		require.Equal(t, exitOK, r.code, r.stderr)
		recs := csvRecords(t, r.stdout)
		assert.Len(t, recs, 8, "7 payments and the refund")
		for _, rec := range recs {
			assert.Equal(t, "0000", rec["respcd"])
		}
	})
	t.Run("failed only", func(t *testing.T) {
		r := s.run(t, "", "tx", "list", "--status", "failed", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		recs := jsonLines(t, r.stdout)
		require.Len(t, recs, 1)
		assert.Equal(t, "list-declined", recs[0].OutTradeNo)
		assert.Equal(t, "1201", recs[0].RespCode)
	})
	t.Run("pay type", func(t *testing.T) {
		r := s.run(t, "", "tx", "list", "--pay-type", "800201", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		recs := jsonLines(t, r.stdout)
		require.Len(t, recs, 1)
		assert.Equal(t, waiting.SysSN, recs[0].SysSN)
	})
	t.Run("table with progress on a terminal", func(t *testing.T) {
		s.terminal = true
		defer func() { s.terminal = false }()
		r := s.run(t, "", "tx", "list")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 11, "a header and 10 rows")
		assert.True(t, strings.HasSuffix(r.stderr, "\r10 transactions read\n"), "%q", r.stderr)
		assert.NotContains(t, r.stdout, "transactions read")
	})
	t.Run("none listed, in every format", func(t *testing.T) {
		for _, format := range []string{outputTable, outputJSON, outputCSV} {
			r := s.run(t, "", "tx", "list", "--pay-type", "800101", "-o", format)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stdout, format)
			assert.Equal(t, "No transactions listed\n", r.stderr, format)
		}
		r := s.run(t, "", "tx", "list", "--status", "1205", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		assert.Equal(t, "No transactions listed\n", r.stderr)
	})
	t.Run("a query error", func(t *testing.T) {
		s.srv.InjectFault("/trade/v1/query", qfpaytest.Fault{Refuse: true})
		defer s.srv.ClearFaults()
		r := s.run(t, "", "tx", "list", "--call-timeout", "2s")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "qfpay: /trade/v1/query: respcd 1100")
	})
}

func TestTxWait(t *testing.T) {
	s := newSandbox(t)
	s.paid(t, "wait-paid", 100)
	s.cpm(t, "wait-fail", 100, qfpaytest.AuthCodePendingThenFail)
	s.mpm(t, "wait-never", 100)
	paid := s.paid(t, "wait-refunded", 100)
	_, err := s.client.Refund(context.Background(), &qfpay.RefundRequest{SysSN: paid.SysSN, OutTradeNo: "wait-refund-1", Amount: 100})
	require.NoError(t, err)
	tests := []struct {
		name   string
		args   []string
		code   int
		status string
		stderr string
	}{
		{"paid", []string{"wait-paid"}, exitOK, "paid", ""},
		{"failed", []string{"wait-fail", "--timeout", "10s"}, exitDeclined, "failed", "qfpay: payment failed"},
		{"never paid: unknown", []string{"wait-never", "--timeout", "150ms"}, exitUnknown, "", "settle it with: qfpay tx wait wait-never\n"},
		{"refund", []string{"wait-refund-1", "--refund"}, exitOK, "refunded", ""},
		{"refund number waited for as a payment", []string{"wait-refund-1", "--timeout", "150ms"}, exitUnknown, "", "a refund is listed under this number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(t, "", append([]string{"tx", "wait", "-o", "json"}, tt.args...)...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.status == "" {
				assert.Empty(t, r.stdout)
			} else {
				recs := jsonLines(t, r.stdout)
				require.Len(t, recs, 1)
				assert.Equal(t, tt.status, recs[0].Status)
			}
			if tt.stderr == "" {
				assert.Empty(t, r.stderr)
			} else {
				assert.Contains(t, r.stderr, tt.stderr)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		r := s.runContext(t, ctx, "", "tx", "wait", "wait-never")
		assert.Equal(t, exitInterrupted, r.code)
		assert.Contains(t, r.stderr, "settle it with: qfpay tx wait wait-never")
	})
}
