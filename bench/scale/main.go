// Command scale runs complete KYC journeys at a fixed rate through several `kycd serve` replicas
// behind a load balancer, kills one replica with SIGKILL a third of the way in and restarts it a
// third later, and then checks that nothing was lost: every resource a 2xx answer named exists
// (uploaded files byte for byte), every document was decided exactly once, every event reached
// every webhook subscription (duplicates counted, allowed only as the README's at-least-once rule
// allows: around a crash), and no River job is left running or retrying.
//
// Setup, all on 127.0.0.1: PostgreSQL (a database created for the run and dropped after it) or
// SQLite, an S3-compatible store (versitygw; -s3, or one the command starts from PATH), N replicas
// of the built kycd sharing one master key, database and bucket, the benchmark's own reverse proxy
// (round robin over the replicas it holds healthy: a failed connection marks a replica down,
// /readyz polled every 250 ms marks it up or down), and a webhook receiver with two subscriptions
// to every event that verifies each signature with its own code.
//
// Workload: a journey every 1/-rate seconds (open loop: a slow answer does not delay the next
// start; at most -inflight journeys at once, more are counted as not started), each one
// applicant with a KYC request for a passport with a selfie, then one of three ways in turn:
// the /v1 API (three uploads, the document), the app endpoints (an applicant token, three uploads,
// the profile update) or the hosted flow's forms (the link, the identity form with the front and
// back, the selfie form); then it polls the document until it is decided, accepting it through
// the review API when the checks hold it for a person. The images come from
// bench/internal/idimages: -sets distinct passport applications, reused in turn with bytes made
// unique per journey, so the first use of a set is accepted and later ones are rejected by the
// duplicate checks; on the first use of every fourth set the journey types a passport number the
// zone does not carry, so the checks hold the document for review and the journey accepts it
// through the review API.
//
// Configurations (-config): sqlite (one process), pg1 (PostgreSQL, one replica), pg3 (PostgreSQL,
// three replicas, kill and restart), all (the three in turn).
//
// Usage, from the module's root:
//
//	go run ./bench/scale -config all
//	go run ./bench/scale -config pg3 -duration 1m -rate 0.5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/pgdb"
)

// options are the command's flags.
type options struct {
	server   cli.ServerFlags
	configs  []config
	s3       string
	duration time.Duration
	rate     float64
	inflight int
	sets     int
	wait     time.Duration
	settle   time.Duration
}

// config is one configuration of the benchmark.
type config struct {
	name     string
	postgres bool
	replicas int
	kill     bool
}

var configs = map[string]config{
	"sqlite": {name: "SQLite, 1 process", replicas: 1},
	"pg1":    {name: "PostgreSQL, 1 replica", postgres: true, replicas: 1},
	"pg3":    {name: "PostgreSQL, 3 replicas, one killed", postgres: true, replicas: 3, kill: true},
}

func main() { cli.Main("scale", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.Register()
	flag.StringVar(&o.server.PG, "pg", pgdb.DefaultURL(), "PostgreSQL server to create the run's database on (env KYCD_BENCH_POSTGRES_URL)")
	cfg := flag.String("config", "all", "sqlite, pg1, pg3 or all (comma-separated)")
	flag.StringVar(&o.s3, "s3", defaultS3(), "kycd blob URL of an S3 bucket (env KYCD_BENCH_S3_URL, else KYCD_TEST_S3_URL); empty starts versitygw from PATH")
	flag.DurationVar(&o.duration, "duration", 150*time.Second, "time journeys are started for")
	flag.Float64Var(&o.rate, "rate", 2, "journeys started per second")
	flag.IntVar(&o.inflight, "inflight", 48, "most journeys at once; a start beyond it is counted as not started")
	flag.IntVar(&o.sets, "sets", 12, "distinct passport applications (image sets) generated, reused in turn")
	flag.DurationVar(&o.wait, "wait", 2*time.Minute, "longest wait for one document's decision")
	flag.DurationVar(&o.settle, "settle", 2*time.Minute, "longest wait after the load for deliveries and jobs to finish")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	names := strings.Split(*cfg, ",")
	if *cfg == "all" {
		names = []string{"sqlite", "pg1", "pg3"}
	}
	for _, n := range names {
		c, ok := configs[strings.TrimSpace(n)]
		if !ok {
			return o, fmt.Errorf("-config %q: want sqlite, pg1, pg3 or all", n)
		}
		o.configs = append(o.configs, c)
	}
	if o.duration <= 0 || o.rate <= 0 || o.inflight < 1 || o.sets < 1 || o.wait <= 0 || o.settle <= 0 {
		return o, errors.New("-duration, -rate, -inflight, -sets, -wait and -settle must be positive")
	}
	return o, nil
}

func defaultS3() string {
	if u := os.Getenv("KYCD_BENCH_S3_URL"); u != "" {
		return u
	}
	return os.Getenv("KYCD_TEST_S3_URL")
}

func run(ctx context.Context, o options) error {
	var failures []error
	reports, err := runAll(ctx, o)
	for _, r := range reports {
		r.print(os.Stdout)
		failures = append(failures, r.failures...)
	}
	return errors.Join(append(failures, err)...)
}
