package screening

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kycd/internal/kyc"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// Core is the part of the store's core that the sanctions lists repository runs on: one change
// with its audit entry, unaudited bookkeeping, reads and read snapshots. *store.Store is one.
type Core interface {
	store.Querier
	Change(ctx context.Context, env kyc.Env, fn func(tx *store.Tx) (store.Effects, error)) error
	Record(ctx context.Context, env kyc.Env, fn func(tx *store.Tx) (store.Effects, error)) error
	Read(ctx context.Context, fn func(q store.Querier) error) error
}

var _ Core = (*store.Store)(nil)

// Repo keeps the sanctions lists (tables sanctions_lists and sanctions_entries) and reads what
// past screenings left that screening decides from: each applicant's latest list versions and
// the hits a reviewer cleared. Its SQL runs over the store's core; a list serves both
// environments, so the lists and their entries have none.
type Repo struct{ st Core }

// NewRepo returns the repository on st.
func NewRepo(st Core) *Repo { return &Repo{st: st} }

// Entry is one stored list entry: Data is the matcher's JSON of it, Hash a digest of Data that
// changes when the entry changes.
type Entry struct {
	List string
	ID   string
	Hash string
	Data []byte
}

// ListChange is what an import changed in a list: the entries added or changed (by id).
type ListChange struct {
	List string
	// Previous is the version replaced, "" on the first import.
	Previous string
	Changed  []string
	Removed  int
}

// errSameVersion ends the change of an import that found its version already stored.
var errSameVersion = errors.New("the version is stored already")

// Import replaces list v.List with entries in one transaction: a reader sees the old list or the
// new one, never a mix. effects names what the change causes (its audit entry, and the
// re-screening jobs), written in the same transaction; it is written to the live environment's
// audit chain, as a list serves both. An import of the version already stored changes nothing
// but the list's dates (confirm), reports no change and does not call effects.
func (r *Repo) Import(ctx context.Context, v kyc.SanctionsList, entries []Entry, effects func(ListChange) store.Effects) (ListChange, error) {
	var ch ListChange
	// The audit log is kept per environment (its chains and anchors); a list serves both, so its
	// import is recorded in the live one.
	err := r.st.Change(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		ch = ListChange{List: v.List}
		err := tx.QueryRow(ctx, `SELECT version FROM sanctions_lists WHERE list = ?`+tx.ForUpdate(), v.List).Scan(&ch.Previous)
		if err != nil && err != store.ErrNoRows {
			return store.Effects{}, fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
		if ch.Previous == v.Version {
			return store.Effects{}, errSameVersion
		}
		if err := replaceEntries(ctx, tx, v.List, entries, &ch); err != nil {
			return store.Effects{}, err
		}
		at := store.Now()
		checked := v.CheckedAt
		if checked.IsZero() {
			checked = at
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sanctions_lists (list, version, entry_count, source, imported_at, published_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (list) DO UPDATE SET version = excluded.version, entry_count = excluded.entry_count, source = excluded.source,
			imported_at = excluded.imported_at, published_at = excluded.published_at, checked_at = excluded.checked_at`,
			v.List, v.Version, v.EntryCount, v.Source, store.Micros(at), publishedMicros(v), store.Micros(checked)); err != nil {
			return store.Effects{}, fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
		return effects(ch), nil
	})
	if errors.Is(err, errSameVersion) {
		return ch, r.st.Record(ctx, "", func(tx *store.Tx) (store.Effects, error) { return store.Effects{}, confirm(ctx, tx, v) })
	}
	return ch, err
}

// replaceEntries makes the stored entries of list those given: it writes the new and changed
// ones and deletes the others, and notes them in ch.
func replaceEntries(ctx context.Context, tx *store.Tx, list string, entries []Entry, ch *ListChange) error {
	old := map[string]string{}
	rs, err := tx.Query(ctx, `SELECT entry_id, hash FROM sanctions_entries WHERE list = ?`, list)
	if err != nil {
		return fmt.Errorf("sanctions entries: %w", err)
	}
	for rs.Next() {
		var id, h string
		if err := rs.Scan(&id, &h); err != nil {
			rs.Close()
			return err
		}
		old[id] = h
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, e := range entries {
		h, ok := old[e.ID]
		delete(old, e.ID)
		if ok && h == e.Hash {
			continue
		}
		ch.Changed = append(ch.Changed, e.ID)
		if _, err := tx.Exec(ctx, `INSERT INTO sanctions_entries (list, entry_id, hash, data) VALUES (?, ?, ?, ?)
				ON CONFLICT (list, entry_id) DO UPDATE SET hash = excluded.hash, data = excluded.data`, list, e.ID, e.Hash, string(e.Data)); err != nil {
			return fmt.Errorf("sanctions entry %s: %w", e.ID, err)
		}
	}
	for id := range old {
		ch.Removed++
		if _, err := tx.Exec(ctx, `DELETE FROM sanctions_entries WHERE list = ? AND entry_id = ?`, list, id); err != nil {
			return fmt.Errorf("sanctions entry %s: %w", id, err)
		}
	}
	return nil
}

// confirm records that the version already stored was found again (a refresh that fetched the
// same files): its checked date moves forward, never back, and a publication date learnt now is
// kept. Nothing else changes, and no audit entry is written. Each statement names the version, so
// a confirmation that an import overtook changes nothing.
func confirm(ctx context.Context, tx *store.Tx, v kyc.SanctionsList) error {
	checked := v.CheckedAt
	if checked.IsZero() {
		checked = store.Now()
	}
	if _, err := tx.Exec(ctx, `UPDATE sanctions_lists SET checked_at = ? WHERE list = ? AND version = ? AND checked_at < ?`,
		store.Micros(checked), v.List, v.Version, store.Micros(checked)); err != nil {
		return fmt.Errorf("sanctions list %s: %w", v.List, err)
	}
	if p := publishedMicros(v); p != 0 {
		if _, err := tx.Exec(ctx, `UPDATE sanctions_lists SET published_at = ? WHERE list = ? AND version = ? AND published_at = 0`,
			p, v.List, v.Version); err != nil {
			return fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
	}
	return nil
}

// Lists returns the current version of every imported list.
func (r *Repo) Lists(ctx context.Context) ([]kyc.SanctionsList, error) {
	return readLists(ctx, r.st)
}

// Entries returns every stored entry of every list, with the versions they belong to, read in one
// snapshot, so entries and versions agree.
func (r *Repo) Entries(ctx context.Context) ([]kyc.SanctionsList, []Entry, error) {
	var vs []kyc.SanctionsList
	var entries []Entry
	err := r.st.Read(ctx, func(q store.Querier) error {
		var err error
		if vs, err = readLists(ctx, q); err != nil {
			return err
		}
		rs, err := q.Query(ctx, `SELECT list, entry_id, hash, data FROM sanctions_entries ORDER BY list, entry_id`)
		if err != nil {
			return fmt.Errorf("sanctions entries: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var e Entry
			var data string
			if err := rs.Scan(&e.List, &e.ID, &e.Hash, &data); err != nil {
				return err
			}
			e.Data = []byte(data)
			entries = append(entries, e)
		}
		return rs.Err()
	})
	return vs, entries, err
}

// listColumns are the columns scanList reads, in order.
const listColumns = `list, version, entry_count, source, imported_at, published_at, checked_at`

// readLists reads every list's current version through q, in the order of their names.
func readLists(ctx context.Context, q store.Querier) ([]kyc.SanctionsList, error) {
	rs, err := q.Query(ctx, `SELECT `+listColumns+` FROM sanctions_lists ORDER BY list`)
	if err != nil {
		return nil, fmt.Errorf("sanctions lists: %w", err)
	}
	defer rs.Close()
	out := []kyc.SanctionsList{}
	for rs.Next() {
		l, err := scanList(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rs.Err()
}

// scanList reads one row of listColumns. A zero published_at is an unknown publication date; a
// zero checked_at (a list imported before the column existed) is its import.
func scanList(r store.Row) (kyc.SanctionsList, error) {
	var l kyc.SanctionsList
	var at, published, checked int64
	if err := r.Scan(&l.List, &l.Version, &l.EntryCount, &l.Source, &at, &published, &checked); err != nil {
		return l, fmt.Errorf("scan sanctions list: %w", err)
	}
	l.ImportedAt = store.FromMicros(at)
	if published != 0 {
		p := store.FromMicros(published)
		l.PublishedAt = &p
	}
	l.CheckedAt = l.ImportedAt
	if checked != 0 {
		l.CheckedAt = store.FromMicros(checked)
	}
	return l, nil
}

// publishedMicros is the stored form of a list's publication date: 0 when unknown.
func publishedMicros(v kyc.SanctionsList) int64 {
	if v.PublishedAt == nil || v.PublishedAt.IsZero() {
		return 0
	}
	return store.Micros(*v.PublishedAt)
}

// Entry returns the entry of list with the list's own id as the stored version of the list has
// it (ok false when the list no longer holds it): what a reviewer compares a hit with.
func (r *Repo) Entry(ctx context.Context, list, id string) (match.Entry, bool, error) {
	var data string
	err := r.st.QueryRow(ctx, `SELECT data FROM sanctions_entries WHERE list = ? AND entry_id = ?`, list, id).Scan(&data)
	if err == store.ErrNoRows {
		return match.Entry{}, false, nil
	}
	if err != nil {
		return match.Entry{}, false, fmt.Errorf("sanctions entry %s %s: %w", list, id, err)
	}
	var e match.Entry
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return match.Entry{}, false, fmt.Errorf("sanctions entry %s %s: %w", list, id, err)
	}
	return e, true, nil
}
