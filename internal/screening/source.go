package screening

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/screening/lists"
	"kycd/internal/screening/match"
	"kycd/internal/tracing"
)

// The official sources, the defaults of kycd serve (cmd/kycd), not of a zero Config.
const (
	// DefaultOFACURL is the folder of OFAC's SDN list files (sdn.csv, alt.csv, add.csv,
	// sdn_comments.csv); treasury.gov redirects to OFAC's Sanctions List Service.
	DefaultOFACURL = "https://www.treasury.gov/ofac/downloads"
	// DefaultUNURL is the UN Security Council consolidated list.
	DefaultUNURL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
)

// Config tunes screening; cmd/kycd fills it from the settings table.
type Config struct {
	// Threshold is the score at and above which a hit is a potential match, in verification and
	// as the default of POST /v1/screenings. Default match.DefaultThreshold (0.85).
	Threshold float64
	// CheckEvery is how often a replica looks for a new list version. Default 30 s.
	CheckEvery time.Duration
	// OFACURLs are folders (URL prefixes) holding an OFAC list's files under their usual names
	// (sdn.csv, alt.csv, add.csv, sdn_comments.csv; or cons_prim.csv ...). Default none here, so
	// that a Config built in code (tests) never reaches the internet; kycd serve defaults to
	// DefaultOFACURL.
	OFACURLs []string
	// UNURL is the UN consolidated list XML. Default none here; kycd serve defaults to DefaultUNURL.
	UNURL string
	// RefreshEvery is how often the lists are fetched again from the URLs (a River periodic
	// job, so one replica fetches; the first fetch runs as a job soon after start, never before
	// serving). Default 24 h when a URL is set; never without one.
	RefreshEvery time.Duration
	// NoRefresh turns refreshing off whatever the URLs (KYCD_SANCTIONS_REFRESH=off).
	NoRefresh bool
	// Snapshot is the folder of bundled lists imported at start for each list the database holds
	// no version of (see ReadSnapshot). Default (nil) in app: snapshot.FS, the lists embedded at
	// build time, empty in a build without them.
	Snapshot fs.FS
}

// Imported is one list read from its source, ready to store.
type Imported struct {
	List    string
	Source  string
	Entries []match.Entry
	Raw     [][]byte
	// PublishedAt is the publisher's date of this version, zero when unknown.
	PublishedAt time.Time
	// CheckedAt is when the list was known to be the publisher's current one: the time of the
	// fetch, the snapshot's date; zero means the time of the import.
	CheckedAt time.Time
}

// Progress is told about each file read (for a progress bar).
type Progress func(list, file string, bytes int64)

// ReadSources reads OFAC folders or URL prefixes and a UN file or URL. Every list is read whole
// before anything is stored: a broken file refuses the import and the lists in use stay.
func ReadSources(ctx context.Context, ofac []string, un string, progress Progress) ([]Imported, error) {
	var out []Imported
	for _, src := range ofac {
		open, list, err := opener(ctx, src, progress)
		if err != nil {
			return nil, err
		}
		list, entries, raw, err := lists.ReadOFACFiles(list, open)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		out = append(out, Imported{List: list, Source: src, Entries: entries, Raw: raw})
	}
	if un != "" {
		b, err := fetch(ctx, un)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(lists.UN, un, int64(len(b)))
		}
		entries, err := lists.ReadUN(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", un, err)
		}
		out = append(out, Imported{List: lists.UN, Source: un, Entries: entries, Raw: [][]byte{b}})
	}
	return out, nil
}

// opener returns how to read the files of the OFAC list at src, and which list it is.
func opener(ctx context.Context, src string, progress Progress) (func(string) ([]byte, error), string, error) {
	remote := strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
	var list string
	if remote {
		list = lists.OFACSDN
		if strings.Contains(strings.ToLower(src), "cons") {
			list = lists.OFACConsolidated
		}
	} else {
		var err error
		if list, err = lists.DetectOFAC(src); err != nil {
			return nil, "", err
		}
	}
	return func(name string) ([]byte, error) {
		loc := strings.TrimSuffix(src, "/") + "/" + name
		b, err := fetch(ctx, loc)
		if err == nil && progress != nil {
			progress(list, name, int64(len(b)))
		}
		return b, err
	}, list, nil
}

// fetch reads a file or an http(s) URL. A URL answering 404 is os.ErrNotExist.
func fetch(ctx context.Context, loc string) ([]byte, error) {
	if !strings.HasPrefix(loc, "http://") && !strings.HasPrefix(loc, "https://") {
		return os.ReadFile(loc)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, err
	}
	// Under the refresh job's span the download gets a client span of its own (package tracing).
	client := &http.Client{Timeout: 5 * time.Minute, Transport: tracing.ExternalTransport(nil)}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("fetch %s: %w", loc, os.ErrNotExist)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", loc, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 200<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	return b, nil
}

// ImportAll stores every read list (each in its own transaction, after all were read), refusing
// a list that shrank by more than half (ErrShrunk).
func (s *Service) ImportAll(ctx context.Context, ims []Imported) error {
	for _, im := range ims {
		if _, _, err := s.Import(ctx, im.List, im.Source, im.Entries, im.Raw, false); err != nil {
			return fmt.Errorf("import %s: %w", im.List, err)
		}
	}
	return nil
}

// RefreshArgs is the periodic job that fetches the lists from the configured URLs.
type RefreshArgs struct{}

// Kind names the job for River.
func (RefreshArgs) Kind() string { return "sanctions_refresh" }

// refreshAttempts is how often a failed refresh is tried (River's backoff: about 1 s, 16 s, 81 s
// and 256 s apart) before the lists in use stay until the next scheduled refresh.
const refreshAttempts = 5

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	svc *Service
	cfg Config
	log *slog.Logger
}

// Work fetches every configured list and imports those that changed; a list fetched unchanged
// is confirmed current (its checked date moves). Each source stands alone: a publisher that is
// down does not hold back the other's update, and a list that cannot be fetched or read stays as
// it is. A failure is retried by River; the last attempt logs a warning (URLs and errors only).
func (w *refreshWorker) Work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	var errs []error
	at := time.Now()
	read := func(ofac []string, un string) {
		ims, err := ReadSources(ctx, ofac, un, nil)
		if err == nil {
			for i := range ims {
				ims[i].CheckedAt = at
			}
			err = w.svc.ImportAll(ctx, ims)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, u := range w.cfg.OFACURLs {
		read([]string{u}, "")
	}
	if w.cfg.UNURL != "" {
		read(nil, w.cfg.UNURL)
	}
	err := errors.Join(errs...)
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.log.WarnContext(ctx, "sanctions refresh failed, the lists in use stay until the next refresh", "err", err)
	}
	if err == nil || job.Attempt >= job.MaxAttempts {
		w.svc.WarnIfOld(ctx, w.log)
	}
	return err
}

// Timeout bounds one refresh: downloads of a few MB and the imports.
func (w *refreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration { return 15 * time.Minute }

// RegisterRefresh adds the refresh worker and returns its periodic job, or nil when refreshing
// is off or no URL is configured. The first refresh runs as a job soon after start (RunOnStart),
// so a publisher that is slow or unreachable never delays serving.
func RegisterRefresh(workers *river.Workers, svc *Service, cfg Config, log *slog.Logger) []*river.PeriodicJob {
	if cfg.NoRefresh || len(cfg.OFACURLs) == 0 && cfg.UNURL == "" {
		return nil
	}
	every := cfg.RefreshEvery
	if every <= 0 {
		every = 24 * time.Hour
	}
	river.AddWorker(workers, &refreshWorker{svc: svc, cfg: cfg, log: log})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return RefreshArgs{}, &river.InsertOpts{Queue: Queue, MaxAttempts: refreshAttempts}
		},
		&river.PeriodicJobOpts{RunOnStart: true})}
}
