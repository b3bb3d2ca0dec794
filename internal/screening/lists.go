package screening

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/screening/match"
)

// Lists holds the index of the current list versions. Index checks the stored versions at most
// every CheckEvery and rebuilds the index when one changed, so every replica follows an import
// within CheckEvery without a goroutine of its own. Safe for concurrent use.
type Lists struct {
	repo       *Repo
	checkEvery time.Duration

	mu      sync.Mutex // serialises checks and reloads
	checked time.Time
	cur     *loaded
}

// loaded is one built index with the versions it holds and each entry's hash.
type loaded struct {
	index    *match.Index
	versions []kyc.SanctionsList
	hashes   map[string]string // list:id -> hash
}

// NewLists returns a holder of the lists stored in st. checkEvery 0 means 30 s.
func NewLists(st Core, checkEvery time.Duration) *Lists {
	if checkEvery <= 0 {
		checkEvery = 30 * time.Second
	}
	return &Lists{repo: NewRepo(st), checkEvery: checkEvery}
}

// current returns the index, reloading it when the stored versions changed since the last check.
func (l *Lists) current(ctx context.Context) (*loaded, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil && time.Since(l.checked) < l.checkEvery {
		return l.cur, nil
	}
	vs, err := l.repo.Lists(ctx)
	if err != nil {
		return nil, err
	}
	if l.cur != nil && sameVersions(vs, l.cur.versions) {
		// The same entries; the dates may have moved (a refresh confirmed a list).
		l.cur = &loaded{index: l.cur.index, versions: withStale(vs, time.Now()), hashes: l.cur.hashes}
		l.checked = time.Now()
		return l.cur, nil
	}
	cur, err := l.load(ctx)
	if err != nil {
		return nil, err
	}
	l.cur, l.checked = cur, time.Now()
	return cur, nil
}

// atLeast makes sure the index holds version of list, or a later one: a monitoring job may run
// on a replica whose index predates the import it follows. An empty list asks nothing.
func (l *Lists) atLeast(ctx context.Context, list, version string) error {
	if list == "" {
		return nil
	}
	cur, err := l.current(ctx)
	if err != nil {
		return err
	}
	if usedVersion(cur.versions, list, version) {
		return nil
	}
	l.Reload()
	_, err = l.current(ctx)
	return err
}

// Reload forces the next use to check the stored versions (after an import in this process).
func (l *Lists) Reload() {
	l.mu.Lock()
	l.checked = time.Time{}
	l.mu.Unlock()
}

// Versions returns the versions of the lists in use, checking for new ones first.
func (l *Lists) Versions(ctx context.Context) ([]kyc.SanctionsList, error) {
	cur, err := l.current(ctx)
	if err != nil {
		return nil, err
	}
	return cur.versions, nil
}

func (l *Lists) load(ctx context.Context) (*loaded, error) {
	vs, stored, err := l.repo.Entries(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]match.Entry, len(stored))
	hashes := make(map[string]string, len(stored))
	for i, s := range stored {
		if err := json.Unmarshal(s.Data, &entries[i]); err != nil {
			return nil, fmt.Errorf("sanctions entry %s:%s: %w", s.List, s.ID, err)
		}
		hashes[s.List+":"+s.ID] = s.Hash
	}
	if vs == nil {
		vs = []kyc.SanctionsList{}
	}
	return &loaded{index: match.NewIndex(entries), versions: withStale(vs, time.Now()), hashes: hashes}, nil
}

func sameVersions(a, b []kyc.SanctionsList) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].List != b[i].List || a[i].Version != b[i].Version {
			return false
		}
	}
	return true
}

// storedEntries turns entries into rows with their hashes.
func storedEntries(entries []match.Entry) ([]Entry, error) {
	out := make([]Entry, len(entries))
	for i := range entries {
		data, err := json.Marshal(&entries[i])
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		out[i] = Entry{List: entries[i].List, ID: entries[i].ID, Hash: hex.EncodeToString(sum[:16]), Data: data}
	}
	return out, nil
}
