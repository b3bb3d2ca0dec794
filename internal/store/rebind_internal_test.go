package store

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE env = ? AND id = ?", "SELECT a FROM t WHERE env = $1 AND id = $2"},
	} {
		for range 2 { // the second answer comes from the cache
			if got := rebind(c.in); got != c.want {
				t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
			}
		}
	}
}

// BenchmarkRebind measures a list query's rewrite for PostgreSQL, cached and not.
func BenchmarkRebind(b *testing.B) {
	q := `SELECT ` + documentColumns + ` FROM kyc_documents WHERE env = ? AND applicant_id = ? AND status = ? AND id < ? ORDER BY id DESC LIMIT ?`
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			_ = rebind(q)
		}
	})
	b.Run("rewritten", func(b *testing.B) {
		for b.Loop() {
			_ = rewritePlaceholders(q)
		}
	})
}
