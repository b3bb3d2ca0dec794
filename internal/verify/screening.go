package verify

import (
	"context"
	"errors"

	"kycd/internal/kyc"
)

// CheckSanctions is the sanctions screening check of an identity document. The decision waits for
// it: the engine screens the applicant first, in the same job, with the profile's names and the
// document's holderName, against the lists loaded now (package screening reuses a current
// screening). A confirmed match rejects decisively; a potential match sends the document to
// pending-review whatever its score; clear or false-positive passes. With no list loaded, a live
// document goes to pending-review (this check fails for review); a test document passes and
// parsedData says so.
const CheckSanctions = "sanctions-screening"

// Screener screens an applicant before an identity document's decision (a *screening.Service).
type Screener interface {
	// ScreenForDocument returns the screening the decision must see; an error wrapping
	// kyc.ErrUnavailable means no sanctions list is loaded.
	ScreenForDocument(ctx context.Context, env kyc.Env, applicantID, holderName string) (kyc.Screening, error)
}

// Values of parsedData.sanctionsScreening besides a screening's disposition.
const (
	// ScreeningNoList says that no sanctions list was loaded when the document was decided.
	ScreeningNoList = "no-list-loaded"
)

// sanctionsCheck screens the applicant and turns the screening into a finding.
// parsedData.sanctionsScreening records the disposition the decision saw (or no-list-loaded), and
// parsedData.screeningId the screening, so a reviewer can tell a clear screening from none.
func (e *Engine) sanctionsCheck(ctx context.Context, in *input, parsed map[string]any) ([]finding, error) {
	f := finding{Name: CheckSanctions, Weight: in.level.Weight(CheckSanctions, ownWeights[CheckSanctions]), Reason: "other"}
	holder := ""
	if in.doc.Identification != nil {
		holder = in.doc.Identification.HolderName
	}
	sc, err := e.screener.ScreenForDocument(ctx, in.env, in.applicant.ID, holder)
	if errors.Is(err, kyc.ErrUnavailable) {
		parsed["sanctionsScreening"] = ScreeningNoList
		f.Detail = "no sanctions list is loaded"
		if in.env == kyc.EnvLive {
			f.Failed, f.Review = true, true
			f.Detail += ": a person must screen this applicant before acceptance"
		} else {
			f.Detail += " (the test environment accepts without screening)"
		}
		return []finding{f}, nil
	}
	if err != nil {
		return nil, err
	}
	parsed["sanctionsScreening"] = sc.Disposition
	parsed["screeningId"] = sc.ID
	switch sc.Disposition {
	case "confirmed":
		f.Failed, f.Decisive, f.Detail = true, true, "confirmed sanctions match"
	case "potential-match":
		f.Failed, f.Review, f.Detail = true, true, "potential sanctions match awaiting review"
	}
	return []finding{f}, nil
}
