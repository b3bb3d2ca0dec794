// Package mrztest makes machine-readable zones and renders documents that carry them, for tests:
// the reader's corpus (package mrzimage), the verification tests and the browser tests all draw
// their documents here, so that what they read is what a real capture of OCR-B looks like.
//
// The glyphs are OCR-B masks (capital height 32 px) that mrzimage's training program writes from
// Debian's fonts-ocr-b (public domain), embedded so that no test needs the font.
package mrztest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	xdraw "golang.org/x/image/draw"

	"kycd/internal/mrz"
)

//go:embed ocrb_glyphs.bin
var glyphFile []byte

//go:embed astronaut.png
var astronautPNG []byte

// Portrait returns a head-and-shoulders portrait for documents' portrait boxes: astronaut Eileen
// Collins (NASA, no known copyright restrictions; see README.md), cropped from the 512 px photo
// that the tests also use as a selfie, so a document's portrait and a selfie show one face.
var Portrait = sync.OnceValue(func() image.Image {
	img, err := png.Decode(bytes.NewReader(astronautPNG))
	if err != nil {
		panic("mrztest: the embedded portrait does not decode: " + err.Error())
	}
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(145, 30, 295, 220))
})

// classes is the order of the glyphs in glyphFile (package ocrb's Classes).
const classes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"

// Glyphs are the OCR-B glyph masks.
type Glyphs struct {
	cw, ch, base, capH int
	masks              map[byte]*image.Alpha
	mu                 sync.Mutex
	scaled             map[[2]int]*image.Alpha // by character and capital height in quarter pixels
}

// LoadGlyphs returns the embedded OCR-B glyphs (loaded once).
var LoadGlyphs = sync.OnceValue(func() *Glyphs {
	b := glyphFile
	u := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	g := &Glyphs{cw: u(0), ch: u(1), base: u(2), capH: u(3), masks: map[byte]*image.Alpha{}, scaled: map[[2]int]*image.Alpha{}}
	b = b[8:]
	n := g.cw * g.ch
	if len(b) != n*len(classes) {
		panic(fmt.Sprintf("mrztest: glyph file has %d bytes, want %d", len(b), n*len(classes)))
	}
	for i := 0; i < len(classes); i++ {
		m := image.NewAlpha(image.Rect(0, 0, g.cw, g.ch))
		copy(m.Pix, b[i*n:(i+1)*n])
		g.masks[classes[i]] = m
	}
	return g
})

// Size gives the glyph cell's width, height, baseline and capital height at 32 px capitals.
func (g *Glyphs) Size() (cellW, cellH, baseline, capH int) { return g.cw, g.ch, g.base, g.capH }

// Mask returns the glyph of c (a zone character) at its native size, or nil.
func (g *Glyphs) Mask(c byte) *image.Alpha { return g.masks[c] }

// mask returns the glyph of c scaled to capital height capH (rounded to a quarter pixel).
func (g *Glyphs) mask(c byte, capH float64) *image.Alpha {
	key := [2]int{int(c), int(math.Round(capH * 4))}
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.scaled[key]; ok {
		return m
	}
	s := capH / float64(g.capH)
	m := image.NewAlpha(image.Rect(0, 0, int(math.Ceil(float64(g.cw)*s)), int(math.Ceil(float64(g.ch)*s))))
	xdraw.CatmullRom.Scale(m, m.Rect, g.masks[c], g.masks[c].Rect, xdraw.Src, nil)
	g.scaled[key] = m
	return m
}

// DrawText writes text (zone characters and spaces) at the font's advance from x, on the baseline
// y, with capitals capH pixels high.
func (g *Glyphs) DrawText(dst draw.Image, text string, x, y, capH float64, ink color.Color) {
	s := capH / float64(g.capH)
	pitch := float64(g.cw) * s
	src := image.NewUniform(ink)
	for i := 0; i < len(text); i++ {
		c := text[i]
		m, ok := g.masks[c]
		if c == ' ' || !ok || m == nil {
			continue
		}
		m = g.mask(c, capH)
		ox, oy := int(math.Round(x+float64(i)*pitch)), int(math.Round(y-float64(g.base)*s))
		draw.DrawMask(dst, m.Rect.Add(image.Pt(ox, oy)), src, image.Point{}, m, image.Point{}, draw.Over)
	}
}

// Format is a document format's size and zone shape.
type Format struct {
	// Name is the zone format: TD1, TD2, TD3, MRV-A or MRV-B.
	Name string
	// WidthMM and HeightMM are the document's size in millimetres.
	WidthMM, HeightMM float64
	// Lines and Width are the zone's shape.
	Lines, Width int
	// BottomMM is the distance of the last line's baseline from the bottom edge.
	BottomMM float64
}

// Formats are the five zone formats of ICAO Doc 9303, with their document sizes.
var Formats = []Format{
	{"TD3", 125, 88, 2, 44, 4},
	{"TD1", 85.6, 54, 3, 30, 3},
	{"TD2", 105, 74, 2, 36, 4},
	{"MRV-A", 120, 80, 2, 44, 4},
	{"MRV-B", 105, 74, 2, 36, 4},
}

// FormatOf returns the format named name (TD3 when unknown).
func FormatOf(name string) Format {
	for _, f := range Formats {
		if f.Name == name {
			return f
		}
	}
	return Formats[0]
}

// Card is a document to render.
type Card struct {
	// Format is the zone's format.
	Format Format
	// Lines are the zone's lines.
	Lines []string
	// Width is the document's width in pixels; the image adds a margin of table around it.
	Width int
	// Portrait is drawn in the portrait box, scaled to fit; nil draws a grey box.
	Portrait image.Image
	// Title is printed at the top ("REPUBLIC OF UTOPIA" when empty), in zone characters and spaces.
	Title string
}

// Render draws c on a table: a light card with a faint wave pattern, a title, a portrait, a few
// labels, and the zone in OCR-B at 10 characters per inch where Doc 9303 puts it. Colours,
// margin and labels are drawn from rng, so a seed gives the same image.
func Render(rng *rand.Rand, c Card) *image.RGBA {
	g := LoadGlyphs()
	cf := c.Format
	docW := c.Width
	k := float64(docW) / cf.WidthMM // pixels per millimetre
	docH := int(cf.HeightMM * k)
	margin := int(float64(docW) * (0.06 + 0.1*rng.Float64()))
	img := image.NewRGBA(image.Rect(0, 0, docW+2*margin, docH+2*margin))
	table := color.RGBA{uint8(40 + rng.IntN(100)), uint8(40 + rng.IntN(100)), uint8(40 + rng.IntN(100)), 255}
	draw.Draw(img, img.Rect, image.NewUniform(table), image.Point{}, draw.Src)
	card := image.Rect(margin, margin, margin+docW, margin+docH)
	paper := color.RGBA{uint8(215 + rng.IntN(40)), uint8(215 + rng.IntN(40)), uint8(215 + rng.IntN(40)), 255}
	draw.Draw(img, card, image.NewUniform(paper), image.Point{}, draw.Src)
	// A faint pattern of waves, as security printing.
	for y := card.Min.Y; y < card.Max.Y; y++ {
		for x := card.Min.X; x < card.Max.X; x++ {
			if math.Sin(float64(x)/(3*k)+4*math.Sin(float64(y)/(9*k))) > 0.97 {
				p := img.RGBAAt(x, y)
				img.SetRGBA(x, y, color.RGBA{p.R - 25, p.G - 15, p.B, 255})
			}
		}
	}
	pitch := 2.54 * k
	capH := pitch * float64(g.capH) / float64(g.cw)
	portrait := image.Rect(card.Min.X+int(5*k), card.Min.Y+int(12*k), card.Min.X+int(cf.WidthMM*0.28*k), card.Max.Y-int((cf.BottomMM+float64(cf.Lines)*4.3+4)*k))
	grey := uint8(80 + rng.IntN(90))
	if c.Portrait == nil {
		draw.Draw(img, portrait, image.NewUniform(color.RGBA{grey, grey, grey, 255}), image.Point{}, draw.Src)
	} else {
		// Scaled to fit, keeping its shape (a face squeezed into the box is not the face a
		// selfie shows), centred in the box on a plain ground as a photo is printed.
		draw.Draw(img, portrait, image.NewUniform(color.RGBA{grey, grey, grey, 255}), image.Point{}, draw.Src)
		pb := c.Portrait.Bounds()
		s := min(float64(portrait.Dx())/float64(pb.Dx()), float64(portrait.Dy())/float64(pb.Dy()))
		w, h := int(float64(pb.Dx())*s), int(float64(pb.Dy())*s)
		at := image.Pt(portrait.Min.X+(portrait.Dx()-w)/2, portrait.Min.Y+(portrait.Dy()-h)/2)
		xdraw.CatmullRom.Scale(img, image.Rectangle{at, at.Add(image.Pt(w, h))}, c.Portrait, pb, xdraw.Src, nil)
	}
	ink := color.RGBA{uint8(rng.IntN(50)), uint8(rng.IntN(50)), uint8(rng.IntN(60)), 255}
	words := []string{"PASSPORT", "SURNAME", "GIVEN NAMES", "NATIONALITY", "DATE OF BIRTH", "SEX", "UTOPIA", "AUTHORITY", "DATE OF EXPIRY"}
	title := c.Title
	if title == "" {
		title = "REPUBLIC OF UTOPIA"
	}
	g.DrawText(img, title, float64(card.Min.X)+5*k, float64(card.Min.Y)+8*k, capH*1.1, ink)
	for i, y := 0, float64(card.Min.Y)+16*k; y < float64(portrait.Max.Y); i, y = i+1, y+6*k {
		g.DrawText(img, words[(i+rng.IntN(3))%len(words)], float64(portrait.Max.X)+4*k, y, capH*0.7, ink)
	}
	DrawZone(img, cf, card, c.Lines, ink)
	return img
}

// DrawZone draws the lines of a zone of format f in OCR-B at 10 characters per inch where Doc 9303
// puts them on a document that occupies card in dst (its width is the format's width in
// millimetres): centred, the last baseline BottomMM above the bottom edge, 4.23 mm apart.
func DrawZone(dst draw.Image, f Format, card image.Rectangle, lines []string, ink color.Color) {
	g := LoadGlyphs()
	k := float64(card.Dx()) / f.WidthMM
	pitch := 2.54 * k
	capH := pitch * float64(g.capH) / float64(g.cw)
	left := float64(card.Min.X) + (f.WidthMM-float64(f.Width)*2.54)/2*k
	for i, l := range lines {
		base := float64(card.Max.Y) - (f.BottomMM+float64(len(lines)-1-i)*4.23)*k
		g.DrawText(dst, l, left, base, capH, ink)
	}
}

// Holder is what a zone says, as the zone writes it: upper case, '<' for spaces, dates YYMMDD.
type Holder struct {
	// DocumentCode is "P" for a passport, "I" or "ID" for an identity card, "V" for a visa.
	DocumentCode string
	// IssuingState and Nationality are ICAO codes ("UTO", "D", "GBR").
	IssuingState, Nationality string
	// Surname and GivenNames are the name's parts, '<' between words.
	Surname, GivenNames string
	// Number is the document number (up to 9 characters here).
	Number string
	// DateOfBirth and Expiry are YYMMDD.
	DateOfBirth, Expiry string
	// Sex is M, F or <.
	Sex string
	// Optional is the personal number or optional data.
	Optional string
}

func pad(s string, n int) string { return (s + strings.Repeat("<", n))[:n] }

func cd(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }

func (h Holder) name(n int) string { return pad(h.Surname+"<<"+h.GivenNames, n) }

func (h Holder) code(def string) string {
	if h.DocumentCode == "" {
		return def
	}
	return h.DocumentCode
}

// TD3 returns the two lines of a passport's zone for h, with valid check digits.
func TD3(h Holder) []string {
	num := pad(h.Number, 9)
	personal := pad(h.Optional, 14)
	pcd := "<"
	if h.Optional != "" {
		pcd = cd(personal)
	}
	l2 := num + cd(num) + pad(h.Nationality, 3) + h.DateOfBirth + cd(h.DateOfBirth) + pad(h.Sex, 1) + h.Expiry + cd(h.Expiry) + personal + pcd
	comp := l2[0:10] + l2[13:20] + l2[21:43]
	return []string{pad(pad(h.code("P"), 2)+pad(h.IssuingState, 3)+h.name(39), 44), l2 + cd(comp)}
}

// TD1 returns the three lines of an identity card's zone for h, with valid check digits.
func TD1(h Holder) []string {
	num := pad(h.Number, 9)
	l1 := pad(pad(h.code("I"), 2)+pad(h.IssuingState, 3)+num+cd(num)+pad(h.Optional, 15), 30)
	l2 := h.DateOfBirth + cd(h.DateOfBirth) + pad(h.Sex, 1) + h.Expiry + cd(h.Expiry) + pad(h.Nationality, 3) + pad("", 11)
	comp := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	return []string{l1, l2 + cd(comp), h.name(30)}
}

// TD2 returns the two lines of a TD2 card's zone for h, with valid check digits.
func TD2(h Holder) []string {
	num := pad(h.Number, 9)
	l2 := num + cd(num) + pad(h.Nationality, 3) + h.DateOfBirth + cd(h.DateOfBirth) + pad(h.Sex, 1) + h.Expiry + cd(h.Expiry) + pad(h.Optional, 7)
	comp := l2[0:10] + l2[13:20] + l2[21:35]
	return []string{pad(pad(h.code("I"), 2)+pad(h.IssuingState, 3)+h.name(31), 36), l2 + cd(comp)}
}

// Visa returns the two lines of a visa's zone for h (MRV-A, 44 characters, when long; MRV-B, 36,
// otherwise): no composite digit, and optional data that no digit covers.
func Visa(h Holder, long bool) []string {
	w := 36
	if long {
		w = 44
	}
	num := pad(h.Number, 9)
	l2 := num + cd(num) + pad(h.Nationality, 3) + h.DateOfBirth + cd(h.DateOfBirth) + pad(h.Sex, 1) + h.Expiry + cd(h.Expiry) + h.Optional
	return []string{pad(pad(h.code("V"), 2)+pad(h.IssuingState, 3)+h.name(w-5), w), pad(l2, w)}
}

// PassportPage renders the data page of a passport whose zone says h (TD3), 1,300 pixels wide on a
// table, with portrait in its portrait box and title at the top. The zone seeds the colours and
// margins, so the same arguments give the same image and two holders two different pictures.
func PassportPage(h Holder, portrait image.Image, title string) *image.RGBA {
	lines := TD3(h)
	seed := fnv.New64a()
	seed.Write([]byte(strings.Join(lines, "")))
	rng := rand.New(rand.NewPCG(seed.Sum64(), 1))
	return Render(rng, Card{Format: FormatOf("TD3"), Lines: lines, Width: 1300, Portrait: portrait, Title: title})
}
