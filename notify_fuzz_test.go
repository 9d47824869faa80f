package qfpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// addNotificationSeeds adds the recorded notification bodies and the
// reference vector's body, each through add.
func addNotificationSeeds(f *testing.F, add func(body []byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "notify_*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata/notify_*.json seeds: %v", err)
	}
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(body)
	}
	raw, err := os.ReadFile(signatureVectorsFile)
	if err != nil {
		f.Fatal(err)
	}
	var v signatureVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		f.Fatal(err)
	}
	for _, n := range v.Notifications {
		add([]byte(n.Body))
	}
	for _, s := range []string{"", "{}", "null", "[]", `{"notify_type": 1, "syssn": 0}`, `{"notify_type": "payment", "syssn": "1", "cancel": {}, "cash_fee": "9.5", "status": [1]}`, `{"respcd": 0000, "syssn": 00012, "notify_type": "refund"}`, `{"notify_type": "payment", "syssn": "1", "txamt": 1e400}`} {
		add([]byte(s))
	}
}

// FuzzVerifyNotification: VerifyNotification never panics; a body signed by
// SignNotification always verifies, in either letter case; changing any
// one byte of the body, or of the signature, makes it fail.
func FuzzVerifyNotification(f *testing.F) {
	addNotificationSeeds(f, func(body []byte) {
		f.Add(body, testClientKey, "A4021A3B1EBBB0F05451EF94E9E12345", uint(7), byte(1))
	})
	f.Fuzz(func(t *testing.T, body []byte, key, sig string, pos uint, flip byte) {
		_ = VerifyNotification(body, sig, key) // must not panic
		// A key is used trimmed, as NewClient uses it; one that is blank
		// after trimming never verifies anything.
		if strings.TrimSpace(key) == "" {
			if err := VerifyNotification(body, SignNotification(body, key), key); err == nil {
				t.Fatalf("a blank key %q verified", key)
			}
			return
		}
		signed := SignNotification(body, key)
		if want := notifySig(string(body), strings.TrimSpace(key)); signed != want {
			t.Fatalf("SignNotification = %s, reference %s", signed, want)
		}
		if err := VerifyNotification(body, signed, key); err != nil {
			t.Fatalf("a body signed by SignNotification does not verify: %v", err)
		}
		if err := VerifyNotification(body, strings.ToLower(signed), key); err != nil {
			t.Fatalf("lower-case signature refused: %v", err)
		}
		if flip == 0 {
			flip = 1
		}
		if len(body) > 0 {
			changed := bytes.Clone(body)
			changed[pos%uint(len(changed))] ^= flip
			if err := VerifyNotification(changed, signed, key); err == nil {
				t.Fatalf("body changed at byte %d still verifies", pos%uint(len(changed)))
			}
		}
		badSig := []byte(signed)
		i := pos % uint(len(badSig))
		badSig[i] = "0123456789ABCDEF"[(strings.IndexByte("0123456789ABCDEF", badSig[i])+1+int(flip)%15)%16]
		if err := VerifyNotification(body, string(badSig), key); err == nil {
			t.Fatalf("signature changed at %d still verifies", i)
		}
	})
}

// notifyStrictFields are the notification fields the SDK relies on, the
// only ones whose value can get a notification refused.
var notifyStrictFields = map[string]bool{"syssn": true, "orig_syssn": true, "origssn": true, "out_trade_no": true,
	"txamt": true, "respcd": true, "sysdtm": true, "paydtm": true, "txdtm": true}

// FuzzParseNotification: ParseNotification never panics; with a good
// signature it either succeeds with a notification that has Type, SysSN
// (unless its type carries none) and a valid JSON Raw, or fails with ErrMalformedResponse, never because of a
// field the SDK does not rely on; with a bad one it always fails with
// ErrInvalidSignature.
func FuzzParseNotification(f *testing.F) {
	addNotificationSeeds(f, func(body []byte) { f.Add(body) })
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body, SignNotification(body, testClientKey), testClientKey)
		switch {
		case err != nil:
			if n != nil {
				t.Fatalf("error %v with a non-nil notification", err)
			}
			if !errors.Is(err, ErrMalformedResponse) || errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("a signed body failed with %v, want only ErrMalformedResponse", err)
			}
			if fe, ok := errors.AsType[*wire.FieldError](err); ok && !notifyStrictFields[fe.Field] {
				t.Fatalf("refused for field %s, which the SDK does not rely on: %v", fe.Field, err)
			}
		case n == nil:
			t.Fatal("nil notification without an error")
		case n.Type == "" || (n.SysSN == "" && n.Type.carriesSysSN()):
			t.Fatalf("success without Type, or without the SysSN its type carries: %+v", n)
		case !json.Valid(n.Raw):
			t.Fatalf("Raw is not valid JSON: %q", n.Raw)
		}
		n, err = ParseNotification(body, SignNotification(body, testClientKey+"x"), testClientKey)
		if n != nil || !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("wrong key: got %v, %v", n, err)
		}
	})
}
