package app

import (
	"context"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/blob"
	"kycd/internal/kyc"
)

// OrphanBlobGrace is how old a file's blob must be before the sweep deletes it for want of a row,
// unless Config.BlobOrphanGrace says otherwise. A blob is written before its row commits, within
// one request (10 minutes at most): an hour is far beyond that, so the sweep never takes a blob
// whose row is still being committed.
const OrphanBlobGrace = time.Hour

// BlobRefs tells whether a file row names a blob key.
type BlobRefs interface {
	BlobKeyInUse(ctx context.Context, fileID, key string) (bool, error)
}

// SweepOrphanBlobs deletes the file blobs (keys <env>/<applicant id>/<file id>) written before
// before that no file row names: what a crash between a blob's write and its row's commit left. It
// also deletes, under those keys and end users' drafts (drafts/), the temporary files a folder
// store writes an object into before renaming it, which a crash during the write leaves. Drafts
// themselves (which an earlier kycd wrote there; package gather moves each into the database on
// its next change) and other objects are not touched. It answers how many it deleted.
func SweepOrphanBlobs(ctx context.Context, refs BlobRefs, blobs *blob.Store, before time.Time) (int, error) {
	n := 0
	del := func(key string) error {
		if err := blobs.Delete(ctx, key); err != nil {
			return err
		}
		n++
		return nil
	}
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		err := blobs.Walk(ctx, string(env)+"/", before, func(key string) error {
			if isTempFile(key) {
				return del(key)
			}
			parts := strings.Split(key, "/")
			if len(parts) != 3 || !kyc.ValidID(kyc.PrefixFile, parts[2]) {
				return nil
			}
			used, err := refs.BlobKeyInUse(ctx, parts[2], key)
			if err != nil || used {
				return err
			}
			return del(key)
		})
		if err != nil {
			return n, err
		}
	}
	err := blobs.Walk(ctx, "drafts/", before, func(key string) error {
		if isTempFile(key) {
			return del(key)
		}
		return nil
	})
	return n, err
}

// isTempFile reports whether key is a temporary file of a folder store (gocloud.dev's fileblob
// writes <key>.<hex nanoseconds>.tmp next to the object and renames it when the write ends). Keys
// kycd writes never end so: their last segment is an id.
func isTempFile(key string) bool {
	stem, ok := strings.CutSuffix(key, ".tmp")
	if !ok {
		return false
	}
	dot := strings.LastIndexByte(stem, '.')
	if dot < 0 || dot == len(stem)-1 {
		return false
	}
	for _, c := range stem[dot+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// sweepBlobsArgs is the hourly job that runs SweepOrphanBlobs.
type sweepBlobsArgs struct{}

func (sweepBlobsArgs) Kind() string { return "blobs_sweep_orphans" }

type sweepBlobsWorker struct {
	river.WorkerDefaults[sweepBlobsArgs]
	refs  BlobRefs
	blobs *blob.Store
	grace time.Duration
}

func (w *sweepBlobsWorker) Work(ctx context.Context, _ *river.Job[sweepBlobsArgs]) error {
	_, err := SweepOrphanBlobs(ctx, w.refs, w.blobs, time.Now().Add(-w.grace))
	return err
}

// registerBlobSweep adds the orphan-blob sweep, hourly and at start, deleting orphans older than
// grace.
func registerBlobSweep(workers *river.Workers, refs BlobRefs, blobs *blob.Store, grace time.Duration) []*river.PeriodicJob {
	river.AddWorker(workers, &sweepBlobsWorker{refs: refs, blobs: blobs, grace: grace})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return sweepBlobsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
