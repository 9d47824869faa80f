package wire

import (
	"encoding/json"
	"testing"
	"time"
)

// Benchmarks of the answer path: ParseObject then Decode, on the shapes the
// gateway sends most, a payment answer and a page of a query. Measure with
//
//	go test -run '^$' -bench . -benchmem ./internal/wire/

// benchPayment is the API documentation's sample payment answer.
const benchPayment = `{
    "txdtm": "2019-12-25 14:21:28",
    "qrcode": "https://qr.alipay.com/bax01781r3pu4fjaqazt4091",
    "pay_type": "800101",
    "resperr": "success",
    "out_trade_no": "01234567890123",
    "syssn": "20191225000200020060996533",
    "sysdtm": "2019-12-25 14:22:37",
    "paydtm": "2019-12-25 14:22:37",
    "txcurrcd": "EUR",
    "respmsg": "",
    "cardcd": "",
    "udid": "qiantai2",
    "txamt": "10",
    "respcd": "0000",
    "chnlsn": "",
    "surcharge_fee": "0",
    "surcharge_rate": "0"
}`

// benchQuery is the documentation's sample query answer, respcd 0000 and
// all (so that the leading-zero repair runs too).
const benchQuery = `{"respmsg": "", "resperr": "请求成功", "respcd": 0000, "data": [{"cardtp": "5", "cancel": "0",
"pay_type": "800101", "order_type": "payment", "clisn": "038424", "txdtm": "2019-12-27 10:39:39", "goods_detail": "",
"out_trade_no": "CHZ7D61JN1ANJF2R2K1I7TXP2JTCEWBL", "syssn": "20191227000200020061752831", "sysdtm": "2019-12-27 10:40:24",
"paydtm": "2019-12-27 10:42:18", "goods_name": "", "txcurrcd": "EUR", "chnlsn2": "", "udid": "qiantai2", "userid": "2605489",
"txamt": "10", "chnlsn": "2019122722001411461404119764", "respcd": "0000", "goods_info": "", "errmsg": "success"}],
"page": "1", "page_size": "10"}`

type benchPaymentAnswer struct {
	SysSN         string          `json:"syssn"`
	OutTradeNo    string          `json:"out_trade_no"`
	PayType       string          `json:"pay_type"`
	Amount        int64           `json:"txamt"`
	Currency      string          `json:"txcurrcd"`
	TxTime        time.Time       `json:"txdtm"`
	SysTime       time.Time       `json:"sysdtm"`
	PayTime       time.Time       `json:"paydtm"`
	QRCode        string          `json:"qrcode"`
	PayParams     json.RawMessage `json:"pay_params"`
	ChannelSN     string          `json:"chnlsn"`
	CardNumber    string          `json:"cardcd"`
	DeviceID      string          `json:"udid"`
	SurchargeFee  string          `json:"surcharge_fee"`
	SurchargeRate string          `json:"surcharge_rate"`
	RespCode      string          `json:"respcd"`
	Message       string          `json:"resperr"`
}

type benchTransaction struct {
	SysSN      string    `json:"syssn"`
	OrigSysSN  string    `json:"orig_syssn" wire:"origssn"`
	OutTradeNo string    `json:"out_trade_no"`
	PayType    string    `json:"pay_type"`
	OrderType  string    `json:"order_type"`
	Amount     int64     `json:"txamt"`
	Currency   string    `json:"txcurrcd"`
	TxTime     time.Time `json:"txdtm"`
	SysTime    time.Time `json:"sysdtm"`
	PayTime    time.Time `json:"paydtm"`
	Cancel     int       `json:"cancel"`
	RespCode   string    `json:"respcd"`
	ErrMsg     string    `json:"errmsg"`
	ChannelSN  string    `json:"chnlsn"`
	CardType   string    `json:"cardtp"`
	ClientSN   string    `json:"clisn"`
}

type benchPage struct {
	Page         int                `json:"page"`
	PageSize     int                `json:"page_size"`
	Transactions []benchTransaction `json:"data"`
}

func benchDecode[T any](b *testing.B, body string) {
	loc := time.FixedZone("UTC+8", 8*60*60)
	raw := []byte(body)
	b.ReportAllocs()
	for b.Loop() {
		obj, err := ParseObject(raw)
		if err != nil {
			b.Fatal(err)
		}
		var out T
		if err := Decode(obj, &out, loc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePayment(b *testing.B) { benchDecode[benchPaymentAnswer](b, benchPayment) }

func BenchmarkDecodeQueryPage(b *testing.B) { benchDecode[benchPage](b, benchQuery) }
