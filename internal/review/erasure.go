package review

import (
	"context"
	"encoding/json"
	"fmt"

	"kycd/internal/store"
)

// ErasedNote is the body a note shows once its applicant is erased: notes are free text about the
// person, so erasure removes them whole.
const ErasedNote = "(erased with the applicant)"

// EraseApplicant removes, in the erasure's transaction tx, the free text that the review queue
// holds about an applicant: note bodies, and the note and message of each proposed decision
// (its action and rejection type stay). Pending proposals are superseded and open cases closed:
// there is nothing left to review. Who did what when stays, as the trail.
func (s *Service) EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	env := string(tx.Env())
	notes, err := tx.Exec(ctx, `UPDATE review_notes SET body = ? WHERE env = ? AND applicant_id = ?`, []byte{}, env, applicantID)
	if err != nil {
		return nil, fmt.Errorf("erase review notes of applicant %s: %w", applicantID, err)
	}
	type proposal struct {
		id     string
		sealed []byte
	}
	var ps []proposal
	rs, err := tx.Query(ctx, `SELECT id, decision FROM review_proposals WHERE env = ? AND case_id IN
		(SELECT id FROM review_cases WHERE env = ? AND applicant_id = ?)`, env, env, applicantID)
	if err != nil {
		return nil, fmt.Errorf("erase proposals of applicant %s: %w", applicantID, err)
	}
	for rs.Next() {
		var p proposal
		if err := rs.Scan(&p.id, &p.sealed); err != nil {
			rs.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	for _, p := range ps {
		raw, err := s.st.Open(p.sealed, proposalAAD(p.id))
		if err != nil {
			return nil, fmt.Errorf("proposal %s: %w", p.id, err)
		}
		var d Decision
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("proposal %s: %w", p.id, err)
		}
		d.Note, d.Message = "", ""
		if raw, err = json.Marshal(d); err != nil {
			return nil, err
		}
		sealed, err := tx.Seal(raw, proposalAAD(p.id))
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE review_proposals SET decision = ?, status = CASE WHEN status = 'pending' THEN 'superseded' ELSE status END
			WHERE env = ? AND id = ?`, sealed, env, p.id); err != nil {
			return nil, fmt.Errorf("erase proposal %s: %w", p.id, err)
		}
	}
	cases, err := tx.Exec(ctx, `UPDATE review_cases SET status = 'decided', decided_at = ?, claimed_by = NULL, claim_expires_at = NULL
		WHERE env = ? AND applicant_id = ? AND status = 'open'`, store.Micros(store.Now()), env, applicantID)
	if err != nil {
		return nil, fmt.Errorf("close the cases of applicant %s: %w", applicantID, err)
	}
	return map[string]int64{"reviewNotes": notes, "reviewProposals": int64(len(ps)), "reviewCasesClosed": cases}, nil
}
