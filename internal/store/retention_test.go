package store_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestRetentionQueriesUseTheirIndexes: the retention job's batch queries find their candidates
// through the indexes of migration 00033 (applicants not erased by their update time, events with a
// payload by their time) and probe each applicant's documents, requests, screenings, shares and
// files through their (env, applicant_id, time) indexes, on both databases: no table is read
// whole, and no probe reads an environment's rows changed since the cutoff (nearly all of them).
func TestRetentionQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	fullScan := regexp.MustCompile(`(?m)Seq Scan|^.*\bSCAN \w+$|SCAN \w+ *$`)
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		for name, q := range store.RetentionQueries(time.Now(), 500) {
			plan, err := st.QueryPlan(t.Context(), q.Query, q.Args...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			index := "applicants_retention"
			if name == "events" {
				index = "events_payload_kept"
			}
			if !strings.Contains(plan, index) {
				t.Errorf("%s: the plan does not use %s:\n%s", name, index, plan)
			}
			if name != "events" {
				for _, probe := range []string{"kyc_documents_activity", "kyc_requests_activity", "screenings_activity", "shares_activity", "files_activity"} {
					if !strings.Contains(plan, probe) {
						t.Errorf("%s: the plan does not probe %s:\n%s", name, probe, plan)
					}
				}
			}
			if m := fullScan.FindString(plan); m != "" {
				t.Errorf("%s: the plan reads a table whole (%q):\n%s", name, m, plan)
			}
		}
	})
}
