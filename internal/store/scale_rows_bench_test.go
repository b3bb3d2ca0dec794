package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// BenchmarkAt100kRows measures, on each database with 100,000 applicants, KYC requests, documents
// and events in the environment (spread over 1,000 applicants, several statuses, levels and event
// types; sealed columns copied with storetest.RowCopySealer, so they open and cost what they cost
// in service), a whole decision transaction (the document's case read and locked, the document
// changed, its audit entry, an event, a webhook delivery and its River job, committed) and a page
// of 50 of each list the API serves. Every measure runs with the indexes of migrations 00014 and
// 00018 and then, in the same run, with them dropped ("-before"). Figures in bench/README.md
// ("Store at 100k rows").
func BenchmarkAt100kRows(b *testing.B) {
	const rows, spread = 100_000, 1000
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.NewWithSealer(b, d, storetest.NewRowCopySealer(b))
			initJobs(b, st)
			env := kyc.EnvTest
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0",
				Email: "anna@example.com", Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12"}}
			eff := audit("applicant.create", a.ID)
			eff.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
			if err := st.CreateApplicant(ctx, &a, eff); err != nil {
				b.Fatal(err)
			}
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
			if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
				b.Fatal(err)
			}
			r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: env, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
				Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
			if err := st.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
				b.Fatal(err)
			}
			doc := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: env, ApplicantID: a.ID, RequestID: r.ID, Type: "identity-proof",
				Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending-review"}
			if err := st.CreateDocument(ctx, &doc, audit("kyc-document.create", doc.ID), nil); err != nil {
				b.Fatal(err)
			}
			events, err := st.ListEvents(ctx, env, store.EventFilter{ResourceID: a.ID}, "", 1)
			if err != nil || len(events.Items) != 1 {
				b.Fatalf("events %v, %v", events, err)
			}
			newWebhook(b, st, env)

			num := "CAST(n.i AS TEXT)"
			of := func(n int) string { return "CAST(n.i % " + strconv.Itoa(n) + " + 1 AS TEXT)" }
			anApplicant := "t.applicant_id || '-' || " + of(spread) + " || '00'"
			for _, c := range []struct {
				table, id string
				set       map[string]string
			}{
				{"applicants", a.ID, map[string]string{"id": "t.id || '-' || " + num, "external_id": "'ext-' || " + num,
					"status": "CASE n.i % 3 WHEN 0 THEN 'verified' WHEN 1 THEN 'unverified' ELSE 'rejected' END"}},
				{"kyc_requests", r.ID, map[string]string{"id": "t.id || '-' || " + num, "applicant_id": anApplicant,
					"status": "CASE n.i % 3 WHEN 0 THEN 'completed' WHEN 1 THEN 'gathering' ELSE 'expired' END", "level": "'L' || " + of(3)}},
				{"kyc_documents", doc.ID, map[string]string{"id": "t.id || '-' || " + num, "applicant_id": anApplicant, "request_id": "NULL",
					"status": "CASE n.i % 3 WHEN 0 THEN 'accepted' WHEN 1 THEN 'pending-review' ELSE 'rejected' END"}},
				{"events", events.Items[0].ID, map[string]string{"id": "t.id || '-' || " + num, "resource_id": "t.resource_id || '-' || " + of(spread),
					"type": "'type-' || " + of(12)}},
			} {
				if err := st.Copy(ctx, c.table, c.id, rows, c.set); err != nil {
					b.Fatalf("seed %s: %v", c.table, err)
				}
			}

			accepted := false
			decide := func(b *testing.B) {
				for b.Loop() {
					accepted = !accepted
					if _, err := st.DecideDocument(ctx, env, doc.ID, func(c *store.Case) (store.Effects, error) {
						c.Document.Status = "pending-review"
						typ := kyc.EventDocumentCreated
						if accepted {
							c.Document.Status, typ = "accepted", kyc.EventDocumentAccepted
						}
						eff := audit("kyc-document.decide", doc.ID)
						eff.Events = []store.NewEvent{{Type: typ, ResourceType: "kyc-document", ResourceID: doc.ID}}
						return eff, nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			}
			lists := []struct {
				name string
				list func() (int, error)
			}{
				{"applicants", func() (int, error) {
					p, err := st.ListApplicants(ctx, env, store.ApplicantFilter{}, "", 50)
					return len(p.Items), err
				}},
				{"applicants-by-status", func() (int, error) {
					p, err := st.ListApplicants(ctx, env, store.ApplicantFilter{Status: "verified"}, "", 50)
					return len(p.Items), err
				}},
				{"requests-by-level", func() (int, error) {
					p, err := st.ListRequests(ctx, env, store.RequestFilter{Level: "L1"}, "", 50)
					return len(p.Items), err
				}},
				{"requests-by-status-oldest-first", func() (int, error) {
					p, err := st.ListRequests(ctx, env, store.RequestFilter{Status: "gathering", OldestFirst: true}, "", 50)
					return len(p.Items), err
				}},
				{"events", func() (int, error) {
					p, err := st.ListEvents(ctx, env, store.EventFilter{}, "", 50)
					return len(p.Items), err
				}},
				{"events-of-a-common-type", func() (int, error) {
					p, err := st.ListEvents(ctx, env, store.EventFilter{Type: "type-3"}, "", 50)
					return len(p.Items), err
				}},
				{"events-of-a-rare-type", func() (int, error) {
					p, err := st.ListEvents(ctx, env, store.EventFilter{Type: kyc.EventApplicantCreated}, "", 50)
					return len(p.Items), err
				}},
				{"events-of-a-resource", func() (int, error) {
					p, err := st.ListEvents(ctx, env, store.EventFilter{ResourceID: a.ID}, "", 50)
					return len(p.Items), err
				}},
			}
			measure := func(suffix string) {
				b.Run("decision-transaction"+suffix, decide)
				for _, l := range lists {
					b.Run(l.name+"-page"+suffix, func(b *testing.B) {
						for b.Loop() {
							if n, err := l.list(); err != nil || n == 0 {
								b.Fatalf("%d items, %v", n, err)
							}
						}
					})
				}
			}
			measure("")
			for _, q := range []string{`DROP INDEX kyc_documents_env_request`, `DROP INDEX kyc_documents_env_applicant_status`,
				`DROP INDEX kyc_requests_env_level`, `DROP INDEX events_env_type`, `DROP INDEX events_env_resource_id`,
				`CREATE INDEX events_env_resource ON events (env, resource_id, revision)`} {
				if err := st.Exec(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			if d == store.Postgres {
				if err := st.Exec(ctx, `ANALYZE`); err != nil {
					b.Fatal(err)
				}
			}
			measure("-before")
		})
	}
}
