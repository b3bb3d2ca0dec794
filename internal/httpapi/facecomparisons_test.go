package httpapi_test

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kycd/internal/face"
	"kycd/internal/face/facetest"
	"kycd/internal/media/mediatest"
)

// TestFaceComparisons: POST /v1/face-comparisons on both databases. One woman's photo against
// another photograph of her (the mirror image, cropped, rotated, relit, re-encoded) matches; against
// another woman's photo it does not, and scores lower; each box is a face-sized square inside its
// image. Every refusal names the field it is about: a picture without a face and a PDF (422), an
// unknown id and a file of the other environment (404), a missing or malformed id (422). Nothing is
// stored.
func TestFaceComparisons(t *testing.T) {
	t.Parallel()
	her, other := facetest.Face("sample6-2"), facetest.Face("sample6-4")
	rng := rand.New(rand.NewPCG(13, 1))
	selfieImg := facetest.Selfie(facetest.Mirror(her), rng)
	photo, selfie, stranger := facetest.JPEG(her), facetest.JPEG(selfieImg), facetest.JPEG(other)
	sizes := map[string]image.Point{"photo": her.Bounds().Size(), "selfie": selfieImg.Bounds().Size(), "stranger": other.Bounds().Size()}
	forEachDB(t, func(t *testing.T, e *env) {
		apl, liveApl := e.mustApplicant(e.testKey), e.mustApplicant(e.liveKey)
		upload := func(key, applicant, tag string, data []byte) string {
			t.Helper()
			r := e.upload(key, applicant, tag, data)
			if r.Status != http.StatusCreated {
				t.Fatalf("upload: %d %s", r.Status, r.Raw)
			}
			return r.str("id")
		}
		ids := map[string]string{
			"photo":    upload(e.testKey, apl, "id-front", photo),
			"selfie":   upload(e.testKey, apl, "face-proof", selfie),
			"stranger": upload(e.testKey, apl, "face-proof", stranger),
			"cat":      upload(e.testKey, apl, "other", testdata(t, "chelsea.png")),
			"pdf":      upload(e.testKey, apl, "other", mediatest.MinimalPDF("1.4", 0)),
			"live":     upload(e.liveKey, liveApl, "face-proof", selfie),
		}
		const unknown = "fil_01J9Z3K6Q5W8C2B7X4N0M1R2S3"
		before := e.stored()
		compare := func(key, source, target string) resp {
			t.Helper()
			return e.json("POST", "/v1/face-comparisons", key, fmt.Sprintf(`{"sourceFileId":%q,"targetFileId":%q}`, source, target))
		}
		// faces checks the answer's faces against the images' sizes.
		faces := func(what string, r resp, source, target string) {
			t.Helper()
			fs, _ := r.JSON["faces"].(map[string]any)
			for side, name := range map[string]string{"source": source, "target": target} {
				f, _ := fs[side].(map[string]any)
				box, _ := f["box"].(map[string]any)
				x, y, w, h := box["x"], box["y"], box["width"], box["height"]
				count, _ := f["count"].(float64)
				size := sizes[name]
				xf, _ := x.(float64)
				yf, _ := y.(float64)
				wf, _ := w.(float64)
				hf, _ := h.(float64)
				// pigo's square, scaled back to the photo: at least a quarter of its side (these
				// are face photos), inside it.
				if count < 1 || wf < float64(size.X)/4 || hf < float64(size.Y)/4 || xf < 0 || yf < 0 ||
					xf+wf > float64(size.X) || yf+hf > float64(size.Y) {
					t.Errorf("%s: %s face %v in a %v image", what, side, f, size)
				}
			}
		}

		same := compare(e.testKey, ids["photo"], ids["selfie"])
		sim, _ := same.JSON["similarity"].(float64)
		if same.Status != http.StatusOK || same.JSON["matched"] != true || sim < face.MatchThreshold || same.JSON["threshold"] != face.MatchThreshold {
			t.Fatalf("same person: %d %s", same.Status, same.Raw)
		}
		if sim > 1 || math.Abs(sim*1000-math.Round(sim*1000)) > 1e-9 {
			t.Errorf("similarity %v: not rounded to 3 decimals", sim)
		}
		faces("same person", same, "photo", "selfie")

		diff := compare(e.testKey, ids["photo"], ids["stranger"])
		dsim, _ := diff.JSON["similarity"].(float64)
		if diff.Status != http.StatusOK || diff.JSON["matched"] != false || dsim >= face.MatchThreshold || dsim >= sim {
			t.Fatalf("two people: %d %s (same person %.3f)", diff.Status, diff.Raw, sim)
		}
		faces("two people", diff, "photo", "stranger")

		// The live key compares its own file: the id is real, only not the test key's.
		if r := compare(e.liveKey, ids["live"], ids["live"]); r.Status != http.StatusOK || r.JSON["matched"] != true {
			t.Fatalf("live key, its own file: %d %s", r.Status, r.Raw)
		}

		for _, c := range []struct {
			name   string
			r      resp
			status int
			fields []string
			says   string
		}{
			{"no face in the target", compare(e.testKey, ids["photo"], ids["cat"]), 422, []string{"body.targetFileId"}, "no frontal face"},
			{"no face in the source", compare(e.testKey, ids["cat"], ids["selfie"]), 422, []string{"body.sourceFileId"}, "no frontal face"},
			{"a PDF", compare(e.testKey, ids["pdf"], ids["selfie"]), 422, []string{"body.sourceFileId"}, "not an image"},
			{"unknown source", compare(e.testKey, unknown, ids["selfie"]), 404, []string{"body.sourceFileId"}, "no file"},
			{"both unknown", compare(e.testKey, unknown, unknown), 404, []string{"body.sourceFileId", "body.targetFileId"}, "no file"},
			{"target of the live environment", compare(e.testKey, ids["photo"], ids["live"]), 404, []string{"body.targetFileId"}, "no file"},
			{"test file with the live key", compare(e.liveKey, ids["live"], ids["photo"]), 404, []string{"body.targetFileId"}, "no file"},
			{"malformed id", compare(e.testKey, "selfie.jpg", ids["photo"]), 422, []string{"body.sourceFileId"}, "must be a file id"},
			// huma's own validation of the schema names a missing property in its message.
			{"missing target", e.json("POST", "/v1/face-comparisons", e.testKey, `{"sourceFileId":"`+ids["photo"]+`"}`), 422, []string{"body"}, "targetFileId"},
		} {
			if c.r.Status != c.status || !slices.Equal(c.r.errorFields(), c.fields) {
				t.Errorf("%s: %d %v, want %d %v\n%s", c.name, c.r.Status, c.r.errorFields(), c.status, c.fields, c.r.Raw)
			}
			if !strings.Contains(string(c.r.Raw), c.says) {
				t.Errorf("%s: the answer does not say %q\n%s", c.name, c.says, c.r.Raw)
			}
			if ct := c.r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: Content-Type %q", c.name, ct)
			}
		}
		if after := e.stored(); after != before {
			t.Fatalf("comparisons stored something: %s, then %s", before, after)
		}
	})
}
