package app

import (
	"context"
	"io"
	"strings"

	"kycd/internal/applicant"
	"kycd/internal/console"
	"kycd/internal/document"
	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store"
	"kycd/internal/webhook"
)

// evidence is what the console's case pages read, from the domains' services.
type evidence struct {
	st         *store.Store
	reviews    *review.Service
	documents  *document.Service
	applicants *applicant.Service
	requests   *request.Service
	screening  *screening.Service
	files      *file.Service
}

var _ console.Evidence = evidence{}

// historyLimit bounds each list of an applicant's history on a case page.
const historyLimit = 100

func (e evidence) Case(ctx context.Context, env kyc.Env, id string) (review.Case, error) {
	return e.reviews.Case(ctx, env, id)
}

func (e evidence) Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error) {
	return e.documents.Get(ctx, env, id)
}

func (e evidence) Documents(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Document, error) {
	p, err := e.documents.List(ctx, env, applicantID, "", historyLimit)
	return p.Items, err
}

func (e evidence) Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	return e.applicants.Get(ctx, env, id)
}

func (e evidence) Requests(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Request, error) {
	p, err := e.requests.List(ctx, env, store.RequestFilter{ApplicantID: applicantID}, "", historyLimit)
	return p.Items, err
}

func (e evidence) Screening(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error) {
	return e.screening.Get(ctx, env, id)
}

func (e evidence) Screenings(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Screening, error) {
	return e.screening.ApplicantScreenings(ctx, env, applicantID)
}

func (e evidence) Events(ctx context.Context, env kyc.Env, resourceID string) ([]kyc.Event, error) {
	p, err := e.st.ListEvents(ctx, env, store.EventFilter{ResourceID: resourceID}, "", historyLimit)
	return p.Items, err
}

func (e evidence) FileInfo(ctx context.Context, env kyc.Env, id string) (kyc.File, error) {
	return e.files.Get(ctx, env, id)
}

func (e evidence) File(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error) {
	return e.files.Open(ctx, env, id)
}

func (e evidence) ListEntry(ctx context.Context, list, id string) (match.Entry, bool, error) {
	return e.screening.ListEntry(ctx, list, id)
}

func (e evidence) Deliveries(ctx context.Context, env kyc.Env, eventIDs []string) ([]webhook.Delivery, error) {
	return webhook.NewRepository(e.st).DeliveriesOfEvents(ctx, env, eventIDs)
}

// Viewed writes the audit entry of a person's view, and nothing else.
func (e evidence) Viewed(ctx context.Context, env kyc.Env, a kyc.AuditEntry, more ...kyc.AuditEntry) error {
	return e.st.RecordReads(ctx, env, append([]kyc.AuditEntry{a}, more...))
}

// decider carries the console's decisions out through the domains' services.
type decider struct {
	documents *document.Service
	requests  *request.Service
	screening *screening.Service
}

// CanRetry counts the request's rejected documents of the type: one more must leave an attempt.
func (d decider) CanRetry(ctx context.Context, c review.Case) (bool, error) {
	doc, err := d.documents.Get(ctx, c.Env, c.SubjectID)
	if err != nil || doc.RequestID == "" {
		return false, err
	}
	req, err := d.requests.Get(ctx, c.Env, doc.RequestID)
	if err != nil {
		return false, err
	}
	if kyc.FinalRequestStatus(req.Status) {
		return false, nil
	}
	for _, rd := range req.Documents {
		if rd.Type != doc.Type {
			continue
		}
		if rd.MaxAttempts <= 0 {
			return true, nil
		}
		docs, err := d.documents.List(ctx, c.Env, doc.ApplicantID, "", historyLimit)
		if err != nil {
			return false, err
		}
		rejected := 0
		for _, o := range docs.Items {
			if o.RequestID == req.ID && o.Type == doc.Type && o.Status == "rejected" {
				rejected++
			}
		}
		return rejected+1 < rd.MaxAttempts, nil
	}
	return false, nil
}

var _ review.Decider = decider{}

// Override is true for accepting a document a check failed on.
func (d decider) Override(ctx context.Context, c review.Case, dec review.Decision) (bool, error) {
	if c.Kind != review.KindDocument || dec.Action != review.ActionAccept {
		return false, nil
	}
	doc, err := d.documents.Get(ctx, c.Env, c.SubjectID)
	if err != nil {
		return false, err
	}
	for _, ck := range doc.CheckList {
		if ck.Failed {
			return true, nil
		}
	}
	return false, nil
}

// Carry decides the document or the screening, by the person who decided; the approver, if any,
// is named in the note of the case file.
func (d decider) Carry(ctx context.Context, c review.Case, dec review.Decision, by, approvedBy kyc.Actor) error {
	note := dec.Note
	if approvedBy != "" {
		note = strings.TrimSpace(note + " (four eyes: approved by " + string(approvedBy) + ")")
	}
	var err error
	switch dec.Action {
	case review.ActionAccept:
		_, err = d.documents.Accept(ctx, by, c.Env, c.SubjectID, document.ReviewInput{Notes: note})
	case review.ActionReject, review.ActionNewAttempt:
		_, err = d.documents.Reject(ctx, by, c.Env, c.SubjectID, document.Rejection{Type: dec.RejectionType, Message: dec.Message, Notes: note})
	case review.ActionConfirm:
		_, err = d.screening.Review(ctx, by, c.Env, c.SubjectID, "confirmed", note)
	case review.ActionFalsePositive:
		_, err = d.screening.Review(ctx, by, c.Env, c.SubjectID, "false-positive", note)
	default:
		err = kyc.Invalid("action", "unknown action %q", dec.Action)
	}
	return err
}
