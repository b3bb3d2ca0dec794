package document_test

import (
	"context"
	"slices"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// setStatus moves a stored document to status, as the checks would.
func (b *bundle) setStatus(t *testing.T, env kyc.Env, id, status string) {
	t.Helper()
	_, err := b.st.UpdateDocument(context.Background(), env, id, func(d *kyc.Document) (store.Effects, error) {
		d.Status = status
		return audit(id), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// create stores a passport of a in env and returns its id.
func (b *bundle) create(t *testing.T, env kyc.Env, a kyc.Applicant) string {
	t.Helper()
	d, err := b.svc.Create(context.Background(), "test", env, b.passport(a))
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// collect pages through fn with pages of size, and returns the ids in the order listed.
func collect(t *testing.T, size int, fn func(cursor string, limit int) (kyc.Page[kyc.Document], error)) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 20 {
		page, err := fn(cursor, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > size {
			t.Fatalf("a page of %d items, asked for %d", len(page.Items), size)
		}
		for _, d := range page.Items {
			ids = append(ids, d.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return ids
		}
	}
	t.Fatal("paging does not end")
	return nil
}

// TestFindFiltersAndPages: Find lists documents across applicants or of one, of one status or
// all, newest first or (a review queue) oldest first, in pages that join without a gap or a
// repeat; it never lists the other environment's documents, and it refuses a malformed applicant
// id and an unknown status naming both query fields at once. List is Find for one applicant, which
// it requires.
func TestFindFiltersAndPages(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		var all, annas, review, bobPending []string // oldest first
		for i := range 7 {
			a := b.anna
			if i%3 == 1 {
				a = b.bob
			}
			id := b.create(t, kyc.EnvTest, a)
			all = append(all, id)
			if a.ID == b.anna.ID {
				annas = append(annas, id)
			}
			if i%2 == 0 {
				b.setStatus(t, kyc.EnvTest, id, "pending-review")
				review = append(review, id)
			} else if a.ID == b.bob.ID {
				bobPending = append(bobPending, id)
			}
		}
		b.create(t, kyc.EnvLive, b.live)
		newest := func(ids []string) []string {
			out := slices.Clone(ids)
			slices.Reverse(out)
			return out
		}

		find := func(f store.DocumentFilter) func(string, int) (kyc.Page[kyc.Document], error) {
			return func(cursor string, limit int) (kyc.Page[kyc.Document], error) {
				return b.svc.Find(ctx, kyc.EnvTest, f, cursor, limit)
			}
		}
		cases := []struct {
			name string
			f    store.DocumentFilter
			want []string
		}{
			{"all, newest first", store.DocumentFilter{}, newest(all)},
			{"all, oldest first", store.DocumentFilter{OldestFirst: true}, all},
			{"one applicant's", store.DocumentFilter{ApplicantID: b.anna.ID}, newest(annas)},
			{"the review queue", store.DocumentFilter{Status: "pending-review", OldestFirst: true}, review},
			{"a status and an applicant", store.DocumentFilter{Status: "pending", ApplicantID: b.bob.ID}, newest(bobPending)},
			{"a status no document has", store.DocumentFilter{Status: "accepted"}, nil},
			{"an applicant of the other environment", store.DocumentFilter{ApplicantID: b.live.ID}, nil},
		}
		for _, c := range cases {
			for _, size := range []int{2, 3, 100} {
				if got := collect(t, size, find(c.f)); !slices.Equal(got, c.want) {
					t.Errorf("%s in pages of %d: %v, want %v", c.name, size, got, c.want)
				}
			}
		}
		for _, id := range collect(t, 100, find(store.DocumentFilter{Status: "pending-review"})) {
			if d, _ := b.svc.Get(ctx, kyc.EnvTest, id); d.Status != "pending-review" {
				t.Errorf("the pending-review filter listed a %s document", d.Status)
			}
		}

		got := collect(t, 2, func(cursor string, limit int) (kyc.Page[kyc.Document], error) {
			return b.svc.List(ctx, kyc.EnvTest, b.anna.ID, cursor, limit)
		})
		if !slices.Equal(got, newest(annas)) {
			t.Errorf("List of anna's: %v, want %v", got, newest(annas))
		}
		if page, err := b.svc.List(ctx, kyc.EnvTest, b.live.ID, "", 0); err != nil || len(page.Items) != 0 {
			t.Errorf("List of live's applicant from test: %d items, %v", len(page.Items), err)
		}
		if page, err := b.svc.Find(ctx, kyc.EnvLive, store.DocumentFilter{}, "", 0); err != nil || len(page.Items) != 1 {
			t.Errorf("Find in live: %d items, %v; want the one live document", len(page.Items), err)
		}

		refusals := []struct {
			name   string
			err    error
			fields []string
		}{
			{"Find with a malformed applicant id and an unknown status", func() error {
				_, err := b.svc.Find(ctx, kyc.EnvTest, store.DocumentFilter{ApplicantID: all[0], Status: "approved"}, "", 0)
				return err
			}(), []string{"query.applicantId", "query.status"}},
			{"Find with a forged cursor", func() error {
				_, err := b.svc.Find(ctx, kyc.EnvTest, store.DocumentFilter{}, "djE6", 0)
				return err
			}(), []string{"query.cursor"}},
			{"List with no applicant", func() error {
				_, err := b.svc.List(ctx, kyc.EnvTest, "", "", 0)
				return err
			}(), []string{"query.applicantId"}},
			{"List with a document id", func() error {
				_, err := b.svc.List(ctx, kyc.EnvTest, all[0], "", 0)
				return err
			}(), []string{"query.applicantId"}},
		}
		for _, r := range refusals {
			if got := fields(r.err); !slices.Equal(got, r.fields) {
				t.Errorf("%s: %v: names %v, want %v", r.name, r.err, got, r.fields)
			}
		}
	})
}

// TestDefaultPageSize: a limit of 0 is a page of store.DefaultPageSize with a cursor to the rest.
func TestDefaultPageSize(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		for range store.DefaultPageSize + 1 {
			b.create(t, kyc.EnvTest, b.anna)
		}
		page, err := b.svc.Find(ctx, kyc.EnvTest, store.DocumentFilter{}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != store.DefaultPageSize || page.NextCursor == "" {
			t.Errorf("limit 0: %d items, next %q; want %d and a next page", len(page.Items), page.NextCursor, store.DefaultPageSize)
		}
		rest, err := b.svc.Find(ctx, kyc.EnvTest, store.DocumentFilter{}, page.NextCursor, 0)
		if err != nil || len(rest.Items) != 1 || rest.NextCursor != "" {
			t.Errorf("the next page: %d items, next %q, %v; want the last one", len(rest.Items), rest.NextCursor, err)
		}
	})
}
