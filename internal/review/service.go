package review

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Config tunes the queue.
type Config struct {
	// SLA is how long a case of a level may wait before it is overdue, per level; DefaultSLA for
	// the levels it does not name (default 24 hours).
	SLA        map[string]time.Duration
	DefaultSLA time.Duration
	// ClaimFor is how long a claim holds without being renewed. Default 30 minutes.
	ClaimFor time.Duration
	// FourEyes names the levels whose rejections, overrides and confirmed matches need a second
	// person (an approver); "*" names every level.
	FourEyes map[string]bool
	// Priority sets the priority of a level's cases: a case's priority is the smaller (more
	// urgent) of its reason's (sanctions 1, duplicate-face 2, duplicate 3, document 4) and its
	// level's here. The queue shows it on each case, and its most urgent order (OrderUrgent)
	// lists by it; its default order stays oldest first.
	Priority map[string]int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c Config) slaOf(level string) time.Duration {
	if d, ok := c.SLA[level]; ok && d > 0 {
		return d
	}
	return c.DefaultSLA
}

// priorityOf is a case's priority: 1 is the most urgent.
func (c Config) priorityOf(level, reason string) int {
	p := priorityOf(reason)
	if lp, ok := c.Priority[level]; ok && lp > 0 && lp < p {
		return lp
	}
	return p
}

func (c Config) withDefaults() Config {
	if c.DefaultSLA <= 0 {
		c.DefaultSLA = 24 * time.Hour
	}
	if c.ClaimFor <= 0 {
		c.ClaimFor = 30 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// ParseSLA reads a service level setting: a duration for every level, and level=duration items
// for those that differ, separated by commas ("24h,L2=8h").
func ParseSLA(v string) (def time.Duration, per map[string]time.Duration, err error) {
	per = map[string]time.Duration{}
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		level, dur, named := strings.Cut(item, "=")
		if !named {
			dur = level
		}
		d, perr := time.ParseDuration(strings.TrimSpace(dur))
		if perr != nil || d <= 0 {
			return 0, nil, fmt.Errorf("%q is not a duration such as 24h, or a level=duration such as L2=8h", item)
		}
		if named {
			per[strings.TrimSpace(level)] = d
		} else {
			def = d
		}
	}
	return def, per, nil
}

// Service is the review queue.
type Service struct {
	st      *store.Store
	cfg     Config
	decider Decider
}

// NewService returns the queue kept in st.
func NewService(st *store.Store, cfg Config) *Service {
	return &Service{st: st, cfg: cfg.withDefaults()}
}

// SetDecider gives the service what carries decisions out; the composition root calls it once,
// before serving.
func (s *Service) SetDecider(d Decider) { s.decider = d }

// ParsePriority reads the priority setting: level=priority items separated by commas ("L2=1"),
// a priority from 1 (the most urgent) to the number of reasons.
func ParsePriority(v string) (map[string]int, error) {
	out := map[string]int{}
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		level, n, ok := strings.Cut(item, "=")
		p, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || strings.TrimSpace(level) == "" || err != nil || p < 1 || p > len(Reasons) {
			return nil, fmt.Errorf("%q is not a level=priority such as L2=1 (1 to %d)", item, len(Reasons))
		}
		out[strings.TrimSpace(level)] = p
	}
	return out, nil
}

// ParseFourEyes reads the four-eyes setting: levels separated by commas, or "*" for all.
func ParseFourEyes(v string) map[string]bool {
	out := map[string]bool{}
	for l := range strings.SplitSeq(v, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out[l] = true
		}
	}
	return out
}

// Sink is the store.EventSink that opens and closes cases; give it to the store.
func (s *Service) Sink() store.EventSink { return Cases{cfg: s.cfg} }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Filter narrows the queue; empty fields match everything.
type Filter struct {
	Kind   string
	Reason string
	Level  string
	// Assignee is a person's id (cases they hold now), or "none" (cases nobody holds).
	Assignee string
	// Snoozed includes the snoozed cases, which the queue hides otherwise.
	Snoozed bool
	// Order is the queue's order, one of Orders; empty is OrderOldest.
	Order string
}

// The orders of the queue.
const (
	// OrderOldest lists the cases oldest first (by id, which sorts by creation): the default.
	OrderOldest = "oldest"
	// OrderNewest lists the cases newest first.
	OrderNewest = "newest"
	// OrderUrgent lists the most urgent first: by priority (1 first), then due time (the earliest
	// first), then oldest first.
	OrderUrgent = "urgent"
)

// Orders lists the queue's orders, the default first.
var Orders = []string{OrderOldest, OrderUrgent, OrderNewest}

// urgentOrder is OrderUrgent's keyset: the columns the most urgent first order is by, in the
// order of the index that serves it (migration 00038).
var urgentOrder = []store.KeyColumn{{Name: "priority", Int: true}, {Name: "due_at", Int: true}, {Name: "id"}}

// Queue returns one page of env's open cases that match f, in f's order (oldest first unless it
// names another). A cursor of the most urgent order is good for that order only; oldest and
// newest first page by id, and one's cursor is taken by the other as an id to start after.
func (s *Service) Queue(ctx context.Context, env kyc.Env, f Filter, cursor string, limit int) (kyc.Page[Case], error) {
	var p kyc.Problems
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		p.Add("kind", "must be one of %v", Kinds)
	}
	if f.Reason != "" && !slices.Contains(Reasons, f.Reason) {
		p.Add("reason", "must be one of %v", Reasons)
	}
	if f.Order != "" && !slices.Contains(Orders, f.Order) {
		p.Add("order", "must be one of %v", Orders)
	}
	if err := p.Err(); err != nil {
		return kyc.Page[Case]{}, err
	}
	now := store.Micros(s.now())
	w := store.NewWhere(env).Eq("status", "open").Eq("kind", f.Kind).Eq("reason", f.Reason).Eq("level", f.Level)
	switch f.Assignee {
	case "":
	case "none":
		w.And("(claimed_by IS NULL OR claim_expires_at <= ?)", now)
	default:
		w.And("claimed_by = ? AND claim_expires_at > ?", f.Assignee, now)
	}
	if !f.Snoozed {
		w.And("(snoozed_until IS NULL OR snoozed_until <= ?)", now)
	}
	const selectFrom = `SELECT ` + caseColumns + ` FROM review_cases`
	if f.Order == OrderUrgent {
		return store.ListPageByKey(ctx, s.st, "review cases", selectFrom, w, urgentOrder, cursor, limit, scanCase,
			func(c Case) []any { return []any{int64(c.Priority), store.Micros(c.DueTime), c.ID} })
	}
	return store.ListPage(ctx, s.st, "review cases", selectFrom, w, f.Order != OrderNewest, cursor, limit,
		scanCase, func(c Case) string { return c.ID })
}

// Counts returns how many cases of env are open, per reason, and the oldest's creation per reason.
func (s *Service) Counts(ctx context.Context, env kyc.Env) (map[string]int, map[string]time.Time, error) {
	rs, err := s.st.Query(ctx, `SELECT reason, count(*), min(created_at) FROM review_cases WHERE env = ? AND status = 'open' GROUP BY reason`, string(env))
	if err != nil {
		return nil, nil, fmt.Errorf("review counts: %w", err)
	}
	defer rs.Close()
	counts, oldest := map[string]int{}, map[string]time.Time{}
	for rs.Next() {
		var reason string
		var n int
		var min int64
		if err := rs.Scan(&reason, &n, &min); err != nil {
			return nil, nil, fmt.Errorf("review counts: %w", err)
		}
		counts[reason], oldest[reason] = n, store.FromMicros(min)
	}
	return counts, oldest, rs.Err()
}

// Case returns one case of env.
func (s *Service) Case(ctx context.Context, env kyc.Env, id string) (Case, error) {
	if !kyc.ValidID(PrefixCase, id) {
		return Case{}, fmt.Errorf("review case %q: %w", id, kyc.ErrNotFound)
	}
	c, err := scanCase(s.st.QueryRow(ctx, `SELECT `+caseColumns+` FROM review_cases WHERE env = ? AND id = ?`, string(env), id))
	if err == store.ErrNoRows {
		return Case{}, fmt.Errorf("review case %s: %w", id, kyc.ErrNotFound)
	}
	return c, err
}

// OpenCases returns env's open cases of these subjects (documents, screenings), oldest first; a
// subject has at most one open case.
func (s *Service) OpenCases(ctx context.Context, env kyc.Env, subjectIDs []string) ([]Case, error) {
	if len(subjectIDs) == 0 {
		return nil, nil
	}
	args := []any{string(env)}
	for _, id := range subjectIDs {
		args = append(args, id)
	}
	rs, err := s.st.Query(ctx, `SELECT `+caseColumns+` FROM review_cases WHERE env = ? AND status = 'open' AND subject_id IN (?`+
		strings.Repeat(", ?", len(subjectIDs)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("open review cases: %w", err)
	}
	defer rs.Close()
	var out []Case
	for rs.Next() {
		c, err := scanCase(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rs.Err()
}

// change locks an open case of env, lets mutate change it (or refuse, with nothing written) and
// writes it back with revision + 1, audited as action by the person.
func (s *Service) change(ctx context.Context, env kyc.Env, id, person, action string, mutate func(c *Case, now time.Time) error) (Case, error) {
	if !kyc.ValidID(PrefixCase, id) {
		return Case{}, fmt.Errorf("review case %q: %w", id, kyc.ErrNotFound)
	}
	var out Case
	err := s.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM review_cases WHERE env = ? AND id = ?`+tx.ForUpdate(), string(env), id))
		if err == store.ErrNoRows {
			return store.Effects{}, fmt.Errorf("review case %s: %w", id, kyc.ErrNotFound)
		}
		if err != nil {
			return store.Effects{}, err
		}
		if !c.Open {
			return store.Effects{}, fmt.Errorf("the case was decided; it cannot be claimed, reassigned or snoozed: %w", kyc.ErrConflict)
		}
		now := s.now()
		if err := mutate(&c, now); err != nil {
			return store.Effects{}, err
		}
		c.Revision++
		var claimedBy, claimExpires, snoozed any
		if c.ClaimedBy != "" {
			claimedBy, claimExpires = c.ClaimedBy, store.Micros(c.ClaimExpires)
		}
		if !c.SnoozedUntil.IsZero() {
			snoozed = store.Micros(c.SnoozedUntil)
		}
		if _, err := tx.Exec(ctx, `UPDATE review_cases SET claimed_by = ?, claim_expires_at = `+tx.Param("BIGINT")+`, snoozed_until = `+tx.Param("BIGINT")+`, revision = ?
			WHERE env = ? AND id = ?`, claimedBy, claimExpires, snoozed, c.Revision, string(env), id); err != nil {
			return store.Effects{}, fmt.Errorf("review case %s: %w", id, err)
		}
		out = c
		return store.Effects{Audit: kyc.AuditEntry{Actor: kyc.Actor("user:" + person), Action: action, ResourceType: "review-case", ResourceID: id}}, nil
	})
	return out, err
}

// Claim gives the case to person for Config.ClaimFor (renewing their own claim). A case another
// person holds is refused (409) until their claim expires or they release it; of two claims at
// once, on any replicas, one wins.
func (s *Service) Claim(ctx context.Context, env kyc.Env, id, person string) (Case, error) {
	return s.change(ctx, env, id, person, "review-case.claim", func(c *Case, now time.Time) error {
		if c.Claimed(now) && c.ClaimedBy != person {
			return fmt.Errorf("someone else is working on this case until %s: %w", c.ClaimExpires.Format(time.RFC3339), kyc.ErrConflict)
		}
		c.ClaimedBy, c.ClaimExpires = person, now.Add(s.cfg.ClaimFor)
		return nil
	})
}

// Release gives up person's claim of the case.
func (s *Service) Release(ctx context.Context, env kyc.Env, id, person string) (Case, error) {
	return s.change(ctx, env, id, person, "review-case.release", func(c *Case, now time.Time) error {
		if !c.Claimed(now) || c.ClaimedBy != person {
			return fmt.Errorf("you do not hold this case: %w", kyc.ErrConflict)
		}
		c.ClaimedBy, c.ClaimExpires = "", time.Time{}
		return nil
	})
}

// Assign gives the case to another person (to), as by: who may is the caller's rule (the console
// lets approvers and admins). A decided case cannot be reassigned.
func (s *Service) Assign(ctx context.Context, env kyc.Env, id, by, to string) (Case, error) {
	if to == "" {
		return Case{}, kyc.Invalid("assignee", "name the person to assign the case to")
	}
	return s.change(ctx, env, id, by, "review-case.assign", func(c *Case, now time.Time) error {
		c.ClaimedBy, c.ClaimExpires = to, now.Add(s.cfg.ClaimFor)
		return nil
	})
}

// Snooze hides the case from the queue until until (a zero time wakes it), as person, who must
// not be another than its holder.
func (s *Service) Snooze(ctx context.Context, env kyc.Env, id, person string, until time.Time) (Case, error) {
	return s.change(ctx, env, id, person, "review-case.snooze", func(c *Case, now time.Time) error {
		if c.Claimed(now) && c.ClaimedBy != person {
			return fmt.Errorf("someone else is working on this case: %w", kyc.ErrConflict)
		}
		if !until.IsZero() && (!until.After(now) || until.After(now.Add(30*24*time.Hour))) {
			return kyc.Invalid("until", "must be in the next 30 days")
		}
		c.SnoozedUntil = until.UTC().Truncate(time.Microsecond)
		return nil
	})
}

// Policy says whether decisions of level need four eyes and how long its cases may wait.
func (s *Service) Policy(level string) (fourEyes bool, sla time.Duration) {
	return s.cfg.fourEyes(level), s.cfg.slaOf(level)
}
