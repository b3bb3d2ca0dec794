package mrzimage

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"kycd/internal/media/mediatest"
	"math"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"
)

// variant degrades a rendered document as a capture would.
type variant struct {
	name string
	// docW is the card's width in pixels before degradation.
	docW func(rng *rand.Rand) int
	// apply returns the degraded image, from a rendered document.
	apply func(rng *rand.Rand, d document) image.Image
}

func width(lo, hi int) func(rng *rand.Rand) int {
	return func(rng *rand.Rand) int { return lo + rng.IntN(hi-lo+1) }
}

var corpusVariants = []variant{
	{"clean", width(1100, 1500), func(_ *rand.Rand, d document) image.Image { return d.img }},
	{"rot90", width(1100, 1500), func(_ *rand.Rand, d document) image.Image { return quarter(d.img, 1) }},
	{"rot180", width(1100, 1500), func(_ *rand.Rand, d document) image.Image { return quarter(d.img, 2) }},
	{"rot270", width(1100, 1500), func(_ *rand.Rand, d document) image.Image { return quarter(d.img, 3) }},
	{"skew10", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return tilt(d.img, (2+8*rng.Float64())*sign(rng))
	}},
	{"blur", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return gaussian(d.img, 1+0.6*rng.Float64())
	}},
	{"jpeg40-60", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return jpegAt(d.img, 40+rng.IntN(21))
	}},
	{"800px", width(1100, 1500), func(_ *rand.Rand, d document) image.Image { return resize(d.img, 800) }},
	{"uneven-light", width(1100, 1500), func(rng *rand.Rand, d document) image.Image { return shade(d.img, rng) }},
	{"perspective", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return keystone(d.img, rng, 0.10)
	}},
	{"glare", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return glare(d, rng, false)
	}},
	{"partial-frame", width(1200, 1800), func(rng *rand.Rand, d document) image.Image {
		return inFrame(d, rng)
	}},
	{"combined", width(1000, 1300), func(rng *rand.Rand, d document) image.Image {
		img := tilt(d.img, (1+5*rng.Float64())*sign(rng))
		img = shade(img, rng)
		img = gaussian(img, 0.8+0.4*rng.Float64())
		return jpegAt(img, 40+rng.IntN(21))
	}},
	{"combined-800px", width(1000, 1300), func(rng *rand.Rand, d document) image.Image {
		img := tilt(d.img, (2+8*rng.Float64())*sign(rng))
		img = shade(img, rng)
		img = resize(img, 800)
		img = gaussian(img, 0.6+0.4*rng.Float64())
		return jpegAt(img, 40+rng.IntN(21))
	}},
	// combined-hard is the hardest variant that the reader should read: a phone photo at an
	// angle, with glare off the zone, skewed, in uneven light, small, blurred and compressed.
	{"combined-hard", width(1000, 1300), func(rng *rand.Rand, d document) image.Image {
		img := glare(d, rng, false)
		img = keystone(img, rng, 0.08)
		img = tilt(img, (2+6*rng.Float64())*sign(rng))
		img = shade(img, rng)
		img = resize(img, 800+rng.IntN(200))
		img = gaussian(img, 0.6+0.4*rng.Float64())
		return jpegAt(img, 40+rng.IntN(21))
	}},
	// glare-zone puts a specular blob on the zone itself. What it whites out cannot be read; the
	// variant asserts no rate, only that what is read is right.
	{"glare-zone", width(1100, 1500), func(rng *rand.Rand, d document) image.Image {
		return glare(d, rng, true)
	}},
	// torture is beyond what the reader should read: it is there to show that what it cannot
	// read it refuses, rather than reads wrong.
	{"torture", width(1000, 1300), func(rng *rand.Rand, d document) image.Image {
		img := tilt(d.img, (5+5*rng.Float64())*sign(rng))
		img = shade(img, rng)
		img = resize(img, 650+rng.IntN(150))
		img = gaussian(img, 0.9+0.5*rng.Float64())
		return jpegAt(img, 20+rng.IntN(21))
	}},
}

func sign(rng *rand.Rand) float64 { return float64(2*rng.IntN(2) - 1) }

// quarter turns img clockwise by quarter turns.
func quarter(img *image.RGBA, q int) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if q%2 == 1 {
		out = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := img.RGBAAt(x, y)
			switch q {
			case 1:
				out.SetRGBA(h-1-y, x, c)
			case 2:
				out.SetRGBA(w-1-x, h-1-y, c)
			case 3:
				out.SetRGBA(y, w-1-x, c)
			}
		}
	}
	return out
}

// tilt rotates img by deg degrees about its centre, bilinearly, into a canvas that holds it all.
func tilt(img *image.RGBA, deg float64) *image.RGBA {
	a := deg * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	nw, nh := int(math.Abs(w*cos)+math.Abs(h*sin)), int(math.Abs(w*sin)+math.Abs(h*cos))
	out := image.NewRGBA(image.Rect(0, 0, nw, nh))
	bg := img.RGBAAt(0, 0)
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			dx, dy := float64(x)-float64(nw)/2, float64(y)-float64(nh)/2
			sx, sy := cos*dx+sin*dy+w/2-0.5, -sin*dx+cos*dy+h/2-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= int(w) || y0+1 >= int(h) {
				out.SetRGBA(x, y, bg)
				continue
			}
			fx, fy := sx-float64(x0), sy-float64(y0)
			var c [3]float64
			for _, p := range [4]struct {
				x, y int
				wt   float64
			}{{x0, y0, (1 - fx) * (1 - fy)}, {x0 + 1, y0, fx * (1 - fy)}, {x0, y0 + 1, (1 - fx) * fy}, {x0 + 1, y0 + 1, fx * fy}} {
				v := img.RGBAAt(p.x, p.y)
				c[0] += p.wt * float64(v.R)
				c[1] += p.wt * float64(v.G)
				c[2] += p.wt * float64(v.B)
			}
			out.SetRGBA(x, y, color.RGBA{uint8(c[0] + 0.5), uint8(c[1] + 0.5), uint8(c[2] + 0.5), 255})
		}
	}
	return out
}

// gaussian blurs img with a Gaussian of standard deviation s.
func gaussian(img *image.RGBA, s float64) *image.RGBA {
	k := mediatest.GaussianKernel(s, 2.5)
	r := len(k) / 2
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pass := func(src *image.RGBA, horizontal bool) *image.RGBA {
		out := image.NewRGBA(src.Rect)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var c [3]float64
				for i, kv := range k {
					xx, yy := x, y
					if horizontal {
						xx = min(max(x+i-r, 0), w-1)
					} else {
						yy = min(max(y+i-r, 0), h-1)
					}
					o := yy*src.Stride + 4*xx
					c[0] += kv * float64(src.Pix[o])
					c[1] += kv * float64(src.Pix[o+1])
					c[2] += kv * float64(src.Pix[o+2])
				}
				o := y*out.Stride + 4*x
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = uint8(c[0]+0.5), uint8(c[1]+0.5), uint8(c[2]+0.5), 255
			}
		}
		return out
	}
	return pass(pass(img, true), false)
}

// jpegAt returns img as decoded from a JPEG of quality q, as a photo's file would be.
func jpegAt(img image.Image, q int) image.Image {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return out
}

// resize scales img to w pixels wide.
func resize(img *image.RGBA, w int) *image.RGBA {
	h := img.Rect.Dy() * w / img.Rect.Dx()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(out, out.Rect, img, img.Rect, xdraw.Src, nil)
	return out
}

// shade multiplies img by a light that falls from a random corner to 45-65% at the opposite one,
// and adds a soft bright patch.
func shade(img *image.RGBA, rng *rand.Rand) *image.RGBA {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	cx, cy := rng.Float64()*w, rng.Float64()*h
	low := 0.45 + 0.2*rng.Float64()
	gx, gy := rng.Float64()*w, rng.Float64()*h
	out := image.NewRGBA(img.Rect)
	diag := math.Hypot(w, h)
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy) / diag
			f := 1 - (1-low)*d
			glow := 40 * math.Exp(-(sq(float64(x)-gx)+sq(float64(y)-gy))/(2*sq(0.15*diag)))
			c := img.RGBAAt(x, y)
			px := func(v uint8) uint8 { return uint8(min(255, float64(v)*f+glow)) }
			out.SetRGBA(x, y, color.RGBA{px(c.R), px(c.G), px(c.B), 255})
		}
	}
	return out
}
