package store

import (
	"context"
	"encoding/json"
	"fmt"

	"kycd/internal/kyc"
)

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
	if insert && sc.ApplicantID != "" {
		// The hits name whom the applicant may be: refused for an erased applicant, and the row
		// held against an erasure until this commits (see forKeyShare).
		var erased *int64
		err := t.queryRow(ctx, `SELECT erased_at FROM applicants WHERE env = ? AND id = ?`+s.forKeyShare(), string(sc.Env), sc.ApplicantID).Scan(&erased)
		if err != nil && err != errNoRows {
			return fmt.Errorf("write screening: the applicant: %w", err)
		}
		if erased != nil {
			return errErased(sc.ApplicantID)
		}
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
