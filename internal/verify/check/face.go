package check

import (
	"cmp"
	_ "embed" // the face cascade
	"fmt"
	"image"
	"slices"
	"sync"

	pigo "github.com/esimov/pigo/core"
)

// facefinder is pigo's frontal-face cascade (MIT licence, see cascade/LICENSE), copied from the
// module github.com/esimov/pigo v1.4.6.
//
//go:embed cascade/facefinder
var facefinder []byte

// classifier unpacks the cascade once; a *pigo.Pigo only reads its trees, so goroutines share it.
var classifier = sync.OnceValues(func() (*pigo.Pigo, error) {
	return pigo.NewPigo().Unpack(facefinder)
})

// Face detection parameters.
const (
	// FaceMinShare is the smallest face searched for, as a share of the image's shorter side (on
	// Normalize(img)). A selfie's face fills far more; the face on an identity card's portrait,
	// the card photographed whole, is a quarter to a third of the card's height. Smaller windows
	// cost time as the square of their count: at 0.1 the image checks of a 1.5 MP photo took 2.3
	// times as long.
	FaceMinShare = 0.15
	// FaceQuality is the least summed cascade score of a cluster of detections for it to count as
	// a face. Calibrated on testdata: the astronaut's face, in JPEG (quality 10 and up), scaled,
	// darkened, blurred copies and as the portrait of a composed identity card, scores 56 to 100;
	// no cluster on chelsea, coffee, text or camera.png (a face in profile, which this frontal
	// cascade does not see), nor on their JPEG, upscaled and blurred copies, scores above 11
	// (see TestFaceScoresCalibration).
	FaceQuality = 20
	// faceIoU merges detections that overlap by more than this intersection over union.
	faceIoU = 0.2
)

// Face is one face found: its centre and side in pixels of Normalize(img), and its score.
type Face struct {
	Row, Col, Size int
	Score          float64
}

// FindFaces returns the frontal faces in img with a score of at least FaceQuality: pigo's cascade
// runs over Normalize(img) with windows from FaceMinShare of the shorter side up to the whole of
// it, shifted by a tenth of their size and grown by 10% at a time; overlapping detections
// (intersection over union above 0.2) merge into one face whose score is their sum, and of two
// merged faces that still overlap so, only the better scored is kept.
func FindFaces(img image.Image) []Face {
	var faces []Face
	for _, d := range detect(img) {
		if d.Q >= FaceQuality {
			faces = append(faces, Face{Row: d.Row, Col: d.Col, Size: d.Scale, Score: float64(d.Q)})
		}
	}
	return faces
}

// CountFaces returns len(FindFaces(img)).
func CountFaces(img image.Image) int { return len(FindFaces(img)) }

// detect returns pigo's clustered detections of any score.
func detect(img image.Image) []pigo.Detection {
	c, err := classifier()
	if err != nil {
		panic("check: the embedded face cascade does not unpack: " + err.Error())
	}
	g := Normalize(img)
	rows, cols := g.Rect.Dy(), g.Rect.Dx()
	short := min(rows, cols)
	minSize := max(20, int(FaceMinShare*float64(short)))
	if short < minSize {
		return nil
	}
	dets := c.RunCascade(pigo.CascadeParams{
		MinSize:     minSize,
		MaxSize:     short,
		ShiftFactor: 0.1,
		ScaleFactor: 1.1,
		ImageParams: pigo.ImageParams{Pixels: g.Pix, Rows: rows, Cols: cols, Dim: g.Stride},
	}, 0)
	return suppressOverlaps(c.ClusterDetections(dets, faceIoU))
}

// suppressOverlaps keeps, of clusters that overlap by more than faceIoU, the best scored one:
// pigo's clustering can leave two clusters around one face, since a detection joins every cluster
// it overlaps and clusters are seeded from detections that no earlier cluster took.
func suppressOverlaps(clusters []pigo.Detection) []pigo.Detection {
	slices.SortStableFunc(clusters, func(a, b pigo.Detection) int { return cmp.Compare(b.Q, a.Q) })
	var kept []pigo.Detection
	for _, c := range clusters {
		if !slices.ContainsFunc(kept, func(k pigo.Detection) bool { return iou(c, k) > faceIoU }) {
			kept = append(kept, c)
		}
	}
	return kept
}

// iou is the intersection over union of two square detections.
func iou(a, b pigo.Detection) float64 {
	overlap := func(ca, cb, sa, sb int) float64 {
		lo := max(float64(ca)-float64(sa)/2, float64(cb)-float64(sb)/2)
		hi := min(float64(ca)+float64(sa)/2, float64(cb)+float64(sb)/2)
		return max(0, hi-lo)
	}
	inter := overlap(a.Row, b.Row, a.Scale, b.Scale) * overlap(a.Col, b.Col, a.Scale, b.Scale)
	return inter / (float64(a.Scale*a.Scale+b.Scale*b.Scale) - inter)
}

// SelfieFace checks that a selfie (a face-proof file) shows exactly one face: no face found is
// document-unreadable (the photo is too poor, or the face is turned away: the cascade finds
// frontal faces only); more than one is third-party-or-mismatch (someone else is in the picture).
func SelfieFace(img image.Image) Result {
	switch n := CountFaces(img); {
	case n == 0:
		return fail(NameSelfieFace, ReasonUnreadable, "no frontal face found")
	case n > 1:
		return fail(NameSelfieFace, ReasonThirdParty, fmt.Sprintf("%d faces found, want exactly one", n))
	}
	return pass(NameSelfieFace)
}

// FaceBoxes returns FindFaces' faces as squares in img's own pixels (FindFaces works on
// Normalize(img), at most NormalSide pixels a side), for the face package to describe.
func FaceBoxes(img image.Image) []image.Rectangle { return FaceBoxesOf(img.Bounds(), Normalize(img)) }

// FaceBoxesOf is FaceBoxes for an image of these bounds whose Normalize copy is grey, already made.
func FaceBoxesOf(bounds image.Rectangle, grey *image.Gray) []image.Rectangle {
	long := max(bounds.Dx(), bounds.Dy())
	s := 1.0
	if gl := max(grey.Rect.Dx(), grey.Rect.Dy()); gl > 0 && long > gl {
		s = float64(long) / float64(gl)
	}
	var boxes []image.Rectangle
	for _, f := range FindFaces(grey) {
		x, y, half := float64(f.Col)*s, float64(f.Row)*s, float64(f.Size)*s/2
		boxes = append(boxes, image.Rect(int(x-half), int(y-half), int(x+half), int(y+half)).Add(bounds.Min))
	}
	return boxes
}
