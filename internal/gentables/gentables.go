// Package gentables writes qfpay's tables_gen.go from the extracts of the
// API documentation's tables kept in the root package's testdata
// (spec_paytypes.txt, spec_currencies.txt, spec_codes.txt) and from the Go
// names of names.go: the pay-type constants, their map and their ordered
// list, the currency constants, their map (with the ISO 4217 exponents of
// names.go) and their ordered list, and the descriptions of the return
// codes. Each table is then kept in one place, the spec's own text,
// and a test of the root package regenerates the file to prove it current.
//
// Run it with go generate in the root package (see the go:generate line of
// paytypes.go), or go run ./internal/cmd/gentables.
package gentables

import (
	"bufio"
	"bytes"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The extracts Generate reads, under the directory it is given.
const (
	PayTypesFile   = "spec_paytypes.txt"
	CurrenciesFile = "spec_currencies.txt"
	CodesFile      = "spec_codes.txt"
)

// row is one row of an extract: its fields and the line it was on.
type row struct {
	fields []string
	line   int
}

// readTable reads an extract: '#' comment lines, the table's header line,
// which must equal header, then one row a line, each matching re (its
// groups are the row's fields). Blank lines are skipped.
func readTable(r io.Reader, name, header string, re *regexp.Regexp) ([]row, error) {
	var rows []row
	sawHeader := false
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "", strings.HasPrefix(line, "#"):
		case !sawHeader:
			if line != header {
				return nil, fmt.Errorf("%s:%d: header %q, want %q", name, n, line, header)
			}
			sawHeader = true
		default:
			m := re.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("%s:%d: row %q does not match %s", name, n, line, re)
			}
			rows = append(rows, row{fields: m[1:], line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return rows, nil
}

// payType is a row of the PayType table with its Go side.
type payType struct {
	code, description string
	payTypeInfo
}

// currency is a row of the currency table with its ISO 4217 exponent.
type currency struct {
	code, description string
	exponent          int
}

// code is a row of the return-code table.
type code struct {
	code, description string
}

var (
	payTypeRow  = regexp.MustCompile(`^(\d{6}) (.+)$`)
	currencyRow = regexp.MustCompile(`^([A-Z]{3}) (.+)$`)
	// The table repeats the code after the description: "1101 Reversal
	// error (1101)". Success, 0000, has no such suffix.
	codeRow = regexp.MustCompile(`^(\d{4}) (.+?)(?: \((\d{4})\))?$`)
)

// tables is what Generate reads.
type tables struct {
	payTypes   []payType
	currencies []currency
	codes      []code
}

// read reads the three extracts under dir and checks them against the Go
// names.
func read(dir string) (*tables, error) {
	open := func(name string, header string, re *regexp.Regexp) ([]row, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readTable(f, name, header, re)
	}
	var t tables

	rows, err := open(PayTypesFile, "Code Description", payTypeRow)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	names := map[string]string{}
	for _, r := range rows {
		c, desc := r.fields[0], r.fields[1]
		if seen[c] {
			return nil, fmt.Errorf("%s:%d: pay type %s listed twice", PayTypesFile, r.line, c)
		}
		seen[c] = true
		info, ok := payTypeNames[c]
		if !ok {
			return nil, fmt.Errorf("%s:%d: pay type %s (%s) has no Go name: add it to payTypeNames in internal/gentables/names.go", PayTypesFile, r.line, c, desc)
		}
		if other, dup := names[info.name]; dup {
			return nil, fmt.Errorf("pay types %s and %s share the Go name %s", other, c, info.name)
		}
		names[info.name] = c
		t.payTypes = append(t.payTypes, payType{c, desc, info})
	}
	for _, c := range sortedKeys(payTypeNames) {
		if !seen[c] {
			return nil, fmt.Errorf("payTypeNames names pay type %s, which %s does not list", c, PayTypesFile)
		}
	}

	rows, err = open(CurrenciesFile, "Code Description", currencyRow)
	if err != nil {
		return nil, err
	}
	seen = map[string]bool{}
	for _, r := range rows {
		c := r.fields[0]
		if seen[c] {
			return nil, fmt.Errorf("%s:%d: currency %s listed twice", CurrenciesFile, r.line, c)
		}
		seen[c] = true
		exp, ok := currencyExponents[c]
		if !ok {
			return nil, fmt.Errorf("%s:%d: currency %s has no exponent: add its ISO 4217 minor unit to currencyExponents in internal/gentables/names.go", CurrenciesFile, r.line, c)
		}
		t.currencies = append(t.currencies, currency{c, r.fields[1], exp})
	}
	for _, c := range sortedKeys(currencyExponents) {
		if !seen[c] {
			return nil, fmt.Errorf("currencyExponents has currency %s, which %s does not list", c, CurrenciesFile)
		}
	}

	rows, err = open(CodesFile, "Return code Description", codeRow)
	if err != nil {
		return nil, err
	}
	seen = map[string]bool{}
	for _, r := range rows {
		c, desc, again := r.fields[0], r.fields[1], r.fields[2]
		if again != "" && again != c {
			return nil, fmt.Errorf("%s:%d: code %s ends with (%s)", CodesFile, r.line, c, again)
		}
		if seen[c] {
			return nil, fmt.Errorf("%s:%d: code %s listed twice", CodesFile, r.line, c)
		}
		seen[c] = true
		t.codes = append(t.codes, code{c, desc})
	}
	return &t, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Generate returns the gofmt-formatted source of tables_gen.go, made from
// the extracts under specDir (the root package's testdata).
func Generate(specDir string) ([]byte, error) {
	t, err := read(specDir)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("// Code generated by go run ./internal/cmd/gentables; DO NOT EDIT.\n")
	p("// From the API documentation's tables in testdata/%s, %s and %s,\n", PayTypesFile, CurrenciesFile, CodesFile)
	p("// and the Go names of internal/gentables/names.go.\n\n")
	p("package qfpay\n\n")

	p("// The pay types of the API's PayType table (section \"Payment Codes\").\n")
	p("const (\n")
	for _, pt := range t.payTypes {
		p("\t// PayType%s is %s: %s.\n", pt.name, pt.code, strings.TrimSuffix(pt.description, "."))
		p("\tPayType%s PayType = %q\n", pt.name, pt.code)
	}
	p(")\n\n")

	p("// payTypes is the PayType table: each code's scenario, pre-authorization\n")
	p("// flag and description.\n")
	p("var payTypes = map[PayType]payTypeInfo{\n")
	for _, pt := range t.payTypes {
		p("\tPayType%s: {%s, %t, %q},\n", pt.name, pt.mode, pt.preAuth, pt.description)
	}
	p("}\n\n")

	p("// payTypeList is the PayType table's codes, in table order.\n")
	p("var payTypeList = [...]PayType{\n")
	for _, pt := range t.payTypes {
		p("\tPayType%s,\n", pt.name)
	}
	p("}\n\n")

	p("// The currencies of the API's currency table (section \"Currencies\").\n")
	p("const (\n")
	for _, c := range t.currencies {
		p("\tCurrency%s Currency = %q // %s\n", c.code, c.code, c.description)
	}
	p(")\n\n")

	p("// currencies is the currency table: each code's description and ISO\n")
	p("// 4217 exponent.\n")
	p("var currencies = map[Currency]currencyInfo{\n")
	for _, c := range t.currencies {
		p("\tCurrency%s: {%q, %d},\n", c.code, c.description, c.exponent)
	}
	p("}\n\n")

	p("// currencyList is the currency table's codes, in table order.\n")
	p("var currencyList = [...]Currency{\n")
	for _, c := range t.currencies {
		p("\tCurrency%s,\n", c.code)
	}
	p("}\n\n")

	p("// codeDescriptions is the return-code table (section \"Transaction Status\n")
	p("// Codes\"): each code's description, without the code the table repeats\n")
	p("// after it.\n")
	p("var codeDescriptions = map[string]string{\n")
	for _, c := range t.codes {
		p("\t%s: %s,\n", strconv.Quote(c.code), strconv.Quote(c.description))
	}
	p("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated source: %w", err)
	}
	return src, nil
}

// WriteFile generates the tables from the extracts under specDir and writes
// them to out.
func WriteFile(specDir, out string) error {
	src, err := Generate(specDir)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
