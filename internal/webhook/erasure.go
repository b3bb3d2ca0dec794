package webhook

import (
	"context"
	"fmt"

	"kycd/internal/store"
)

// EraseApplicant removes, in the erasure's transaction tx, the personal data that deliveries of
// events about an applicant and its resources hold: each body (the resource as it was) and the
// receiver's stored answer. Deliveries not yet made are failed with ErasedApplicant (their queued
// jobs find them finished and end); their rows stay as the record of what was sent when. It
// answers how many deliveries it changed.
func (r *Repository) EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	args := []any{DeliveryWaiting, DeliveryPending, DeliveryFailed, DeliveryWaiting, DeliveryPending, ErasedApplicant,
		DeliveryWaiting, DeliveryPending, store.Micros(store.Now()), []byte{}, string(tx.Env()), applicantID}
	n, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET
		status = CASE WHEN status IN (?, ?) THEN ? ELSE status END,
		last_error = CASE WHEN status IN (?, ?) THEN ? ELSE last_error END,
		next_attempt_at = NULL,
		completed_at = CASE WHEN status IN (?, ?) THEN ? ELSE completed_at END,
		body = ?, last_response = NULL
		WHERE env = ? AND applicant_id = ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("erase webhook deliveries of applicant %s: %w", applicantID, err)
	}
	return map[string]int64{"webhookDeliveries": n}, nil
}
