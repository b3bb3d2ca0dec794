package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Decisions on cases, and four eyes: per level, a rejection, an override or a confirmed sanctions
// match is a proposal until a second person with the approver role approves it; nobody approves
// their own, whatever their role. The rule is here, on the server; the console only shows it.

// The actions a person takes on a case.
const (
	// ActionAccept accepts a document.
	ActionAccept = "accept"
	// ActionReject rejects a document, with a rejection type and a message for the end user.
	ActionReject = "reject"
	// ActionConfirm confirms a potential sanctions match.
	ActionConfirm = "confirm"
	// ActionFalsePositive clears a potential sanctions match.
	ActionFalsePositive = "false-positive"
	// ActionNewAttempt asks the end user for another document: the document is rejected with a
	// type and a message saying what to fix, and its KYC request, having attempts left, asks
	// again (its hosted flow too). It is not a final rejection, so four eyes do not hold it.
	ActionNewAttempt = "new-attempt"
)

// actionsOf lists the actions a kind of case takes.
var actionsOf = map[string][]string{KindDocument: {ActionAccept, ActionReject, ActionNewAttempt}, KindScreening: {ActionConfirm, ActionFalsePositive}}

// Decision is what a person decides on a case.
type Decision struct {
	Action string `json:"action"`
	// RejectionType (one of kyc.RejectionTypes) and Message, for the end user, say why a document
	// is rejected.
	RejectionType string `json:"rejectionType,omitempty"`
	Message       string `json:"message,omitempty"`
	// Note is for the case file; an override needs one.
	Note string `json:"note,omitempty"`
}

// Person is who decides: their id, and whether their role allows approving.
type Person struct {
	ID       string
	Approver bool
}

// Actor is how the audit log and the decided resources name the person.
func (p Person) Actor() kyc.Actor { return kyc.Actor("user:" + p.ID) }

// Decider carries decisions out on the cases' subjects (package document's and screening's
// services); the composition root gives it.
type Decider interface {
	// Override reports whether d goes against the checks: accepting a document a check failed on.
	Override(ctx context.Context, c Case, d Decision) (bool, error)
	// CanRetry reports whether c's document answers a KYC request that, once the document is
	// rejected, still has an attempt left for its type.
	CanRetry(ctx context.Context, c Case) (bool, error)
	// Carry decides c's subject as d says, by the person who decided (and the approver, when four
	// eyes were needed, "" otherwise).
	Carry(ctx context.Context, c Case, d Decision, by, approvedBy kyc.Actor) error
}

// Proposal is a decision waiting for a second person.
type Proposal struct {
	ID          string
	Env         kyc.Env
	CaseID      string
	Decision    Decision
	ProposedBy  string
	Status      string
	DecidedBy   string
	CreatedTime time.Time
	DecidedTime time.Time
}

// PrefixProposal begins the ids of proposals.
const PrefixProposal = "rvp"

// Outcome says what became of a decision: carried out at once, or proposed.
type Outcome struct {
	Done     bool
	Proposal Proposal
}

// fourEyes reports whether decisions of level need a second person.
func (c Config) fourEyes(level string) bool { return c.FourEyes[level] || c.FourEyes["*"] }

func (s *Service) check(c Case, d *Decision) error {
	var p kyc.Problems
	d.Message, d.Note = strings.TrimSpace(d.Message), strings.TrimSpace(d.Note)
	if !slices.Contains(actionsOf[c.Kind], d.Action) {
		p.Add("action", "a %s case is decided with one of %v", c.Kind, actionsOf[c.Kind])
	}
	if d.Action == ActionReject || d.Action == ActionNewAttempt {
		if !slices.Contains(kyc.RejectionTypes, d.RejectionType) {
			p.Add("rejectionType", "must be one of %v", kyc.RejectionTypes)
		}
		if d.Message == "" {
			p.Add("message", "say to the end user why, in a sentence they can act on")
		}
	}
	if len(d.Message) > 1000 {
		p.Add("message", "must have at most 1000 characters")
	}
	if len(d.Note) > 2000 {
		p.Add("note", "must have at most 2000 characters")
	}
	return p.Err()
}

// Decide takes person's decision on a case: carried out at once, or, when the case's level needs
// four eyes and the decision is a rejection, an override or a confirmed match, stored as a
// proposal for an approver. A case another person holds, a decided one, or one with a proposal
// waiting is refused (409); an override without a note is refused (422).
func (s *Service) Decide(ctx context.Context, env kyc.Env, caseID string, person Person, d Decision) (Outcome, error) {
	if s.decider == nil {
		return Outcome{}, errors.New("review: no decider")
	}
	c, err := s.Case(ctx, env, caseID)
	if err != nil {
		return Outcome{}, err
	}
	if !c.Open {
		return Outcome{}, fmt.Errorf("the case was decided already: %w", kyc.ErrConflict)
	}
	if now := s.now(); c.Claimed(now) && c.ClaimedBy != person.ID {
		return Outcome{}, fmt.Errorf("someone else is working on this case: %w", kyc.ErrConflict)
	}
	// A proposal waiting for an approver is the case's decision until it is approved or refused:
	// no one decides past it (which would close the case and supersede it unseen).
	if _, waiting, err := s.Pending(ctx, env, c.ID); err != nil {
		return Outcome{}, err
	} else if waiting {
		return Outcome{}, fmt.Errorf("a proposal on this case waits for an approver: approve or refuse it first: %w", kyc.ErrConflict)
	}
	if err := s.check(c, &d); err != nil {
		return Outcome{}, err
	}
	if d.Action == ActionNewAttempt {
		ok, err := s.decider.CanRetry(ctx, c)
		if err != nil {
			return Outcome{}, err
		}
		if !ok {
			return Outcome{}, fmt.Errorf("the document answers no KYC request with an attempt left for its type; reject it instead: %w", kyc.ErrConflict)
		}
	}
	override, err := s.decider.Override(ctx, c, d)
	if err != nil {
		return Outcome{}, err
	}
	if override && d.Note == "" {
		return Outcome{}, kyc.Invalid("note", "this goes against a failed check: say why in a note")
	}
	if !s.cfg.fourEyes(c.Level) || !(override || d.Action == ActionReject || d.Action == ActionConfirm) {
		return Outcome{Done: true}, s.decider.Carry(ctx, c, d, person.Actor(), "")
	}
	p := Proposal{ID: kyc.NewID(PrefixProposal), Env: env, CaseID: c.ID, Decision: d, ProposedBy: person.ID, Status: "pending", CreatedTime: s.now()}
	raw, err := json.Marshal(d)
	if err != nil {
		return Outcome{}, err
	}
	err = s.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		// An applicant erased since the case was read gets no proposal (kyc.ErrGone), and a case
		// closed meanwhile (by its erasure) none either.
		if err := tx.RequireApplicant(ctx, c.ApplicantID, "case"); err != nil {
			return store.Effects{}, err
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM review_cases WHERE env = ? AND id = ?`+tx.ForUpdate(), string(env), c.ID).Scan(&status); err != nil {
			return store.Effects{}, fmt.Errorf("propose: %w", err)
		}
		if status != "open" {
			return store.Effects{}, fmt.Errorf("the case is %s: %w", status, kyc.ErrConflict)
		}
		sealed, err := tx.Seal(raw, proposalAAD(p.ID))
		if err != nil {
			return store.Effects{}, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO review_proposals (id, env, case_id, decision, proposed_by, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
			p.ID, string(env), c.ID, sealed, person.ID, store.Micros(p.CreatedTime))
		if store.IsUniqueViolation(err) {
			return store.Effects{}, fmt.Errorf("a proposal on this case already waits for an approver: %w", kyc.ErrConflict)
		}
		if err != nil {
			return store.Effects{}, fmt.Errorf("propose: %w", err)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: person.Actor(), Action: "review-case.propose", ResourceType: "review-case", ResourceID: c.ID}}, nil
	})
	return Outcome{Proposal: p}, err
}

func proposalAAD(id string) string { return "review_proposals:" + id }

const proposalColumns = `id, env, case_id, decision, proposed_by, status, decided_by, created_at, decided_at`

func (s *Service) scanProposal(r store.Row) (Proposal, error) {
	var p Proposal
	var env string
	var sealed []byte
	var decidedBy *string
	var created int64
	var decided *int64
	if err := r.Scan(&p.ID, &env, &p.CaseID, &sealed, &p.ProposedBy, &p.Status, &decidedBy, &created, &decided); err != nil {
		return p, err
	}
	raw, err := s.st.Open(sealed, proposalAAD(p.ID))
	if err != nil {
		return p, fmt.Errorf("proposal %s: %w", p.ID, err)
	}
	if err := json.Unmarshal(raw, &p.Decision); err != nil {
		return p, fmt.Errorf("proposal %s: %w", p.ID, err)
	}
	p.Env, p.CreatedTime = kyc.Env(env), store.FromMicros(created)
	if decidedBy != nil {
		p.DecidedBy = *decidedBy
	}
	if decided != nil {
		p.DecidedTime = store.FromMicros(*decided)
	}
	return p, nil
}

// Pending returns the proposal waiting on a case, if any.
func (s *Service) Pending(ctx context.Context, env kyc.Env, caseID string) (Proposal, bool, error) {
	p, err := s.scanProposal(s.st.QueryRow(ctx, `SELECT `+proposalColumns+` FROM review_proposals WHERE env = ? AND case_id = ? AND status = 'pending'`,
		string(env), caseID))
	if err == store.ErrNoRows {
		return Proposal{}, false, nil
	}
	return p, err == nil, err
}

// Approve carries a proposal out, as approved by person, who must be an approver and not its
// author. The decision is the author's; the approval is person's, both in the audit log. It
// answers the proposal's case ("" when there is no such proposal), refused or not, so that the
// caller shows that case and not one a form named.
func (s *Service) Approve(ctx context.Context, env kyc.Env, proposalID string, person Person) (caseID string, err error) {
	p, c, err := s.second(ctx, env, proposalID, person)
	if err != nil {
		return p.CaseID, err
	}
	// Of two approvals at once, one carries the decision out: the first takes the proposal for
	// approvingFor (a crash in between leaves it to be taken again after that).
	now := s.now()
	var taken int64
	if err := s.st.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		taken, err = tx.Exec(ctx, `UPDATE review_proposals SET decided_by = ?, decided_at = ? WHERE env = ? AND id = ? AND status = 'pending'
			AND (decided_by IS NULL OR decided_at < ?)`, person.ID, store.Micros(now), string(env), p.ID, store.Micros(now.Add(-approvingFor)))
		return store.Effects{}, err
	}); err != nil {
		return p.CaseID, fmt.Errorf("proposal %s: %w", p.ID, err)
	}
	if taken == 0 {
		return p.CaseID, fmt.Errorf("another approver is approving this proposal: %w", kyc.ErrConflict)
	}
	if err := s.decider.Carry(ctx, c, p.Decision, Person{ID: p.ProposedBy}.Actor(), person.Actor()); err != nil {
		_ = s.st.Record(context.WithoutCancel(ctx), env, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(ctx, `UPDATE review_proposals SET decided_by = NULL, decided_at = NULL WHERE env = ? AND id = ? AND status = 'pending' AND decided_by = ?`,
				string(env), p.ID, person.ID)
			return store.Effects{}, err
		})
		return p.CaseID, err
	}
	return p.CaseID, s.settle(ctx, env, p, person, "approved")
}

// approvingFor is how long an approval holds a proposal while it carries the decision out.
const approvingFor = time.Minute

// Refuse refuses a proposal, as person, an approver other than its author; the case waits again.
// It answers the proposal's case as Approve does.
func (s *Service) Refuse(ctx context.Context, env kyc.Env, proposalID string, person Person) (caseID string, err error) {
	p, _, err := s.second(ctx, env, proposalID, person)
	if err != nil {
		return p.CaseID, err
	}
	return p.CaseID, s.settle(ctx, env, p, person, "refused")
}

// second checks that person may be the second pair of eyes on a waiting proposal.
func (s *Service) second(ctx context.Context, env kyc.Env, proposalID string, person Person) (Proposal, Case, error) {
	if !kyc.ValidID(PrefixProposal, proposalID) {
		return Proposal{}, Case{}, fmt.Errorf("proposal %q: %w", proposalID, kyc.ErrNotFound)
	}
	p, err := s.scanProposal(s.st.QueryRow(ctx, `SELECT `+proposalColumns+` FROM review_proposals WHERE env = ? AND id = ?`, string(env), proposalID))
	if err == store.ErrNoRows {
		return Proposal{}, Case{}, fmt.Errorf("proposal %s: %w", proposalID, kyc.ErrNotFound)
	}
	if err != nil {
		return Proposal{}, Case{}, err
	}
	// Read first, so that a refusal still names the proposal's case (whoever may act on it, every
	// console user may read the case).
	if !person.Approver {
		return p, Case{}, fmt.Errorf("only an approver approves or refuses a proposal: %w", kyc.ErrForbidden)
	}
	if p.Status != "pending" {
		return p, Case{}, fmt.Errorf("the proposal was %s already: %w", p.Status, kyc.ErrConflict)
	}
	if p.ProposedBy == person.ID {
		return p, Case{}, fmt.Errorf("nobody approves or refuses their own proposal: %w", kyc.ErrForbidden)
	}
	c, err := s.Case(ctx, env, p.CaseID)
	return p, c, err
}

// settle records a proposal's end, once.
func (s *Service) settle(ctx context.Context, env kyc.Env, p Proposal, person Person, status string) error {
	return s.st.Change(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		n, err := tx.Exec(ctx, `UPDATE review_proposals SET status = ?, decided_by = ?, decided_at = ? WHERE env = ? AND id = ? AND status IN ('pending', 'superseded')
			AND (decided_by IS NULL OR decided_by = ? OR decided_at < ?)`,
			status, person.ID, store.Micros(s.now()), string(env), p.ID, person.ID, store.Micros(s.now().Add(-approvingFor)))
		if err != nil {
			return store.Effects{}, fmt.Errorf("proposal %s: %w", p.ID, err)
		}
		if n == 0 {
			return store.Effects{}, fmt.Errorf("the proposal was settled meanwhile: %w", kyc.ErrConflict)
		}
		verb := map[string]string{"approved": "approve", "refused": "refuse"}[status]
		return store.Effects{Audit: kyc.AuditEntry{Actor: person.Actor(), Action: "review-case." + verb, ResourceType: "review-case", ResourceID: p.CaseID}}, nil
	})
}
