package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
)

type tokenIn struct {
	ID   string `path:"id"`
	Body struct {
		TTLSeconds int `json:"ttlSeconds,omitempty" minimum:"60" maximum:"86400" doc:"Lifetime in seconds; default 3600"`
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
		ttl := time.Hour
		if in.Body.TTLSeconds > 0 {
			ttl = time.Duration(in.Body.TTLSeconds) * time.Second
		}
		exp := time.Now().Add(ttl).UTC().Truncate(time.Second)
		out := &tokenOut{}
		out.Body.Token = d.Tokens.Sign(auth.ApplicantClaims{Purpose: auth.PurposeApplicant, Env: p.Env, ApplicantID: a.ID, Expires: exp.Unix()})
		out.Body.ApplicantID, out.Body.ExpiresAt = a.ID, exp
		return out, nil
	})
}
