package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/store"
)

// Store is what files need from the database.
type Store interface {
	CreateFile(ctx context.Context, f *kyc.File, eff store.Effects) error
	File(ctx context.Context, env kyc.Env, id string) (kyc.File, error)
	ListFiles(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error)
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	// ApplicantKeyToSeal and ApplicantKey give the applicant's data key, which a file's bytes are
	// sealed under.
	ApplicantKeyToSeal(ctx context.Context, env kyc.Env, applicantID string) (store.WrappedKey, error)
	ApplicantKey(ctx context.Context, env kyc.Env, applicantID string) (store.WrappedKey, error)
	// FileBlobDeleted says when retention deleted a file's bytes (nil: kept).
	FileBlobDeleted(ctx context.Context, env kyc.Env, fileID string) (*time.Time, error)
}

var _ Store = (*store.Store)(nil)

// Blobs is where file bytes live, sealed. *blob.Store satisfies it.
type Blobs interface {
	// PutUnder seals the bytes under the applicant's data key (wrapped, bound to keyAAD).
	PutUnder(ctx context.Context, key string, wrapped, keyAAD []byte, r io.Reader) (int64, error)
	// Put seals them under the master key, on a store whose sealer makes no data keys.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// GetUnder opens bytes sealed either way; dataKey is asked for the wrapped key of those under
	// a data key only.
	GetUnder(ctx context.Context, key string, dataKey func() (wrapped, keyAAD []byte, err error)) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Config bounds uploads.
type Config struct {
	// TempDir is where uploads are spooled before they are checked; it should be on the same disk
	// as the data folder. Default os.TempDir().
	TempDir string
	// MaxBytes is the largest file accepted. Default 10 MiB.
	MaxBytes int64
	// MaxPixels is the largest image accepted, read from its header before any decoding. Default 50
	// megapixels.
	MaxPixels int64
}

// ErrImageDeleted is the error of a file whose bytes the retention job deleted (it is kyc.ErrGone).
var ErrImageDeleted = fmt.Errorf("image deleted by retention: %w", kyc.ErrGone)

// Service stores and serves files.
type Service struct {
	store Store
	blobs Blobs
	cfg   Config
}

// NewService returns a service on st and blobs.
func NewService(st Store, blobs Blobs, cfg Config) *Service {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 10 << 20
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = 50_000_000
	}
	return &Service{store: st, blobs: blobs, cfg: cfg}
}

// MaxBytes is the configured upload limit.
func (s *Service) MaxBytes() int64 { return s.cfg.MaxBytes }

// Spool copies an upload into a temporary file, refusing it (kyc.ErrTooLarge) as soon as it passes
// the limit. The caller must Remove the result.
func (s *Service) Spool(r io.Reader) (*media.Spooled, error) {
	return media.Spool(r, s.cfg.TempDir, s.cfg.MaxBytes)
}

// Create checks a spooled upload and stores it for an applicant of env. It always removes sp.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID, tag string, sp *media.Spooled) (kyc.File, error) {
	defer sp.Remove() //nolint:errcheck // a temp file; Spool's folder is cleaned by the OS too
	var p kyc.Problems
	if !kyc.ValidID(kyc.PrefixApplicant, applicantID) {
		p.Add("body.applicantId", "must be an applicant id (apl_...)")
	}
	if tag == "" {
		tag = "other"
	} else if !kyc.OneOf(tag, kyc.FileTags) {
		p.Add("body.tag", "must be one of %v", kyc.FileTags)
	}
	if err := p.Err(); err != nil {
		return kyc.File{}, err
	}
	info, err := media.Inspect(sp, s.cfg.MaxPixels)
	var ve *kyc.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Field = "body." + ve.Fields[i].Field // media names the upload "file"
		}
	}
	if err != nil {
		return kyc.File{}, err
	}
	if _, err := s.store.Applicant(ctx, env, applicantID); errors.Is(err, kyc.ErrNotFound) {
		return kyc.File{}, kyc.Invalid("body.applicantId", "no applicant %s in this environment", applicantID)
	} else if err != nil {
		return kyc.File{}, err
	}
	f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: env, ApplicantID: applicantID, Tag: tag, MIME: info.MIME, Size: sp.Size,
		SHA256: sp.SHA256, Width: info.Width, Height: info.Height}
	f.BlobKey = string(env) + "/" + applicantID + "/" + f.ID
	key, err := s.store.ApplicantKeyToSeal(ctx, env, applicantID)
	if err != nil {
		return kyc.File{}, fmt.Errorf("the key of the file's bytes: %w", err)
	}
	if err := s.put(ctx, f.BlobKey, key, sp); err != nil {
		return kyc.File{}, err
	}
	err = s.store.CreateFile(ctx, &f, store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "file.create", ResourceType: "file", ResourceID: f.ID},
		Events: []store.NewEvent{{Type: kyc.EventFileStored, ResourceType: "file", ResourceID: f.ID}},
	})
	if err != nil {
		// The row was not written: take the blob back so nothing is left half-stored.
		_ = s.blobs.Delete(context.WithoutCancel(ctx), f.BlobKey)
		return kyc.File{}, err
	}
	return f, nil
}

// put seals a spooled upload under the applicant's data key (under the master key on a store whose
// sealer makes no data keys) and stores it under key.
func (s *Service) put(ctx context.Context, key string, under store.WrappedKey, sp *media.Spooled) error {
	r, err := sp.Open()
	if err != nil {
		return fmt.Errorf("reopen upload: %w", err)
	}
	defer r.Close()
	if under.Key == nil {
		_, err = s.blobs.Put(ctx, key, r)
	} else {
		_, err = s.blobs.PutUnder(ctx, key, under.Key, under.AAD, r)
	}
	if err != nil {
		return fmt.Errorf("store file bytes: %w", err)
	}
	return nil
}

// Get returns one file's metadata.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.File, error) {
	if !kyc.ValidID(kyc.PrefixFile, id) {
		return kyc.File{}, fmt.Errorf("file %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.File(ctx, env, id)
}

// List returns one page of an applicant's files in env (their metadata), newest first.
func (s *Service) List(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error) {
	return s.store.ListFiles(ctx, env, applicantID, cursor, limit)
}

// Open returns a file's metadata and its bytes, decrypted as they are read: under the applicant's
// data key, or under the master key for bytes stored before applicants had keys. Bytes sealed under
// a data key that is destroyed give an error wrapping store.ErrDataKeyDestroyed, and no byte. A
// file whose bytes the retention job deleted is kyc.ErrGone saying so.
func (s *Service) Open(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error) {
	f, err := s.Get(ctx, env, id)
	if err != nil {
		return kyc.File{}, nil, err
	}
	rc, err := s.blobs.GetUnder(ctx, f.BlobKey, func() ([]byte, []byte, error) {
		k, err := s.store.ApplicantKey(ctx, env, f.ApplicantID)
		if err == nil && k.Key == nil {
			// These bytes were sealed under the applicant's key, so it had one: it is destroyed.
			err = store.ErrDataKeyDestroyed
		}
		return k.Key, k.AAD, err
	})
	if err != nil {
		// The bytes are asked for first (a read by primary key follows only when they fail).
		if at, gerr := s.store.FileBlobDeleted(ctx, env, id); gerr == nil && at != nil {
			return kyc.File{}, nil, fmt.Errorf("file %s: its content was deleted on %s, when the retention period of document images ran out (KYCD_RETENTION_IMAGES); its metadata is kept: %w",
				id, at.UTC().Format(time.DateOnly), ErrImageDeleted)
		}
		return kyc.File{}, nil, fmt.Errorf("file %s bytes: %w", id, err)
	}
	return f, rc, nil
}
