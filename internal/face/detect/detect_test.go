package detect_test

import (
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/draw"

	"kycd/internal/face/detect"
	"kycd/internal/face/facetest"
)

// grey shrinks img to at most side pixels a side, in grey.
func grey(img image.Image, side int) *image.Gray {
	b := img.Bounds()
	s := float64(side) / float64(max(b.Dx(), b.Dy()))
	g := image.NewGray(image.Rect(0, 0, int(float64(b.Dx())*s), int(float64(b.Dy())*s)))
	draw.BiLinear.Scale(g, g.Bounds(), img, b, draw.Src, nil)
	return g
}

// TestBoxes: each test face (a face photo cropped with a margin) yields one box, in the photo's
// pixels, near the photo's centre and a quarter to all of its width; a plain grey picture yields
// none; and the same picture as a sub-image of a larger canvas (rows further apart, not starting
// at (0, 0)) gives the same box.
func TestBoxes(t *testing.T) {
	for _, s := range facetest.Faces() {
		g := grey(s.Image, 256)
		boxes := detect.Boxes(s.Image.Bounds(), g)
		if len(boxes) != 1 {
			t.Errorf("%s: %d faces, want 1", s.Name, len(boxes))
			continue
		}
		b, size := boxes[0], s.Image.Bounds().Size()
		off := b.Min.Add(b.Max).Div(2).Sub(size.Div(2))
		if abs(off.X)*4 > size.X || abs(off.Y)*3 > size.Y || b.Dx()*4 < size.X || b.Dx() > size.X {
			t.Errorf("%s: box %v in a %v photo", s.Name, b, size)
		}
		canvas := image.NewGray(image.Rect(0, 0, g.Rect.Dx()+20, g.Rect.Dy()+10))
		at := image.Rect(7, 3, 7+g.Rect.Dx(), 3+g.Rect.Dy())
		draw.Draw(canvas, at, g, image.Point{}, draw.Src)
		if again := detect.Boxes(s.Image.Bounds(), canvas.SubImage(at).(*image.Gray)); len(again) != 1 || again[0] != b {
			t.Errorf("%s: as a sub-image: %v, want %v", s.Name, again, boxes)
		}
	}
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	draw.Draw(blank, blank.Rect, image.NewUniform(color.Gray{Y: 128}), image.Point{}, draw.Src)
	if f := detect.Find(blank); len(f) != 0 {
		t.Errorf("a plain grey picture: %d faces", len(f))
	}
}

func abs(v int) int { return max(v, -v) }
