package console_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store"
	"kycd/internal/webhook"
)

// storeEvidence reads the case pages' evidence straight from the store, each file's bytes being
// its id (the composition root's reads through the domains' services, tested in app).
type storeEvidence struct {
	st      *store.Store
	reviews *review.Service
}

func (e storeEvidence) Case(ctx context.Context, env kyc.Env, id string) (review.Case, error) {
	return e.reviews.Case(ctx, env, id)
}

func (e storeEvidence) Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error) {
	return e.st.Document(ctx, env, id)
}

func (e storeEvidence) Documents(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Document, error) {
	p, err := e.st.ListDocuments(ctx, env, applicantID, "", 100)
	return p.Items, err
}

func (e storeEvidence) Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	return e.st.Applicant(ctx, env, id)
}

func (e storeEvidence) Requests(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Request, error) {
	p, err := e.st.ListRequests(ctx, env, store.RequestFilter{ApplicantID: applicantID}, "", 100)
	return p.Items, err
}

func (e storeEvidence) Screening(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error) {
	return e.st.Screening(ctx, env, id)
}

func (e storeEvidence) Screenings(ctx context.Context, env kyc.Env, applicantID string) ([]kyc.Screening, error) {
	return e.st.ApplicantScreenings(ctx, env, applicantID, 100)
}

func (e storeEvidence) Events(ctx context.Context, env kyc.Env, resourceID string) ([]kyc.Event, error) {
	p, err := e.st.ListEvents(ctx, env, store.EventFilter{ResourceID: resourceID}, "", 100)
	return p.Items, err
}

func (e storeEvidence) ListEntry(ctx context.Context, list, id string) (match.Entry, bool, error) {
	return screening.NewRepo(e.st).Entry(ctx, list, id)
}

func (e storeEvidence) Deliveries(ctx context.Context, env kyc.Env, eventIDs []string) ([]webhook.Delivery, error) {
	return webhook.NewRepository(e.st).DeliveriesOfEvents(ctx, env, eventIDs)
}

func (e storeEvidence) FileInfo(ctx context.Context, env kyc.Env, id string) (kyc.File, error) {
	return e.st.File(ctx, env, id)
}

func (e storeEvidence) File(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error) {
	f, err := e.st.File(ctx, env, id)
	if err != nil {
		return f, nil, err
	}
	f.Size = int64(len(id))
	return f, io.NopCloser(bytes.NewReader([]byte(id))), nil
}

func (e storeEvidence) Viewed(ctx context.Context, env kyc.Env, a kyc.AuditEntry, more ...kyc.AuditEntry) error {
	return e.st.Change(ctx, env, func(*store.Tx) (store.Effects, error) { return store.Effects{Audit: a, MoreAudit: more}, nil })
}

// storeDecider decides documents straight in the store, with the event that closes their case
// (the composition root's goes through the document service, tested in app).
type storeDecider struct{ st *store.Store }

func (d storeDecider) Override(ctx context.Context, c review.Case, dec review.Decision) (bool, error) {
	doc, err := d.st.Document(ctx, c.Env, c.SubjectID)
	for _, ck := range doc.CheckList {
		if ck.Failed && dec.Action == review.ActionAccept {
			return true, err
		}
	}
	return false, err
}

// CanRetry is false: the documents of these tests answer no KYC request.
func (d storeDecider) CanRetry(context.Context, review.Case) (bool, error) { return false, nil }

func (d storeDecider) Carry(ctx context.Context, c review.Case, dec review.Decision, by, approvedBy kyc.Actor) error {
	status := map[string]string{review.ActionAccept: "accepted", review.ActionReject: "rejected"}[dec.Action]
	_, err := d.st.DecideDocument(ctx, c.Env, c.SubjectID, func(rc *store.Case) (store.Effects, error) {
		rc.Document.Status = status
		rc.Document.Review = &kyc.Review{Reviewer: by, Outcome: status, Notes: dec.Note + " approved by " + string(approvedBy)}
		if dec.Action == review.ActionReject {
			// As the document service does: the dashboard counts rejections by their type.
			rc.Document.RejectionReason = &kyc.RejectionReason{Type: dec.RejectionType, Message: dec.Message}
		}
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: by, Action: "kyc-document.review", ResourceType: "kyc-document", ResourceID: c.SubjectID}}
		eff.Events = []store.NewEvent{{Type: kyc.EventDocumentReviewed, ResourceType: "kyc-document", ResourceID: c.SubjectID}}
		return eff, nil
	})
	return err
}

// builtinLevels are kycd's built-in levels.
func builtinLevels(t testing.TB) *level.Set {
	t.Helper()
	s, err := level.Load("", level.Known{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
