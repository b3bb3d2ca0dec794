package main

import (
	"bytes"
	_ "embed" // the source photos
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"

	"kycd/internal/verify/check"
)

// The two source photos, copied from ../shared/data/images (see testdata/README.md for their
// licences): a frontal portrait and a page of printed text.
var (
	//go:embed testdata/astronaut.png
	astronautPNG []byte
	//go:embed testdata/text.png
	textPNG []byte
)

// Sizes of the generated images, all between 1 and 2 megapixels.
const (
	frontW, frontH   = 1344, 1008 // id-front: a passport's photo page, 1.35 MP
	selfieSide       = 1200       // face-proof: a square selfie, 1.44 MP
	backW, backH     = 1344, 1008 // id-back: text and bars, 1.35 MP
	jpegQuality      = 90
	maxTriesPerImage = 200
)

// minDistance is the least Hamming distance, in bits, kept between the perceptual hash of any
// image of one applicant and any image of another. kycd counts images within 6 bits as the same
// picture (verify.Config.PHashDistance); the margin covers the small shift JPEG encoding causes.
const minDistance = 12

// set is the three JPEGs of one application.
type set struct {
	front, back, selfie []byte
}

// upload is one file of an application: its tag and bytes.
type upload struct {
	tag  string
	data []byte
}

// files returns the set's images in upload order with their tags.
func (s set) files() [3]upload {
	return [3]upload{{"id-front", s.front}, {"id-back", s.back}, {"face-proof", s.selfie}}
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

// candidate is one generated image before it is encoded, with what the server's checks will see.
type candidate struct {
	img   *image.RGBA
	hash  uint64
	faces int
	// clean: the image passes kycd's sharpness, exposure and size checks.
	clean bool
}

// makeSets generates n applications' images. Every image is a new picture, not a copy with other
// bytes: the astronaut cropped, shifted, mirrored and placed differently, text pages cut
// differently, all scaled up by nearest neighbour so they stay sharp. So that kycd's duplicate
// checks find nothing, an image is kept only if its perceptual hash (computed with kycd's own
// check.PHash) is at least minDistance bits from every image of every other application; and
// only if it passes kycd's sharpness, exposure and size checks and kycd's face detector finds
// exactly one face on the id-front and the selfie and none on the id-back. Candidates are drawn
// and checked GOMAXPROCS at a time, each from its own seeded generator, and the first that fits
// is kept: every run with the same seed uses the same images. tries counts the candidates drawn.
func makeSets(n int, seed uint64) (sets []set, tries int, err error) {
	src, err := loadSources()
	if err != nil {
		return nil, 0, err
	}
	roles := []struct {
		tag   string
		gen   func(*rand.Rand) *image.RGBA
		faces int
	}{{"id-front", src.front, 1}, {"id-back", src.back, 0}, {"face-proof", src.selfie, 1}}
	batch := runtime.GOMAXPROCS(0)
	var taken []uint64 // hashes of the earlier applications' images
	sets = make([]set, n)
	for i := range sets {
		var imgs [3]*image.RGBA
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
						cs[k] = evaluate(role.gen(rng))
					})
				}
				wg.Wait()
				for _, c := range cs {
					tries++
					if c.clean && c.faces == role.faces && far(c.hash, taken) {
						imgs[r] = c.img
						mine = append(mine, c.hash)
						break
					}
				}
			}
		}
		taken = append(taken, mine...)
		var enc [3][]byte
		var errs [3]error
		var wg sync.WaitGroup
		for k := range imgs {
			wg.Go(func() {
				var b bytes.Buffer
				errs[k] = jpeg.Encode(&b, imgs[k], &jpeg.Options{Quality: jpegQuality})
				enc[k] = b.Bytes()
			})
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			return nil, tries, fmt.Errorf("encode: %w", err)
		}
		sets[i] = set{front: enc[0], back: enc[1], selfie: enc[2]}
	}
	return sets, tries, nil
}

// evaluate runs on img the image checks kycd runs on an identity document's images.
func evaluate(img *image.RGBA) candidate {
	g := check.Normalize(img)
	c := candidate{img: img, hash: check.PHash(g), faces: check.CountFaces(g)}
	c.clean = !check.Sharpness(g, 0).Failed && !check.Exposure(g, check.ExposureLimits{}).Failed && !check.Glare(g, 0).Failed && !check.Size(img, 0).Failed
	return c
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
// position, mirrored half the time.
func faceCrop(rng *rand.Rand, src *image.RGBA) crop {
	b := src.Rect
	side := 330 + rng.IntN(min(b.Dx(), b.Dy())-330+1)
	x := rng.IntN(b.Dx() - side + 1)
	y := rng.IntN(b.Dy() - side + 1)
	return crop{r: image.Rect(x, y, x+side, y+side), flip: rng.IntN(2) == 1}
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

// front draws a passport photo page: the portrait at a random size and place on the left, lines
// of text on the right.
func (s sources) front(rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, frontW, frontH))
	fill(img, img.Rect, paper(rng))
	side := 520 + rng.IntN(260)
	x, y := 20+rng.IntN(120), rng.IntN(frontH-side+1)
	blit(img, image.Rect(x, y, x+side, y+side), s.face, faceCrop(rng, s.face))
	left := x + side + 20
	for ty := 20 + rng.IntN(60); ty < frontH-60; {
		c := textCrop(rng, s.text)
		k := 1 + rng.IntN(2)
		w, h := min(c.r.Dx()*k, frontW-left-10), c.r.Dy()*k
		blit(img, image.Rect(left, ty, left+w, ty+h), s.text, crop{r: image.Rect(c.r.Min.X, c.r.Min.Y, c.r.Min.X+w/k, c.r.Max.Y)})
		ty += h + 20 + rng.IntN(80)
	}
	return img
}

// back draws the back of a document: text blocks and a few dark bars (a barcode, a signature
// strip) at random places.
func (s sources) back(rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, backW, backH))
	fill(img, img.Rect, paper(rng))
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

// selfie draws a square crop of the astronaut filling the picture.
func (s sources) selfie(rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, selfieSide, selfieSide))
	blit(img, img.Rect, s.face, faceCrop(rng, s.face))
	return img
}
