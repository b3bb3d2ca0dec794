package check

import (
	"bytes"
	"image"
	"image/jpeg"
	"kycd/internal/media/mediatest"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

// The test images of testdata (see testdata/README-images.md), decoded once per test binary.
var testImages = sync.OnceValue(func() map[string]image.Image {
	imgs := map[string]image.Image{}
	for _, name := range []string{"astronaut", "camera", "chelsea", "coffee", "text"} {
		f, err := os.Open(filepath.Join("testdata", name+".png"))
		if err != nil {
			panic(err)
		}
		img, err := Decode(f, 0)
		f.Close()
		if err != nil {
			panic(err)
		}
		imgs[name] = img
	}
	return imgs
})

// testImage returns a decoded image of testdata by its name without extension.
func testImage(t testing.TB, name string) image.Image {
	t.Helper()
	img, ok := testImages()[name]
	if !ok {
		t.Fatalf("no test image %q", name)
	}
	return img
}

// toRGBA copies img into a new RGBA image whose bounds start at 0, 0.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}

// scale resizes img by factor with Catmull-Rom interpolation.
func scale(img image.Image, factor float64) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(math.Round(float64(b.Dx())*factor)), int(math.Round(float64(b.Dy())*factor))))
	draw.CatmullRom.Scale(dst, dst.Rect, img, b, draw.Src, nil)
	return dst
}

// crop returns the part r of img, as a new image.
func crop(img image.Image, r image.Rectangle) *image.RGBA {
	return toRGBA(toRGBA(img).SubImage(r))
}

// mapLevels applies f to each colour channel of every pixel.
func mapLevels(img image.Image, f func(v float64) float64) *image.RGBA {
	dst := toRGBA(img)
	for i := range dst.Pix {
		if i%4 != 3 {
			dst.Pix[i] = uint8(math.Round(max(0, min(255, f(float64(dst.Pix[i]))))))
		}
	}
	return dst
}

// darken scales every level by factor (< 1).
func darken(img image.Image, factor float64) *image.RGBA {
	return mapLevels(img, func(v float64) float64 { return v * factor })
}

// brighten adds offset to every level, clipping at white.
func brighten(img image.Image, offset float64) *image.RGBA {
	return mapLevels(img, func(v float64) float64 { return v + offset })
}

// gaussianBlur blurs img with a Gaussian of standard deviation sigma, separably.
func gaussianBlur(img image.Image, sigma float64) *image.RGBA {
	k := mediatest.GaussianKernel(sigma, 3)
	return convolve(convolve(toRGBA(img), k, 1, 0), k, 0, 1)
}

// boxBlur averages each pixel over a (2r+1) square.
func boxBlur(img image.Image, r int) *image.RGBA {
	k := make([]float64, 2*r+1)
	for i := range k {
		k[i] = 1 / float64(len(k))
	}
	return convolve(convolve(toRGBA(img), k, 1, 0), k, 0, 1)
}

// convolve applies the 1-D kernel k along (dx, dy), clamping at the edges.
func convolve(src *image.RGBA, k []float64, dx, dy int) *image.RGBA {
	w, h, r := src.Rect.Dx(), src.Rect.Dy(), len(k)/2
	dst := image.NewRGBA(src.Rect)
	for y := range h {
		for x := range w {
			var acc [3]float64
			for i, kv := range k {
				sx := min(max(x+(i-r)*dx, 0), w-1)
				sy := min(max(y+(i-r)*dy, 0), h-1)
				p := src.Pix[src.PixOffset(sx, sy):]
				for c := range acc {
					acc[c] += kv * float64(p[c])
				}
			}
			o := dst.PixOffset(x, y)
			for c := range acc {
				dst.Pix[o+c] = uint8(math.Round(acc[c]))
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// reencode encodes img as a JPEG of the given quality and decodes it again with Decode.
func reencode(t testing.TB, img image.Image, quality int) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	out, err := Decode(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// uniform returns a w x h image of one grey level.
func uniform(w, h int, level uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = level
	}
	return g
}
