package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/share"
)

type shareOut struct {
	Location string `header:"Location"`
	Body     kyc.Share
}

type shareList struct {
	Items      []kyc.Share `json:"items"`
	NextCursor string      `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

// partnerCallbackPrefix and share.LinkPath are served without an API key: partners prove
// themselves by their signatures, and file links by theirs.
const partnerCallbackPrefix = "/v1/partner-callbacks/"

func registerShares(api huma.API, mux *http.ServeMux, d Deps) {
	if d.Shares == nil {
		return
	}
	const tag = "Shares"
	create := op("createShare", http.MethodPost, "/v1/applicants/{id}/shares", "Share an applicant's approved KYC with a partner", tag, http.StatusCreated, 404, 409, 422)
	create.Description = "Checks the KYC against the partner's own rules (422 naming every problem, nothing sent), then queues a River job that submits it. " +
		"Only approved applicants are shared (409 otherwise) unless force is set with a test key."
	huma.Register(api, create, func(ctx context.Context, in *struct {
		ID             string `path:"id"`
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Retries with the same key and body get the same answer"`
		Body           share.Input
	}) (*shareOut, error) {
		p := principal(ctx)
		sh, err := d.Shares.Create(ctx, p.Actor(), p.Env, in.ID, in.Body)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &shareOut{Location: "/v1/shares/" + sh.ID, Body: sh}, nil
	})
	huma.Register(api, op("getShare", http.MethodGet, "/v1/shares/{id}", "Get a share", tag, http.StatusOK, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*shareOut, error) {
			sh, err := d.Shares.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &shareOut{Body: sh}, nil
		})
	huma.Register(api, op("listShares", http.MethodGet, "/v1/applicants/{id}/shares", "List an applicant's shares, newest first", tag, http.StatusOK, 404, 422),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageParams
		}) (*struct{ Body shareList }, error) {
			pg, err := d.Shares.List(ctx, principal(ctx).Env, in.ID, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body shareList }{shareList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
	// Each environment has its own callback path (share.CallbackPath), so a callback is resolved
	// within the environment its share was sent from, with that environment's settings.
	for _, env := range []kyc.Env{kyc.EnvLive, kyc.EnvTest} {
		mux.HandleFunc("POST "+share.CallbackPath(env, "{partner}"), func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				writeProblem(w, r, d.Log, fmt.Errorf("read callback: %w", err))
				return
			}
			reply, ctype, err := d.Shares.Callback(r.Context(), env, r.PathValue("partner"), r.Header, body)
			if err != nil {
				writeProblem(w, r, d.Log, err)
				return
			}
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(reply)
		})
	}
	mux.HandleFunc("GET "+share.LinkPath+"{token}", func(w http.ResponseWriter, r *http.Request) {
		f, rc, err := d.Shares.OpenLink(r.Context(), r.PathValue("token"))
		if err != nil {
			writeProblem(w, r, d.Log, err)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", f.MIME)
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.Copy(w, rc)
	})
}
