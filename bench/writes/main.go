// Command writes measures audited writes per second on PostgreSQL with several `kycd serve`
// processes sharing one database, the way replicas behind a load balancer do (issue 15, item 4:
// every audited write used to queue on one audit head row per environment).
//
// For each process count in -procs and each repetition, and for each binary (-bin, and -before
// when set, measured alternately so both see the same machine load), it creates a fresh database
// on the -pg server, starts that many `kycd serve` processes on 127.0.0.1 with one master key,
// then -clients concurrent clients create applicants (POST /v1/applicants, one audited
// transaction each), each sending its requests to the processes in turn, for -warmup and then
// -duration. It reports, per run, the writes per second over -duration, p50 and p99 latency, and
// the ratio to the -before run of the same process count and repetition. Any failed request or a
// process that does not stop cleanly fails the command.
//
// Usage, from the module's root:
//
//	go run ./bench/writes
//	go run ./bench/writes -before /tmp/kycd-before -procs 1,3 -repeat 2 -duration 20s
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/pgdb"
	"kycd/bench/internal/server"
)

// options are the command's flags.
type options struct {
	server   cli.ServerFlags
	before   string
	procs    []int
	clients  int
	duration time.Duration
	warmup   time.Duration
	repeat   int
}

func main() { cli.Main("writes", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.Register()
	flag.StringVar(&o.server.PG, "pg", pgdb.DefaultURL(), "PostgreSQL server to create each run's database on (env KYCD_BENCH_POSTGRES_URL)")
	flag.StringVar(&o.before, "before", "", "a kycd binary to compare with (built from an earlier commit); empty measures -bin only")
	procs := flag.String("procs", "1,3", "comma-separated numbers of kycd serve processes")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients, over all processes")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time of each run")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured time before each run's measurement")
	flag.IntVar(&o.repeat, "repeat", 2, "runs of each binary and process count")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	for f := range strings.SplitSeq(*procs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-procs %q: want positive numbers separated by commas", *procs)
		}
		o.procs = append(o.procs, n)
	}
	if o.clients < 1 || o.duration <= 0 || o.warmup < 0 || o.repeat < 1 {
		return o, errors.New("-clients, -duration and -repeat must be positive, -warmup not negative")
	}
	return o, nil
}

// result is one run's measurement.
type result struct {
	writes   int
	perSec   float64
	p50, p99 time.Duration
}

func run(ctx context.Context, o options) error {
	if o.server.Bin == "" {
		fmt.Fprintln(os.Stderr, "building kycd/cmd/kycd...")
	}
	bin, cleanup, err := server.Binary(ctx, o.server.Bin)
	if err != nil {
		return err
	}
	defer cleanup()
	type variant struct{ name, bin string }
	variants := []variant{{"after", bin}}
	if o.before != "" {
		variants = []variant{{"before", o.before}, {"after", bin}}
	}
	fmt.Printf("# audited writes: %s; %d clients, %s measured after %s warm-up; %s\n\n",
		host.Describe(), o.clients, o.duration, o.warmup, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Println("| binary | processes | run | writes/s | p50 | p99 | vs before |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, n := range o.procs {
		for r := 1; r <= o.repeat; r++ {
			var base float64
			for _, v := range variants {
				res, err := measure(ctx, o, v.bin, n)
				if err != nil {
					return fmt.Errorf("%s, %d processes: %w", v.name, n, err)
				}
				ratio := "-"
				if v.name == "before" {
					base = res.perSec
				} else if base > 0 {
					ratio = fmt.Sprintf("%.2fx", res.perSec/base)
				}
				fmt.Printf("| %s | %d | %d | %.0f | %s | %s | %s |\n", v.name, n, r, res.perSec,
					res.p50.Round(100*time.Microsecond), res.p99.Round(100*time.Microsecond), ratio)
			}
		}
	}
	return nil
}

// measure runs procs servers of bin on a fresh database and drives writes at them.
func measure(ctx context.Context, o options, bin string, procs int) (res result, err error) {
	db, err := pgdb.Create(ctx, o.server.PG)
	if err != nil {
		return res, err
	}
	defer func() {
		if derr := db.Drop(context.WithoutCancel(ctx)); derr != nil && err == nil {
			err = derr
		}
	}()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := server.Config{Bin: bin, DatabaseURL: db.URL, Env: []string{"KYCD_MASTER_KEY=" + base64.StdEncoding.EncodeToString(key)}}
	var servers []*server.Server
	defer func() {
		for _, s := range servers {
			if serr := s.Stop(30 * time.Second); serr != nil && err == nil {
				err = fmt.Errorf("server %s did not stop cleanly: %w\n%s", s.URL, serr, s.Tail(20))
			}
			_ = s.Remove()
		}
	}()
	// One at a time: the first migrates the new database, the others find it done.
	for range procs {
		s, err := server.Start(ctx, cfg)
		if err != nil {
			return res, err
		}
		servers = append(servers, s)
	}
	clients := make([]*client.Client, procs)
	for i, s := range servers {
		clients[i] = client.New(s.URL, s.Key, o.clients)
	}
	return drive(ctx, clients, o.clients, o.warmup, o.duration)
}

// drive runs n workers that create applicants, each sending its requests to clients in turn, and
// measures those that start after warmup and end before warmup+duration.
func drive(ctx context.Context, clients []*client.Client, n int, warmup, duration time.Duration) (result, error) {
	start := time.Now()
	from, until := start.Add(warmup), start.Add(warmup+duration)
	ctx, cancel := context.WithDeadline(ctx, until.Add(time.Minute))
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			var mine []time.Duration
			for i := 0; ; i++ {
				t0 := time.Now()
				if !t0.Before(until) {
					break
				}
				_, err := clients[(w+i)%len(clients)].CreateApplicant(ctx, fmt.Sprintf("w%d-%d", w, i))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if t1 := time.Now(); !t0.Before(from) && !t1.After(until) {
					mine = append(mine, t1.Sub(t0))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return result{}, firstErr
	}
	return summarize(lat, duration), nil
}

// summarize turns the latencies of the writes measured over duration into a result.
func summarize(lat []time.Duration, duration time.Duration) result {
	if len(lat) == 0 {
		return result{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return result{writes: len(lat), perSec: float64(len(lat)) / duration.Seconds(), p50: at(0.50), p99: at(0.99)}
}
