package review_test

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// seeded is a case written straight into review_cases, with the priority and due time a test
// needs (the sink would take them from the clock and the level).
type seeded struct {
	id, level, kind string
	priority        int
	due             time.Time
	env             kyc.Env
	open, claimed   bool
	snoozed         bool
}

// seed writes cases in order, so that their ids sort as they are listed.
func (f *fixture) seed(a kyc.Applicant, cases []seeded) []seeded {
	f.t.Helper()
	now := f.now()
	for i := range cases {
		c := &cases[i]
		c.id = kyc.NewID(review.PrefixCase)
		status, reason := "decided", review.Reasons[c.priority-1]
		if c.open {
			status = "open"
		}
		var claimedBy, claimExpires, snoozed any
		if c.claimed {
			claimedBy, claimExpires = "usr_ana", store.Micros(now.Add(time.Hour))
		}
		if c.snoozed {
			snoozed = store.Micros(now.Add(time.Hour))
		}
		if err := f.st.Record(f.ctx, c.env, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(f.ctx, `INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, claimed_by,
				claim_expires_at, snoozed_until, revision, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+tx.Param("BIGINT")+`, `+tx.Param("BIGINT")+`, 1, ?, ?)`,
				c.id, string(c.env), c.kind, "doc_"+c.id[4:], a.ID, reason, c.level, c.priority, status, claimedBy, claimExpires, snoozed,
				store.Micros(now), store.Micros(c.due))
			return store.Effects{}, err
		}); err != nil {
			f.t.Fatal(err)
		}
	}
	return cases
}

// pages lists the whole queue of f in pages of limit, failing on a case seen twice.
func (f *fixture) pages(env kyc.Env, flt review.Filter, limit int) []string {
	f.t.Helper()
	var ids []string
	seen := map[string]bool{}
	cursor := ""
	for range 100 {
		p, err := f.svc.Queue(f.ctx, env, flt, cursor, limit)
		if err != nil {
			f.t.Fatalf("queue %+v after %q: %v", flt, cursor, err)
		}
		if len(p.Items) > limit {
			f.t.Fatalf("a page of %d cases, limit %d", len(p.Items), limit)
		}
		for _, c := range p.Items {
			if seen[c.ID] {
				f.t.Fatalf("queue %+v: case %s on two pages", flt, c.ID)
			}
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			return ids
		}
	}
	f.t.Fatalf("queue %+v: no last page", flt)
	return nil
}

func fieldOf(err error) string {
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 {
		return ""
	}
	return ve.Fields[0].Field
}

// TestQueueOrders: the queue lists most urgent first by priority, then due time, then id, in
// pages of a few cases with no case lost or repeated, with each filter too; oldest and newest
// first page the same cases by id. An unknown order is a field error; a cursor that is not one
// this order returned (garbage, cut short, another order's) is refused.
func TestQueueOrders(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.applicant(kyc.EnvLive)
		at := func(h int) time.Time {
			return f.now().Add(time.Duration(h) * time.Hour).UTC().Truncate(time.Microsecond)
		}
		doc, scr := review.KindDocument, review.KindScreening
		// Written in this order, so the ids sort this way: priorities and due times are out of
		// step with it, and some share both (the id decides).
		cases := f.seed(a, []seeded{
			{level: "L1", kind: doc, priority: 4, due: at(1), env: kyc.EnvLive, open: true},
			{level: "L2", kind: doc, priority: 3, due: at(5), env: kyc.EnvLive, open: true},
			{level: "L1", kind: scr, priority: 1, due: at(9), env: kyc.EnvLive, open: true},
			{level: "L2", kind: doc, priority: 3, due: at(2), env: kyc.EnvLive, open: true, claimed: true},
			{level: "L1", kind: doc, priority: 2, due: at(2), env: kyc.EnvLive, open: true},
			{level: "L2", kind: doc, priority: 3, due: at(2), env: kyc.EnvLive, open: true},
			{level: "L1", kind: scr, priority: 1, due: at(3), env: kyc.EnvLive, open: true, snoozed: true},
			{level: "L2", kind: doc, priority: 4, due: at(1), env: kyc.EnvLive, open: true},
			{level: "L1", kind: doc, priority: 1, due: at(9), env: kyc.EnvLive, open: true},
			{level: "L2", kind: doc, priority: 2, due: at(7), env: kyc.EnvLive, open: true, claimed: true},
			{level: "L1", kind: doc, priority: 1, due: at(0), env: kyc.EnvLive, open: false},
			{level: "L2", kind: doc, priority: 1, due: at(0), env: kyc.EnvTest, open: true},
			{level: "L2", kind: doc, priority: 3, due: at(2), env: kyc.EnvLive, open: true},
			{level: "L1", kind: scr, priority: 1, due: at(9), env: kyc.EnvLive, open: true},
		})
		want := func(flt review.Filter, order func(x, y seeded) int) []string {
			var ids []string
			for _, c := range slices.SortedStableFunc(slices.Values(cases), order) {
				if c.env != kyc.EnvLive || !c.open || (c.snoozed && !flt.Snoozed) || (flt.Level != "" && c.level != flt.Level) ||
					(flt.Kind != "" && c.kind != flt.Kind) || (flt.Reason != "" && review.Reasons[c.priority-1] != flt.Reason) ||
					(flt.Assignee == "none" && c.claimed) || (flt.Assignee != "" && flt.Assignee != "none" && !c.claimed) {
					continue
				}
				ids = append(ids, c.id)
			}
			return ids
		}
		urgent := func(x, y seeded) int {
			return cmp.Or(cmp.Compare(x.priority, y.priority), x.due.Compare(y.due), cmp.Compare(x.id, y.id))
		}
		oldest := func(x, y seeded) int { return cmp.Compare(x.id, y.id) }
		newest := func(x, y seeded) int { return cmp.Compare(y.id, x.id) }
		for _, flt := range []review.Filter{{}, {Level: "L2"}, {Assignee: "none"}, {Assignee: "usr_ana"}, {Kind: doc, Snoozed: true},
			{Reason: review.ReasonDuplicate}, {Snoozed: true}} {
			for _, o := range []struct {
				order string
				cmp   func(x, y seeded) int
			}{{review.OrderUrgent, urgent}, {"", oldest}, {review.OrderOldest, oldest}, {review.OrderNewest, newest}} {
				flt.Order = o.order
				w := want(flt, o.cmp)
				if len(w) == 0 {
					t.Fatalf("filter %+v matches no case: the test proves nothing", flt)
				}
				for _, limit := range []int{2, 3} {
					if got := f.pages(kyc.EnvLive, flt, limit); !slices.Equal(got, w) {
						t.Errorf("queue %+v in pages of %d:\n got %v\nwant %v", flt, limit, got, w)
					}
				}
			}
		}

		// The first page, most urgent first: the unsnoozed priority-1 cases by due time, then id.
		first, err := f.svc.Queue(f.ctx, kyc.EnvLive, review.Filter{Order: review.OrderUrgent}, "", 3)
		if err != nil || len(first.Items) != 3 || first.NextCursor == "" {
			t.Fatalf("first urgent page: %+v %v", first, err)
		}
		if got := []string{first.Items[0].ID, first.Items[1].ID, first.Items[2].ID}; !slices.Equal(got, []string{cases[2].id, cases[8].id, cases[13].id}) {
			t.Errorf("first urgent page %v, want the priority-1 cases due at +9 h, by id", got)
		}

		if _, err := f.svc.Queue(f.ctx, kyc.EnvLive, review.Filter{Order: "priority"}, "", 3); fieldOf(err) != "order" {
			t.Errorf("an unknown order: %v, want a field error of order", err)
		}
		oldestPage, err := f.svc.Queue(f.ctx, kyc.EnvLive, review.Filter{}, "", 3)
		if err != nil || oldestPage.NextCursor == "" {
			t.Fatalf("first oldest page: %+v %v", oldestPage, err)
		}
		for name, c := range map[string]struct {
			order, cursor string
		}{
			"garbage":                  {review.OrderUrgent, "not-a-cursor"},
			"not base64":               {review.OrderUrgent, "%%%"},
			"cut short":                {review.OrderUrgent, first.NextCursor[:len(first.NextCursor)-6]},
			"the oldest order's":       {review.OrderUrgent, oldestPage.NextCursor},
			"the urgent order's":       {review.OrderOldest, first.NextCursor},
			"the urgent order's (new)": {review.OrderNewest, first.NextCursor},
		} {
			if _, err := f.svc.Queue(f.ctx, kyc.EnvLive, review.Filter{Order: c.order}, c.cursor, 3); fieldOf(err) != "query.cursor" {
				t.Errorf("a cursor %s, order %q: %v, want a field error of query.cursor", name, c.order, err)
			}
		}
	})
}
