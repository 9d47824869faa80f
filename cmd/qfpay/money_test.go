package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refundsOf lists the server's refunds of the payment syssn.
func refundsOf(s *sandbox, syssn string) []qfpaytest.Transaction {
	var refunds []qfpaytest.Transaction
	for _, tx := range s.srv.Transactions() {
		if tx.OrderType == qfpay.OrderTypeRefund && tx.OrigSysSN == syssn {
			refunds = append(refunds, tx)
		}
	}
	return refunds
}

func TestRefundPrompt(t *testing.T) {
	s := newSandbox(t)
	pay := s.paid(t, "refund-prompt", 1000)
	_, err := s.client.Refund(context.Background(), &qfpay.RefundRequest{SysSN: pay.SysSN, OutTradeNo: "refund-prompt-r0", Amount: 150})
	require.NoError(t, err)
	tests := []struct {
		name     string
		stdin    string
		yes      bool
		code     int
		refunded bool
	}{
		{"yes", "y\n", false, exitOK, true},
		{"YES without newline", "YES", false, exitOK, true},
		{"no", "n\n", false, exitError, false},
		{"empty answer", "\n", false, exitError, false},
		{"anything else", "sure\n", false, exitError, false},
		{"end of input", "", false, exitError, false},
		{"--yes asks nothing", "", true, exitOK, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			number := "refund-prompt-r" + string(rune('1'+i))
			args := []string{"refund", pay.SysSN, "--amount", "2.50", "--out-trade-no", number, "-o", "json"}
			if tt.yes {
				args = append(args, "--yes")
			}
			before := len(refundsOf(s, pay.SysSN))
			refundedSoFar := 150 + (before-1)*250 // the first refund was of 1.50, the others of 2.50
			r := s.run(t, tt.stdin, args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.yes {
				assert.Empty(t, r.stderr)
			} else {
				assert.Contains(t, r.stderr, "Refund HKD 2.50 of payment "+pay.SysSN+"\n")
				assert.Contains(t, r.stderr, "out_trade_no   refund-prompt\n")
				assert.Contains(t, r.stderr, "paid           HKD 10.00 at ")
				assert.Contains(t, r.stderr, "refunded       HKD "+formatAmount(qfpay.CurrencyHKD, int64(refundedSoFar))+" so far, cancel partially-refunded\n")
				assert.Contains(t, r.stderr, "refund number  "+number+"\n")
				assert.Contains(t, r.stderr, "environment    "+s.srv.URL+"\n")
				assert.Contains(t, r.stderr, "Refund HKD 2.50? [y/N] ")
				assert.NotContains(t, r.stderr, "LIVE")
			}
			if !tt.refunded {
				assert.Len(t, refundsOf(s, pay.SysSN), before, "a refund was sent")
				assert.Contains(t, r.stderr, "qfpay: not confirmed: nothing sent\n")
				assert.Empty(t, r.stdout)
				return
			}
			require.Len(t, refundsOf(s, pay.SysSN), before+1)
			recs := jsonLines(t, r.stdout)
			require.Len(t, recs, 1)
			assert.Equal(t, number, recs[0].OutTradeNo)
			assert.Equal(t, pay.SysSN, recs[0].OrigSysSN)
			assert.Equal(t, "2.50", recs[0].Amount)
			assert.Equal(t, "refunded", recs[0].Status)
			assert.Equal(t, "refund", recs[0].OrderType)
		})
	}
}

func TestPromptInterrupted(t *testing.T) {
	s := newSandbox(t)
	pay := s.paid(t, "refund-interrupted", 1000)
	ctx, cancel := context.WithCancel(context.Background())
	stdin, w := io.Pipe() // nobody answers
	defer w.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	var stdout, stderr strings.Builder
	a := newApp(ctx, stdin, &stdout, &stderr, func(k string) string { return s.env[k] })
	code := a.run([]string{"refund", pay.SysSN, "--amount", "1", "--out-trade-no", "refund-interrupted-r1"})
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, stderr.String(), "Refund HKD 1.00? [y/N] \nqfpay: interrupted: nothing sent\n")
	assert.Empty(t, refundsOf(s, pay.SysSN))
}

func TestRefundFirstOfAPayment(t *testing.T) {
	s := newSandbox(t)
	pay := s.paid(t, "refund-first", 1000)
	r := s.run(t, "y\n", "refund", pay.SysSN, "--amount", "10", "--out-trade-no", "refund-first-r1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "refunded       HKD 0.00 so far\n")
	assert.Contains(t, r.stdout, "refund-first-r1")
}

func TestRefundOutcomes(t *testing.T) {
	s := newSandbox(t)
	pay := s.paid(t, "refund-outcomes", 1000)
	waiting := s.mpm(t, "refund-waiting", 1000)

	t.Run("declined: more than is left", func(t *testing.T) {
		r := s.run(t, "", "refund", pay.SysSN, "--amount", "10.01", "--out-trade-no", "ro-r1", "--yes")
		assert.Equal(t, exitDeclined, r.code)
		assert.Contains(t, r.stderr, "qfpay: /trade/v1/refund: respcd 1272")
		assert.Contains(t, r.stderr, ": nothing was refunded\n")
		assert.Empty(t, refundsOf(s, pay.SysSN))
	})
	refunds := s.log.count("/trade/v1/refund") // the declined one
	t.Run("unpaid payment: nothing sent", func(t *testing.T) {
		r := s.run(t, "", "refund", waiting.SysSN, "--amount", "1", "--out-trade-no", "ro-r2", "--yes")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "qfpay: payment "+waiting.SysSN+" is waiting (respcd 1143): only a paid payment can be refunded; nothing sent")
		assert.Equal(t, refunds, s.log.count("/trade/v1/refund"))
	})
	t.Run("no such payment", func(t *testing.T) {
		r := s.run(t, "", "refund", "20000101000200020000009999", "--amount", "1", "--out-trade-no", "ro-r3", "--yes")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, `qfpay: no payment with syssn "20000101000200020000009999"`)
	})
	t.Run("more decimals than the currency has", func(t *testing.T) {
		r := s.run(t, "", "refund", pay.SysSN, "--amount", "1.005", "--out-trade-no", "ro-r4", "--yes")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "more than 2 decimals")
		assert.Equal(t, refunds, s.log.count("/trade/v1/refund"))
	})
	t.Run("unknown answer settled as refunded, sent once", func(t *testing.T) {
		s.srv.InjectFault("/trade/v1/refund", qfpaytest.Fault{Late: 2 * time.Second, Count: 1})
		r := s.run(t, "", "refund", pay.SysSN, "--amount", "1", "--out-trade-no", "ro-late", "--yes",
			"--call-timeout", "1s", "--settle-timeout", "20s", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "qfpay: refund outcome not known yet (")
		assert.Contains(t, r.stderr, "Settling it by query for up to 20s, without sending it again...")
		recs := jsonLines(t, r.stdout)
		require.Len(t, recs, 1)
		assert.Equal(t, "ro-late", recs[0].OutTradeNo)
		assert.Equal(t, "refunded", recs[0].Status)
		assert.Equal(t, refunds+1, s.log.count("/trade/v1/refund"), "the refund was sent again")
		require.Len(t, refundsOf(s, pay.SysSN), 1)
	})
	t.Run("unknown answer still unknown", func(t *testing.T) {
		s.srv.InjectFault("/trade/v1/refund", qfpaytest.Fault{Late: time.Hour, Drop: true, Count: 1})
		r := s.run(t, "", "refund", pay.SysSN, "--amount", "1", "--out-trade-no", "ro-lost", "--yes", "--settle-timeout", "200ms")
		assert.Equal(t, exitUnknown, r.code, r.stderr)
		assert.Contains(t, r.stderr, "settle it with: qfpay tx wait ro-lost --refund\n")
		assert.Empty(t, r.stdout)
	})
}

func TestRefundPendingSettlesFailed(t *testing.T) {
	s := newSandbox(t, qfpaytest.WithPendingRefunds(), qfpaytest.WithPendingQueries(1_000_000), qfpaytest.WithPendingFor(time.Hour))
	pay := s.paid(t, "refund-pending", 1000)
	go func() {
		// The refund fails once it is at the gateway, pending.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if s.srv.Fail("refund-pending-r1", "1205") == nil {
				return
			}
		}
	}()
	r := s.run(t, "", "refund", pay.SysSN, "--amount", "3", "--out-trade-no", "refund-pending-r1", "--yes", "--settle-timeout", "10s", "-o", "json")
	assert.Equal(t, exitDeclined, r.code, r.stderr)
	assert.Contains(t, r.stderr, "respcd 1145")
	assert.Contains(t, r.stderr, "qfpay: refund failed")
	recs := jsonLines(t, r.stdout)
	require.Len(t, recs, 1)
	assert.Equal(t, "failed", recs[0].Status)
	assert.Equal(t, "1205", recs[0].RespCode)
}

func TestRefundBadInputSendsNothing(t *testing.T) {
	s := newSandbox(t)
	const syssn = "20261130000200020000000042"
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no syssn", "", []string{"refund", "--amount", "1", "--out-trade-no", "r"}, "refund takes the syssn of the payment (1 argument), got 0"},
		{"no out_trade_no", "", []string{"refund", syssn, "--amount", "1"}, "--out-trade-no is required"},
		{"no amount", "", []string{"refund", syssn, "--out-trade-no", "r"}, "--amount is required"},
		{"amount not a decimal", "", []string{"refund", syssn, "--amount", "1,50", "--out-trade-no", "r"}, `--amount "1,50": want a decimal`},
		{"negative amount", "", []string{"refund", syssn, "--amount", "-1", "--out-trade-no", "r"}, `--amount "-1"`},
		{"zero amount", "", []string{"refund", syssn, "--amount", "0.00", "--currency", "HKD", "--out-trade-no", "r"}, "--amount 0.00: want more than zero"},
		{"too many decimals for the currency given", "", []string{"refund", syssn, "--amount", "5.5", "--currency", "JPY", "--out-trade-no", "r"}, "more than 0 decimals"},
		{"unknown currency", "", []string{"refund", syssn, "--amount", "5", "--currency", "XXX", "--out-trade-no", "r"}, `--currency "XXX"`},
		{"bad settle timeout", "", []string{"refund", syssn, "--amount", "5", "--out-trade-no", "r", "--settle-timeout", "-1s"}, "--settle-timeout -1s"},
		{"key on stdin, prompt needs it", testKey, []string{"refund", syssn, "--amount", "5", "--out-trade-no", "r", "--client-key-file", "-"}, "the client key was read from stdin"},
		{"cancel: bad pay type", "", []string{"cancel", "o", "--pay-type", "alipay"}, `--pay-type "alipay"`},
		{"cancel: bad amount", "", []string{"cancel", "o", "--amount", "ten"}, `--amount "ten"`},
		{"cancel: no number", "", []string{"cancel"}, "cancel takes the payment's out_trade_no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(t, tt.stdin, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			assert.Empty(t, r.stdout)
			assert.Zero(t, s.log.count(""), "a request was sent")
		})
	}
}

func TestCancel(t *testing.T) {
	s := newSandbox(t)
	waiting := s.mpm(t, "cancel-waiting", 1250)
	s.mpm(t, "cancel-declined-prompt", 100)
	paid := s.paid(t, "cancel-paid", 100)
	s.cpm(t, "cancel-failed", 100, qfpaytest.AuthCodeInvalid)

	t.Run("prompt, then cancelled", func(t *testing.T) {
		r := s.run(t, "y\n", "cancel", "cancel-waiting", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "Cancel payment cancel-waiting\n")
		assert.Contains(t, r.stderr, "syssn          "+waiting.SysSN+"\n")
		assert.Contains(t, r.stderr, "amount         HKD 12.50\n")
		assert.Contains(t, r.stderr, "pay type       800201 ")
		assert.Contains(t, r.stderr, "status         waiting (respcd 1143) since ")
		assert.Contains(t, r.stderr, "Cancel payment cancel-waiting? [y/N] ")
		assert.Contains(t, r.stderr, "Cancelled: payment cancel-waiting is listed as failed")
		recs := jsonLines(t, r.stdout)
		require.Len(t, recs, 1)
		assert.Equal(t, "failed", recs[0].Status)
		assert.Equal(t, "1142", recs[0].RespCode)
		tx, ok := s.srv.Transaction(waiting.SysSN)
		require.True(t, ok)
		assert.Equal(t, qfpay.CancelClosed, tx.Cancel)
		assert.Equal(t, 1, s.log.count("/trade/v1/close"))
	})
	t.Run("not confirmed", func(t *testing.T) {
		r := s.run(t, "no\n", "cancel", "cancel-declined-prompt")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "qfpay: not confirmed: nothing sent")
		assert.Equal(t, 1, s.log.count("/trade/v1/close"), "a cancel was sent")
	})
	t.Run("paid: refund it instead", func(t *testing.T) {
		r := s.run(t, "", "cancel", "cancel-paid", "--yes")
		assert.Equal(t, exitDeclined, r.code)
		assert.Contains(t, r.stderr, "qfpay: payment cancel-paid (syssn "+paid.SysSN+") is paid: refund it with qfpay refund "+paid.SysSN+" --amount 1.00")
		assert.Zero(t, s.log.count("/trade/v1/reversal"))
	})
	t.Run("already failed", func(t *testing.T) {
		r := s.run(t, "", "cancel", "cancel-failed", "--yes", "-o", "json")
		assert.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "already listed as failed (respcd 1202): nothing to cancel")
		assert.Len(t, jsonLines(t, r.stdout), 1)
		assert.Zero(t, s.log.count("/trade/v1/reversal"))
	})
	t.Run("pay type differs", func(t *testing.T) {
		r := s.run(t, "", "cancel", "cancel-declined-prompt", "--pay-type", "800101", "--yes")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "--pay-type 800101: the payment was made with 800201")
	})
	t.Run("not listed: needs what to cancel", func(t *testing.T) {
		r := s.run(t, "", "cancel", "cancel-unknown", "--yes")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "payment cancel-unknown is not listed this month or the month before: give --pay-type, --amount and --currency")
	})
	t.Run("not listed: cancelled anyway, still unknown", func(t *testing.T) {
		r := s.run(t, "", "cancel", "cancel-unknown", "--pay-type", "800101", "--amount", "5", "--currency", "HKD", "--yes", "--settle-timeout", "150ms")
		assert.Equal(t, exitUnknown, r.code, r.stderr)
		assert.Contains(t, r.stderr, "The cancel answered: qfpay: /trade/v1/reversal: respcd 1136")
		assert.Contains(t, r.stderr, "settle it with: qfpay tx wait cancel-unknown\n")
	})
	t.Run("Hong Kong pay type: refused before sending", func(t *testing.T) {
		before := s.log.count("")
		r := s.run(t, "", "cancel", "cancel-hk", "--pay-type", "801501", "--amount", "5", "--currency", "HKD", "--yes")
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Equal(t, before+2, s.log.count(""), "only the two lookups were sent")
	})
}

func TestLivePrompt(t *testing.T) {
	cfg := &config{}
	cfg.env = setting{value: "hk-live"}
	require.NoError(t, cfg.parseEnv())
	var b strings.Builder
	envRow(&b, cfg)
	assert.Equal(t, "  environment    LIVE hk-live (https://openapi-hk.qfapi.com): real money\n", b.String())
	assert.Equal(t, " on LIVE hk-live", liveWord(cfg))

	test := &config{}
	test.env = setting{value: "hk-test"}
	require.NoError(t, test.parseEnv())
	b.Reset()
	envRow(&b, test)
	assert.Equal(t, "  environment    hk-test (https://test-openapi-hk.qfapi.com)\n", b.String())
	assert.Empty(t, liveWord(test))

	url := &config{}
	url.env = setting{value: string(qfpay.HongKongLive) + "/"}
	require.NoError(t, url.parseEnv())
	assert.True(t, url.live(), "the live gateway's URL is live too")
}
