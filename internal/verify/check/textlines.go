package check

import (
	"image"
	"slices"
)

// TextRows is what FindTextRows found: rows of character-sized marks printed on a line.
type TextRows struct {
	// Rows is the number of rows of at least MinRowGlyphs glyphs.
	Rows int
	// Glyphs is the number of glyphs in those rows.
	Glyphs int
	// Box bounds those rows, in pixels of the grey image searched.
	Box image.Rectangle
	// rows are the glyphs of each row.
	rows [][]glyph
}

// glyph is a connected component of ink with the size and shape of a printed character: its
// bounding box in pixels of the grey image it was found in.
type glyph struct {
	box image.Rectangle
}

func (c glyph) h() int       { return c.box.Dy() }
func (c glyph) cx() float64  { return float64(c.box.Min.X+c.box.Max.X) / 2 }
func (c glyph) cy2() int     { return c.box.Min.Y + c.box.Max.Y }
func (c glyph) top() float64 { return float64(c.box.Min.Y) }
func (c glyph) bot() float64 { return float64(c.box.Max.Y) }

// Text-row detection parameters, in pixels of the grey image searched (Normalize(img) for
// DocumentShown). They were set on the generated documents of docshown_gen_test.go (tuning seed)
// and the test images; the figures are in DocumentShown's constants.
const (
	// inkWindow is the radius of the square whose mean level a pixel is compared with: wider than
	// the tallest character of a card's zone at 512 px (18 px), so that a character's own ink does
	// not lift the mean much.
	inkWindow = 12
	// inkContrast is the least depth below the local mean, in levels, and inkRelative the least
	// share of the local mean, by which a pixel must be darker to be ink: sensor noise (sigma up to
	// 5 levels) and JPEG ringing stay above both; print, even dim and blurred, lies below.
	inkContrast = 14
	inkRelative = 0.12
	// glyphMinH and glyphMaxShare bound a glyph's height: from glyphMinH pixels (the labels of a
	// passport card at 512 px are 5-6 px high) to glyphMaxShare of the image's shorter side.
	glyphMinH     = 4
	glyphMaxShare = 0.1
	// rowHeightTol and rowLineTol make a chain of glyphs a row: every glyph of the row is within
	// rowHeightTol times the row's median height (either way), and its top and bottom within
	// rowLineTol of that height of the straight lines fitted through the row's tops and bottoms.
	// Pairs of neighbouring marks in a texture (a cat's stripes, the grain of a table) chain up
	// as easily as letters; that a whole row keeps one height and one line is what print does
	// and textures do not: on the tuning seed's non-documents, rows of 4 or more glyphs fell from
	// up to 7 per image to at most 2 once aligned, while every document kept 4 or more. Tighter
	// values (1.25, 0.12) separated the tuning seed no better and would lose more real print.
	rowHeightTol = 1.4
	rowLineTol   = 0.2
	// MinRowGlyphs is the least number of aligned glyphs of a row. With 4, the tuning seed's
	// documents have 4 rows or more and its non-documents 2 at most; with 3, non-documents had up
	// to 5 and documents 6 or more; with 5, documents without a zone fell to 2.
	MinRowGlyphs = 4
)

// FindTextRows looks for printed text in g: pixels darker than their surroundings (by inkContrast
// levels and inkRelative of the mean of the square of radius inkWindow around them) are ink; the
// 8-connected components of ink with the height and shape of a character are glyphs; each glyph
// is chained to the nearest glyph on its right whose height differs from its own by less than
// half the taller one, whose centre is less than half of it higher or lower, and whose gap is at
// most the taller one's height; and the glyphs of a chain that share its height and lie on its
// line (rowHeightTol, rowLineTol) form a row when they are MinRowGlyphs or more. Its cost is
// linear in g's pixels.
func FindTextRows(g *image.Gray) TextRows {
	var tr TextRows
	for _, chain := range chains(findGlyphs(g)) {
		row := aligned(chain)
		if len(row) < MinRowGlyphs {
			continue
		}
		tr.rows = append(tr.rows, row)
		tr.Rows++
		tr.Glyphs += len(row)
		for _, c := range row {
			if tr.Box.Empty() {
				tr.Box = c.box
			}
			tr.Box = tr.Box.Union(c.box)
		}
	}
	return tr
}

// findGlyphs returns the character-sized connected components of ink in g.
func findGlyphs(g *image.Gray) []glyph {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 2*glyphMinH || h < 2*glyphMinH {
		return nil
	}
	ink := inkMask(g)
	maxH := max(glyphMinH, int(glyphMaxShare*float64(min(w, h))))
	var stack []int
	var glyphs []glyph
	for start, isInk := range ink {
		if !isInk {
			continue
		}
		// Flood the component from start, clearing its ink as it goes.
		ink[start] = false
		stack = append(stack[:0], start)
		n := 0
		x0, y0, x1, y1 := start%w, start/w, start%w, start/w
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			n++
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			for ny := max(0, y-1); ny <= min(h-1, y+1); ny++ {
				for nx := max(0, x-1); nx <= min(w-1, x+1); nx++ {
					if j := ny*w + nx; ink[j] {
						ink[j] = false
						stack = append(stack, j)
					}
				}
			}
		}
		if bw, bh := x1-x0+1, y1-y0+1; isGlyph(bw, bh, n, maxH) {
			glyphs = append(glyphs, glyph{box: image.Rect(x0, y0, x1+1, y1+1)})
		}
	}
	return glyphs
}

// isGlyph tells whether a component of n pixels in a bw x bh box has a character's size and
// shape: from glyphMinH to maxH high, at most twice as wide as high and at least a quarter, and
// not a solid blob unless it is a narrow stroke (I, l, 1).
func isGlyph(bw, bh, n, maxH int) bool {
	if bh < glyphMinH || bh > maxH || bw > 2*bh || 4*bw < bh {
		return false
	}
	return 100*n <= 85*bw*bh || 3*bw <= bh
}

// inkMask marks the pixels of g darker than the mean of the square of radius inkWindow around
// them by at least inkContrast levels and inkRelative of that mean.
func inkMask(g *image.Gray) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	// Summed-area table, one row and one column larger than g.
	sat := make([]uint32, (w+1)*(h+1))
	for y := range h {
		var row uint32
		for x, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			row += uint32(v)
			sat[(y+1)*(w+1)+x+1] = sat[y*(w+1)+x+1] + row
		}
	}
	ink := make([]bool, w*h)
	for y := range h {
		ya, yb := max(0, y-inkWindow), min(h, y+inkWindow+1)
		for x, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			xa, xb := max(0, x-inkWindow), min(w, x+inkWindow+1)
			sum := sat[yb*(w+1)+xb] - sat[ya*(w+1)+xb] - sat[yb*(w+1)+xa] + sat[ya*(w+1)+xa]
			mean := float64(sum) / float64((yb-ya)*(xb-xa))
			if d := mean - float64(v); d >= inkContrast && d >= inkRelative*mean {
				ink[y*w+x] = true
			}
		}
	}
	return ink
}

// chains links each glyph to the nearest glyph on its right that could be the next character of
// its line, and returns the chains so linked (a glyph that several link to joins their chains).
func chains(glyphs []glyph) [][]glyph {
	slices.SortFunc(glyphs, func(a, b glyph) int { return a.box.Min.X - b.box.Min.X })
	tallest := 0
	for _, c := range glyphs {
		tallest = max(tallest, c.h())
	}
	parent := make([]int, len(glyphs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range glyphs {
		best, bestGap := -1, 0
		for j := i + 1; j < len(glyphs); j++ {
			b := glyphs[j]
			gap := b.box.Min.X - a.box.Max.X
			if gap > tallest {
				break // sorted by left edge: every later glyph is farther
			}
			tall := max(a.h(), b.h())
			if gap > tall || 2*abs(a.h()-b.h()) >= tall || abs(a.cy2()-b.cy2()) >= tall {
				continue
			}
			if best < 0 || gap < bestGap {
				best, bestGap = j, gap
			}
		}
		if best >= 0 {
			parent[find(best)] = find(i)
		}
	}
	byRoot := map[int][]glyph{}
	for i, c := range glyphs {
		r := find(i)
		byRoot[r] = append(byRoot[r], c)
	}
	out := make([][]glyph, 0, len(byRoot))
	for i := range glyphs {
		if chain, ok := byRoot[i]; ok {
			out = append(out, chain)
		}
	}
	return out
}

// aligned returns the glyphs of a chain that are printed on one line: within rowHeightTol of the
// chain's median height, with their tops and bottoms each within rowLineTol of that height of a
// straight line (fitted by least squares, so that a tilted row is still a row).
func aligned(chain []glyph) []glyph {
	if len(chain) < MinRowGlyphs {
		return nil
	}
	hs := make([]int, len(chain))
	for i, c := range chain {
		hs[i] = c.h()
	}
	slices.Sort(hs)
	med := float64(hs[len(hs)/2])
	var even []glyph
	for _, c := range chain {
		if h := float64(c.h()); h <= med*rowHeightTol && h*rowHeightTol >= med {
			even = append(even, c)
		}
	}
	if len(even) < MinRowGlyphs {
		return nil
	}
	tol := max(1, rowLineTol*med)
	top, bot := fitLine(even, glyph.top), fitLine(even, glyph.bot)
	var row []glyph
	for _, c := range even {
		if abs64(c.top()-top(c.cx())) <= tol && abs64(c.bot()-bot(c.cx())) <= tol {
			row = append(row, c)
		}
	}
	return row
}

// fitLine fits y = a + b x by least squares through the glyphs' centres (x) and f (y).
func fitLine(row []glyph, f func(glyph) float64) func(x float64) float64 {
	var sx, sy, sxx, sxy float64
	n := float64(len(row))
	for _, c := range row {
		x, y := c.cx(), f(c)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return func(float64) float64 { return sy / n }
	}
	b := (n*sxy - sx*sy) / d
	a := (sy - b*sx) / n
	return func(x float64) float64 { return a + b*x }
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
