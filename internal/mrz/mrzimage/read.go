package mrzimage

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sync"
	"time"

	"kycd/internal/mrz"
	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// ErrNotRead is wrapped by every error of Read: no machine-readable zone was found, or the one
// found could not be read with certainty. The error's text says why, never what was read.
var ErrNotRead = errors.New("mrzimage: machine-readable zone not read")

// Reading is a zone read from an image. Its fields are personal data: do not log them.
type Reading struct {
	// Lines are the zone's lines as read, after the correction of look-alike characters.
	Lines []string
	// MRZ is Lines parsed by package mrz; every check digit in it is valid.
	MRZ *mrz.MRZ
	// Rotation is how many degrees clockwise the image was turned for the zone to read left to
	// right: 0, 90, 180 or 270.
	Rotation int
	// Corrected counts the characters where the field's kind (digits in a date, letters in a
	// name) or the check digits chose another character than the classifier's first choice.
	Corrected int
}

// workSide is the longest side, in pixels, that an image is shrunk to before the zone is looked
// for: a zone across a document that fills the frame then has characters of about 20 to 30
// pixels, enough for the classifier, and a 12-megapixel photo costs no more than a scan.
const workSide = 1600

// Read finds the machine-readable zone of a document in img and reads it; two-digit years are
// read against the current date (see mrz.ParseAt).
func Read(img image.Image) (*Reading, error) {
	return ReadAt(img, time.Now())
}

// ReadAt is Read with the date that two-digit years are read against. It tries the image as it is,
// then turned by 180, 90 and 270 degrees, and returns the first zone that is read; the error of a
// failed read wraps ErrNotRead and gives the reason of the first zone found, or says that none was.
func ReadAt(img image.Image, now time.Time) (*Reading, error) {
	b := img.Bounds()
	if b.Dx() < 100 || b.Dy() < 100 {
		return nil, fmt.Errorf("%w: image is smaller than 100 x 100 pixels", ErrNotRead)
	}
	full := toGray(img)
	f := (max(b.Dx(), b.Dy()) + workSide - 1) / workSide
	g := shrink(full, f)
	net := defaultNet()
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bs := blobs(inkMask(g, max(7, min(w, h)/60)), w, h)
	reason := "no rows of 30, 36 or 44 characters found"
	found := false
	for _, q := range []int{0, 2, 1, 3} {
		for _, z := range findZones(turn(bs, q, w, h)) {
			for i := range z {
				z[i] = z[i].unturn(q, w, h)
			}
			src, sz := sharper(full, g, f, z)
			d := readZone(src, sz, net, now)
			if d.lines != nil {
				return &Reading{Lines: d.lines, MRZ: d.mrz, Rotation: 90 * q, Corrected: d.corrected}, nil
			}
			if !found {
				reason, found = d.reason, true
			}
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNotRead, reason)
}

var defaultNet = sync.OnceValue(ocrb.Default)

// readCap is the smallest capital height, in pixels, that a zone's cells are sampled at when the
// image has them: the shrink to workSide that finds zones fast leaves the characters of a
// document that fills only part of a 12-megapixel frame, or of an image just over workSide, 10
// to 15 pixels high, where the classifier is least sure.
const readCap = 20

// sharper returns the image that the cells of zone z, found in g (full shrunk by f), are read
// from, and the zone's lines in it: g itself when its characters are at least readCap high or
// there is nothing sharper, otherwise the zone's surroundings in full, shrunk by the largest
// factor below f that keeps them readCap high.
func sharper(full, g *image.Gray, f int, z []textLine) (*image.Gray, []textLine) {
	f2 := max(1, int(z[0].height*float64(f)/readCap))
	if f2 >= f {
		return g, z
	}
	// The zone's box in full: the ends of each line, a line's height above and below.
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, l := range z {
		for _, k := range []float64{-1, float64(l.n)} {
			t, h := l.at(k), 1.5*l.height*l.scale(k)
			for _, d := range []float64{-h, h} {
				x, y := l.ox+t*l.ux-d*l.uy, l.oy+t*l.uy+d*l.ux
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	ff := float64(f)
	box := image.Rect(int(x0*ff), int(y0*ff), int(x1*ff)+1, int(y1*ff)+1).Intersect(full.Rect)
	if box.Empty() {
		return g, z
	}
	src := shrink(full.SubImage(box).(*image.Gray), f2)
	if f2 == 1 {
		src = full
		box = image.Rectangle{}
	}
	out := make([]textLine, len(z))
	for i, l := range z {
		s := ff / float64(f2)
		l.ox, l.oy = (l.ox*ff-float64(box.Min.X))/float64(f2), (l.oy*ff-float64(box.Min.Y))/float64(f2)
		l.pitch, l.height = l.pitch*s, l.height*s
		out[i] = l
	}
	return src, out
}

// findZones returns the candidate zones among the blobs, lowest first.
func findZones(bs []blob) [][]textLine {
	var lines []textLine
	for _, c := range chains(bs) {
		if l, ok := fitLine(c); ok {
			lines = append(lines, l)
		}
	}
	return zones(lines)
}

// placements are the shifts, in pitches along the line and in character heights across it, at
// which each cell is classified; the class probabilities are averaged over them. A cell that is
// read the same when moved a little is a cell the classifier saw well; one whose reading flips
// gives the alternatives a share, so that decide tries them or refuses. Added after seed 2's
// torture variant showed a single placement reading a degraded I as a certain S, which the check
// digits cannot catch (I and S differ by 10). It costs reads: on seed 1 (20 documents per
// variant) combined fell from 95% to 85%, combined-800px from 95% to 90%, torture from 55% to
// 40%. Since seed 2 found the case, seed 3 is the held-out set for it (bench/README.md).
var placements = [][2]float64{{0, 0}, {-0.05, 0}, {0.05, 0}, {0, -0.04}, {0, 0.04}}

// readZone classifies every cell of the zone's lines and decides the text.
func readZone(g *image.Gray, z []textLine, net *ocrb.Net, now time.Time) decision {
	cells := make([][]scores, len(z))
	hid := make([]float32, net.Hidden)
	var prob scores
	for li, l := range z {
		cells[li] = make([]scores, l.n)
		vx, vy := -l.uy, l.ux
		for _, pl := range placements {
			feats := make([][]float32, l.n)
			for i := range feats {
				feats[i] = make([]float32, ocrb.Features)
				k := float64(i) + pl[0]
				t, s := l.at(k), l.scale(k)
				d := pl[1] * l.height * s
				ocrb.Sample(g, ocrb.Cell{CX: l.ox + t*l.ux + d*vx, CY: l.oy + t*l.uy + d*vy, UX: l.ux, UY: l.uy,
					Pitch: l.pitch * s, Height: l.height * s}, feats[i])
			}
			ocrb.NormaliseLine(feats)
			for i, f := range feats {
				net.Forward(f, hid, prob[:])
				for k, p := range prob {
					cells[li][i][k] += p / float32(len(placements))
				}
			}
		}
	}
	return decide(cells, now)
}
