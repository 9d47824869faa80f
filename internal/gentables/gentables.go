// Package gentables writes qfpay's tables_gen.go from the extracts of the
// API documentation's tables kept in the root package's testdata
// (spec_paytypes.txt, spec_currencies.txt, spec_codes.txt), the extracts of
// the catalogue of QF Pay's current documentation beside them
// (current_paytypes.txt, current_currencies.txt), and the Go names of
// names.go: the pay-type constants, their map and their ordered list, the
// currency constants, their map (with the ISO 4217 exponents of names.go)
// and their ordered list, and the descriptions of the return codes. Each
// table is then kept in one place, the documentation's own text, and a test
// of the root package regenerates the file to prove it current.
//
// The current documentation's extracts are merged into the API
// documentation's tables, so that there is one table of each: a code both
// list keeps the API documentation's row (its description, its place), and
// the codes only the current documentation lists follow, in its order.
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

// The extracts Generate reads, under the directory it is given: the API
// documentation's tables, and the current documentation's catalogue merged
// into the first two.
const (
	PayTypesFile          = "spec_paytypes.txt"
	CurrenciesFile        = "spec_currencies.txt"
	CodesFile             = "spec_codes.txt"
	CurrentPayTypesFile   = "current_paytypes.txt"
	CurrentCurrenciesFile = "current_currencies.txt"
)

// The header lines of the extracts: the current documentation's digest
// heads its pay-type table "Code | Meaning".
const (
	payTypesHeader        = "Code Description"
	currentPayTypesHeader = "Code Meaning"
	currenciesHeader      = "Code Description"
	codesHeader           = "Return code Description"
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

// payType is a row of the PayType table with its Go side: current tells
// that only the current documentation lists it, note is names.go's note
// for its doc comment.
type payType struct {
	code, description string
	current           bool
	note              string
	payTypeInfo
}

// currency is a row of the currency table with its ISO 4217 exponent.
type currency struct {
	code, description string
	current           bool
	exponent          int
}

// entry is a row of a merged table: its code, its description, and the
// file and line it was taken from.
type entry struct {
	code, description string
	current           bool
	file              string
	line              int
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

// read reads the extracts under dir, merges the current documentation's
// into the API documentation's, and checks them against the Go names.
func read(dir string) (*tables, error) {
	var t tables

	rows, err := merged(dir, "pay type", PayTypesFile, payTypesHeader, CurrentPayTypesFile, currentPayTypesHeader, payTypeRow)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	names := map[string]string{}
	for _, r := range rows {
		seen[r.code] = true
		info, ok := payTypeNames[r.code]
		if !ok {
			return nil, fmt.Errorf("%s:%d: pay type %s (%s) has no Go name: add it to payTypeNames in internal/gentables/names.go", r.file, r.line, r.code, r.description)
		}
		if other, dup := names[info.name]; dup {
			return nil, fmt.Errorf("pay types %s and %s share the Go name %s", other, r.code, info.name)
		}
		names[info.name] = r.code
		t.payTypes = append(t.payTypes, payType{r.code, r.description, r.current, payTypeNotes[r.code], info})
	}
	for _, c := range sortedKeys(payTypeNames) {
		if !seen[c] {
			return nil, fmt.Errorf("payTypeNames names pay type %s, which neither %s nor %s lists", c, PayTypesFile, CurrentPayTypesFile)
		}
	}
	for _, c := range sortedKeys(payTypeNotes) {
		if !seen[c] {
			return nil, fmt.Errorf("payTypeNotes has a note for pay type %s, which neither %s nor %s lists", c, PayTypesFile, CurrentPayTypesFile)
		}
	}

	rows, err = merged(dir, "currency", CurrenciesFile, currenciesHeader, CurrentCurrenciesFile, currenciesHeader, currencyRow)
	if err != nil {
		return nil, err
	}
	seen = map[string]bool{}
	for _, r := range rows {
		seen[r.code] = true
		exp, ok := currencyExponents[r.code]
		if !ok {
			return nil, fmt.Errorf("%s:%d: currency %s has no exponent: add its ISO 4217 minor unit to currencyExponents in internal/gentables/names.go", r.file, r.line, r.code)
		}
		t.currencies = append(t.currencies, currency{r.code, r.description, r.current, exp})
	}
	for _, c := range sortedKeys(currencyExponents) {
		if !seen[c] {
			return nil, fmt.Errorf("currencyExponents has currency %s, which neither %s nor %s lists", c, CurrenciesFile, CurrentCurrenciesFile)
		}
	}

	codeRows, err := open(dir, CodesFile, codesHeader, codeRow)
	if err != nil {
		return nil, err
	}
	seen = map[string]bool{}
	for _, r := range codeRows {
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

// open reads the extract dir/name.
func open(dir, name, header string, re *regexp.Regexp) ([]row, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readTable(f, name, header, re)
}

// merged reads the API documentation's extract older and the current
// documentation's extract current, each row a code and a description, and
// merges them (kind names a code in errors): every row of older, in its order, then the rows of current
// whose code older does not list, in theirs. A code current lists again
// keeps older's description. A code listed twice in one file is an error.
func merged(dir, kind, older, olderHeader, current, currentHeader string, re *regexp.Regexp) ([]entry, error) {
	var out []entry
	at := map[string]int{} // code -> index in out
	for _, f := range []struct {
		name, header string
		current      bool
	}{{older, olderHeader, false}, {current, currentHeader, true}} {
		rows, err := open(dir, f.name, f.header, re)
		if err != nil {
			return nil, err
		}
		inFile := map[string]bool{}
		for _, r := range rows {
			c := r.fields[0]
			if inFile[c] {
				return nil, fmt.Errorf("%s:%d: %s %s listed twice", f.name, r.line, kind, c)
			}
			inFile[c] = true
			if _, ok := at[c]; ok {
				continue
			}
			at[c] = len(out)
			out = append(out, entry{code: c, description: r.fields[1], current: f.current, file: f.name, line: r.line})
		}
	}
	return out, nil
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
	p("// the current documentation's catalogue in testdata/%s and %s,\n", CurrentPayTypesFile, CurrentCurrenciesFile)
	p("// and the Go names and notes of internal/gentables/names.go.\n\n")
	p("package qfpay\n\n")

	p("// The pay types of the API's PayType table (section \"Payment Codes\"), then\n")
	p("// those QF Pay's current documentation adds (its pay-type catalogue).\n")
	p("const (\n")
	for _, pt := range t.payTypes {
		p("\t// PayType%s is %s: %s.\n", pt.name, pt.code, strings.TrimSuffix(pt.description, "."))
		if pt.current {
			p("\t// From QF Pay's current documentation; not in the API documentation.\n")
		}
		if pt.note != "" {
			p("\t//\n")
			for _, line := range wrap(pt.note, 72) {
				p("\t// %s\n", line)
			}
		}
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

	p("// The currencies of the API's currency table (section \"Currencies\"), then\n")
	p("// those QF Pay's current documentation adds.\n")
	p("const (\n")
	for _, c := range t.currencies {
		from := ""
		if c.current {
			from = " (current documentation)"
		}
		p("\tCurrency%s Currency = %q // %s%s\n", c.code, c.code, c.description, from)
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

// wrap splits text into lines of at most width bytes, breaking at spaces
// (a word longer than width stands alone on its line).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
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
