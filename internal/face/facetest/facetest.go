// Package facetest holds licence-clear face photos and the degradations that turn one of them into
// a document portrait or a selfie, for the tests and benchmarks of face matching. Nothing in the
// server imports it.
//
// # The faces
//
// faces/sampleN-M.jpg are the faces of the six sample photos shipped in the MIT-licensed npm
// package @vladmandic/face-api 1.7.15 (package/demo/sampleN.jpg, M-th face found; the same tarball
// as internal/face/weights, see scripts/face-weights.sh), each cropped with a margin around the
// face and scaled to 400 px. They are eleven different women. faces/astronaut.jpg is Eileen
// Collins from NASA's portrait (scikit-image's astronaut.png, no known copyright restrictions).
// Twelve identities in all; see README.md in faces/.
package facetest

import (
	"bytes"
	"embed"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

//go:embed faces/*.jpg
var files embed.FS

// Sample is one person's face photo.
type Sample struct {
	Name  string // file name without .jpg, one per identity
	Image *image.RGBA
}

// Faces returns the twelve face photos, sorted by name; callers must not modify the images.
var Faces = sync.OnceValue(func() []Sample {
	entries, err := files.ReadDir("faces")
	if err != nil {
		panic(err)
	}
	var out []Sample
	for _, e := range entries {
		b, err := files.ReadFile(path.Join("faces", e.Name()))
		if err != nil {
			panic(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			panic(e.Name() + ": " + err.Error())
		}
		out = append(out, Sample{Name: strings.TrimSuffix(e.Name(), ".jpg"), Image: toRGBA(img)})
	}
	slices.SortFunc(out, func(a, b Sample) int { return strings.Compare(a.Name, b.Name) })
	return out
})

// Face returns the sample with this name, or panics.
func Face(name string) *image.RGBA {
	for _, s := range Faces() {
		if s.Name == name {
			return s.Image
		}
	}
	panic("facetest: no face " + name)
}

func toRGBA(img image.Image) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// Portrait is img as a document prints it and a phone photographs the print: scaled to a
// portrait of 170-230 px wide, colour faded by 20-40% towards grey, softened, with sensor noise,
// and JPEG-compressed at quality 45-70.
func Portrait(img image.Image, rng *rand.Rand) *image.RGBA {
	b := img.Bounds()
	w := 170 + rng.IntN(61)
	out := image.NewRGBA(image.Rect(0, 0, w, w*b.Dy()/b.Dx()))
	draw.BiLinear.Scale(out, out.Bounds(), img, b, draw.Src, nil)
	fade := 0.2 + 0.2*rng.Float64()
	noise := 3 + 4*rng.Float64()
	for i := 0; i < len(out.Pix); i += 4 {
		r, g, bl := float64(out.Pix[i]), float64(out.Pix[i+1]), float64(out.Pix[i+2])
		y := 0.299*r + 0.587*g + 0.114*bl
		n := rng.NormFloat64() * noise
		out.Pix[i] = clamp(r + fade*(y-r) + n)
		out.Pix[i+1] = clamp(g + fade*(y-g) + n)
		out.Pix[i+2] = clamp(bl + fade*(y-bl) + n)
	}
	out = blur(out)
	return reencode(out, 45+rng.IntN(26))
}

// Selfie is img as if photographed again: cropped by up to 8% on each side, scaled to 60-160% of
// 400 px, rotated by up to 8 degrees, with brightness, contrast and gamma changed by up to a
// quarter, and JPEG-compressed at quality 55-90.
func Selfie(img image.Image, rng *rand.Rand) *image.RGBA {
	b := img.Bounds()
	cut := func(n int) int { return int(float64(n) * 0.08 * rng.Float64()) }
	crop := image.Rect(b.Min.X+cut(b.Dx()), b.Min.Y+cut(b.Dy()), b.Max.X-cut(b.Dx()), b.Max.Y-cut(b.Dy()))
	scale := (0.6 + rng.Float64()) * 400 / float64(crop.Dx())
	w, h := int(float64(crop.Dx())*scale), int(float64(crop.Dy())*scale)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{128}), image.Point{}, draw.Src)
	angle := (rng.Float64()*2 - 1) * 8 * math.Pi / 180
	cos, sin := math.Cos(angle)/scale, math.Sin(angle)/scale
	cx, cy := float64(crop.Min.X+crop.Max.X)/2, float64(crop.Min.Y+crop.Max.Y)/2
	ox, oy := float64(w)/2, float64(h)/2
	// dst → src: rotate about the centres and undo the scale.
	m := f64.Aff3{cos, -sin, cx - cos*ox + sin*oy, sin, cos, cy - sin*ox - cos*oy}
	inv := invert(m)
	draw.BiLinear.Transform(out, inv, img, crop, draw.Src, nil)
	gain := 1 + (rng.Float64()*2-1)*0.25
	offset := (rng.Float64()*2 - 1) * 25
	gamma := 1 + (rng.Float64()*2-1)*0.25
	for i := 0; i < len(out.Pix); i += 4 {
		for c := range 3 {
			v := math.Pow(float64(out.Pix[i+c])/255, gamma) * 255
			out.Pix[i+c] = clamp((v-128)*gain + 128 + offset)
		}
	}
	return reencode(out, 55+rng.IntN(36))
}

// invert returns the inverse of an affine map.
func invert(m f64.Aff3) f64.Aff3 {
	det := m[0]*m[4] - m[1]*m[3]
	a, b, d, e := m[4]/det, -m[1]/det, -m[3]/det, m[0]/det
	return f64.Aff3{a, b, -(a*m[2] + b*m[5]), d, e, -(d*m[2] + e*m[5])}
}

func clamp(v float64) uint8 { return uint8(math.Round(min(255, max(0, v)))) }

// blur is a 3×3 binomial blur: the softness of a print photographed.
func blur(img *image.RGBA) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewRGBA(img.Rect)
	k := [3]float64{1, 2, 1}
	for y := range h {
		for x := range w {
			var s [3]float64
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := min(max(x+dx, 0), w-1), min(max(y+dy, 0), h-1)
					o := yy*img.Stride + 4*xx
					wt := k[dx+1] * k[dy+1]
					for c := range 3 {
						s[c] += wt * float64(img.Pix[o+c])
					}
				}
			}
			o := y*out.Stride + 4*x
			for c := range 3 {
				out.Pix[o+c] = clamp(s[c] / 16)
			}
			out.Pix[o+3] = 255
		}
	}
	return out
}

// reencode passes img through JPEG at this quality.
func reencode(img *image.RGBA, quality int) *image.RGBA {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return toRGBA(out)
}

// JPEG encodes img at quality 90.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Mirror returns img flipped left to right, as a front camera shows a face: a different picture of
// the same face (the light falls on the other side and the face's asymmetries swap), for tests
// that need a second photograph of one person.
func Mirror(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			copy(out.Pix[y*out.Stride+4*(b.Dx()-1-x):][:4], img.Pix[(y)*img.Stride+4*x:][:4])
		}
	}
	return out
}
