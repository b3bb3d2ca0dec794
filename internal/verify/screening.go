package verify

import (
	"context"
	"errors"

	"kycd/internal/kyc"
)

// CheckSanctions is the sanctions screening check of an identity document: it reads the
// applicant's latest screening (package screening). A confirmed match rejects decisively; a
// potential match sends the document to pending-review whatever its score; clear, false-positive
// or no screening yet (no list imported) passes.
const CheckSanctions = "sanctions-screening"

// sanctionsCheck is the finding of the applicant's latest screening. parsedData.sanctionsScreening
// records the disposition the decision saw, or "not-screened" when there was none (no list
// imported, or the applicant's screening job had not run yet: a later potential match still holds
// the documents for review), so a reviewer can tell a clear screening from none.
func (e *Engine) sanctionsCheck(ctx context.Context, in *input, parsed map[string]any) ([]finding, error) {
	sc, err := e.store.LatestScreening(ctx, in.env, in.applicant.ID)
	if errors.Is(err, kyc.ErrNotFound) {
		parsed["sanctionsScreening"] = "not-screened"
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	parsed["sanctionsScreening"] = sc.Disposition
	f := finding{Name: CheckSanctions, Weight: in.level.Weight(CheckSanctions, ownWeights[CheckSanctions]), Reason: "other"}
	switch sc.Disposition {
	case "confirmed":
		f.Failed, f.Decisive, f.Detail = true, true, "confirmed sanctions match"
	case "potential-match":
		f.Failed, f.Review, f.Detail = true, true, "potential sanctions match awaiting review"
	}
	return []finding{f}, nil
}
