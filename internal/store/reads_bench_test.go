package store_test

import (
	"context"
	"strconv"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store/storetest"
)

// BenchmarkRecordReads measures what auditing the reads of a list page costs: one transaction
// writing an audit entry for each of the page's 1, 20 (the API's default page) or 100 (its
// largest) resources, on each database, each resource's chain already started (as an applicant's
// is by its creation). Figures in bench/README.md ("Reads in the audit log").
func BenchmarkRecordReads(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.New(b, d)
			ctx := context.Background()
			ids := make([]string, 100)
			for i := range ids {
				ids[i] = "apl_bench" + strconv.Itoa(i)
				if err := st.RecordReads(ctx, kyc.EnvLive, []kyc.AuditEntry{{Actor: "key_bench", Action: "applicant.create", ResourceType: "applicant", ResourceID: ids[i]}}); err != nil {
					b.Fatal(err)
				}
			}
			for _, n := range []int{1, 20, 100} {
				entries := make([]kyc.AuditEntry, n)
				for i := range entries {
					entries[i] = kyc.AuditEntry{Actor: "key_bench", Action: "applicant.read", ResourceType: "applicant", ResourceID: ids[i]}
				}
				b.Run(strconv.Itoa(n), func(b *testing.B) {
					for b.Loop() {
						if err := st.RecordReads(ctx, kyc.EnvLive, entries); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
