package check

import "image"

// Luminance is the brightness distribution of Normalize(img), in 8-bit levels.
type Luminance struct {
	// Mean is the mean level, 0 (black) to 255 (white).
	Mean float64
	// Dark is the share of pixels at or below level 16, Bright the share at or above 239: the
	// pixels that are, or are nearly, clipped to black or white.
	Dark, Bright float64
	// P05 and P95 are the 5th and 95th percentile levels: their difference is the spread of
	// levels that carries the picture.
	P05, P95 int
}

// MeasureLuminance returns the luminance distribution of Normalize(img).
func MeasureLuminance(img image.Image) Luminance {
	g := Normalize(img)
	var hist [256]int
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := range h {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			hist[v]++
		}
	}
	n := w * h
	if n == 0 {
		return Luminance{}
	}
	var l Luminance
	var total, seen int
	l.P05, l.P95 = -1, -1
	for v, c := range hist {
		total += v * c
		if v <= 16 {
			l.Dark += float64(c)
		}
		if v >= 239 {
			l.Bright += float64(c)
		}
		seen += c
		if l.P05 < 0 && seen*20 >= n {
			l.P05 = v
		}
		if l.P95 < 0 && seen*20 >= 19*n {
			l.P95 = v
		}
	}
	l.Mean = float64(total) / float64(n)
	l.Dark /= float64(n)
	l.Bright /= float64(n)
	return l
}
