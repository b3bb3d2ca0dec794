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

// TestSanctionsListDates: an import stores the publication and checked dates; importing the same
// version again moves the checked date forward (never back) and changes nothing else.
func TestSanctionsListDates(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		published := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		checked := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
		v := kyc.SanctionsList{List: "un", Version: "v1", EntryCount: 1, Source: "snapshot", PublishedAt: &published, CheckedAt: checked}
		entries := []store.SanctionsEntry{{List: "un", ID: "1", Hash: "h", Data: []byte(`{}`)}}
		if _, err := s.ImportSanctionsList(ctx, v, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		got := onlyList(t, s)
		if got.PublishedAt == nil || !got.PublishedAt.Equal(published) || !got.CheckedAt.Equal(checked) {
			t.Fatalf("dates: %+v", got)
		}
		later := checked.Add(48 * time.Hour)
		v.CheckedAt, v.PublishedAt = later, nil
		if ch, err := s.ImportSanctionsList(ctx, v, entries, importEffects); err != nil || len(ch.Changed) != 0 {
			t.Fatalf("same version again: %+v %v", ch, err)
		}
		if got := onlyList(t, s); !got.CheckedAt.Equal(later) || got.PublishedAt == nil || !got.PublishedAt.Equal(published) {
			t.Fatalf("confirmed: %+v", got)
		}
		v.CheckedAt = checked
		if _, err := s.ImportSanctionsList(ctx, v, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		if got := onlyList(t, s); !got.CheckedAt.Equal(later) {
			t.Fatalf("the checked date went back: %+v", got)
		}
		// A file import without dates is checked when imported, publication unknown.
		before := time.Now().Add(-time.Second)
		if _, err := s.ImportSanctionsList(ctx, kyc.SanctionsList{List: "un", Version: "v2", EntryCount: 1, Source: "file"}, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		if got := onlyList(t, s); got.PublishedAt != nil || got.CheckedAt.Before(before) {
			t.Fatalf("file import: %+v", got)
		}
	})
}

// importEffects are a list import's effects: its audit entry.
func importEffects(ch store.ListChange) store.Effects { return audit("sanctions-list.import", ch.List) }

func onlyList(t *testing.T, s *store.Store) kyc.SanctionsList {
	t.Helper()
	ls, err := s.SanctionsLists(context.Background())
	if err != nil || len(ls) != 1 {
		t.Fatalf("lists: %+v %v", ls, err)
	}
	return ls[0]
}

// TestRescreenCandidates: every applicant of the environment, whatever their status, comes with
// their latest screening's list versions (none when never screened), paged by id.
func TestRescreenCandidates(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		never := newApplicant(t, s, kyc.EnvTest, "never")
		screened := newApplicant(t, s, kyc.EnvTest, "screened")
		live := newApplicant(t, s, kyc.EnvLive, "live")
		for i, v := range []string{"old", "new"} {
			sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvTest, ApplicantID: screened.ID, Reason: "test",
				Disposition: []string{"potential-match", "clear"}[i], Threshold: 0.85, Hits: []kyc.ScreeningHit{},
				Lists: []kyc.SanctionsList{{List: "ofac-sdn", Version: v}}}
			if err := s.CreateScreening(ctx, &sc, audit("screening.create", sc.ID)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // screening ids sort by time
		}
		got, err := s.RescreenCandidates(ctx, kyc.EnvTest, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{never.ID, screened.ID}
		slices.Sort(want)
		if len(got) != 2 || got[0].ApplicantID != want[0] || got[1].ApplicantID != want[1] {
			t.Fatalf("candidates: %+v, want %v", got, want)
		}
		for _, c := range got {
			switch c.ApplicantID {
			case never.ID:
				if c.Screened || len(c.Lists) != 0 || !c.CreatedAt.Equal(never.CreatedTime) {
					t.Fatalf("never screened: %+v", c)
				}
			case screened.ID:
				if !c.Screened || len(c.Lists) != 1 || c.Lists[0].Version != "new" || c.Disposition != "clear" || c.ScreenedAt.IsZero() {
					t.Fatalf("latest screening: %+v", c)
				}
			}
		}
		page, err := s.RescreenCandidates(ctx, kyc.EnvTest, want[0], 1)
		if err != nil || len(page) != 1 || page[0].ApplicantID != want[1] {
			t.Fatalf("after the first: %+v %v", page, err)
		}
		if page, err := s.RescreenCandidates(ctx, kyc.EnvLive, "", 10); err != nil || len(page) != 1 || page[0].ApplicantID != live.ID {
			t.Fatalf("live: %+v %v", page, err)
		}
	})
}
