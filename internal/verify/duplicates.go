package verify

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"

	"kycd/internal/store"
	"kycd/internal/verify/check"
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
func (e *Engine) duplicateChecks(ctx context.Context, in *input, imgs []decodedImage, parsed map[string]any, prints *[]store.Fingerprint) ([]finding, error) {
	var fs []finding
	d := in.doc
	if id := d.Identification; id != nil && d.Type == "identity-proof" {
		if idx := e.documentNumberIndex(id.Number, id.IssuingCountry, d.Subtype); idx != "" {
			*prints = append(*prints, store.Fingerprint{Kind: "document-number", Value: idx})
			f := finding{Name: CheckDuplicateNumber, Weight: in.level.Weight(CheckDuplicateNumber, ownWeights[CheckDuplicateNumber]), Reason: "document-duplicate", Decisive: true}
			matches, err := e.store.FindFingerprints(ctx, in.env, "document-number", []string{idx}, d.ApplicantID)
			if err != nil {
				return nil, err
			}
			if len(matches) > 0 {
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
		f := finding{Name: CheckDuplicateFile, Weight: in.level.Weight(CheckDuplicateFile, ownWeights[CheckDuplicateFile]), Reason: "document-duplicate"}
		matches, err := e.store.FindFingerprints(ctx, in.env, "sha256", shas, d.ApplicantID)
		if err != nil {
			return nil, err
		}
		if len(matches) > 0 {
			f.Failed, f.Detail = true, fmt.Sprintf("a file of this document is also on applicant %s", matches[0].ApplicantID)
		}
		fs = append(fs, f)
	}
	if len(imgs) > 0 {
		f := finding{Name: CheckDuplicateImage, Weight: in.level.Weight(CheckDuplicateImage, ownWeights[CheckDuplicateImage]), Reason: "document-duplicate"}
		others, err := e.store.Fingerprints(ctx, in.env, "phash", d.ApplicantID)
		if err != nil {
			return nil, err
		}
		for _, im := range imgs {
			h := check.PHash(im.img)
			*prints = append(*prints, store.Fingerprint{Kind: "phash", Value: fmt.Sprintf("%016x", h)})
			if m, ok := e.nearImage(others, h); ok && !f.Failed {
				f.Failed, f.Detail = true, fmt.Sprintf("an image of this document is nearly identical to one on applicant %s", m.ApplicantID)
			}
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// nearImage reports the first of others' perceptual hashes within the configured distance. Every
// stored hash is compared: a scan that is fine to many thousands of images; a BK-tree or
// multi-index hashing would be the next step for millions.
func (e *Engine) nearImage(others []store.FingerprintMatch, hash uint64) (store.FingerprintMatch, bool) {
	for _, m := range others {
		v, err := strconv.ParseUint(m.Value, 16, 64)
		if err == nil && bits.OnesCount64(v^hash) <= e.cfg.PHashDistance {
			return m, true
		}
	}
	return store.FingerprintMatch{}, false
}
