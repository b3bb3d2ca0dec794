package check

import "image"

// GlareSpot is a compact patch of clipped highlights inside the document area that stands out
// from the paper around it: the reflection of a lamp or flash on a glossy page or laminate, which
// hides whatever is printed beneath it.
type GlareSpot struct {
	// Box is the spot's bounding box in Normalize(img)'s pixels.
	Box image.Rectangle
	// Share is the spot's area as a share of the document area.
	Share float64
	// RimClipped is the share of clipped pixels in the rim around Box: low for a spot on paper
	// that is not itself clipped.
	RimClipped float64
	// RimLevel is the median level of the rim: the paper around the spot.
	RimLevel int
}

// MaxPaperClipped is the greatest clipped share of the document area (Luminance.Clipped) at which
// FindGlare looks for spots. On the tuning seed of the generated captures (quality_test.go) white
// bills and passport pages photographed in bright light have at most 10% clipped, glare spots
// included, and bright scans, whose paper is clipped, at least 69%; 0.4 lies between.
const MaxPaperClipped = 0.4

// The median level of the rim around a glare spot, the paper's level there, lies from MinRimLevel
// to MaxRimLevel. On the tuning seed the rims of glare spots over text (paper at 190-230) have
// median levels 202-234, while the clipped patches of blank paper on bright pages, enclosed by
// print, have rims at 242-249 (those of the tuning seed and two of seed 2): the paper beside them is at the edge of clipping too, and the
// level does not fall steeply. The white badge on the astronaut's sleeve, in test images, has a
// rim of 111: a white object, not paper. Glare on paper that is itself within 10 levels of
// clipping is not told apart from the paper, and passes.
const (
	// MinRimLevel is the least median level of a glare spot's rim.
	MinRimLevel = 160
	// MaxRimLevel is the greatest median level of a glare spot's rim.
	MaxRimLevel = ClippedLevel - 10
)

// FindGlare returns the largest glare spot in the document area (DocumentArea) of Normalize(img),
// and whether there is one. A spot is a 4-connected region of pixels at or above ClippedLevel
// that
//   - does not touch the document area's border: white paper clipped in a bright scan, or a light
//     background, is one region that runs to the border, not a spot;
//   - fills at least 40% of its bounding box: a spot is compact, not the white between lines of
//     text;
//   - lies on paper that is not clipped: the band around its bounding box, a quarter of the box's
//     shorter side wide (at least 3 px), has at most half its pixels clipped and a median level
//     from MinRimLevel to MaxRimLevel. The level falls steeply from the spot to the paper around
//     it, where the speckle of a scan's paper at the edge of clipping sits on paper nearly as
//     bright, and a white table cell of a clipped scan is bordered by the clipped cells beyond
//     its ruled lines; a white object in a photograph (a badge on a sleeve) has darker
//     surroundings than paper.
//
// There is no glare spot when more than MaxPaperClipped of the document area is clipped: then the
// paper itself is clipped white (a bright scan, or a washed-out photo, which Exposure refuses),
// and a white patch on it is paper.
func FindGlare(img image.Image) (GlareSpot, bool) {
	g := Normalize(img)
	area := DocumentArea(g.Rect)
	w, h := area.Dx(), area.Dy()
	if w <= 0 || h <= 0 || MeasureLuminance(g).Clipped > MaxPaperClipped {
		return GlareSpot{}, false
	}
	clipped := func(x, y int) bool { return g.Pix[(area.Min.Y+y)*g.Stride+area.Min.X+x] >= ClippedLevel }
	seen := make([]bool, w*h)
	var best GlareSpot
	var stack []int
	for start := range seen {
		if seen[start] || !clipped(start%w, start/w) {
			continue
		}
		// Flood the region from start.
		seen[start] = true
		stack = append(stack[:0], start)
		n, border := 0, false
		box := image.Rect(start%w, start/w, start%w+1, start/w+1)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			n++
			box = box.Union(image.Rect(x, y, x+1, y+1))
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				border = true
			}
			for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; !seen[j] && clipped(nx, ny) {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		share := float64(n) / float64(w*h)
		if border || share <= best.Share || 5*n < 2*box.Dx()*box.Dy() {
			continue
		}
		clip, level := rim(g, box.Add(area.Min), area)
		if clip > 0.5 || level < MinRimLevel || level > MaxRimLevel {
			continue
		}
		best = GlareSpot{Box: box.Add(area.Min), Share: share, RimClipped: clip, RimLevel: level}
	}
	return best, best.Share > 0
}

// rim returns the share of clipped pixels and the median level of g in the band around box, a
// quarter of box's shorter side wide (at least 3 px), within area. The median is the paper's
// level: print covers less than half of the band.
func rim(g *image.Gray, box, area image.Rectangle) (clipped float64, median int) {
	m := max(3, min(box.Dx(), box.Dy())/4)
	outer := box.Inset(-m).Intersect(area)
	var hist [256]int
	n := 0
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		for x := outer.Min.X; x < outer.Max.X; x++ {
			if (image.Point{X: x, Y: y}).In(box) {
				continue
			}
			hist[g.Pix[y*g.Stride+x]]++
			n++
		}
	}
	if n == 0 {
		return 1, 255
	}
	seen := 0
	for v, c := range hist {
		seen += c
		if 2*seen >= n {
			median = v
			break
		}
	}
	for _, c := range hist[ClippedLevel:] {
		clipped += float64(c)
	}
	return clipped / float64(n), median
}
