package httpapi_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"kycd/internal/face/facetest"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/verify/check"
)

// holderPassport renders the data page of a US passport of this holder (names, dates YYYY-MM-DD)
// with head as its portrait, as a JPEG.
func holderPassport(t *testing.T, surname, given, number, dob, expiry string, head image.Image) []byte {
	t.Helper()
	return encodeJPEG(t, mrztest.PassportPage(mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: surname, GivenNames: given,
		Number: number, DateOfBirth: yymmdd(dob), Sex: "F", Expiry: yymmdd(expiry)}, head, "UNITED STATES OF AMERICA"))
}

// headShot crops a facetest face photo (square) to a passport portrait's 150:190 shape, so the
// page's portrait box does not stretch it.
func headShot(img *image.RGBA) image.Image {
	b := img.Bounds()
	w := b.Dy() * 150 / 190
	x0 := b.Min.X + (b.Dx()-w)/2
	return img.SubImage(image.Rect(x0, b.Min.Y, x0+w, b.Max.Y))
}

// cropPortrait cuts the largest face pigo finds on page out with a margin of half its size: the
// portrait of an identity document cropped out and sent as a selfie.
func cropPortrait(t *testing.T, page []byte) image.Image {
	t.Helper()
	img := decodeJPEG(t, page)
	boxes := check.FaceBoxes(img)
	if len(boxes) == 0 {
		t.Fatal("no portrait on the page")
	}
	b := boxes[0]
	for _, o := range boxes[1:] {
		if o.Dx() > b.Dx() {
			b = o
		}
	}
	r := b.Inset(-b.Dx() / 2).Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, 2*r.Dx(), 2*r.Dy()))
	draw.CatmullRom.Scale(out, out.Bounds(), img, r, draw.Src, nil)
	return out
}

// cropBy cuts share of each side off img and re-encodes it (JPEG quality 90, via facetest.JPEG).
func cropBy(t *testing.T, img image.Image, share float64) []byte {
	t.Helper()
	b := img.Bounds()
	dx, dy := int(float64(b.Dx())*share), int(float64(b.Dy())*share)
	r := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return facetest.JPEG(out)
}

// TestFaceMatch: the selfie is compared with the document's portrait, on both databases. A
// genuine pair (the portrait from one photo, the selfie another photo of her: the mirror image,
// rotated, relit, re-encoded) is accepted with parsedData.faceMatch matched; a different
// person's selfie, the page itself as the selfie, and the portrait cropped out of the page as the
// selfie are not accepted, each saying why.
func TestFaceMatch(t *testing.T) {
	t.Parallel()
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	her, other := facetest.Face("sample6-2"), facetest.Face("sample6-4")
	rng := rand.New(rand.NewPCG(13, 1))
	selfie := facetest.JPEG(facetest.Selfie(facetest.Mirror(her), rng))
	strangerSelfie := facetest.JPEG(facetest.Selfie(other, rng))
	page := holderPassport(t, "DOE", "JANE", "P3100001", "1990-04-12", future, headShot(her))
	forEachDB(t, func(t *testing.T, e *env) {
		app := application{first: "Jane", last: "Doe", dob: "1990-04-12", number: "P3100001", expiry: future, holder: "DOE, Jane", front: page}
		decided := func(what string, selfie []byte) resp {
			t.Helper()
			a := app
			a.selfie = selfie
			_, _, doc := e.apply(a)
			return e.settled(doc)
		}
		faceMatch := func(d resp) map[string]any {
			fm, _ := d.JSON["parsedData"].(map[string]any)["faceMatch"].(map[string]any)
			return fm
		}

		d := decided("genuine", selfie)
		if fm := faceMatch(d); d.str("status") != "accepted" || fm["matched"] != true || d.JSON["parsedData"].(map[string]any)["hasMatchingFaceProof"] != true {
			t.Fatalf("genuine pair: %s, failed %v, faceMatch %v\n%s", d.str("status"), failedChecks(d), fm, d.Raw)
		}

		d = decided("stranger", strangerSelfie)
		if fm := faceMatch(d); d.str("status") == "accepted" || fm["matched"] != false || !slices.Contains(failedChecks(d), "face-match") ||
			d.JSON["parsedData"].(map[string]any)["hasMatchingFaceProof"] != false {
			t.Fatalf("another person's selfie: %s, failed %v, faceMatch %v", d.str("status"), failedChecks(d), fm)
		}
		if !strings.Contains(string(d.Raw), "third-party-or-mismatch") {
			t.Fatalf("another person's selfie: no third-party-or-mismatch in %s", d.Raw)
		}

		d = decided("page as selfie", page)
		if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "selfie-not-document.face-proof") {
			t.Fatalf("the passport page as the selfie: %s, failed %v", d.str("status"), failedChecks(d))
		}

		d = decided("portrait cropped out", facetest.JPEG(cropPortrait(t, page)))
		if fm := faceMatch(d); d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "selfie-not-portrait") || fm["matched"] != false {
			t.Fatalf("the portrait cropped out as the selfie: %s, failed %v, faceMatch %v", d.str("status"), failedChecks(d), fm)
		}
	})
}

// TestDuplicateFace: the same face under a second identity (another name and date of birth) is
// held for review as duplicate-face naming the first applicant. The first passport's portrait is
// her photo and her selfie its mirror image; the second passport's portrait is the mirror image
// and its selfie her photo cropped by 5% and re-encoded, so no image is the perceptual hash's
// near-duplicate of another (but the two pages, of one design, may be) while the faces are hers. The same person
// applying again under the same identity, before the second identity exists, is not flagged.
func TestDuplicateFace(t *testing.T) {
	t.Parallel()
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	her := facetest.Face("sample6-3")
	selfieImg := facetest.Mirror(her)
	forEachDB(t, func(t *testing.T, e *env) {
		first, _, doc := e.apply(application{first: "Mary", last: "Major", dob: "1988-02-03", number: "P3200001", expiry: future, holder: "MAJOR, Mary",
			front: holderPassport(t, "MAJOR", "MARY", "P3200001", "1988-02-03", future, headShot(her)), selfie: facetest.JPEG(selfieImg)})
		if d := e.settled(doc); d.str("status") != "accepted" {
			t.Fatalf("first identity: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// The same person again, same identity, a new applicant: one person applying twice is
		// not two identities. (Before the second identity comes: once her face is on another
		// name too, a new application of hers rightly meets that one.)
		again, _, doc := e.apply(application{first: "Mary", last: "Major", dob: "1988-02-03", number: "P3200003", expiry: future, holder: "MAJOR, Mary",
			front: holderPassport(t, "MAJOR", "MARY", "P3200003", "1988-02-03", future, headShot(her)), selfie: cropBy(t, selfieImg, 0.03)})
		if d := e.settled(doc); slices.Contains(failedChecks(d), "duplicate-face") {
			t.Fatalf("same identity again: duplicate-face failed\n%s", d.Raw)
		}

		_, _, doc = e.apply(application{first: "Nora", last: "Minor", dob: "1991-07-08", number: "P3200002", expiry: future, holder: "MINOR, Nora",
			front:  holderPassport(t, "MINOR", "NORA", "P3200002", "1991-07-08", future, headShot(facetest.Mirror(her))),
			selfie: cropBy(t, her, 0.05)})
		d := e.settled(doc)
		if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "duplicate-face") ||
			!strings.Contains(string(d.Raw), first) && !strings.Contains(string(d.Raw), again) {
			t.Fatalf("second identity, same face: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}
		// The passport pages share their design, which the perceptual hash of the whole page may
		// take for one picture (then the document is rejected rather than held).
	})
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
