// Package face describes a face found in a photo: its 68 landmarks, the aligned chip that dlib's
// recognition net reads, and the net's 128-d embedding, in pure Go with no I/O. It also says when
// two faces are one person (Similarity, MatchThreshold) and when a face is a copy of another image
// of it rather than a new photo (ChipCorrelation, CopyThreshold).
//
// # The pipeline
//
// A face detector's box (pigo's cascade, internal/face/detect, scaled back to the
// photo) is padded to a square and scaled to 112×112 for face-api's landmark net
// (internal/face/landmarks); the box is then redrawn around the landmarks it found and the net
// run again, so the points do not depend on how the detector framed the face (the cascade's box is
// tighter than the SSD box the landmark net was trained with). The chip is cut as dlib's
// get_face_chip_details(shape, 150, 0.25) cuts it for dlib_face_recognition_resnet_model_v1: the
// similarity transform (scale, rotation, shift) that best maps dlib's mean face shape onto landmarks
// 27–54 and 60–64 (nose, eyes, mouth corners and upper lip; brows and lower lip left out, as dlib
// does), with a quarter of the face as margin on each side. The region is first scaled with a
// Catmull-Rom filter to twice the chip's size so a large face does not alias, then sampled
// bilinearly. The chip goes to internal/face/embedding.
//
// dlib's mean face shape is its published template (dlib/image_transforms/interpolation.h,
// Boost Software License 1.0), the face the recognition net was trained on chips of.
package face

import (
	"errors"
	"image"
	"image/color"
	"math"

	"golang.org/x/image/draw"

	"kycd/internal/face/embedding"
	"kycd/internal/face/landmarks"
)

// Analyzer holds the landmark and recognition nets. Its methods are safe for concurrent use;
// callers keep one.
type Analyzer struct {
	marks *landmarks.Net
	embed *embedding.Net
}

// New decodes both nets' embedded weights (about 10 ms).
func New() (*Analyzer, error) {
	m, err := landmarks.New()
	if err != nil {
		return nil, err
	}
	e, err := embedding.New()
	if err != nil {
		return nil, err
	}
	return &Analyzer{marks: m, embed: e}, nil
}

// Point is a position in the photo's pixels.
type Point struct{ X, Y float64 }

// Face is a face described: where it is, its landmarks and its embedding.
type Face struct {
	// Box is the smallest square around the landmarks, in the photo's pixels.
	Box image.Rectangle
	// Landmarks are the 68 points in iBUG 300-W order (see internal/face/landmarks).
	Landmarks [landmarks.N]Point
	// Chip is the aligned 150×150 crop the embedding was computed from.
	Chip *image.RGBA
	// Embedding is dlib's 128-d descriptor of Chip.
	Embedding embedding.Vector
}

// ErrNoFace is returned for a box that is empty or outside the photo.
var ErrNoFace = errors.New("face: the box is empty or outside the image")

// refinePasses is how many times the landmark net runs again on a box redrawn around the points
// it found. One: bench/face measured the same genuine, impostor and copy score ranges with one
// refinement as with two (held-out impostors at most 0.934 against 0.936, genuine pairs at least
// 0.960 either way), and each pass costs about 20 ms. None is too few: the match held, but the
// copy check's chips, aligned on the detector's box alone, correlated down to 0.870 and 2 of 96
// held-out copies of the portrait passed as new photos.
const refinePasses = 1

// Describe finds the landmarks of the face in box (a detector's box in img's pixels), aligns it
// and embeds it. It costs two landmark passes and one embedding (bench/README.md, "Face match", has the
// time).
func (a *Analyzer) Describe(img image.Image, box image.Rectangle) (*Face, error) {
	b := img.Bounds()
	if box.Empty() || !box.Overlaps(b) {
		return nil, ErrNoFace
	}
	// The cascade's box covers brows to chin; face-api's detector box, which the landmark net
	// expects, reaches from above the brows to below the chin, about 1.2 times as tall.
	cx, cy := float64(box.Min.X+box.Max.X)/2, float64(box.Min.Y+box.Max.Y)/2
	side := 1.2 * float64(max(box.Dx(), box.Dy()))
	var pts [landmarks.N]Point
	for pass := 0; pass <= refinePasses; pass++ {
		crop := squareCrop(img, cx, cy, side, landmarks.Size)
		rel, err := a.marks.DetectRGB(rgbBytes(crop))
		if err != nil {
			return nil, err
		}
		x0, y0 := cx-side/2, cy-side/2
		for i, p := range rel {
			pts[i] = Point{x0 + float64(p.X)*side, y0 + float64(p.Y)*side}
		}
		if pass < refinePasses {
			cx, cy, side = landmarkBox(&pts)
		}
	}
	chip := alignChip(img, &pts)
	v, err := a.embed.EmbedRGB(rgbBytes(chip))
	if err != nil {
		return nil, err
	}
	return &Face{
		Box:       squareAround(&pts),
		Landmarks: pts,
		Chip:      chip,
		Embedding: v,
	}, nil
}

// landmarkBox is the square the landmark net should see around pts: centred on the points' box,
// its side 1.1 times the box's longer side, shifted up by a tenth of it for the forehead that the
// points do not reach. These proportions put the points of a face where face-api's detector box
// puts them (the jaw spans about 90% of the crop, the brows sit at about 25% of its height).
func landmarkBox(pts *[landmarks.N]Point) (cx, cy, side float64) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = min(minX, p.X), max(maxX, p.X)
		minY, maxY = min(minY, p.Y), max(maxY, p.Y)
	}
	side = 1.1 * max(maxX-minX, maxY-minY)
	return (minX + maxX) / 2, (minY+maxY)/2 - 0.1*side, side
}

// squareAround is the smallest square centred on pts' bounding box that holds them all.
func squareAround(pts *[landmarks.N]Point) image.Rectangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = min(minX, p.X), max(maxX, p.X)
		minY, maxY = min(minY, p.Y), max(maxY, p.Y)
	}
	cx, cy, half := (minX+maxX)/2, (minY+maxY)/2, max(maxX-minX, maxY-minY)/2
	return image.Rect(int(math.Floor(cx-half)), int(math.Floor(cy-half)), int(math.Ceil(cx+half)), int(math.Ceil(cy+half)))
}

// squareCrop scales the square of the given side centred on (cx, cy) to n×n, filling what lies
// outside img with black (face-api pads a box that leaves the canvas the same way).
func squareCrop(img image.Image, cx, cy, side float64, n int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, n, n))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.Black), image.Point{}, draw.Src)
	src := image.Rect(int(math.Round(cx-side/2)), int(math.Round(cy-side/2)),
		int(math.Round(cx+side/2)), int(math.Round(cy+side/2)))
	if src.Empty() {
		return dst
	}
	in := src.Intersect(img.Bounds())
	if in.Empty() {
		return dst
	}
	// The part of dst that in maps to.
	sx, sy := float64(n)/float64(src.Dx()), float64(n)/float64(src.Dy())
	to := image.Rect(int(float64(in.Min.X-src.Min.X)*sx), int(float64(in.Min.Y-src.Min.Y)*sy),
		int(math.Ceil(float64(in.Max.X-src.Min.X)*sx)), int(math.Ceil(float64(in.Max.Y-src.Min.Y)*sy)))
	draw.CatmullRom.Scale(dst, to.Intersect(dst.Bounds()), img, in, draw.Src, nil)
	return dst
}

// rgbBytes returns the R, G, B bytes of an RGBA image row by row.
func rgbBytes(img *image.RGBA) []uint8 {
	b := img.Bounds()
	out := make([]uint8, 0, b.Dx()*b.Dy()*3)
	for y := range b.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+4*b.Dx()]
		for x := 0; x < len(row); x += 4 {
			out = append(out, row[x], row[x+1], row[x+2])
		}
	}
	return out
}
