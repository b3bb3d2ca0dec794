// Package ocrb classifies one character cell of an OCR-B machine-readable zone. It owns the
// sampling of a cell into a fixed grid of features and the small neural network that the training
// program (../train) fits to rendered and degraded OCR-B glyphs; the reader and the trainer share
// this code so that what is trained is exactly what is read.
package ocrb

import (
	"image"
	"math"
	"slices"
)

// Classes are the characters of a machine-readable zone, in the order of the network's outputs.
const Classes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"

// GridW and GridH are the size of the sampling grid: a cell becomes GridW x GridH grey values.
const (
	GridW = 16
	GridH = 24
	// Features is the length of a feature vector.
	Features = GridW * GridH
)

// CellHeight is the height of the sampled cell in units of the character height, so that a small
// vertical error in the line fit still keeps the whole glyph in the cell.
const CellHeight = 1.35

// Cell places one character: its centre, the unit vector along the text line (the line's
// perpendicular points down the glyph), the pitch (the distance between character centres) and the
// height of a capital letter, all in pixels of the image it is sampled from.
type Cell struct {
	CX, CY, UX, UY, Pitch, Height float64
}

// Sample writes the cell's grey values (0 black to 255 white), GridW x GridH row by row, into dst.
// Each value is the mean of 2 x 2 bilinear samples, so that a cell larger than the grid does not
// alias.
func Sample(g *image.Gray, c Cell, dst []float32) {
	vx, vy := -c.UY, c.UX // down the glyph
	w, h := c.Pitch, c.Height*CellHeight
	for gy := 0; gy < GridH; gy++ {
		for gx := 0; gx < GridW; gx++ {
			var sum float64
			for sy := 0; sy < 2; sy++ {
				for sx := 0; sx < 2; sx++ {
					a := ((float64(gx)+0.25+0.5*float64(sx))/GridW - 0.5) * w
					b := ((float64(gy)+0.25+0.5*float64(sy))/GridH - 0.5) * h
					sum += bilinear(g, c.CX+a*c.UX+b*vx, c.CY+a*c.UY+b*vy)
				}
			}
			dst[gy*GridW+gx] = float32(sum / 4)
		}
	}
}

// bilinear samples g at (x, y), clamping at the borders.
func bilinear(g *image.Gray, x, y float64) float64 {
	b := g.Rect
	x -= float64(b.Min.X) + 0.5
	y -= float64(b.Min.Y) + 0.5
	w, h := b.Dx(), b.Dy()
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		x = min(max(x, 0), w-1)
		y = min(max(y, 0), h-1)
		return float64(g.Pix[y*g.Stride+x])
	}
	top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
	bot := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
	return top*(1-fy) + bot*fy
}

// NormaliseLine maps the raw samples of every cell of one text line to ink values, 0 for the
// paper and 1 for the ink, from the line's own paper and ink levels (its 90th and 3rd percentile
// grey), so that contrast, exposure and paper colour do not change the features.
func NormaliseLine(cells [][]float32) {
	var all []float32
	for _, c := range cells {
		all = append(all, c...)
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	ink := all[len(all)*3/100]
	paper := all[len(all)*90/100]
	span := paper - ink
	if span < 1 {
		span = 1
	}
	for _, c := range cells {
		for i, v := range c {
			c[i] = min(max((paper-v)/span, 0), 1)
		}
	}
}
