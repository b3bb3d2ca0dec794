package store_test

import (
	"strings"
	"testing"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// TestMetricsGaugesReadIndexes: what /metrics reads at every scrape of every replica is answered
// by an index sized by the backlog, never by a scan of a table that grows with the installation's
// history: the pending webhook deliveries by webhook_deliveries_pending (a partial index, alone),
// River's unfinished jobs by River's fetch index. (The review queue's counts are checked with the
// console's, in TestListsAndTheDecisionUseIndexes.)
func TestMetricsGaugesReadIndexes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		pending := traceOf(t, st, func() error {
			_, _, err := webhook.NewRepository(st).PendingDeliveries(ctx, "live")
			return err
		})
		jobs := traceOf(t, st, func() error { _, err := st.JobCounts(ctx); return err })
		for _, c := range []struct {
			name  string
			stmts []statement
			index string
		}{{"pending webhook deliveries", pending, "webhook_deliveries_pending"}, {"River jobs", jobs, "river_job_prioritized_fetching_index"}} {
			if len(c.stmts) != 1 {
				t.Fatalf("%s: %d statements", c.name, len(c.stmts))
			}
			plan, err := st.QueryPlanWith(ctx, []string{"enable_bitmapscan = off"}, c.stmts[0].query, c.stmts[0].args...)
			if err != nil {
				t.Fatal(err)
			}
			if sqliteFullScan.MatchString(plan) || strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, c.index) {
				t.Errorf("%s: not read through %s:\n%s\n%s", c.name, c.index, c.stmts[0].query, plan)
			}
		}
	})
}
