package idimages

import (
	"bytes"
	_ "embed" // the source photos
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"

	"kycd/internal/mrz/mrzimage"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/verify/check"
)

// The two source photos, copied from the shared data images (see testdata/README.md for their
// licences): a frontal portrait and a page of printed text.
var (
	//go:embed testdata/astronaut.png
	astronautPNG []byte
	//go:embed testdata/text.png
	textPNG []byte
)

// Sizes of the generated images, all between 1 and 2 megapixels.
const (
	frontW, frontH   = 1344, 1008        // id-front: a passport's data page and its zone, 1.35 MP
	selfieSide       = 1200              // face-proof: a square selfie, 1.44 MP
	backW, backH     = 1344, 1008        // id-back: text and bars, 1.35 MP
	zoneBand         = frontW * 14 / 125 // the id-front's bottom 14 mm (of 125), kept for the zone
	maxTriesPerImage = 200
)

// JPEGQuality is the quality every image is encoded at.
const JPEGQuality = 90

// minDistance is the least Hamming distance, in bits, kept between the perceptual hash of any
// image of one applicant and any image of another. kycd counts images within 6 bits as the same
// picture (verify.Config.PHashDistance); the margin covers the small shift JPEG encoding causes.
const minDistance = 12

// Set is the three JPEGs of one application.
type Set struct {
	// Front, Back and Selfie are the id-front, id-back and face-proof JPEGs.
	Front, Back, Selfie []byte
}

// Upload is one file of an application: its tag and bytes.
type Upload struct {
	// Tag is the file's tag in kycd: id-front, id-back or face-proof.
	Tag string
	// Data is the JPEG.
	Data []byte
}

// Files returns the set's images in upload order with their tags.
func (s Set) Files() [3]Upload {
	return [3]Upload{{"id-front", s.Front}, {"id-back", s.Back}, {"face-proof", s.Selfie}}
}

// sources are the decoded source photos.
type sources struct {
	face, text *image.RGBA
}

func loadSources() (sources, error) {
	face, err := decodePNG(astronautPNG)
	if err != nil {
		return sources{}, fmt.Errorf("astronaut.png: %w", err)
	}
	text, err := decodePNG(textPNG)
	if err != nil {
		return sources{}, fmt.Errorf("text.png: %w", err)
	}
	return sources{face: face, text: text}, nil
}

func decodePNG(b []byte) (*image.RGBA, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	rgba := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba, nil
}

// candidate is one generated image as judged by evaluate: its JPEG (encoded only once kycd's image
// checks pass), the JPEG's perceptual hash, and whether it fits.
type candidate struct {
	jpeg []byte
	hash uint64
	// fits: the image passes kycd's sharpness, exposure and size checks, shows the wanted number
	// of faces, is far from the images taken, and kycd's zone reader reads the wanted lines from
	// its JPEG (when some are wanted).
	fits bool
	err  error
}

// MakeSets generates n applications' images. Every image is a new picture, not a copy with other
// bytes: the astronaut cropped, shifted, mirrored and placed differently, text pages cut
// differently, all scaled up by nearest neighbour so they stay sharp. So that kycd's duplicate
// checks find nothing, an image is kept only if its perceptual hash (computed with kycd's own
// check.PHash) is at least minDistance bits from every image of every other application; and
// only if it passes kycd's sharpness, exposure and size checks and kycd's face detector finds
// exactly one face on the id-front and the selfie and none on the id-back; and an id-front only if
// kycd's zone reader (mrzimage.Read) reads from its JPEG the zone of the passport the benchmark
// types for that application (zoneLines), as the server must for the document to be accepted
// without review. Candidates are drawn and checked GOMAXPROCS at a time, each from its own seeded
// generator, and the first that fits is kept: every run with the same seed uses the same images.
// tries counts the candidates drawn.
func MakeSets(n int, seed uint64) (sets []Set, tries int, err error) {
	src, err := loadSources()
	if err != nil {
		return nil, 0, err
	}
	roles := []struct {
		tag   string
		gen   func(rng *rand.Rand, app int) *image.RGBA
		faces int
		zone  bool // the image must carry the application's zone, read by kycd's reader
		side  side // the document side it shows, which kycd's document-shown check must see
	}{{"id-front", src.front, 1, true, sideFront}, {"id-back", src.back, 0, false, sideBack}, {"face-proof", src.selfie, 1, false, sideNone}}
	batch := runtime.GOMAXPROCS(0)
	var taken []uint64 // hashes of the earlier applications' images
	sets = make([]Set, n)
	for i := range sets {
		var imgs [3][]byte
		var mine []uint64
		for r, role := range roles {
			for j := 0; imgs[r] == nil; j += batch {
				if j >= maxTriesPerImage {
					return nil, tries, fmt.Errorf("application %d: no %s image %d bits from the others in %d tries", i+1, role.tag, minDistance, j)
				}
				cs := make([]candidate, batch)
				var wg sync.WaitGroup
				for k := range cs {
					wg.Go(func() {
						rng := rand.New(rand.NewPCG(seed, uint64(i)<<32|uint64(r)<<24|uint64(j+k)))
						var zone []string
						if role.zone {
							zone = zoneLines(i + 1)
						}
						cs[k] = evaluate(role.gen(rng, i+1), role.faces, taken, zone, role.side)
					})
				}
				wg.Wait()
				for _, c := range cs {
					tries++
					if c.err != nil {
						return nil, tries, fmt.Errorf("application %d %s: %w", i+1, role.tag, c.err)
					}
					if c.fits {
						imgs[r] = c.jpeg
						mine = append(mine, c.hash)
						break
					}
				}
			}
		}
		taken = append(taken, mine...)
		sets[i] = Set{Front: imgs[0], Back: imgs[1], Selfie: imgs[2]}
	}
	return sets, tries, nil
}

// evaluate runs on img the image checks kycd runs on an identity document's images: it fits when
// they pass, kycd's face detector finds faces faces, and its perceptual hash is far from every hash
// in taken. The checks run on img, then again on its JPEG decoded, which is what the server sees
// (JPEG's small changes can hide a face from the detector). When zone is not nil, kycd's zone
// reader must also read exactly those lines from the decoded JPEG.
// side is the side of a document an image shows, if any.
type side int

const (
	sideNone side = iota
	sideFront
	sideBack
)

func evaluate(img *image.RGBA, faces int, taken []uint64, zone []string, sd side) candidate {
	passes := func(img image.Image) (uint64, bool) {
		g := check.Normalize(img)
		h := check.PHash(g)
		return h, !check.Sharpness(g, 0).Failed && !check.Exposure(g, check.ExposureLimits{}).Failed && !check.Glare(g, 0).Failed &&
			!check.Size(img, 0).Failed && far(h, taken) && check.CountFaces(g) == faces &&
			(sd == sideNone || !check.DocumentShown(g, sd == sideFront).Failed)
	}
	var c candidate
	if _, ok := passes(img); !ok {
		return c
	}
	var b bytes.Buffer
	if c.err = jpeg.Encode(&b, img, &jpeg.Options{Quality: JPEGQuality}); c.err != nil {
		return c
	}
	c.jpeg = b.Bytes()
	dec, err := jpeg.Decode(bytes.NewReader(c.jpeg))
	if err != nil {
		c.err = err
		return c
	}
	var ok bool
	if c.hash, ok = passes(dec); !ok {
		return c
	}
	if zone != nil {
		r, err := mrzimage.Read(dec)
		if err != nil || !slices.Equal(r.Lines, zone) {
			return c
		}
	}
	c.fits = true
	return c
}

// zoneLines are the two lines of the TD3 zone on application n's (1-based) passport: what the
// benchmark types for that application (see apply), in the zone's writing.
func zoneLines(n int) []string {
	yymmdd := func(date string) string { return strings.ReplaceAll(date, "-", "")[2:] }
	return mrztest.TD3(mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: strings.ToUpper(HolderLast),
		GivenNames: strings.ToUpper(HolderFirst), Number: PassportNumber(n), DateOfBirth: yymmdd(HolderBirth), Sex: "F",
		Expiry: yymmdd(PassportExpiry)})
}

func far(h uint64, others []uint64) bool {
	for _, o := range others {
		if bits.OnesCount64(h^o) < minDistance {
			return false
		}
	}
	return true
}

// crop is a rectangle of a source photo, maybe mirrored.
type crop struct {
	r    image.Rectangle
	flip bool
}

// faceCrop picks a square of the astronaut holding her face: 330 to 512 px wide at a random
// position, mirrored when flip is true. The passport's portrait is the photo as it is and the
// selfie its mirror image: the same face in a different picture (the light on the other side, the
// face's asymmetries swapped), as two photographs are, so kycd's face-match check matches them and
// its selfie-not-portrait check does not take the selfie for the portrait cropped out.
func faceCrop(rng *rand.Rand, src *image.RGBA, flip bool) crop {
	b := src.Rect
	side := 330 + rng.IntN(min(b.Dx(), b.Dy())-330+1)
	x := rng.IntN(b.Dx() - side + 1)
	y := rng.IntN(b.Dy() - side + 1)
	return crop{r: image.Rect(x, y, x+side, y+side), flip: flip}
}

// blit copies c of src into dst's rectangle to, scaled by nearest neighbour.
func blit(dst *image.RGBA, to image.Rectangle, src *image.RGBA, c crop) {
	to = to.Intersect(dst.Rect)
	cw, ch := c.r.Dx(), c.r.Dy()
	for y := to.Min.Y; y < to.Max.Y; y++ {
		sy := c.r.Min.Y + (y-to.Min.Y)*ch/to.Dy()
		row := dst.Pix[dst.PixOffset(to.Min.X, y):]
		for x := 0; x < to.Dx(); x++ {
			sx := x * cw / to.Dx()
			if c.flip {
				sx = cw - 1 - sx
			}
			si := src.PixOffset(c.r.Min.X+sx, sy)
			copy(row[4*x:4*x+4], src.Pix[si:si+4])
		}
	}
}

func fill(dst *image.RGBA, r image.Rectangle, v [3]uint8) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(r.Min.X, y):dst.PixOffset(r.Max.X, y)]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = v[0], v[1], v[2], 255
		}
	}
}

// paper is a random light background colour.
func paper(rng *rand.Rand) [3]uint8 {
	return [3]uint8{uint8(170 + rng.IntN(50)), uint8(170 + rng.IntN(50)), uint8(160 + rng.IntN(50))}
}

// textCrop picks a strip of the text page at a random place.
func textCrop(rng *rand.Rand, src *image.RGBA) crop {
	b := src.Rect
	w := 160 + rng.IntN(b.Dx()-160+1)
	h := 40 + rng.IntN(b.Dy()-40+1)
	x, y := rng.IntN(b.Dx()-w+1), rng.IntN(b.Dy()-h+1)
	return crop{r: image.Rect(x, y, x+w, y+h)}
}

// front draws a passport's data page, app's (1-based): the portrait at a random size and place on
// the left, lines of text on the right, and at the bottom the machine-readable zone, in OCR-B
// where ICAO Doc 9303 puts it on a TD3 page as wide as the image (125 mm).
func (s sources) front(rng *rand.Rand, app int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, frontW, frontH))
	fill(img, img.Rect, paper(rng))
	// The zone's band: its first line's capitals start about 11 mm above the bottom edge; the rest
	// of the page keeps clear of it.
	top := img.SubImage(image.Rect(0, 0, frontW, frontH-zoneBand)).(*image.RGBA)
	side := 520 + rng.IntN(260)
	x, y := 20+rng.IntN(120), rng.IntN(top.Rect.Dy()-side+1)
	blit(top, image.Rect(x, y, x+side, y+side), s.face, faceCrop(rng, s.face, false))
	left := x + side + 20
	// Printed labels and fields, as a data page has (kycd's document-shown check wants rows of
	// print, which the handwriting of text.png is not).
	ink := uint8(rng.IntN(50))
	inkC := color.RGBA{ink, ink, ink + uint8(rng.IntN(30)), 255}
	g := mrztest.LoadGlyphs()
	ty := 40 + rng.IntN(30)
	for _, l := range []string{"PASSPORT  USA", "SURNAME", strings.ToUpper(HolderLast), "GIVEN NAMES", strings.ToUpper(HolderFirst)} {
		g.DrawText(top, l, float64(left), float64(ty), 20, inkC)
		ty += 38
	}
	for ty += 10 + rng.IntN(30); ty < top.Rect.Dy()-60; {
		c := textCrop(rng, s.text)
		k := 1 + rng.IntN(2)
		w, h := min(c.r.Dx()*k, frontW-left-10), c.r.Dy()*k
		blit(top, image.Rect(left, ty, left+w, ty+h), s.text, crop{r: image.Rect(c.r.Min.X, c.r.Min.Y, c.r.Min.X+w/k, c.r.Max.Y)})
		ty += h + 20 + rng.IntN(80)
	}
	mrztest.DrawZone(img, mrztest.FormatOf("TD3"), img.Rect, zoneLines(app), inkC)
	return img
}

// back draws the back of a document: text blocks and a few dark bars (a barcode, a signature
// strip) at random places.
func (s sources) back(rng *rand.Rand, _ int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, backW, backH))
	fill(img, img.Rect, paper(rng))
	// Printed rows, as a document's back has (see front).
	ink := uint8(rng.IntN(50))
	g := mrztest.LoadGlyphs()
	x0, y0 := 40+rng.IntN(200), 60+rng.IntN(100)
	for i, l := range []string{"AUTHORITY", "UNITED STATES DEPARTMENT OF STATE", "ENDORSEMENTS", "SEE PAGE 27"} {
		g.DrawText(img, l, float64(x0), float64(y0+i*44), 22, color.RGBA{ink, ink, ink, 255})
	}
	for range 3 + rng.IntN(3) {
		c := textCrop(rng, s.text)
		k := 2 + rng.IntN(2)
		x, y := rng.IntN(backW/2), rng.IntN(backH-c.r.Dy()*k+1)
		blit(img, image.Rect(x, y, x+c.r.Dx()*k, y+c.r.Dy()*k), s.text, c)
	}
	for range 2 + rng.IntN(3) {
		x, y := rng.IntN(backW-200), rng.IntN(backH-60)
		w, h := 100+rng.IntN(500), 20+rng.IntN(120)
		dark := uint8(20 + rng.IntN(60))
		for bx := x; bx < min(x+w, backW); bx += 6 + rng.IntN(10) {
			fill(img, image.Rect(bx, y, bx+2+rng.IntN(5), y+h), [3]uint8{dark, dark, dark})
		}
	}
	return img
}

// selfie draws a square crop of the astronaut, mirrored, filling the picture.
func (s sources) selfie(rng *rand.Rand, _ int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, selfieSide, selfieSide))
	blit(img, img.Rect, s.face, faceCrop(rng, s.face, true))
	return img
}
