package review_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/verify"
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	svc   *review.Service
	clock atomic.Int64
}

func (f *fixture) now() time.Time      { return time.Unix(0, f.clock.Load()) }
func (f *fixture) add(d time.Duration) { f.clock.Add(int64(d)) }

func newFixture(t *testing.T, st *store.Store) *fixture {
	f := &fixture{t: t, ctx: t.Context(), st: st}
	f.clock.Store(time.Now().UnixNano())
	f.svc = review.NewService(st, review.Config{DefaultSLA: 24 * time.Hour, SLA: map[string]time.Duration{"L2": 2 * time.Hour}, Priority: map[string]int{"L2": 1},
		ClaimFor: 30 * time.Minute, Now: f.now})
	if err := st.InitJobs(store.JobsConfig{Workers: river.NewWorkers(), Events: f.svc.Sink()}); err != nil {
		t.Fatal(err)
	}
	return f
}

func audit(action, id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "test", ResourceID: id}}
}

func (f *fixture) applicant(env kyc.Env) kyc.Applicant {
	f.t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L1"}
	if err := f.st.CreateApplicant(f.ctx, &a, audit("applicant.create", a.ID)); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// document creates a pending identity document of a and decides it to status with checks, as
// the engine does: with the event of its new status, whose data the store fills in.
func (f *fixture) document(a kyc.Applicant, level, status string, checks ...kyc.Check) kyc.Document {
	f.t.Helper()
	file := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: a.Env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
	if err := f.st.CreateFile(f.ctx, &file, audit("file.create", file.ID)); err != nil {
		f.t.Fatal(err)
	}
	d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: a.Env, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{file.ID}, Status: "pending"}
	if err := f.st.CreateDocument(f.ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
		f.t.Fatal(err)
	}
	return f.decide(d, level, status, checks...)
}

func (f *fixture) decide(d kyc.Document, level, status string, checks ...kyc.Check) kyc.Document {
	f.t.Helper()
	ev := map[string]string{"pending-review": kyc.EventDocumentPendingReview, "accepted": kyc.EventDocumentAccepted, "rejected": kyc.EventDocumentRejected}[status]
	out, err := f.st.DecideDocument(f.ctx, d.Env, d.ID, func(c *store.Case) (store.Effects, error) {
		c.Document.Status, c.Document.CheckList = status, checks
		c.Document.Decision = &kyc.Decision{Level: level, Outcome: status}
		eff := audit("kyc-document.decide", d.ID)
		eff.Events = []store.NewEvent{{Type: ev, ResourceType: "kyc-document", ResourceID: d.ID}}
		return eff, nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) queue(env kyc.Env, flt review.Filter) []review.Case {
	f.t.Helper()
	p, err := f.svc.Queue(f.ctx, env, flt, "", 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Items
}

func subjects(cs []review.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.SubjectID)
	}
	return out
}

// TestCasesFollowTheirSubjects: a document sent to review opens one case, with the reason of the
// check that held it and the level's due time, in its decision's transaction; sent again it keeps
// that case; decided, the case closes and leaves the queue; a screening at potential match opens
// a sanctions case. Each environment sees its own.
func TestCasesFollowTheirSubjects(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.applicant(kyc.EnvLive)
		plain := f.document(a, "L1", "pending-review", kyc.Check{Name: "mrz-checksums", Failed: true})
		face := f.document(a, "L2", "pending-review", kyc.Check{Name: verify.CheckDuplicateFace, Failed: true}, kyc.Check{Name: verify.CheckDuplicateImage, Failed: true})
		dup := f.document(a, "L1", "pending-review", kyc.Check{Name: verify.CheckDuplicateNumber, Failed: true})
		f.document(a, "L1", "accepted")
		f.document(f.applicant(kyc.EnvTest), "L1", "pending-review")

		q := f.queue(kyc.EnvLive, review.Filter{})
		if got, want := subjects(q), []string{plain.ID, face.ID, dup.ID}; !slices.Equal(got, want) {
			t.Fatalf("queue %v, want %v (oldest first, live only)", got, want)
		}
		byID := map[string]review.Case{}
		for _, c := range q {
			byID[c.SubjectID] = c
		}
		for id, want := range map[string]string{plain.ID: review.ReasonDocument, face.ID: review.ReasonDuplicateFace, dup.ID: review.ReasonDuplicate} {
			if c := byID[id]; c.Reason != want || c.Kind != review.KindDocument || c.ApplicantID != a.ID || !c.Open {
				t.Errorf("case of %s: %+v, want reason %s", id, c, want)
			}
		}
		if c := byID[face.ID]; c.Level != "L2" || c.DueTime.Sub(c.CreatedTime) != 2*time.Hour || c.Priority != 1 {
			t.Errorf("an L2 duplicate face: %+v, want due 2 h after and priority 1 (L2's, above the reason's 2)", c)
		}
		if c := byID[plain.ID]; c.DueTime.Sub(c.CreatedTime) != 24*time.Hour || c.Priority != 4 {
			t.Errorf("an L1 document case is due %s after with priority %d, want 24 h and 4 (its reason's)", c.DueTime.Sub(c.CreatedTime), c.Priority)
		}
		if c := byID[dup.ID]; c.Priority != 3 {
			t.Errorf("an L1 duplicate case has priority %d, want 3", c.Priority)
		}

		// Sent to review again: the same case.
		f.decide(plain, "L1", "pending-review")
		if got := f.queue(kyc.EnvLive, review.Filter{}); len(got) != 3 || got[0].ID != q[0].ID {
			t.Fatalf("after a second review: %v", subjects(got))
		}
		// Decided: the case closes, and cannot be claimed.
		f.decide(plain, "L1", "accepted")
		if got := subjects(f.queue(kyc.EnvLive, review.Filter{})); slices.Contains(got, plain.ID) {
			t.Fatalf("a decided document is still queued: %v", got)
		}
		closed, err := f.svc.Case(f.ctx, kyc.EnvLive, q[0].ID)
		if err != nil || closed.Open || closed.DecidedTime.IsZero() {
			t.Fatalf("the decided case: %+v %v", closed, err)
		}
		if _, err := f.svc.Claim(f.ctx, kyc.EnvLive, closed.ID, "usr_a"); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("claim of a decided case: %v", err)
		}
		if _, err := f.svc.Assign(f.ctx, kyc.EnvLive, closed.ID, "usr_a", "usr_b"); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("reassigning a decided case: %v", err)
		}
		// Another environment's case is not found.
		if _, err := f.svc.Case(f.ctx, kyc.EnvTest, q[1].ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a live case from test: %v", err)
		}

		// A potential sanctions match.
		sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: kyc.EnvLive, ApplicantID: a.ID, Reason: "applicant-created", Disposition: "potential-match",
			Hits: []kyc.ScreeningHit{}, Lists: []kyc.SanctionsList{}}
		eff := audit("screening.create", sc.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventScreeningPotentialMatch, ResourceType: "screening", ResourceID: sc.ID, Data: sc}}
		if err := st.CreateScreening(f.ctx, &sc, eff); err != nil {
			t.Fatal(err)
		}
		sanctions := f.queue(kyc.EnvLive, review.Filter{Reason: review.ReasonSanctions})
		if len(sanctions) != 1 || sanctions[0].SubjectID != sc.ID || sanctions[0].Kind != review.KindScreening || sanctions[0].Level != "L1" || sanctions[0].Priority != 1 {
			t.Fatalf("sanctions cases: %+v", sanctions)
		}
		counts, oldest, err := f.svc.Counts(f.ctx, kyc.EnvLive)
		if err != nil || counts[review.ReasonSanctions] != 1 || counts[review.ReasonDuplicateFace] != 1 || counts[review.ReasonDuplicate] != 1 || counts[review.ReasonDocument] != 0 || oldest[review.ReasonSanctions].IsZero() {
			t.Fatalf("counts %v %v %v", counts, oldest, err)
		}
	})
}

// TestClaims: of two people claiming one case at once, exactly one wins; the other can take it
// once the claim expires or is released; only the holder releases; the queue filters by holder
// and hides snoozed cases until they wake.
func TestClaims(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.applicant(kyc.EnvLive)
		f.document(a, "L1", "pending-review")
		other := f.document(a, "L1", "pending-review")
		c := f.queue(kyc.EnvLive, review.Filter{})[0]

		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { _, errs[i] = f.svc.Claim(f.ctx, kyc.EnvLive, c.ID, []string{"usr_ana", "usr_bob"}[i%2]) })
		}
		wg.Wait()
		won := map[bool]int{}
		for _, err := range errs {
			won[err == nil]++
			if err != nil && !errors.Is(err, kyc.ErrConflict) {
				t.Fatalf("a losing claim: %v", err)
			}
		}
		held, _ := f.svc.Case(f.ctx, kyc.EnvLive, c.ID)
		if won[true] != 3 || won[false] != 3 || (held.ClaimedBy != "usr_ana" && held.ClaimedBy != "usr_bob") {
			t.Fatalf("claims: %d won, %d lost (want one person's three: a holder renews), held by %q", won[true], won[false], held.ClaimedBy)
		}
		loser := map[string]string{"usr_ana": "usr_bob", "usr_bob": "usr_ana"}[held.ClaimedBy]

		if got := subjects(f.queue(kyc.EnvLive, review.Filter{Assignee: held.ClaimedBy})); !slices.Equal(got, []string{c.SubjectID}) {
			t.Fatalf("the holder's cases: %v", got)
		}
		if got := subjects(f.queue(kyc.EnvLive, review.Filter{Assignee: "none"})); !slices.Equal(got, []string{other.ID}) {
			t.Fatalf("cases nobody holds: %v", got)
		}
		if _, err := f.svc.Release(f.ctx, kyc.EnvLive, c.ID, loser); !errors.Is(err, kyc.ErrConflict) {
			t.Fatalf("release by someone else: %v", err)
		}
		// The claim expires.
		f.add(31 * time.Minute)
		if got, err := f.svc.Claim(f.ctx, kyc.EnvLive, c.ID, loser); err != nil || got.ClaimedBy != loser {
			t.Fatalf("a claim after the first expired: %+v %v", got, err)
		}
		if got, err := f.svc.Release(f.ctx, kyc.EnvLive, c.ID, loser); err != nil || got.ClaimedBy != "" {
			t.Fatalf("release: %+v %v", got, err)
		}

		// Snoozed, a case leaves the queue until it wakes; only its holder, or anyone when none, snoozes it.
		if _, err := f.svc.Snooze(f.ctx, kyc.EnvLive, c.ID, "usr_ana", f.now().Add(-time.Hour)); !errors.As(err, new(*kyc.ValidationError)) {
			t.Fatalf("snooze into the past: %v", err)
		}
		if _, err := f.svc.Snooze(f.ctx, kyc.EnvLive, c.ID, "usr_ana", f.now().Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := subjects(f.queue(kyc.EnvLive, review.Filter{})); !slices.Equal(got, []string{other.ID}) {
			t.Fatalf("queue with a snoozed case: %v", got)
		}
		if got := subjects(f.queue(kyc.EnvLive, review.Filter{Snoozed: true})); len(got) != 2 {
			t.Fatalf("queue with snoozed cases shown: %v", got)
		}
		f.add(2 * time.Hour)
		if got := subjects(f.queue(kyc.EnvLive, review.Filter{})); len(got) != 2 {
			t.Fatalf("queue after the snooze: %v", got)
		}
		// Overdue a day after it came.
		f.add(23 * time.Hour)
		if got, _ := f.svc.Case(f.ctx, kyc.EnvLive, c.ID); !got.Overdue(f.now()) {
			t.Fatalf("a case 25 hours old is not overdue: %+v", got)
		}
		// Every claim, release and snooze is in the case's audit trail, with its person.
		trail, err := st.AuditTrail(f.ctx, kyc.EnvLive, c.ID)
		if err != nil || len(trail) != 6 || trail[len(trail)-1].Action != "review-case.snooze" || trail[len(trail)-1].Actor != "user:usr_ana" {
			t.Fatalf("audit trail: %+v %v", trail, err)
		}
	})
}

// TestNotes: a note is sealed at rest, listed with its author on the applicant's cases of its
// environment only, audited with its person; an empty one is refused.
func TestNotes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.applicant(kyc.EnvLive)
		f.document(a, "L1", "pending-review")
		c := f.queue(kyc.EnvLive, review.Filter{})[0]
		if _, err := f.svc.AddNote(f.ctx, kyc.EnvLive, c.ID, review.Person{ID: "usr_ana"}, " "); !errors.As(err, new(*kyc.ValidationError)) {
			t.Fatalf("an empty note: %v", err)
		}
		if _, err := f.svc.AddNote(f.ctx, kyc.EnvTest, c.ID, review.Person{ID: "usr_ana"}, "x"); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("a note on another environment's case: %v", err)
		}
		n, err := f.svc.AddNote(f.ctx, kyc.EnvLive, c.ID, review.Person{ID: "usr_ana"}, "Her employer confirmed by phone.")
		if err != nil {
			t.Fatal(err)
		}
		notes, err := f.svc.Notes(f.ctx, kyc.EnvLive, a.ID)
		if err != nil || len(notes) != 1 || notes[0].Body != "Her employer confirmed by phone." || notes[0].Author != "usr_ana" || notes[0].ID != n.ID {
			t.Fatalf("notes: %+v %v", notes, err)
		}
		if other, _ := f.svc.Notes(f.ctx, kyc.EnvTest, a.ID); len(other) != 0 {
			t.Fatalf("notes seen from test: %+v", other)
		}
		var raw []byte
		if err := st.QueryRow(f.ctx, `SELECT body FROM review_notes WHERE id = ?`, n.ID).Scan(&raw); err != nil || strings.Contains(string(raw), "employer") {
			t.Fatalf("the note is stored in clear: %v", err)
		}
		trail, _ := st.AuditTrail(f.ctx, kyc.EnvLive, c.ID)
		if len(trail) != 1 || trail[0].Action != "review-case.note" || trail[0].Actor != "user:usr_ana" {
			t.Fatalf("audit: %+v", trail)
		}
	})
}

// TestClaimsRaceAcrossReplicas: two replicas (two stores with their own pools, as two serve
// processes have) race 50 claims each, on PostgreSQL, for the same 25 cases: each case is
// claimed by exactly one person, whatever the interleaving.
func TestClaimsRaceAcrossReplicas(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t, store.Postgres)
	open := func() *store.Store {
		st, err := store.Open(t.Context(), dsn, storetest.Sealer(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	one, two := open(), open()
	f := newFixture(t, one)
	a := f.applicant(kyc.EnvLive)
	for range 25 {
		f.document(a, "L1", "pending-review")
	}
	cases := f.queue(kyc.EnvLive, review.Filter{})
	if len(cases) != 25 {
		t.Fatalf("%d cases", len(cases))
	}
	replicas := []*review.Service{review.NewService(one, review.Config{}), review.NewService(two, review.Config{})}
	type win struct{ caseID, person string }
	wins := make(chan win, 100)
	var wg sync.WaitGroup
	for r, svc := range replicas {
		for _, c := range cases {
			for _, person := range []string{"usr_ana", "usr_bob"} {
				p := person + string(rune('0'+r)) // four people: two per replica
				wg.Go(func() {
					if _, err := svc.Claim(t.Context(), kyc.EnvLive, c.ID, p); err == nil {
						wins <- win{c.ID, p}
					} else if !errors.Is(err, kyc.ErrConflict) {
						t.Errorf("claim: %v", err)
					}
				})
			}
		}
	}
	wg.Wait()
	close(wins)
	holders := map[string]string{}
	for w := range wins {
		if h, ok := holders[w.caseID]; ok && h != w.person {
			t.Fatalf("case %s claimed by %s and by %s", w.caseID, h, w.person)
		}
		holders[w.caseID] = w.person
	}
	if len(holders) != 25 {
		t.Fatalf("%d cases claimed, want 25", len(holders))
	}
	for _, c := range cases {
		got, err := replicas[1].Case(t.Context(), kyc.EnvLive, c.ID)
		if err != nil || got.ClaimedBy != holders[c.ID] {
			t.Fatalf("case %s is held by %q, the winner was %q (%v)", c.ID, got.ClaimedBy, holders[c.ID], err)
		}
	}
}

// TestParsePriority: level=priority items, 1 to the number of reasons; anything else is refused.
func TestParsePriority(t *testing.T) {
	t.Parallel()
	if p, err := review.ParsePriority(" L2=1, L3 = 2,"); err != nil || p["L2"] != 1 || p["L3"] != 2 || len(p) != 2 {
		t.Fatalf("ParsePriority = %v, %v", p, err)
	}
	for _, bad := range []string{"L2", "L2=0", "L2=5", "=1", "L2=high"} {
		if _, err := review.ParsePriority(bad); err == nil {
			t.Errorf("ParsePriority(%q) accepted", bad)
		}
	}
}
