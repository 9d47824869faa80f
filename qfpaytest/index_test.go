package qfpaytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay"
)

// Credentials and clock of the package's own tests and benchmarks.
const (
	internalAppCode   = "D5589D2A1F2E42A9A60C37A1B2C3D4E5"
	internalClientKey = "0E32A59A8B454940A2FF39D1C8E7B6A5"
)

var internalNow = time.Date(2024, 3, 31, 12, 0, 0, 0, beijing)

// serve sends s one signed request and returns the answer's body.
func serve(t *testing.T, s *Server, path string, form url.Values) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-QF-APPCODE", internalAppCode)
	r.Header.Set("X-QF-SIGN", qfpay.Sign(form, internalClientKey, qfpay.MD5))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Body.String()
}

// TestQueryIndexesMatchScan: a query answered from the indexes (by time
// range, by number) answers what the scan of every transaction answers,
// byte for byte, and settles the same pending transactions, whatever
// happened before: payments of several pay types, pending ones settling by
// queries and by the clock, refunds, failures, the clock moving on and
// set back.
func TestQueryIndexesMatchScan(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			opts := []Option{WithoutListener(), WithPendingQueries(int(seed % 3)), WithPendingFor(time.Duration(seed*20) * time.Second)}
			if seed == 3 {
				opts = append(opts, WithPendingRefunds())
			}
			fast := NewServer(internalAppCode, internalClientKey, opts...)
			scan := NewServer(internalAppCode, internalClientKey, opts...)
			defer fast.Close()
			defer scan.Close()
			scan.scanOnly = true
			both := []*Server{fast, scan}
			now := internalNow.Add(-48 * time.Hour)
			for _, s := range both {
				s.SetNow(now)
			}
			payTypes := []string{"800101", "800201", "800108", "800208"}
			codes := []string{AuthCodeSuccess, AuthCodePending, AuthCodePendingThenFail, AuthCodeInsufficientBalance, AuthCodeSlowNetwork}
			var syssns, outTradeNos []string
			for step := range 300 {
				switch op := rng.IntN(10); {
				case op < 4:
					no := fmt.Sprintf("o-%d", step)
					pt := payTypes[rng.IntN(len(payTypes))]
					form := url.Values{"pay_type": {pt}, "txamt": {strconv.Itoa(100 + rng.IntN(900))}, "txcurrcd": {"HKD"},
						"out_trade_no": {no}, "txdtm": {now.Format(timeLayout)}}
					if pt == "800108" || pt == "800208" {
						form.Set("auth_code", codes[rng.IntN(len(codes))])
					}
					var answers []string
					for _, s := range both {
						answers = append(answers, serve(t, s, "/trade/v1/payment", form))
					}
					require.Equal(t, answers[0], answers[1])
					var a struct{ SysSN string }
					require.NoError(t, json.Unmarshal([]byte(answers[0]), &a))
					syssns, outTradeNos = append(syssns, a.SysSN), append(outTradeNos, no)
				case op < 5 && len(syssns) > 0:
					form := url.Values{"syssn": {syssns[rng.IntN(len(syssns))]}, "txamt": {"50"}, "out_trade_no": {fmt.Sprintf("r-%d", step)},
						"txdtm": {now.Format(timeLayout)}}
					require.Equal(t, serve(t, fast, "/trade/v1/refund", form), serve(t, scan, "/trade/v1/refund", form))
				case op < 6 && len(syssns) > 0:
					ref := syssns[rng.IntN(len(syssns))]
					assert.Equal(t, fast.Pay(ref), scan.Pay(ref))
				case op < 7 && len(syssns) > 0:
					ref := syssns[rng.IntN(len(syssns))]
					assert.Equal(t, fast.Fail(ref, "1205"), scan.Fail(ref, "1205"))
				case op < 8:
					d := time.Duration(rng.IntN(90)) * time.Second
					if rng.IntN(20) == 0 {
						d = -time.Hour // the clock set back: the indexes give way to the scan
					}
					now = now.Add(d)
					for _, s := range both {
						s.SetNow(now)
					}
				default:
					form := url.Values{"page": {strconv.Itoa(1 + rng.IntN(3))}, "page_size": {strconv.Itoa(1 + rng.IntN(8))}}
					switch rng.IntN(5) {
					case 0:
						form.Set("pay_type", payTypes[rng.IntN(len(payTypes))])
					case 1:
						form.Set("pay_type", payTypes[0]+","+payTypes[2])
					case 2:
						if len(syssns) > 1 {
							form.Set("syssn", syssns[rng.IntN(len(syssns))]+","+syssns[rng.IntN(len(syssns))]+",nope")
						}
					case 3:
						if len(outTradeNos) > 0 {
							form.Set("out_trade_no", outTradeNos[rng.IntN(len(outTradeNos))])
						}
					}
					if rng.IntN(2) == 0 {
						form.Set("start_time", now.Add(-time.Duration(rng.IntN(3600))*time.Second).Format(timeLayout))
						form.Set("end_time", now.Add(time.Duration(rng.IntN(60))*time.Second).Format(timeLayout))
					}
					require.Equal(t, serve(t, scan, "/trade/v1/query", form), serve(t, fast, "/trade/v1/query", form), "query %v", form)
				}
				require.Equal(t, scan.Transactions(), fast.Transactions(), "the same transactions in the same states")
			}
			require.NotEmpty(t, syssns)
		})
	}
}

// listingObject is the listing of a transaction as a map, as encoding/json
// encodes it: the reference of appendListing.
func listingObject(t *txn, loc *time.Location) object {
	o := object{
		"syssn": t.syssn, "out_trade_no": t.outTradeNo, "order_type": t.orderType,
		"pay_type": string(t.payType), "txamt": itoa(t.amount), "txcurrcd": t.currency,
		"txdtm": t.txdtm, "sysdtm": times(t.sysTime, loc), "paydtm": times(t.payTime, loc),
		"cancel": itoa(int64(t.cancel)), "respcd": t.respcd, "errmsg": errmsg(t.respcd),
		"goods_name": t.goodsName, "goods_info": t.goodsInfo, "goods_detail": "",
		"chnlsn": t.chnlsn, "chnlsn2": "", "udid": t.udid, "userid": "", "clisn": "",
		"cardtp": "", "cardcd": "",
	}
	if t.orderType == orderRefund {
		o["origssn"] = t.origSysSN
	}
	return o
}

// encodingJSON is v as json.Encoder writes it without HTML escaping.
func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return buf.String()
}

// randomText is text with what JSON escapes: quotes, backslashes, control
// characters, HTML, U+2028, invalid UTF-8.
func randomText(rng *rand.Rand) string {
	parts := []string{"", "a", "咖啡", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\b", "\f", "\r", "<>&", "\u2028", "\u2029", "\xff", "\xe2\x80", "é", " ", "0000"}
	var sb strings.Builder
	for range rng.IntN(5) {
		sb.WriteString(parts[rng.IntN(len(parts))])
	}
	return sb.String()
}

func TestAppendListingMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range 300 {
		tx := &txn{syssn: randomText(rng), origSysSN: randomText(rng), outTradeNo: randomText(rng), orderType: []string{orderPayment, orderRefund}[i%2],
			payType: qfpay.PayType(randomText(rng)), amount: rng.Int64N(1e12), currency: randomText(rng), txdtm: randomText(rng),
			sysTime: time.Unix(rng.Int64N(4e9), 0), respcd: []string{codeOK, "1143", "1205", randomText(rng)}[rng.IntN(4)],
			cancel: qfpay.CancelStatus(rng.IntN(6)), goodsName: randomText(rng), goodsInfo: randomText(rng), udid: randomText(rng), chnlsn: randomText(rng)}
		if rng.IntN(2) == 0 {
			tx.payTime = time.Unix(rng.Int64N(4e9), 0)
		}
		got := string(appendListing([]byte("prefix"), tx, beijing))
		require.Equal(t, "prefix"+strings.TrimSuffix(encodingJSON(t, listingObject(tx, beijing)), "\n"), got)
	}
}

// TestAppendJSONMatchesEncodingJSON: writeJSON's encoder writes the
// answers' values as encoding/json does, byte for byte.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var value func(depth int) any
	value = func(depth int) any {
		switch rng.IntN(9) {
		case 0:
			return rng.Int64() - rng.Int64()
		case 1:
			return json.Number(strconv.FormatFloat(rng.NormFloat64(), 'f', -1, 64))
		case 2:
			return rng.IntN(2) == 0
		case 3:
			return nil
		case 4:
			if depth < 3 {
				o := object{}
				for range rng.IntN(6) {
					o[randomText(rng)] = value(depth + 1)
				}
				return o
			}
		case 5:
			if depth < 3 {
				var list []object
				for range rng.IntN(3) {
					if o, ok := value(3).(object); ok || rng.IntN(2) == 0 {
						list = append(list, o)
					}
				}
				return list
			}
		case 6:
			var list []json.RawMessage
			for range rng.IntN(3) {
				list = append(list, json.RawMessage(strings.TrimSuffix(encodingJSON(t, randomText(rng)), "\n")))
			}
			return list
		case 7:
			return 42 // an int
		}
		return randomText(rng)
	}
	for range 2000 {
		v := value(0)
		got, err := appendJSON(nil, v)
		require.NoError(t, err)
		require.Equal(t, encodingJSON(t, v), string(got)+"\n", "%#v", v)
	}
}

// FuzzAppendJSONString: any text is written as encoding/json writes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\u2028\u2029", "\xff\xfe", "咖啡<>&", "\xe2\x80\xa8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		// Marshal escapes HTML; appendJSONString does not, as the
		// answers' encoder never did.
		want = bytes.ReplaceAll(want, []byte(`\u003c`), []byte("<"))
		want = bytes.ReplaceAll(want, []byte(`\u003e`), []byte(">"))
		want = bytes.ReplaceAll(want, []byte(`\u0026`), []byte("&"))
		require.Equal(t, string(want), string(appendJSONString(nil, s)))
	})
}
