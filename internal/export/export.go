package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"kycd/internal/kyc"
)

// Source is what an export reads from the domains, each as the API shows it. Every list returns
// one page of the applicant's items in env, newest first, with the cursor of the next page (empty
// on the last). internal/app implements it from the domains' services.
type Source interface {
	// Applicant returns the applicant; one not in env is kyc.ErrNotFound.
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	Requests(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Request], error)
	Documents(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error)
	// Files lists the metadata of the applicant's uploaded files.
	Files(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error)
	// OpenFile returns a file's bytes, decrypted as they are read.
	OpenFile(ctx context.Context, env kyc.Env, id string) (io.ReadCloser, error)
	Screenings(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Screening], error)
	Shares(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error)
	// Events lists the events whose resource is resourceID, with their payloads.
	Events(ctx context.Context, env kyc.Env, resourceID, cursor string, limit int) (kyc.Page[kyc.Event], error)
	// Notes returns the review console's notes on the applicant's cases, newest first, and whether
	// that is all of them (false when the source bounds its answer and older notes were left out).
	Notes(ctx context.Context, env kyc.Env, applicantID string) (notes []Note, complete bool, err error)
}

// Note is a reviewer's note on one of the applicant's review cases.
type Note struct {
	ID     string `json:"id"`
	CaseID string `json:"caseId"`
	// Author is the id of the person of the review console who wrote it.
	Author      string    `json:"author"`
	Body        string    `json:"body"`
	CreatedTime time.Time `json:"createdTime"`
}

// Defaults of Config.
const (
	DefaultMaxItems  = 10_000
	DefaultMaxEvents = 10_000
)

// pageSize is how many items one read of a list asks for.
const pageSize = 100

// Config bounds an export and names the kycd that wrote it.
type Config struct {
	// Version is the kycd version written into the manifest.
	Version string
	// MaxItems caps each list (requests, documents, files, screenings, shares); a list cut there
	// is named in the manifest's truncated. Default DefaultMaxItems.
	MaxItems int
	// MaxEvents caps events.json, all resources together; a cut is named in the manifest. Default
	// DefaultMaxEvents.
	MaxEvents int
	// Now is the clock of the manifest's generatedTime. Default time.Now.
	Now func() time.Time
}

// Exporter prepares the exports of applicants.
type Exporter struct {
	src Source
	cfg Config
}

// New returns an Exporter reading from src.
func New(src Source, cfg Config) *Exporter {
	if cfg.MaxItems <= 0 {
		cfg.MaxItems = DefaultMaxItems
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Exporter{src: src, cfg: cfg}
}

// Archive is one applicant's export, read but not yet written: the applicant and its lists are
// in memory (metadata only), the file bytes and the events are read as Write goes.
type Archive struct {
	x          *Exporter
	env        kyc.Env
	generated  time.Time
	applicant  kyc.Applicant
	requests   []kyc.Request
	documents  []kyc.Document
	files      []kyc.File
	screenings []kyc.Screening
	shares     []kyc.Share
	notes      []Note
	// truncated names each list cut at its cap, in words for the manifest.
	truncated []string
}

// Prepare reads the applicant of env and every list of it, page by page up to the caps. An
// applicant not in env is kyc.ErrNotFound, and nothing else is read.
func (x *Exporter) Prepare(ctx context.Context, env kyc.Env, applicantID string) (*Archive, error) {
	a := &Archive{x: x, env: env, generated: x.cfg.Now().UTC().Truncate(time.Second)}
	var err error
	if a.applicant, err = x.src.Applicant(ctx, env, applicantID); err != nil {
		return nil, err
	}
	id := a.applicant.ID
	if a.requests, err = readAll(ctx, a, "requests.json", func(c string, n int) (kyc.Page[kyc.Request], error) {
		return x.src.Requests(ctx, env, id, c, n)
	}); err != nil {
		return nil, err
	}
	if a.documents, err = readAll(ctx, a, "documents/", func(c string, n int) (kyc.Page[kyc.Document], error) {
		return x.src.Documents(ctx, env, id, c, n)
	}); err != nil {
		return nil, err
	}
	if a.files, err = readAll(ctx, a, "files/", func(c string, n int) (kyc.Page[kyc.File], error) {
		return x.src.Files(ctx, env, id, c, n)
	}); err != nil {
		return nil, err
	}
	if a.screenings, err = readAll(ctx, a, "screenings.json", func(c string, n int) (kyc.Page[kyc.Screening], error) {
		return x.src.Screenings(ctx, env, id, c, n)
	}); err != nil {
		return nil, err
	}
	if a.shares, err = readAll(ctx, a, "shares.json", func(c string, n int) (kyc.Page[kyc.Share], error) {
		return x.src.Shares(ctx, env, id, c, n)
	}); err != nil {
		return nil, err
	}
	notes, complete, err := x.src.Notes(ctx, env, id)
	if err != nil {
		return nil, fmt.Errorf("export notes: %w", err)
	}
	a.notes = notes
	if !complete {
		a.truncated = append(a.truncated, fmt.Sprintf("notes.json: the newest %d notes only; older ones are left out", len(notes)))
	}
	return a, nil
}

// readAll pages through one list up to the cap, noting in a.truncated when it stopped there.
func readAll[T any](ctx context.Context, a *Archive, name string, list func(cursor string, limit int) (kyc.Page[T], error)) ([]T, error) {
	limit := a.x.cfg.MaxItems
	out := []T{}
	cursor := ""
	for {
		pg, err := list(cursor, min(pageSize, limit-len(out)))
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		out = append(out, pg.Items...)
		if pg.NextCursor == "" {
			return out, nil
		}
		if len(out) >= limit {
			a.truncated = append(a.truncated, fmt.Sprintf("%s: the newest %d items only; the list goes on", name, limit))
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cursor = pg.NextCursor
	}
}

// ApplicantID is the id of the applicant the archive is about.
func (a *Archive) ApplicantID() string { return a.applicant.ID }

// erased reports whether the applicant was erased: what remains of it is exported, without file
// bytes, which are gone.
func (a *Archive) erased() bool { return a.applicant.ErasedTime != nil }

// FileIDs are the ids of the files whose bytes the archive holds (none once the applicant was
// erased).
func (a *Archive) FileIDs() []string {
	if a.erased() {
		return nil
	}
	out := make([]string, len(a.files))
	for i, f := range a.files {
		out[i] = f.ID
	}
	return out
}

// Filename is the archive's name for a download: kycd-export-<applicant id>-<time>.zip.
func (a *Archive) Filename() string {
	return "kycd-export-" + a.applicant.ID + "-" + a.generated.Format("20060102T150405Z") + ".zip"
}
