package qfpay

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The testdata/notify_*.json bodies were written by Python's json.dumps (the
// gateway's own serialiser, per the documentation's sample): ", " and ": "
// separators, non-ASCII as \uXXXX escapes, no trailing newline. They must be
// kept byte for byte.

// notifySig computes the X-QF-SIGN of body the way the documentation's
// Python sample does, independently of the code under test.
func notifySig(body, key string) string { return referenceHash(body+key, MD5) }

// signedRequest builds a POST of body to a notification endpoint with sig
// in X-QF-SIGN (no header when sig is empty).
func signedRequest(method, body, sig string) *http.Request {
	r := httptest.NewRequest(method, "https://merchant.test/qfpay/notify", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set("X-QF-SIGN", sig)
	}
	return r
}

func TestVerifyNotificationVectors(t *testing.T) {
	vecs := loadVectors(t).Notifications
	require.NotEmpty(t, vecs)
	for _, vec := range vecs {
		t.Run(vec.Name, func(t *testing.T) {
			require.NoError(t, VerifyNotification([]byte(vec.Body), vec.Signature, vec.Key))
			assert.Equal(t, vec.Signature, SignNotification([]byte(vec.Body), vec.Key))
			n, err := ParseNotification([]byte(vec.Body), vec.Signature, vec.Key)
			require.NoError(t, err)
			assert.NotEmpty(t, n.SysSN)
			wrong := strings.Replace(vec.Key, "0", "1", 1)
			assert.ErrorIs(t, VerifyNotification([]byte(vec.Body), vec.Signature, wrong), ErrInvalidSignature)
		})
	}
}

func TestVerifyNotification(t *testing.T) {
	payment := readTestdata(t, "notify_payment.json")
	refund := readTestdata(t, "notify_refund.json")
	unicode := readTestdata(t, "notify_unicode.json")
	const compact = `{"notify_type":"payment","syssn":"20200615000200020000641807","txamt":10,"goods_name":"咖啡 x2","goods_info":"Café “grand”"}`
	good := notifySig(payment, testClientKey)

	tests := []struct {
		name string
		body string
		sig  string
		key  string
		ok   bool
	}{
		{"python json.dumps payment", payment, good, testClientKey, true},
		{"python json.dumps refund", refund, notifySig(refund, testClientKey), testClientKey, true},
		{"python json.dumps with \\u escapes", unicode, notifySig(unicode, testClientKey), testClientKey, true},
		{"compact UTF-8 body", compact, notifySig(compact, testClientKey), testClientKey, true},
		{"lower-case signature", payment, strings.ToLower(good), testClientKey, true},
		{"signature with surrounding spaces", payment, " " + good + "\t", testClientKey, true},
		{"empty body", "", notifySig("", testClientKey), testClientKey, true},
		{"tampered amount", strings.Replace(payment, `"txamt": "10"`, `"txamt": "11"`, 1), good, testClientKey, false},
		{"trailing newline added", payment + "\n", good, testClientKey, false},
		{"wrong key", payment, notifySig(payment, "0E32A59A8B454940A2FF39D1C8E7B6A6"), testClientKey, false},
		{"signed without the key", payment, notifySig(payment, ""), testClientKey, false},
		{"key before the body", payment, referenceHash(testClientKey+payment, MD5), testClientKey, false},
		{"SHA256 instead of MD5", payment, referenceHash(payment+testClientKey, SHA256), testClientKey, false},
		{"empty signature", payment, "", testClientKey, false},
		{"blank signature", payment, "   ", testClientKey, false},
		{"truncated signature", payment, good[:31], testClientKey, false},
		{"signature with a character more", payment, good + "0", testClientKey, false},
		{"empty key", payment, notifySig(payment, ""), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyNotification([]byte(tt.body), tt.sig, tt.key)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidSignature)
			assert.NotErrorIs(t, err, ErrMalformedResponse)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "qfpay: "), msg)
			assert.NotContains(t, msg, testClientKey, "the key must not appear in the error")
			assert.NotContains(t, strings.ToUpper(msg), notifySig(tt.body, tt.key), "the expected signature must not appear in the error")
		})
	}
}

func TestVerifyNotificationErrorMessages(t *testing.T) {
	body := []byte(readTestdata(t, "notify_payment.json"))
	tests := []struct {
		name, sig, key, want string
	}{
		{"empty signature", "", testClientKey, "no signature"},
		{"empty key", "ABC", "", "client key is empty"},
		{"wrong length", "ABC", testClientKey, "3 characters"},
		{"mismatch", strings.Repeat("0", 32), testClientKey, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyNotification(body, tt.sig, tt.key)
			require.ErrorIs(t, err, ErrInvalidSignature)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestVerifyNotificationUsesRawBytes shows that decoding a notification and
// encoding it again changes its bytes, and that the signature then no
// longer verifies: only the raw body can be checked.
func TestVerifyNotificationUsesRawBytes(t *testing.T) {
	for _, file := range []string{"notify_payment.json", "notify_refund.json", "notify_unicode.json"} {
		t.Run(file, func(t *testing.T) {
			body := readTestdata(t, file)
			sig := notifySig(body, testClientKey)
			require.NoError(t, VerifyNotification([]byte(body), sig, testClientKey))

			var decoded map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &decoded))
			reencoded, err := json.Marshal(decoded)
			require.NoError(t, err)
			require.NotEqual(t, body, string(reencoded), "re-encoding must change the bytes for this test to mean anything")
			assert.ErrorIs(t, VerifyNotification(reencoded, sig, testClientKey), ErrInvalidSignature)

			_, err = ParseNotification(reencoded, sig, testClientKey)
			assert.ErrorIs(t, err, ErrInvalidSignature)
		})
	}
}

func TestSignNotification(t *testing.T) {
	tests := []struct {
		name, body, key string
	}{
		{"spec sample", readTestdata(t, "notify_payment.json"), testClientKey},
		{"non-ASCII body", `{"goods_name":"咖啡"}`, testClientKey},
		{"empty body", "", testClientKey},
		{"key longer than the stack buffer", `{"syssn":"1"}`, strings.Repeat("K", 100)},
		{"key of exactly 64 bytes", `{"syssn":"1"}`, strings.Repeat("K", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SignNotification([]byte(tt.body), tt.key)
			assert.Equal(t, notifySig(tt.body, tt.key), got)
			require.NoError(t, VerifyNotification([]byte(tt.body), got, tt.key))
		})
	}
}

func TestParseNotification(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.FixedZone("test UTC+8", 8*3600))
		require.NoError(t, err)
		return tm
	}
	tests := []struct {
		name string
		body string
		want Notification // Raw is checked separately
	}{
		{
			name: "spec sample payment",
			body: readTestdata(t, "notify_payment.json"),
			want: Notification{
				Type: NotifyPayment, Status: "1", PayType: PayTypeAlipayMPM, Amount: 10, Currency: CurrencyTHB,
				OutTradeNo: "YEPE7WTW46NVU30JW5N90H7DHD94N56B", SysSN: "20200514000300020093755455",
				Cancel: CancelNone, RespCode: "0000",
				SysTime: at("2020-05-14 12:32:56"), PayTime: at("2020-05-14 12:33:56"), TxTime: at("2020-05-14 12:32:56"),
				MerchantID: "lkbqahlRYj", ChannelSN: "2020051422001453561444935817", CardNumber: "2088032341453564",
				CashFee: "0",
			},
		},
		{
			name: "refund with orig_syssn",
			body: readTestdata(t, "notify_refund.json"),
			want: Notification{
				Type: NotifyRefund, Status: "1", PayType: PayTypeAlipayMPM, Amount: 5, Currency: CurrencyTHB,
				OutTradeNo: "RGNOEIVU9JZLNP9GGYXWXCW7OEMI720F", SysSN: "20200515000300020093761234",
				OrigSysSN: "20200514000300020093755455", Cancel: CancelNone, RespCode: "0000",
				SysTime: at("2020-05-15 09:10:11"), PayTime: at("2020-05-15 09:10:12"), TxTime: at("2020-05-15 09:10:11"),
				MerchantID: "lkbqahlRYj", ChannelSN: "2020051522001453561444935817", CardNumber: "2088032341453564",
				CashFee: "0",
			},
		},
		{
			name: "\\u escapes decoded",
			body: readTestdata(t, "notify_unicode.json"),
			want: Notification{
				Type: NotifyPayment, Status: "1", PayType: PayTypeWeChatMPM, Amount: 3200, Currency: CurrencyHKD,
				OutTradeNo: "9G3ZIWTG1R3IVSC2AH2O5EGKJQ7I72QO", SysSN: "20200615000200020000641807",
				Cancel: CancelNone, RespCode: "0000",
				SysTime: at("2020-06-15 10:32:58"), PayTime: at("2020-06-15 10:33:35"), TxTime: at("2020-06-15 10:32:58"),
				MerchantID: "O37MRh6Qq5", GoodsName: "咖啡 x2", GoodsInfo: "拿铁 “大杯” / Café", ExchangeRate: "0.9123",
				ChannelSN: "4200000612202006151234567890", CashFee: "2919", CashFeeType: CurrencyCNY,
				CardNumber: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
			},
		},
		{
			// The spec types cash_fee String without a unit: a decimal is
			// kept as sent, never a reason to refuse the notification.
			name: "decimal cash_fee",
			body: readTestdata(t, "notify_cash_fee_decimal.json"),
			want: Notification{
				Type: NotifyPayment, Status: "1", PayType: PayTypeWeChatMPM, Amount: 1000, Currency: CurrencyHKD,
				OutTradeNo: "9G3ZIWTG1R3IVSC2AH2O5EGKJQ7I72QO", SysSN: "20200615000200020000641807",
				Cancel: CancelNone, RespCode: "0000",
				SysTime: at("2020-06-15 10:32:58"), PayTime: at("2020-06-15 10:33:35"), TxTime: at("2020-06-15 10:32:58"),
				MerchantID: "O37MRh6Qq5", ExchangeRate: "0.9123", ChannelSN: "4200000612202006151234567890",
				CashFee: "9.5", CashFeeType: CurrencyCNY, CardNumber: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
			},
		},
		{
			// A type the SDK does not know, fields it does not have and
			// fields of unexpected types: accepted, the rest left in Raw.
			name: "unknown notify_type, unknown fields, unexpected types",
			body: readTestdata(t, "notify_unknown_type.json"),
			want: Notification{
				Type: "subscription_payment", Status: "1", PayType: PayTypeAlipayHKOnlineQR, Amount: 1000, Currency: CurrencyHKD,
				OutTradeNo: "SUB-2020-06-0001", SysSN: "20200615000200020000641999", RespCode: "0000",
				SysTime: at("2020-06-15 10:32:58"), CashFee: `{"amount": 9.5}`, CashRefundFee: "1.25", CashRefundFeeType: CurrencyCNY,
			},
		},
		{
			name: "numbers instead of strings, bare respcd 0000 and 26-digit syssn",
			body: `{"notify_type": "refund", "status": 1, "syssn": 20200615000200020000641807, "origssn": 20200514000300020093755455, "txamt": 10, "cancel": 3, "respcd": 0000, "cash_fee": 10, "exchange_rate": 7.8, "chnlsn2": 42}`,
			want: Notification{
				Type: NotifyRefund, Status: "1", SysSN: "20200615000200020000641807", OrigSysSN: "20200514000300020093755455",
				Amount: 10, Cancel: CancelRefunded, RespCode: "0000", CashFee: "10", ExchangeRate: "7.8", ChannelSN2: "42",
			},
		},
		{
			name: "strings for numbers",
			body: `{"notify_type": "payment", "syssn": "1", "txamt": "10", "cancel": "5", "cash_fee": " 9 "}`,
			want: Notification{Type: NotifyPayment, SysSN: "1", Amount: 10, Cancel: CancelPartiallyRefunded, CashFee: " 9 "},
		},
		{
			name: "null and empty values are zero",
			body: `{"notify_type": "payment", "syssn": "1", "txamt": null, "cancel": "", "paydtm": "", "sysdtm": null, "mchid": null, "cash_fee": ""}`,
			want: Notification{Type: NotifyPayment, SysSN: "1"},
		},
		{
			name: "unknown fields ignored",
			body: `{"notify_type": "payment", "syssn": "1", "new_field": {"a": [1, 2]}, "txamt": "1"}`,
			want: Notification{Type: NotifyPayment, SysSN: "1", Amount: 1},
		},
		{
			name: "unfreeze",
			body: `{"notify_type": "unfreeze", "syssn": "2", "pay_type": "801501"}`,
			want: Notification{Type: NotifyUnfreeze, SysSN: "2", PayType: "801501"},
		},
		{
			name: "cancel",
			body: `{"notify_type": "cancel", "syssn": "3", "cancel": 2}`,
			want: Notification{Type: NotifyCancel, SysSN: "3", Cancel: CancelClosed},
		},
		{
			name: "type the SDK does not know yet",
			body: `{"notify_type": "settlement", "syssn": "4"}`,
			want: Notification{Type: "settlement", SysSN: "4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotification([]byte(tt.body), notifySig(tt.body, testClientKey), testClientKey)
			require.NoError(t, err)
			require.NotNil(t, n)
			raw := n.Raw
			n.Raw = nil
			// Times compare as instants in UTC+8 (the location pointer is the
			// package's, not the test's).
			for _, pair := range [][2]time.Time{{tt.want.SysTime, n.SysTime}, {tt.want.PayTime, n.PayTime}, {tt.want.TxTime, n.TxTime}} {
				assert.True(t, pair[0].Equal(pair[1]), "want %v, got %v", pair[0], pair[1])
				if !pair[1].IsZero() {
					_, off := pair[1].Zone()
					assert.Equal(t, 8*3600, off, "times are in UTC+8")
				}
			}
			tt.want.SysTime, tt.want.PayTime, tt.want.TxTime = n.SysTime, n.PayTime, n.TxTime
			assert.Equal(t, tt.want, *n)

			require.True(t, json.Valid(raw), "Raw is valid JSON: %s", raw)
			var fromRaw, fromBody map[string]any
			require.NoError(t, json.Unmarshal(raw, &fromRaw))
			if json.Unmarshal([]byte(tt.body), &fromBody) == nil {
				assert.Equal(t, tt.body, string(raw), "Raw is the body as received")
			} else {
				assert.Equal(t, "0000", fromRaw["respcd"], "bare 0000 quoted in Raw")
			}
		})
	}
}

func TestParseNotificationRawIsACopy(t *testing.T) {
	body := []byte(readTestdata(t, "notify_payment.json"))
	n, err := ParseNotification(body, notifySig(string(body), testClientKey), testClientKey)
	require.NoError(t, err)
	want := string(body)
	for i := range body {
		body[i] = 'x'
	}
	assert.Equal(t, want, string(n.Raw))
}

// TestNotificationJSONRoundTrip shows a Notification can be stored as JSON
// (a queue, a table) and read back unchanged.
func TestNotificationJSONRoundTrip(t *testing.T) {
	for _, file := range []string{"notify_payment.json", "notify_refund.json", "notify_unicode.json"} {
		t.Run(file, func(t *testing.T) {
			body := readTestdata(t, file)
			n, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
			require.NoError(t, err)
			stored, err := json.Marshal(n)
			require.NoError(t, err)
			var back Notification
			require.NoError(t, json.Unmarshal(stored, &back))
			assert.True(t, n.SysTime.Equal(back.SysTime))
			assert.True(t, n.PayTime.Equal(back.PayTime))
			back.SysTime, back.PayTime, back.TxTime = n.SysTime, n.PayTime, n.TxTime
			assert.JSONEq(t, string(n.Raw), string(back.Raw))
			back.Raw = n.Raw
			assert.Equal(t, *n, back)
		})
	}
}

func TestParseNotificationErrors(t *testing.T) {
	good := readTestdata(t, "notify_payment.json")
	tests := []struct {
		name    string
		body    string
		sig     string // empty: signed correctly
		wantErr error
		wantMsg string
	}{
		{"bad signature", good, strings.Repeat("A", 32), ErrInvalidSignature, "does not match"},
		{"not JSON and unsigned: the signature is checked first", "SUCCESS", strings.Repeat("A", 32), ErrInvalidSignature, "does not match"},
		{"no signature", good, " ", ErrInvalidSignature, "no signature"},
		{"signed, not JSON", "notify_type=payment&syssn=1", "", ErrMalformedResponse, "not a JSON object"},
		{"signed, empty", "", "", ErrMalformedResponse, "not a JSON object"},
		{"signed, an array", `[{"notify_type": "payment", "syssn": "1"}]`, "", ErrMalformedResponse, "not a JSON object"},
		{"signed, null", `null`, "", ErrMalformedResponse, "not a JSON object"},
		{"signed, truncated", good[:len(good)-5], "", ErrMalformedResponse, "not a JSON object"},
		{"signed, empty object", `{}`, "", ErrMalformedResponse, "no notify_type"},
		{"signed, no syssn", `{"notify_type": "payment", "txamt": "10"}`, "", ErrMalformedResponse, "no syssn"},
		{"signed, empty syssn", `{"notify_type": "payment", "syssn": ""}`, "", ErrMalformedResponse, "no syssn"},
		{"signed, no notify_type", `{"syssn": "1", "txamt": "10"}`, "", ErrMalformedResponse, "no notify_type"},
		{"signed, amount not a number", `{"notify_type": "payment", "syssn": "1", "txamt": "ten"}`, "", ErrMalformedResponse, "field txamt"},
		{"signed, fractional amount", `{"notify_type": "payment", "syssn": "1", "txamt": 10.5}`, "", ErrMalformedResponse, "field txamt"},
		{"signed, syssn an object", `{"notify_type": "payment", "syssn": {"id": "1"}}`, "", ErrMalformedResponse, "field syssn"},
		{"signed, out_trade_no an array", `{"notify_type": "payment", "syssn": "1", "out_trade_no": ["A1"]}`, "", ErrMalformedResponse, "field out_trade_no"},
		{"signed, origssn an object", `{"notify_type": "refund", "syssn": "1", "origssn": {}}`, "", ErrMalformedResponse, "field origssn"},
		{"signed, respcd an array", `{"notify_type": "payment", "syssn": "1", "respcd": ["0000"]}`, "", ErrMalformedResponse, "field respcd"},
		{"signed, bad time", `{"notify_type": "payment", "syssn": "1", "paydtm": "14/05/2020"}`, "", ErrMalformedResponse, "field paydtm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := tt.sig
			if sig == "" {
				sig = notifySig(tt.body, testClientKey)
			}
			n, err := ParseNotification([]byte(tt.body), sig, testClientKey)
			require.Error(t, err)
			assert.Nil(t, n)
			assert.ErrorIs(t, err, tt.wantErr)
			other := ErrMalformedResponse
			if tt.wantErr == ErrMalformedResponse {
				other = ErrInvalidSignature
			}
			assert.NotErrorIs(t, err, other)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), testClientKey)
		})
	}
}

// handlerCall records what fn received.
type handlerCall struct {
	calls int
	n     *Notification
	ctx   context.Context
}

type ctxKey struct{}

func TestNotificationHandler(t *testing.T) {
	payment := readTestdata(t, "notify_payment.json")
	refund := readTestdata(t, "notify_refund.json")
	decimalCashFee := readTestdata(t, "notify_cash_fee_decimal.json")
	unknownType := readTestdata(t, "notify_unknown_type.json")
	oversized := `{"notify_type": "payment", "syssn": "1", "pad": "` + strings.Repeat("x", DefaultMaxNotificationBytes) + `"}`
	tests := []struct {
		name       string
		method     string
		body       string
		sig        string // "sign": the right signature
		noLength   bool   // send without Content-Length
		fnErr      error
		opts       []HandlerOption
		wantStatus int
		wantCalled bool
		wantType   NotifyType
		wantSysSN  string
	}{
		{name: "payment", method: http.MethodPost, body: payment, sig: "sign", wantStatus: 200, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200514000300020093755455"},
		{name: "refund", method: http.MethodPost, body: refund, sig: "sign", wantStatus: 200, wantCalled: true, wantType: NotifyRefund, wantSysSN: "20200515000300020093761234"},
		{name: "decimal cash_fee", method: http.MethodPost, body: decimalCashFee, sig: "sign", wantStatus: 200, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200615000200020000641807"},
		{name: "unknown notify_type and fields", method: http.MethodPost, body: unknownType, sig: "sign", wantStatus: 200, wantCalled: true, wantType: "subscription_payment", wantSysSN: "20200615000200020000641999"},
		{name: "lower-case signature", method: http.MethodPost, body: payment, sig: strings.ToLower(notifySig(payment, testClientKey)), wantStatus: 200, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200514000300020093755455"},
		{name: "without Content-Length", method: http.MethodPost, body: payment, sig: "sign", noLength: true, wantStatus: 200, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200514000300020093755455"},
		{name: "GET", method: http.MethodGet, body: "", sig: "sign", wantStatus: 405},
		{name: "PUT of a good notification", method: http.MethodPut, body: payment, sig: "sign", wantStatus: 405},
		{name: "oversized body", method: http.MethodPost, body: oversized, sig: "sign", wantStatus: 413},
		{name: "oversized body without Content-Length", method: http.MethodPost, body: oversized, sig: "sign", noLength: true, wantStatus: 413},
		{name: "lower body limit", method: http.MethodPost, body: payment, sig: "sign", noLength: true, opts: []HandlerOption{WithMaxNotificationBytes(int64(len(payment) - 1))}, wantStatus: 413},
		{name: "body at the limit", method: http.MethodPost, body: payment, sig: "sign", noLength: true, opts: []HandlerOption{WithMaxNotificationBytes(int64(len(payment)))}, wantStatus: 200, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200514000300020093755455"},
		{name: "bad signature", method: http.MethodPost, body: payment, sig: notifySig(payment, "another key"), wantStatus: 401},
		{name: "no signature", method: http.MethodPost, body: payment, sig: "", wantStatus: 401},
		{name: "tampered body", method: http.MethodPost, body: strings.Replace(payment, `"10"`, `"1000"`, 1), sig: notifySig(payment, testClientKey), wantStatus: 401},
		{name: "signed, not JSON", method: http.MethodPost, body: "status=1&syssn=1", sig: "sign", wantStatus: 400},
		{name: "signed, no syssn", method: http.MethodPost, body: `{"notify_type": "payment"}`, sig: "sign", wantStatus: 400},
		{name: "fn fails", method: http.MethodPost, body: payment, sig: "sign", fnErr: errors.New("database down"), wantStatus: 500, wantCalled: true, wantType: NotifyPayment, wantSysSN: "20200514000300020093755455"},
	}
	client := setup(t).client
	handlers := []struct {
		name string
		make func(fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler
	}{
		{"Client.NotificationHandler", client.NotificationHandler},
		{"NotificationHandler", func(fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
			if len(opts) > 0 {
				return nil // it takes none
			}
			return NotificationHandler(testClientKey, fn)
		}},
	}
	for _, tt := range tests {
		for _, hk := range handlers {
			t.Run(tt.name+"/"+hk.name, func(t *testing.T) {
				var got handlerCall
				fn := func(ctx context.Context, n *Notification) error {
					got.calls++
					got.n, got.ctx = n, ctx
					return tt.fnErr
				}
				h := hk.make(fn, tt.opts...)
				if h == nil {
					t.Skip("options need Client.NotificationHandler")
				}
				sig := tt.sig
				if sig == "sign" {
					sig = notifySig(tt.body, testClientKey)
				}
				req := signedRequest(tt.method, tt.body, sig)
				if tt.noLength {
					req.ContentLength = -1
					req.Body = io.NopCloser(strings.NewReader(tt.body)) // no length known to anyone
				}
				req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, "request context"))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)

				assert.Equal(t, tt.wantStatus, rec.Code)
				if tt.wantStatus == 200 {
					assert.Equal(t, "SUCCESS", rec.Body.String(), "the body is exactly SUCCESS")
				} else {
					assert.NotContains(t, rec.Body.String(), "SUCCESS")
				}
				if tt.wantStatus == 405 {
					assert.Equal(t, "POST", rec.Header().Get("Allow"))
				}
				assert.NotContains(t, rec.Body.String(), testClientKey)
				if !tt.wantCalled {
					assert.Zero(t, got.calls, "fn must not be called")
					return
				}
				require.Equal(t, 1, got.calls)
				assert.Equal(t, tt.wantType, got.n.Type)
				assert.Equal(t, tt.wantSysSN, got.n.SysSN)
				assert.Equal(t, tt.body, string(got.n.Raw))
				assert.Equal(t, "request context", got.ctx.Value(ctxKey{}), "fn gets the request's context")
			})
		}
	}
}

// TestNotificationHandlerDecodedFields checks every field fn receives for
// the spec's sample notification.
func TestNotificationHandlerDecodedFields(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	var got *Notification
	h := NotificationHandler(testClientKey, func(_ context.Context, n *Notification) error { got = n; return nil })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedRequest(http.MethodPost, body, notifySig(body, testClientKey)))
	require.Equal(t, 200, rec.Code)
	require.NotNil(t, got)
	want, err := ParseNotification([]byte(body), notifySig(body, testClientKey), testClientKey)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, int64(10), got.Amount)
	assert.Equal(t, CurrencyTHB, got.Currency)
	assert.Equal(t, "YEPE7WTW46NVU30JW5N90H7DHD94N56B", got.OutTradeNo)
	assert.Equal(t, time.Date(2020, 5, 14, 4, 33, 56, 0, time.UTC), got.PayTime.UTC())
}

// TestNotificationHandlerOverHTTP serves the handler on a real listener and
// posts to it the way the gateway does.
func TestNotificationHandlerOverHTTP(t *testing.T) {
	body := readTestdata(t, "notify_unicode.json")
	seen := make(chan *Notification, 1)
	srv := httptest.NewServer(NotificationHandler(testClientKey, func(_ context.Context, n *Notification) error {
		seen <- n
		return nil
	}))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-QF-SIGN", notifySig(body, testClientKey))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "SUCCESS", string(answer))
	n := <-seen
	assert.Equal(t, "咖啡 x2", n.GoodsName)
	assert.Equal(t, "20200615000200020000641807", n.SysSN)
}

func TestNotificationHandlerLogs(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	sig := notifySig(body, testClientKey)
	tests := []struct {
		name   string
		sig    string
		fnErr  error
		want   []string
		status int
	}{
		{"accepted", sig, nil, []string{"level=DEBUG", "status=200", "syssn=20200514000300020093755455", "notify_type=payment"}, 200},
		{"bad signature", strings.ToLower(notifySig(body, "other")), nil, []string{"level=WARN", "status=401", "does not match"}, 401},
		{"fn failed", sig, errors.New("database down"), []string{"level=ERROR", "status=500", "database down", "out_trade_no=YEPE7WTW46NVU30JW5N90H7DHD94N56B"}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			h := setup(t).client.NotificationHandler(func(context.Context, *Notification) error { return tt.fnErr }, WithHandlerLogger(logger))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest(http.MethodPost, body, tt.sig))
			assert.Equal(t, tt.status, rec.Code)
			for _, w := range tt.want {
				assert.Contains(t, logs.String(), w)
			}
			assert.NotContains(t, logs.String(), testClientKey)
			assert.NotContains(t, strings.ToUpper(logs.String()), sig)
			assert.NotContains(t, strings.ToUpper(logs.String()), strings.ToUpper(tt.sig))
			assert.NotContains(t, rec.Body.String(), "database down", "the gateway is not told the merchant's errors")
		})
	}
}

func TestNotificationHandlerNilFn(t *testing.T) {
	assert.PanicsWithValue(t, "qfpay: NotificationHandler needs a non-nil fn", func() { NotificationHandler(testClientKey, nil) })
	client := setup(t).client
	assert.PanicsWithValue(t, "qfpay: NotificationHandler needs a non-nil fn", func() { client.NotificationHandler(nil) })
}

func TestNotificationHandlerEmptyKey(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	called := false
	h := NotificationHandler("", func(context.Context, *Notification) error { called = true; return nil })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedRequest(http.MethodPost, body, notifySig(body, "")))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.False(t, called)
}

// BenchmarkVerifyNotification and BenchmarkVerifyNotificationBaseline run
// side by side on the spec's sample body: VerifyNotification must stay
// within 1.2x of hashing body+key in one go, hex and compare.
func BenchmarkVerifyNotification(b *testing.B) {
	body, sig := benchNotification(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyNotification(body, sig, testClientKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyNotificationBaseline(b *testing.B) {
	body, sig := benchNotification(b)
	want := []byte(strings.ToLower(sig)) // hex.Encode writes lower case
	buf := make([]byte, 0, len(body)+len(testClientKey))
	var hexSum [2 * md5.Size]byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		buf = append(append(buf[:0], body...), testClientKey...)
		sum := md5.Sum(buf)
		hex.Encode(hexSum[:], sum[:])
		if subtle.ConstantTimeCompare(hexSum[:], want) != 1 {
			b.Fatal("mismatch")
		}
	}
}

func benchNotification(b *testing.B) ([]byte, string) {
	b.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "notify_payment.json"))
	if err != nil {
		b.Fatal(err)
	}
	return body, notifySig(string(body), testClientKey)
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestNotificationHandlerDeclaredTooLarge: a Content-Length over the limit
// is refused before reading anything.
func TestNotificationHandlerDeclaredTooLarge(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	called := false
	h := setup(t).client.NotificationHandler(func(context.Context, *Notification) error { called = true; return nil }, WithMaxNotificationBytes(100))
	req := signedRequest(http.MethodPost, body, notifySig(body, testClientKey))
	cr := &countingReader{r: strings.NewReader(body)}
	req.Body = io.NopCloser(cr)
	req.ContentLength = int64(len(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Zero(t, cr.n, "nothing read")
	assert.False(t, called)
}

// TestClientParseNotification: the client's method verifies with the
// client's key and reads the times in the client's zone, where the
// package's function reads them in UTC+8.
func TestClientParseNotification(t *testing.T) {
	body := []byte(readTestdata(t, "notify_payment.json"))
	sig := notifySig(string(body), testClientKey)
	tokyo := time.FixedZone("JST", 9*60*60)
	tests := []struct {
		name    string
		opts    []Option
		wantLoc *time.Location
	}{
		{"default zone", nil, beijing},
		{"Tokyo client", []Option{WithLocation(tokyo)}, tokyo},
		{"UTC client", []Option{WithLocation(time.UTC)}, time.UTC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := setup(t, tt.opts...).client
			n, err := client.ParseNotification(body, sig)
			require.NoError(t, err)
			for _, tm := range []struct {
				name string
				got  time.Time
				wall string
			}{{"sysdtm", n.SysTime, "2020-05-14 12:32:56"}, {"paydtm", n.PayTime, "2020-05-14 12:33:56"}, {"txdtm", n.TxTime, "2020-05-14 12:32:56"}} {
				assert.Equal(t, tm.wall, tm.got.Format(time.DateTime), tm.name)
				assert.Equal(t, tt.wantLoc, tm.got.Location(), tm.name)
			}
			pkg, err := ParseNotification(body, sig, testClientKey)
			require.NoError(t, err)
			_, off := n.PayTime.Zone()
			want := pkg.PayTime.Add(time.Duration(8*60*60-off) * time.Second)
			assert.True(t, want.Equal(n.PayTime), "the same wall clock, read in the client's zone: %v, want %v", n.PayTime, want)
			pkg.SysTime, pkg.PayTime, pkg.TxTime = n.SysTime, n.PayTime, n.TxTime
			assert.Equal(t, pkg, n, "every other field as the package's function decodes it")
		})
	}
	t.Run("another merchant's key", func(t *testing.T) {
		other, err := NewClient(testAppCode, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF")
		require.NoError(t, err)
		n, err := other.ParseNotification(body, sig)
		assert.ErrorIs(t, err, ErrInvalidSignature)
		assert.Nil(t, n)
		assert.NotContains(t, err.Error(), "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF")
	})
	t.Run("signed, malformed", func(t *testing.T) {
		bad := []byte(`{"notify_type": "payment"}`)
		n, err := setup(t).client.ParseNotification(bad, notifySig(string(bad), testClientKey))
		assert.ErrorIs(t, err, ErrMalformedResponse)
		assert.Nil(t, n)
	})
}

// TestClientNotificationHandler: the client's handler reads times in the
// client's zone and logs with the client's logger unless told otherwise.
func TestClientNotificationHandler(t *testing.T) {
	body := readTestdata(t, "notify_payment.json")
	tokyo := time.FixedZone("JST", 9*60*60)
	t.Run("zone", func(t *testing.T) {
		var got *Notification
		h := setup(t, WithLocation(tokyo)).client.NotificationHandler(func(_ context.Context, n *Notification) error { got = n; return nil })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signedRequest(http.MethodPost, body, notifySig(body, testClientKey)))
		require.Equal(t, http.StatusOK, rec.Code)
		require.NotNil(t, got)
		assert.Equal(t, time.Date(2020, 5, 14, 12, 33, 56, 0, tokyo), got.PayTime)
		assert.Equal(t, tokyo, got.PayTime.Location())
	})
	const (
		noOption  = iota
		nilOption // a nil HandlerOption
		ownLogger // WithHandlerLogger with a logger of its own
		nilLogger // WithHandlerLogger(nil)
	)
	tests := []struct {
		name       string
		clientLog  bool
		option     int
		wantClient bool // a line in the client's log
		wantOwn    bool // a line in WithHandlerLogger's log
	}{
		{"the client's logger", true, noOption, true, false},
		{"a nil option is ignored", true, nilOption, true, false},
		{"WithHandlerLogger replaces it", true, ownLogger, false, true},
		{"WithHandlerLogger, client without a logger", false, ownLogger, false, true},
		{"WithHandlerLogger(nil) silences", true, nilLogger, false, false},
		{"no logger at all", false, noOption, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clientLogs, ownLogs bytes.Buffer
			var opts []Option
			if tt.clientLog {
				opts = append(opts, WithLogger(slog.New(slog.NewTextHandler(&clientLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			}
			var hopts []HandlerOption
			switch tt.option {
			case nilOption:
				hopts = []HandlerOption{nil}
			case ownLogger:
				hopts = []HandlerOption{WithHandlerLogger(slog.New(slog.NewTextHandler(&ownLogs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			case nilLogger:
				hopts = []HandlerOption{WithHandlerLogger(nil)}
			}
			h := setup(t, opts...).client.NotificationHandler(func(context.Context, *Notification) error { return nil }, hopts...)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest(http.MethodPost, body, notifySig(body, testClientKey)))
			require.Equal(t, http.StatusOK, rec.Code)
			line := `msg="qfpay notification" status=200 notify_type=payment syssn=20200514000300020093755455 out_trade_no=YEPE7WTW46NVU30JW5N90H7DHD94N56B`
			if tt.wantClient {
				assert.Contains(t, clientLogs.String(), line)
			} else {
				assert.Empty(t, clientLogs.String())
			}
			if tt.wantOwn {
				assert.Contains(t, ownLogs.String(), line)
			} else {
				assert.Empty(t, ownLogs.String())
			}
		})
	}
}

// TestNotificationHandlerPrintsNoKey: a handler printed with any verb shows
// no client key.
func TestNotificationHandlerPrintsNoKey(t *testing.T) {
	fn := func(context.Context, *Notification) error { return nil }
	for name, h := range map[string]http.Handler{
		"NotificationHandler":        NotificationHandler(testClientKey, fn),
		"Client.NotificationHandler": setup(t).client.NotificationHandler(fn),
	} {
		t.Run(name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
				assert.NotContains(t, fmt.Sprintf(verb, h), testClientKey, verb)
				assert.NotContains(t, strings.ToUpper(fmt.Sprintf(verb, h)), strings.ToUpper(hex.EncodeToString([]byte(testClientKey))), verb)
			}
		})
	}
}
