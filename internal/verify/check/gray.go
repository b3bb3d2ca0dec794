package check

import (
	"image"
	"image/color"
)

// NormalSide is the longest side, in pixels, of the grayscale copy that the image checks read
// (Normalize): measures such as sharpness are only comparable between images of one size, and
// half a megapixel is enough to judge sharpness and exposure and to find a face that fills a
// tenth of the picture.
const NormalSide = 512

// Normalize returns the grayscale copy of img that the image checks read: luminance (ITU-R BT.601
// weights, the Y of a JPEG), reduced by area averaging so that its longer side is at most
// NormalSide pixels; a smaller image keeps its size. Every image check calls Normalize itself, and
// Normalize returns an image it made unchanged, so a caller running several checks on one image
// may pass them Normalize(img) once and get the same answers faster.
func Normalize(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if g, ok := img.(*image.Gray); ok && b.Min == (image.Point{}) && g.Stride == w && max(w, h) <= NormalSide {
		return g
	}
	tw, th := w, h
	if long := max(w, h); long > NormalSide {
		tw = max(1, (w*NormalSide+long/2)/long)
		th = max(1, (h*NormalSide+long/2)/long)
	}
	dst := image.NewGray(image.Rect(0, 0, tw, th))
	if w == 0 || h == 0 {
		return dst
	}
	rowOf := grayRows(img)
	row := make([]uint8, w)
	acc := make([]uint32, w)
	for ty := range th {
		y0, y1 := ty*h/th, (ty+1)*h/th
		clear(acc)
		for y := y0; y < y1; y++ {
			rowOf(y, row)
			for x, v := range row {
				acc[x] += uint32(v)
			}
		}
		out := dst.Pix[ty*dst.Stride : ty*dst.Stride+tw]
		for tx := range tw {
			x0, x1 := tx*w/tw, (tx+1)*w/tw
			var sum uint32
			for _, v := range acc[x0:x1] {
				sum += v
			}
			n := uint32((y1 - y0) * (x1 - x0))
			out[tx] = uint8((sum + n/2) / n)
		}
	}
	return dst
}

// grayRows returns a function that writes the luminance of row y (counted from the top of the
// bounds) into buf, with fast paths for the types that decoders return.
func grayRows(img image.Image) func(y int, buf []uint8) {
	b := img.Bounds()
	switch src := img.(type) {
	case *image.Gray:
		return func(y int, buf []uint8) {
			i := src.PixOffset(b.Min.X, b.Min.Y+y)
			copy(buf, src.Pix[i:i+len(buf)])
		}
	case *image.YCbCr:
		return func(y int, buf []uint8) {
			i := src.YOffset(b.Min.X, b.Min.Y+y)
			copy(buf, src.Y[i:i+len(buf)])
		}
	case *image.RGBA:
		return func(y int, buf []uint8) { luma8(buf, src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]) }
	case *image.NRGBA:
		return func(y int, buf []uint8) { luma8(buf, src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]) }
	}
	return func(y int, buf []uint8) {
		for x := range buf {
			buf[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
	}
}

// luma8 writes the luminance of the 8-bit RGBA pixels in pix into buf, with the weights of
// color.GrayModel (alpha is ignored).
func luma8(buf, pix []uint8) {
	for x := range buf {
		p := pix[4*x : 4*x+3 : 4*x+3]
		buf[x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
	}
}
