package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// sanctionsListColumns are the columns scanSanctionsList reads, in order.
const sanctionsListColumns = `list, version, entry_count, source, imported_at, published_at, checked_at`

// scanSanctionsList reads one row of sanctionsListColumns. A zero published_at is an unknown
// publication date; a zero checked_at (a list imported before the column existed) is its import.
func scanSanctionsList(r row) (kyc.SanctionsList, error) {
	var l kyc.SanctionsList
	var at, published, checked int64
	if err := r.Scan(&l.List, &l.Version, &l.EntryCount, &l.Source, &at, &published, &checked); err != nil {
		return l, fmt.Errorf("scan sanctions list: %w", err)
	}
	l.ImportedAt = fromMicros(at)
	if published != 0 {
		p := fromMicros(published)
		l.PublishedAt = &p
	}
	l.CheckedAt = l.ImportedAt
	if checked != 0 {
		l.CheckedAt = fromMicros(checked)
	}
	return l, nil
}

func publishedMicros(v kyc.SanctionsList) int64 {
	if v.PublishedAt == nil || v.PublishedAt.IsZero() {
		return 0
	}
	return micros(*v.PublishedAt)
}

// confirmSanctionsList records that the version already stored was found again (a refresh that
// fetched the same files): its checked date moves forward, never back, and a publication date
// learnt now is kept. Nothing else changes, and no audit entry is written.
func (s *Store) confirmSanctionsList(ctx context.Context, t *txn, v kyc.SanctionsList) error {
	checked := v.CheckedAt
	if checked.IsZero() {
		checked = now()
	}
	if _, err := t.exec(ctx, `UPDATE sanctions_lists SET checked_at = ? WHERE list = ? AND version = ? AND checked_at < ?`,
		micros(checked), v.List, v.Version, micros(checked)); err != nil {
		return fmt.Errorf("sanctions list %s: %w", v.List, err)
	}
	if p := publishedMicros(v); p != 0 {
		if _, err := t.exec(ctx, `UPDATE sanctions_lists SET published_at = ? WHERE list = ? AND version = ? AND published_at = 0`,
			p, v.List, v.Version); err != nil {
			return fmt.Errorf("sanctions list %s: %w", v.List, err)
		}
	}
	return nil
}

// RescreenCandidate is one applicant seen by the re-screening after a list import, with what
// their latest screening used.
type RescreenCandidate struct {
	ApplicantID string
	// CreatedAt is when the applicant was created.
	CreatedAt time.Time
	// Screened is false when the applicant has never been screened (no list was loaded, or their
	// name came later).
	Screened bool
	// Lists are the list versions of the latest screening.
	Lists []kyc.SanctionsList
	// Disposition is the latest screening's disposition.
	Disposition string
	// ScreenedAt is when the latest screening was stored.
	ScreenedAt time.Time
}

// RescreenCandidates pages through every applicant of env (any status) in id order after
// after, each with their latest screening's list versions: the re-screening after an import
// decides from them which applicants used an older version. It reads applicants_env_id and
// screenings_env_applicant, so one page costs limit index lookups whatever the table sizes.
func (s *Store) RescreenCandidates(ctx context.Context, env kyc.Env, after string, limit int) ([]RescreenCandidate, error) {
	rs, err := s.reader().query(ctx, `SELECT a.id, a.created_at, sc.lists, sc.disposition, sc.created_at FROM applicants a
		LEFT JOIN screenings sc ON sc.id = (SELECT s2.id FROM screenings s2 WHERE s2.env = a.env AND s2.applicant_id = a.id ORDER BY s2.id DESC LIMIT 1)
		WHERE a.env = ? AND a.id > ? ORDER BY a.id LIMIT ?`, string(env), after, limit)
	if err != nil {
		return nil, fmt.Errorf("rescreen candidates: %w", err)
	}
	defer rs.Close()
	var out []RescreenCandidate
	for rs.Next() {
		var c RescreenCandidate
		var lists, disposition *string
		var at *int64
		var created int64
		if err := rs.Scan(&c.ApplicantID, &created, &lists, &disposition, &at); err != nil {
			return nil, fmt.Errorf("scan rescreen candidate: %w", err)
		}
		c.CreatedAt = fromMicros(created)
		if lists != nil {
			c.Screened = true
			if err := json.Unmarshal([]byte(*lists), &c.Lists); err != nil {
				return nil, fmt.Errorf("screening lists of %s: %w", c.ApplicantID, err)
			}
		}
		if disposition != nil {
			c.Disposition = *disposition
		}
		if at != nil {
			c.ScreenedAt = fromMicros(*at)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}
