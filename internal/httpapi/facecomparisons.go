package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/facecompare"
	"kycd/internal/kyc"
)

// FaceComparisonInput names the two photos to compare: files uploaded with POST /v1/files in the
// caller's environment.
type FaceComparisonInput struct {
	SourceFileID string `json:"sourceFileId" maxLength:"64" doc:"The first photo (fil_...), such as a document's portrait"`
	TargetFileID string `json:"targetFileId" maxLength:"64" doc:"The second photo (fil_...), such as a selfie"`
}

// FaceComparison is the answer of POST /v1/face-comparisons.
type FaceComparison struct {
	Similarity float64             `json:"similarity" doc:"Cosine similarity of the two faces' embeddings (dlib's 128-d descriptor), rounded to 3 decimals: 1 for one photo, about 0.8-0.93 for two different people of similar looks"`
	Threshold  float64             `json:"threshold" doc:"The least similarity at which two faces are taken for one person: the threshold verification's face-match check uses"`
	Matched    bool                `json:"matched" doc:"similarity >= threshold"`
	Faces      FaceComparisonFaces `json:"faces"`
}

// FaceComparisonFaces says what was found in each photo.
type FaceComparisonFaces struct {
	Source FaceFound `json:"source"`
	Target FaceFound `json:"target"`
}

// FaceFound is the face compared in one photo and how many were found there.
type FaceFound struct {
	Box   FaceBox `json:"box" doc:"The largest face found, the one compared"`
	Count int     `json:"count" minimum:"1" doc:"How many faces were found in the photo"`
}

// FaceBox is a rectangle in the pixels of a photo, upright (a JPEG's EXIF orientation applied),
// counted from its top-left corner.
type FaceBox struct {
	X      int `json:"x" minimum:"0"`
	Y      int `json:"y" minimum:"0"`
	Width  int `json:"width" minimum:"1"`
	Height int `json:"height" minimum:"1"`
}

func registerFaceComparisons(api huma.API, d Deps) {
	o := op("compareFaces", http.MethodPost, "/v1/face-comparisons", "Compare the faces of two photos", "Faces", http.StatusOK, 404, 422)
	o.Description = "Finds the faces in two uploaded images, describes the largest of each (68 landmarks, the aligned chip, dlib's " +
		"128-d embedding) and compares them as verification compares a selfie with a document's portrait: `matched` is " +
		"`similarity >= threshold`. Verification also refuses a selfie that is the portrait itself photographed or cropped " +
		"again; this comparison does not judge that. Stores nothing (but, as for every POST, a successful answer to a request " +
		"with an Idempotency-Key is kept sealed for 24 hours to replay it). An id that names no file of the key's environment is 404 " +
		"naming the field; a file that is not an image kycd decodes (a PDF, an image over the pixel limit), or an image with no " +
		"frontal face, is 422 naming the field. The answer is biometric data about the photos' subjects."
	huma.Register(api, o, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
		Body           FaceComparisonInput
	}) (*struct{ Body FaceComparison }, error) {
		res, err := compareFaces(ctx, d, in.Body)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &struct{ Body FaceComparison }{*res}, nil
	})
}

// fieldOf is the request field that names each image.
var fieldOf = map[facecompare.Which]string{facecompare.Source: "body.sourceFileId", facecompare.Target: "body.targetFileId"}

// compareFaces compares the faces of two files of the caller's environment. Ids that are not
// file ids are refused first (422), then ids naming no file of the environment, together (404);
// the files' bytes are read only when the comparison's turn comes, one at a time, so requests
// waiting for the cores hold no image. An image that is not one or shows no face is 422.
func compareFaces(ctx context.Context, d Deps, in FaceComparisonInput) (*FaceComparison, error) {
	env := principal(ctx).Env
	ids := map[facecompare.Which]string{facecompare.Source: in.SourceFileID, facecompare.Target: in.TargetFileID}
	order := []facecompare.Which{facecompare.Source, facecompare.Target}
	var p kyc.Problems
	for _, w := range order {
		if !kyc.ValidID(kyc.PrefixFile, ids[w]) {
			p.Add(fieldOf[w], "must be a file id (fil_...)")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	missing := &kyc.NotFoundError{}
	for _, w := range order {
		if _, err := d.Files.Get(ctx, env, ids[w]); errors.Is(err, kyc.ErrNotFound) {
			missing.Fields = append(missing.Fields, kyc.FieldError{Field: fieldOf[w], Message: "no file with this id in this environment"})
		} else if err != nil {
			return nil, err
		}
	}
	if len(missing.Fields) > 0 {
		return nil, missing
	}
	read := func(id string) facecompare.Image {
		return func(ctx context.Context) ([]byte, error) { return readFile(ctx, d, env, id) }
	}
	res, err := d.Faces.Compare(ctx, read(ids[facecompare.Source]), read(ids[facecompare.Target]))
	var ie *facecompare.ImageError
	if errors.As(err, &ie) {
		msg := "shows no frontal face"
		if errors.Is(err, facecompare.ErrNotImage) {
			msg = "is not an image kycd decodes: " + strings.TrimPrefix(ie.Err.Error(), facecompare.ErrNotImage.Error()+": ")
		}
		return nil, kyc.Invalid(fieldOf[ie.Image], "%s", msg)
	}
	if err != nil {
		return nil, err
	}
	found := func(s facecompare.Seen) FaceFound {
		return FaceFound{Count: s.Faces, Box: FaceBox{X: s.Box.Min.X, Y: s.Box.Min.Y, Width: s.Box.Dx(), Height: s.Box.Dy()}}
	}
	return &FaceComparison{Similarity: res.Similarity, Threshold: res.Threshold, Matched: res.Matched,
		Faces: FaceComparisonFaces{Source: found(res.Source), Target: found(res.Target)}}, nil
}
