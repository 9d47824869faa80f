package qfpay

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qfpay-go/qfpay/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signatureVectorsFile holds reference signatures computed independently of
// this code from the API's algorithm (see testdata/README.md): never
// regenerate it with Sign.
var signatureVectorsFile = filepath.Join("testdata", "signatures.json")

type signatureVectors struct {
	Requests []struct {
		Name      string            `json:"name"`
		Key       string            `json:"key"`
		SignType  string            `json:"sign_type"`
		Params    map[string]string `json:"params"`
		Signature string            `json:"signature"`
	} `json:"requests"`
	Notifications []struct {
		Name      string `json:"name"`
		Key       string `json:"key"`
		Body      string `json:"body"`
		Signature string `json:"signature"`
	} `json:"notifications"`
}

func loadVectors(t *testing.T) signatureVectors {
	t.Helper()
	raw, err := os.ReadFile(signatureVectorsFile)
	require.NoError(t, err)
	var v signatureVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Requests)
	return v
}

func TestSignVectors(t *testing.T) {
	for _, vec := range loadVectors(t).Requests {
		t.Run(vec.Name, func(t *testing.T) {
			params := url.Values{}
			for k, v := range vec.Params {
				params.Set(k, v)
			}
			assert.Equal(t, vec.Signature, Sign(params, vec.Key, SignType(vec.SignType)))
		})
	}
}

func TestSign(t *testing.T) {
	const key = "KEY"
	tests := []struct {
		name   string
		params url.Values
		t      SignType
		signed string // the exact string hashed
	}{
		{"spec example order", url.Values{"bcd": {"value2"}, "abc": {"value1"}, "bad": {"value3"}}, MD5, "abc=value1&bad=value3&bcd=value2KEY"},
		{"raw values, not url-encoded", url.Values{"return_url": {"https://m.example/ok?a=1&b=2"}, "goods_name": {"咖啡 x2"}}, MD5, "goods_name=咖啡 x2&return_url=https://m.example/ok?a=1&b=2KEY"},
		{"byte order puts upper case first", url.Values{"b": {"1"}, "B": {"2"}, "a_b": {"3"}, "ab": {"4"}}, SHA256, "B=2&a_b=3&ab=4&b=1KEY"},
		{"no parameters", url.Values{}, MD5, "KEY"},
		{"long input beyond the stack buffer", url.Values{"note": {string(make([]byte, 2000))}}, SHA256, "note=" + string(make([]byte, 2000)) + "KEY"},
		{"several values of a name, in order", url.Values{"b": {"2", "1"}, "a": {"3"}}, MD5, "a=3&b=2&b=1KEY"},
		{"names sharing their first bytes", url.Values{"txdtm": {"1"}, "txamt": {"2"}, "tx": {"3"}, "txcurrcd": {"4"}, "": {"5"}}, MD5, "=5&tx=3&txamt=2&txcurrcd=4&txdtm=1KEY"},
		{"more names than a request has", manyParams(40), MD5, manyParamsSigned(40) + "KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, referenceHash(tt.signed, tt.t), Sign(tt.params, key, tt.t))
		})
	}
}

// manyParams has n names p00..p(n-1) valued by their number, so many that
// Sign sorts them the general way.
func manyParams(n int) url.Values {
	v := url.Values{}
	for i := n - 1; i >= 0; i-- {
		v.Set(fmt.Sprintf("p%02d", i), fmt.Sprint(i))
	}
	return v
}

// manyParamsSigned is the string manyParams(n) signs, before the key.
func manyParamsSigned(n int) string {
	pairs := make([]string, n)
	for i := range n {
		pairs[i] = fmt.Sprintf("p%02d=%d", i, i)
	}
	return strings.Join(pairs, "&")
}

// TestSignFormMatchesSign: the client signs the form it sends, sorted
// already, with signForm; it signs exactly what Sign signs for the same
// parameters, on random forms of every size.
func TestSignFormMatchesSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	names := []string{"", "a", "b", "B", "txamt", "txdtm", "tx", "txcurrcd", "out_trade_no", "goods_name", "咖啡", "a_b", "ab"}
	for i := range 500 {
		params := url.Values{}
		for range rng.IntN(24) {
			name := names[rng.IntN(len(names))]
			if rng.IntN(3) == 0 {
				name += strconv.Itoa(rng.IntN(30))
			}
			params.Add(name, strings.Repeat("v&= ", rng.IntN(3))+strconv.Itoa(rng.IntN(1000)))
		}
		if rng.IntN(10) == 0 {
			params.Set("note", strings.Repeat("x", 600)) // beyond the stack buffer
		}
		st := []SignType{MD5, SHA256}[i%2]
		require.Equal(t, Sign(params, testClientKey, st), signForm(wire.FormOf(params), testClientKey, st), "%v", params)
		require.Equal(t, referenceHash(canonicalString(firstValues(params))+testClientKey, st) == Sign(params, testClientKey, st),
			allSingle(params), "Sign agrees with the reference where every name has one value")
	}
}

// firstValues keeps the first value of each name, as canonicalString
// reads them.
func firstValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out.Set(k, vs[0])
	}
	return out
}

func allSingle(v url.Values) bool {
	for _, vs := range v {
		if len(vs) != 1 {
			return false
		}
	}
	return true
}
