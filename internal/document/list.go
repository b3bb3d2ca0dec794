package document

import (
	"context"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Find returns one page of env's KYC documents that match f, across applicants unless f names one:
// with Status pending-review and OldestFirst it is the review queue. An empty filter field matches
// everything.
func (s *Service) Find(ctx context.Context, env kyc.Env, f store.DocumentFilter, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	var p kyc.Problems
	if f.ApplicantID != "" && !kyc.ValidID(kyc.PrefixApplicant, f.ApplicantID) {
		p.Add("query.applicantId", "must be an applicant id (apl_...)")
	}
	if f.Status != "" && !kyc.OneOf(f.Status, kyc.DocumentStatuses) {
		p.Add("query.status", "must be one of %s", strings.Join(kyc.DocumentStatuses, ", "))
	}
	if err := p.Err(); err != nil {
		return kyc.Page[kyc.Document]{}, err
	}
	return s.store.FindDocuments(ctx, env, f, cursor, limit)
}
