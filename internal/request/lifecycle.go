package request

import (
	"slices"

	"kycd/internal/kyc"
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
	"pending-review": kyc.EventRequestUpdated,
	"gathering":      kyc.EventRequestUpdated,
}

// Advance moves a case's request to the status its documents call for, and the applicant with it:
// a fulfilled request approves the applicant at the request's level (never lowering it), a failed
// one rejects the applicant, one waiting for a person puts the applicant in pending-review. It
// returns the events and audit actions of what moved.
func Advance(c *store.Case) []store.NewEvent {
	var events []store.NewEvent
	if c.Request != nil {
		if next := Status(c.Request, c.Documents); next != c.Request.Status {
			c.Request.Status = next
			events = append(events, store.NewEvent{Type: requestEvents[next], ResourceType: "kyc-request", ResourceID: c.Request.ID})
			if applicantFollows(c.Applicant, c.Request) {
				events = append(events, store.NewEvent{Type: kyc.EventApplicantUpdated, ResourceType: "applicant", ResourceID: c.Applicant.ID})
			}
		}
	}
	return events
}

// applicantFollows sets the applicant's status and level from its request; it reports a change.
func applicantFollows(a *kyc.Applicant, r *kyc.Request) bool {
	status, level := a.Status, a.Level
	switch r.Status {
	case "fulfilled":
		status = "approved"
		if slices.Index(kyc.Levels, r.Level) > slices.Index(kyc.Levels, a.Level) || !slices.Contains(kyc.Levels, a.Level) {
			level = r.Level
		}
	case "failed":
		status = "rejected"
	case "pending-review":
		status = "pending-review"
	default:
		if a.Status == "pending-review" {
			status = "unverified"
		}
	}
	if status == a.Status && level == a.Level {
		return false
	}
	a.Status, a.Level = status, level
	return true
}
