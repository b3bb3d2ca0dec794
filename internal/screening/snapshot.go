package screening

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/screening/lists"
)

// Manifest describes a snapshot of the lists: when it was taken and, for each file (a path in
// the snapshot such as "ofac-sdn/sdn.csv"), where it came from and its SHA-256.
type Manifest struct {
	// Date is when the files were downloaded: the lists are known current as of then.
	Date  time.Time               `json:"date"`
	Files map[string]ManifestFile `json:"files"`
}

// ManifestFile is one file of a snapshot.
type ManifestFile struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
}

// ReadSnapshot reads the lists of a snapshot folder: manifest.json, ofac-sdn/ (the four OFAC
// CSV files) and un/consolidated.xml. A folder without manifest.json is an empty snapshot (nil,
// nil). A file that does not match its checksum, or is not in the manifest, refuses the snapshot.
// The lists are dated by the manifest: published and checked as of its Date.
func ReadSnapshot(fsys fs.FS) ([]Imported, error) {
	b, err := fs.ReadFile(fsys, "manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil || m.Date.IsZero() {
		return nil, fmt.Errorf("snapshot manifest: a date and files are required: %v", err)
	}
	open := func(name string) ([]byte, error) {
		f, ok := m.Files[name]
		if !ok {
			return nil, fmt.Errorf("snapshot %s: %w", name, fs.ErrNotExist)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f.SHA256 {
			return nil, fmt.Errorf("snapshot %s: the file does not match the manifest's sha256", name)
		}
		return b, nil
	}
	var out []Imported
	if _, ok := m.Files[path.Join(lists.OFACSDN, "sdn.csv")]; ok {
		list, entries, raw, err := lists.ReadOFACFiles(lists.OFACSDN, func(name string) ([]byte, error) { return open(path.Join(lists.OFACSDN, name)) })
		if err != nil {
			return nil, err
		}
		out = append(out, Imported{List: list, Source: "snapshot " + m.Date.Format(time.DateOnly), Entries: entries, Raw: raw, PublishedAt: m.Date, CheckedAt: m.Date})
	}
	if _, ok := m.Files["un/consolidated.xml"]; ok {
		b, err := open("un/consolidated.xml")
		if err != nil {
			return nil, err
		}
		entries, err := lists.ReadUN(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("snapshot un/consolidated.xml: %w", err)
		}
		out = append(out, Imported{List: lists.UN, Source: "snapshot " + m.Date.Format(time.DateOnly), Entries: entries, Raw: [][]byte{b}, PublishedAt: m.Date, CheckedAt: m.Date})
	}
	return out, nil
}

// ImportSnapshot imports each list of the snapshot whose list the database holds no version of,
// through Import (so versions and the re-screening of applicants apply). A list already there,
// from an earlier start, an import or a refresh, is left alone, even when older than the snapshot:
// the refresh brings newer versions. It returns the lists imported.
func (s *Service) ImportSnapshot(ctx context.Context, fsys fs.FS) ([]kyc.SanctionsList, error) {
	if fsys == nil {
		return nil, nil
	}
	ims, err := ReadSnapshot(fsys)
	if err != nil || len(ims) == 0 {
		return nil, err
	}
	stored, err := s.repo.Lists(ctx)
	if err != nil {
		return nil, err
	}
	var out []kyc.SanctionsList
	for _, im := range ims {
		if usedList(stored, im.List) {
			continue
		}
		v, _, err := s.ImportList(ctx, im, false)
		if err != nil {
			return out, fmt.Errorf("import snapshot %s: %w", im.List, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func usedList(vs []kyc.SanctionsList, list string) bool {
	for _, v := range vs {
		if v.List == list {
			return true
		}
	}
	return false
}

// SnapshotArgs is the periodic job that imports the bundled snapshot's lists the database lacks,
// then warns when no list is loaded or one is stale. It runs at start (on the leader) and hourly,
// a cheap version query when nothing is missing.
type SnapshotArgs struct{}

// Kind names the job for River.
func (SnapshotArgs) Kind() string { return "sanctions_snapshot" }

type snapshotWorker struct {
	river.WorkerDefaults[SnapshotArgs]
	svc  *Service
	fsys fs.FS
	log  *slog.Logger
}

// Work imports the missing lists and logs their state.
func (w *snapshotWorker) Work(ctx context.Context, _ *river.Job[SnapshotArgs]) error {
	vs, err := w.svc.ImportSnapshot(ctx, w.fsys)
	for _, v := range vs {
		w.log.InfoContext(ctx, "sanctions list imported from the bundled snapshot", "list", v.List, "entries", v.EntryCount, "checked", v.CheckedAt.Format(time.DateOnly))
	}
	if err != nil {
		return err
	}
	w.svc.WarnIfOld(ctx, w.log)
	return nil
}

// Timeout bounds one snapshot import (a few tens of thousands of entries).
func (w *snapshotWorker) Timeout(*river.Job[SnapshotArgs]) time.Duration { return 10 * time.Minute }

// RegisterSnapshot adds the snapshot worker and returns its periodic job (at start, then hourly).
func RegisterSnapshot(workers *river.Workers, svc *Service, fsys fs.FS, log *slog.Logger) []*river.PeriodicJob {
	river.AddWorker(workers, &snapshotWorker{svc: svc, fsys: fsys, log: log})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) {
			return SnapshotArgs{}, &river.InsertOpts{Queue: Queue, MaxAttempts: 3}
		},
		&river.PeriodicJobOpts{RunOnStart: true})}
}
