package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kycd/internal/kyc"
	"kycd/internal/verify/check"
)

// CheckLiveness: when the request asks for faceLivenessRequired, the identity document's selfie
// is the first frame of a liveness challenge of the hosted flow that passed (package
// face/liveness). A selfie sent any other way (the app endpoints, the API, a file picked from the
// gallery) was not taken through a challenge and fails it. A review: a person looks at the
// selfie. Passing it does not accept a document by itself: face-match still compares the selfie
// with the document's portrait.
const CheckLiveness = "liveness"

// livenessOut is parsedData.liveness: the challenge's result as package face/liveness gives it.
type livenessOut struct {
	Passed bool            `json:"passed"`
	Checks []livenessCheck `json:"checks"`
	Frames int             `json:"frames"`
}

type livenessCheck struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
}

// notChallenged is the detail of a selfie without a challenge.
const notChallenged = "the selfie was not taken through a liveness challenge"

// livenessRequired reports whether the request asks for liveness with its identity document.
func livenessRequired(in *input) bool {
	if in.request == nil {
		return false
	}
	for _, rd := range in.request.Documents {
		if rd.Type == "identity-proof" && rd.FaceLivenessRequired {
			return true
		}
	}
	return false
}

// livenessCheck looks up the challenge whose first frame is the document's selfie and sets
// parsedData.liveness from it; a selfie without one, or one of another applicant or request,
// fails with notChallenged.
func (e *Engine) livenessCheck(ctx context.Context, in *input, parsed map[string]any) ([]finding, error) {
	if in.doc.Type != "identity-proof" || !livenessRequired(in) {
		return nil, nil
	}
	f := finding{Name: CheckLiveness, Weight: in.level.Weight(CheckLiveness, ownWeights[CheckLiveness]), Reason: check.ReasonThirdParty, Review: true}
	out := livenessOut{Checks: []livenessCheck{}}
	var selfie string
	for _, fl := range in.files {
		if fl.Tag == "face-proof" {
			selfie = fl.ID
			break
		}
	}
	found := false
	if selfie != "" {
		s, err := e.store.LivenessByFile(ctx, in.env, selfie)
		switch {
		case errors.Is(err, kyc.ErrNotFound):
		case err != nil:
			return nil, err
		case s.ApplicantID == in.doc.ApplicantID && s.RequestID == in.doc.RequestID && s.Result != nil:
			if err := json.Unmarshal(s.Result, &out); err != nil {
				return nil, fmt.Errorf("liveness result of %s: %w", s.ID, err)
			}
			found = true
		}
	}
	switch {
	case selfie == "":
		f.Failed, f.Detail = true, "no selfie to check for liveness"
		out.Checks = append(out.Checks, livenessCheck{Name: "challenge", Detail: f.Detail})
	case !found:
		f.Failed, f.Detail = true, notChallenged
		out.Checks = append(out.Checks, livenessCheck{Name: "challenge", Detail: notChallenged})
	case !out.Passed:
		f.Failed, f.Detail = true, "the liveness challenge failed"
		for _, c := range out.Checks {
			if !c.Passed {
				f.Detail = fmt.Sprintf("the liveness challenge failed: %s (%s)", c.Name, c.Detail)
				break
			}
		}
	}
	if f.Failed {
		out.Passed = false
	}
	parsed["liveness"] = out
	return []finding{f}, nil
}
