package mrzimage

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"

	"kycd/internal/mrz"
	"kycd/internal/mrz/mrztest"
)

// loadGlyphs returns the OCR-B glyphs that package mrztest embeds.
func loadGlyphs() (*mrztest.Glyphs, error) { return mrztest.LoadGlyphs(), nil }

// document is one synthetic document and the zone it carries.
type document struct {
	img   *image.RGBA
	lines []string
	// card and zone are where the card and its zone's characters lie in img.
	card, zone image.Rectangle
}

// corpusFormats are the zone formats, with their document sizes.
var corpusFormats = mrztest.Formats

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
	switch corpusFormats[f].Name {
	case "MRV-A", "MRV-B": // no composite digit, and optional data that no digit covers
		w := corpusFormats[f].Width
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

// renderDocument draws a card of format f with a random zone, docW pixels wide, on a table (see
// mrztest.Render).
func renderDocument(rng *rand.Rand, _ *mrztest.Glyphs, f int, docW int) document {
	lines := randomZone(rng, f)
	cf := corpusFormats[f]
	img := mrztest.Render(rng, mrztest.Card{Format: cf, Lines: lines, Width: docW})
	// Where Render puts the card and the zone: the card in the middle of a margin of table, the
	// zone's baselines BottomMM and then 4.23 mm apart from the card's bottom edge.
	k := float64(docW) / cf.WidthMM
	margin := (img.Rect.Dx() - docW) / 2
	card := image.Rect(margin, margin, margin+docW, margin+int(cf.HeightMM*k))
	cw, _, _, capH := mrztest.LoadGlyphs().Size()
	zoneCap := 2.54 * k * float64(capH) / float64(cw)
	left := float64(card.Min.X) + (cf.WidthMM-float64(cf.Width)*2.54)/2*k
	zone := image.Rect(int(left), card.Max.Y-int((cf.BottomMM+float64(cf.Lines-1)*4.23)*k+zoneCap),
		int(left+float64(cf.Width)*2.54*k), card.Max.Y-int(cf.BottomMM*k))
	return document{img: img, lines: lines, card: card, zone: zone}
}
