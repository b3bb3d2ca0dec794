package report_test

import (
	"context"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/report"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

// TestDashboard: the counts of one environment's window: applications per day, the funnel,
// automatic and manual decisions, rejection reasons, and the decision times' median and 90th
// percentile; another environment and what is older than the window are left out.
func TestDashboard(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		applicant := func(env kyc.Env, status string) kyc.Applicant {
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: status, Level: "L1"}
			if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
				t.Fatal(err)
			}
			return a
		}
		// document creates a document of a, decided as status after took, by a person when manual.
		document := func(a kyc.Applicant, status, rejection string, manual bool, took time.Duration) {
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: a.Env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 1, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
			if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
				t.Fatal(err)
			}
			d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: a.Env, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending"}
			if err := st.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
				t.Fatal(err)
			}
			if status == "pending" {
				return
			}
			if _, err := st.DecideDocument(ctx, a.Env, d.ID, func(c *store.Case) (store.Effects, error) {
				c.Document.Status = status
				if rejection != "" {
					c.Document.RejectionReason = &kyc.RejectionReason{Type: rejection}
				}
				if manual {
					c.Document.Review = &kyc.Review{Reviewer: "user:usr_x", Outcome: status}
				}
				return audit("kyc-document.decide", d.ID), nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := st.Record(ctx, a.Env, func(tx *store.Tx) (store.Effects, error) {
				_, err := tx.Exec(ctx, `UPDATE kyc_documents SET created_at = updated_at - ? WHERE id = ?`, took.Microseconds(), d.ID)
				return store.Effects{}, err
			}); err != nil {
				t.Fatal(err)
			}
		}
		a1, a2, a3 := applicant(kyc.EnvLive, "approved"), applicant(kyc.EnvLive, "rejected"), applicant(kyc.EnvLive, "unverified")
		applicant(kyc.EnvLive, "unverified") // applied, nothing more
		document(a1, "accepted", "", false, 10*time.Second)
		document(a2, "rejected", "document-expired", false, 20*time.Second)
		document(a2, "rejected", "document-expired", true, 30*time.Second)
		document(a2, "rejected", "name-mismatch", true, 40*time.Minute)
		document(a3, "pending", "", false, 0)
		other := applicant(kyc.EnvTest, "approved")
		document(other, "rejected", "other", false, time.Hour)
		old := applicant(kyc.EnvLive, "approved") // created long before the window
		if err := st.Record(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, `UPDATE applicants SET created_at = ? WHERE id = ?`, store.Micros(time.Now().AddDate(0, 0, -90)), old.ID)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}

		d, err := report.New(st).Dashboard(ctx, kyc.EnvLive, time.Now(), 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Days) != 30 || d.Days[29].Count != 4 || d.Funnel != (report.Funnel{Created: 4, Submitted: 3, Decided: 2, Approved: 1}) {
			t.Fatalf("days %d (today %d), funnel %+v", len(d.Days), d.Days[len(d.Days)-1].Count, d.Funnel)
		}
		if d.Automatic != 2 || d.Manual != 2 {
			t.Fatalf("automatic %d, manual %d", d.Automatic, d.Manual)
		}
		if len(d.Rejections) != 2 || d.Rejections[0] != (report.Count{Name: "document-expired", Count: 2}) || d.Rejections[1] != (report.Count{Name: "name-mismatch", Count: 1}) {
			t.Fatalf("rejections %+v", d.Rejections)
		}
		// Times 10 s, 20 s, 30 s, 40 min: the nearest-rank median is 20 s, the 90th 40 min.
		if d.Decided != 4 || d.Median != 20*time.Second || d.P90 != 40*time.Minute {
			t.Fatalf("decided %d, median %s, p90 %s", d.Decided, d.Median, d.P90)
		}
	})
}
