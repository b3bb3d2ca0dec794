package check

import "image"

// Levels that count as clipped: a pixel at or above ClippedLevel is white the sensor could not
// tell apart (a highlight blown out), one at or below CrushedLevel is black it could not (a shadow
// crushed). The normalised grey copy averages a few pixels of the original into one, so a level
// of 250 means that all of them were at or near 255.
const (
	// ClippedLevel is the least level of a clipped highlight.
	ClippedLevel = 250
	// CrushedLevel is the greatest level of a crushed shadow.
	CrushedLevel = 8
)

// DocumentArea is the part of an image's bounds r that the exposure and glare checks judge: the
// central area, a fifth of each side cut off (the middle 60% of the width and of the height). It
// is not an outline of the document found in the picture: a phone photo of a document has it in
// the middle, and the table, hand or wall around it, dark or light, lies mostly outside; a scan
// is the page throughout. Judging the centre keeps the surroundings from deciding, at the cost of
// not seeing a fault that lies only near the edges.
func DocumentArea(r image.Rectangle) image.Rectangle {
	mx, my := r.Dx()/5, r.Dy()/5
	return image.Rect(r.Min.X+mx, r.Min.Y+my, r.Max.X-mx, r.Max.Y-my)
}

// Luminance is the brightness distribution of the document area of Normalize(img), in 8-bit
// levels.
type Luminance struct {
	// Mean is the mean level, 0 (black) to 255 (white). It is reported, never judged: white paper
	// well lit has a mean over 210.
	Mean float64
	// Crushed is the share of pixels at or below CrushedLevel, Clipped the share at or above
	// ClippedLevel.
	Crushed, Clipped float64
	// Shadow is the level below which half a percent of the pixels lie: the darkest print, which
	// covers a few percent of a sparse page. Highlight is the 98th percentile level: the paper, or
	// the lightest part of the picture.
	Shadow, Highlight int
}

// MeasureLuminance returns the luminance distribution of the document area (DocumentArea) of
// Normalize(img).
func MeasureLuminance(img image.Image) Luminance {
	g := Normalize(img)
	area := DocumentArea(g.Rect)
	var hist [256]int
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for _, v := range g.Pix[y*g.Stride+area.Min.X : y*g.Stride+area.Max.X] {
			hist[v]++
		}
	}
	n := area.Dx() * area.Dy()
	if n <= 0 {
		return Luminance{}
	}
	var l Luminance
	var total, seen int
	l.Shadow, l.Highlight = -1, -1
	for v, c := range hist {
		total += v * c
		if v <= CrushedLevel {
			l.Crushed += float64(c)
		}
		if v >= ClippedLevel {
			l.Clipped += float64(c)
		}
		seen += c
		if l.Shadow < 0 && seen*200 >= n {
			l.Shadow = v
		}
		if l.Highlight < 0 && seen*50 >= 49*n {
			l.Highlight = v
		}
	}
	l.Mean = float64(total) / float64(n)
	l.Crushed /= float64(n)
	l.Clipped /= float64(n)
	return l
}
