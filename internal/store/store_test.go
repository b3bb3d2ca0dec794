package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

func newApplicant(t *testing.T, s *store.Store, env kyc.Env, ext string) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, ExternalID: ext, Type: "individual", Status: "unverified", Level: "L0",
		Email: "anna@example.com", Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12"},
		Addresses: []kyc.Address{{Type: "residential", City: "Tokyo", Country: "JP"}}}
	if err := s.CreateApplicant(context.Background(), &a, audit("applicant.create", a.ID)); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestApplicants(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "user-1")
		got, err := s.Applicant(ctx, kyc.EnvTest, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Profile.FirstName != "Anna" || got.Email != "anna@example.com" || got.Addresses[0].City != "Tokyo" || got.ExternalID != "user-1" {
			t.Fatalf("round trip lost data: %+v", got)
		}
		if !got.CreatedTime.Equal(a.CreatedTime) {
			t.Fatalf("created time %v, want %v", got.CreatedTime, a.CreatedTime)
		}
		// Another environment sees nothing.
		if _, err := s.Applicant(ctx, kyc.EnvLive, a.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("live sees a test applicant: %v", err)
		}
		// externalId is unique per environment, not across them.
		dup := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, ExternalID: "user-1", Type: "individual", Status: "unverified", Level: "L0"}
		if err := s.CreateApplicant(ctx, &dup, audit("applicant.create", dup.ID)); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("duplicate externalId: %v", err)
		}
		newApplicant(t, s, kyc.EnvLive, "user-1")

		// Update bumps the revision; an error from mutate writes nothing.
		up, err := s.UpdateApplicant(ctx, kyc.EnvTest, a.ID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.FirstName = "Anne"
			return audit("applicant.update", a.ID), nil
		})
		if err != nil || up.Revision != 1 || up.Profile.FirstName != "Anne" {
			t.Fatalf("update: %v %+v", err, up)
		}
		_, err = s.UpdateApplicant(ctx, kyc.EnvTest, a.ID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.FirstName = "Nope"
			return store.Effects{}, kyc.Invalid("body.x", "no")
		})
		if err == nil {
			t.Fatal("mutate error was not returned")
		}
		got, _ = s.Applicant(ctx, kyc.EnvTest, a.ID)
		if got.Profile.FirstName != "Anne" || got.Revision != 1 {
			t.Fatalf("a failed update changed the row: %+v", got)
		}
		trail, err := s.AuditTrail(ctx, kyc.EnvTest, a.ID)
		if err != nil || len(trail) != 2 || trail[1].Action != "applicant.update" {
			t.Fatalf("audit trail: %v %+v", err, trail)
		}
		if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
			t.Fatal(err)
		}
	})
}

func TestListApplicantsPages(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []string
		for range 7 {
			ids = append(ids, newApplicant(t, s, kyc.EnvTest, "").ID)
			time.Sleep(2 * time.Millisecond) // distinct id timestamps
		}
		newApplicant(t, s, kyc.EnvLive, "")
		var seen []string
		cursor := ""
		for {
			p, err := s.ListApplicants(ctx, kyc.EnvTest, store.ApplicantFilter{}, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range p.Items {
				seen = append(seen, a.ID)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(seen) != 7 || seen[0] != ids[6] || seen[6] != ids[0] {
			t.Fatalf("pages: %v, want newest first of %v", seen, ids)
		}
		p, err := s.ListApplicants(ctx, kyc.EnvTest, store.ApplicantFilter{Status: "approved"}, "", 10)
		if err != nil || len(p.Items) != 0 {
			t.Fatalf("status filter: %v %d", err, len(p.Items))
		}
		if _, err := s.ListApplicants(ctx, kyc.EnvTest, store.ApplicantFilter{}, "garbage!", 10); err == nil {
			t.Fatal("a bad cursor was accepted")
		}
	})
}

func TestDocumentsRequestsAndExpiry(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "")
		other := newApplicant(t, s, kyc.EnvTest, "")
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: kyc.EnvTest, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
			Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(-time.Second)}
		if err := s.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
			t.Fatal(err)
		}
		d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof", Subtype: "passport",
			FileIDs: []string{f.ID}, Identification: &kyc.Identification{Number: "L898902C3", IssuingCountry: "JP"}, Status: "pending"}
		if err := s.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), takesAny); err != nil {
			t.Fatal(err)
		}
		got, err := s.Document(ctx, kyc.EnvTest, d.ID)
		if err != nil || got.Identification.Number != "L898902C3" || got.RequestID != r.ID || got.FileIDs[0] != f.ID {
			t.Fatalf("document round trip: %v %+v", err, got)
		}
		// A file of another applicant, an unknown file and a request of another environment are refused, naming fields.
		bad := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: other.ID, RequestID: r.ID, Type: "identity-proof",
			FileIDs: []string{f.ID, "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3"}, Status: "pending"}
		err = s.CreateDocument(ctx, &bad, audit("kyc-document.create", bad.ID), takesAny)
		var ve *kyc.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 3 {
			t.Fatalf("bad references: %v", err)
		}
		if _, err := s.Document(ctx, kyc.EnvTest, bad.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a refused document was stored: %v", err)
		}
		// Without the rule of whether its request takes it, a document for a request is refused.
		norule := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof",
			FileIDs: []string{f.ID}, Status: "pending"}
		if err := s.CreateDocument(ctx, &norule, audit("kyc-document.create", norule.ID), nil); err == nil {
			t.Fatal("a document for a request was stored without the request's rule")
		}
		if _, err := s.Document(ctx, kyc.EnvTest, norule.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a refused document was stored: %v", err)
		}

		// Expiry (its rule is package request's: request.Expire) is an update of the request.
		if _, err := s.UpdateRequest(ctx, kyc.EnvTest, r.ID, func(r *kyc.Request) (store.Effects, error) {
			r.Status = "expired"
			return audit("kyc-request.expire", r.ID), nil
		}); err != nil {
			t.Fatalf("expire: %v", err)
		}
		got2, _ := s.Request(ctx, kyc.EnvTest, r.ID)
		if got2.Status != "expired" || got2.Revision != 1 {
			t.Fatalf("request after expiry: %+v", got2)
		}
		// Whether a request takes a document is the caller's rule (package document refuses one for
		// a final request): the store asks it with the request as read in the transaction, and a
		// problem it adds refuses the document, stored nowhere.
		late := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof", FileIDs: []string{f.ID}, Status: "pending"}
		var asked []string
		refuseFinal := func(r kyc.Request, p *kyc.Problems) {
			asked = append(asked, r.ID+" "+r.Status)
			if kyc.FinalRequestStatus(r.Status) {
				p.Add("body.requestId", "final")
			}
		}
		if err := s.CreateDocument(ctx, &late, audit("kyc-document.create", late.ID), refuseFinal); !errors.As(err, &ve) || len(ve.Fields) != 1 {
			t.Fatalf("document for an expired request: %v", err)
		}
		if want := []string{r.ID + " expired"}; !slices.Equal(asked, want) {
			t.Fatalf("the rule was asked about %v, want %v", asked, want)
		}
		if _, err := s.Document(ctx, kyc.EnvTest, late.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a refused document was stored: %v", err)
		}
		pg, err := s.ListDocuments(ctx, kyc.EnvTest, a.ID, "", 10)
		if err != nil || len(pg.Items) != 1 {
			t.Fatalf("list documents: %v %d", err, len(pg.Items))
		}
	})
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rec, err := s.ClaimIdempotencyKey(ctx, kyc.EnvTest, "k1", "POST", "/v1/applicants", "")
		if err != nil || rec != nil {
			t.Fatalf("first claim: %v %v", rec, err)
		}
		rec, err = s.ClaimIdempotencyKey(ctx, kyc.EnvTest, "k1", "POST", "/v1/applicants", "")
		if err != nil || rec == nil || rec.StatusCode != 0 {
			t.Fatalf("claim while running: %+v %v", rec, err)
		}
		if err := s.CompleteIdempotencyKey(ctx, kyc.EnvTest, "k1", store.IdempotentResponse{RequestHash: "h", StatusCode: 201, Body: []byte(`{"id":1}`)}); err != nil {
			t.Fatal(err)
		}
		rec, err = s.ClaimIdempotencyKey(ctx, kyc.EnvTest, "k1", "POST", "/v1/applicants", "")
		if err != nil || rec.StatusCode != 201 || string(rec.Body) != `{"id":1}` || rec.RequestHash != "h" {
			t.Fatalf("replay: %+v %v", rec, err)
		}
		// The same key in the other environment is a different key.
		rec, err = s.ClaimIdempotencyKey(ctx, kyc.EnvLive, "k1", "POST", "/v1/applicants", "")
		if err != nil || rec != nil {
			t.Fatalf("live claim: %v %v", rec, err)
		}
		if err := s.ReleaseIdempotencyKey(ctx, kyc.EnvLive, "k1"); err != nil {
			t.Fatal(err)
		}
		rec, err = s.ClaimIdempotencyKey(ctx, kyc.EnvLive, "k1", "POST", "/v1/applicants", "")
		if err != nil || rec != nil {
			t.Fatalf("claim after release: %v %v", rec, err)
		}
		// Old keys are forgotten; then the key is new again.
		if n, err := s.ForgetIdempotencyKeys(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("forget nothing recent: %d %v", n, err)
		}
		if n, err := s.ForgetIdempotencyKeys(ctx, time.Now().Add(time.Second)); err != nil || n != 2 {
			t.Fatalf("forget all: %d %v", n, err)
		}
		if rec, err := s.ClaimIdempotencyKey(ctx, kyc.EnvTest, "k1", "POST", "/v1/applicants", ""); err != nil || rec != nil {
			t.Fatalf("claim after forgetting: %v %v", rec, err)
		}
	})
}
