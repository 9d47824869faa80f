package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problems parses src as the file p.go of a package, beside a doc.go
// holding the package's doc comment, and checks them.
func problems(t *testing.T, src string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	require.NoError(t, err)
	doc, err := parser.ParseFile(fset, "doc.go", "// Package "+f.Name.Name+" is.\npackage "+f.Name.Name+"\n", parser.ParseComments)
	require.NoError(t, err)
	return check(fset, []*ast.File{doc, f})
}

func TestCheckPackageDoc(t *testing.T) {
	fset := token.NewFileSet()
	parse := func(name, src string) *ast.File {
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		require.NoError(t, err)
		return f
	}
	a, b := parse("a.go", "package p\n"), parse("b.go", "package p\n")
	assert.Equal(t, []string{"a.go:1: package p: no package doc comment"}, check(fset, []*ast.File{a, b}))
	documented := parse("c.go", "// Package p is.\npackage p\n")
	assert.Empty(t, check(fset, []*ast.File{a, documented, b}), "one file's doc is the package's")
	assert.Empty(t, check(fset, []*ast.File{parse("m.go", "package main\n")}), "a command is not checked")
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"documented", `package p
// F does.
func F() {}
// T is.
type T struct {
	// A is.
	A int
	B, C int // B and C are.
	d int
}
// M does.
func (T) M() {}
// N does.
func (*T) N() {}
// K is.
const K = 1
// V is.
var V = 1
// The group.
const (
	// X is.
	X = 1
	Y = 2 // Y is.
	z = 3
)
// I is.
type I interface {
	// Do does.
	Do()
}
`, nil},
		{"undocumented function", "package p\nfunc F() {}\n", []string{"p.go:2: F: exported declaration without a doc comment"}},
		{"unexported names need nothing", "package p\nfunc f() {}\ntype t struct{ A int }\nfunc (t) M() {}\nvar v = 1\n", nil},
		{"undocumented method", "package p\n// T is.\ntype T int\nfunc (T) M() {}\n", []string{"p.go:4: T.M: exported declaration without a doc comment"}},
		{"method of a generic type", "package p\n// T is.\ntype T[P any] struct{}\nfunc (*T[P]) M() {}\n", []string{"p.go:4: T.M: exported declaration without a doc comment"}},
		{"doc not starting with the name", "package p\n// Does things.\nfunc F() {}\n",
			[]string{`p.go:3: F: doc comment should start with "F", not "Does things."`}},
		{"doc naming a longer word", "package p\n// Foo does.\nfunc F() {}\n",
			[]string{`p.go:3: F: doc comment should start with "F", not "Foo does."`}},
		{"method doc not starting with its name", "package p\n// T is.\ntype T int\n// T.M does.\nfunc (T) M() {}\n",
			[]string{`p.go:5: T.M: doc comment should start with "M", not "T.M does."`}},
		{"type after an article", "package p\n// A T is.\ntype T int\n// An U is.\ntype U int\n// The V is.\ntype V int\n", nil},
		{"function after an article", "package p\n// The F does.\nfunc F() {}\n",
			[]string{`p.go:3: F: doc comment should start with "F", not "The F does."`}},
		{"type in a documented group", "package p\n// Types.\ntype (\n\tT int\n\t// U is.\n\tU int\n)\n",
			[]string{"p.go:4: T: exported declaration without a doc comment"}},
		{"constant of a documented group", "package p\n// The group.\nconst (\n\tX = 1\n)\n",
			[]string{"p.go:4: X: exported const without a doc comment"}},
		{"undocumented variable", "package p\nvar V, w, W = 1, 2, 3\n",
			[]string{"p.go:2: V: exported var without a doc comment", "p.go:2: W: exported var without a doc comment"}},
		{"undocumented field", "package p\n// T is.\ntype T struct {\n\tA int\n\tb int\n}\n",
			[]string{"p.go:4: T.A: exported field without a doc comment"}},
		{"undocumented embedded field", "package p\nimport \"io\"\n// T is.\ntype T struct {\n\tio.Reader\n\t*U\n}\n// U is.\ntype U struct{}\n",
			[]string{"p.go:5: T.Reader: exported field without a doc comment", "p.go:6: T.U: exported field without a doc comment"}},
		{"fields of an unexported type", "package p\ntype t struct {\n\tA int\n}\n", nil},
		{"undocumented interface method", "package p\n// I is.\ntype I interface {\n\tDo()\n\tio.Reader // Reader is.\n}\n",
			[]string{"p.go:4: I.Do: exported method without a doc comment"}},
		{"blank doc", "package p\n//\nfunc F() {}\n", []string{"p.go:3: F: exported declaration without a doc comment"}},
		{"a command exports nothing", "package main\nfunc F() {}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, problems(t, tt.src))
		})
	}
}

func TestRun(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, src := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
		}
		return dir
	}
	good := write(t, map[string]string{
		"a.go":      "// Package p is.\npackage p\n// F does.\nfunc F() {}\n",
		"a_test.go": "package p\nfunc G() {}\n", // test files are not checked
	})
	noDoc := write(t, map[string]string{"a.go": "package p\n"})
	bad := write(t, map[string]string{"a.go": "// Package p is.\npackage p\nfunc F() {}\n// G does.\nfunc G() {}\nfunc H() {}\n"})
	tests := []struct {
		name       string
		dirs       []string
		wantStatus int
		wantOut    string
		wantErr    string
	}{
		{"documented", []string{good}, 0, "doccheck: every exported name of " + good + " is documented\n", ""},
		{"undocumented", []string{good, bad}, 1,
			filepath.Join(bad, "a.go") + ":3: F: exported declaration without a doc comment\n" +
				filepath.Join(bad, "a.go") + ":6: H: exported declaration without a doc comment\n" +
				"doccheck: 2 doc comment problem(s) above: document every exported name as go doc shows it\n", ""},
		{"no Go files", []string{t.TempDir()}, 2, "", "no Go files"},
		{"not Go", []string{write(t, map[string]string{"a.go": "package p\nfunc {"})}, 2, "", "a.go:2:6: expected"},
		{"no package doc", []string{noDoc}, 1, filepath.Join(noDoc, "a.go") + ":1: package p: no package doc comment\n" +
			"doccheck: 1 doc comment problem(s) above: document every exported name as go doc shows it\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantStatus, run(tt.dirs, &stdout, &stderr))
			assert.Equal(t, tt.wantOut, stdout.String())
			if tt.wantErr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.True(t, strings.HasPrefix(stderr.String(), "doccheck: "), stderr.String())
				assert.Contains(t, stderr.String(), tt.wantErr)
			}
		})
	}
}
