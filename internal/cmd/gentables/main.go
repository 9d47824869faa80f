// Command gentables writes qfpay's tables_gen.go (the pay-type, currency
// and return-code tables) from the extracts of the API documentation in
// testdata; see package internal/gentables. The root package runs it with
// go generate:
//
//	go run ./internal/cmd/gentables -spec testdata -o tables_gen.go
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/qfpay-go/qfpay/internal/gentables"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run parses the flags, generates the file and returns the exit status.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("gentables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "testdata", "directory holding the spec_*.txt extracts")
	out := fs.String("o", "tables_gen.go", "file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gentables: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := gentables.WriteFile(*spec, *out); err != nil {
		fmt.Fprintln(stderr, "gentables:", err)
		return 1
	}
	return 0
}
