package verify

import (
	"context"
	"slices"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestFindFingerprints: fingerprints written in a decision's transaction are found; one query finds, among several values, the documents of other
// applicants of the environment that carry any of them; the asking applicant's own documents,
// other kinds and the other environment's are left out.
func TestFindFingerprints(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		audit := func(action, id string) store.Effects {
			return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
		}
		doc := func(env kyc.Env, prints ...Fingerprint) (kyc.Applicant, kyc.Document) {
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
			if err := s.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
				t.Fatal(err)
			}
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
			if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
				t.Fatal(err)
			}
			d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: env, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending"}
			if err := s.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DecideDocument(ctx, env, d.ID, func(c *store.Case) (store.Effects, error) {
				c.Document.Status = "accepted"
				return audit("kyc-document.decide", d.ID), writeRecords(ctx, c.Tx, c.Document, prints, nil)
			}); err != nil {
				t.Fatal(err)
			}
			return a, d
		}
		me, _ := doc(kyc.EnvTest, Fingerprint{Kind: "sha256", Value: "v1"})
		_, second := doc(kyc.EnvTest, Fingerprint{Kind: "sha256", Value: "v2"}, Fingerprint{Kind: "phash", Value: "v3"})
		_, third := doc(kyc.EnvTest, Fingerprint{Kind: "sha256", Value: "v3"})
		doc(kyc.EnvLive, Fingerprint{Kind: "sha256", Value: "v2"})

		got, err := findFingerprints(ctx, s, kyc.EnvTest, "sha256", []string{"v1", "v2", "v3", "v4"}, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, m := range got {
			found = append(found, m.Value+"@"+m.DocumentID)
		}
		want := []string{"v2@" + second.ID, "v3@" + third.ID}
		if !slices.Equal(found, want) {
			t.Fatalf("found %v, want %v", found, want)
		}
		if got, err := findFingerprints(ctx, s, kyc.EnvTest, "sha256", nil, me.ID); err != nil || len(got) != 0 {
			t.Fatalf("no values: %v, %v", got, err)
		}
	})
}
