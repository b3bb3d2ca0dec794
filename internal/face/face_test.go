package face

import (
	"image"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"kycd/internal/face/facetest"
	"kycd/internal/verify/check"
)

var testAnalyzer = sync.OnceValues(New)

func analyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := testAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// describe describes the largest face pigo finds in img.
func describe(t testing.TB, img image.Image) *Face {
	t.Helper()
	boxes := check.FaceBoxes(img)
	if len(boxes) == 0 {
		t.Fatal("no face found")
	}
	best := boxes[0]
	for _, b := range boxes[1:] {
		if b.Dx() > best.Dx() {
			best = b
		}
	}
	f, err := analyzer(t).Describe(img, best)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLandmarksOnTheFace checks the landmarks land where a face has them: the eyes above the nose
// tip above the mouth, the left eye left of the right one, all inside the box; and that the chip
// puts the eyes where dlib's template does (within 6 px of 150).
func TestLandmarksOnTheFace(t *testing.T) {
	t.Parallel()
	for _, s := range facetest.Faces() {
		f := describe(t, s.Image)
		eye := func(from int) Point {
			var p Point
			for i := from; i < from+6; i++ {
				p.X, p.Y = p.X+f.Landmarks[i].X/6, p.Y+f.Landmarks[i].Y/6
			}
			return p
		}
		l, r, nose, mouth := eye(36), eye(42), f.Landmarks[30], f.Landmarks[62]
		if !(l.X < nose.X && nose.X < r.X && l.Y < nose.Y && r.Y < nose.Y && nose.Y < mouth.Y) {
			t.Errorf("%s: eyes %v %v, nose %v, mouth %v out of order", s.Name, l, r, nose, mouth)
		}
		box := f.Box.Inset(-2)
		for i, p := range f.Landmarks {
			if !(image.Point{int(p.X), int(p.Y)}).In(box) {
				t.Errorf("%s: landmark %d at %v outside %v", s.Name, i, p, f.Box)
			}
		}
		// Where the chip maps the eye centres, against the template's (mean of 36-41, 42-47).
		inv := chipTransform(&f.Landmarks)
		det := inv.a*inv.a + inv.b*inv.b
		toChip := func(p Point) (float64, float64) {
			x, y := p.X-inv.tx, p.Y-inv.ty
			return (inv.a*x + inv.b*y) / det, (-inv.b*x + inv.a*y) / det
		}
		lx, ly := toChip(l)
		tx, ty := templateEye(36)
		if math.Hypot(lx-tx, ly-ty) > 6 {
			t.Errorf("%s: left eye at (%.1f, %.1f) on the chip, template (%.1f, %.1f)", s.Name, lx, ly, tx, ty)
		}
	}
}

func templateEye(from int) (x, y float64) {
	for i := from; i < from+6; i++ {
		x += (chipPadding + meanFaceX[i-17]) / (2*chipPadding + 1) * 150 / 6
		y += (chipPadding + meanFaceY[i-17]) / (2*chipPadding + 1) * 150 / 6
	}
	return x, y
}

// TestMatch checks both sides of the thresholds on held-out variants (seed 7, not the
// calibration's): each face's portrait matches its own selfie and no other person's; a selfie
// made from the portrait itself is a copy, one made from the mirrored photo is not.
func TestMatch(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	faces := facetest.Faces()
	portraits := make([]*Face, len(faces))
	selfies := make([]*Face, len(faces))
	for i, s := range faces {
		portrait := variant(t, func() image.Image { return facetest.Portrait(s.Image, rng) })
		portraits[i] = describe(t, portrait)
		selfies[i] = describe(t, variant(t, func() image.Image { return facetest.Selfie(facetest.Mirror(s.Image), rng) }))
		if c := ChipCorrelation(portraits[i], selfies[i]); c >= CopyThreshold {
			t.Errorf("%s: a selfie of the mirrored photo correlates %.3f with the portrait: taken for a copy", s.Name, c)
		}
		copied := describe(t, variant(t, func() image.Image { return facetest.Selfie(portrait, rng) }))
		if c := ChipCorrelation(portraits[i], copied); c < CopyThreshold {
			t.Errorf("%s: the portrait photographed again correlates only %.3f with itself", s.Name, c)
		}
	}
	for i := range faces {
		for j := range faces {
			sim := Similarity(&portraits[i].Embedding, &selfies[j].Embedding)
			if (i == j) != (sim >= MatchThreshold) {
				t.Errorf("portrait of %s, selfie of %s: similarity %.3f, threshold %.2f", faces[i].Name, faces[j].Name, sim, MatchThreshold)
			}
		}
	}
}

// variant draws from make until pigo finds a face (a few variants, rotated, lose the face to the
// frontal cascade; this test is of the match, not of the detector) and at most five times.
func variant(t testing.TB, make func() image.Image) image.Image {
	t.Helper()
	for range 5 {
		if img := make(); len(check.FaceBoxes(img)) > 0 {
			return img
		}
	}
	t.Fatal("no face in five variants")
	return nil
}
