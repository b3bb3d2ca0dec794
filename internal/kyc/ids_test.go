package kyc

import (
	"testing"
	"time"
)

func TestNewIDSortsByTimeAndValidates(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := ""
	for i := range 100 {
		id := newIDAt(PrefixApplicant, base.Add(time.Duration(i)*time.Millisecond))
		if !ValidID(PrefixApplicant, id) {
			t.Fatalf("ValidID(%q) = false", id)
		}
		if id <= prev {
			t.Fatalf("ids do not sort by time: %q after %q", id, prev)
		}
		prev = id
	}
	same := base.Add(time.Hour)
	prev = ""
	for range 1000 {
		id := newIDAt(PrefixEvent, same)
		if id <= prev {
			t.Fatalf("ids of one millisecond do not keep their order: %q after %q", id, prev)
		}
		prev = id
	}
	for _, bad := range []string{"", "apl_", "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3", "apl_01J9Z3K6Q5W8C2B7X4N0M1R2S", "apl_01J9Z3K6Q5W8C2B7X4N0M1R2SU", "apl_01j9z3k6q5w8c2b7x4n0m1r2s3"} {
		if ValidID(PrefixApplicant, bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
