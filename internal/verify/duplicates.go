package verify

import (
	"context"
	"fmt"
	"math/bits"

	"kycd/internal/kyc"
	"kycd/internal/verify/check"
)

// Check names of the duplicate checks (their default weights are in ownWeights).
const (
	// CheckDuplicateNumber: an identity document's number, issuing country and subtype are on
	// another applicant's document (decisive).
	CheckDuplicateNumber = "duplicate-document-number"
	// CheckDuplicateFile: a file of the document has the same bytes (SHA-256) as a file of another
	// applicant's document, whatever the document type.
	CheckDuplicateFile = "duplicate-file"
	// CheckDuplicateImage: a photograph of an identity document or a selfie (the id-front, id-back
	// and face-proof files of an identity-proof document) is nearly identical (pHash) to one of
	// another applicant's. Pages of bills, statements and other proofs are never compared by
	// image: they share templates by design.
	CheckDuplicateImage = "duplicate-image"
)

// duplicateChecks look for another applicant's document with the same document number, the same
// file or a near-identical photograph:
//
//   - duplicate-document-number (identity-proof only, decisive): the same number, issuing country
//     and subtype, found through a keyed HMAC blind index;
//   - duplicate-file (every document type, weighed): a file with the same bytes (SHA-256);
//   - duplicate-image (weighed): a perceptual hash (pHash) within PHashDistance bits, and only
//     between photographs: the id-front, id-back and face-proof (selfie) files of identity-proof
//     documents. Bills, bank statements, payslips and the other pages of address-proof,
//     funds-proof, purchase-proof and credit-file-proof documents look alike by design when they
//     come from one template, so two honest people's bills would be near-identical; those pages are
//     compared by exact content only (duplicate-file), their pHash is neither compared nor stored,
//     and a stored pHash counts only when its document is an identity-proof (which also keeps out
//     the pHashes of pages stored before this rule).
func (e *Engine) duplicateChecks(ctx context.Context, in *input, imgs []decodedImage, parsed map[string]any, prints *[]Fingerprint) ([]finding, error) {
	var fs []finding
	d := in.doc
	if id := d.Identification; id != nil && d.Type == "identity-proof" {
		if idx := e.documentNumberIndex(id.Number, id.IssuingCountry, d.Subtype); idx != "" {
			*prints = append(*prints, Fingerprint{Kind: "document-number", Value: idx})
			f := finding{Name: CheckDuplicateNumber, Weight: in.level.Weight(CheckDuplicateNumber, ownWeights[CheckDuplicateNumber]), Reason: "document-duplicate", Decisive: true}
			matches, err := findFingerprints(ctx, e.store, in.env, "document-number", []string{idx}, d.ApplicantID)
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
		*prints = append(*prints, Fingerprint{Kind: "sha256", Value: f.SHA256})
	}
	if len(shas) > 0 {
		f := finding{Name: CheckDuplicateFile, Weight: in.level.Weight(CheckDuplicateFile, ownWeights[CheckDuplicateFile]), Reason: "document-duplicate"}
		matches, err := findFingerprints(ctx, e.store, in.env, "sha256", shas, d.ApplicantID)
		if err != nil {
			return nil, err
		}
		if len(matches) > 0 {
			f.Failed, f.Detail = true, fmt.Sprintf("a file of this document is also on applicant %s", matches[0].ApplicantID)
		}
		fs = append(fs, f)
	}
	var photos []decodedImage
	for _, im := range imgs {
		if isPhotograph(d, im.Tag) {
			photos = append(photos, im)
		}
	}
	if len(photos) > 0 {
		f := finding{Name: CheckDuplicateImage, Weight: in.level.Weight(CheckDuplicateImage, ownWeights[CheckDuplicateImage]), Reason: "document-duplicate"}
		others, err := e.photoHashes(ctx, in.env)
		if err != nil {
			return nil, err
		}
		for _, im := range photos {
			h := check.PHash(im.img)
			*prints = append(*prints, Fingerprint{Kind: "phash", Value: fmt.Sprintf("%016x", h)})
			if f.Failed {
				continue
			}
			m, ok, err := e.nearPhotograph(ctx, in.env, others, h, d.ApplicantID)
			if err != nil {
				return nil, err
			}
			if ok {
				f.Failed, f.Detail = true, fmt.Sprintf("an image of this document is nearly identical to one on applicant %s", m.ApplicantID)
			}
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// isPhotograph reports whether a file of doc, tagged tag, is a photograph that near-duplicate
// search compares: a side of an identity document or a selfie, in an identity-proof document.
func isPhotograph(doc *kyc.Document, tag string) bool {
	if doc.Type != "identity-proof" {
		return false
	}
	switch tag {
	case "id-front", "id-back", "face-proof":
		return true
	}
	return false
}

// nearPhotograph reports the first of others' perceptual hashes within the configured distance
// that belongs to another applicant than notApplicant and whose document is an identity-proof (a
// page's pHash stored before pages were left out must not match). Every stored hash is compared,
// in memory (a million take a few milliseconds); a BK-tree or multi-index hashing would be the
// next step beyond that.
func (e *Engine) nearPhotograph(ctx context.Context, env kyc.Env, others []storedHash, hash uint64, notApplicant string) (FingerprintMatch, bool, error) {
	for _, m := range others {
		if m.ApplicantID == notApplicant || bits.OnesCount64(m.hash^hash) > e.cfg.PHashDistance {
			continue
		}
		doc, err := e.store.Document(ctx, env, m.DocumentID)
		if err != nil {
			return FingerprintMatch{}, false, fmt.Errorf("near-duplicate %s: %w", m.DocumentID, err)
		}
		a, err := e.store.Applicant(ctx, env, m.ApplicantID)
		if err != nil {
			return FingerprintMatch{}, false, fmt.Errorf("near-duplicate %s: %w", m.DocumentID, err)
		}
		if a.ErasedTime != nil {
			continue // erased after this process loaded its hash: the erasure deleted the row
		}
		if doc.Type == "identity-proof" {
			return m.FingerprintMatch, true, nil
		}
	}
	return FingerprintMatch{}, false, nil
}
