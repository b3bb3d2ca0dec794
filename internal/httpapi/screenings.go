package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/screening"
	"kycd/internal/store"
)

type screeningList struct {
	Items []kyc.Screening `json:"items"`
}

type screeningPage struct {
	Items      []kyc.Screening `json:"items"`
	NextCursor string          `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

type sanctionsListList struct {
	Items []kyc.SanctionsList `json:"items"`
}

// ScreeningReviewInput is a reviewer's disposition of a potential match.
type ScreeningReviewInput struct {
	Disposition string `json:"disposition" enum:"confirmed,false-positive" doc:"confirmed rejects the applicant's documents decisively; false-positive is remembered for this applicant and list entry until the entry changes"`
	Notes       string `json:"notes,omitempty" maxLength:"2000"`
}

func registerScreenings(api huma.API, d Deps) {
	const tag = "Sanctions screening"
	huma.Register(api, op("screenName", http.MethodPost, "/v1/screenings", "Screen a name against the sanctions lists", tag, http.StatusOK, 422, http.StatusServiceUnavailable),
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
			Body           screening.Query
		}) (*struct{ Body screening.Result }, error) {
			res, err := d.Screening.Screen(ctx, in.Body)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body screening.Result }{res}, nil
		})
	list := op("listScreenings", http.MethodGet, "/v1/screenings", "List screenings across applicants", tag, http.StatusOK, 422)
	list.Description = "The environment's screenings, newest first by default; disposition=potential-match&order=asc is the queue of hits to review, oldest first."
	huma.Register(api, list,
		func(ctx context.Context, in *struct {
			PageParams
			OrderParam
			ApplicantID string `query:"applicantId" maxLength:"64" doc:"Only this applicant's screenings (apl_...)"`
			Disposition string `query:"disposition" enum:"clear,potential-match,confirmed,false-positive" doc:"Only screenings with this disposition"`
		}) (*struct{ Body screeningPage }, error) {
			f := store.ScreeningFilter{ApplicantID: in.ApplicantID, Disposition: in.Disposition, OldestFirst: in.oldestFirst()}
			pg, err := d.Screening.List(ctx, principal(ctx).Env, f, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body screeningPage }{screeningPage{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
	huma.Register(api, op("getScreening", http.MethodGet, "/v1/screenings/{id}", "One screening (the resource of screening events)", tag, http.StatusOK, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body kyc.Screening }, error) {
			sc, err := d.Screening.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body kyc.Screening }{sc}, nil
		})
	huma.Register(api, op("listApplicantScreenings", http.MethodGet, "/v1/applicants/{id}/screenings", "An applicant's screenings, newest first", tag, http.StatusOK, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body screeningList }, error) {
			scs, err := d.Screening.ApplicantScreenings(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body screeningList }{screeningList{Items: scs}}, nil
		})
	huma.Register(api, op("reviewScreening", http.MethodPost, "/v1/screenings/{id}/review", "Mark a potential match confirmed or false-positive", tag, http.StatusOK, 404, 409, 422),
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
			Body           ScreeningReviewInput
		}) (*struct{ Body kyc.Screening }, error) {
			p := principal(ctx)
			sc, err := d.Screening.Review(ctx, p.Actor(), p.Env, in.ID, in.Body.Disposition, in.Body.Notes)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body kyc.Screening }{sc}, nil
		})
	huma.Register(api, op("listSanctionsLists", http.MethodGet, "/v1/sanctions-lists", "The sanctions list versions in use", tag, http.StatusOK),
		func(ctx context.Context, _ *struct{}) (*struct{ Body sanctionsListList }, error) {
			ls, err := d.Screening.Lists(ctx)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body sanctionsListList }{sanctionsListList{Items: ls}}, nil
		})
}
