package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"

	"kycd/internal/applicant"
	"kycd/internal/auth"
	"kycd/internal/docread"
	"kycd/internal/document"
	"kycd/internal/erasure"
	"kycd/internal/facecompare"
	"kycd/internal/file"
	"kycd/internal/request"
	"kycd/internal/screening"
	"kycd/internal/share"
	"kycd/internal/webhook"
)

// Deps are what the API serves from. Every field is required unless its comment says otherwise.
type Deps struct {
	Log     *slog.Logger
	Version string
	Keys    Keys
	Idem    IdempotencyStore
	// Reads writes the audit entries of reads of personal data (applicants, documents, file
	// contents, events).
	Reads      ReadLog
	Applicants *applicant.Service
	Documents  *document.Service
	Requests   *request.Service
	Files      *file.Service
	// Reader reads an uploaded image for POST /v1/files/{id}/reading.
	Reader *docread.Reader
	// Faces compares the faces of two uploaded images for POST /v1/face-comparisons.
	Faces *facecompare.Comparer
	// Webhooks serves webhook subscriptions, their delivery log, events and replay.
	Webhooks *webhook.Service
	// Screening screens names and applicants against the sanctions lists.
	Screening *screening.Service
	// Shares serves shares with partners, their callbacks and signed file links. Optional: nil
	// leaves those routes out.
	Shares *share.Service
	// Exports prepares applicants' exports for GET /v1/applicants/{id}/export. Optional: nil
	// leaves the route out.
	Exports Exports
	// Erasures erases applicants and keeps their legal holds (DELETE /v1/applicants/{id}).
	// Optional: nil leaves those routes out.
	Erasures *erasure.Service
	// Tokens signs and revokes applicant tokens.
	Tokens *auth.Tokens
	// Ready reports whether the database and blob store answer (/readyz).
	Ready func(ctx context.Context) error
	// MasterKey says which master key generation is in use, for /readyz's body. Optional.
	MasterKey func(ctx context.Context) (MasterKeyStatus, error)
	// Metrics is where HTTP metrics are registered and /metrics reads from. Default a new registry
	// with the Go runtime and process collectors.
	Metrics *prometheus.Registry
	// Limits bound what one client can do: failed authentications, requests at once, body
	// timeouts. The zero value means the defaults.
	Limits Limits
	// Mount adds routes outside /v1 (the hosted flow, the app endpoints, the review console) to the same mux, behind the
	// same logging and metrics; they bring their own authentication. Optional.
	Mount []func(mux *http.ServeMux)
	// Tracer makes a server span per request (tracing.go). Optional: nil makes none.
	Tracer trace.TracerProvider
}

// ready is the answer of /readyz when the database and blob store answer. Sanctions reports the
// lists (none, stale or current) without changing the status: a replica with no list still serves
// every other request, and POST /v1/screenings says 503 itself.
type ready struct {
	Status    string            `json:"status"`
	Sanctions *screening.Health `json:"sanctions,omitempty"`
	MasterKey *MasterKeyStatus  `json:"masterKey,omitempty"`
}

// MasterKeyStatus is which master key generation a replica uses, in /readyz's body (it does not
// change the status): ID, the current master key's id (KYCD_MASTER_KEY); Previous, the previous
// one's while KYCD_MASTER_KEY_PREVIOUS is set (a rotation runs); KeyringUnder, the id of the key
// that wraps the installation's keyring now (the current one's once kycd keys rotate began).
type MasterKeyStatus struct {
	ID           string `json:"id"`
	Previous     string `json:"previous,omitempty"`
	KeyringUnder string `json:"keyringUnder"`
}

func readiness(ctx context.Context, d Deps) ready {
	r := ready{Status: "ready"}
	if d.Screening != nil {
		if h, err := d.Screening.Health(ctx); err == nil {
			r.Sanctions = &h
		} else {
			d.Log.WarnContext(ctx, "sanctions lists unreadable", "err", err)
		}
	}
	if d.MasterKey != nil {
		if k, err := d.MasterKey(ctx); err == nil {
			r.MasterKey = &k
		} else {
			d.Log.WarnContext(ctx, "master key status unreadable", "err", err)
		}
	}
	return r
}

// OpenAPIPath is where the OpenAPI 3.1 document is served (with .json and .yaml).
const OpenAPIPath = "/v1/openapi"

// New returns the whole HTTP handler: /v1, /healthz, /readyz and /metrics.
func New(d Deps) http.Handler {
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
		d.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	mux := http.NewServeMux()
	api := newAPI(mux, d.Version)
	registerApplicants(api, d)
	registerExport(api, mux, d)
	registerErasure(api, d)
	registerTokens(api, d)
	registerDocuments(api, d)
	registerRequests(api, d)
	registerFiles(api, mux, d)
	registerFaceComparisons(api, d)
	registerWebhooks(api, d)
	registerEvents(api, d)
	registerScreenings(api, d)
	registerShares(api, mux, d)
	registerAPIKeys(api, d)
	documentScopes(api)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := d.Ready(ctx); err != nil {
			d.Log.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(readiness(ctx, d))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{}))
	for _, m := range d.Mount {
		m(mux)
	}

	h := unmatched(mux, d.Log)
	h = idempotency(h, d.Idem, d.Log)
	h = plainInput(h, d.Log)
	h = authenticate(h, d.Keys, d.Log)
	h = guard(h, d.Limits, d.Log)
	h = observe(h, mux, d.Log, d.Metrics)
	h = traceRequests(h, mux, d.Tracer)
	h = noStore(h)
	return h
}

func newAPI(mux *http.ServeMux, version string) huma.API {
	cfg := huma.DefaultConfig("kycd", version)
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.Info.Description = "Self-hosted KYC server: applicants, files, KYC documents and KYC requests. " +
		"Errors are RFC 9457 problem+json; every POST takes an Idempotency-Key; lists page with limit, cursor and nextCursor."
	cfg.Formats = strictFormats
	cfg.OpenAPIPath = OpenAPIPath
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links in bodies: answers stay plain resources
	cfg.Transformers = append(cfg.Transformers, scrubErrors)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"apiKey": {Type: "http", Scheme: "bearer", Description: "An API key: kycd_test_... sees test data only, kycd_live_... live data only."},
	}
	cfg.Security = []map[string][]string{{"apiKey": {}}}
	return humago.New(mux, cfg)
}

// op fills the parts every operation shares.
func op(id, method, path, summary, tag string, status int, errs ...int) huma.Operation {
	return huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          path,
		Summary:       summary,
		Tags:          []string{tag},
		DefaultStatus: status,
		Errors:        append([]int{http.StatusUnauthorized, http.StatusTooManyRequests}, errs...),
		MaxBodyBytes:  1 << 20,
	}
}

// schemaName names a schema after its type, prefixed with its package for the domain packages'
// inputs (applicant.Input becomes ApplicantInput), so that names stay unique and readable.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	switch pkg := path.Base(t.PkgPath()); pkg {
	case "applicant", "document", "request", "file", "screening", "share", "webhook":
		if !strings.HasPrefix(name, strings.ToUpper(pkg[:1])+pkg[1:]) {
			name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
	case "docread": // Reading, ReadingMRZ, ReadingFields ...
		if !strings.HasPrefix(name, "Reading") {
			name = "Reading" + name
		}
	}
	return name
}
