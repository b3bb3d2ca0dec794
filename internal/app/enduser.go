package app

import (
	"log/slog"
	"net/http"

	"kycd/internal/appapi"
	"kycd/internal/applicant"
	"kycd/internal/auth"
	"kycd/internal/document"
	"kycd/internal/file"
	"kycd/internal/gather"
	"kycd/internal/request"
	"kycd/internal/seal"
)

// endUserRoutes are the end user's side, mounted beside /v1: the app endpoints (applicant tokens).
func endUserRoutes(log *slog.Logger, signer *auth.Signer, sealer *seal.Sealer, publicURL string, g *gather.Service,
	applicants *applicant.Service, documents *document.Service, requests *request.Service, files *file.Service) []func(*http.ServeMux) {
	_, _, _ = sealer, publicURL, requests
	return []func(*http.ServeMux){
		func(mux *http.ServeMux) {
			appapi.Mount(mux, appapi.Deps{Log: log, Tokens: signer, Gather: g, Spool: files, Applicants: applicants, Documents: documents, Files: files})
		},
	}
}
