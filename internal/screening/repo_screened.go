package screening

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// The reads of what past screenings left: the lists each applicant was last screened against,
// which monitoring compares with an import, and the hits a reviewer cleared, which a new screening
// leaves out while the entry is unchanged. The screenings themselves, and the false positives a
// review records, are written by the store (store.CreateScreening, store.ReviewScreening).

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
func (r *Repo) RescreenCandidates(ctx context.Context, env kyc.Env, after string, limit int) ([]RescreenCandidate, error) {
	rs, err := r.st.Query(ctx, `SELECT a.id, a.created_at, sc.lists, sc.disposition, sc.created_at FROM applicants a
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
		c.CreatedAt = store.FromMicros(created)
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
			c.ScreenedAt = store.FromMicros(*at)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}

// FalsePositives returns the list entries a reviewer cleared for an applicant, as "list:entryId"
// mapped to the entry hash at that time.
func (r *Repo) FalsePositives(ctx context.Context, env kyc.Env, applicantID string) (map[string]string, error) {
	rs, err := r.st.Query(ctx, `SELECT list, entry_id, entry_hash FROM screening_false_positives WHERE env = ? AND applicant_id = ?`, string(env), applicantID)
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
