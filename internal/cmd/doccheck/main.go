// Command doccheck fails when an exported name of a package has no doc
// comment. It is the CI gate that keeps `go doc -all` a complete reference:
//
//	go run ./internal/cmd/doccheck . ./qfpaytest
//
// Each argument is a package directory; its non-test Go files are read
// (build tags are not evaluated: every file counts). It reports, one line
// each as file:line: name: problem, and exits 1 when there is any:
//
//   - an exported function, method (of an exported type), type, constant or
//     variable without a doc comment; a constant or variable inside a
//     parenthesised group needs its own doc or line comment, the group's
//     comment describes the group;
//   - an exported field of an exported struct type, or an exported method
//     of an exported interface type, without a doc or line comment;
//   - a package without a package doc comment;
//   - a function, method or type whose doc comment does not start with its
//     name (an article, "A", "An" or "The", may come first for a type), as
//     go doc readers and Go's own conventions expect.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: doccheck DIR...")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run checks every directory of dirs and returns the exit status.
func run(dirs []string, stdout, stderr io.Writer) int {
	var problems []string
	for _, dir := range dirs {
		p, err := checkDir(dir)
		if err != nil {
			fmt.Fprintln(stderr, "doccheck:", err)
			return 2
		}
		problems = append(problems, p...)
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "doccheck: %d doc comment problem(s) above: document every exported name as go doc shows it\n", len(problems))
		return 1
	}
	fmt.Fprintf(stdout, "doccheck: every exported name of %s is documented\n", strings.Join(dirs, ", "))
	return 0
}

// checkDir parses the non-test Go files of dir and checks them.
func checkDir(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no Go files", dir)
	}
	return check(fset, files), nil
}

// check returns the problems of the files of one package, sorted by
// position.
func check(fset *token.FileSet, files []*ast.File) []string {
	var c checker
	c.fset = fset
	var pkg *ast.File // a file of the package, for the report of its doc
	pkgDoc := false
	for _, f := range files {
		if f.Name.Name == "main" {
			continue // a command exports nothing
		}
		if pkg == nil || f.Doc != nil {
			pkg = f
		}
		pkgDoc = pkgDoc || (f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "")
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				c.funcDecl(d)
			case *ast.GenDecl:
				c.genDecl(d)
			}
		}
	}
	if pkg != nil && !pkgDoc {
		c.report(pkg.Package, "package "+pkg.Name.Name, "no package doc comment")
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].pos < c.problems[j].pos })
	var out []string
	for _, p := range c.problems {
		out = append(out, p.text)
	}
	return out
}

type problem struct {
	pos  token.Pos
	text string
}

type checker struct {
	fset     *token.FileSet
	problems []problem
}

func (c *checker) report(pos token.Pos, name, format string, args ...any) {
	p := c.fset.Position(pos)
	c.problems = append(c.problems, problem{pos, fmt.Sprintf("%s:%d: %s: %s", p.Filename, p.Line, name, fmt.Sprintf(format, args...))})
}

func (c *checker) funcDecl(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	name := d.Name.Name
	if d.Recv != nil {
		recv := receiverType(d.Recv)
		if !ast.IsExported(recv) {
			return // not in go doc's output
		}
		name = recv + "." + name
	}
	c.needDoc(d.Pos(), name, d.Name.Name, d.Doc, false)
}

// receiverType names the type of a method's receiver: T of T, *T, T[P].
func receiverType(fl *ast.FieldList) string {
	if len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func (c *checker) genDecl(d *ast.GenDecl) {
	grouped := d.Lparen.IsValid()
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			doc := s.Doc
			if doc == nil && !grouped {
				doc = d.Doc
			}
			c.needDoc(s.Pos(), s.Name.Name, s.Name.Name, doc, true)
			c.members(s.Name.Name, s.Type)
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if !n.IsExported() {
					continue
				}
				documented := s.Doc != nil || s.Comment != nil || (!grouped && d.Doc != nil)
				if !documented {
					c.report(n.Pos(), n.Name, "exported %s without a doc comment", d.Tok)
				}
			}
		}
	}
}

// members checks the fields of an exported struct type and the methods of
// an exported interface type.
func (c *checker) members(typeName string, t ast.Expr) {
	var list *ast.FieldList
	what := "field"
	switch t := t.(type) {
	case *ast.StructType:
		list = t.Fields
	case *ast.InterfaceType:
		list, what = t.Methods, "method"
	default:
		return
	}
	for _, f := range list.List {
		names := f.Names
		if len(names) == 0 { // embedded
			if id := embeddedName(f.Type); id != nil {
				names = []*ast.Ident{id}
			}
		}
		for _, n := range names {
			if !n.IsExported() {
				continue
			}
			if f.Doc == nil && f.Comment == nil {
				c.report(n.Pos(), typeName+"."+n.Name, "exported %s without a doc comment", what)
			}
		}
	}
}

// embeddedName is the name an embedded field or interface is known by.
func embeddedName(t ast.Expr) *ast.Ident {
	switch x := t.(type) {
	case *ast.Ident:
		return x
	case *ast.StarExpr:
		return embeddedName(x.X)
	case *ast.SelectorExpr:
		return x.Sel
	case *ast.IndexExpr:
		return embeddedName(x.X)
	case *ast.IndexListExpr:
		return embeddedName(x.X)
	}
	return nil
}

// needDoc reports a missing doc comment, or one that does not start with
// the declared name (after an article, for a type).
func (c *checker) needDoc(pos token.Pos, name, ident string, doc *ast.CommentGroup, isType bool) {
	if doc == nil || strings.TrimSpace(doc.Text()) == "" {
		c.report(pos, name, "exported declaration without a doc comment")
		return
	}
	text := doc.Text()
	if isType {
		for _, article := range []string{"A ", "An ", "The "} {
			if rest, ok := strings.CutPrefix(text, article); ok && startsWithWord(rest, ident) {
				return
			}
		}
	}
	if !startsWithWord(text, ident) {
		first, _, _ := strings.Cut(text, "\n")
		c.report(pos, name, "doc comment should start with %q, not %q", ident, first)
	}
}

// startsWithWord tells whether text starts with word followed by a
// non-identifier character (or nothing).
func startsWithWord(text, word string) bool {
	rest, ok := strings.CutPrefix(text, word)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	r := rest[0]
	return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}
