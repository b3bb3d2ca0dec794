package verify

import (
	"context"
	"slices"
	"testing"
)

// TestCatchUp: a catch-up reads every row past the last seq it saw, in batches, and reads the
// last catchUpMargin seqs again, so a row that committed late with a lower seq (PostgreSQL takes
// a seq at insert, not at commit) is still found.
func TestCatchUp(t *testing.T) {
	var rows []int64 // seqs as committed so far, in seq order
	read := func(_ context.Context, after int64, limit int) ([]int64, error) {
		var out []int64
		for _, r := range rows {
			if r > after && len(out) < limit {
				out = append(out, r)
			}
		}
		return out, nil
	}
	seen := map[int64]bool{}
	var last int64
	catch := func() {
		t.Helper()
		if err := catchUp(context.Background(), &last, read, func(r int64) int64 { return r }, func(r int64) error {
			seen[r] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// 12,001 rows, more than two batches, but seq 11,990 has not committed yet.
	for s := int64(1); s <= 12_001; s++ {
		if s != 11_990 {
			rows = append(rows, s)
		}
	}
	catch()
	if len(seen) != 12_000 || last != 12_001 {
		t.Fatalf("first catch-up: %d rows, last %d", len(seen), last)
	}
	// It commits now, below the highest seq read; the next catch-up finds it.
	rows = append(rows, 11_990)
	slices.Sort(rows)
	catch()
	if !seen[11_990] {
		t.Fatal("a row that committed late, within the margin, was not found")
	}
}
