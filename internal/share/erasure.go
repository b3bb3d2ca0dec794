package share

import (
	"context"
	"fmt"

	"kycd/internal/store"
)

// EraseApplicant removes, in the erasure's transaction tx, what an applicant's shares hold that may
// be personal data (the options given and the partner's words: status text, messages, steps) and
// fails the shares not yet submitted, whose submission would have nothing to send. What stays is
// which partner was asked, when, with which request number, reference and status. The partner's
// own copy of what kycd sent is the partner's to erase: kycd cannot reach into it.
func (r *Repo) EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	n, err := tx.Exec(ctx, `UPDATE shares SET data = ?, status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END
		WHERE env = ? AND applicant_id = ?`, []byte{}, string(tx.Env()), applicantID)
	if err != nil {
		return nil, fmt.Errorf("erase shares of applicant %s: %w", applicantID, err)
	}
	return map[string]int64{"shares": n}, nil
}

// EraseApplicant erases what the applicant's shares hold (Repo.EraseApplicant), as an
// erasure.Part.
func (s *Service) EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	return s.shares.EraseApplicant(ctx, tx, applicantID)
}
