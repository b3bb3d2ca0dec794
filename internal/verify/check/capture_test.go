package check

import (
	"bytes"
	"image"
	"image/jpeg"
	"kycd/internal/media/mediatest"
	"math"
	"math/rand/v2"
)

// Generated captures: photos and scans of document-like pages, made in Go from a seed so that the
// image-quality constants can be tuned on one seed and evaluated on another (quality_test.go).
// Nothing here reads a file.

// captureW and captureH are the size of a generated photo: the long side is twice NormalSide, as a
// phone photo is several times it, so the checks see it averaged down as they see a real one.
const captureW, captureH = 1024, 768

// captureSpec says how one capture is made. Levels are 8-bit grey; the page's paper and ink are
// reflectances under the light, before the exposure maps them to levels.
type captureSpec struct {
	scan       bool    // a flatbed scan: the page fills the frame, even light, little noise
	passport   bool    // a passport data page: a portrait and two MRZ lines; otherwise a bill
	paper, ink float64 // page and print levels at correct exposure
	background float64 // the surface the page lies on (photos)
	gain, lift float64 // exposure: level*gain + lift, then clipped to 0-255
	noise      float64 // sensor noise, standard deviation in levels
	blur       float64 // optical blur, Gaussian sigma in capture pixels
	glare      float64 // radius of a glare spot's saturated core in capture pixels; 0 none
	fill       float64 // the page's share of the frame's width (photos); 0 for 60-85%
	jpeg       int     // JPEG quality the capture is saved at; 0 for none (lossless)
}

// field is a grey image in float64 levels, the working copy of a capture.
type field struct {
	w, h int
	v    []float64
}

func newField(w, h int, level float64) *field {
	f := &field{w: w, h: h, v: make([]float64, w*h)}
	for i := range f.v {
		f.v[i] = level
	}
	return f
}

// fill sets the rectangle r (clipped to the field) to level.
func (f *field) fill(r image.Rectangle, level float64) {
	r = r.Intersect(image.Rect(0, 0, f.w, f.h))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			f.v[y*f.w+x] = level
		}
	}
}

// text writes a line of glyph-like marks (strokes of a letter's size, grouped into words) from
// (x0, y) to at most x1, with x-height xh: ink coverage and edge density close to print.
func (f *field) text(rng *rand.Rand, x0, x1, y, xh int, ink float64) {
	stroke := max(1, xh/5)
	x := x0
	for x < x1 {
		word := 2 + rng.IntN(8)
		for range word {
			gw := xh*2/3 + rng.IntN(xh/2+1)
			if x+gw > x1 {
				return
			}
			// A glyph: one or two stems and some of a top, middle and bottom bar; an ascender or
			// descender now and then.
			top, bottom := y, y+xh
			if rng.IntN(4) == 0 {
				top -= xh / 2
			} else if rng.IntN(6) == 0 {
				bottom += xh / 2
			}
			f.fill(image.Rect(x, top, x+stroke, bottom), ink)
			if rng.IntN(2) == 0 {
				f.fill(image.Rect(x+gw-stroke, y, x+gw, y+xh), ink)
			}
			for i, by := range []int{y, y + xh/2 - stroke/2, y + xh - stroke} {
				if rng.IntN(3) != 0 || i == 0 && gw < xh {
					f.fill(image.Rect(x, by, x+gw, by+stroke), ink)
				}
			}
			x += gw + max(1, xh/4)
		}
		x += xh
	}
}

// page draws a document on r: a bill (a logo, an address block, a table of charges, paragraphs)
// or a passport data page (a portrait, printed fields, two MRZ lines).
func (f *field) page(rng *rand.Rand, r image.Rectangle, s captureSpec) {
	f.fill(r, s.paper)
	w, h := r.Dx(), r.Dy()
	m := w / 14
	xh := max(6, w/90) // body text: about 10 pt on an A4 page
	left, right := r.Min.X+m, r.Max.X-m
	y := r.Min.Y + m
	if s.passport {
		xh = max(7, w/70)
		pw, ph := w*3/11, h*2/5
		portrait := image.Rect(left, y+xh*2, left+pw, y+xh*2+ph)
		f.fill(portrait, s.paper*0.75)
		f.portrait(rng, portrait, s.ink)
		for i := range 8 {
			f.text(rng, portrait.Max.X+m/2, right-rng.IntN(w/4), y+xh*2+i*ph/8, xh, s.ink)
		}
		mrz := max(9, w/45)
		for i := range 2 {
			f.text(rng, left, right, r.Max.Y-m-(2-i)*mrz*2, mrz, s.ink)
		}
		return
	}
	f.fill(image.Rect(left, y, left+w/5, y+h/20), s.ink) // the issuer's logo
	for i := range 4 {                                   // the addressee
		f.text(rng, left, left+w/3, y+h/12+i*xh*2, xh, s.ink)
	}
	y += h / 12 * 3
	for row := range 7 { // a table of charges with ruled lines
		f.fill(image.Rect(left, y, right, y+max(1, xh/6)), s.ink)
		f.text(rng, left+xh, left+w/2, y+xh/2+2, xh, s.ink)
		f.text(rng, right-w/6, right-xh, y+xh/2+2, xh, s.ink)
		y += xh * 2
		_ = row
	}
	f.fill(image.Rect(left, y, right, y+max(1, xh/6)), s.ink)
	y += xh * 3
	for y < r.Max.Y-m-xh { // paragraphs, the last line of each short
		for i := range 3 + rng.IntN(3) {
			end := right
			if i == 2 {
				end = left + w/3 + rng.IntN(w/2)
			}
			if y >= r.Max.Y-m-xh {
				break
			}
			f.text(rng, left, end, y, xh, s.ink)
			y += xh * 2
		}
		y += xh
	}
}

// portrait paints a face-like shape in r: a lighter oval head on darker shoulders, shaded.
func (f *field) portrait(rng *rand.Rand, r image.Rectangle, ink float64) {
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y)+float64(r.Dy())*0.4
	rx, ry := float64(r.Dx())*0.3, float64(r.Dy())*0.28
	skin := 150 + 40*rng.Float64()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			switch {
			case dx*dx+dy*dy < 1:
				f.v[y*f.w+x] = skin - 30*dx
			case float64(y) > cy+ry*0.9:
				f.v[y*f.w+x] = ink + 40
			}
		}
	}
}

// blurred returns f convolved with a Gaussian of standard deviation sigma, separably.
func (f *field) blurred(sigma float64) *field {
	if sigma <= 0 {
		return f
	}
	k := mediatest.GaussianKernel(sigma, 3)
	r := len(k) / 2
	tmp, out := newField(f.w, f.h, 0), newField(f.w, f.h, 0)
	for y := range f.h {
		row := f.v[y*f.w : (y+1)*f.w]
		for x := range f.w {
			var acc float64
			for i, kv := range k {
				acc += kv * row[min(max(x+i-r, 0), f.w-1)]
			}
			tmp.v[y*f.w+x] = acc
		}
	}
	for y := range f.h {
		for x := range f.w {
			var acc float64
			for i, kv := range k {
				acc += kv * tmp.v[min(max(y+i-r, 0), f.h-1)*f.w+x]
			}
			out.v[y*f.w+x] = acc
		}
	}
	return out
}

// capture renders s with the randomness of rng: the page placed on its background (photos), lit
// unevenly, glared, blurred, exposed, noised and saved as JPEG, as a grey image (normalised when
// it went through JPEG).
func capture(rng *rand.Rand, s captureSpec) *image.Gray {
	w, h := captureW, captureH
	if s.scan {
		w, h = 850, 1100 // an A4 page at 100 dpi
	}
	f := newField(w, h, s.background)
	var r image.Rectangle
	if s.scan {
		r = image.Rect(0, 0, w, h)
	} else {
		// The page fills 60-85% of the frame's width, somewhere near its middle.
		fill := s.fill
		if fill == 0 {
			fill = 0.6 + 0.25*rng.Float64()
		}
		pw := int(float64(w) * fill)
		ph := pw * 7 / 10
		if !s.passport {
			ph = min(h-h/20, pw*4/3)
		}
		ph = min(ph, h-h/10)
		x0 := (w-pw)/2 + rng.IntN(w/16+1) - w/32
		y0 := (h-ph)/2 + rng.IntN(h/16+1) - h/32
		r = image.Rect(x0, y0, x0+pw, y0+ph)
	}
	f.page(rng, r, s)
	if !s.scan {
		// Uneven light: a gradient of up to +-10% across the frame.
		a, b := 0.2*(rng.Float64()-0.5), 0.2*(rng.Float64()-0.5)
		for y := range h {
			for x := range w {
				f.v[y*w+x] *= 1 + a*(float64(x)/float64(w)-0.5) + b*(float64(y)/float64(h)-0.5)
			}
		}
	}
	if s.glare > 0 {
		// A glare spot on the page's text: a core far brighter than white paper, falling off
		// steeply at its rim, inside a faint wider halo.
		cx := float64(r.Min.X) + float64(r.Dx())*(0.3+0.4*rng.Float64())
		cy := float64(r.Min.Y) + float64(r.Dy())*(0.3+0.4*rng.Float64())
		R := s.glare
		near := image.Rect(int(cx-6*R), int(cy-6*R), int(cx+6*R), int(cy+6*R)).Intersect(image.Rect(0, 0, w, h))
		for y := near.Min.Y; y < near.Max.Y; y++ {
			for x := near.Min.X; x < near.Max.X; x++ {
				d := math.Hypot(float64(x)-cx, float64(y)-cy) / R
				d2 := d * d
				core := 1 / (1 + d2*d2*d2*d2)
				halo := 30 * math.Exp(-d2/4)
				i := y*w + x
				f.v[i] = f.v[i]*(1-core) + 400*core + halo
			}
		}
	}
	f = f.blurred(s.blur)
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range f.v {
		v = v*s.gain + s.lift + rng.NormFloat64()*s.noise
		g.Pix[i] = uint8(math.Round(min(255, max(0, v))))
	}
	if s.jpeg > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: s.jpeg}); err != nil {
			panic(err)
		}
		img, err := jpeg.Decode(&buf)
		if err != nil {
			panic(err)
		}
		return Normalize(img)
	}
	return g
}
