package verify

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"

	"kycd/internal/store"
)

// Check names and default weights of the duplicate checks.
const (
	CheckDuplicateNumber = "duplicate-document-number"
	CheckDuplicateFile   = "duplicate-file"
	CheckDuplicateImage  = "duplicate-image"
)

// duplicateChecks look for the same document number (blind index), the same file bytes (SHA-256) or
// a near-identical image (perceptual hash) on another applicant. A duplicate document number is
// decisive; a duplicate file or image weighs but leaves the case to the score.
func (e *Engine) duplicateChecks(ctx context.Context, in *input, parsed map[string]any, prints *[]store.Fingerprint) []finding {
	var fs []finding
	d := in.doc
	if id := d.Identification; id != nil && d.Type == "identity-proof" {
		if idx := e.documentNumberIndex(id.Number, id.IssuingCountry, d.Subtype); idx != "" {
			*prints = append(*prints, store.Fingerprint{Kind: "document-number", Value: idx})
			f := finding{Name: CheckDuplicateNumber, Weight: in.level.Weight(CheckDuplicateNumber, 100), Reason: "document-duplicate", Decisive: true}
			matches, err := e.store.FindFingerprints(ctx, in.env, "document-number", []string{idx}, d.ApplicantID)
			if err == nil && len(matches) > 0 {
				f.Failed = true
				f.Detail = fmt.Sprintf("the same document number is on applicant %s (document %s)", matches[0].ApplicantID, matches[0].DocumentID)
				parsed["duplicateOf"] = matches[0].DocumentID
			}
			fs = append(fs, f)
		}
	}
	var shas []string
	for _, f := range in.files {
		shas = append(shas, f.SHA256)
		*prints = append(*prints, store.Fingerprint{Kind: "sha256", Value: f.SHA256})
	}
	if len(shas) > 0 {
		f := finding{Name: CheckDuplicateFile, Weight: in.level.Weight(CheckDuplicateFile, 40), Reason: "document-duplicate"}
		if matches, err := e.store.FindFingerprints(ctx, in.env, "sha256", shas, d.ApplicantID); err == nil && len(matches) > 0 {
			f.Failed, f.Detail = true, fmt.Sprintf("a file of this document is also on applicant %s", matches[0].ApplicantID)
		}
		fs = append(fs, f)
	}
	return fs
}

// nearImage reports the first stored perceptual hash of another applicant within the distance.
func (e *Engine) nearImage(ctx context.Context, in *input, hash uint64) (store.FingerprintMatch, bool) {
	all, err := e.store.Fingerprints(ctx, in.env, "phash", in.doc.ApplicantID)
	if err != nil {
		return store.FingerprintMatch{}, false
	}
	for _, m := range all {
		v, err := strconv.ParseUint(m.Value, 16, 64)
		if err == nil && bits.OnesCount64(v^hash) <= e.cfg.PHashDistance {
			return m, true
		}
	}
	return store.FingerprintMatch{}, false
}
