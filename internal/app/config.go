package app

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"kycd/internal/httpapi"
	"kycd/internal/people"
	"kycd/internal/retention"
	"kycd/internal/screening"
	"kycd/internal/screening/snapshot"
	"kycd/internal/webhook"
)

// Config is everything kycd serve needs. cmd/kycd fills it from flags and KYCD_* environment
// variables; the zero value of each optional field means its documented default.
type Config struct {
	// Addr is where the HTTP server listens. Default 127.0.0.1:8080.
	Addr string
	// DataDir holds the SQLite database, the local blobs and the master key file when those are
	// not configured otherwise. Default ./data.
	DataDir string
	// DatabaseURL is postgres://... for PostgreSQL, or a SQLite file path. Default DataDir/kycd.db.
	DatabaseURL string
	// BlobURL is where document bytes go: file:///path, s3://bucket?endpoint=...&region=..., or
	// mem:// (tests). Default file://DataDir/blobs.
	BlobURL string
	// MasterKey is 32 bytes, base64 or hex, that seal document bytes and personal-data columns.
	// Default: a key file DataDir/master.key, created with mode 0600 on first start. Losing the key
	// loses the data: back it up apart from the database.
	MasterKey string
	// MasterKeyPrevious is the master key being rotated away from, set only while a rotation runs
	// (kycd keys rotate): data keys and the keyring open under it or MasterKey, new ones are
	// wrapped under MasterKey only.
	MasterKeyPrevious string
	// PublicURL is the base of links given to end users (the gatherer). Default http://Addr.
	PublicURL string
	// Console tunes the review console's sessions (timeouts; zero values take people's defaults).
	Console ConsoleConfig
	// Review tunes the review queue (service levels, claims).
	Review ReviewConfig
	// MaxUploadBytes is the largest file accepted. Default 10 MiB.
	MaxUploadBytes int64
	// MaxImagePixels is the largest image accepted, read from its header. Default 50,000,000.
	MaxImagePixels int64
	// DecodeMemoryBytes is the memory that decoding images may take at once in this process,
	// across every verification: a decode waits for room, and an image that alone would need more
	// fails its image-decodes check. Default 256 MiB (check.DefaultDecodeMemory).
	DecodeMemoryBytes int64
	// Limits bound what one client can do: failed authentications per IP and token subject,
	// requests at once per IP, the body timeout of requests that are not uploads, and the header
	// a trusted proxy puts the client's address in (see httpapi.Limits for the defaults).
	Limits httpapi.Limits
	// JobWorkers is how many background jobs run at once in this process. Default 10.
	JobWorkers int
	// Replicas is how many kycd serve processes share the PostgreSQL database, this one included:
	// at start, kycd serve refuses settings whose pools (PoolSize each) could not all be open at
	// once (store.ConnLimits.Fit). Default 1.
	Replicas int
	// LevelsFile is a JSON file that changes the built-in levels (L0, L1, L2) or adds more; see
	// package level. Default none.
	LevelsFile string
	// ShutdownTimeout is how long a stopping server waits for requests and jobs. Default 30 s.
	ShutdownTimeout time.Duration
	// BlobOrphanGrace is how old a file's blob must be before the orphan sweep (hourly and at
	// start) deletes it for want of a row: what a crash between the blob's write and its row's
	// commit leaves. It must stay above the longest request (an upload may take 5 minutes), or the
	// sweep could take a blob whose row is still being committed. Default 1 h (OrphanBlobGrace).
	BlobOrphanGrace time.Duration
	// ErasureDelay is how long an erasure (DELETE /v1/applicants/{id}) waits, cancellable,
	// before it is carried out. 0, the default, erases at once.
	ErasureDelay time.Duration
	// Retention sets how long each class of data is kept after the applicant's last activity
	// (see package retention; zero periods take its five-year default, except Audit's, which keeps
	// the audit log for ever; a non-zero Audit is at least PersonalData).
	Retention retention.Config
	// Version is reported in the OpenAPI document.
	Version string
	// Tracing makes the spans of HTTP requests, River jobs, database statements and outgoing
	// calls (see package tracing). Default none: a no-op provider, which records nothing. kycd
	// serve gives tracing.FromEnv's.
	Tracing trace.TracerProvider
	// Webhooks configures webhook delivery: attempt timeout, retry schedule, when a failing
	// webhook is disabled, and whether internal addresses may be reached (see webhook.Config).
	Webhooks webhook.Config
	// Sanctions configures sanctions screening: match threshold, list URLs and refresh schedule
	// (see screening.Config).
	Sanctions screening.Config
	// Shares configures sharing approved KYC with partners (Interlace, Alchemy Pay, Saintpay):
	// each is enabled when its URL is set.
	Shares ShareConfig
}

// withDefaults fills the defaults.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "kycd.db")
	}
	if c.BlobURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
		if err != nil {
			abs = filepath.Join(c.DataDir, "blobs")
		}
		c.BlobURL = (&url.URL{Scheme: "file", Path: abs}).String()
	}
	if c.Review.FourEyes == nil {
		c.Review.FourEyes = map[string]bool{"*": true}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 10 << 20
	}
	if c.MaxImagePixels <= 0 {
		c.MaxImagePixels = 50_000_000
	}
	if c.JobWorkers <= 0 {
		c.JobWorkers = 10
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.BlobOrphanGrace <= 0 {
		c.BlobOrphanGrace = OrphanBlobGrace
	}
	if c.Tracing == nil {
		c.Tracing = noop.NewTracerProvider()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.Sanctions.Snapshot == nil {
		c.Sanctions.Snapshot = snapshot.FS
	}
	return c
}

// ConsoleConfig tunes the review console's sessions and single sign-on.
type ConsoleConfig struct {
	// IdleTimeout ends a session unused this long. Default 30 minutes.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in. Default 12 hours.
	MaxAge time.Duration
	// OIDC is single sign-on with OpenID Connect; off when its Issuer is empty.
	OIDC OIDCConfig
}

// OIDCConfig is the review console's single sign-on. The redirect URL to register at the provider
// is PublicURL + "/console/oidc/callback".
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (its discovery document is Issuer +
	// "/.well-known/openid-configuration"). Empty turns single sign-on off.
	Issuer string
	// ClientID and ClientSecret are kycd's client at the provider; both are required with Issuer.
	ClientID, ClientSecret string
	// RoleClaim names the ID token claim giving the role. Default "kycd_role".
	RoleClaim string
	// RoleMap maps claim values to roles, written "group=role,group2=role"; empty takes the
	// claim's values as role names.
	RoleMap string
}

// validate refuses half a configuration of single sign-on, naming what is missing.
func (o OIDCConfig) validate() error {
	if o.Issuer == "" {
		if o.ClientID != "" || o.ClientSecret != "" || o.RoleMap != "" || o.RoleClaim != "" {
			return fmt.Errorf("single sign-on: KYCD_OIDC_ISSUER is empty but other KYCD_OIDC_* settings are set; set the issuer, or unset them")
		}
		return nil
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("single sign-on: KYCD_OIDC_ISSUER %q is not an http(s) URL", o.Issuer)
	}
	var missing []string
	if o.ClientID == "" {
		missing = append(missing, "KYCD_OIDC_CLIENT_ID")
	}
	if o.ClientSecret == "" {
		missing = append(missing, "KYCD_OIDC_CLIENT_SECRET")
	}
	if len(missing) > 0 {
		return fmt.Errorf("single sign-on: KYCD_OIDC_ISSUER is set but %s is not", strings.Join(missing, " and "))
	}
	if _, err := people.ParseRoleMap(o.RoleMap); err != nil {
		return fmt.Errorf("single sign-on: KYCD_OIDC_ROLE_MAP: %w", err)
	}
	return nil
}

// ReviewConfig tunes the review queue.
type ReviewConfig struct {
	// DefaultSLA is how long a case may wait before it is overdue (default 24 hours); SLA sets it
	// per level.
	DefaultSLA time.Duration
	SLA        map[string]time.Duration
	// ClaimFor is how long a reviewer's claim of a case holds. Default 30 minutes.
	ClaimFor time.Duration
	// FourEyes names the levels whose rejections, overrides and confirmed matches need an
	// approver ("*": all). Default all (withDefaults), so that one person alone cannot reject or
	// override until the operator says so.
	FourEyes map[string]bool
	// Priority raises the cases of levels (level → priority, 1 the most urgent); a case takes the
	// more urgent of its reason's and its level's.
	Priority map[string]int
}
