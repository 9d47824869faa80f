package qfpay

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/google/go-querystring/query"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// requestTypes are the package's request structs, by name: what the
// client encodes into forms. TestRequestTypesListed keeps the list whole.
var requestTypes = map[string]reflect.Type{
	"PaymentRequest":            reflect.TypeFor[PaymentRequest](),
	"QueryRequest":              reflect.TypeFor[QueryRequest](),
	"RefundRequest":             reflect.TypeFor[RefundRequest](),
	"ReversalRequest":           reflect.TypeFor[ReversalRequest](),
	"UnfreezeRequest":           reflect.TypeFor[UnfreezeRequest](),
	"DeductRequest":             reflect.TypeFor[DeductRequest](),
	"billRequest":               reflect.TypeFor[billRequest](),
	"noteRequest":               reflect.TypeFor[noteRequest](),
	"oauthRequest":              reflect.TypeFor[oauthRequest](),
	"openIDRequest":             reflect.TypeFor[openIDRequest](),
	"CaptureRequest":            reflect.TypeFor[CaptureRequest](),
	"CheckoutRequest":           reflect.TypeFor[CheckoutRequest](),
	"CustomerQuery":             reflect.TypeFor[CustomerQuery](),
	"CustomerRequest":           reflect.TypeFor[CustomerRequest](),
	"CustomsDeclaration":        reflect.TypeFor[CustomsDeclaration](),
	"CustomsQuery":              reflect.TypeFor[CustomsQuery](),
	"CustomsRedeclaration":      reflect.TypeFor[CustomsRedeclaration](),
	"PaymentIntentRequest":      reflect.TypeFor[PaymentIntentRequest](),
	"ProductQuery":              reflect.TypeFor[ProductQuery](),
	"ProductRequest":            reflect.TypeFor[ProductRequest](),
	"ProductUpdate":             reflect.TypeFor[ProductUpdate](),
	"ReleaseRequest":            reflect.TypeFor[ReleaseRequest](),
	"SubscriptionChargeRequest": reflect.TypeFor[SubscriptionChargeRequest](),
	"SubscriptionQuery":         reflect.TypeFor[SubscriptionQuery](),
	"SubscriptionRequest":       reflect.TypeFor[SubscriptionRequest](),
	"SubscriptionUpdate":        reflect.TypeFor[SubscriptionUpdate](),
	"customerForm":              reflect.TypeFor[customerForm](),
	"customerQueryForm":         reflect.TypeFor[customerQueryForm](),
	"customsDeclareForm":        reflect.TypeFor[customsDeclareForm](),
	"ordersForm":                reflect.TypeFor[ordersForm](),
	"productForm":               reflect.TypeFor[productForm](),
	"productQueryForm":          reflect.TypeFor[productQueryForm](),
	"subscriptionCreateForm":    reflect.TypeFor[subscriptionCreateForm](),
	"subscriptionIDForm":        reflect.TypeFor[subscriptionIDForm](),
	"subscriptionQueryForm":     reflect.TypeFor[subscriptionQueryForm](),
	"subscriptionUpdateForm":    reflect.TypeFor[subscriptionUpdateForm](),
}

// TestRequestTypesListed: every struct type of the package's source with
// a `url` tag, the requests the client encodes, is in requestTypes, so
// that TestEncodePlanMatchesQuerystring covers each.
func TestRequestTypesListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	found := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, f := range st.Fields.List {
				if f.Tag != nil && strings.Contains(f.Tag.Value, `url:"`) {
					found[ts.Name.Name] = true
				}
			}
			return true
		})
	}
	require.NotEmpty(t, found)
	listed := map[string]bool{}
	for name := range requestTypes {
		listed[name] = true
	}
	assert.Equal(t, found, listed)
}

// TestEncodePlanMatchesQuerystring: for every request type, zero and
// filled with random values, the cached encoding plan writes the form
// go-querystring writes (times written and empty values dropped as the
// client does), byte for byte, in several zones.
func TestEncodePlanMatchesQuerystring(t *testing.T) {
	zones := []*time.Location{beijing, time.UTC, time.FixedZone("JST", 9*3600), time.FixedZone("NST", -(3*3600 + 30*60))}
	rng := rand.New(rand.NewPCG(11, 12))
	for name, typ := range requestTypes {
		t.Run(name, func(t *testing.T) {
			// A type with a field that writes itself unregistered, or
			// an embedded struct, has no plan: its form is
			// go-querystring's by construction.
			require.Equal(t, !leftToQuerystring(typ), wire.HasPlan(typ), "encoded by a plan unless go-querystring's own rules apply")
			for i := range 400 {
				req := reflect.New(typ)
				if i > 0 {
					fillRandom(req.Elem(), rng)
				}
				loc := zones[i%len(zones)]
				for _, v := range []any{req.Interface(), req.Elem().Interface()} {
					want, err := wire.EncodeQuerystring(v, loc)
					require.NoError(t, err)
					got, err := wire.Encode(v, loc)
					require.NoError(t, err)
					if got.Encode() != want.Encode() {
						t.Fatalf("%+v in %s:\nplan           %s\ngo-querystring %s", v, loc, got.Encode(), want.Encode())
					}
					if len(want) > 0 {
						require.Equal(t, want, got.Values())
					}
				}
			}
		})
	}
}

// leftToQuerystring reports whether t has a field go-querystring writes
// by rules the plans do not copy: one that writes its own form values (its
// Encoder) without being registered as writing its own parameter only
// (wire.RegisterFormEncoder), or an embedded struct.
func leftToQuerystring(t reflect.Type) bool {
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || f.Type.Implements(reflect.TypeFor[query.Encoder]()) && !wire.IsFormEncoder(f.Type) {
			return true
		}
	}
	return false
}

// fillRandom sets the fields of v to random values: zero often, text with
// the characters forms escape, numbers of every size, times in several
// zones, lists of 0 to 3 items.
func fillRandom(v reflect.Value, rng *rand.Rand) {
	if rng.IntN(4) == 0 {
		v.SetZero()
		return
	}
	switch v.Kind() {
	case reflect.String:
		parts := []string{"", "a", "800101", "咖啡", " ", "&", "=", "+", "%", ",", "é", "a b", "~-._", "HKD"}
		var sb strings.Builder
		for range 1 + rng.IntN(3) {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		v.SetString(sb.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rng.Int64() >> rng.IntN(64)
		if rng.IntN(3) == 0 {
			n = -n
		}
		if v.OverflowInt(n) {
			n = int64(int8(n))
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n := rng.Uint64() >> rng.IntN(64)
		if v.OverflowUint(n) {
			n = uint64(uint8(n))
		}
		v.SetUint(n)
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(rng.NormFloat64() * 1000)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillRandom(p.Elem(), rng)
		v.Set(p)
	case reflect.Interface, reflect.Map:
		// Nothing a request's own fields hold: left zero.
	case reflect.Slice:
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillRandom(s.Index(i), rng)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zones := []*time.Location{time.UTC, beijing, time.FixedZone("X", -5*3600)}
			v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])))
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fillRandom(v.Field(i), rng)
			}
		}
	default:
		panic("fillRandom: a request field of kind " + v.Kind().String() + ": teach fillRandom it (field " + strconv.Quote(v.Type().String()) + ")")
	}
}
