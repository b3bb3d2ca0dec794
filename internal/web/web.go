package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"

	"kycd/internal/auth"
	"kycd/internal/face/liveness"
	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/media"
	vcheck "kycd/internal/verify/check"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Verifier checks gatherer tokens. *auth.Tokens satisfies it.
type Verifier interface {
	Verify(ctx context.Context, token, purpose string) (auth.ApplicantClaims, error)
}

// Files spools uploads and gives stored files back. *file.Service satisfies it.
type Files interface {
	Spool(r io.Reader) (*media.Spooled, error)
	Open(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error)
}

// Requests reads KYC requests. *request.Service satisfies it.
type Requests interface {
	Get(ctx context.Context, env kyc.Env, id string) (kyc.Request, error)
}

// Documents lists an applicant's documents. *document.Service satisfies it.
type Documents interface {
	List(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error)
}

// Deps are what the flow serves from; all are required.
type Deps struct {
	Log        *slog.Logger
	Tokens     Verifier
	Gather     *gather.Service
	Applicants gather.Applicants
	Requests   Requests
	Documents  Documents
	Files      Files
	// Reader reads the document photos the identity screen takes, for prefill and retake.
	Reader Reader
	// CSRFKey keys the CSRF tokens (HMAC-SHA256); derive it from the master key.
	CSRFKey []byte
	// PublicURL is the base URL end users reach kycd at; an https one makes the cookies Secure.
	PublicURL string
	// Liveness keeps the selfie screen's liveness challenges (requests with faceLivenessRequired).
	Liveness LivenessStore
	// Faces describes the faces of a challenge's frames; share the process's *face.Analyzer.
	Faces liveness.Analyzer
	// Decode bounds the memory that decoding a challenge's frames takes; share the process's budget.
	Decode *vcheck.Budget
	// MaxPixels refuses larger frames from their header (KYCD_MAX_IMAGE_PIXELS).
	MaxPixels int64
}

// Handler serves the hosted flow.
type Handler struct {
	d            Deps
	secure       bool
	msgs         *catalog
	pages        map[string]*template.Template
	countryLists map[string][]country
	// checking bounds the liveness checks that run at once to the cores: each is about half a
	// second of CPU (four frames' faces found and described), asked for by end users' pages.
	checking chan struct{}
}

// New parses the templates and messages; an error means a broken build.
func New(d Deps) (*Handler, error) {
	msgs, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	h := &Handler{d: d, secure: strings.HasPrefix(d.PublicURL, "https://"), msgs: msgs, pages: map[string]*template.Template{},
		countryLists: map[string][]country{}, checking: make(chan struct{}, runtime.GOMAXPROCS(0))}
	for _, l := range Languages {
		h.countryLists[l] = countries(l)
	}
	for _, p := range []string{"identity", "selfie", "liveness", "address", "status", "error"} {
		t, err := template.New("layout.html").ParseFS(templateFiles, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", p, err)
		}
		h.pages[p] = t
	}
	return h, nil
}

// Mount registers the flow's routes on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	assets, _ := fs.Sub(assetFiles, "assets")
	mux.Handle("GET /gather-assets/", http.StripPrefix("/gather-assets/", assetHandler(http.FileServerFS(assets))))
	mux.HandleFunc("GET /gather/{id}", h.page)
	mux.HandleFunc("POST /gather/{id}/identity", h.postIdentity)
	mux.HandleFunc("POST /gather/{id}/reading", h.postReading)
	mux.HandleFunc("POST /gather/{id}/selfie", h.postSelfie)
	mux.HandleFunc("POST /gather/{id}/liveness", h.postLiveness)
	mux.HandleFunc("POST /gather/{id}/address", h.postAddress)
	mux.HandleFunc("GET /gather/{id}/done", h.done)
	mux.HandleFunc("GET /gather/{id}/files/{fileId}", h.file)
}

// assetHandler serves the flow's static files, cacheable, and answers 404 for a folder rather
// than list what it holds.
func assetHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// csp is the pages' Content-Security-Policy: scripts and styles from kycd only (no inline code),
// images from kycd or made in the page (the selfie preview), the camera stream, forms posted to
// kycd only, never framed.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
}

// view is what every template gets.
type view struct {
	h         *Handler
	Lang      string
	Languages []langOption
	Title     string
	RequestID string
	CSRF      string
	Step      int
	Steps     int
	Errors    map[string]string
	Values    map[string]string
	Data      any
	Refresh   bool
	BackURL   string
}

type langOption struct {
	Code, Name, URL string
	Current         bool
}

// T returns a text in the page's language; args are name, value pairs for {name} placeholders.
func (v *view) T(key string, args ...any) string { return v.h.msgs.t(v.Lang, key, args...) }

// Err returns the error text of a field, if any.
func (v *view) Err(field string) string { return v.Errors[field] }

// Val returns the submitted or stored value of a field.
func (v *view) Val(field string) string { return v.Values[field] }

// Countries lists the countries in the page's language.
func (v *view) Countries() []country { return v.h.countryLists[v.Lang] }

func (h *Handler) newView(r *http.Request, lang string) *view {
	v := &view{h: h, Lang: lang, Errors: map[string]string{}, Values: map[string]string{}}
	for _, l := range Languages {
		q := url.Values{}
		if s := r.URL.Query().Get("step"); s != "" {
			q.Set("step", s)
		}
		q.Set("lang", l)
		// Always the flow's page: a screen re-rendered after a POST has the form's action as its path.
		page := "/gather/" + r.PathValue("id")
		v.Languages = append(v.Languages, langOption{Code: l, Name: h.msgs.t(l, "lang.name"), URL: page + "?" + q.Encode(), Current: l == lang})
	}
	return v
}

// render writes a page; a template error is logged and answered as a plain error.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	var b bytes.Buffer
	if err := h.pages[page].Execute(&b, v); err != nil {
		h.d.Log.ErrorContext(r.Context(), "web: render", "page", page, "kyc_request_id", r.PathValue("id"), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// errorPage answers a page for an expired, invalid or closed link, or a failure: never a stack
// trace, and with a way back to the integrator's site when there is one.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, kind, backURL string) {
	lang := h.msgs.pick(w, r, h.secure)
	v := h.newView(r, lang)
	v.Title = v.T("error." + kind + ".title")
	v.Data = map[string]string{"Kind": kind, "Body": v.T("error." + kind + ".body"), "Back": backURL}
	h.render(w, r, status, "error", v)
}

// withInfo adds ?info= to the integrator's redirect URL.
func withInfo(redirectURL, info string) string {
	if redirectURL == "" {
		return ""
	}
	u, err := url.Parse(redirectURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("info", info)
	u.RawQuery = q.Encode()
	return u.String()
}
