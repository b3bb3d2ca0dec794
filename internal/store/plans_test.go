package store_test

import (
	"strings"
	"testing"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestHotQueriesUseTheirIndexes: the queries every decision transaction and the face and
// perceptual-hash indexes' catch-ups make are answered through an index on both databases, not by scanning the
// environment's rows (the plan names the index).
func TestHotQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		seq := "seq"
		if st.Dialect() == store.SQLite {
			seq = "rowid"
		}
		for _, c := range []struct{ name, query, index string }{
			{"perceptual hashes added since (duplicate-image catch-up)", `SELECT value FROM document_fingerprints WHERE env = ? AND kind = ? AND ` + seq + ` > ? ORDER BY ` + seq + ` LIMIT 10`, "document_fingerprints_env_kind_seq"},
			{"a request's documents (every decision)", `SELECT id FROM kyc_documents WHERE env = ? AND request_id = ? ORDER BY id`, "kyc_documents_env_request"},
			{"faces added since (duplicate-face catch-up)", `SELECT seq FROM face_embeddings WHERE env = ? AND seq > ? ORDER BY seq LIMIT 10`, "face_embeddings_env_seq"},
		} {
			args := []any{"test", "req_x"}
			switch {
			case strings.Contains(c.query, "kind = ?"):
				args = []any{"test", "phash", 0}
			case strings.Contains(c.query, "seq >"):
				args = []any{"test", 0}
			}
			plan, err := st.QueryPlan(t.Context(), c.query, args...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !strings.Contains(plan, c.index) {
				t.Errorf("%s: the plan does not use %s:\n%s", c.name, c.index, plan)
			}
		}
	})
}
