package request

import (
	"context"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// List returns one page of env's KYC requests that match f (the queue of a review console). An
// empty filter field matches everything; a level is any name (levels come and go with
// KYCD_LEVELS_FILE, and a request keeps the name it was made with), so an unknown one matches
// nothing rather than being refused.
func (s *Service) List(ctx context.Context, env kyc.Env, f store.RequestFilter, cursor string, limit int) (kyc.Page[kyc.Request], error) {
	var p kyc.Problems
	if f.ApplicantID != "" && !kyc.ValidID(kyc.PrefixApplicant, f.ApplicantID) {
		p.Add("query.applicantId", "must be an applicant id (apl_...)")
	}
	if f.Status != "" && !kyc.OneOf(f.Status, kyc.RequestStatuses) {
		p.Add("query.status", "must be one of %s", strings.Join(kyc.RequestStatuses, ", "))
	}
	if err := p.Err(); err != nil {
		return kyc.Page[kyc.Request]{}, err
	}
	return s.store.ListRequests(ctx, env, f, cursor, limit)
}
