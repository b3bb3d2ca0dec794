// Package detect finds frontal faces in a small grey image with pigo's cascade (pure Go, the
// cascade embedded), no I/O. It is the first step of internal/face: its boxes, scaled back to the
// photo, are what face.Analyzer.Describe takes.
//
// The caller shrinks the photo first (internal/verify/check.Normalize: at most 512 pixels a side,
// grey), so detection costs the same whatever the photo's size, and scales the boxes back with
// Boxes.
package detect

import (
	"cmp"
	_ "embed" // the face cascade
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
	// MinShare is the smallest face searched for, as a share of the grey image's shorter side. A
	// selfie's face fills far more; the face on an identity card's portrait, the card photographed
	// whole, is a quarter to a third of the card's height. Smaller windows cost time as the square
	// of their count: at 0.1 the image checks of a 1.5 MP photo took 2.3 times as long.
	MinShare = 0.15
	// Quality is the least summed cascade score of a cluster of detections for it to count as a
	// face. Calibrated on internal/verify/check's testdata: the astronaut's face, in JPEG (quality
	// 10 and up), scaled, darkened, blurred copies and as the portrait of a composed identity card,
	// scores 56 to 100; no cluster on chelsea, coffee, text or camera.png (a face in profile, which
	// this frontal cascade does not see), nor on their JPEG, upscaled and blurred copies, scores
	// above 11 (see check's TestFaceScoresCalibration).
	Quality = 20
	// overlapIoU merges detections that overlap by more than this intersection over union.
	overlapIoU = 0.2
)

// Face is one face found: its centre and side in pixels of the grey image searched, and its score.
type Face struct {
	Row, Col, Size int
	Score          float64
}

// Find returns the frontal faces in g with a score of at least Quality: pigo's cascade runs over
// g with windows from MinShare of the shorter side up to the whole of it, shifted by a tenth of
// their size and grown by 10% at a time; overlapping detections (intersection over union above
// 0.2) merge into one face whose score is their sum, and of two merged faces that still overlap
// so, only the better scored is kept.
func Find(g *image.Gray) []Face {
	var faces []Face
	for _, d := range All(g) {
		if d.Score >= Quality {
			faces = append(faces, d)
		}
	}
	return faces
}

// All returns the clustered detections of g of any score, best first (Find keeps those of at
// least Quality; the score calibration reads the rest).
func All(g *image.Gray) []Face {
	c, err := classifier()
	if err != nil {
		panic("detect: the embedded face cascade does not unpack: " + err.Error())
	}
	// g.Pix starts at g.Rect.Min, whatever Min is, and rows are g.Stride apart: a sub-image
	// is searched as the picture it shows.
	rows, cols := g.Rect.Dy(), g.Rect.Dx()
	short := min(rows, cols)
	minSize := max(20, int(MinShare*float64(short)))
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
	var faces []Face
	for _, d := range suppressOverlaps(c.ClusterDetections(dets, overlapIoU)) {
		faces = append(faces, Face{Row: d.Row, Col: d.Col, Size: d.Scale, Score: float64(d.Q)})
	}
	return faces
}

// suppressOverlaps keeps, of clusters that overlap by more than overlapIoU, the best scored one:
// pigo's clustering can leave two clusters around one face, since a detection joins every cluster
// it overlaps and clusters are seeded from detections that no earlier cluster took.
func suppressOverlaps(clusters []pigo.Detection) []pigo.Detection {
	slices.SortStableFunc(clusters, func(a, b pigo.Detection) int { return cmp.Compare(b.Q, a.Q) })
	var kept []pigo.Detection
	for _, c := range clusters {
		if !slices.ContainsFunc(kept, func(k pigo.Detection) bool { return iou(c, k) > overlapIoU }) {
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

// Boxes returns Find's faces in grey, a shrunk copy of a photo of these bounds, as squares in the
// photo's own pixels.
func Boxes(bounds image.Rectangle, grey *image.Gray) []image.Rectangle {
	long := max(bounds.Dx(), bounds.Dy())
	s := 1.0
	if gl := max(grey.Rect.Dx(), grey.Rect.Dy()); gl > 0 && long > gl {
		s = float64(long) / float64(gl)
	}
	var boxes []image.Rectangle
	for _, f := range Find(grey) {
		x, y, half := float64(f.Col)*s, float64(f.Row)*s, float64(f.Size)*s/2
		boxes = append(boxes, image.Rect(int(x-half), int(y-half), int(x+half), int(y+half)).Add(bounds.Min))
	}
	return boxes
}
