package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

type documentOut struct {
	Location string `header:"Location"`
	Body     kyc.Document
}

type documentList struct {
	Items      []kyc.Document `json:"items"`
	NextCursor string         `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

type idIn struct {
	ID string `path:"id"`
}

func registerDocuments(api huma.API, d Deps) {
	const tag = "KYC documents"
	huma.Register(api, op("createKycDocument", http.MethodPost, "/v1/kyc-documents", "Create a KYC document from uploaded files", tag, http.StatusCreated, 422),
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
			Body           document.Input
		}) (*documentOut, error) {
			p := principal(ctx)
			doc, err := d.Documents.Create(ctx, p.Actor(), p.Env, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &documentOut{Location: "/v1/kyc-documents/" + doc.ID, Body: doc}, nil
		})
	huma.Register(api, op("getKycDocument", http.MethodGet, "/v1/kyc-documents/{id}", "Get a KYC document", tag, http.StatusOK, 404),
		func(ctx context.Context, in *idIn) (*documentOut, error) {
			doc, err := d.Documents.Get(ctx, principal(ctx).Env, in.ID)
			if err == nil {
				err = logReads(ctx, d, "kyc-document.read", "kyc-document", doc.ID)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &documentOut{Body: doc}, nil
		})
	list := op("listKycDocuments", http.MethodGet, "/v1/kyc-documents", "List KYC documents, of one applicant or across applicants", tag, http.StatusOK, 422)
	list.Description = "Newest first by default. Without applicantId it lists across the environment's applicants: " +
		"status=pending-review&order=asc is the review queue, oldest first."
	huma.Register(api, list,
		func(ctx context.Context, in *struct {
			PageParams
			OrderParam
			ApplicantID string `query:"applicantId" maxLength:"64" doc:"Only this applicant's documents (apl_...)"`
			Status      string `query:"status" enum:"pending,in-progress,pending-review,accepted,rejected,archived" doc:"Only documents in this status"`
		}) (*struct{ Body documentList }, error) {
			f := store.DocumentFilter{ApplicantID: in.ApplicantID, Status: in.Status, OldestFirst: in.oldestFirst()}
			pg, err := d.Documents.Find(ctx, principal(ctx).Env, f, in.Cursor, in.Limit)
			if err == nil {
				err = logReads(ctx, d, "kyc-document.read", "kyc-document", ids(pg.Items, func(d kyc.Document) string { return d.ID })...)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body documentList }{documentList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
	huma.Register(api, op("acceptKycDocument", http.MethodPost, "/v1/kyc-documents/{id}/acceptance", "Accept a KYC document in review (a person's decision)", tag, http.StatusOK, 404, 409),
		func(ctx context.Context, in *struct {
			ID             string                `path:"id"`
			IdempotencyKey string                `header:"Idempotency-Key" maxLength:"255"`
			Body           *document.ReviewInput `required:"false"`
		}) (*documentOut, error) {
			p := principal(ctx)
			var review document.ReviewInput
			if in.Body != nil {
				review = *in.Body
			}
			doc, err := d.Documents.Accept(ctx, p.Actor(), p.Env, in.ID, review)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &documentOut{Body: doc}, nil
		})
	huma.Register(api, op("rejectKycDocument", http.MethodPost, "/v1/kyc-documents/{id}/rejection", "Reject a KYC document with a reason type", tag, http.StatusOK, 404, 409, 422),
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
			Body           document.Rejection
		}) (*documentOut, error) {
			p := principal(ctx)
			doc, err := d.Documents.Reject(ctx, p.Actor(), p.Env, in.ID, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &documentOut{Body: doc}, nil
		})
	huma.Register(api, op("archiveKycDocument", http.MethodDelete, "/v1/kyc-documents/{id}", "Archive a KYC document: kept for the case file, no longer counted", tag, http.StatusOK, 404, 409),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*documentOut, error) {
			p := principal(ctx)
			doc, err := d.Documents.Archive(ctx, p.Actor(), p.Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &documentOut{Body: doc}, nil
		})
}
