package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
	"kycd/internal/kyc"
)

type tokenIn struct {
	ID   string `path:"id"`
	Body struct {
		TTLSeconds int    `json:"ttlSeconds,omitempty" minimum:"60" maximum:"86400" doc:"Lifetime in seconds; default 3600"`
		RequestID  string `json:"requestId,omitempty" doc:"A KYC request of this applicant (req_...): documents the app sends with this token answer it"`
	}
}

type tokenOut struct {
	Body struct {
		Token       string    `json:"token" doc:"Give this to the end user's app or page; it only works for this applicant's end-user endpoints"`
		ApplicantID string    `json:"applicantId"`
		ExpiresAt   time.Time `json:"expiresAt"`
	}
}

func registerTokens(api huma.API, d Deps) {
	o := op("createApplicantToken", http.MethodPost, "/v1/applicants/{id}/tokens", "Mint a short-lived applicant token", "Applicants", http.StatusCreated, 404, 422)
	o.Description = "End users never hold an API key: the integrator mints a token that is valid only for this applicant's end-user endpoints (the hosted flow and the app endpoints), until it expires."
	huma.Register(api, o, func(ctx context.Context, in *tokenIn) (*tokenOut, error) {
		p := principal(ctx)
		a, err := d.Applicants.Get(ctx, p.Env, in.ID)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		if id := in.Body.RequestID; id != "" {
			if r, err := d.Requests.Get(ctx, p.Env, id); err != nil || r.ApplicantID != a.ID {
				return nil, problem(ctx, d.Log, kyc.Invalid("body.requestId", "no KYC request %s of this applicant", id))
			}
		}
		ttl := time.Hour
		if in.Body.TTLSeconds > 0 {
			ttl = time.Duration(in.Body.TTLSeconds) * time.Second
		}
		exp := time.Now().Add(ttl).UTC().Truncate(time.Second)
		out := &tokenOut{}
		out.Body.Token = d.Tokens.Sign(auth.ApplicantClaims{Purpose: auth.PurposeApplicant, Env: p.Env, ApplicantID: a.ID, RequestID: in.Body.RequestID, Expires: exp.Unix()})
		out.Body.ApplicantID, out.Body.ExpiresAt = a.ID, exp
		return out, nil
	})
	rv := op("revokeApplicantTokens", http.MethodDelete, "/v1/applicants/{id}/tokens", "Revoke the applicant's tokens", "Applicants", http.StatusNoContent, 404)
	rv.Description = "Every applicant token and gatherer link of this applicant issued until now stops working at once, on every replica. Tokens minted afterwards work, and a KYC request read again carries a new gatherer link. An applicant token bound to a KYC request also stops working when the request is abandoned or expires."
	huma.Register(api, rv, func(ctx context.Context, in *idIn) (*struct{}, error) {
		p := principal(ctx)
		if _, err := d.Applicants.Get(ctx, p.Env, in.ID); err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		if _, err := d.Tokens.Revoke(ctx, p.Env, in.ID, p.Actor()); err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return nil, nil
	})
}
