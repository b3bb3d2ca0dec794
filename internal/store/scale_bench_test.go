package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// BenchmarkAt100kDocuments measures, on each database with 100,000 documents in the environment,
// the read every decision transaction makes (DecideDocument loading a document's case: the
// document, its request and the request's documents, rolled back before any write) and pages of
// 50 of the lists: the review queue (FindDocuments, pending-review, oldest first), every document
// newest first, and the applicant's documents (ListDocuments). The decision is
// measured with the kyc_documents (env, request_id) index and then, in the same run, with it
// dropped: the "before" of migration 00014. Figures in bench/README.md ("Store at 100k
// documents").
func BenchmarkAt100kDocuments(b *testing.B) {
	const rows = 100_000
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			s := storetest.New(b, d)
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0"}
			if err := s.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
				b.Fatal(err)
			}
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
			if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
				b.Fatal(err)
			}
			r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: kyc.EnvTest, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
				Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
			if err := s.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
				b.Fatal(err)
			}
			doc := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof",
				Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending"}
			if err := s.CreateDocument(ctx, &doc, audit("kyc-document.create", doc.ID), nil); err != nil {
				b.Fatal(err)
			}
			// 100,000 copies of it in review, answering no request, with nothing sealed (a page of
			// the queue opens no sealed column of a copy). Ids sort after the document's.
			if err := s.Exec(ctx, `INSERT INTO kyc_documents (id, env, applicant_id, request_id, type, subtype, file_ids, status,
				rejection_type, rejection_message, revision, created_at, updated_at)
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				SELECT d.id || '-' || CAST(n.i AS TEXT), d.env, d.applicant_id, NULL, d.type, d.subtype, d.file_ids, 'pending-review',
				'', '', 0, d.created_at + n.i, d.updated_at
				FROM n, kyc_documents d WHERE d.id = ?`, rows, doc.ID); err != nil {
				b.Fatal(err)
			}
			if d == store.Postgres {
				if err := s.Exec(ctx, `ANALYZE kyc_documents`); err != nil {
					b.Fatal(err)
				}
			}
			rollback := errors.New("measured: roll back")
			decide := func(b *testing.B) {
				for b.Loop() {
					if _, err := s.DecideDocument(ctx, kyc.EnvTest, doc.ID, func(c *store.Case) (store.Effects, error) {
						if len(c.Documents) != 1 {
							b.Fatalf("%d documents in the request", len(c.Documents))
						}
						return store.Effects{}, rollback
					}); !errors.Is(err, rollback) {
						b.Fatal(err)
					}
				}
			}
			b.Run("decision-read", decide)
			b.Run("review-queue-page", func(b *testing.B) {
				for b.Loop() {
					p, err := s.FindDocuments(ctx, kyc.EnvTest, store.DocumentFilter{Status: "pending-review", OldestFirst: true}, "", 50)
					if err != nil || len(p.Items) != 50 {
						b.Fatalf("%d items, %v", len(p.Items), err)
					}
				}
			})
			b.Run("applicant-documents-page", func(b *testing.B) {
				for b.Loop() {
					p, err := s.ListDocuments(ctx, kyc.EnvTest, a.ID, "", 50)
					if err != nil || len(p.Items) != 50 {
						b.Fatalf("%d items, %v", len(p.Items), err)
					}
				}
			})
			b.Run("documents-newest-first-page", func(b *testing.B) {
				for b.Loop() {
					p, err := s.FindDocuments(ctx, kyc.EnvTest, store.DocumentFilter{}, "", 50)
					if err != nil || len(p.Items) != 50 {
						b.Fatalf("%d items, %v", len(p.Items), err)
					}
				}
			})
			if err := s.Exec(ctx, `DROP INDEX kyc_documents_env_request`); err != nil {
				b.Fatal(err)
			}
			b.Run("decision-read-without-00014", decide)
		})
	}
}
