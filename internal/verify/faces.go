package verify

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"

	"kycd/internal/face"
	"kycd/internal/face/faceindex"
	"kycd/internal/kyc"
	"kycd/internal/verify/check"
)

// Check names of the face checks (their default weights are in ownWeights). All three are
// reviews: a person looks before a face decides a document either way.
const (
	// CheckFaceMatch: the selfie's face is the face on the identity document's portrait
	// (similarity at least face.MatchThreshold). Run when the request asks for a selfie, or when
	// both a selfie and a portrait are there.
	CheckFaceMatch = "face-match"
	// CheckSelfieNotPortrait: the selfie is not the document's own portrait (cropped out of the
	// page, or the page photographed again): its aligned face correlates below
	// face.CopyThreshold with the portrait's.
	CheckSelfieNotPortrait = "selfie-not-portrait"
	// CheckDuplicateFace: neither the selfie's face nor the portrait's is, within
	// face.MatchThreshold, a face of another applicant with a different name or date of birth.
	CheckDuplicateFace = "duplicate-face"
)

// Analyzer describes a face found in an image: *face.Analyzer.
type Analyzer interface {
	Describe(img image.Image, box image.Rectangle) (*face.Face, error)
}

var defaultAnalyzer = sync.OnceValues(face.New)

// seenFace is a face found in one of the document's images.
type seenFace struct {
	fileID string
	*face.Face
}

// faceAt says where a face was found: its file and its box.
func faceAt(f *seenFace) map[string]any {
	b := f.Box
	return map[string]any{"fileId": f.fileID, "box": []int{b.Min.X, b.Min.Y, b.Dx(), b.Dy()}}
}

// describeLargest describes the largest face pigo finds in full (whose normalised copy is grey).
// It returns nil when there is none or it cannot be described.
func (e *Engine) describeLargest(full image.Image, grey *image.Gray, fileID string) *seenFace {
	boxes := check.FaceBoxesOf(full.Bounds(), grey)
	if len(boxes) == 0 {
		return nil
	}
	best := boxes[0]
	for _, b := range boxes[1:] {
		if b.Dx() > best.Dx() {
			best = b
		}
	}
	f, err := e.faces.Describe(full, best)
	if err != nil {
		return nil
	}
	return &seenFace{fileID: fileID, Face: f}
}

// faceChecks compares the selfie with the document's portrait and both with the faces of other
// applicants; it sets parsedData.faceMatch and hasMatchingFaceProof, and returns the faces to
// index when the document is accepted or held for review.
func (e *Engine) faceChecks(ctx context.Context, in *input, parsed map[string]any) ([]finding, []Face, error) {
	if in.doc.Type != "identity-proof" {
		return nil, nil, nil
	}
	var fs []finding
	selfie, portrait := in.selfie, in.portrait
	required := e.faceProofRequired(in)
	matched := false
	if selfie != nil && portrait != nil {
		sim := face.Similarity(&selfie.Embedding, &portrait.Embedding)
		copied := face.ChipCorrelation(selfie.Face, portrait.Face) >= face.CopyThreshold
		matched = sim >= face.MatchThreshold && !copied
		parsed["faceMatch"] = map[string]any{
			"similarity": math.Round(sim*1000) / 1000, "threshold": face.MatchThreshold, "matched": matched,
			// Which file each face was found in and where (x, y, width, height in the image's
			// pixels as decoded), so a person can see the two faces side by side.
			"selfie": faceAt(selfie), "portrait": faceAt(portrait),
		}
		f := finding{Name: CheckSelfieNotPortrait, Weight: in.level.Weight(CheckSelfieNotPortrait, ownWeights[CheckSelfieNotPortrait]),
			Reason: check.ReasonThirdParty, Review: true}
		if copied {
			f.Failed, f.Detail = true, "the selfie is the document's own portrait photographed or cropped again, not a new photo of the applicant"
		}
		fs = append(fs, f)
	}
	parsed["hasMatchingFaceProof"] = matched
	if required || (selfie != nil && portrait != nil) {
		f := finding{Name: CheckFaceMatch, Weight: in.level.Weight(CheckFaceMatch, ownWeights[CheckFaceMatch]), Reason: check.ReasonThirdParty, Review: true}
		// Without both faces nothing is compared: the document waits for a person (review)
		// but loses no points here, as the check that found no face already took them.
		switch {
		case selfie == nil:
			f.Failed, f.Weight, f.Detail = true, 0, "no face in a selfie to compare with the document's portrait"
		case portrait == nil:
			f.Failed, f.Weight, f.Detail = true, 0, "no portrait found on the identity document to compare the selfie with"
		case !matched:
			f.Failed = true
			f.Detail = fmt.Sprintf("the selfie's face is not the document portrait's (similarity %.3f, threshold %.2f)",
				face.Similarity(&selfie.Embedding, &portrait.Embedding), face.MatchThreshold)
		}
		fs = append(fs, f)
	}

	var keep []Face
	var seen []*seenFace
	if selfie != nil {
		seen = append(seen, selfie)
		keep = append(keep, Face{FileID: selfie.fileID, Kind: "selfie", Embedding: selfie.Embedding[:]})
	}
	if portrait != nil {
		seen = append(seen, portrait)
		keep = append(keep, Face{FileID: portrait.fileID, Kind: "portrait", Embedding: portrait.Embedding[:]})
	}
	if len(seen) == 0 {
		return fs, nil, nil
	}
	dup := finding{Name: CheckDuplicateFace, Weight: in.level.Weight(CheckDuplicateFace, ownWeights[CheckDuplicateFace]), Reason: "document-duplicate", Review: true}
	other, err := e.sameFaceElsewhere(ctx, in, seen)
	if err != nil {
		return nil, nil, err
	}
	if other != "" {
		dup.Failed = true
		dup.Detail = fmt.Sprintf("the same face is on applicant %s, under a different name or date of birth", other)
		parsed["duplicateFaceOf"] = other
	}
	return append(fs, dup), keep, nil
}

// sameFaceElsewhere returns the id of another applicant of in.env one of whose stored faces is
// within face.MatchThreshold of one of faces and whose name or date of birth differs from the
// applicant's; "" when there is none.
func (e *Engine) sameFaceElsewhere(ctx context.Context, in *input, faces []*seenFace) (string, error) {
	idx, err := e.faceIndex(ctx, in.env)
	if err != nil {
		return "", err
	}
	own := in.doc.ApplicantID + "/"
	checked := map[string]bool{}
	for _, f := range faces {
		// The int8 codes round the similarity by up to about 0.01: search that much lower, so a
		// face just over the threshold is not lost to rounding (a few more reviews, no misses).
		ms, err := idx.Search(f.Embedding[:], float32(face.MatchThreshold-0.01), func(key string) bool { return strings.HasPrefix(key, own) })
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			applicant, _, _ := strings.Cut(m.Key, "/")
			if checked[applicant] {
				continue
			}
			checked[applicant] = true
			a, err := e.store.Applicant(ctx, in.env, applicant)
			if err != nil {
				return "", fmt.Errorf("applicant of a matching face: %w", err)
			}
			if a.ErasedTime != nil {
				// Erased after this process loaded the face: forget it here too. (Other
				// replicas do the same when they meet it; a restart loads none.)
				idx.Remove(m.Key)
				continue
			}
			if !sameIdentity(&a.Profile, &in.applicant.Profile) {
				return applicant, nil
			}
		}
	}
	return "", nil
}

// sameIdentity reports whether two profiles name one person: the same first and last names
// (ignoring case and spaces) and the same date of birth. The same face under the same identity
// is one person applying twice, which the duplicate-face check does not flag.
func sameIdentity(a, b *kyc.Profile) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }
	return norm(a.FirstName) == norm(b.FirstName) && norm(a.LastName) == norm(b.LastName) && a.DateOfBirth == b.DateOfBirth
}

// faceIndexes holds one in-memory index of stored faces per environment, brought up to date from
// the store before each search (other replicas add faces too).
type faceIndexes struct {
	mu   sync.Mutex
	envs map[kyc.Env]*envFaces
}

type envFaces struct {
	mu   sync.Mutex
	idx  *faceindex.Index
	last int64 // the highest seq read
}

// faceIndex returns env's index with every face stored up to now.
func (e *Engine) faceIndex(ctx context.Context, env kyc.Env) (*faceindex.Index, error) {
	e.faceIdx.mu.Lock()
	if e.faceIdx.envs == nil {
		e.faceIdx.envs = map[kyc.Env]*envFaces{}
	}
	ef := e.faceIdx.envs[env]
	if ef == nil {
		ef = &envFaces{idx: faceindex.New()}
		e.faceIdx.envs[env] = ef
	}
	e.faceIdx.mu.Unlock()

	ef.mu.Lock()
	defer ef.mu.Unlock()
	err := catchUp(ctx, &ef.last, func(ctx context.Context, after int64, limit int) ([]StoredFace, error) {
		return facesAfter(ctx, e.store, env, after, limit)
	}, func(f StoredFace) int64 { return f.Seq }, func(f StoredFace) error {
		if err := ef.idx.Add(f.ApplicantID+"/"+f.DocumentID+"/"+f.FileID, f.Embedding); err != nil {
			return fmt.Errorf("face of document %s: %w", f.DocumentID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ef.idx, nil
}
