package screening

import (
	"context"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// List returns one page of env's screenings that match f, across applicants unless f names one:
// with Disposition potential-match it is the queue of hits a person must review. An empty filter
// field matches everything.
func (s *Service) List(ctx context.Context, env kyc.Env, f store.ScreeningFilter, cursor string, limit int) (kyc.Page[kyc.Screening], error) {
	var p kyc.Problems
	if f.ApplicantID != "" && !kyc.ValidID(kyc.PrefixApplicant, f.ApplicantID) {
		p.Add("query.applicantId", "must be an applicant id (apl_...)")
	}
	if f.Disposition != "" && !kyc.OneOf(f.Disposition, kyc.ScreeningDispositions) {
		p.Add("query.disposition", "must be one of %s", strings.Join(kyc.ScreeningDispositions, ", "))
	}
	if err := p.Err(); err != nil {
		return kyc.Page[kyc.Screening]{}, err
	}
	return s.store.ListScreenings(ctx, env, f, cursor, limit)
}
