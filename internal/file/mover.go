package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/store"
)

// MoverStore is what moving files' bytes under their applicants' keys needs of the database.
type MoverStore interface {
	FilesToMove(ctx context.Context, env kyc.Env, limit int) ([]kyc.File, error)
	MarkFileUnderKey(ctx context.Context, env kyc.Env, f kyc.File) error
}

var _ MoverStore = (*store.Store)(nil)

// MoveUnderKeys seals again, under their applicants' data keys, the bytes of up to limit files of
// env stored before files had data keys: each is read (under the master key), checked against its
// SHA-256, spooled, and written back under the same blob key, which replaces the object whole (a
// crash leaves the old bytes or the new, both readable), then the row is marked. A file whose
// applicant is erased, or whose image retention deleted, meanwhile has its bytes deleted again. It
// answers how many it moved and the
// errors of those it could not (the others still move).
func (s *Service) MoveUnderKeys(ctx context.Context, mover MoverStore, env kyc.Env, limit int) (int, error) {
	files, err := mover.FilesToMove(ctx, env, limit)
	if err != nil {
		return 0, err
	}
	moved := 0
	var errs []error
	for _, f := range files {
		if err := s.moveUnderKey(ctx, mover, f); err != nil {
			errs = append(errs, fmt.Errorf("move the bytes of file %s under its applicant's key: %w", f.ID, err))
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}

func (s *Service) moveUnderKey(ctx context.Context, mover MoverStore, f kyc.File) error {
	key, err := s.store.ApplicantKeyToSeal(ctx, f.Env, f.ApplicantID)
	if err != nil {
		return err
	}
	_, rc, err := s.Open(ctx, f.Env, f.ID)
	if err != nil {
		return err
	}
	sp, err := s.spoolAll(rc, f.Size)
	_ = rc.Close()
	if err != nil {
		return err
	}
	defer sp.Remove() //nolint:errcheck // a temp file
	if f.SHA256 != "" && sp.SHA256 != f.SHA256 {
		return fmt.Errorf("the stored bytes do not match the file's SHA-256: left as they are")
	}
	if err := s.put(ctx, f.BlobKey, key, sp); err != nil {
		return err
	}
	err = mover.MarkFileUnderKey(ctx, f.Env, f)
	if errors.Is(err, kyc.ErrGone) {
		// Erased while its bytes were rewritten: its blobs may be deleted already.
		return errors.Join(err, s.blobs.Delete(context.WithoutCancel(ctx), f.BlobKey))
	}
	return err
}

// MoveArgs is the periodic job that moves files' bytes under their applicants' keys
// (MoveUnderKeys), a batch an environment at a time, until none is left; then each run is one
// query that finds nothing.
type MoveArgs struct{}

// Kind is the job's River kind.
func (MoveArgs) Kind() string { return "files_move_under_keys" }

// moveBatch is how many files a run moves per environment: rewriting bytes costs more than a
// row, so fewer than the applicants' mover takes.
const moveBatch = 100

// MoveWorker runs MoveArgs jobs.
type MoveWorker struct {
	river.WorkerDefaults[MoveArgs]
	files *Service
	store MoverStore
}

// NewMoveWorker returns the worker of MoveArgs.
func NewMoveWorker(files *Service, st MoverStore) *MoveWorker {
	return &MoveWorker{files: files, store: st}
}

// Work moves a batch of each environment's files.
func (w *MoveWorker) Work(ctx context.Context, _ *river.Job[MoveArgs]) error {
	var errs []error
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		if _, err := w.files.MoveUnderKeys(ctx, w.store, env, moveBatch); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// MovePeriodicJob is the mover's schedule: every minute.
func MovePeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return MoveArgs{}, nil
	}, nil)
}

// spoolAll spools the bytes of a stored file of size bytes, whatever the upload limit is now.
func (s *Service) spoolAll(r io.Reader, size int64) (*media.Spooled, error) {
	return media.Spool(r, s.cfg.TempDir, max(s.cfg.MaxBytes, size))
}
