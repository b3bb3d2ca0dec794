package request

import (
	"slices"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/store"
)

// Progress is where one requested document type stands.
type Progress struct {
	Type     string `json:"type"`
	Accepted bool   `json:"accepted"`
	InReview bool   `json:"inReview"`
	Pending  bool   `json:"pending"`
	Rejected int    `json:"rejected" doc:"Attempts used: rejected documents of this type"`
	// AttemptsLeft is -1 when attempts are unlimited.
	AttemptsLeft int `json:"attemptsLeft"`
}

// progress counts, per requested document type, what its documents have reached.
func progress(r *kyc.Request, docs []*kyc.Document) []Progress {
	out := make([]Progress, 0, len(r.Documents))
	for _, rd := range r.Documents {
		p := Progress{Type: rd.Type}
		for _, d := range docs {
			if d.Type != rd.Type {
				continue
			}
			switch d.Status {
			case "accepted":
				p.Accepted = true
			case "pending-review":
				p.InReview = true
			case "pending", "in-progress":
				p.Pending = true
			case "rejected":
				p.Rejected++
			}
		}
		p.AttemptsLeft = -1
		if rd.MaxAttempts > 0 {
			p.AttemptsLeft = max(rd.MaxAttempts-p.Rejected, 0)
		}
		out = append(out, p)
	}
	return out
}

// Status computes a request's status from its documents (DESIGN.md, Rebilly's model):
//   - failed: a requested type has used all its attempts without an accepted document;
//   - fulfilled: every requested type has an accepted document;
//   - pending-review: a document waits for a person;
//   - attempted: a type's latest document was rejected and attempts are left (partial when some
//     type is already accepted);
//   - partial: some types are accepted and others still wait for documents;
//   - gathering: otherwise.
//
// A final request keeps its status.
func Status(r *kyc.Request, docs []*kyc.Document) string {
	if kyc.FinalRequestStatus(r.Status) {
		return r.Status
	}
	ps := progress(r, docs)
	var accepted, review, retry int
	for _, p := range ps {
		settled := p.Accepted || p.InReview || p.Pending
		switch {
		case p.AttemptsLeft == 0 && !settled:
			return "failed"
		case p.Accepted:
			accepted++
		case p.InReview:
			review++
		case p.Rejected > 0 && !p.Pending:
			retry++
		}
	}
	switch {
	case accepted == len(ps):
		return "fulfilled"
	case review > 0:
		return "pending-review"
	case retry > 0 && accepted > 0:
		return "partial"
	case retry > 0:
		return "attempted"
	case accepted > 0:
		return "partial"
	}
	return "gathering"
}

// requestEvents names the event of each status a request moves to.
var requestEvents = map[string]string{
	"attempted":      kyc.EventRequestAttempted,
	"partial":        kyc.EventRequestPartiallyFulfilled,
	"fulfilled":      kyc.EventRequestFulfilled,
	"failed":         kyc.EventRequestFailed,
	"expired":        kyc.EventRequestExpired,
	"abandoned":      kyc.EventRequestAbandoned,
	"pending-review": kyc.EventRequestPendingReview,
	"gathering":      kyc.EventRequestUpdated,
}

// documentEvents names the event of each status a document moves to (pending is the status it is
// created in: kyc-document-created).
var documentEvents = map[string]string{
	"accepted":       kyc.EventDocumentAccepted,
	"rejected":       kyc.EventDocumentRejected,
	"pending-review": kyc.EventDocumentPendingReview,
	"archived":       kyc.EventDocumentArchived,
}

// Levels gives the levels in force by name (a *level.Set).
type Levels interface {
	Get(name string) (level.Level, bool)
}

// Advance moves a case's request to the status its documents call for, and the applicant with it:
// a fulfilled request approves the applicant at the request's level when every document type that
// level requires is accepted (never lowering the applicant's level), a failed one rejects the
// applicant, one waiting for a person puts the applicant in pending-review.
//
// It returns one event for each status that differs from what the case was when it was loaded
// (c.Initial), so that every status change is told: the document's, the request's, then the
// applicant's (status or level). Callers add only what is not a status (kyc-document-reviewed).
func Advance(c *store.Case, levels Levels) []store.NewEvent {
	var events []store.NewEvent
	if d := c.Document; d != nil && d.Status != c.Initial.Document {
		if ev, ok := documentEvents[d.Status]; ok {
			events = append(events, store.NewEvent{Type: ev, ResourceType: "kyc-document", ResourceID: d.ID})
		}
	}
	if r := c.Request; r != nil {
		if next := Status(r, c.Documents); next != r.Status {
			r.Status = next
			applicantFollows(c.Applicant, r, c.Documents, c.Earlier, levels)
		}
		if r.Status != c.Initial.Request {
			events = append(events, store.NewEvent{Type: requestEvents[r.Status], ResourceType: "kyc-request", ResourceID: r.ID})
		}
	}
	if a := c.Applicant; a != nil && (a.Status != c.Initial.Applicant || a.Level != c.Initial.ApplicantLevel) {
		events = append(events, store.NewEvent{Type: kyc.EventApplicantUpdated, ResourceType: "applicant", ResourceID: a.ID})
	}
	return events
}

// Decided completes the effects of a document's decision, once the decide func has changed the
// case: it moves the request and the applicant on (Advance) and appends their events to eff's,
// then records an audit entry, by eff.Audit's actor, for the request (kyc-request.advance) and
// the applicant (applicant.follow-request) if the decision changed them, in that order
// (store.Case.Changed). Call it last, with the document's own audit entry and events in eff.
func Decided(c *store.Case, eff store.Effects, levels Levels) store.Effects {
	eff.Events = append(eff.Events, Advance(c, levels)...)
	ch := c.Changed()
	if ch.Request {
		eff.MoreAudit = append(eff.MoreAudit, kyc.AuditEntry{Actor: eff.Audit.Actor, Action: "kyc-request.advance", ResourceType: "kyc-request", ResourceID: c.Request.ID})
	}
	if ch.Applicant {
		eff.MoreAudit = append(eff.MoreAudit, kyc.AuditEntry{Actor: eff.Audit.Actor, Action: "applicant.follow-request", ResourceType: "applicant", ResourceID: c.Applicant.ID})
	}
	return eff
}

// applicantFollows sets the applicant's status and level from its request.
func applicantFollows(a *kyc.Applicant, r *kyc.Request, docs []*kyc.Document, earlier []string, levels Levels) {
	switch r.Status {
	case "fulfilled":
		// A level is a contract: it is granted only when every document type it requires is
		// accepted, whatever the request asked for (requests are refused at creation when they ask
		// for less; this also holds for requests made before a levels file changed). A type
		// accepted in an earlier request and not archived since counts.
		l, ok := levels.Get(r.Level)
		if !ok || len(Missing(l, append(acceptedTypes(docs), earlier...))) > 0 {
			return
		}
		a.Status = "approved"
		if raises(levels, a.Level, l) {
			a.Level = l.Name
		}
	case "failed":
		a.Status = "rejected"
	case "pending-review":
		a.Status = "pending-review"
	default:
		if a.Status == "pending-review" {
			a.Status = "unverified"
		}
	}
}

// Missing returns the document types level l requires that are not among have.
func Missing(l level.Level, have []string) []string {
	var out []string
	for _, t := range l.Documents {
		if !slices.Contains(have, t) {
			out = append(out, t)
		}
	}
	return out
}

func acceptedTypes(docs []*kyc.Document) []string {
	var out []string
	for _, d := range docs {
		if d.Status == "accepted" {
			out = append(out, d.Type)
		}
	}
	return out
}

// raises reports whether moving an applicant from level from to level to raises it: to requires
// every document type from requires and more. An applicant without a level, or with one no longer
// configured, takes to.
func raises(levels Levels, from string, to level.Level) bool {
	cur, ok := levels.Get(from)
	if from == "" || !ok {
		return true
	}
	return len(Missing(cur, to.Documents)) == 0 && len(to.Documents) > len(cur.Documents)
}
