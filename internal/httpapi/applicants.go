package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/applicant"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

type applicantOut struct {
	Location string `header:"Location"`
	Body     kyc.Applicant
}

type applicantList struct {
	Items      []kyc.Applicant `json:"items"`
	NextCursor string          `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

// PageParams are the paging query parameters of every list. (Exported: huma reads only exported
// embedded structs.)
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
	Cursor string `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`
}

// OrderParam is the order of a list that serves as a work queue. (Exported, like PageParams.)
type OrderParam struct {
	Order string `query:"order" enum:"desc,asc" default:"desc" doc:"desc: newest first; asc: oldest first, as a work queue is worked. Keep the same order when you pass a cursor"`
}

// oldestFirst reports whether the caller asked for oldest first.
func (o OrderParam) oldestFirst() bool { return o.Order == "asc" }

func registerApplicants(api huma.API, d Deps) {
	const tag = "Applicants"
	huma.Register(api, op("createApplicant", http.MethodPost, "/v1/applicants", "Create an applicant", tag, http.StatusCreated, 409, 422),
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Retries with the same key and body get the same answer"`
			Body           applicant.Input
		}) (*applicantOut, error) {
			p := principal(ctx)
			a, err := d.Applicants.Create(ctx, p.Actor(), p.Env, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &applicantOut{Location: "/v1/applicants/" + a.ID, Body: a}, nil
		})
	huma.Register(api, op("getApplicant", http.MethodGet, "/v1/applicants/{id}", "Get an applicant", tag, http.StatusOK, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*applicantOut, error) {
			a, err := d.Applicants.Get(ctx, principal(ctx).Env, in.ID)
			if err == nil {
				err = logReads(ctx, d, "applicant.read", "applicant", a.ID)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &applicantOut{Body: a}, nil
		})
	patch := op("updateApplicant", http.MethodPatch, "/v1/applicants/{id}", "Change an applicant", tag, http.StatusOK, 404, 409, 422)
	patch.Description = "A JSON merge patch: fields present replace the stored value (an empty string clears it), absent fields are kept. The result is validated whole."
	huma.Register(api, patch, func(ctx context.Context, in *struct {
		ID      string `path:"id"`
		RawBody []byte
		Body    applicant.Input
	}) (*applicantOut, error) {
		p := principal(ctx)
		a, err := d.Applicants.Update(ctx, p.Actor(), p.Env, in.ID, append([]byte(nil), in.RawBody...))
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &applicantOut{Body: a}, nil
	})
	huma.Register(api, op("listApplicants", http.MethodGet, "/v1/applicants", "List applicants, newest first", tag, http.StatusOK, 422),
		func(ctx context.Context, in *struct {
			PageParams
			ExternalID string `query:"externalId" maxLength:"128"`
			Status     string `query:"status" enum:"unverified,pending-review,approved,rejected"`
		}) (*struct{ Body applicantList }, error) {
			pg, err := d.Applicants.List(ctx, principal(ctx).Env, store.ApplicantFilter{ExternalID: in.ExternalID, Status: in.Status}, in.Cursor, in.Limit)
			if err == nil {
				err = logReads(ctx, d, "applicant.read", "applicant", ids(pg.Items, func(a kyc.Applicant) string { return a.ID })...)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body applicantList }{applicantList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
}
