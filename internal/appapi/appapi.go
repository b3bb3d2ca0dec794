package appapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/auth"
	"kycd/internal/gather"
	"kycd/internal/httpapi"
	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/strictjson"
)

// Verifier checks applicant tokens. *auth.Tokens satisfies it.
type Verifier interface {
	Verify(ctx context.Context, token, purpose string) (auth.ApplicantClaims, error)
}

// Spooler spools uploads within the size limit. *file.Service satisfies it.
type Spooler interface {
	Spool(r io.Reader) (*media.Spooled, error)
	MaxBytes() int64
}

// Deps are what the endpoints serve from; all are required.
type Deps struct {
	Log        *slog.Logger
	Tokens     Verifier
	Gather     *gather.Service
	Spool      Spooler
	Applicants gather.Applicants
	Documents  gather.Documents
	Files      gather.Files
}

// Mount registers the endpoints on mux.
func Mount(mux *http.ServeMux, d Deps) {
	h := &handler{d: d}
	mux.Handle("POST /upload-KYC-document", h.authed(h.upload))
	mux.Handle("POST /update_app_user_profile_v2", h.authed(h.update))
	mux.Handle("GET /get_app_user_profile_v2", h.authed(h.get))
	mux.Handle("POST /get_app_user_profile_v2", h.authed(h.get))
}

type handler struct{ d Deps }

// authed accepts only an applicant token and passes on who holds it.
func (h *handler) authed(fn func(w http.ResponseWriter, r *http.Request, who gather.Who) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var err error
		if !ok {
			err = fmt.Errorf("an applicant token is required: %w", kyc.ErrUnauthenticated)
		} else {
			var c auth.ApplicantClaims
			c, err = h.d.Tokens.Verify(r.Context(), strings.TrimSpace(tok), auth.PurposeApplicant)
			if err == nil {
				err = fn(w, r, gather.Who{Env: c.Env, ApplicantID: c.ApplicantID, RequestID: c.RequestID})
			}
		}
		if err != nil {
			if errors.Is(err, kyc.ErrUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="kycd"`)
				// The shared mapping's 401 text speaks of API keys; these endpoints take applicant tokens.
				err = huma.Error401Unauthorized("a valid applicant token is required: Authorization: Bearer kyct_... (POST /v1/applicants/{id}/tokens)")
			}
			httpapi.WriteProblem(w, r, h.d.Log, err)
		}
	})
}

// unwrap returns the body inside the {data, method, endpoint, headers} envelope, or the body itself
// when it is bare. A body is an envelope when it has an object "data" and none of the fields an
// endpoint reads at its top level.
func unwrap(raw []byte, own ...string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := strictjson.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	for _, k := range own {
		if _, ok := top[k]; ok {
			return raw, nil
		}
	}
	if data, ok := top["data"]; ok && strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		return data, nil
	}
	return raw, nil
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("the body is over the %d-byte limit: %w", limit, kyc.ErrTooLarge)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, fmt.Errorf("the body is over the %d-byte limit: %w", limit, kyc.ErrTooLarge)
	}
	if err != nil {
		return nil, kyc.Invalid("body", "could not read the body")
	}
	return b, nil
}

func (h *handler) upload(w http.ResponseWriter, r *http.Request, who gather.Who) error {
	raw, err := readBody(w, r, h.d.Spool.MaxBytes()*4/3+64<<10)
	if err != nil {
		return err
	}
	slot, payload, err := decodeUpload(raw)
	if err != nil {
		return err
	}
	sp, err := h.d.Spool.Spool(base64.NewDecoder(base64.StdEncoding, strings.NewReader(payload)))
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return kyc.Invalid("body.fileData.file", "the base64 is not valid")
		}
		return err
	}
	f, err := h.d.Gather.Upload(r.Context(), who, slot, sp)
	if err != nil {
		return relocate(err, "body.fileData.file")
	}
	row := documentRow{AccessID: who.ApplicantID, DocumentType: string(slot), KYCStatus: documentStatus[""]}
	row.setFile(f)
	return writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": row})
}

// relocate names the upload field in media errors (which call it body.file).
func relocate(err error, field string) error {
	var ve *kyc.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			if ve.Fields[i].Field == "body.file" {
				ve.Fields[i].Field = field
			}
		}
	}
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request, who gather.Who) error {
	v, err := h.view(r.Context(), who)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
