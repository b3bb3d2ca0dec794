package mrzimage

import (
	"math"
	"slices"
	"sort"
)

// textLine is a row of characters at a fixed pitch: the centre of character i is origin +
// (i*pitch)*u, with u the unit vector along the line.
type textLine struct {
	ox, oy float64 // centre of the first character
	ux, uy float64
	pitch  float64
	height float64 // of a capital letter
	n      int     // characters
	offset float64 // distance of the line from the image origin across the line, for ordering
}

// chains links blobs into rows: each blob to the nearest blob on its right of comparable height
// whose centre lies near its own row.
func chains(bs []blob) [][]blob {
	sort.Slice(bs, func(i, j int) bool { return bs[i].cx < bs[j].cx })
	next := make([]int, len(bs))
	cost := make([]float64, len(bs))
	prev := make([]int, len(bs))
	for i := range bs {
		next[i], prev[i] = -1, -1
	}
	for i, a := range bs {
		best, bestCost := -1, math.Inf(1)
		for j := i + 1; j < len(bs); j++ {
			b := bs[j]
			hm := float64(max(a.h(), b.h()))
			dx := b.cx - a.cx
			if dx > 2.2*hm {
				break
			}
			dy := math.Abs(b.cy - a.cy)
			ratio := float64(a.h()) / float64(b.h())
			if dx <= 0.2*hm || dy > 0.4*hm || ratio > 2.6 || ratio < 1/2.6 || float64(b.x0-a.x1) > 1.5*hm {
				continue
			}
			if c := dx + 3*dy; c < bestCost {
				best, bestCost = j, c
			}
		}
		if best < 0 {
			continue
		}
		if p := prev[best]; p >= 0 {
			if cost[p] <= bestCost {
				continue
			}
			next[p] = -1
		}
		next[i], prev[best], cost[i] = best, i, bestCost
	}
	var out [][]blob
	for i := range bs {
		if prev[i] >= 0 {
			continue
		}
		var c []blob
		for j := i; j >= 0; j = next[j] {
			c = append(c, bs[j])
		}
		if len(c) >= minChain {
			out = append(out, c)
		}
	}
	return out
}

// minChain is the fewest blobs a row may have to be looked at: a zone line has 30 to 44 characters,
// and blur may merge or drop some.
const minChain = 16

// zoneWidths are the line lengths of the formats: TD1, TD2 and MRV-B, TD3 and MRV-A.
var zoneWidths = []int{30, 36, 44}

// fitLine turns a chain into a line of fixed pitch, or false when its length is not that of a
// zone line.
func fitLine(c []blob) (textLine, bool) {
	heights := make([]int, len(c))
	for i, b := range c {
		heights[i] = b.h()
	}
	slices.Sort(heights)
	capH := float64(heights[len(heights)*3/4])
	// The row's direction, from the centres of the full-height characters ('<' is smaller).
	var sx, sy, sxx, sxy, n float64
	for _, b := range c {
		if float64(b.h()) < 0.8*capH {
			continue
		}
		sx += b.cx
		sy += b.cy
		sxx += b.cx * b.cx
		sxy += b.cx * b.cy
		n++
	}
	if n < 5 {
		return textLine{}, false
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	mx, my := sx/n, sy/n
	ux, uy := 1/math.Hypot(1, slope), slope/math.Hypot(1, slope)
	capH *= ux // a tilted glyph's box is taller than the glyph
	// Positions along the row, and the pitch from the steps between neighbours.
	t := make([]float64, len(c))
	for i, b := range c {
		t[i] = (b.cx-mx)*ux + (b.cy-my)*uy
	}
	var steps []float64
	for i := 1; i < len(t); i++ {
		steps = append(steps, t[i]-t[i-1])
	}
	slices.Sort(steps)
	pitch := steps[len(steps)/2]
	if pitch <= 0 {
		return textLine{}, false
	}
	span := t[len(t)-1] - t[0]
	count := int(math.Round(span/pitch)) + 1
	width := 0
	for _, z := range zoneWidths {
		if math.Abs(float64(count-z)) <= math.Max(1.5, 0.07*float64(z)) {
			width = z
		}
	}
	if width == 0 {
		return textLine{}, false
	}
	pitch = span / float64(width-1)
	// Refine origin and pitch by least squares over the blobs that sit alone in a cell.
	var ks, kt, kk, tt, m float64
	for i, b := range c {
		if float64(b.w()) > 1.1*pitch {
			continue
		}
		k := math.Round((t[i] - t[0]) / pitch)
		ks += k
		kt += k * t[i]
		kk += k * k
		tt += t[i]
		m++
	}
	t0 := t[0]
	if den := m*kk - ks*ks; m >= 5 && den > 0 {
		p := (m*kt - ks*tt) / den
		if math.Abs(p-pitch) < 0.05*pitch {
			pitch = p
			t0 = (tt - pitch*ks) / m
		}
	}
	// The centre line across the row: from the full-height characters, as the fit.
	l := textLine{ux: ux, uy: uy, pitch: pitch, height: capH, n: width}
	l.ox, l.oy = mx+t0*ux, my+t0*uy
	l.offset = -l.ox*uy + l.oy*ux
	return l, true
}

// zones groups lines into candidate zones: 3 lines of 30 characters or 2 of 36 or 44, parallel,
// of equal pitch, starting at the same place and stacked at about a line's spacing. The lowest
// zones come first.
func zones(lines []textLine) [][]textLine {
	sort.Slice(lines, func(i, j int) bool { return lines[i].offset < lines[j].offset })
	var out [][]textLine
	for i := range lines {
		want := 2
		if lines[i].n == 30 {
			want = 3
		}
		z := []textLine{lines[i]}
		for j := i + 1; j < len(lines) && len(z) < want; j++ {
			a, b := z[len(z)-1], lines[j]
			gap := b.offset - a.offset
			along := (b.ox-a.ox)*a.ux + (b.oy-a.oy)*a.uy
			if b.n != a.n || gap < 1.1*a.height || gap > 3.5*a.height ||
				math.Abs(b.pitch-a.pitch) > 0.1*a.pitch || math.Abs(along) > 1.5*a.pitch ||
				math.Abs(a.ux*b.uy-a.uy*b.ux) > 0.05 {
				continue
			}
			z = append(z, b)
		}
		if len(z) == want {
			out = append(out, z)
		}
	}
	slices.Reverse(out)
	return out
}

// unturn maps a line found in the image turned clockwise by quarter turns back into the image of
// w x h pixels that was turned.
func (l textLine) unturn(quarters, w, h int) textLine {
	x, y, ux, uy := l.ox, l.oy, l.ux, l.uy
	switch quarters % 4 {
	case 1: // the turn took (x, y) to (h-y, x)
		x, y, ux, uy = y, float64(h)-x, uy, -ux
	case 2:
		x, y, ux, uy = float64(w)-x, float64(h)-y, -ux, -uy
	case 3: // the turn took (x, y) to (y, w-x)
		x, y, ux, uy = float64(w)-y, x, -uy, ux
	}
	l.ox, l.oy, l.ux, l.uy = x, y, ux, uy
	return l
}
