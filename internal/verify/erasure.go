package verify

import (
	"context"
	"fmt"

	"kycd/internal/store"
)

// EraseApplicant deletes, in the erasure's transaction tx, what verification keeps of an
// applicant's documents to compare later ones with: the blind-index fingerprints of their numbers
// and the face embeddings. Both are derived from the person's data and serve no record once the
// person is erased. It is an erasure.Part as a function (see erasure.PartFunc).
func EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	prints, err := tx.Exec(ctx, `DELETE FROM document_fingerprints WHERE env = ? AND applicant_id = ?`, string(tx.Env()), applicantID)
	if err != nil {
		return nil, fmt.Errorf("erase fingerprints of applicant %s: %w", applicantID, err)
	}
	faces, err := tx.Exec(ctx, `DELETE FROM face_embeddings WHERE env = ? AND applicant_id = ?`, string(tx.Env()), applicantID)
	if err != nil {
		return nil, fmt.Errorf("erase face embeddings of applicant %s: %w", applicantID, err)
	}
	return map[string]int64{"documentFingerprints": prints, "faceEmbeddings": faces}, nil
}
