package app

import (
	"context"
	"log/slog"
	"net/http"

	"kycd/internal/appapi"
	"kycd/internal/applicant"
	"kycd/internal/auth"
	"kycd/internal/docread"
	"kycd/internal/document"
	"kycd/internal/face/liveness"
	"kycd/internal/file"
	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/seal"
	"kycd/internal/verify/check"
	"kycd/internal/web"
)

// endUserRoutes are the end user's side, mounted beside /v1 on the same mux: the hosted flow behind
// gatherer links and the app endpoints (applicant tokens). Both go through one gather service.
func endUserRoutes(log *slog.Logger, tokens *auth.Tokens, sealer *seal.Sealer, publicURL string, blobs gather.Blobs, st interface {
	gather.Drafts
	gather.Changer
	web.LivenessStore
},
	applicants *applicant.Service, documents *document.Service, requests *request.Service, files *file.Service, reader *docread.Reader,
	faces liveness.Analyzer, decode *check.Budget, maxPixels int64,
) ([]func(*http.ServeMux), error) {
	g := gather.NewService(files, requests, blobs, st, st)
	flow, err := web.New(web.Deps{Log: log, Tokens: tokens, Gather: g, Applicants: applicants, Requests: requests, Documents: documents,
		Files: files, Reader: reader, CSRFKey: sealer.Derive("gather-csrf"), PublicURL: publicURL,
		Liveness: st, Faces: faces, Decode: decode, MaxPixels: maxPixels})
	if err != nil {
		return nil, err
	}
	return []func(*http.ServeMux){
		flow.Mount,
		func(mux *http.ServeMux) {
			appapi.Mount(mux, appapi.Deps{Log: log, Tokens: tokens, Gather: g, Spool: files, Applicants: applicants, Documents: documents, Files: files})
		},
	}, nil
}

// requestStatuses tells the token checker a KYC request's status.
type requestStatuses struct{ requests *request.Service }

func (r requestStatuses) RequestStatus(ctx context.Context, env kyc.Env, id string) (string, error) {
	req, err := r.requests.Get(ctx, env, id)
	return req.Status, err
}
