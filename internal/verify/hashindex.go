package verify

import (
	"context"
	"strconv"
	"sync"

	"kycd/internal/kyc"
)

// hashIndexes holds, per environment, the perceptual hashes of every stored photograph, in
// memory, brought up to date from the store before each search (other replicas add hashes too):
// the duplicate-image check compares a new photo with all of them by Hamming distance, which no
// database index answers, and reading them all from the database for each verification grew with
// the environment.
type hashIndexes struct {
	mu   sync.Mutex
	envs map[kyc.Env]*envHashes
}

type envHashes struct {
	mu     sync.Mutex
	hashes []storedHash
	seen   map[string]bool // value/document of every hash held, so one read again is not added twice
	last   int64           // the highest seq read
}

// storedHash is one stored perceptual hash and the document it belongs to.
type storedHash struct {
	hash uint64
	FingerprintMatch
}

// photoHashes returns every perceptual hash stored in env up to now. The slice is the caller's
// to read; it is never written again.
func (e *Engine) photoHashes(ctx context.Context, env kyc.Env) ([]storedHash, error) {
	e.hashIdx.mu.Lock()
	if e.hashIdx.envs == nil {
		e.hashIdx.envs = map[kyc.Env]*envHashes{}
	}
	eh := e.hashIdx.envs[env]
	if eh == nil {
		eh = &envHashes{seen: map[string]bool{}}
		e.hashIdx.envs[env] = eh
	}
	e.hashIdx.mu.Unlock()

	eh.mu.Lock()
	defer eh.mu.Unlock()
	err := catchUp(ctx, &eh.last, func(ctx context.Context, after int64, limit int) ([]StoredFingerprint, error) {
		return fingerprintsAfter(ctx, e.store, env, "phash", after, limit)
	}, func(f StoredFingerprint) int64 { return f.Seq }, func(f StoredFingerprint) error {
		key := f.Value + "/" + f.DocumentID
		if eh.seen[key] {
			return nil
		}
		h, err := strconv.ParseUint(f.Value, 16, 64)
		if err != nil {
			return nil // not a hash kycd wrote: it can match nothing
		}
		eh.seen[key] = true
		eh.hashes = append(eh.hashes, storedHash{hash: h, FingerprintMatch: f.FingerprintMatch})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Appends after this return may move the backing array; the elements of this slice are
	// never written again.
	return eh.hashes[:len(eh.hashes):len(eh.hashes)], nil
}
