package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// collect pages through a list with page size 2 and returns the ids in the order served.
func collect[T any](t *testing.T, list func(cursor string) (kyc.Page[T], error), id func(T) string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 50 {
		p, err := list(cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > 2 {
			t.Fatalf("page of %d items, limit 2", len(p.Items))
		}
		for _, it := range p.Items {
			ids = append(ids, id(it))
		}
		if p.NextCursor == "" {
			return ids
		}
		cursor = p.NextCursor
	}
	t.Fatal("the pages never end")
	return nil
}

// TestQueuesFilterPageAndOrderWithinOneEnvironment: the lists across applicants (requests,
// documents, screenings) match exactly their filters, page in both orders without losing or
// repeating an item, and never show another environment's items.
func TestQueuesFilterPageAndOrderWithinOneEnvironment(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newApplicant(t, s, kyc.EnvTest, ""), newApplicant(t, s, kyc.EnvTest, "")
		live := newApplicant(t, s, kyc.EnvLive, "")

		// Requests: (applicant, status, level); ids in creation order.
		var reqs []kyc.Request
		for _, r := range []struct {
			apl           kyc.Applicant
			status, level string
		}{
			{a, "gathering", "L1"}, {b, "pending-review", "L2"}, {a, "pending-review", "L1"}, {b, "gathering", "L1"},
			{a, "pending-review", "L2"}, {live, "pending-review", "L1"},
		} {
			req := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: r.apl.Env, ApplicantID: r.apl.ID, Status: r.status, MatchLevel: 2, Level: r.level,
				Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
			if err := s.CreateRequest(ctx, &req, audit("kyc-request.create", req.ID)); err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, req)
		}
		reqIDs := func(idx ...int) []string {
			var out []string
			for _, i := range idx {
				out = append(out, reqs[i].ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    store.RequestFilter
			want []string
		}{
			{"all, newest first", store.RequestFilter{}, reqIDs(4, 3, 2, 1, 0)},
			{"all, oldest first", store.RequestFilter{OldestFirst: true}, reqIDs(0, 1, 2, 3, 4)},
			{"status", store.RequestFilter{Status: "pending-review"}, reqIDs(4, 2, 1)},
			{"status oldest first", store.RequestFilter{Status: "pending-review", OldestFirst: true}, reqIDs(1, 2, 4)},
			{"applicant", store.RequestFilter{ApplicantID: a.ID}, reqIDs(4, 2, 0)},
			{"level", store.RequestFilter{Level: "L2"}, reqIDs(4, 1)},
			{"all three", store.RequestFilter{ApplicantID: a.ID, Status: "pending-review", Level: "L1"}, reqIDs(2)},
			{"no match", store.RequestFilter{Status: "fulfilled"}, nil},
			{"live applicant from the test environment", store.RequestFilter{ApplicantID: live.ID}, nil},
		} {
			got := collect(t, func(cur string) (kyc.Page[kyc.Request], error) { return s.ListRequests(ctx, kyc.EnvTest, c.f, cur, 2) },
				func(r kyc.Request) string { return r.ID })
			if !slices.Equal(got, c.want) {
				t.Errorf("requests %s: %v, want %v", c.name, got, c.want)
			}
		}
		if got := collect(t, func(cur string) (kyc.Page[kyc.Request], error) {
			return s.ListRequests(ctx, kyc.EnvLive, store.RequestFilter{}, cur, 2)
		}, func(r kyc.Request) string { return r.ID }); !slices.Equal(got, reqIDs(5)) {
			t.Errorf("live requests: %v, want only the live one", got)
		}

		// Documents: (applicant, status).
		files := map[string]string{}
		for _, apl := range []kyc.Applicant{a, b, live} {
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: apl.Env, ApplicantID: apl.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab",
				Width: 1, Height: 1, BlobKey: "k" + apl.ID}
			if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
				t.Fatal(err)
			}
			files[apl.ID] = f.ID
		}
		var docs []string
		for _, d := range []struct {
			apl    kyc.Applicant
			status string
		}{
			{a, "pending-review"}, {b, "accepted"}, {b, "pending-review"}, {a, "rejected"}, {live, "pending-review"}, {a, "pending-review"},
		} {
			doc := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: d.apl.Env, ApplicantID: d.apl.ID, Type: "identity-proof", Subtype: "passport",
				FileIDs: []string{files[d.apl.ID]}, Status: d.status}
			if err := s.CreateDocument(ctx, &doc, audit("kyc-document.create", doc.ID), nil); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, doc.ID)
		}
		for _, c := range []struct {
			name string
			f    store.DocumentFilter
			want []string
		}{
			{"all, newest first", store.DocumentFilter{}, []string{docs[5], docs[3], docs[2], docs[1], docs[0]}},
			{"review queue, oldest first", store.DocumentFilter{Status: "pending-review", OldestFirst: true}, []string{docs[0], docs[2], docs[5]}},
			{"review queue, newest first", store.DocumentFilter{Status: "pending-review"}, []string{docs[5], docs[2], docs[0]}},
			{"one applicant", store.DocumentFilter{ApplicantID: a.ID}, []string{docs[5], docs[3], docs[0]}},
			{"one applicant and status", store.DocumentFilter{ApplicantID: b.ID, Status: "accepted"}, []string{docs[1]}},
			{"live applicant from the test environment", store.DocumentFilter{ApplicantID: live.ID}, nil},
		} {
			got := collect(t, func(cur string) (kyc.Page[kyc.Document], error) {
				return s.FindDocuments(ctx, kyc.EnvTest, c.f, cur, 2)
			},
				func(d kyc.Document) string { return d.ID })
			if !slices.Equal(got, c.want) {
				t.Errorf("documents %s: %v, want %v", c.name, got, c.want)
			}
		}
		// ListDocuments, an applicant's documents, is unchanged.
		if got := collect(t, func(cur string) (kyc.Page[kyc.Document], error) {
			return s.ListDocuments(ctx, kyc.EnvTest, a.ID, cur, 2)
		},
			func(d kyc.Document) string { return d.ID }); !slices.Equal(got, []string{docs[5], docs[3], docs[0]}) {
			t.Errorf("an applicant's documents: %v", got)
		}

		// Screenings: (applicant, disposition).
		var scrs []string
		for _, sc := range []struct {
			apl         kyc.Applicant
			disposition string
		}{
			{a, "clear"}, {b, "potential-match"}, {live, "potential-match"}, {a, "potential-match"}, {b, "false-positive"}, {b, "potential-match"},
		} {
			rec := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: sc.apl.Env, ApplicantID: sc.apl.ID, Reason: "manual", Disposition: sc.disposition,
				Threshold: 0.9, Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
			if err := s.CreateScreening(ctx, &rec, audit("screening.create", rec.ID)); err != nil {
				t.Fatal(err)
			}
			scrs = append(scrs, rec.ID)
		}
		for _, c := range []struct {
			name string
			f    store.ScreeningFilter
			want []string
		}{
			{"all", store.ScreeningFilter{}, []string{scrs[5], scrs[4], scrs[3], scrs[1], scrs[0]}},
			{"open matches, oldest first", store.ScreeningFilter{Disposition: "potential-match", OldestFirst: true}, []string{scrs[1], scrs[3], scrs[5]}},
			{"open matches of one applicant", store.ScreeningFilter{Disposition: "potential-match", ApplicantID: b.ID}, []string{scrs[5], scrs[1]}},
			{"confirmed", store.ScreeningFilter{Disposition: "confirmed"}, nil},
		} {
			got := collect(t, func(cur string) (kyc.Page[kyc.Screening], error) {
				return s.ListScreenings(ctx, kyc.EnvTest, c.f, cur, 2)
			},
				func(sc kyc.Screening) string { return sc.ID })
			if !slices.Equal(got, c.want) {
				t.Errorf("screenings %s: %v, want %v", c.name, got, c.want)
			}
		}
		if _, err := s.ListScreenings(ctx, kyc.EnvTest, store.ScreeningFilter{}, "garbage!", 2); err == nil {
			t.Error("a bad cursor was accepted")
		}
	})
}
