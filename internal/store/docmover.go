package store

import (
	"context"
	"errors"
	"fmt"

	"kycd/internal/kyc"
)

// sealedUnderMaster is the SQL condition that a sealed column's value was sealed under the master
// key's keys (its first byte is the master version, 0x01), not under a data key (0x02).
func (s *Store) sealedUnderMaster(column string) string {
	if s.dialect == Postgres {
		return `get_byte(` + column + `, 0) = 1`
	}
	return `substr(` + column + `, 1, 1) = X'01'`
}

// MoveDocumentsUnderTheirKeys seals again, under their applicants' data keys, up to limit KYC
// documents of env whose identification or parsed data is still sealed under the master key
// (written before documents were sealed under applicants' keys), each in its own small
// transaction that locks the document and writes it back unchanged but for the sealing (no new
// revision, no event). It answers how many it moved, and the errors of those it could not (the
// others still move). Once a run finds none left in env, later runs of this process do not look
// again: kycd writes no document under the master key any more.
func (s *Store) MoveDocumentsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error) {
	if _, done := s.documentsMoved.Load(env); s.keys == nil || done {
		return 0, nil
	}
	ids, err := s.readIDs(ctx, "documents to move under their keys", `SELECT d.id FROM kyc_documents d JOIN applicants a ON a.env = d.env AND a.id = d.applicant_id
		WHERE d.env = ? AND a.erased_at IS NULL AND (`+s.sealedUnderMaster("d.identification")+` OR `+s.sealedUnderMaster("d.parsed_data")+`)
		LIMIT ?`, string(env), limit)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		s.documentsMoved.Store(env, true)
		return 0, nil
	}
	moved := 0
	var errs []error
	for _, id := range ids {
		err := s.inTx(ctx, func(t *txn) error {
			if err := s.holdApplicantOf(ctx, t, env, "kyc_documents", id); err != nil {
				return err
			}
			d, err := s.document(ctx, t, env, id, s.forUpdate())
			if err != nil {
				return err
			}
			return s.writeDocument(ctx, t, &d, false)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("move document %s under its applicant's key: %w", id, err))
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}

// MoveEventsUnderTheirKeys seals again, under their applicants' data keys, the payloads of up to
// limit events of env that name an applicant (migration 00031) and were sealed under the master
// key before events were sealed under applicants' keys, each in its own small transaction that
// re-reads the payload under a lock. It answers how many it moved, and the errors of those it
// could not. Once a run finds none left in env, later runs of this process do not look again.
// Webhook deliveries written before are not moved: they leave the log after
// KYCD_WEBHOOK_RETENTION, and an erasure removes their bodies.
func (s *Store) MoveEventsUnderTheirKeys(ctx context.Context, env kyc.Env, limit int) (int, error) {
	if _, done := s.eventsMoved.Load(env); s.keys == nil || done {
		return 0, nil
	}
	ids, err := s.readIDs(ctx, "events to move under their keys", `SELECT e.id FROM events e JOIN applicants a ON a.env = e.env AND a.id = e.applicant_id
		WHERE e.env = ? AND a.erased_at IS NULL AND length(e.payload) > 0 AND `+s.sealedUnderMaster("e.payload")+` LIMIT ?`, string(env), limit)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		s.eventsMoved.Store(env, true)
		return 0, nil
	}
	moved := 0
	var errs []error
	for _, id := range ids {
		err := s.inTx(ctx, func(t *txn) error {
			if err := s.holdApplicantOf(ctx, t, env, "events", id); err != nil {
				return err
			}
			var applicant string
			var payload []byte
			if err := t.queryRow(ctx, `SELECT applicant_id, payload FROM events WHERE env = ? AND id = ?`+s.forUpdate(), string(env), id).Scan(&applicant, &payload); err != nil {
				return err
			}
			if len(payload) == 0 || s.keys.UnderDataKey(payload) {
				return nil // erased, or moved meanwhile
			}
			plain, err := s.sealer.Open(payload, []byte("event:"+id))
			if err != nil {
				return err
			}
			key, err := s.applicantKey(ctx, t, env, applicant)
			if err != nil {
				return err
			}
			sealed, err := s.sealBytesFor(key, env, applicant, plain, "event:"+id)
			if err != nil {
				return err
			}
			_, err = t.exec(ctx, `UPDATE events SET payload = ? WHERE env = ? AND id = ?`, sealed, string(env), id)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("move event %s under its applicant's key: %w", id, err))
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}
