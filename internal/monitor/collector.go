package monitor

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Reviews gives the open review cases of env per reason and the oldest one's creation per reason
// (a *review.Service).
type Reviews interface {
	Counts(ctx context.Context, env kyc.Env) (map[string]int, map[string]time.Time, error)
}

// Deliveries gives env's pending webhook deliveries: how many, and the oldest one's creation
// (zero when none).
type Deliveries interface {
	PendingDeliveries(ctx context.Context, env kyc.Env) (int, time.Time, error)
}

// Lists gives the loaded sanctions lists as stored (a *screening.Service).
type Lists interface {
	Lists(ctx context.Context) ([]kyc.SanctionsList, error)
}

// Jobs gives River's unfinished jobs by queue and state (a *store.Store).
type Jobs interface {
	JobCounts(ctx context.Context) ([]store.JobCount, error)
}

// Sources are where Collector reads its gauges; a nil one is left out.
type Sources struct {
	Reviews    Reviews
	Deliveries Deliveries
	Lists      Lists
	Jobs       Jobs
	// ReviewReasons are the reasons a review case may have (review.Reasons): each is reported in
	// each environment, 0 when no case of it is open, so that a series does not vanish when its
	// queue empties.
	ReviewReasons []string
	// JobQueues are the queues kycd runs: each is reported in each of store.JobCountStates, 0
	// when it has no job in that state.
	JobQueues []string
}

// DefaultTimeout bounds each source's read during a scrape.
const DefaultTimeout = 3 * time.Second

// Collector is the prometheus.Collector of the gauges kycd reads from its database when /metrics
// is scraped (see the package doc). A source that fails or times out is logged at WARN, and
// kycd_metrics_source_up says which; the gauges it read before it failed are served, the others
// are missing from that scrape.
type Collector struct {
	src     Sources
	timeout time.Duration
	log     *slog.Logger
	now     func() time.Time

	reviewSize, reviewAge, pending, pendingAge, listAge, jobs, up *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns the collector of src; timeout bounds each source's read (DefaultTimeout
// when 0).
func NewCollector(src Sources, timeout time.Duration, log *slog.Logger) *Collector {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Collector{src: src, timeout: timeout, log: log, now: time.Now,
		reviewSize: prometheus.NewDesc("kycd_review_queue_size", "Open review cases by environment and reason, read from the database at scrape time.",
			[]string{"env", "reason"}, nil),
		reviewAge: prometheus.NewDesc("kycd_review_queue_oldest_age_seconds", "Age in seconds of the oldest open review case, by environment and reason.",
			[]string{"env", "reason"}, nil),
		pending: prometheus.NewDesc("kycd_webhook_deliveries_pending", "Webhook deliveries pending (queued or between attempts), by environment.",
			[]string{"env"}, nil),
		pendingAge: prometheus.NewDesc("kycd_webhook_oldest_pending_age_seconds", "Age in seconds of the oldest pending webhook delivery (0 when none), by environment.",
			[]string{"env"}, nil),
		listAge: prometheus.NewDesc("kycd_sanctions_list_age_seconds", "Seconds since each loaded sanctions list was last known to be its publisher's current version (stale after 30 days).",
			[]string{"list"}, nil),
		jobs: prometheus.NewDesc("kycd_river_jobs", "River jobs not yet finished (available, pending, scheduled, running, retryable) and discarded ones River still keeps, by queue and state.",
			[]string{"queue", "state"}, nil),
		up: prometheus.NewDesc("kycd_metrics_source_up", "1 when the source of database gauges (reviews, webhooks, sanctions-lists, jobs) answered within the scrape's timeout, else 0.",
			[]string{"source"}, nil),
	}
}

// Describe sends the descriptors of every gauge.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.reviewSize, c.reviewAge, c.pending, c.pendingAge, c.listAge, c.jobs, c.up} {
		ch <- d
	}
}

// envs are the environments gauges are read for.
var envs = []kyc.Env{kyc.EnvTest, kyc.EnvLive}

// Collect reads the sources side by side, each within the timeout, and sends their gauges.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	age := func(t time.Time) float64 {
		if t.IsZero() || t.After(now) {
			return 0
		}
		return now.Sub(t).Seconds()
	}
	var wg sync.WaitGroup
	if c.src.Reviews != nil {
		wg.Go(func() {
			c.read(ch, "reviews", func(ctx context.Context) error {
				for _, env := range envs {
					counts, oldest, err := c.src.Reviews.Counts(ctx, env)
					if err != nil {
						return err
					}
					for _, reason := range union(c.src.ReviewReasons, slices.Collect(maps.Keys(counts))) {
						gauge(c.reviewSize, float64(counts[reason]), string(env), reason)
						gauge(c.reviewAge, age(oldest[reason]), string(env), reason)
					}
				}
				return nil
			})
		})
	}
	if c.src.Deliveries != nil {
		wg.Go(func() {
			c.read(ch, "webhooks", func(ctx context.Context) error {
				for _, env := range envs {
					n, oldest, err := c.src.Deliveries.PendingDeliveries(ctx, env)
					if err != nil {
						return err
					}
					gauge(c.pending, float64(n), string(env))
					gauge(c.pendingAge, age(oldest), string(env))
				}
				return nil
			})
		})
	}
	if c.src.Lists != nil {
		wg.Go(func() {
			c.read(ch, "sanctions-lists", func(ctx context.Context) error {
				vs, err := c.src.Lists.Lists(ctx)
				if err != nil {
					return err
				}
				for _, v := range vs {
					gauge(c.listAge, age(v.KnownCurrent()), v.List)
				}
				return nil
			})
		})
	}
	if c.src.Jobs != nil {
		wg.Go(func() {
			c.read(ch, "jobs", func(ctx context.Context) error {
				counts, err := c.src.Jobs.JobCounts(ctx)
				if err != nil {
					return err
				}
				n := map[[2]string]int64{}
				queues := slices.Clone(c.src.JobQueues)
				for _, j := range counts {
					n[[2]string{j.Queue, j.State}] = j.N
					queues = append(queues, j.Queue)
				}
				for _, q := range union(queues, nil) {
					for _, state := range store.JobCountStates() {
						gauge(c.jobs, float64(n[[2]string{q, state}]), q, state)
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
}

// union is the distinct strings of a and b, sorted.
func union(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
}

// read runs one source under the timeout and sends whether it answered. The gauges it sent before
// failing stay: they are what was read.
func (c *Collector) read(ch chan<- prometheus.Metric, source string, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	up := 1.0
	if err := fn(ctx); err != nil {
		up = 0
		c.log.Warn("metrics: a database gauge could not be read", "source", source, "err", err)
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, source)
}
