package screening

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// Store is what the screening service needs from the database: the store's core, on which its
// own repository of sanctions lists runs (Repo), and the screenings, applicants and documents the
// store keeps.
type Store interface {
	Core
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	CreateScreening(ctx context.Context, sc *kyc.Screening, eff store.Effects) error
	Screening(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error)
	ApplicantScreenings(ctx context.Context, env kyc.Env, applicantID string, limit int) ([]kyc.Screening, error)
	ListScreenings(ctx context.Context, env kyc.Env, f store.ScreeningFilter, cursor string, limit int) (kyc.Page[kyc.Screening], error)
	ReviewScreening(ctx context.Context, env kyc.Env, id string, review func(sc *kyc.Screening) (store.Effects, []kyc.ScreeningHit, error)) (kyc.Screening, error)
	ApplicantDocumentIDs(ctx context.Context, env kyc.Env, applicantID string, statuses ...string) ([]string, error)
	DecideDocument(ctx context.Context, env kyc.Env, id string, decide func(c *store.Case) (store.Effects, error)) (kyc.Document, error)
}

var _ Store = (*store.Store)(nil)

// Service screens names and applicants.
type Service struct {
	store     Store
	repo      *Repo
	lists     *Lists
	threshold float64
	levels    request.Levels
}

// NewService returns a service on st with its own list holder; levels decide what releasing a
// held document grants the applicant.
func NewService(st Store, lists *Lists, threshold float64, levels request.Levels) *Service {
	if threshold <= 0 {
		threshold = match.DefaultThreshold
	}
	return &Service{store: st, repo: NewRepo(st), lists: lists, threshold: threshold, levels: levels}
}

// Threshold is the potential-match threshold.
func (s *Service) Threshold() float64 { return s.threshold }

// Lists returns the versions of the lists in use, with their dates and whether each is stale,
// read from the database (a refresh shows at once, before the index reloads).
func (s *Service) Lists(ctx context.Context) ([]kyc.SanctionsList, error) {
	vs, err := s.repo.Lists(ctx)
	if err != nil {
		return nil, err
	}
	return withStale(vs, timeNow()), nil
}

// Query is a name to screen through the API.
type Query struct {
	Name        string  `json:"name" minLength:"1" maxLength:"300"`
	DateOfBirth string  `json:"dateOfBirth,omitempty" doc:"YYYY-MM-DD or YYYY; raises or lowers the score"`
	Country     string  `json:"country,omitempty" maxLength:"64" doc:"Nationality, ISO 3166-1 code or English name"`
	Type        string  `json:"type,omitempty" enum:"individual,entity"`
	MinScore    float64 `json:"minScore,omitempty" minimum:"0" maximum:"1" doc:"Lowest score returned: any value in (0, 1], so a caller can ask for every candidate (0.01) or only strong matches; 0 or absent means the configured match threshold. A hit returned at one minScore is returned, with the same score, at every lower one."`
	Limit       int     `json:"limit,omitempty" minimum:"0" maximum:"100" doc:"Default 10"`
}

// Result is the answer to a screening query.
type Result struct {
	Hits      []kyc.ScreeningHit  `json:"hits"`
	Threshold float64             `json:"threshold"`
	Lists     []kyc.SanctionsList `json:"lists"`
}

// Screen screens one name.
func (s *Service) Screen(ctx context.Context, q Query) (Result, error) {
	var p kyc.Problems
	if strings.TrimSpace(q.Name) == "" {
		p.Add("body.name", "is required")
	}
	p.CheckText("body.name", q.Name, kyc.Name)
	p.Country("body.country", &q.Country)
	if q.DateOfBirth != "" && len(q.DateOfBirth) != 4 {
		p.Date("body.dateOfBirth", q.DateOfBirth)
	}
	if q.MinScore < 0 || q.MinScore > 1 {
		p.Add("body.minScore", "must be in (0, 1]; 0 or absent means the match threshold")
	}
	if err := p.Err(); err != nil {
		return Result{}, err
	}
	cur, err := s.lists.current(ctx)
	if err != nil {
		return Result{}, err
	}
	if len(cur.versions) == 0 {
		return Result{}, ErrNoLists
	}
	mq := match.Query{Name: q.Name, DateOfBirth: q.DateOfBirth, Country: q.Country, Type: q.Type, MinScore: q.MinScore, Limit: q.Limit}
	if mq.MinScore <= 0 {
		mq.MinScore = s.threshold
	}
	return Result{Hits: hitsOf(cur, cur.index.Search(mq)), Threshold: mq.MinScore, Lists: cur.versions}, nil
}

func hitsOf(cur *loaded, hs []match.Hit) []kyc.ScreeningHit {
	out := make([]kyc.ScreeningHit, 0, len(hs))
	for _, h := range hs {
		e := h.Entry
		out = append(out, kyc.ScreeningHit{List: e.List, EntryID: e.ID, EntryHash: cur.hashes[e.List+":"+e.ID], Type: e.Type, Name: e.Name,
			MatchedName: h.MatchedName, Alias: h.Alias, Score: float64(int(h.Score*1000+0.5)) / 1000, Why: h.Why,
			Programs: e.Programs, DatesOfBirth: e.DatesOfBirth, Countries: e.Countries})
	}
	return out
}

// Get returns one screening.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error) {
	return s.store.Screening(ctx, env, id)
}

// ApplicantScreenings returns an applicant's screenings, newest first.
func (s *Service) ApplicantScreenings(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Screening, error) {
	if _, err := s.store.Applicant(ctx, env, applicantID); err != nil {
		return nil, err
	}
	return s.store.ApplicantScreenings(ctx, env, applicantID, 100)
}

// applicantQueries are the names of an applicant to screen: as written and in Latin letters.
func applicantQueries(a *kyc.Applicant, threshold float64) []match.Query {
	p := &a.Profile
	typ := "individual"
	if a.Type == "business" {
		typ = "entity"
	}
	var qs []match.Query
	for _, n := range []string{join(p.FirstName, p.MiddleName, p.LastName), join(p.FirstNameLatin, p.MiddleNameLatin, p.LastNameLatin)} {
		if n != "" && !slices.ContainsFunc(qs, func(q match.Query) bool { return q.Name == n }) {
			qs = append(qs, match.Query{Name: n, DateOfBirth: p.DateOfBirth, Country: p.Nationality, Type: typ, MinScore: threshold, Limit: 20})
		}
	}
	return qs
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// Monitor says that a screening is ongoing monitoring after an import: only hits on the Changed
// entries count ("list:id"; all entries when All), a clear result is not stored, and an applicant
// whose last screening still waits for review is left alone.
type Monitor struct {
	Changed []string
	All     bool
}

// ScreenApplicant screens one applicant and stores the result; mon is nil except in monitoring.
// Hits a reviewer marked false-positive for this applicant are dropped while the entry is unchanged.
func (s *Service) ScreenApplicant(ctx context.Context, env kyc.Env, applicantID, reason string, mon *Monitor) error {
	a, err := s.store.Applicant(ctx, env, applicantID)
	if errors.Is(err, kyc.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	queries := applicantQueries(&a, s.threshold)
	if len(queries) == 0 {
		return nil // no name yet: the name's arrival queues a screening
	}
	cur, err := s.lists.current(ctx)
	if err != nil {
		return err
	}
	if len(cur.versions) == 0 {
		return nil // no list imported yet
	}
	if mon != nil {
		// Monitoring: an applicant whose last screening still waits for review is not raised twice.
		last, err := s.store.ApplicantScreenings(ctx, env, applicantID, 1)
		if err != nil {
			return err
		}
		if len(last) > 0 && last[0].Disposition == "potential-match" {
			return nil
		}
	}
	hits, err := s.hits(ctx, env, applicantID, cur, queries, mon)
	if err != nil {
		return err
	}
	if mon != nil && len(hits) == 0 {
		return nil
	}
	_, err = s.record(ctx, env, applicantID, reason, cur, hits)
	return err
}

// ScreenForDocument is the screening an identity document's decision must see: the applicant
// screened, with the names of the profile and the document's holderName, against the lists
// loaded now. The latest screening is reused when it used these list versions and nothing new
// hits (a confirmed match stands until a reviewer's next screening); otherwise a new one is
// stored (reason document-verification), holding the applicant's accepted documents on a
// potential match. With no list loaded it answers ErrNoLists.
func (s *Service) ScreenForDocument(ctx context.Context, env kyc.Env, applicantID, holderName string) (kyc.Screening, error) {
	a, err := s.store.Applicant(ctx, env, applicantID)
	if err != nil {
		return kyc.Screening{}, err
	}
	cur, err := s.lists.current(ctx)
	if err != nil {
		return kyc.Screening{}, err
	}
	if len(cur.versions) == 0 {
		return kyc.Screening{}, ErrNoLists
	}
	queries := applicantQueries(&a, s.threshold)
	if n := strings.Join(strings.Fields(holderName), " "); n != "" && !slices.ContainsFunc(queries, func(q match.Query) bool { return strings.EqualFold(q.Name, n) }) {
		q := match.Query{Name: n, DateOfBirth: a.Profile.DateOfBirth, Country: a.Profile.Nationality, Type: "individual", MinScore: s.threshold, Limit: 20}
		if a.Type == "business" {
			q.Type = "entity"
		}
		queries = append(queries, q)
	}
	if len(queries) == 0 {
		return kyc.Screening{}, kyc.Invalid("applicant", "has no name to screen")
	}
	hits, err := s.hits(ctx, env, applicantID, cur, queries, nil)
	if err != nil {
		return kyc.Screening{}, err
	}
	last, err := s.store.ApplicantScreenings(ctx, env, applicantID, 1)
	if err != nil {
		return kyc.Screening{}, err
	}
	if len(last) > 0 && (last[0].Disposition == "confirmed" || sameLists(last[0].Lists, cur.versions) && covers(last[0].Hits, hits)) {
		return last[0], nil
	}
	return s.record(ctx, env, applicantID, "document-verification", cur, hits)
}

// sameLists reports whether a screening used exactly the list versions in use.
func sameLists(used, now []kyc.SanctionsList) bool {
	if len(used) != len(now) {
		return false
	}
	for _, n := range now {
		if !slices.ContainsFunc(used, func(u kyc.SanctionsList) bool { return u.List == n.List && u.Version == n.Version }) {
			return false
		}
	}
	return true
}

// covers reports whether every hit of now was already among the hits of an earlier screening.
func covers(earlier, now []kyc.ScreeningHit) bool {
	for _, h := range now {
		if !slices.ContainsFunc(earlier, func(e kyc.ScreeningHit) bool { return e.List == h.List && e.EntryID == h.EntryID }) {
			return false
		}
	}
	return true
}

// hits searches cur for queries, best first, one hit per entry. Hits a reviewer marked
// false-positive for the applicant are dropped while the entry is unchanged, and in monitoring
// (mon not nil) hits outside the changed entries.
func (s *Service) hits(ctx context.Context, env kyc.Env, applicantID string, cur *loaded, queries []match.Query, mon *Monitor) ([]kyc.ScreeningHit, error) {
	fps, err := s.repo.FalsePositives(ctx, env, applicantID)
	if err != nil {
		return nil, err
	}
	var hits []kyc.ScreeningHit
	for _, q := range queries {
		for _, h := range hitsOf(cur, cur.index.Search(q)) {
			key := h.List + ":" + h.EntryID
			if mon != nil && !mon.All && !slices.Contains(mon.Changed, key) || fps[key] == h.EntryHash {
				continue
			}
			if i := slices.IndexFunc(hits, func(o kyc.ScreeningHit) bool { return o.List == h.List && o.EntryID == h.EntryID }); i >= 0 {
				if h.Score > hits[i].Score {
					hits[i] = h
				}
				continue
			}
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(x, y kyc.ScreeningHit) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	return hits, nil
}

// record stores a screening of hits (clear without any) with its event, and on a potential match
// holds the applicant's accepted documents.
func (s *Service) record(ctx context.Context, env kyc.Env, applicantID, reason string, cur *loaded, hits []kyc.ScreeningHit) (kyc.Screening, error) {
	sc := kyc.Screening{ID: kyc.NewID(kyc.PrefixScreening), Env: env, ApplicantID: applicantID, Reason: reason, Disposition: "clear",
		Threshold: s.threshold, Hits: hits, Lists: cur.versions}
	ev := kyc.EventScreeningClear
	if len(hits) > 0 {
		sc.Disposition, ev = "potential-match", kyc.EventScreeningPotentialMatch
	}
	eff := store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "screening.create", ResourceType: "screening", ResourceID: sc.ID},
		Events: []store.NewEvent{{Type: ev, ResourceType: "screening", ResourceID: sc.ID}},
	}
	if err := s.store.CreateScreening(ctx, &sc, eff); err != nil {
		return kyc.Screening{}, err
	}
	if sc.Disposition == "potential-match" {
		return sc, s.holdDocuments(ctx, env, applicantID)
	}
	return sc, nil
}

const actor kyc.Actor = "system:screening"

// finishEarlierAttempt reports whether a screening for reason was stored since the job was
// created, and if it is an open potential match holds the documents again (a no-op for those
// already held).
func (s *Service) finishEarlierAttempt(ctx context.Context, env kyc.Env, applicantID, reason string, since time.Time) (bool, error) {
	last, err := s.store.ApplicantScreenings(ctx, env, applicantID, 1)
	if err != nil || len(last) == 0 || last[0].Reason != reason || last[0].CreatedTime.Before(since) {
		return false, err
	}
	if last[0].Disposition == "potential-match" {
		return true, s.holdDocuments(ctx, env, applicantID)
	}
	return true, nil
}

// errUnchanged rolls back a document decision that found nothing to change (someone decided it
// meanwhile), so that no audit entry records a change that did not happen.
var errUnchanged = errors.New("document unchanged")

// CheckName is the name of the screening check in a document's checkList.
const CheckName = "sanctions-screening"

// holdDocuments sends the applicant's accepted documents to pending-review, with a failed
// sanctions-screening check, and the applicant to pending-review. Documents still pending meet
// the screening in their own verification (the engine's sanctions-screening check).
func (s *Service) holdDocuments(ctx context.Context, env kyc.Env, applicantID string) error {
	ids, err := s.store.ApplicantDocumentIDs(ctx, env, applicantID, "accepted")
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, err := s.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
			d := c.Document
			if d.Status != "accepted" {
				return store.Effects{}, errUnchanged
			}
			d.Status = "pending-review"
			d.CheckList = setCheck(d.CheckList, kyc.Check{Name: CheckName, Failed: true, Reason: "other"})
			if c.Applicant.Status == "approved" || c.Applicant.Status == "unverified" {
				c.Applicant.Status = "pending-review"
			}
			eff := store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "kyc-document.hold", ResourceType: "kyc-document", ResourceID: d.ID}}
			return request.Decided(c, eff, s.levels), nil
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return fmt.Errorf("hold document %s: %w", id, err)
		}
	}
	return nil
}

func setCheck(cs []kyc.Check, c kyc.Check) []kyc.Check {
	out := slices.DeleteFunc(slices.Clone(cs), func(o kyc.Check) bool { return o.Name == c.Name })
	return append(out, c)
}

// Review records a reviewer's disposition of a potential match: confirmed rejects the applicant's
// documents decisively; false-positive is remembered per applicant and entry, and releases the
// documents the screening held whose score passes.
func (s *Service) Review(ctx context.Context, reviewer kyc.Actor, env kyc.Env, id, disposition, notes string) (kyc.Screening, error) {
	if disposition != "confirmed" && disposition != "false-positive" {
		return kyc.Screening{}, kyc.Invalid("body.disposition", "must be confirmed or false-positive")
	}
	sc, err := s.store.ReviewScreening(ctx, env, id, func(sc *kyc.Screening) (store.Effects, []kyc.ScreeningHit, error) {
		if sc.Disposition != "potential-match" {
			return store.Effects{}, nil, fmt.Errorf("screening %s is %s, only a potential-match can be reviewed: %w", sc.ID, sc.Disposition, kyc.ErrConflict)
		}
		sc.Disposition = disposition
		sc.Review = &kyc.ScreeningReview{Reviewer: reviewer, Disposition: disposition, Notes: notes, Time: timeNow()}
		// A false positive is remembered per applicant and entry (with the entry's hash, so a
		// changed entry matches again).
		var cleared []kyc.ScreeningHit
		if disposition == "false-positive" {
			cleared = sc.Hits
		}
		return store.Effects{
			Audit:  kyc.AuditEntry{Actor: reviewer, Action: "screening.review", ResourceType: "screening", ResourceID: sc.ID},
			Events: []store.NewEvent{{Type: kyc.EventScreeningReviewed, ResourceType: "screening", ResourceID: sc.ID}},
		}, cleared, nil
	})
	if err != nil {
		return sc, err
	}
	if disposition == "confirmed" {
		return sc, s.rejectDocuments(ctx, reviewer, env, sc.ApplicantID)
	}
	return sc, s.releaseDocuments(ctx, reviewer, env, sc.ApplicantID)
}

// rejectDocuments rejects every undecided or accepted document of the applicant: a confirmed
// sanctions match is decisive.
func (s *Service) rejectDocuments(ctx context.Context, reviewer kyc.Actor, env kyc.Env, applicantID string) error {
	ids, err := s.store.ApplicantDocumentIDs(ctx, env, applicantID, "pending", "in-progress", "pending-review", "accepted")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
			d := c.Document
			eff := store.Effects{Audit: kyc.AuditEntry{Actor: reviewer, Action: "kyc-document.sanctions-reject", ResourceType: "kyc-document", ResourceID: d.ID}}
			if d.Status == "rejected" || d.Status == "archived" {
				return eff, errUnchanged
			}
			d.Status = "rejected"
			d.CheckList = setCheck(d.CheckList, kyc.Check{Name: CheckName, Failed: true, Reason: "other"})
			d.RejectionReason = &kyc.RejectionReason{Type: "other", Message: "confirmed sanctions match"}
			if d.Decision != nil {
				d.Decision.Outcome, d.Decision.Decisive = "rejected", CheckName
			}
			c.Applicant.Status = "rejected"
			return request.Decided(c, eff, s.levels), nil
		}); err != nil && !errors.Is(err, errUnchanged) {
			return fmt.Errorf("reject document %s: %w", id, err)
		}
	}
	return nil
}

// releaseDocuments accepts again the documents the screening held in pending-review whose score
// reaches their level's acceptAbove; others stay for the document reviewer.
func (s *Service) releaseDocuments(ctx context.Context, reviewer kyc.Actor, env kyc.Env, applicantID string) error {
	ids, err := s.store.ApplicantDocumentIDs(ctx, env, applicantID, "pending-review")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
			d := c.Document
			eff := store.Effects{Audit: kyc.AuditEntry{Actor: reviewer, Action: "kyc-document.sanctions-release", ResourceType: "kyc-document", ResourceID: d.ID}}
			held := slices.ContainsFunc(d.CheckList, func(ch kyc.Check) bool { return ch.Name == CheckName && ch.Failed })
			if d.Status != "pending-review" || !held {
				return eff, errUnchanged
			}
			d.CheckList = setCheck(d.CheckList, kyc.Check{Name: CheckName})
			if d.Decision == nil || d.Score == nil || *d.Score < d.Decision.AcceptAbove {
				return eff, nil // the check passes now; the document reviewer decides
			}
			d.Status, d.Decision.Outcome = "accepted", "accepted"
			if c.Applicant.Status == "pending-review" && (c.Request == nil || c.Request.Status == "fulfilled") {
				c.Applicant.Status = "approved"
			}
			return request.Decided(c, eff, s.levels), nil
		}); err != nil && !errors.Is(err, errUnchanged) {
			return fmt.Errorf("release document %s: %w", id, err)
		}
	}
	return nil
}

// ListEntry returns a sanctions list's entry as the stored version of the list has it (ok false
// when it no longer holds it), for a reviewer to set beside a hit.
func (s *Service) ListEntry(ctx context.Context, list, id string) (match.Entry, bool, error) {
	return s.repo.Entry(ctx, list, id)
}
