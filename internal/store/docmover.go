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
	rs, err := s.reader().query(ctx, `SELECT d.id FROM kyc_documents d JOIN applicants a ON a.env = d.env AND a.id = d.applicant_id
		WHERE d.env = ? AND a.erased_at IS NULL AND (`+s.sealedUnderMaster("d.identification")+` OR `+s.sealedUnderMaster("d.parsed_data")+`)
		LIMIT ?`, string(env), limit)
	if err != nil {
		return 0, fmt.Errorf("documents to move under their keys: %w", err)
	}
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
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
