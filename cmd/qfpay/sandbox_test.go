package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSandboxAdmin(t *testing.T) {
	h := newHandler(t, testKey)
	s := newSandbox(t, qfpaytest.WithAdmin(), qfpaytest.WithNotifyURL(h.srv.URL))
	s.env[envSandbox] = s.srv.URL
	waiting := s.mpm(t, "admin-1", 1250)
	s.mpm(t, "admin-2", 100)
	s.mpm(t, "admin-3", 100)

	t.Run("pay", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "pay", "admin-1")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, waiting.SysSN+"  admin-1  800201  HKD 12.50  paid\n", r.stdout)
		tx, ok := s.srv.Transaction("admin-1")
		require.True(t, ok)
		assert.Equal(t, qfpay.CodeSuccess, tx.RespCode)
	})
	t.Run("pay again: conflict", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "pay", "admin-1")
		assert.Equal(t, exitError, r.code)
		assert.Regexp(t, `^qfpay: sandbox: .+ \(HTTP 409\)\n$`, r.stderr)
		assert.Empty(t, r.stdout)
	})
	t.Run("unknown ref", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "pay", "nope")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "(HTTP 404)")
	})
	t.Run("fail with a code, json", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "fail", "admin-2", "--respcd", "1201", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var ans struct {
			Transaction qfpaytest.Transaction `json:"transaction"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &ans))
		assert.Equal(t, "admin-2", ans.Transaction.OutTradeNo)
		assert.Equal(t, "1201", ans.Transaction.RespCode)
		// The command's own view agrees.
		r = s.run(t, "", "tx", "wait", "admin-2")
		assert.Equal(t, exitDeclined, r.code)
	})
	t.Run("expire", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "expire", "admin-3", "--sandbox", s.srv.URL)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.True(t, strings.HasSuffix(r.stdout, "  expired 1181\n"), r.stdout)
	})
	t.Run("advance", func(t *testing.T) {
		before := s.srv.Now()
		r := s.run(t, "", "sandbox", "advance", "90m")
		require.Equal(t, exitOK, r.code, r.stderr)
		now, err := time.Parse(time.RFC3339, strings.TrimSpace(strings.TrimPrefix(r.stdout, "sandbox time: ")))
		require.NoError(t, err)
		assert.WithinDuration(t, before.Add(90*time.Minute), now, 5*time.Second)
		assert.WithinDuration(t, before.Add(90*time.Minute), s.srv.Now(), 5*time.Second)
	})
	_, err := s.srv.WaitDeliveries(t.Context(), 1)
	require.NoError(t, err)
	t.Run("notifications", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "notifications")
		require.Equal(t, exitOK, r.code, r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		require.Len(t, lines, 2)
		assert.Equal(t, []string{"ID", "TYPE", "SYSSN", "OUT_TRADE_NO", "ATTEMPTS", "LAST", "STATE", "URL"}, strings.Fields(lines[0]))
		assert.Equal(t, []string{"0", "payment", waiting.SysSN, "admin-1", "1", "200", "SUCCESS", "delivered", h.srv.URL}, strings.Fields(lines[1]))

		r = s.run(t, "", "sandbox", "notifications", "-o", "json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var ans struct {
			Notifications []qfpaytest.Delivery `json:"notifications"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &ans))
		require.Len(t, ans.Notifications, 1)
		d := ans.Notifications[0]
		assert.NoError(t, qfpay.VerifyNotification(d.Body, d.Signature, testKey))
	})
	t.Run("redeliver", func(t *testing.T) {
		other := newHandler(t, testKey)
		r := s.run(t, "", "sandbox", "redeliver", "0", "--to", other.srv.URL)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "notification 0 (payment admin-1) to "+other.srv.URL+": 200 SUCCESS\n", r.stdout)
		got, _ := other.received()
		require.Len(t, got, 1)
		assert.Equal(t, waiting.SysSN, got[0].SysSN)

		other.mu.Lock()
		other.fail = true
		other.mu.Unlock()
		r = s.run(t, "", "sandbox", "redeliver", "0", "--to", other.srv.URL)
		assert.Equal(t, exitError, r.code)
		assert.Equal(t, "notification 0 (payment admin-1) to "+other.srv.URL+": 500\n", r.stdout)
		assert.Contains(t, r.stderr, "qfpay: notification 0 was not acknowledged: 500 (want HTTP 200 SUCCESS)")

		r = s.run(t, "", "sandbox", "redeliver", "7")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "(HTTP 404)")
	})
	t.Run("bad input sends nothing", func(t *testing.T) {
		before := s.log.count("")
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"sandbox", "pay"}, "sandbox pay takes a payment's syssn or out_trade_no"},
			{[]string{"sandbox", "fail", "x", "--respcd", "12"}, `--respcd "12"`},
			{[]string{"sandbox", "advance", "--", "-5m"}, `duration "-5m"`},
			{[]string{"sandbox", "advance", "0s"}, `duration "0s"`},
			{[]string{"sandbox", "advance", "soon"}, `duration "soon"`},
			{[]string{"sandbox", "redeliver", "x"}, `id "x"`},
			{[]string{"sandbox", "redeliver", "0", "--to", "localhost:80"}, `--to "localhost:80"`},
			{[]string{"sandbox", "notifications", "-o", "csv"}, `--output "csv"`},
			{[]string{"sandbox", "pay", "x", "--sandbox", "127.0.0.1:8787"}, `--sandbox "127.0.0.1:8787"`},
			{[]string{"sandbox", "-bogus"}, "flag provided but not defined: -bogus"},
			{[]string{"sandbox", "serve", "extra"}, `unexpected arguments ["extra"]`},
		} {
			t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
				r := s.run(t, "", tt.args...)
				assert.Equal(t, exitUsage, r.code, r.stderr)
				assert.Contains(t, r.stderr, tt.want)
			})
		}
		assert.Equal(t, before, s.log.count(""), "a request was sent")
	})
}

func TestSandboxAdminUnreachable(t *testing.T) {
	s := newSandbox(t) // without WithAdmin: no admin API
	t.Run("no admin API", func(t *testing.T) {
		r := s.run(t, "", "sandbox", "pay", "x", "--sandbox", s.srv.URL)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "answered HTTP 404, not its admin API")
	})
	t.Run("nothing listening", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		s.env[envSandbox] = dead.URL
		r := s.run(t, "", "sandbox", "notifications")
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, `qfpay: calling the sandbox at `+dead.URL+` (is "qfpay sandbox" running there?)`)
	})
}

func TestSandboxServeHelp(t *testing.T) {
	s := newSandbox(t)
	for _, args := range [][]string{{"sandbox", "--help"}, {"sandbox", "-h"}, {"sandbox", "serve", "-help"}} {
		r := s.run(t, "", args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "Flags of the sandbox itself")
		assert.Contains(t, r.stdout, "-notify-url string")
	}
}

func TestSandboxTxLine(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tx     qfpaytest.Transaction
		status string
	}{
		{"paid", qfpaytest.Transaction{RespCode: "0000", OrderType: qfpay.OrderTypePayment}, "paid"},
		{"refunded", qfpaytest.Transaction{RespCode: "0000", OrderType: qfpay.OrderTypeRefund}, "refunded"},
		{"waiting", qfpaytest.Transaction{RespCode: "1143"}, "waiting 1143"},
		{"pending", qfpaytest.Transaction{RespCode: "1145"}, "pending 1145"},
		{"expired", qfpaytest.Transaction{RespCode: "1181"}, "expired 1181"},
		{"closed", qfpaytest.Transaction{RespCode: "1142"}, "closed 1142"},
		{"failed", qfpaytest.Transaction{RespCode: "1205"}, "failed 1205"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.tx.SysSN, tt.tx.OutTradeNo, tt.tx.PayType, tt.tx.Currency, tt.tx.Amount = "S", "O", "800201", qfpay.CurrencyJPY, 500
			assert.Equal(t, "S  O  800201  JPY 500  "+tt.status, sandboxTx(&tt.tx))
		})
	}
}
