package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"kycd/internal/applicant"
	"kycd/internal/document"
	"kycd/internal/export"
	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/webhook"
)

// exportSource is what an applicant's export reads, from the domains' services.
type exportSource struct {
	applicants *applicant.Service
	requests   *request.Service
	documents  *document.Service
	files      *file.Service
	screening  *screening.Service
	shares     *share.Service
	webhooks   *webhook.Service
	reviews    *review.Service
}

var _ export.Source = exportSource{}

func (s exportSource) Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	return s.applicants.Get(ctx, env, id)
}

func (s exportSource) Requests(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Request], error) {
	return s.requests.List(ctx, env, store.RequestFilter{ApplicantID: applicantID}, cursor, limit)
}

func (s exportSource) Documents(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	return s.documents.List(ctx, env, applicantID, cursor, limit)
}

func (s exportSource) Files(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error) {
	return s.files.List(ctx, env, applicantID, cursor, limit)
}

func (s exportSource) OpenFile(ctx context.Context, env kyc.Env, id string) (io.ReadCloser, error) {
	_, rc, err := s.files.Open(ctx, env, id)
	if errors.Is(err, file.ErrImageDeleted) {
		return nil, fmt.Errorf("%w: %w", export.ErrBytesDeleted, err)
	}
	return rc, err
}

func (s exportSource) Screenings(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Screening], error) {
	return s.screening.List(ctx, env, store.ScreeningFilter{ApplicantID: applicantID}, cursor, limit)
}

func (s exportSource) Shares(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error) {
	return s.shares.List(ctx, env, applicantID, cursor, limit)
}

func (s exportSource) Events(ctx context.Context, env kyc.Env, resourceID, cursor string, limit int) (kyc.Page[kyc.Event], error) {
	return s.webhooks.Events(ctx, env, store.EventFilter{ResourceID: resourceID}, cursor, limit)
}

func (s exportSource) Notes(ctx context.Context, env kyc.Env, applicantID string) ([]export.Note, bool, error) {
	ns, err := s.reviews.Notes(ctx, env, applicantID)
	if err != nil {
		return nil, false, err
	}
	out := make([]export.Note, len(ns))
	for i, n := range ns {
		out[i] = export.Note{ID: n.ID, CaseID: n.CaseID, Author: n.Author, Body: n.Body, CreatedTime: n.CreatedTime}
	}
	return out, len(ns) < review.NotesLimit, nil
}
