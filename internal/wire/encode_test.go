package wire

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type code string

type encodeRequest struct {
	Name     string    `url:"name"`
	Optional string    `url:"optional,omitempty"`
	Bare     string    `url:"bare"` // empty without omitempty: still dropped
	Amount   int64     `url:"txamt"`
	Page     int       `url:"page,omitempty"`
	IDs      []string  `url:"ids,comma,omitempty"`
	Codes    []code    `url:"codes,comma,omitempty"`
	Repeated []string  `url:"repeated,omitempty"`
	When     time.Time `url:"txdtm,omitempty"`
	Day      time.Time `url:"day,omitempty" layout:"2006-01-02"`
	BillDate time.Time `url:"bill_date,omitempty" layout:"20060102" wire:"asis"`
	Zero     time.Time `url:"zero"`
	Skipped  string    `url:"-"`
	internal string
}

func TestEncode(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*60*60)
	tokyo := time.FixedZone("JST", 9*60*60)
	instant := time.Date(2019, 12, 31, 16, 30, 5, 0, time.UTC) // 2020-01-01 00:30:05 in UTC+8
	tests := []struct {
		name string
		req  any
		loc  *time.Location
		want url.Values
	}{
		{
			name: "every kind of field",
			req: &encodeRequest{Name: "咖啡 & tea", Amount: 10, Page: 2, IDs: []string{"a", "b"}, Codes: []code{"800101", "800201"},
				Repeated: []string{"x", "", "y"}, When: instant, Day: instant, BillDate: time.Date(2019, 12, 31, 0, 0, 0, 0, tokyo),
				Skipped: "not sent", internal: "not sent"},
			loc: utc8,
			want: url.Values{
				"name":      {"咖啡 & tea"},
				"txamt":     {"10"},
				"page":      {"2"},
				"ids":       {"a,b"},
				"codes":     {"800101,800201"},
				"repeated":  {"x", "y"},
				"txdtm":     {"2020-01-01 00:30:05"},
				"day":       {"2020-01-01"},
				"bill_date": {"20191231"},
			},
		},
		{
			name: "times written in the location given",
			req:  encodeRequest{Name: "n", When: instant, Day: instant},
			loc:  time.UTC,
			want: url.Values{"name": {"n"}, "txamt": {"0"}, "txdtm": {"2019-12-31 16:30:05"}, "day": {"2019-12-31"}},
		},
		{
			name: "asis keeps the date's own zone whatever the location",
			req:  &encodeRequest{Name: "n", Amount: -1, BillDate: time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC)},
			loc:  tokyo,
			want: url.Values{"name": {"n"}, "txamt": {"-1"}, "bill_date": {"20191231"}},
		},
		{
			name: "empty values dropped",
			req:  &encodeRequest{IDs: []string{}, Codes: nil},
			loc:  utc8,
			want: url.Values{"txamt": {"0"}},
		},
		{"nil", nil, utc8, url.Values{}},
		{"nil pointer", (*encodeRequest)(nil), utc8, url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.req, tt.loc)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEncodeRejectsNonStruct(t *testing.T) {
	_, err := Encode(42, time.UTC)
	assert.Error(t, err)
	_, err = Encode("txamt=10", time.UTC)
	assert.Error(t, err)
}

func TestDropEmpty(t *testing.T) {
	vals := url.Values{"a": {""}, "b": {"", "1", ""}, "c": {"2"}, "d": {}, "e": nil}
	DropEmpty(vals)
	assert.Equal(t, url.Values{"b": {"1"}, "c": {"2"}}, vals)
}

func TestTimeOf(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	when := time.Date(2019, 11, 3, 1, 30, 0, 0, tokyo)
	tests := []struct {
		name   string
		req    any
		param  string
		want   time.Time
		wantOK bool
	}{
		{"set, as given", &encodeRequest{When: when}, "txdtm", when, true},
		{"by value", encodeRequest{Day: when}, "day", when, true},
		{"zero", &encodeRequest{}, "txdtm", time.Time{}, false},
		{"not a time field", &encodeRequest{Name: "n"}, "name", time.Time{}, false},
		{"no such parameter", &encodeRequest{When: when}, "start_time", time.Time{}, false},
		{"nil pointer", (*encodeRequest)(nil), "txdtm", time.Time{}, false},
		{"nil", nil, "txdtm", time.Time{}, false},
		{"not a struct", 42, "txdtm", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := TimeOf(tt.req, tt.param)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				assert.Same(t, tt.want.Location(), got.Location(), "the instant with its own zone")
			}
		})
	}
}
