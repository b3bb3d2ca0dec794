package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
)

// SanctionsEntry is one stored list entry: Data is the matcher's JSON of it, Hash a digest of Data
// that changes when the entry changes.
type SanctionsEntry struct {
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

// ImportSanctionsList replaces list v.List with entries in one transaction: a reader sees the old
// list or the new one, never a mix. effects names what the change causes (its audit entry, and
// the re-screening jobs), written in the same transaction; it is written to the live
// environment's audit chain, as a list serves both. An import of the version already stored
// changes nothing, reports no change and does not call effects.
func (s *Store) ImportSanctionsList(ctx context.Context, v kyc.SanctionsList, entries []SanctionsEntry, effects func(ListChange) Effects) (ListChange, error) {
	ch := ListChange{List: v.List}
	err := s.inTx(ctx, func(t *txn) error {
		err := t.queryRow(ctx, `SELECT version FROM sanctions_lists WHERE list = ?`+s.forUpdate(), v.List).Scan(&ch.Previous)
		if err != nil && err != errNoRows {
			return fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
		if ch.Previous == v.Version {
			return s.confirmSanctionsList(ctx, t, v)
		}
		old := map[string]string{}
		rs, err := t.query(ctx, `SELECT entry_id, hash FROM sanctions_entries WHERE list = ?`, v.List)
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
			if _, err := t.exec(ctx, `INSERT INTO sanctions_entries (list, entry_id, hash, data) VALUES (?, ?, ?, ?)
				ON CONFLICT (list, entry_id) DO UPDATE SET hash = excluded.hash, data = excluded.data`, v.List, e.ID, e.Hash, string(e.Data)); err != nil {
				return fmt.Errorf("sanctions entry %s: %w", e.ID, err)
			}
		}
		for id := range old {
			ch.Removed++
			if _, err := t.exec(ctx, `DELETE FROM sanctions_entries WHERE list = ? AND entry_id = ?`, v.List, id); err != nil {
				return fmt.Errorf("sanctions entry %s: %w", id, err)
			}
		}
		at := now()
		checked := v.CheckedAt
		if checked.IsZero() {
			checked = at
		}
		if _, err := t.exec(ctx, `INSERT INTO sanctions_lists (list, version, entry_count, source, imported_at, published_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (list) DO UPDATE SET version = excluded.version, entry_count = excluded.entry_count, source = excluded.source,
			imported_at = excluded.imported_at, published_at = excluded.published_at, checked_at = excluded.checked_at`,
			v.List, v.Version, v.EntryCount, v.Source, micros(at), publishedMicros(v), micros(checked)); err != nil {
			return fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
		// The audit log is kept per environment (its chains and anchors); a list serves both, so its
		// import is recorded in the live one.
		if err := s.applyEffects(ctx, t, kyc.EnvLive, effects(ch), at); err != nil {
			return err
		}
		return nil
	})
	return ch, err
}

// SanctionsLists returns the current version of every imported list.
func (s *Store) SanctionsLists(ctx context.Context) ([]kyc.SanctionsList, error) {
	rs, err := s.reader().query(ctx, `SELECT `+sanctionsListColumns+` FROM sanctions_lists ORDER BY list`)
	if err != nil {
		return nil, fmt.Errorf("sanctions lists: %w", err)
	}
	defer rs.Close()
	out := []kyc.SanctionsList{}
	for rs.Next() {
		l, err := scanSanctionsList(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rs.Err()
}

// SanctionsEntries returns every stored entry of every list, with the versions they belong to,
// read in one snapshot (Read), so entries and versions agree.
func (s *Store) SanctionsEntries(ctx context.Context) ([]kyc.SanctionsList, []SanctionsEntry, error) {
	var lists []kyc.SanctionsList
	var entries []SanctionsEntry
	err := s.Read(ctx, func(q Querier) error {
		rs, err := q.Query(ctx, `SELECT `+sanctionsListColumns+` FROM sanctions_lists ORDER BY list`)
		if err != nil {
			return fmt.Errorf("sanctions lists: %w", err)
		}
		for rs.Next() {
			l, err := scanSanctionsList(rs)
			if err != nil {
				rs.Close()
				return err
			}
			lists = append(lists, l)
		}
		rs.Close()
		rs, err = q.Query(ctx, `SELECT list, entry_id, hash, data FROM sanctions_entries ORDER BY list, entry_id`)
		if err != nil {
			return fmt.Errorf("sanctions entries: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var e SanctionsEntry
			var data string
			if err := rs.Scan(&e.List, &e.ID, &e.Hash, &data); err != nil {
				return err
			}
			e.Data = []byte(data)
			entries = append(entries, e)
		}
		return rs.Err()
	})
	return lists, entries, err
}

const screeningColumns = `id, env, applicant_id, reason, disposition, threshold, hits, lists, review, revision, created_at, updated_at`

// CreateScreening stores a screening with its effects. sc.ID must be set.
func (s *Store) CreateScreening(ctx context.Context, sc *kyc.Screening, eff Effects) error {
	at := now()
	sc.CreatedTime, sc.UpdatedTime, sc.Revision = at, at, 0
	return s.inTx(ctx, func(t *txn) error {
		if err := s.writeScreening(ctx, t, sc, true); err != nil {
			return err
		}
		completeEvents(&eff, sc.Revision, sc)
		return s.applyEffects(ctx, t, sc.Env, eff, at)
	})
}

func (s *Store) writeScreening(ctx context.Context, t *txn, sc *kyc.Screening, insert bool) error {
	hits, err := json.Marshal(screeningHits(sc.Hits))
	if err != nil {
		return err
	}
	lists, err := json.Marshal(sc.Lists)
	if err != nil {
		return err
	}
	review, err := jsonOrNil(sc.Review)
	if err != nil {
		return err
	}
	if insert {
		_, err = t.exec(ctx, `INSERT INTO screenings (`+screeningColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sc.ID, string(sc.Env), sc.ApplicantID, sc.Reason, sc.Disposition, sc.Threshold, string(hits), string(lists), review,
			sc.Revision, micros(sc.CreatedTime), micros(sc.UpdatedTime))
	} else {
		_, err = t.exec(ctx, `UPDATE screenings SET disposition = ?, review = ?, revision = ?, updated_at = ? WHERE env = ? AND id = ?`,
			sc.Disposition, review, sc.Revision, micros(sc.UpdatedTime), string(sc.Env), sc.ID)
	}
	if err != nil {
		return fmt.Errorf("write screening: %w", err)
	}
	return nil
}

// storedHit keeps the entry hash, which the API does not show.
type storedHit struct {
	kyc.ScreeningHit
	EntryHash string `json:"entryHash"`
}

func screeningHits(hs []kyc.ScreeningHit) []storedHit {
	out := make([]storedHit, len(hs))
	for i, h := range hs {
		out[i] = storedHit{h, h.EntryHash}
	}
	return out
}

func (s *Store) scanScreening(r row) (kyc.Screening, error) {
	var sc kyc.Screening
	var env, hits, lists string
	var review *string
	var created, updated int64
	if err := r.Scan(&sc.ID, &env, &sc.ApplicantID, &sc.Reason, &sc.Disposition, &sc.Threshold, &hits, &lists, &review, &sc.Revision, &created, &updated); err != nil {
		if err == errNoRows {
			return sc, err
		}
		return sc, fmt.Errorf("scan screening: %w", err)
	}
	sc.Env, sc.CreatedTime, sc.UpdatedTime = kyc.Env(env), fromMicros(created), fromMicros(updated)
	var sh []storedHit
	if err := json.Unmarshal([]byte(hits), &sh); err != nil {
		return sc, fmt.Errorf("screening hits: %w", err)
	}
	sc.Hits = make([]kyc.ScreeningHit, len(sh))
	for i, h := range sh {
		sc.Hits[i] = h.ScreeningHit
		sc.Hits[i].EntryHash = h.EntryHash
	}
	if err := json.Unmarshal([]byte(lists), &sc.Lists); err != nil {
		return sc, fmt.Errorf("screening lists: %w", err)
	}
	if review != nil {
		sc.Review = &kyc.ScreeningReview{}
		if err := json.Unmarshal([]byte(*review), sc.Review); err != nil {
			return sc, fmt.Errorf("screening review: %w", err)
		}
	}
	return sc, nil
}

// Screening returns one screening of env.
func (s *Store) Screening(ctx context.Context, env kyc.Env, id string) (kyc.Screening, error) {
	sc, err := s.scanScreening(s.reader().queryRow(ctx, `SELECT `+screeningColumns+` FROM screenings WHERE env = ? AND id = ?`, string(env), id))
	if err == errNoRows {
		return sc, fmt.Errorf("screening %s: %w", id, kyc.ErrNotFound)
	}
	return sc, err
}

// ApplicantScreenings returns an applicant's screenings, newest first.
func (s *Store) ApplicantScreenings(ctx context.Context, env kyc.Env, applicantID string, limit int) ([]kyc.Screening, error) {
	rs, err := s.reader().query(ctx, `SELECT `+screeningColumns+` FROM screenings WHERE env = ? AND applicant_id = ? ORDER BY id DESC LIMIT ?`,
		string(env), applicantID, limit)
	if err != nil {
		return nil, fmt.Errorf("screenings: %w", err)
	}
	defer rs.Close()
	out := []kyc.Screening{}
	for rs.Next() {
		sc, err := s.scanScreening(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rs.Err()
}

// LatestScreening returns the applicant's newest screening, or kyc.ErrNotFound.
func (s *Store) LatestScreening(ctx context.Context, env kyc.Env, applicantID string) (kyc.Screening, error) {
	scs, err := s.ApplicantScreenings(ctx, env, applicantID, 1)
	if err != nil {
		return kyc.Screening{}, err
	}
	if len(scs) == 0 {
		return kyc.Screening{}, fmt.Errorf("screening of %s: %w", applicantID, kyc.ErrNotFound)
	}
	return scs[0], nil
}

// ReviewScreening locks a screening, lets review change it, name the effects and the hits it
// cleared, and writes it back with revision + 1. Each cleared hit is remembered as a false
// positive (applicant, list entry and the entry's hash) in the same transaction.
func (s *Store) ReviewScreening(ctx context.Context, env kyc.Env, id string, review func(sc *kyc.Screening) (eff Effects, cleared []kyc.ScreeningHit, err error)) (kyc.Screening, error) {
	var out kyc.Screening
	err := s.inTx(ctx, func(t *txn) error {
		sc, err := s.scanScreening(t.queryRow(ctx, `SELECT `+screeningColumns+` FROM screenings WHERE env = ? AND id = ?`+s.forUpdate(), string(env), id))
		if err == errNoRows {
			return fmt.Errorf("screening %s: %w", id, kyc.ErrNotFound)
		}
		if err != nil {
			return err
		}
		eff, cleared, err := review(&sc)
		if err != nil {
			return err
		}
		at := now()
		sc.Revision++
		sc.UpdatedTime = at
		if err := s.writeScreening(ctx, t, &sc, false); err != nil {
			return err
		}
		for _, h := range cleared {
			if _, err := t.exec(ctx, `INSERT INTO screening_false_positives (env, applicant_id, list, entry_id, entry_hash, screening_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (env, applicant_id, list, entry_id) DO UPDATE SET entry_hash = excluded.entry_hash,
				screening_id = excluded.screening_id, created_at = excluded.created_at`,
				string(env), sc.ApplicantID, h.List, h.EntryID, h.EntryHash, sc.ID, micros(at)); err != nil {
				return fmt.Errorf("false positive: %w", err)
			}
		}
		completeEvents(&eff, sc.Revision, &sc)
		out = sc
		return s.applyEffects(ctx, t, env, eff, at)
	})
	return out, err
}

// FalsePositives returns the list entries a reviewer cleared for an applicant, as "list:entryId"
// mapped to the entry hash at that time.
func (s *Store) FalsePositives(ctx context.Context, env kyc.Env, applicantID string) (map[string]string, error) {
	rs, err := s.reader().query(ctx, `SELECT list, entry_id, entry_hash FROM screening_false_positives WHERE env = ? AND applicant_id = ?`, string(env), applicantID)
	if err != nil {
		return nil, fmt.Errorf("false positives: %w", err)
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var l, id, h string
		if err := rs.Scan(&l, &id, &h); err != nil {
			return nil, err
		}
		out[l+":"+id] = h
	}
	return out, rs.Err()
}

// ApplicantDocumentIDs returns the ids of an applicant's documents in any of statuses.
func (s *Store) ApplicantDocumentIDs(ctx context.Context, env kyc.Env, applicantID string, statuses ...string) ([]string, error) {
	rs, err := s.reader().query(ctx, `SELECT id, status FROM kyc_documents WHERE env = ? AND applicant_id = ? ORDER BY id`, string(env), applicantID)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var id, st string
		if err := rs.Scan(&id, &st); err != nil {
			return nil, err
		}
		for _, want := range statuses {
			if st == want {
				out = append(out, id)
			}
		}
	}
	return out, rs.Err()
}

// InsertJob inserts one River job on its own, outside a state change (the next batch of a job
// that works in batches).
func (s *Store) InsertJob(ctx context.Context, job river.InsertManyParams) error {
	var err error
	switch {
	case s.dialect == Postgres && s.pgJobs != nil:
		_, err = s.pgJobs.InsertMany(ctx, []river.InsertManyParams{job})
	case s.dialect == SQLite && s.sqliteJobs != nil:
		_, err = s.sqliteJobs.InsertMany(ctx, []river.InsertManyParams{job})
	default:
		return fmt.Errorf("store: a job to insert but InitJobs was not called")
	}
	if err != nil {
		return fmt.Errorf("insert job: %w", err)
	}
	return nil
}
