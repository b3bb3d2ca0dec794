package face

import (
	"image"
	"math"

	"golang.org/x/image/draw"

	"kycd/internal/face/embedding"
	"kycd/internal/face/landmarks"
)

// chipPadding is dlib's padding for the recognition net's chips (dnn_face_recognition_ex.cpp:
// get_face_chip_details(shape, 150, 0.25)): a quarter of the template's size on each side.
const chipPadding = 0.25

// meanFaceX and meanFaceY are dlib's mean face shape for landmarks 17–67, in a unit square.
var meanFaceX = [51]float64{
	0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
	0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
	0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
	0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
	0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
	0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
	0.553364, 0.490127, 0.42689,
}

var meanFaceY = [51]float64{
	0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
	0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
	0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
	0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
	0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
	0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
	0.784792, 0.824182, 0.831803, 0.824182,
}

// alignedLandmark reports whether dlib aligns on landmark i: not the brows (17–26), the jaw
// (0–16) or the lower lip (55–59, 65–67).
func alignedLandmark(i int) bool {
	return i >= 27 && !(55 <= i && i <= 59) && !(65 <= i && i <= 67)
}

// similarity is the map p ↦ [a −b; b a]·p + (tx, ty): a scale, a rotation and a shift.
type similarity struct{ a, b, tx, ty float64 }

func (s similarity) apply(x, y float64) (float64, float64) {
	return s.a*x - s.b*y + s.tx, s.b*x + s.a*y + s.ty
}

// scale is how many output units one input unit becomes.
func (s similarity) scale() float64 { return math.Hypot(s.a, s.b) }

// fitSimilarity returns the similarity that maps from onto to with the least squared error
// (the closed form of Umeyama's method in two dimensions).
func fitSimilarity(from, to []Point) similarity {
	var fx, fy, tx, ty float64
	for i := range from {
		fx, fy, tx, ty = fx+from[i].X, fy+from[i].Y, tx+to[i].X, ty+to[i].Y
	}
	n := float64(len(from))
	fx, fy, tx, ty = fx/n, fy/n, tx/n, ty/n
	var dot, cross, norm float64
	for i := range from {
		px, py := from[i].X-fx, from[i].Y-fy
		qx, qy := to[i].X-tx, to[i].Y-ty
		dot += px*qx + py*qy
		cross += px*qy - py*qx
		norm += px*px + py*py
	}
	if norm == 0 {
		return similarity{a: 1, tx: tx - fx, ty: ty - fy}
	}
	a, b := dot/norm, cross/norm
	return similarity{a: a, b: b, tx: tx - (a*fx - b*fy), ty: ty - (b*fx + a*fy)}
}

// chipTransform maps the chip's pixels to the photo's: dlib's template, padded and scaled to the
// chip, fitted onto the landmarks it aligns on.
func chipTransform(pts *[landmarks.N]Point) similarity {
	var from, to []Point
	for i := range pts {
		if !alignedLandmark(i) {
			continue
		}
		x := (chipPadding + meanFaceX[i-17]) / (2*chipPadding + 1) * embedding.Size
		y := (chipPadding + meanFaceY[i-17]) / (2*chipPadding + 1) * embedding.Size
		from = append(from, Point{x, y})
		to = append(to, pts[i])
	}
	return fitSimilarity(from, to)
}

// alignChip cuts the 150×150 chip of the face with these landmarks out of img.
func alignChip(img image.Image, pts *[landmarks.N]Point) *image.RGBA {
	return cutChip(img, chipTransform(pts), embedding.Size)
}

// cutChip samples the n×n image whose pixel (x, y) is img at t(x, y). Where one chip pixel spans
// more than two of img's, the region is first scaled with a Catmull-Rom filter so that it spans
// two, then sampled bilinearly; what falls outside img is black.
func cutChip(img image.Image, t similarity, n int) *image.RGBA {
	// The region of img the chip covers.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float64{{0, 0}, {float64(n), 0}, {0, float64(n)}, {float64(n), float64(n)}} {
		x, y := t.apply(c[0], c[1])
		minX, maxX, minY, maxY = min(minX, x), max(maxX, x), min(minY, y), max(maxY, y)
	}
	region := image.Rect(int(math.Floor(minX))-1, int(math.Floor(minY))-1,
		int(math.Ceil(maxX))+2, int(math.Ceil(maxY))+2).Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, n, n))
	if region.Empty() {
		return out
	}
	k := min(1, 2/t.scale()) // region pixels to work pixels
	ww, wh := max(1, int(math.Ceil(float64(region.Dx())*k))), max(1, int(math.Ceil(float64(region.Dy())*k)))
	work := image.NewRGBA(image.Rect(0, 0, ww, wh))
	draw.CatmullRom.Scale(work, work.Bounds(), img, region, draw.Src, nil)
	kx, ky := float64(ww)/float64(region.Dx()), float64(wh)/float64(region.Dy())
	for y := range n {
		for x := range n {
			sx, sy := t.apply(float64(x), float64(y))
			// Pixel centres: work pixel j covers region [j/k, (j+1)/k).
			wx := (sx-float64(region.Min.X)+0.5)*kx - 0.5
			wy := (sy-float64(region.Min.Y)+0.5)*ky - 0.5
			o := y*out.Stride + 4*x
			bilinear(work, wx, wy, out.Pix[o:o+4])
		}
	}
	return out
}

// bilinear writes img's colour at (x, y), interpolated between its four nearest pixels, into px
// (R, G, B, A); a point outside img is transparent black.
func bilinear(img *image.RGBA, x, y float64, px []uint8) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if x < -0.5 || y < -0.5 || x > float64(w)-0.5 || y > float64(h)-0.5 {
		return
	}
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(i, j int) []uint8 {
		i, j = min(max(i, 0), w-1), min(max(j, 0), h-1)
		o := j*img.Stride + 4*i
		return img.Pix[o : o+4]
	}
	p00, p10, p01, p11 := at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
	for c := range 3 {
		v := (1-fy)*((1-fx)*float64(p00[c])+fx*float64(p10[c])) + fy*((1-fx)*float64(p01[c])+fx*float64(p11[c]))
		px[c] = uint8(math.Round(min(255, max(0, v))))
	}
	px[3] = 255
}
