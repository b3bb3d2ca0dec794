package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/store"
)

type requestList struct {
	Items      []kyc.Request `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

type requestOut struct {
	Location string `header:"Location"`
	Body     kyc.Request
}

func registerRequests(api huma.API, d Deps) {
	const tag = "KYC requests"
	huma.Register(api, op("createKycRequest", http.MethodPost, "/v1/kyc-requests", "Ask an applicant for documents", tag, http.StatusCreated, 422),
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
			Body           request.Input
		}) (*requestOut, error) {
			p := principal(ctx)
			r, err := d.Requests.Create(ctx, p.Actor(), p.Env, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &requestOut{Location: "/v1/kyc-requests/" + r.ID, Body: r}, nil
		})
	list := op("listKycRequests", http.MethodGet, "/v1/kyc-requests", "List KYC requests", tag, http.StatusOK, 422)
	list.Description = "The environment's KYC requests, newest first by default; status=pending-review&order=asc is a review queue."
	huma.Register(api, list,
		func(ctx context.Context, in *struct {
			PageParams
			OrderParam
			ApplicantID string `query:"applicantId" maxLength:"64" doc:"Only this applicant's requests (apl_...)"`
			Status      string `query:"status" enum:"gathering,attempted,partial,pending-review,fulfilled,failed,abandoned,expired" doc:"Only requests in this status"`
			Level       string `query:"level" maxLength:"32" pattern:"^[^\\s]+$" doc:"Only requests for this level (L0, L1, L2 or one from KYCD_LEVELS_FILE)"`
		}) (*struct{ Body requestList }, error) {
			f := store.RequestFilter{ApplicantID: in.ApplicantID, Status: in.Status, Level: in.Level, OldestFirst: in.oldestFirst()}
			pg, err := d.Requests.List(ctx, principal(ctx).Env, f, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body requestList }{requestList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
	huma.Register(api, op("getKycRequest", http.MethodGet, "/v1/kyc-requests/{id}", "Get a KYC request", tag, http.StatusOK, 404),
		func(ctx context.Context, in *idIn) (*requestOut, error) {
			r, err := d.Requests.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &requestOut{Body: r}, nil
		})
	huma.Register(api, op("updateKycRequest", http.MethodPatch, "/v1/kyc-requests/{id}", "Change a KYC request that is not final", tag, http.StatusOK, 404, 409, 422),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body request.Patch
		}) (*requestOut, error) {
			p := principal(ctx)
			r, err := d.Requests.Update(ctx, p.Actor(), p.Env, in.ID, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &requestOut{Body: r}, nil
		})
	huma.Register(api, op("abandonKycRequest", http.MethodDelete, "/v1/kyc-requests/{id}", "Abandon a KYC request", tag, http.StatusOK, 404, 409),
		func(ctx context.Context, in *idIn) (*requestOut, error) {
			p := principal(ctx)
			r, err := d.Requests.Abandon(ctx, p.Actor(), p.Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &requestOut{Body: r}, nil
		})
}
