// Command benchpairs measures each benchmark of a package beside its
// baseline (BenchmarkX beside BenchmarkXBaseline) the way the README's
// Performance table was measured: the test binary built once, then rounds
// of alternating -count=1 runs of a benchmark and its baseline, so that a
// machine whose load drifts weighs on both alike, and the medians of the
// rounds compared.
//
//	go run ./internal/benchpairs -rounds 5 . ./qfpaytest
//
// It prints, per pair, the median of each metric (ns/op, allocs/op and
// the benchmarks' own, such as ns/tx) and the ratio of the medians.
// -pair adds pairs of other names, such as a sub-benchmark beside another:
//
//	go run ./internal/benchpairs -run '^$' -benchtime 3x \
//		-pair ServerTransactions/100k=ServerTransactions/1k ./qfpaytest
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	rounds := flag.Int("rounds", 5, "alternating runs of each benchmark and its baseline")
	benchtime := flag.String("benchtime", "1s", "the -benchtime of each run")
	match := flag.String("run", ".", "only the X/XBaseline pairs whose name matches this regular expression")
	var extra pairList
	flag.Var(&extra, "pair", "a pair A=B of benchmark names without the Benchmark prefix (sub-benchmarks as Name/sub); repeatable")
	flag.Parse()
	pkgs := flag.Args()
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	only := regexp.MustCompile(*match)
	dir, err := os.MkdirTemp("", "benchpairs")
	check(err)
	defer os.RemoveAll(dir)
	for _, pkg := range pkgs {
		bin := filepath.Join(dir, strings.NewReplacer("/", "_", ".", "_").Replace(pkg)+".test")
		run(exec.Command("go", "test", "-c", "-o", bin, pkg))
		pkgDir, err := filepath.Abs(pkg)
		check(err)
		names := strings.Fields(run(cmdIn(pkgDir, bin, "-test.list", "^Benchmark")))
		fmt.Printf("%s (%d rounds, -benchtime %s)\n", pkg, *rounds, *benchtime)
		var pairs [][2]string
		for _, name := range names {
			if base := name + "Baseline"; slices.Contains(names, base) && only.MatchString(name) {
				pairs = append(pairs, [2]string{name, base})
			}
		}
		for _, p := range extra {
			pairs = append(pairs, [2]string{"Benchmark" + p[0], "Benchmark" + p[1]})
		}
		for _, p := range pairs {
			results := map[string]map[string][]float64{p[0]: {}, p[1]: {}}
			for range *rounds {
				for _, b := range p {
					out := run(cmdIn(pkgDir, bin, "-test.run", "^$", "-test.bench", benchPattern(b), "-test.benchmem",
						"-test.count", "1", "-test.benchtime", *benchtime))
					for metric, v := range parse(out) {
						results[b][metric] = append(results[b][metric], v)
					}
				}
			}
			report(p[0], p[1], results)
		}
	}
}

// benchPattern is the -test.bench pattern of exactly the benchmark name
// (Name or Name/sub).
func benchPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// pairList is the -pair flag.
type pairList [][2]string

func (l *pairList) String() string { return fmt.Sprint(*l) }

func (l *pairList) Set(v string) error {
	a, b, ok := strings.Cut(v, "=")
	if !ok || a == "" || b == "" {
		return fmt.Errorf("want A=B, got %q", v)
	}
	*l = append(*l, [2]string{a, b})
	return nil
}

func cmdIn(dir, bin string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Dir = dir
	return c
}

// parse reads the metrics of one benchmark line: value then unit.
func parse(out string) map[string]float64 {
	m := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
	}
	return m
}

func report(name, base string, results map[string]map[string][]float64) {
	var units []string
	for u := range results[name] {
		units = append(units, u)
	}
	slices.Sort(units)
	fmt.Printf("  %s / %s\n", name, base)
	for _, u := range units {
		a, b := median(results[name][u]), median(results[base][u])
		ratio := "-"
		if b != 0 {
			ratio = fmt.Sprintf("%.2fx", a/b)
		}
		fmt.Printf("    %-10s %14.4g %14.4g  %s\n", u, a, b, ratio)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func run(c *exec.Cmd) string {
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s", strings.Join(c.Args, " "), err, out.String())
		os.Exit(1)
	}
	return out.String()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
