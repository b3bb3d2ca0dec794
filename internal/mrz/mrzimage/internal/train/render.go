package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"log"
	"math"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"kycd/internal/media/mediatest"
	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// set is a list of feature vectors and their classes.
type set struct {
	x [][]float32
	y []int
}

// makeSet renders n lines of random zone characters at random sizes, degrades each, and samples
// every cell with a jittered placement, as the reader's line fit would place it.
func makeSet(f *opentype.Font, rng *rand.Rand, n int) set {
	var s set
	for i := 0; i < n; i++ {
		capH := 9 + rng.Float64()*31 // capital height 9-40 px
		text := randomLine(rng, 44)
		img, cells := renderLine(f, text, capH, rng)
		degrade(img, rng)
		feats := make([][]float32, len(cells))
		for j, c := range cells {
			feats[j] = make([]float32, ocrb.Features)
			ocrb.Sample(img, jitter(c, rng), feats[j])
		}
		ocrb.NormaliseLine(feats)
		for j := range cells {
			s.x = append(s.x, feats[j])
			s.y = append(s.y, indexOf(text[j]))
		}
	}
	return s
}

func indexOf(c byte) int {
	for i := 0; i < len(ocrb.Classes); i++ {
		if ocrb.Classes[i] == c {
			return i
		}
	}
	panic("not a class")
}

// randomLine mixes the classes evenly with runs of fillers, as zones have.
func randomLine(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := 0; i < n; {
		if rng.IntN(6) == 0 {
			run := 1 + rng.IntN(6)
			for k := 0; k < run && i < n; k++ {
				b[i] = '<'
				i++
			}
			continue
		}
		b[i] = ocrb.Classes[rng.IntN(len(ocrb.Classes))]
		i++
	}
	return string(b)
}

// face returns the font at the size whose capital letters are capH pixels high.
func face(f *opentype.Font, capH float64) (font.Face, float64) {
	probe, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 100, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		log.Fatal(err)
	}
	b, _, _ := probe.GlyphBounds('H')
	h := float64(b.Max.Y-b.Min.Y) / 64
	size := 100 * capH / h
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		log.Fatal(err)
	}
	return fc, capH
}

// renderLine draws text on a plain background and returns the true cell of each character.
func renderLine(f *opentype.Font, text string, capH float64, rng *rand.Rand) (*image.Gray, []ocrb.Cell) {
	fc, _ := face(f, capH)
	adv, _ := fc.GlyphAdvance('H')
	pitch := float64(adv) / 64
	margin := int(2 * capH)
	w := int(pitch*float64(len(text))) + 2*margin
	h := int(4 * capH)
	paper := uint8(150 + rng.IntN(106))
	ink := uint8(rng.IntN(max(1, int(paper)-70)))
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{paper}), image.Point{}, draw.Src)
	baseline := float64(h)/2 + capH/2 + (rng.Float64()-0.5)*0.2*capH
	x0 := float64(margin) + rng.Float64()
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{ink}), Face: fc,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x0 * 64), Y: fixed.Int26_6(baseline * 64)}}
	d.DrawString(text)
	cells := make([]ocrb.Cell, len(text))
	for i := range text {
		cells[i] = ocrb.Cell{CX: x0 + (float64(i)+0.5)*pitch, CY: baseline - capH/2, UX: 1, Pitch: pitch, Height: capH}
	}
	return img, cells
}

// jitter moves, scales and tilts a cell by the errors that the reader's line fit makes.
func jitter(c ocrb.Cell, rng *rand.Rand) ocrb.Cell {
	c.CX += (rng.Float64()*2 - 1) * 0.12 * c.Pitch
	c.CY += (rng.Float64()*2 - 1) * 0.1 * c.Height
	c.Pitch *= 1 + (rng.Float64()*2-1)*0.08
	c.Height *= 1 + (rng.Float64()*2-1)*0.12
	a := (rng.Float64()*2 - 1) * 2 * math.Pi / 180
	c.UX, c.UY = math.Cos(a), math.Sin(a)
	return c
}

// degrade blurs, thickens or thins, shades, adds noise and JPEG-compresses the line at random.
func degrade(img *image.Gray, rng *rand.Rand) {
	if s := rng.Float64() * 1.4; s > 0.3 {
		blur(img, s)
	}
	if rng.IntN(2) == 0 { // stroke weight: a contrast curve around a random grey
		mid := 90 + rng.Float64()*90
		for i, v := range img.Pix {
			img.Pix[i] = clamp(128 + (float64(v)-mid)*2)
		}
	}
	if s := rng.Float64() * 1.2; s > 0.4 {
		blur(img, s)
	}
	w := img.Rect.Dx()
	shade := rng.Float64() * 0.35
	noise := rng.Float64() * 14
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < w; x++ {
			i := y*img.Stride + x
			v := float64(img.Pix[i]) * (1 - shade*float64(x)/float64(w))
			img.Pix[i] = clamp(v + rng.NormFloat64()*noise)
		}
	}
	if rng.IntN(3) > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 30 + rng.IntN(65)}); err != nil {
			log.Fatal(err)
		}
		dec, err := jpeg.Decode(&buf)
		if err != nil {
			log.Fatal(err)
		}
		draw.Draw(img, img.Rect, dec, image.Point{}, draw.Src)
	}
}

func clamp(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// blur applies a separable Gaussian of standard deviation s.
func blur(img *image.Gray, s float64) {
	k := mediatest.GaussianKernel(s, 2.5)
	r := len(k) / 2
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				v += kv * float64(img.Pix[y*img.Stride+xx])
			}
			tmp[y*w+x] = v
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				v += kv * tmp[yy*w+x]
			}
			img.Pix[y*img.Stride+x] = clamp(v)
		}
	}
}

// glyphMasks renders every class at a capital height of 32 px into a fixed cell: a header of
// uint16 cell width, cell height, baseline and capital height, then for each of ocrb.Classes its
// coverage, one byte a pixel (255 is ink), row by row.
func glyphMasks(f *opentype.Font) []byte {
	const capH = 32
	fc, _ := face(f, capH)
	adv, _ := fc.GlyphAdvance('H')
	cw := int(math.Ceil(float64(adv) / 64))
	ch := 2 * capH
	base := capH * 3 / 2
	var out []byte
	for _, v := range []int{cw, ch, base, capH} {
		out = binary.LittleEndian.AppendUint16(out, uint16(v))
	}
	for i := 0; i < len(ocrb.Classes); i++ {
		m := image.NewAlpha(image.Rect(0, 0, cw, ch))
		d := font.Drawer{Dst: m, Src: image.Opaque, Face: fc, Dot: fixed.P(0, base)}
		d.DrawString(ocrb.Classes[i : i+1])
		out = append(out, m.Pix...)
	}
	return out
}
