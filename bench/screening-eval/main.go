// Command screening-eval measures kycd's sanctions matcher on the shipped lists: load time and
// heap, a labelled evaluation (precision, recall and F1 at the default threshold) generated from
// the OFAC files, single-query latency and single-client throughput, and batch throughput. It
// reads ../shared/data/sanctions relative to the repository root and prints a report for
// bench/README.md. Built on an older commit (its bench/screening-eval replaced by this one), it
// measures that commit's matcher on the same queries.
//
//	go run ./bench/screening-eval [-data ../shared/data] [-batch 100000] [-seed 1]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kycd/internal/screening/lists"
	"kycd/internal/screening/match"
)

func main() {
	data := flag.String("data", filepath.Join("..", "shared", "data"), "folder holding sanctions/ofac-2024-01 and sanctions/ofac-consolidated (else $KYCD_SHARED_DATA)")
	batch := flag.Int("batch", 100_000, "screenings in the batch throughput run")
	seed := flag.Uint64("seed", 1, "seed of the generated evaluation")
	verbose := flag.Bool("v", false, "print every wrong answer")
	query := flag.String("q", "", "only print the hits of this name, with scores down to 0.5")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the single-query run to this file")
	half := flag.String("half", heldOut, "which half of the evaluation to report: tune, held-out or all (tune only on tune)")
	flag.Parse()
	if *half != tune && *half != heldOut && *half != "all" {
		fmt.Fprintln(os.Stderr, "screening-eval: -half is tune, held-out or all")
		os.Exit(2)
	}
	profile = *cpuprofile
	if err := run(*data, *batch, *seed, *verbose, *query, *half); err != nil {
		fmt.Fprintln(os.Stderr, "screening-eval:", err)
		os.Exit(1)
	}
}

func run(data string, batch int, seed uint64, verbose bool, query, half string) error {
	if _, err := os.Stat(filepath.Join(data, "sanctions")); err != nil && os.Getenv("KYCD_SHARED_DATA") != "" {
		data = os.Getenv("KYCD_SHARED_DATA")
	}
	dirs := []string{filepath.Join(data, "sanctions", "ofac-2024-01"), filepath.Join(data, "sanctions", "ofac-consolidated")}
	if _, err := os.Stat(dirs[0]); err != nil {
		fmt.Println("skipped: ../shared/data not found")
		return nil
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	var entries []match.Entry
	for _, d := range dirs {
		_, es, _, err := lists.ReadOFACDir(d)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	ix := match.NewIndex(entries)
	load := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / (1 << 20)
	aliases := 0
	for _, e := range entries {
		aliases += len(e.Aliases)
	}
	fmt.Printf("load: %d entries, %d aliases, parse+index %s, heap after load %.1f MiB (total heap %.1f MiB)\n",
		len(entries), aliases, load.Round(time.Millisecond), heap, float64(after.HeapAlloc)/(1<<20))

	if query != "" {
		fmt.Println("tokens:", match.Tokens(query))
		for _, h := range ix.Search(match.Query{Name: query, MinScore: 0.5}) {
			fmt.Printf("%.3f %s:%s %q %v tokens %v\n", h.Score, h.Entry.List, h.Entry.ID, h.MatchedName, h.Why, match.Tokens(h.MatchedName))
		}
		return nil
	}
	cases := generate(entries, seed)
	evalCases := pick(cases, half)
	ev := evaluate(ix, evalCases, verbose)
	fmt.Printf("evaluation on the %s half (%d of %d queries) at threshold %.2f:\n", half, len(evalCases), len(cases), match.DefaultThreshold)
	fmt.Printf("  TP %d  FN %d  FP %d  TN %d  precision %.3f  recall %.3f  F1 %.3f\n", ev.tp, ev.fn, ev.fp, ev.tn, ev.precision(), ev.recall(), ev.f1())
	fmt.Print(ev.table())
	for _, t := range []float64{0.75, 0.80, 0.85, 0.90} {
		e := evaluateAt(ix, evalCases, t)
		fmt.Printf("  at %.2f: precision %.3f recall %.3f F1 %.3f\n", t, e.precision(), e.recall(), e.f1())
	}

	queries := make([]match.Query, 0, batch)
	for len(queries) < batch {
		for _, c := range cases {
			queries = append(queries, c.q)
			if len(queries) == batch {
				break
			}
		}
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, 20000)
	var sum time.Duration
	for _, q := range queries[:min(20000, len(queries))] {
		t := time.Now()
		ix.Search(q)
		d := time.Since(t)
		lat = append(lat, d)
		sum += d
	}
	pprof.StopCPUProfile()
	slices.Sort(lat)
	fmt.Printf("single query (%d, one goroutine): p50 %s  p99 %s  max %s  mean %s = %.0f queries/s for one client\n", len(lat),
		micro(lat[len(lat)/2]), micro(lat[len(lat)*99/100]), micro(lat[len(lat)-1]), micro(sum/time.Duration(len(lat))), float64(len(lat))/sum.Seconds())

	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var wg sync.WaitGroup
	t := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(queries)) {
					return
				}
				ix.Search(queries[i])
			}
		}()
	}
	wg.Wait()
	el := time.Since(t)
	fmt.Printf("batch: %d screenings on %d cores in %s = %.0f screenings/s\n", len(queries), workers, el.Round(time.Millisecond), float64(len(queries))/el.Seconds())
	return nil
}

// profile is where -cpuprofile writes.
var profile string

func micro(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1000) }

// labelled is one query of the evaluation: want is the entry it must find ("" for a negative).
type labelled struct {
	q     match.Query
	want  string
	class string
	half  string
}

// classCount is one class's queries and how many of them the matcher got right.
type classCount struct{ n, right int }

type result struct {
	tp, fn, fp, tn int
	classes        map[string]*classCount
}

func (r result) precision() float64 { return float64(r.tp) / float64(max(1, r.tp+r.fp)) }
func (r result) recall() float64    { return float64(r.tp) / float64(max(1, r.tp+r.fn)) }
func (r result) f1() float64 {
	p, c := r.precision(), r.recall()
	return 2 * p * c / max(p+c, 1e-9)
}

// table prints one line per class: recall for the classes of listed names, the false-positive
// rate for the classes of names not on the lists.
func (r result) table() string {
	var ks []string
	for k := range r.classes {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	var b strings.Builder
	b.WriteString("  | class | queries | recall | false-positive rate |\n  | --- | ---: | ---: | ---: |\n")
	for _, k := range ks {
		c := r.classes[k]
		if strings.HasPrefix(k, "neg-") {
			fmt.Fprintf(&b, "  | %s | %d | | %.3f (%d) |\n", k, c.n, float64(c.n-c.right)/float64(max(c.n, 1)), c.n-c.right)
		} else {
			fmt.Fprintf(&b, "  | %s | %d | %.3f (%d missed) | |\n", k, c.n, float64(c.right)/float64(max(c.n, 1)), c.n-c.right)
		}
	}
	return b.String()
}

// pick keeps the cases of one half ("all" keeps every case).
func pick(cases []labelled, half string) []labelled {
	if half == "all" {
		return cases
	}
	var out []labelled
	for _, c := range cases {
		if c.half == half {
			out = append(out, c)
		}
	}
	return out
}

func evaluate(ix *match.Index, cases []labelled, verbose bool) result {
	r := result{classes: map[string]*classCount{}}
	for _, c := range cases {
		hits := ix.Search(c.q)
		cc := r.classes[c.class]
		if cc == nil {
			cc = &classCount{}
			r.classes[c.class] = cc
		}
		cc.n++
		if c.want == "" {
			if len(hits) > 0 {
				r.fp++
				if verbose {
					fmt.Printf("FP [%s] %q -> %q (%s) %.2f %v\n", c.class, c.q.Name, hits[0].MatchedName, hits[0].Entry.ID, hits[0].Score, hits[0].Why)
				}
			} else {
				r.tn++
				cc.right++
			}
			continue
		}
		if slices.ContainsFunc(hits, func(h match.Hit) bool { return h.Entry.List+":"+h.Entry.ID == c.want }) {
			r.tp++
			cc.right++
		} else {
			r.fn++
			if verbose {
				fmt.Printf("FN [%s] %q want %s\n", c.class, c.q.Name, c.want)
			}
		}
	}
	return r
}

func evaluateAt(ix *match.Index, cases []labelled, t float64) result {
	cs := make([]labelled, len(cases))
	for i, c := range cases {
		c.q.MinScore = t
		cs[i] = c
	}
	return evaluate(ix, cs, false)
}
