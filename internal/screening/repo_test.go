package screening_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// The sanctions lists repository does not take storetest.Conform: a list is not an aggregate of
// one environment (it serves both, and its import is audited in the live one), its id is its
// name, chosen by kycd, not a prefixed id, an import replaces the list whole instead of updating
// a revision, and there is no paged list of lists. So the tests below hold it, on both databases,
// to what Conform would check and what fits: an import commits its list, its entries and its
// audit entry together or not at all; it is audited in the live environment only; the reads of
// past screenings are confined to their environment.

// audit is the effects of a test change: its audit entry.
func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

// importEffects are a list import's effects: its audit entry.
func importEffects(ch screening.ListChange) store.Effects {
	return audit("sanctions-list.import", ch.List)
}

// newApplicant creates an applicant of env.
func newApplicant(t *testing.T, st *store.Store, env kyc.Env) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0",
		Email: "anna@example.com", Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12"}}
	if err := st.CreateApplicant(context.Background(), &a, audit("applicant.create", a.ID)); err != nil {
		t.Fatal(err)
	}
	return a
}

// onlyList is the one stored list.
func onlyList(t *testing.T, repo *screening.Repo) kyc.SanctionsList {
	t.Helper()
	ls, err := repo.Lists(context.Background())
	if err != nil || len(ls) != 1 {
		t.Fatalf("lists: %+v %v", ls, err)
	}
	return ls[0]
}

// entryIDs are the stored entries as "list:id=hash", in order.
func entryIDs(t *testing.T, repo *screening.Repo) []string {
	t.Helper()
	_, es, err := repo.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.List+":"+e.ID+"="+e.Hash)
	}
	return out
}

// auditLengths are the lengths of both environments' audit logs.
func auditLengths(t *testing.T, st *store.Store) (live, test int64) {
	t.Helper()
	ctx := context.Background()
	live, err := st.AuditLength(ctx, kyc.EnvLive)
	if err != nil {
		t.Fatal(err)
	}
	test, err = st.AuditLength(ctx, kyc.EnvTest)
	if err != nil {
		t.Fatal(err)
	}
	return live, test
}

// TestSanctionsListDates: an import stores the publication and checked dates; importing the same
// version again moves the checked date forward (never back) and changes nothing else.
func TestSanctionsListDates(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := screening.NewRepo(s)
		published := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		checked := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
		v := kyc.SanctionsList{List: "un", Version: "v1", EntryCount: 1, Source: "snapshot", PublishedAt: &published, CheckedAt: checked}
		entries := []screening.Entry{{List: "un", ID: "1", Hash: "h", Data: []byte(`{}`)}}
		if _, err := repo.Import(ctx, v, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		got := onlyList(t, repo)
		if got.PublishedAt == nil || !got.PublishedAt.Equal(published) || !got.CheckedAt.Equal(checked) {
			t.Fatalf("dates: %+v", got)
		}
		later := checked.Add(48 * time.Hour)
		v.CheckedAt, v.PublishedAt = later, nil
		if ch, err := repo.Import(ctx, v, entries, importEffects); err != nil || len(ch.Changed) != 0 {
			t.Fatalf("same version again: %+v %v", ch, err)
		}
		if got := onlyList(t, repo); !got.CheckedAt.Equal(later) || got.PublishedAt == nil || !got.PublishedAt.Equal(published) {
			t.Fatalf("confirmed: %+v", got)
		}
		v.CheckedAt = checked
		if _, err := repo.Import(ctx, v, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		if got := onlyList(t, repo); !got.CheckedAt.Equal(later) {
			t.Fatalf("the checked date went back: %+v", got)
		}
		// A file import without dates is checked when imported, publication unknown.
		before := time.Now().Add(-time.Second)
		if _, err := repo.Import(ctx, kyc.SanctionsList{List: "un", Version: "v2", EntryCount: 1, Source: "file"}, entries, importEffects); err != nil {
			t.Fatal(err)
		}
		if got := onlyList(t, repo); got.PublishedAt != nil || got.CheckedAt.Before(before) {
			t.Fatalf("file import: %+v", got)
		}
	})
}

// TestSanctionsListImport: an import commits the list's version, its entries and its audit entry
// (in the live environment, never the test one) together, or nothing; it reports which entries it
// added, changed and removed; the same version again writes no audit entry and does not ask for
// effects.
func TestSanctionsListImport(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := screening.NewRepo(s)
		v1 := kyc.SanctionsList{List: "un", Version: "v1", EntryCount: 3, Source: "file"}
		first := []screening.Entry{{List: "un", ID: "1", Hash: "a", Data: []byte(`{"id":"1"}`)},
			{List: "un", ID: "2", Hash: "b", Data: []byte(`{"id":"2"}`)}, {List: "un", ID: "3", Hash: "c", Data: []byte(`{"id":"3"}`)}}

		// Without an audit entry, nothing is stored.
		live0, test0 := auditLengths(t, s)
		if _, err := repo.Import(ctx, v1, first, func(screening.ListChange) store.Effects { return store.Effects{} }); err == nil {
			t.Fatal("an import without an audit entry was stored")
		}
		if ls, err := repo.Lists(ctx); err != nil || len(ls) != 0 {
			t.Fatalf("after a refused import, lists: %+v %v", ls, err)
		}
		if es := entryIDs(t, repo); len(es) != 0 {
			t.Fatalf("after a refused import, entries: %v", es)
		}
		if live, test := auditLengths(t, s); live != live0 || test != test0 {
			t.Fatalf("a refused import wrote audit entries: live %d -> %d, test %d -> %d", live0, live, test0, test)
		}

		// The first import changes every entry and is audited in the live environment only.
		ch, err := repo.Import(ctx, v1, first, importEffects)
		if err != nil {
			t.Fatal(err)
		}
		if ch.List != "un" || ch.Previous != "" || !slices.Equal(ch.Changed, []string{"1", "2", "3"}) || ch.Removed != 0 {
			t.Fatalf("first import: %+v", ch)
		}
		if live, test := auditLengths(t, s); live != live0+1 || test != test0 {
			t.Fatalf("the first import wrote live %d, test %d audit entries, want 1 and 0", live-live0, test-test0)
		}
		trail, err := s.AuditTrail(ctx, kyc.EnvLive, "un")
		if err != nil || len(trail) != 1 || trail[0].Action != "sanctions-list.import" {
			t.Fatalf("audit trail of the list: %+v %v", trail, err)
		}
		want := []string{"un:1=a", "un:2=b", "un:3=c"}
		if got := entryIDs(t, repo); !slices.Equal(got, want) {
			t.Fatalf("entries: %v, want %v", got, want)
		}

		// The same version again: no effects asked for, no audit entry, no change.
		ch, err = repo.Import(ctx, v1, first, func(screening.ListChange) store.Effects {
			t.Error("effects asked for an import of the stored version")
			return importEffects(screening.ListChange{})
		})
		if err != nil || ch.Previous != "v1" || len(ch.Changed) != 0 || ch.Removed != 0 {
			t.Fatalf("same version: %+v %v", ch, err)
		}
		if live, _ := auditLengths(t, s); live != live0+1 {
			t.Fatalf("the same version again wrote %d audit entries", live-live0-1)
		}

		// A new version whose effects fail (jobs, but this store inserts none) leaves the old one
		// whole: its version and every entry.
		v2 := kyc.SanctionsList{List: "un", Version: "v2", EntryCount: 3, Source: "file"}
		second := []screening.Entry{{List: "un", ID: "1", Hash: "a", Data: []byte(`{"id":"1"}`)},
			{List: "un", ID: "2", Hash: "b2", Data: []byte(`{"id":"2","x":1}`)}, {List: "un", ID: "4", Hash: "d", Data: []byte(`{"id":"4"}`)}}
		withJob := func(ch screening.ListChange) store.Effects {
			eff := importEffects(ch)
			eff.Jobs = []river.InsertManyParams{screening.ApplicantJob(kyc.EnvLive, "apl_x", "list-updated")}
			return eff
		}
		if _, err := repo.Import(ctx, v2, second, withJob); err == nil {
			t.Fatal("an import whose jobs cannot be inserted was stored")
		}
		if got := onlyList(t, repo); got.Version != "v1" {
			t.Fatalf("after a failed import, the version is %s", got.Version)
		}
		if got := entryIDs(t, repo); !slices.Equal(got, want) {
			t.Fatalf("after a failed import, entries: %v, want %v", got, want)
		}
		if live, test := auditLengths(t, s); live != live0+1 || test != test0 {
			t.Fatalf("a failed import wrote audit entries: live %d, test %d", live-live0-1, test-test0)
		}

		// The new version, stored: one changed, one added, one removed, one kept.
		ch, err = repo.Import(ctx, v2, second, importEffects)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Previous != "v1" || !slices.Equal(ch.Changed, []string{"2", "4"}) || ch.Removed != 1 {
			t.Fatalf("second import: %+v", ch)
		}
		vs, es, err := repo.Entries(ctx)
		if err != nil || len(vs) != 1 || vs[0].Version != "v2" || len(es) != 3 {
			t.Fatalf("entries of v2: %+v %+v %v", vs, es, err)
		}
		if got := entryIDs(t, repo); !slices.Equal(got, []string{"un:1=a", "un:2=b2", "un:4=d"}) {
			t.Fatalf("entries of v2: %v", got)
		}
		if string(es[1].Data) != `{"id":"2","x":1}` {
			t.Fatalf("changed entry's data: %s", es[1].Data)
		}
		if live, test := auditLengths(t, s); live != live0+2 || test != test0 {
			t.Fatalf("two imports wrote live %d, test %d audit entries, want 2 and 0", live-live0, test-test0)
		}
	})
}

// TestRescreenCandidates: every applicant of the environment, whatever their status, comes with
// their latest screening's list versions (none when never screened), paged by id.
func TestRescreenCandidates(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := screening.NewRepo(s)
		never := newApplicant(t, s, kyc.EnvTest)
		screened := newApplicant(t, s, kyc.EnvTest)
		live := newApplicant(t, s, kyc.EnvLive)
		for i, v := range []string{"old", "new"} {
			sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvTest, ApplicantID: screened.ID, Reason: "test",
				Disposition: []string{"potential-match", "clear"}[i], Threshold: 0.85, Hits: []kyc.ScreeningHit{},
				Lists: []kyc.SanctionsList{{List: "ofac-sdn", Version: v}}}
			if err := s.CreateScreening(ctx, &sc, audit("screening.create", sc.ID)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // screening ids sort by time
		}
		got, err := repo.RescreenCandidates(ctx, kyc.EnvTest, "", 10)
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
		page, err := repo.RescreenCandidates(ctx, kyc.EnvTest, want[0], 1)
		if err != nil || len(page) != 1 || page[0].ApplicantID != want[1] {
			t.Fatalf("after the first: %+v %v", page, err)
		}
		if page, err := repo.RescreenCandidates(ctx, kyc.EnvLive, "", 10); err != nil || len(page) != 1 || page[0].ApplicantID != live.ID {
			t.Fatalf("live: %+v %v", page, err)
		}
	})
}

// TestFalsePositives: the hits a review cleared are found for their applicant in their
// environment, with the entry's hash, and nowhere else.
func TestFalsePositives(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := screening.NewRepo(s)
		a := newApplicant(t, s, kyc.EnvTest)
		other := newApplicant(t, s, kyc.EnvTest)
		hit := kyc.ScreeningHit{List: "ofac-sdn", EntryID: "42", EntryHash: "h42", Name: "ANNA ERIKSSON", Score: 0.9}
		sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvTest, ApplicantID: a.ID, Reason: "test",
			Disposition: "potential-match", Threshold: 0.85, Hits: []kyc.ScreeningHit{hit}, Lists: []kyc.SanctionsList{}}
		if err := s.CreateScreening(ctx, &sc, audit("screening.create", sc.ID)); err != nil {
			t.Fatal(err)
		}
		if fps, err := repo.FalsePositives(ctx, kyc.EnvTest, a.ID); err != nil || len(fps) != 0 {
			t.Fatalf("before the review: %v %v", fps, err)
		}
		if _, err := s.ReviewScreening(ctx, kyc.EnvTest, sc.ID, func(sc *kyc.Screening) (store.Effects, []kyc.ScreeningHit, error) {
			sc.Disposition = "false-positive"
			return audit("screening.review", sc.ID), sc.Hits, nil
		}); err != nil {
			t.Fatal(err)
		}
		fps, err := repo.FalsePositives(ctx, kyc.EnvTest, a.ID)
		if err != nil || len(fps) != 1 || fps["ofac-sdn:42"] != "h42" {
			t.Fatalf("after the review: %v %v", fps, err)
		}
		for _, c := range []struct {
			env kyc.Env
			id  string
		}{{kyc.EnvLive, a.ID}, {kyc.EnvTest, other.ID}} {
			if fps, err := repo.FalsePositives(ctx, c.env, c.id); err != nil || len(fps) != 0 {
				t.Fatalf("%s %s: %v %v", c.env, c.id, fps, err)
			}
		}
	})
}

// TestReadSnapshotAgrees: the versions and entries Entries returns come from one snapshot, so
// while imports replace a list, every read sees one version's entries, never a mix.
func TestReadSnapshotAgrees(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := screening.NewRepo(s)
		version := func(i int) (kyc.SanctionsList, []screening.Entry) {
			v := kyc.SanctionsList{List: "un", Version: "v" + string(rune('a'+i)), EntryCount: 20, Source: "file"}
			es := make([]screening.Entry, 20)
			for j := range es {
				es[j] = screening.Entry{List: "un", ID: string(rune('a'+j)) + v.Version, Hash: v.Version, Data: []byte(`{}`)}
			}
			return v, es
		}
		v, es := version(0)
		if _, err := repo.Import(ctx, v, es, importEffects); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for i := 1; i < 8; i++ {
				v, es := version(i)
				if _, err := repo.Import(ctx, v, es, importEffects); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for reading := true; reading; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				reading = false
			default:
			}
			vs, got, err := repo.Entries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 || len(got) != 20 {
				t.Fatalf("%d versions, %d entries", len(vs), len(got))
			}
			for _, e := range got {
				if e.Hash != vs[0].Version {
					t.Fatalf("version %s with an entry of %s", vs[0].Version, e.Hash)
				}
			}
		}
	})
}
