package mrzimage

import (
	"math"
	"slices"
	"sort"
)

// textLine is a row of characters at a fixed pitch, as a photo taken at an angle sees it: the
// centre of character k lies at t(k) along the unit vector u from the first one's, where t is the
// projective map of an evenly spaced row, t(k) = pitch*k*(1+c*(n-1))/(1+c*k). With c = 0 the
// pitch is the same everywhere; otherwise it shrinks (c > 0) or grows along the line, and pitch
// is its mean.
type textLine struct {
	ox, oy float64 // centre of the first character
	ux, uy float64
	pitch  float64 // mean distance between neighbouring centres
	c      float64 // perspective: how the pitch changes along the line (see above)
	height float64 // of a capital letter, at the mean pitch
	n      int     // characters
	offset float64 // distance of the line from the image origin across the line, for ordering
}

// at returns the distance along the line from the first character's centre to character k's
// (k need not be whole).
func (l textLine) at(k float64) float64 {
	return l.pitch * k * (1 + l.c*float64(l.n-1)) / (1 + l.c*k)
}

// scale returns the size of character k relative to the line's mean: its local pitch over the
// mean pitch.
func (l textLine) scale(k float64) float64 {
	return (1 + l.c*float64(l.n-1)) / sq(1+l.c*k)
}

func sq(v float64) float64 { return v * v }

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
// zone line. A chain may have run into something at either end (the card's edge, a mark on the
// table): when an end blob is unlike the row's characters (see odd), the chain is also fitted
// without it, and the fit whose characters sit closest to their cells wins.
func fitLine(c []blob) (textLine, bool) {
	var best textLine
	bestErr, found := math.Inf(1), false
	if len(c) < 2 {
		return best, false
	}
	oddFirst, oddLast := odd(c, c[0], c[1]), odd(c, c[len(c)-1], c[len(c)-2])
	for _, ends := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		if len(c)-ends[0]-ends[1] < minChain || ends[0] == 1 && !oddFirst || ends[1] == 1 && !oddLast {
			continue
		}
		if l, e, ok := fitChain(c[ends[0] : len(c)-ends[1]]); ok && e < bestErr {
			best, bestErr, found = l, e, true
		}
	}
	return best, found
}

// odd reports whether blob b at an end of chain c, next to blob next, may be something else
// than a character of the row: taller than the row's capitals by a fifth, or a step from its
// neighbour that is not about the row's usual step.
func odd(c []blob, b, next blob) bool {
	hs := make([]int, len(c))
	steps := make([]float64, 0, len(c)-1)
	for i := range c {
		hs[i] = c[i].h()
		if i > 0 {
			steps = append(steps, math.Hypot(c[i].cx-c[i-1].cx, c[i].cy-c[i-1].cy))
		}
	}
	slices.Sort(hs)
	slices.Sort(steps)
	step, capH := steps[len(steps)/2], float64(hs[len(hs)*3/4])
	d := math.Hypot(b.cx-next.cx, b.cy-next.cy)
	return float64(b.h()) > 1.2*capH || d < 0.7*step || d > 1.3*step
}

// fitChain fits a line to the chain as fitLine does, and returns with it the root mean square
// distance, in pitches, of the blobs that sit alone in their cells from their cells' centres.
func fitChain(c []blob) (textLine, float64, bool) {
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
		return textLine{}, 0, false
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
	// The cell of each blob, then the pitch along the row, from the blobs that sit alone in a cell.
	k, width, ok := cellIndexes(t)
	if !ok {
		return textLine{}, 0, false
	}
	single := make([]bool, len(c))
	for i, b := range c {
		single[i] = float64(b.w()) <= 1.1*(t[len(t)-1]-t[0])/float64(width-1)
	}
	f, ok := fitRow(t, k, single, width)
	if !ok {
		return textLine{}, 0, false
	}
	// Once more, with the cells that the fitted row gives.
	for i := range t {
		k[i] = math.Round(f.index(t[i]))
	}
	if g, ok := fitRow(t, k, single, width); ok {
		f = g
	}
	// The centre line across the row: from the full-height characters, as the fit.
	l := textLine{ux: ux, uy: uy, height: capH, n: width}
	t0, t1 := f.pos(0), f.pos(float64(width-1))
	l.pitch = (t1 - t0) / float64(width-1)
	l.c = f.c
	l.ox, l.oy = mx+t0*ux, my+t0*uy
	l.offset = -l.ox*uy + l.oy*ux
	var se, m float64
	for i := range t {
		if single[i] {
			se += sq((t[i] - f.pos(k[i])) / l.pitch)
			m++
		}
	}
	return l, math.Sqrt(se / m), true
}

// cellIndexes returns the index of the character cell that each position of a row lies in, and
// the row's length in characters, or false when that is not the length of a zone line. The
// pitch is taken as changing linearly along the row (fitted to the steps between neighbours that
// are about one pitch), so that a row seen at an angle, whose pitch changes by a third from one
// end to the other, is still counted right.
func cellIndexes(t []float64) ([]float64, int, bool) {
	steps := make([]float64, 0, len(t)-1)
	for i := 1; i < len(t); i++ {
		steps = append(steps, t[i]-t[i-1])
	}
	sorted := slices.Clone(steps)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if med <= 0 {
		return nil, 0, false
	}
	// The local pitch p0 + p1*(t-t[0]), by least squares over the steps of about one pitch.
	var n, sx, sy, sxx, sxy float64
	for i, s := range steps {
		if s < 0.75*med || s > 1.3*med {
			continue
		}
		x := (t[i]+t[i+1])/2 - t[0]
		n++
		sx += x
		sy += s
		sxx += x * x
		sxy += x * s
	}
	p0, p1 := med, 0.0
	if den := n*sxx - sx*sx; n >= 5 && den > 0 {
		p1 = (n*sxy - sx*sy) / den
		p0 = (sy - p1*sx) / n
	}
	span := t[len(t)-1] - t[0]
	if p0 <= 0 || p0+p1*span <= 0 || math.Abs(p1*span) > 0.6*p0 {
		p0, p1 = med, 0
	}
	// The number of pitches from t[0] to x: the integral of 1/(p0+p1*u) du.
	index := func(x float64) float64 {
		if math.Abs(p1*span) < 1e-3*p0 {
			return x / p0
		}
		return math.Log((p0+p1*x)/p0) / p1
	}
	count := math.Round(index(span)) + 1
	width := 0
	for _, z := range zoneWidths {
		if math.Abs(count-float64(z)) <= math.Max(1.5, 0.07*float64(z)) {
			width = z
		}
	}
	if width == 0 {
		return nil, 0, false
	}
	// The row is taken to run from the first cell to the last, so the count is scaled to fit.
	k := make([]float64, len(t))
	end := index(span)
	for i := range t {
		k[i] = math.Round(index(t[i]-t[0]) * float64(width-1) / end)
	}
	return k, width, true
}

// rowFit is the projective map t = (a*k + b) / (c*k + 1) from a character's index k along a row to
// its position t: the map of an evenly spaced row seen in perspective.
type rowFit struct{ a, b, c float64 }

func (f rowFit) pos(k float64) float64   { return (f.a*k + f.b) / (f.c*k + 1) }
func (f rowFit) index(t float64) float64 { return (t - f.b) / (f.a - t*f.c) }

// fitRow fits the row's map to the positions t of the blobs at cells k that sit alone in their
// cell, by least squares on t = a*k + b - c*k*t, or reports false when too few do, when the map
// does not keep the row's length, or when the pitch would change by more than half along it.
func fitRow(t, k []float64, single []bool, width int) (rowFit, bool) {
	var m [3][4]float64
	n := 0
	for i := range t {
		if !single[i] {
			continue
		}
		row := [4]float64{k[i], 1, -k[i] * t[i], t[i]}
		for r := 0; r < 3; r++ {
			for q := 0; q < 4; q++ {
				m[r][q] += row[r] * row[q]
			}
		}
		n++
	}
	if n < 6 {
		return rowFit{}, false
	}
	sol, ok := solve3(m)
	if !ok {
		return rowFit{}, false
	}
	f := rowFit{sol[0], sol[1], sol[2]}
	last := float64(width - 1)
	if 1+f.c*last <= 0 {
		return rowFit{}, false
	}
	p0, p1 := f.pos(1)-f.pos(0), f.pos(last)-f.pos(last-1)
	if p0 <= 0 || p1 <= 0 || p1 > 1.5*p0 || p0 > 1.5*p1 {
		return rowFit{}, false
	}
	return f, true
}

// solve3 solves the 3 x 3 system m[:, :3] x = m[:, 3] by Gaussian elimination with pivoting.
func solve3(m [3][4]float64) ([3]float64, bool) {
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return [3]float64{}, false
		}
		m[c], m[p] = m[p], m[c]
		for r := 0; r < 3; r++ {
			if r != c {
				f := m[r][c] / m[c][c]
				for q := c; q < 4; q++ {
					m[r][q] -= f * m[c][q]
				}
			}
		}
	}
	return [3]float64{m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]}, true
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
