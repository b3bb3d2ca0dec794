package mrzimage

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"

	"kycd/internal/mrz/mrztest"
)

// This file holds the degradations of a phone's capture: the perspective of a document photographed
// at an angle, specular glare, and a document that fills only part of a 12-megapixel frame.

// keystone warps img as a photo taken at an angle: the far edge of the image (a random one of its
// four) gets shorter, each of its corners moving in along it by a fraction of its length between
// most/2 and most (and towards the near edge by 0.3 of that), and a neighbouring edge gets shorter
// by up to a third as much, as a phone turned about both axes. With most 0.10 that is a tilt of
// about 15 to 20 degrees.
func keystone(img *image.RGBA, rng *rand.Rand, most float64) *image.RGBA {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	src := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}} // top left, top right, bottom right, bottom left
	dst := src
	// shorten moves the corners of edge e (from corner e to corner e+1) in by f of its length.
	shorten := func(e int, f float64) {
		a, b := src[e], src[(e+1)%4]
		ux, uy := b[0]-a[0], b[1]-a[1]
		vx, vy := -uy, ux // into the image, as long as the edge
		dst[e][0] += f * (ux + 0.3*vx)
		dst[e][1] += f * (uy + 0.3*vy)
		dst[(e+1)%4][0] += f * (-ux + 0.3*vx)
		dst[(e+1)%4][1] += f * (-uy + 0.3*vy)
	}
	far := rng.IntN(4)
	shorten(far, most*(0.5+0.5*rng.Float64()))
	shorten((far+1+2*rng.IntN(2))%4, most/3*rng.Float64())
	for i := range dst {
		dst[i][0] += (rng.Float64() - 0.5) * 0.01 * w
		dst[i][1] += (rng.Float64() - 0.5) * 0.01 * h
	}
	return warp(img, homography(dst, src))
}

// homography returns the 3 x 3 projective map (row by row, the last entry 1) that takes the four
// points from to the four points to.
func homography(from, to [4][2]float64) [9]float64 {
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := from[i][0], from[i][1], to[i][0], to[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 8; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var m [9]float64
	for i := 0; i < 8; i++ {
		m[i] = a[i][8] / a[i][i]
	}
	m[8] = 1
	return m
}

// warp returns an image of img's size whose pixel (x, y) is img at m(x, y), bilinearly; what
// falls outside img is img's corner colour (the table).
func warp(img *image.RGBA, m [9]float64) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewRGBA(img.Rect)
	bg := img.RGBAAt(0, 0)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := m[6]*fx + m[7]*fy + m[8]
			sx, sy := (m[0]*fx+m[1]*fy+m[2])/d, (m[3]*fx+m[4]*fy+m[5])/d
			c, ok := bilinearRGBA(img, sx-0.5, sy-0.5)
			if !ok {
				c = bg
			}
			out.SetRGBA(x, y, c)
		}
	}
	return out
}

// bilinearRGBA samples img at (x, y) in pixel-centre coordinates, or reports false outside it.
func bilinearRGBA(img *image.RGBA, x, y float64) (color.RGBA, bool) {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= img.Rect.Dx() || y0+1 >= img.Rect.Dy() {
		return color.RGBA{}, false
	}
	fx, fy := x-float64(x0), y-float64(y0)
	var c [3]float64
	for _, p := range [4]struct {
		x, y int
		wt   float64
	}{{x0, y0, (1 - fx) * (1 - fy)}, {x0 + 1, y0, fx * (1 - fy)}, {x0, y0 + 1, (1 - fx) * fy}, {x0 + 1, y0 + 1, fx * fy}} {
		o := p.y*img.Stride + 4*p.x
		c[0] += p.wt * float64(img.Pix[o])
		c[1] += p.wt * float64(img.Pix[o+1])
		c[2] += p.wt * float64(img.Pix[o+2])
	}
	return color.RGBA{uint8(c[0] + 0.5), uint8(c[1] + 0.5), uint8(c[2] + 0.5), 255}, true
}

// glare adds one or two specular reflections to the card: elliptical blobs that saturate to white
// in their core and fall off softly. Unless onZone, they lie above the zone, their centres at
// least 2.5 of their radii from it, so that only the faint edge of one may reach it; with onZone,
// one lies on the zone.
func glare(d document, rng *rand.Rand, onZone bool) *image.RGBA {
	out := image.NewRGBA(d.img.Rect)
	copy(out.Pix, d.img.Pix)
	w := float64(d.card.Dx())
	n := 1 + rng.IntN(2)
	for i := 0; i < n; i++ {
		sx, sy := (0.04+0.05*rng.Float64())*w, (0.03+0.04*rng.Float64())*w
		cx := float64(d.card.Min.X) + rng.Float64()*w
		var cy float64
		if onZone && i == 0 {
			sx, sy = (0.03+0.04*rng.Float64())*w, (0.02+0.02*rng.Float64())*w
			cy = float64(d.zone.Min.Y) + rng.Float64()*float64(d.zone.Dy())
		} else {
			top, bottom := float64(d.card.Min.Y)+sy, float64(d.zone.Min.Y)-2.5*sy
			cy = top + rng.Float64()*max(bottom-top, 0)
		}
		flare(out, cx, cy, sx, sy, 2+2*rng.Float64())
	}
	return out
}

// flare brightens img towards white by a Gaussian of radii sx, sy at (cx, cy), gain times its
// value capped at 1, so that the core is saturated.
func flare(img *image.RGBA, cx, cy, sx, sy, gain float64) {
	b := image.Rect(int(cx-4*sx), int(cy-4*sy), int(cx+4*sx)+1, int(cy+4*sy)+1).Intersect(img.Rect)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r2 := sq((float64(x)-cx)/sx) + sq((float64(y)-cy)/sy)
			a := min(1, gain*math.Exp(-r2/2))
			o := y*img.Stride + 4*x
			for c := 0; c < 3; c++ {
				v := float64(img.Pix[o+c])
				img.Pix[o+c] = uint8(v + (255-v)*a + 0.5)
			}
		}
	}
}

// inFrame places the card (without its table) in a 4000 x 3000 phone photo of a busy scene:
// shapes of many colours and lines of other print on a graded background. The card, turned by up
// to 8 degrees, lies anywhere in the frame; the photo is returned as decoded from the phone's
// JPEG (quality 85-92).
func inFrame(d document, rng *rand.Rand) image.Image {
	const fw, fh = 4000, 3000
	frame := image.NewRGBA(image.Rect(0, 0, fw, fh))
	base := [3]float64{60 + 120*rng.Float64(), 60 + 120*rng.Float64(), 60 + 120*rng.Float64()}
	for y := 0; y < fh; y += 10 { // light falling across the table, in bands
		f := 0.7 + 0.5*float64(y)/fh
		c := color.RGBA{uint8(min(255, base[0]*f)), uint8(min(255, base[1]*f)), uint8(min(255, base[2]*f)), 255}
		draw.Draw(frame, image.Rect(0, y, fw, y+10), image.NewUniform(c), image.Point{}, draw.Src)
	}
	randColor := func() color.RGBA {
		return color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
	}
	for i := 0; i < 60; i++ {
		x, y := rng.IntN(fw), rng.IntN(fh)
		r := image.Rect(x, y, x+20+rng.IntN(600), y+20+rng.IntN(400))
		draw.Draw(frame, r, image.NewUniform(randColor()), image.Point{}, draw.Src)
	}
	for i := 0; i < 200; i++ { // thin strokes, as the edges and patterns of things on a table
		x, y := rng.IntN(fw), rng.IntN(fh)
		r := image.Rect(x, y, x+2+rng.IntN(300), y+2+rng.IntN(6))
		if rng.IntN(2) == 0 {
			r = image.Rect(x, y, x+2+rng.IntN(6), y+2+rng.IntN(300))
		}
		draw.Draw(frame, r, image.NewUniform(randColor()), image.Point{}, draw.Src)
	}
	// Lines of other print (a newspaper, a receipt): words of zone characters at other sizes.
	g := mrztest.LoadGlyphs()
	for i := 0; i < 12; i++ {
		capH := 8 + 30*rng.Float64()
		x, y := rng.Float64()*fw*0.8, 50+rng.Float64()*(fh-100)
		for l := 0; l < 1+rng.IntN(5); l++ {
			text := ""
			for len(text) < 10+rng.IntN(30) {
				text += corpusSurnames[rng.IntN(len(corpusSurnames))] + " "
			}
			g.DrawText(frame, text, x, y+float64(l)*capH*1.8, capH, color.RGBA{uint8(rng.IntN(60)), uint8(rng.IntN(60)), uint8(rng.IntN(60)), 255})
		}
	}
	// The card, turned by up to 8 degrees about its centre, somewhere in the frame.
	card := d.img.SubImage(d.card).(*image.RGBA)
	a := (8 * rng.Float64() * sign(rng)) * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	cw, ch := float64(d.card.Dx()), float64(d.card.Dy())
	bw, bh := math.Abs(cw*cos)+math.Abs(ch*sin), math.Abs(cw*sin)+math.Abs(ch*cos)
	cx, cy := bw/2+rng.Float64()*(fw-bw), bh/2+rng.Float64()*(fh-bh)
	for y := int(cy - bh/2); y < int(cy+bh/2); y++ {
		for x := int(cx - bw/2); x < int(cx+bw/2); x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cos*dx+sin*dy+cw/2, -sin*dx+cos*dy+ch/2
			if c, ok := bilinearRGBA(card, sx-0.5, sy-0.5); ok {
				frame.SetRGBA(x, y, c)
			}
		}
	}
	return jpegAt(frame, 85+rng.IntN(8))
}
