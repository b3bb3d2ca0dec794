package check

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"kycd/internal/mrz/mrztest"
)

// Generated identity documents and non-documents for DocumentShown, made from a seed so that its
// constants are tuned on one seed and evaluated on another (docshown_test.go). The documents are
// mrztest.Render's cards (a title, labels, a portrait box and, unless left out, the zone in OCR-B)
// photographed: at card widths of 500-1600 px, rotated, sheared, unevenly lit, blurred, noisy and
// saved as JPEG. The non-documents are blank pages and the test images of testdata, with copies.

// Seeds of the generated documents: the constants of docshown.go were chosen on docTuneSeed and
// are evaluated on docEvalSeed, which was first run after they were set.
const (
	docTuneSeed = 11
	docEvalSeed = 12
	// docsPerSeed is how many documents each seed draws.
	docsPerSeed = 60
)

// docSample is one generated image and what DocumentShown must say of it.
type docSample struct {
	name string
	img  image.Image
	// front is what to pass DocumentShown; document whether it must pass.
	front, document bool
}

var (
	surnames = []string{"MUSTERMANN", "ERIKSSON", "OKAFOR", "GARCIA<LOPEZ", "NGUYEN", "SMITH", "DUBOIS"}
	givens   = []string{"ERIKA", "ANNA<MARIA", "CHINEDU", "JOSE", "LINH", "JOHN<PAUL", "CLAIRE"}
	titles   = []string{"", "PASSPORT", "IDENTITY CARD", "KINGDOM OF UTOPIA", "DRIVING LICENCE", "RESIDENCE PERMIT"}
)

// zoneFor returns a random holder's zone in format f.
func zoneFor(rng *rand.Rand, f mrztest.Format) []string {
	h := mrztest.Holder{IssuingState: "UTO", Nationality: "UTO", Surname: surnames[rng.IntN(len(surnames))],
		GivenNames: givens[rng.IntN(len(givens))], Number: fmt.Sprintf("X%08d", rng.IntN(1e8)),
		DateOfBirth: fmt.Sprintf("%02d%02d%02d", 50+rng.IntN(50), 1+rng.IntN(12), 1+rng.IntN(28)),
		Sex:         []string{"M", "F", "<"}[rng.IntN(3)], Expiry: fmt.Sprintf("3%d%02d%02d", rng.IntN(5), 1+rng.IntN(12), 1+rng.IntN(28))}
	switch f.Name {
	case "TD1":
		return mrztest.TD1(h)
	case "TD2":
		return mrztest.TD2(h)
	case "MRV-A":
		return mrztest.Visa(h, true)
	case "MRV-B":
		return mrztest.Visa(h, false)
	}
	return mrztest.TD3(h)
}

// portraitFor crops the astronaut to the shape of f's portrait box (as Render places it), her
// head and shoulders, so that Render's scaling to fit does not stretch her face.
func portraitFor(t testing.TB, f mrztest.Format) image.Image {
	boxW := f.WidthMM*0.28 - 5
	boxH := f.HeightMM - (f.BottomMM + float64(f.Lines)*4.3 + 4) - 12
	w := 170.0
	h := w * boxH / boxW
	if h > 470 {
		h = 470
		w = h * boxW / boxH
	}
	x0 := 220 - w/2
	return crop(testImage(t, "astronaut"), image.Rect(int(x0), 25, int(x0+w), 25+int(h)))
}

// photograph degrades a rendered card as a phone would, each effect drawn with its own chance:
// rotation (up to 8 degrees either way) and shear (up to 0.08), light falling off across the
// frame (to 60%), a soft lens (blur of sigma 0.4-1.0 px at the checks' 512 px), sensor noise
// (sigma 1-5 levels), and JPEG of quality 30-90. It says what it did.
func photograph(t testing.TB, rng *rand.Rand, img image.Image) (image.Image, string) {
	what := ""
	if rng.IntN(2) == 0 {
		angle := (rng.Float64()*2 - 1) * 8 * math.Pi / 180
		shear := (rng.Float64()*2 - 1) * 0.08
		img = warp(img, angle, shear)
		what += fmt.Sprintf(" rotated %.1f° sheared %.2f", angle*180/math.Pi, shear)
	}
	if rng.IntN(2) == 0 {
		low := 0.6 + 0.3*rng.Float64()
		img = falloff(img, low, rng.Float64()*2*math.Pi)
		what += fmt.Sprintf(" light to %.0f%%", 100*low)
	}
	if rng.IntN(3) == 0 {
		// Blur at a fixed working size, so that sigma means the same at every card width and
		// the test stays quick.
		b := img.Bounds()
		k := 700 / float64(max(b.Dx(), b.Dy()))
		sigma := 0.55 + 0.8*rng.Float64() // 0.4-1.0 px at 512
		img = gaussianBlur(scale(img, k), sigma)
		what += fmt.Sprintf(" blurred %.2f px at 700", sigma)
	}
	if rng.IntN(2) == 0 {
		sigma := 1 + 4*rng.Float64()
		img = noisy(rng, img, sigma)
		what += fmt.Sprintf(" noise %.1f", sigma)
	}
	if rng.IntN(2) == 0 {
		q := 30 + rng.IntN(61)
		img = reencode(t, img, q)
		what += fmt.Sprintf(" JPEG %d", q)
	}
	return img, what
}

// warp rotates img by angle (radians) about its centre and shears it horizontally by shear,
// onto a canvas of the same size filled with its top-left pixel (the table).
func warp(img image.Image, angle, shear float64) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, image.NewUniform(img.At(b.Min.X, b.Min.Y)), image.Point{}, draw.Src)
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	c, s := math.Cos(angle), math.Sin(angle)
	// dst = R * S * (src - centre) + centre, with S = [1 shear; 0 1].
	m := f64.Aff3{c, c*shear - s, 0, s, s*shear + c, 0}
	m[2] = cx - m[0]*cx - m[1]*cy
	m[5] = cy - m[3]*cx - m[4]*cy
	xdraw.BiLinear.Transform(dst, m, img, b, xdraw.Over, nil)
	return dst
}

// falloff multiplies img by light that falls linearly from 1 to low across the frame, in the
// direction dir (radians).
func falloff(img image.Image, low, dir float64) *image.RGBA {
	dst := toRGBA(img)
	w, h := float64(dst.Rect.Dx()), float64(dst.Rect.Dy())
	dx, dy := math.Cos(dir), math.Sin(dir)
	span := math.Abs(dx)*w + math.Abs(dy)*h
	for y := range dst.Rect.Dy() {
		for x := range dst.Rect.Dx() {
			p := ((float64(x)-w/2)*dx + (float64(y)-h/2)*dy) / span // -0.5 to 0.5
			f := 1 - (1-low)*(p+0.5)
			o := dst.PixOffset(x, y)
			for c := range 3 {
				dst.Pix[o+c] = uint8(float64(dst.Pix[o+c]) * f)
			}
		}
	}
	return dst
}

// noisy adds Gaussian noise of standard deviation sigma to every channel.
func noisy(rng *rand.Rand, img image.Image, sigma float64) *image.RGBA {
	dst := toRGBA(img)
	for i := range dst.Pix {
		if i%4 != 3 {
			dst.Pix[i] = uint8(max(0, min(255, math.Round(float64(dst.Pix[i])+sigma*rng.NormFloat64()))))
		}
	}
	return dst
}

// generatedDocuments draws docsPerSeed documents from seed: a random format and card width
// (500-1600 px), a portrait of the astronaut on two thirds of them (those are fronts; the others,
// with a grey box, are checked as the back), the zone left out of a quarter of them (a driving
// licence prints none), each photographed.
func generatedDocuments(t testing.TB, seed uint64) []docSample {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []docSample
	for i := range docsPerSeed {
		f := mrztest.Formats[rng.IntN(len(mrztest.Formats))]
		card := mrztest.Card{Format: f, Width: 500 + rng.IntN(1101), Title: titles[rng.IntN(len(titles))]}
		front := rng.IntN(3) < 2
		if front {
			card.Portrait = portraitFor(t, f)
		}
		zone := rng.IntN(4) > 0
		if zone {
			card.Lines = zoneFor(rng, f)
		}
		img, what := photograph(t, rng, mrztest.Render(rng, card))
		name := fmt.Sprintf("%d %s width %d front %v zone %v%s", i, f.Name, card.Width, front, zone, what)
		out = append(out, docSample{name: name, img: img, front: front, document: true})
	}
	return out
}

// blankPage draws a page with nothing printed: paper of a random level with a slight gradient,
// vignetting and noise, filling the frame (a scan) or lying on a darker table (a photo).
func blankPage(rng *rand.Rand) (image.Image, string) {
	w, h := 800+rng.IntN(800), 600+rng.IntN(600)
	paper := 170 + 80*rng.Float64()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	onTable := rng.IntN(2) == 0
	page := dst.Rect
	table := 40 + 100*rng.Float64()
	if onTable {
		mx, my := w/10+rng.IntN(w/8), h/10+rng.IntN(h/8)
		page = image.Rect(mx, my, w-mx, h-my)
	}
	grad := 0.15 * rng.Float64()
	vignette := 0.25 * rng.Float64()
	sigma := 1 + 5*rng.Float64()
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w)-0.5, float64(y)/float64(h)-0.5
			v := table
			if (image.Point{X: x, Y: y}).In(page) {
				v = paper
			}
			v *= (1 - grad*(fx+0.5)) * (1 - vignette*(fx*fx+fy*fy)*2)
			dst.Pix[y*dst.Stride+x] = uint8(max(0, min(255, math.Round(v+sigma*rng.NormFloat64()))))
		}
	}
	return dst, fmt.Sprintf("blank %dx%d paper %.0f table %v gradient %.2f vignette %.2f noise %.1f", w, h, paper, onTable, grad, vignette, sigma)
}

// nonDocuments are the images that show no document, each checked as a front and as a back: the
// test images of testdata clean, as JPEG of quality 30, scaled by 0.5 and 2, blurred (sigma 2)
// and darkened, and blank pages drawn from seed (some of them saved as JPEG).
func nonDocuments(t testing.TB, seed uint64) []docSample {
	var out []docSample
	add := func(name string, img image.Image) {
		out = append(out, docSample{name: name, img: img, front: true}, docSample{name: name, img: img})
	}
	for _, name := range testImageNames {
		img := testImage(t, name)
		add(name, img)
		add(name+" JPEG 30", reencode(t, img, 30))
		add(name+" scaled 0.5", scale(img, 0.5))
		add(name+" scaled 2", scale(img, 2))
		add(name+" blurred 2", gaussianBlur(img, 2))
		add(name+" darkened 0.6", darken(img, 0.6))
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for range 12 {
		img, what := blankPage(rng)
		if rng.IntN(2) == 0 {
			q := 30 + rng.IntN(61)
			img = reencode(t, img, q)
			what += fmt.Sprintf(" JPEG %d", q)
		}
		add(what, img)
	}
	return out
}
