package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

// server is run() serving in the background, its output read line by line.
type server struct {
	t      *testing.T
	base   string
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	out    strings.Builder
}

// start runs the program with args until the test ends or stop is called.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{t: t, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, args, pw)
		pw.Close()
		s.done <- err
	}()
	listening := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^shop: listening on (http://\S+) `)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				listening <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() { s.stop() })
	select {
	case s.base = <-listening:
	case err := <-s.done:
		t.Fatalf("the program ended before listening: %v\n%s", err, s.output())
	case <-time.After(10 * time.Second):
		t.Fatalf("not listening after 10s:\n%s", s.output())
	}
	return s
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// stop ends the program as SIGTERM does and returns run's error.
func (s *server) stop() error {
	s.cancel()
	select {
	case err, ok := <-s.done:
		if ok {
			close(s.done)
		}
		return err
	case <-time.After(30 * time.Second):
		s.t.Fatalf("the program did not stop within 30s:\n%s", s.output())
		return nil
	}
}

// post sends a JSON body and decodes the JSON answer.
func (s *server) call(method, path, body string) map[string]any {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return v
}

// TestRunSandbox serves the shop against the embedded sandbox: a
// consumer-presented payment, a QR code the customer pays (notified to the
// shop's own endpoint), a refund, then a graceful stop.
func TestRunSandbox(t *testing.T) {
	s := start(t, "-db", filepath.Join(t.TempDir(), "shop.db"), "-addr", "127.0.0.1:0")

	cpm := s.call("POST", "/orders", `{"amount": 1250, "currency": "HKD"}`)["id"].(string)
	if got := s.call("POST", "/orders/"+cpm+"/pay", `{"pay_type": "800208", "auth_code": "`+qfpaytest.AuthCodeSuccess+`"}`); got["state"] != "paid" {
		t.Fatalf("CPM payment: %v", got)
	}
	if got := s.call("POST", "/orders/"+cpm+"/refunds", `{"amount": 250}`); got["state"] != "succeeded" {
		t.Fatalf("refund: %v", got)
	}

	mpm := s.call("POST", "/orders", `{"amount": 4990, "currency": "HKD"}`)["id"].(string)
	got := s.call("POST", "/orders/"+mpm+"/pay", `{"pay_type": "800201"}`)
	attempts, _ := got["attempts"].([]any)
	if got["state"] != "awaiting" || len(attempts) != 1 {
		t.Fatalf("MPM payment: %v", got)
	}
	qr, _ := attempts[0].(map[string]any)["qr_code"].(string)
	resp, err := http.Get(qr) // the customer scans and pays
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for s.call("GET", "/orders/"+mpm, "")["state"] != "paid" {
		if time.Now().After(deadline) {
			t.Fatalf("the notification did not mark the order paid:\n%s", s.output())
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	out := s.output()
	for _, want := range []string{
		"Running against the embedded sandbox (qfpaytest)",
		"msg=payment out_trade_no=" + mpm + "-1 source=notification",
		"shop: shutting down\nshop: stopped\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, qfpaytest.SandboxClientKey) {
		t.Error("the client key is printed")
	}
}

// TestRunEnvironment serves the shop against a QF Pay environment given by
// QFPAY_* variables (here a qfpaytest server with other credentials).
func TestRunEnvironment(t *testing.T) {
	const appCode, clientKey = "ENV0SHOP0APP", "ENV0SHOP0SECRET0KEY0NEVER0PRINTED"
	gw := qfpaytest.NewServer(appCode, clientKey)
	t.Cleanup(gw.Close)
	t.Setenv("QFPAY_APP_CODE", appCode)
	t.Setenv("QFPAY_CLIENT_KEY", clientKey)
	t.Setenv("QFPAY_ENV", gw.URL)
	s := start(t, "-db", filepath.Join(t.TempDir(), "shop.db"), "-addr", "127.0.0.1:0")
	id := s.call("POST", "/orders", `{"amount": 300, "currency": "HKD"}`)["id"].(string)
	if got := s.call("POST", "/orders/"+id+"/pay", `{"pay_type": "800108", "auth_code": "`+qfpaytest.AuthCodeSuccess+`"}`); got["state"] != "paid" {
		t.Fatalf("payment: %v", got)
	}
	if tx, ok := gw.Transaction(id + "-1"); !ok || tx.RespCode != "0000" {
		t.Errorf("the gateway holds %+v, want %s-1 paid", tx, id)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	out := s.output()
	if !strings.Contains(out, "register a public URL that reaches /qfpay/notify with QF Pay") {
		t.Errorf("no word on the notification URL:\n%s", out)
	}
	if strings.Contains(out, clientKey) {
		t.Error("the client key is printed")
	}
}

// TestRunErrors checks that bad flags and a bad environment stop the
// program with an error before it serves.
func TestRunErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined: -nope"},
		{"bad address", []string{"-addr", "127.0.0.1:99999"}, nil, "invalid port"},
		{"credentials without QFPAY_ENV", []string{"-addr", "127.0.0.1:0"}, map[string]string{"QFPAY_APP_CODE": "A", "QFPAY_CLIENT_KEY": "K"}, "QFPAY_ENV not set"},
		{"database in a missing directory", []string{"-addr", "127.0.0.1:0", "-db", "/nonexistent/dir/shop.db"}, nil, "shop: create tables"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			err := run(context.Background(), c.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want one containing %q", err, c.want)
			}
		})
	}
}
