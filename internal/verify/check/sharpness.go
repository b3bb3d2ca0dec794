package check

import "image"

// LaplacianVariance measures sharpness: the variance of the 4-neighbour Laplacian
// (up + down + left + right - 4 x centre) over the inner pixels of Normalize(img). Edges give the
// Laplacian large values of both signs, so a sharp picture has a high variance and a blurred one a
// low variance. It is 0 for an image smaller than 3 x 3.
func LaplacianVariance(img image.Image) float64 {
	g := Normalize(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 3 || h < 3 {
		return 0
	}
	var sum, sumSq float64
	for y := 1; y < h-1; y++ {
		up, row, down := g.Pix[(y-1)*g.Stride:], g.Pix[y*g.Stride:], g.Pix[(y+1)*g.Stride:]
		var s, sq int64
		for x := 1; x < w-1; x++ {
			l := int64(up[x]) + int64(down[x]) + int64(row[x-1]) + int64(row[x+1]) - 4*int64(row[x])
			s += l
			sq += l * l
		}
		sum += float64(s)
		sumSq += float64(sq)
	}
	n := float64((w - 2) * (h - 2))
	mean := sum / n
	return sumSq/n - mean*mean
}

// SharpnessScore is LaplacianVariance less the share of it that is sensor noise: the square of
// the noise's Laplacian standard deviation, estimated from the median absolute Laplacian (for
// Gaussian noise the median of |L| is 0.6745 standard deviations). Most of a document is plain
// paper, where the Laplacian is noise alone, so the median finds the noise and what is left is
// the edges' own. Never below 0.
func SharpnessScore(img image.Image) float64 {
	g := Normalize(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 3 || h < 3 {
		return 0
	}
	var hist [1021]int // |L| is at most 4 x 255
	var sum, sumSq float64
	for y := 1; y < h-1; y++ {
		up, row, down := g.Pix[(y-1)*g.Stride:], g.Pix[y*g.Stride:], g.Pix[(y+1)*g.Stride:]
		var s, sq int64
		for x := 1; x < w-1; x++ {
			l := int(up[x]) + int(down[x]) + int(row[x-1]) + int(row[x+1]) - 4*int(row[x])
			hist[max(l, -l)]++
			s += int64(l)
			sq += int64(l * l)
		}
		sum += float64(s)
		sumSq += float64(sq)
	}
	n := (w - 2) * (h - 2)
	mean := sum / float64(n)
	variance := sumSq/float64(n) - mean*mean
	seen, median := 0, 0
	for v, c := range hist {
		seen += c
		if 2*seen > n {
			median = v
			break
		}
	}
	sigma := float64(median) / 0.6745
	return max(0, variance-sigma*sigma)
}
