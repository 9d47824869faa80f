package examples_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServersSetTimeouts reads every example program's source: each
// http.Server it makes sets ReadHeaderTimeout, ReadTimeout and
// WriteTimeout, so that a slow or stalled client cannot hold a connection
// (and its goroutine) open for ever. The examples are copied into
// merchants' code; their servers must be safe to copy.
func TestServersSetTimeouts(t *testing.T) {
	want := []string{"ReadHeaderTimeout", "ReadTimeout", "WriteTimeout"}
	servers := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Server" {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "http" {
				return true
			}
			servers++
			set := map[string]bool{}
			for _, elt := range lit.Elts {
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.Ident); ok {
						set[key.Name] = true
					}
				}
			}
			for _, field := range want {
				assert.True(t, set[field], "%s: http.Server without %s", fset.Position(lit.Pos()), field)
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, servers, 2, "the servers of quickstart and notify-server were found")
}
