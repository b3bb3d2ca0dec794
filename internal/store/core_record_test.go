package store_test

import (
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestRecord: a write (here of an applicant's level column) with no effects at all
// commits alone, without an audit entry; one with an event but no audit entry is refused and
// writes nothing; one with an audit entry commits with it.
func TestRecord(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		a := newApplicant(t, st, kyc.EnvTest, "")
		setLevel := func(l string, eff store.Effects) error {
			return st.Record(ctx, kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
				_, err := tx.Exec(ctx, `UPDATE applicants SET level = ? WHERE env = ? AND id = ?`, l, string(tx.Env()), a.ID)
				return eff, err
			})
		}
		length := func() int64 {
			n, err := st.AuditLength(ctx, kyc.EnvTest)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		stored := func() string {
			var e string
			if err := st.QueryRow(ctx, `SELECT level FROM applicants WHERE env = ? AND id = ?`, string(kyc.EnvTest), a.ID).Scan(&e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		n0 := length()
		if err := setLevel("L7", store.Effects{}); err != nil || stored() != "L7" || length() != n0 {
			t.Fatalf("bookkeeping: %v, level %s, %d audit entries", err, stored(), length()-n0)
		}
		noAudit := store.Effects{Events: []store.NewEvent{{Type: kyc.EventApplicantUpdated, ResourceType: "applicant", ResourceID: a.ID, Data: a}}}
		if err := setLevel("L8", noAudit); err == nil || stored() != "L7" || length() != n0 {
			t.Fatalf("an event without an audit entry: %v, level %s, %d audit entries", err, stored(), length()-n0)
		}
		if err := setLevel("L9", audit("applicant.update", a.ID)); err != nil || stored() != "L9" || length() != n0+1 {
			t.Fatalf("a change: %v, level %s, %d audit entries", err, stored(), length()-n0)
		}
	})
}
