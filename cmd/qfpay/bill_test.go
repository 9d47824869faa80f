package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBill(t *testing.T) {
	s := newSandbox(t)
	p1 := s.paid(t, "bill-1", 1200)
	p2 := s.paid(t, "bill-2", 800)
	refund, err := s.client.Refund(context.Background(), &qfpay.RefundRequest{SysSN: p1.SysSN, OutTradeNo: "bill-1-r1", Amount: 200})
	require.NoError(t, err)
	s.mpm(t, "bill-unpaid", 500) // not in the bill: not successful
	today := s.srv.Now().In(s.client.Location()).Format(time.DateOnly)
	dir := t.TempDir()
	t.Chdir(dir)

	t.Run("default file name, then rows", func(t *testing.T) {
		r := s.run(t, "", "bill", today)
		require.Equal(t, exitOK, r.code, r.stderr)
		name := "qfpay-bill-" + today + ".zip"
		assert.Empty(t, r.stdout)
		assert.Regexp(t, `^Wrote the bill of `+today+` to `+name+` \(\d+ bytes\)\n$`, r.stderr)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary file left")
		assert.Equal(t, name, entries[0].Name())

		r = s.run(t, "", "bill", "rows", name)
		require.Equal(t, exitOK, r.code, r.stderr)
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 4, "a header and 3 rows")
		assert.Equal(t, qfpaytest.BillColumns, rows[0])
		var got []string
		for _, row := range rows[1:] {
			got = append(got, row[0]+" "+row[2]+" "+row[6])
		}
		assert.ElementsMatch(t, []string{p1.SysSN + " bill-1 1200", p2.SysSN + " bill-2 800", refund.SysSN + " bill-1-r1 200"}, got)
	})
	t.Run("-o names the file; progress on a terminal", func(t *testing.T) {
		s.terminal = true
		defer func() { s.terminal = false }()
		out := filepath.Join(dir, "day.zip")
		r := s.run(t, "", "bill", today, "-o", out)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "bill "+today)
		assert.Contains(t, r.stderr, "Wrote the bill of "+today+" to "+out)
		_, err := zip.OpenReader(out)
		assert.NoError(t, err)
	})
	t.Run("-o - writes the zip to stdout", func(t *testing.T) {
		r := s.run(t, "", "bill", today, "-o", "-")
		require.Equal(t, exitOK, r.code, r.stderr)
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.stdout)), int64(len(r.stdout)))
		require.NoError(t, err)
		require.Len(t, zr.File, 1)
		assert.Equal(t, "trade_bill_"+today+".csv", zr.File[0].Name)
		assert.Empty(t, r.stderr)
	})
	for _, tt := range []struct {
		name  string
		fault qfpaytest.Fault
		want  string
	}{
		{"connection cut in the body", qfpaytest.Fault{Drop: true, Truncate: true, AfterProcessing: true}, "unexpected EOF"},
		{"an answer cut short", qfpaytest.Fault{Truncate: true, AfterProcessing: true}, "qfpay: the bill downloaded is not a readable zip"},
		{"an error page", qfpaytest.ErrorPage(502), "HTTP 502"},
	} {
		t.Run("no file left: "+tt.name, func(t *testing.T) {
			failDir := t.TempDir()
			s.srv.InjectFault("/download/v1/trade_bill", tt.fault)
			defer s.srv.ClearFaults()
			r := s.run(t, "", "bill", today, "-o", filepath.Join(failDir, "bill.zip"), "--call-timeout", "1s")
			assert.Equal(t, exitError, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "qfpay: "), r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			entries, err := os.ReadDir(failDir)
			require.NoError(t, err)
			assert.Empty(t, entries)
		})
	}
	t.Run("bad input", func(t *testing.T) {
		before := s.log.count("")
		for _, args := range [][]string{{"bill", "30-11-2026"}, {"bill"}, {"bill", "rows", filepath.Join(dir, "absent.zip")}} {
			r := s.run(t, "", args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
		}
		assert.Equal(t, before, s.log.count(""), "a request was sent")
	})
	t.Run("rows of a file that is no zip", func(t *testing.T) {
		path := filepath.Join(dir, "not.zip")
		require.NoError(t, os.WriteFile(path, []byte("hello"), 0o600))
		r := s.run(t, "", "bill", "rows", path)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "qfpay: "+path+": ")
	})
	t.Run("rows of a zip of several files", func(t *testing.T) {
		path := filepath.Join(dir, "two.zip")
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range []string{"a.csv", "b.csv"} {
			w, err := zw.Create(name)
			require.NoError(t, err)
			_, err = w.Write([]byte("h\n" + name + "\n"))
			require.NoError(t, err)
		}
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
		r := s.run(t, "", "bill", "rows", path)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "holds 2 files (a.csv, b.csv): pick one with --file")
		r = s.run(t, "", "bill", "rows", path, "--file", "b.csv")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "h\nb.csv\n", r.stdout)
	})
}
