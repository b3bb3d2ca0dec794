package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/request"
)

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
