package monitor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"kycd/internal/kyc"
	"kycd/internal/monitor"
	"kycd/internal/store"
)

// slowJobs answers only when its context ends: a database that does not answer within the scrape.
type slowJobs struct{}

func (slowJobs) JobCounts(ctx context.Context) ([]store.JobCount, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// failingLists fails.
type failingLists struct{}

func (failingLists) Lists(context.Context) ([]kyc.SanctionsList, error) {
	return nil, errors.New("no such table")
}

// someDeliveries has one pending delivery in live, created a minute ago, none in test.
type someDeliveries struct{ at time.Time }

func (d someDeliveries) PendingDeliveries(_ context.Context, env kyc.Env) (int, time.Time, error) {
	if env == kyc.EnvLive {
		return 1, d.at, nil
	}
	return 0, time.Time{}, nil
}

// TestCollectorBoundsEachSource: a source that does not answer within the timeout, or fails, is
// reported down (kycd_metrics_source_up 0) and logged, without failing the scrape or holding it
// longer than the timeout; the others' gauges are served.
func TestCollectorBoundsEachSource(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c := monitor.NewCollector(monitor.Sources{Jobs: slowJobs{}, Lists: failingLists{}, Deliveries: someDeliveries{at: time.Now().Add(-time.Minute)}},
		50*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	began := time.Now()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 2*time.Second { // far more than 50 ms, far less than the slow source's never
		t.Errorf("a scrape took %v with a 50 ms timeout", took)
	}
	got := gauges(fams)
	for key, want := range map[string]float64{
		"kycd_metrics_source_up source=jobs": 0, "kycd_metrics_source_up source=sanctions-lists": 0, "kycd_metrics_source_up source=webhooks": 1,
		"kycd_webhook_deliveries_pending env=live": 1, "kycd_webhook_deliveries_pending env=test": 0, "kycd_webhook_oldest_pending_age_seconds env=test": 0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
	if age := got["kycd_webhook_oldest_pending_age_seconds env=live"]; age < 59 || age > 120 {
		t.Errorf("oldest pending age %v s, want about 60", age)
	}
	if len(got) != 7 {
		t.Errorf("%d series, want 7 (none of the failed sources): %v", len(got), got)
	}
	if s := logs.String(); !strings.Contains(s, "source=jobs") || !strings.Contains(s, "source=sanctions-lists") {
		t.Errorf("the failed sources were not logged: %s", s)
	}
}

// someReviews has two open document cases in live, the oldest an hour old, and none in test.
type someReviews struct{ at time.Time }

func (r someReviews) Counts(_ context.Context, env kyc.Env) (map[string]int, map[string]time.Time, error) {
	if env == kyc.EnvLive {
		return map[string]int{"document": 2}, map[string]time.Time{"document": r.at}, nil
	}
	return map[string]int{}, map[string]time.Time{}, nil
}

// someJobs has three retryable webhook jobs and one available job of a queue kycd was not told of.
type someJobs struct{}

func (someJobs) JobCounts(context.Context) ([]store.JobCount, error) {
	return []store.JobCount{{Queue: "webhooks", State: "retryable", N: 3}, {Queue: "elsewhere", State: "available", N: 1}}, nil
}

// TestCollectorReportsZeros: a reason with no open case and a queue with no job in a state are
// reported as 0, not left out, so that a series does not vanish when its queue empties; what the
// sources answer beyond the names given is reported too.
func TestCollectorReportsZeros(t *testing.T) {
	t.Parallel()
	c := monitor.NewCollector(monitor.Sources{Reviews: someReviews{at: time.Now().Add(-time.Hour)}, Jobs: someJobs{},
		ReviewReasons: []string{"sanctions", "document"}, JobQueues: []string{"default", "webhooks"}}, time.Second, slog.New(slog.DiscardHandler))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := gauges(fams)
	want := map[string]float64{
		"kycd_review_queue_size env=live reason=document": 2, "kycd_review_queue_size env=live reason=sanctions": 0,
		"kycd_review_queue_size env=test reason=document": 0, "kycd_review_queue_size env=test reason=sanctions": 0,
		"kycd_review_queue_oldest_age_seconds env=live reason=sanctions": 0, "kycd_review_queue_oldest_age_seconds env=test reason=document": 0,
		"kycd_river_jobs queue=webhooks state=retryable": 3, "kycd_river_jobs queue=webhooks state=available": 0,
		"kycd_river_jobs queue=default state=running": 0, "kycd_river_jobs queue=default state=discarded": 0,
		"kycd_river_jobs queue=elsewhere state=available": 1, "kycd_river_jobs queue=elsewhere state=pending": 0,
		"kycd_metrics_source_up source=reviews": 1, "kycd_metrics_source_up source=jobs": 1,
	}
	for key, v := range want {
		if g, ok := got[key]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", key, g, ok, v)
		}
	}
	if age := got["kycd_review_queue_oldest_age_seconds env=live reason=document"]; age < 3599 || age > 3700 {
		t.Errorf("oldest document case %v s old, want about 3600", age)
	}
	// 2 environments x 2 reasons x 2 gauges, 3 queues x 6 states, 2 sources.
	if n := 8 + 3*len(store.JobCountStates()) + 2; len(got) != n {
		t.Errorf("%d series, want %d: %v", len(got), n, got)
	}
}

// gauges is each gauge gathered, keyed by its name and labels ("name label=value ...").
func gauges(fams []*dto.MetricFamily) map[string]float64 {
	got := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			got[key] = m.GetGauge().GetValue()
		}
	}
	return got
}
