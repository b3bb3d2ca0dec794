package mrzimage

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"

	xdraw "golang.org/x/image/draw"

	"kycd/internal/mrz"
	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// glyphSet is the OCR-B glyph masks that ./internal/train writes into testdata, so that the tests
// render documents without the font.
type glyphSet struct {
	cw, ch, base, capH int
	masks              map[byte]*image.Alpha
	mu                 sync.Mutex
	scaled             map[[2]int]*image.Alpha // by class index and capital height
}

var loadGlyphs = sync.OnceValues(func() (*glyphSet, error) {
	b, err := os.ReadFile("testdata/ocrb_glyphs.bin")
	if err != nil {
		return nil, err
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	g := &glyphSet{cw: u(0), ch: u(1), base: u(2), capH: u(3), masks: map[byte]*image.Alpha{}, scaled: map[[2]int]*image.Alpha{}}
	b = b[8:]
	n := g.cw * g.ch
	if len(b) != n*len(ocrb.Classes) {
		return nil, fmt.Errorf("glyph file: %d bytes, want %d", len(b), n*len(ocrb.Classes))
	}
	for i := 0; i < len(ocrb.Classes); i++ {
		m := image.NewAlpha(image.Rect(0, 0, g.cw, g.ch))
		copy(m.Pix, b[i*n:(i+1)*n])
		g.masks[ocrb.Classes[i]] = m
	}
	return g, nil
})

// mask returns the glyph of c scaled to capital height capH (rounded to a pixel).
func (g *glyphSet) mask(c byte, capH float64) *image.Alpha {
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

// drawText writes text at a pitch of the font's advance from x, on the baseline y.
func (g *glyphSet) drawText(dst draw.Image, text string, x, y, capH float64, ink color.Color) {
	s := capH / float64(g.capH)
	pitch := float64(g.cw) * s
	src := image.NewUniform(ink)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == ' ' {
			continue
		}
		m := g.mask(c, capH)
		ox, oy := int(math.Round(x+float64(i)*pitch)), int(math.Round(y-float64(g.base)*s))
		draw.DrawMask(dst, m.Rect.Add(image.Pt(ox, oy)), src, image.Point{}, m, image.Point{}, draw.Over)
	}
}

// document is one synthetic document and the zone it carries.
type document struct {
	img   *image.RGBA
	lines []string
}

// formats: name, card size in millimetres and lines x width.
var corpusFormats = []struct {
	name         string
	wmm, hmm     float64
	lines, width int
	bottomMM     float64
}{
	{"TD3", 125, 88, 2, 44, 4},
	{"TD1", 85.6, 54, 3, 30, 3},
	{"TD2", 105, 74, 2, 36, 4},
	{"MRV-A", 120, 80, 2, 44, 4},
	{"MRV-B", 105, 74, 2, 36, 4},
}

var (
	corpusNations = []string{"FRA", "ITA", "ESP", "NLD", "BEL", "POL", "SWE", "GBR", "USA", "CAN", "AUS", "JPN",
		"BRA", "MEX", "IND", "ZAF", "NGA", "EGY", "TUR", "D<<", "UTO", "CHE", "AUT", "IRL", "PRT", "GRC"}
	corpusSurnames = []string{"ERIKSSON", "MUELLER", "OKAFOR", "NGUYEN", "GARCIA<LOPEZ", "SMITH", "KOWALSKI",
		"DUBOIS", "ROSSI", "TANAKA", "SILVA", "OBRIEN", "VAN<DER<BERG", "HOLM", "PETROV", "QUINN", "ZIMMER", "JOHANSSON"}
	corpusGiven = []string{"ANNA<MARIA", "JOHN", "WEI", "FATIMA", "OLIVIER", "KAI", "MARGARETHE", "LUCAS<JAMES",
		"YUKI", "SOFIA", "BJORN", "CHIDI", "XAVIER", "ZOE", "IVAN", "PIA"}
)

// randomZone returns the lines of a zone of format f with valid check digits.
func randomZone(rng *rand.Rand, f int) []string {
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	alnum := func(n int) string {
		const cs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = cs[rng.IntN(len(cs))]
			if i < 2 && rng.IntN(2) == 0 {
				b[i] = cs[rng.IntN(26)]
			} else if i >= 2 {
				b[i] = cs[26+rng.IntN(10)]
				if rng.IntN(5) == 0 {
					b[i] = cs[rng.IntN(26)]
				}
			}
		}
		return string(b)
	}
	date := func(y0, y1 int) string {
		return fmt.Sprintf("%02d%02d%02d", (y0+rng.IntN(y1-y0))%100, 1+rng.IntN(12), 1+rng.IntN(28))
	}
	cd := func(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }
	pad := func(s string, n int) string { return (s + strings.Repeat("<", n))[:n] }
	state, nat := pick(corpusNations), pick(corpusNations)
	name := pick(corpusSurnames) + "<<" + pick(corpusGiven)
	num := alnum(9)
	birth, expiry := date(1940, 2008), date(2026, 2036)
	sex := string("MF<"[rng.IntN(3)])
	switch corpusFormats[f].name {
	case "MRV-A", "MRV-B": // no composite digit, and optional data that no digit covers
		w := corpusFormats[f].width
		opt := ""
		if rng.IntN(2) == 0 {
			opt = alnum(3 + rng.IntN(5))
		}
		l2 := num + cd(num) + nat + birth + cd(birth) + sex + expiry + cd(expiry) + opt
		return []string{pad("V<"+state+name, w), pad(l2, w)}
	case "TD3":
		personal := strings.Repeat("<", 14)
		pcd := "<"
		if rng.IntN(2) == 0 {
			personal = pad(alnum(5+rng.IntN(9)), 14)
			pcd = cd(personal)
		}
		l2 := num + cd(num) + nat + birth + cd(birth) + sex + expiry + cd(expiry) + personal + pcd
		comp := l2[0:10] + l2[13:20] + l2[21:43]
		return []string{pad("P<"+state+name, 44), l2 + cd(comp)}
	case "TD2":
		opt := pad("", 7)
		if rng.IntN(2) == 0 {
			opt = pad(alnum(3+rng.IntN(4)), 7)
		}
		l2 := num + cd(num) + nat + birth + cd(birth) + sex + expiry + cd(expiry) + opt
		comp := l2[0:10] + l2[13:20] + l2[21:35]
		return []string{pad("I<"+state+name, 36), l2 + cd(comp)}
	}
	opt1 := pad("", 15)
	if rng.IntN(2) == 0 {
		opt1 = pad(alnum(4+rng.IntN(6)), 15)
	}
	l1 := pad(string("IA"[rng.IntN(2)])+"<"+state+num+cd(num)+opt1, 30)
	l2 := birth + cd(birth) + sex + expiry + cd(expiry) + nat + pad("", 11)
	comp := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	return []string{l1, l2 + cd(comp), pad(name, 30)}
}

// renderDocument draws a card of format f, docW pixels wide, on a table: a light background with
// a few lines of text, a grey portrait, and the zone in OCR-B at 10 characters per inch.
func renderDocument(rng *rand.Rand, g *glyphSet, f int, docW int) document {
	cf := corpusFormats[f]
	lines := randomZone(rng, f)
	k := float64(docW) / cf.wmm // pixels per millimetre
	docH := int(cf.hmm * k)
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
				c := img.RGBAAt(x, y)
				img.SetRGBA(x, y, color.RGBA{c.R - 25, c.G - 15, c.B, 255})
			}
		}
	}
	pitch := 2.54 * k
	capH := pitch * float64(g.capH) / float64(g.cw)
	portrait := image.Rect(card.Min.X+int(5*k), card.Min.Y+int(12*k), card.Min.X+int(cf.wmm*0.28*k), card.Max.Y-int((cf.bottomMM+float64(cf.lines)*4.3+4)*k))
	grey := uint8(80 + rng.IntN(90))
	draw.Draw(img, portrait, image.NewUniform(color.RGBA{grey, grey, grey, 255}), image.Point{}, draw.Src)
	ink := color.RGBA{uint8(rng.IntN(50)), uint8(rng.IntN(50)), uint8(rng.IntN(60)), 255}
	words := []string{"PASSPORT", "SURNAME", "GIVEN NAMES", "NATIONALITY", "DATE OF BIRTH", "SEX", "UTOPIA", "AUTHORITY", "DATE OF EXPIRY"}
	g.drawText(img, "REPUBLIC OF UTOPIA", float64(card.Min.X)+5*k, float64(card.Min.Y)+8*k, capH*1.1, ink)
	for i, y := 0, float64(card.Min.Y)+16*k; y < float64(portrait.Max.Y); i, y = i+1, y+6*k {
		g.drawText(img, words[(i+rng.IntN(3))%len(words)], float64(portrait.Max.X)+4*k, y, capH*0.7, ink)
	}
	left := float64(card.Min.X) + (cf.wmm-float64(cf.width)*2.54)/2*k
	for i, l := range lines {
		base := float64(card.Max.Y) - (cf.bottomMM+float64(len(lines)-1-i)*4.23)*k
		g.drawText(img, l, left, base, capH, ink)
	}
	return document{img: img, lines: lines}
}
