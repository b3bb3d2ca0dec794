package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/trace"

	"kycd/internal/applicant"
	"kycd/internal/auth"
	"kycd/internal/blob"
	"kycd/internal/console"
	"kycd/internal/docread"
	"kycd/internal/document"
	"kycd/internal/erasure"
	"kycd/internal/export"
	"kycd/internal/face"
	"kycd/internal/facecompare"
	"kycd/internal/file"
	"kycd/internal/httpapi"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/media"
	"kycd/internal/monitor"
	"kycd/internal/people"
	"kycd/internal/report"
	"kycd/internal/request"
	"kycd/internal/retention"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/seal"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/tracing"
	"kycd/internal/verify"
	"kycd/internal/verify/check"
	"kycd/internal/webhook"
)

// faceAnalyzer is the process's one face Analyzer (its nets' weights decoded once: about 10 ms
// and 22 MB of heap), shared by verification and face comparisons, and by every App of the process.
var faceAnalyzer = sync.OnceValues(face.New)

// spoolLeftoverAge is how old an upload's spool file must be for a starting kycd to delete it.
const spoolLeftoverAge = 10 * time.Minute

// App is a built kycd: its parts, ready to serve.
type App struct {
	Config  Config
	Store   *store.Store
	Blobs   *blob.Store
	Handler http.Handler
	// Metrics is the registry /metrics serves: HTTP, Go runtime and process figures, and kycd's
	// business metrics (package monitor).
	Metrics *prometheus.Registry
	log     *slog.Logger
}

// OpenStore loads the master keys and opens and migrates the database, then reads the keyring
// (writing it at first start) for the installation root key, from which the sealer it returns
// seals: what serve, migrate and apikey create share. It fails with ErrWrongMasterKey when neither
// master key set opens the keyring.
func OpenStore(ctx context.Context, cfg Config) (*store.Store, *seal.Sealer, error) {
	cfg = cfg.withDefaults()
	return openStoreSized(ctx, cfg, store.DefaultMaxConns)
}

// openStoreSized is OpenStore with a PostgreSQL pool of maxConns unless the URL sets
// pool_max_conns.
func openStoreSized(ctx context.Context, cfg Config, maxConns int) (*store.Store, *seal.Sealer, error) {
	key, err := seal.LoadKey(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return openStore(ctx, cfg, key, maxConns)
}

// openStore opens cfg's database, migrated, with a PostgreSQL pool of maxConns unless the URL
// sets pool_max_conns.
func openStore(ctx context.Context, cfg Config, key []byte, maxConns int) (*store.Store, *seal.Sealer, error) {
	previous, err := seal.LoadPreviousKey(cfg.MasterKeyPrevious)
	if err != nil {
		return nil, nil, err
	}
	keys, err := seal.NewMasterKeys(key, previous)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.OpenSized(ctx, cfg.DatabaseURL, store.KeyringOnly, maxConns)
	if err != nil {
		return nil, nil, err
	}
	sealer, err := func() (*seal.Sealer, error) {
		if err := st.Migrate(ctx); err != nil {
			return nil, err
		}
		root, err := installationRoot(ctx, st, keys, key, previous)
		if err != nil {
			return nil, err
		}
		return keys.Sealer(root)
	}()
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	st.UseSealer(sealer)
	return st, sealer, nil
}

// ExistingSealer returns the sealer of the installation, as OpenStore does, without ever creating
// a master key or a database: a command that only checks what the key signed must not invent
// either (KYCD_MASTER_KEY, or the key file in the data folder, and the database must exist). It reads the keyring, since
// what is signed derives from the installation root key, which a rotation leaves as it is.
func ExistingSealer(ctx context.Context, cfg Config) (*seal.Sealer, error) {
	cfg = cfg.withDefaults()
	if cfg.MasterKey == "" {
		path := filepath.Join(cfg.DataDir, seal.KeyFileName)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no master key: KYCD_MASTER_KEY is not set and %s cannot be read: %w", path, err)
		}
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		// Nor a database: a new SQLite file would make the key given its root, and sign as nobody.
		if _, err := os.Stat(cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("no database at %s: set KYCD_DATABASE_URL (or --data-dir) to the installation's: %w", cfg.DatabaseURL, err)
		}
	}
	key, err := seal.LoadKey(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st, sealer, err := openStore(ctx, cfg, key, store.DefaultMaxConns)
	if err != nil {
		return nil, err
	}
	return sealer, st.Close()
}

// NewPeople returns the people of the review console kept in st (the server's, and the CLI's
// `kycd user`).
func NewPeople(st *store.Store, sealer *seal.Sealer, cfg Config) (*people.Service, error) {
	roles, err := people.ParseRoleMap(cfg.Console.OIDC.RoleMap)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: KYCD_OIDC_ROLE_MAP: %w", err)
	}
	return people.NewService(st, people.Config{IndexKey: sealer.Derive("console-email-index"),
		IdleTimeout: cfg.Console.IdleTimeout, MaxAge: cfg.Console.MaxAge,
		SSO: people.SSO{RoleClaim: cfg.Console.OIDC.RoleClaim, RoleMap: roles}})
}

// LoadLevels returns the built-in levels with those of cfg.LevelsFile.
func LoadLevels(cfg Config) (*level.Set, error) {
	return level.Load(cfg.LevelsFile, level.Known{Checks: verify.CheckNames(), FieldPaths: check.ValidateFieldPaths})
}

// New builds kycd from cfg. The caller must Close it; when New fails it has closed what it
// opened.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.Webhooks.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Console.OIDC.validate(); err != nil {
		return nil, err
	}
	if err := cfg.Retention.Validate(); err != nil {
		return nil, err
	}
	// The pool is sized for this process's handlers and workers (PoolSize); Run checks that
	// PostgreSQL can serve it.
	st, sealer, err := openStoreSized(ctx, cfg, PoolSize(cfg))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = st.Close()
		}
	}()
	if err := st.KeyAuditLogs(ctx); errors.Is(err, store.ErrAuditChain) {
		// A log changed before it was keyed stays unkeyed, so that the change still shows; kycd
		// serves on, and kycd audit verify (and the console's audit page) name it.
		log.Error("the audit log does not verify, so it was not keyed; kycd audit verify names the first change", "err", err)
	} else if err != nil {
		return nil, fmt.Errorf("key the audit log: %w", err)
	}
	blobs, err := blob.Open(ctx, cfg.BlobURL, sealer)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = blobs.Close()
		}
	}()
	levels, err := LoadLevels(cfg)
	if err != nil {
		return nil, err
	}
	// The registry of /metrics: business counters are counted when changes commit (monitor.Metrics
	// is the store's CommitObserver), gauges read from the database at scrape time.
	metrics := prometheus.NewRegistry()
	metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	business := monitor.New(metrics, log.With("component", "decisions"))
	workers := river.NewWorkers()
	periodic := append(request.Register(workers, st), registerMaintenance(workers, st)...)
	periodic = append(periodic, registerBlobSweep(workers, st, blobs, cfg.BlobOrphanGrace)...)
	hooks := webhook.NewRepository(st)
	webhookQueue, webhookWorkers := webhook.Register(workers, hooks, cfg.Webhooks, log.With("component", "webhook"), business)
	periodic = append(periodic, webhook.RegisterRetention(workers, hooks, cfg.Webhooks)...)
	screener := screening.NewService(st, screening.NewLists(st, cfg.Sanctions.CheckEvery), cfg.Sanctions.Threshold, levels)
	faces, err := faceAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("face nets: %w", err)
	}
	// One decode budget for the process: verification, the readings of uploads and face
	// comparisons share it; one face Analyzer for verification, face comparisons and the hosted
	// flow's liveness challenges.
	decode := check.NewBudget(cfg.DecodeMemoryBytes)
	// Files' bytes are opened under their applicant's data key, by the file service alone:
	// verification and sharing read them through it. Uploads are spooled in tmp (made below).
	tmp := filepath.Join(cfg.DataDir, "tmp")
	files := file.NewService(st, blobs, file.Config{TempDir: tmp, MaxBytes: cfg.MaxUploadBytes, MaxPixels: cfg.MaxImagePixels})
	river.AddWorker(workers, file.NewMoveWorker(files, st))
	periodic = append(periodic, file.MovePeriodicJob())
	engine := verify.NewEngine(st, files, levels, screener, verify.Config{IndexKey: sealer.Derive("blind-index"), MaxPixels: cfg.MaxImagePixels,
		Decode: decode, Faces: faces})
	reader := docread.NewReader(docread.Config{Budget: decode, MaxPixels: cfg.MaxImagePixels})
	comparer := facecompare.New(decode, faces, facecompare.Config{MaxPixels: cfg.MaxImagePixels})
	verifyQueue, verifyWorkers := verify.Register(workers, engine)
	screeningQueue, screeningWorkers := screening.Register(workers, screener, st)
	screeningLog := log.With("component", "screening")
	periodic = append(periodic, screening.RegisterRefresh(workers, screener, cfg.Sanctions, screeningLog)...)
	periodic = append(periodic, screening.RegisterSnapshot(workers, screener, cfg.Sanctions.Snapshot, screeningLog)...)
	shares, err := newShares(cfg, st, files, sealer, log.With("component", "share"))
	if err != nil {
		return nil, err
	}
	shareQueue, shareWorkers := share.Register(workers, shares)
	periodic = append(periodic, shares.PeriodicJobs()...)
	reviews := review.NewService(st, review.Config{SLA: cfg.Review.SLA, DefaultSLA: cfg.Review.DefaultSLA, ClaimFor: cfg.Review.ClaimFor, Priority: cfg.Review.Priority,
		FourEyes: cfg.Review.FourEyes})
	erasures := erasure.NewService(st, erasure.Config{Delay: cfg.ErasureDelay, SigningKey: erasure.SigningKey(sealer.Derive)},
		hooks, shares, reviews, erasure.PartFunc(verify.EraseApplicant))
	river.AddWorker(workers, erasure.NewWorker(erasures, st, blobs, log.With("component", "erasure")))
	periodic = append(periodic, erasure.PeriodicJob())
	retain := retention.NewService(st, blobs, retention.EraserFunc(func(ctx context.Context, env kyc.Env, applicantID string) error {
		_, err := erasures.Erase(ctx, retention.Actor, env, applicantID)
		return err
	}), cfg.Retention)
	river.AddWorker(workers, retention.NewWorker(retain, st, log.With("component", "retention")))
	periodic = append(periodic, retention.PeriodicJob())
	queues := map[string]int{verifyQueue: verifyWorkers, webhookQueue: webhookWorkers, screeningQueue: screeningWorkers, shareQueue: shareWorkers}
	if err := checkPoolCounts(cfg, queues); err != nil {
		return nil, err
	}
	if err := st.InitJobs(store.JobsConfig{Workers: workers, MaxWorkers: cfg.JobWorkers, PeriodicJobs: periodic,
		Queues: queues,
		Logger: slog.New(quietCancel{log.Handler()}).With("component", "river"), FetchPollInterval: 200 * time.Millisecond,
		Events: store.EventSinks{webhook.Deliveries{}, reviews.Sink()}, Committed: business, Middleware: jobMiddleware(cfg)}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("upload folder: %w", err)
	}
	// A process that died mid-upload left its spool files (ciphertext whose key died with it).
	// Ten minutes spares the uploads of another process sharing the folder (requests last at most
	// ReadTimeout + WriteTimeout).
	if n, err := media.RemoveLeftovers(tmp, spoolLeftoverAge); err != nil {
		log.Warn("upload folder: leftovers", "err", err)
	} else if n > 0 {
		log.Info("upload folder: removed leftovers of an earlier process", "files", n)
	}
	signer := auth.NewSigner(sealer.Derive("applicant-tokens"))
	applicants, documents := applicant.NewService(st), document.NewService(st, levels)
	requests := request.NewService(st, levels, signer, cfg.PublicURL)
	tokens := auth.NewTokens(signer, st, requestStatuses{requests})
	endUser, err := endUserRoutes(log, tokens, sealer, cfg.PublicURL, blobs, st, applicants, documents, requests, files, reader,
		faces, decode, cfg.MaxImagePixels)
	if err != nil {
		return nil, err
	}
	staff, err := NewPeople(st, sealer, cfg)
	if err != nil {
		return nil, err
	}
	webhooks, apiKeys := webhook.NewService(st, cfg.Webhooks), auth.NewKeys(st)
	reviews.SetDecider(decider{documents: documents, requests: requests, screening: screener})
	exports := export.New(exportSource{applicants: applicants, requests: requests, documents: documents, files: files, screening: screener,
		shares: shares, webhooks: webhooks, reviews: reviews}, export.Config{Version: cfg.Version})
	reviewConsole, err := console.New(console.Deps{Log: log.With("component", "console"), People: staff, Reviews: reviews,
		Audit: st, Reports: report.New(st), Levels: levels, Policy: reviews, Webhooks: webhooks, APIKeys: apiKeys, Exports: exports, Erasures: erasures, Evidence: evidence{st: st, reviews: reviews, documents: documents, applicants: applicants, requests: requests, screening: screener, files: files},
		CSRFKey: sealer.Derive("console-csrf"), PublicURL: cfg.PublicURL,
		OIDC: console.OIDC{Issuer: cfg.Console.OIDC.Issuer, ClientID: cfg.Console.OIDC.ClientID, ClientSecret: cfg.Console.OIDC.ClientSecret}})
	if err != nil {
		return nil, err
	}
	endUser = append(endUser, reviewConsole.Mount)
	metrics.MustRegister(monitor.NewCollector(monitor.Sources{Reviews: reviews, Deliveries: hooks, Lists: screener, Jobs: st,
		ReviewReasons: review.Reasons, JobQueues: slices.Sorted(maps.Keys(jobConns(cfg)))}, 0,
		log.With("component", "metrics")))
	h := httpapi.New(httpapi.Deps{
		Log:        log,
		Version:    cfg.Version,
		Keys:       apiKeys,
		Idem:       st,
		Reads:      st,
		Applicants: applicants,
		Documents:  documents,
		Requests:   requests,
		Files:      files,
		Reader:     reader,
		Faces:      comparer,
		Tokens:     tokens,
		Webhooks:   webhooks,
		Screening:  screener,
		Shares:     shares,
		Exports:    exports,
		Erasures:   erasures,
		Ready: func(ctx context.Context) error {
			return errors.Join(st.Ping(ctx), blobs.Ping(ctx))
		},
		MasterKey: func(ctx context.Context) (httpapi.MasterKeyStatus, error) {
			return masterKeyStatus(ctx, st, sealer.MasterKeys())
		},
		Limits:  cfg.Limits,
		Mount:   endUser,
		Metrics: metrics,
		Tracer:  httpTracer(cfg),
	})
	return &App{Config: cfg, Store: st, Blobs: blobs, Handler: h, Metrics: metrics, log: log}, nil
}

// jobMiddleware is River's middleware: the trace context of jobs and their spans, when tracing is
// on.
func jobMiddleware(cfg Config) []rivertype.Middleware {
	if !tracing.Enabled(cfg.Tracing) {
		return nil
	}
	return []rivertype.Middleware{tracing.RiverMiddleware(cfg.Tracing)}
}

// httpTracer makes the server spans of requests; nil, no middleware, when tracing is off.
func httpTracer(cfg Config) trace.TracerProvider {
	if !tracing.Enabled(cfg.Tracing) {
		return nil
	}
	return cfg.Tracing
}

// Close releases the database and blob store.
func (a *App) Close() error {
	return errors.Join(a.Blobs.Close(), a.Store.Close())
}

// Run serves until ctx ends (SIGINT or SIGTERM in main), then stops gracefully: no new
// connections, running requests and jobs get ShutdownTimeout to finish, then everything closes.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	cfg = a.Config
	if warning, err := a.Store.CheckConnections(ctx, cfg.Replicas); err != nil {
		return err
	} else if warning != "" {
		log.WarnContext(ctx, "postgres connections: this process's pool may not open in full beside the connections in use", "component", "store", "detail", warning)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// River stops hard when its start context ends; StopJobs below stops it gracefully instead.
	if err := a.Store.StartJobs(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a 10 MiB upload over a slow phone link
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("kycd serving", "addr", ln.Addr().String(), "database", string(a.Store.Dialect()), "version", cfg.Version)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("kycd stopping")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if jerr := a.Store.StopJobs(sctx); jerr != nil {
		err = errors.Join(err, jerr)
	}
	log.Info("kycd stopped")
	return err
}
