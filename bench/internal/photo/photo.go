// Package photo makes JPEG files of a chosen size for the benchmarks: a photo-like image (smooth
// light with sensor noise) or pure noise, which compresses worst and so packs the most bytes per
// pixel. The pixels come from a seeded generator, so a run is repeatable.
package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
)

// Style is what the pixels look like.
type Style int

const (
	// Scene is a photo-like image: smooth colour gradients and shapes with ±24 levels of noise,
	// encoded at quality 90, like a phone camera's picture of a document on a desk.
	Scene Style = iota
	// Noise is uniform random noise encoded at quality 95 (4:2:0): about 1.5 bytes per pixel,
	// about the most a JPEG of a given pixel count weighs in practice.
	Noise
)

func (s Style) quality() int {
	if s == Noise {
		return 95
	}
	return 90
}

// Make returns a JPEG of about target bytes (within 1%) and never more than limit bytes (limit <= 0
// means no bound), with a 4:3 aspect for Scene and a square for Noise. It measures a small sample
// to estimate the bytes per pixel, then encodes the full image, correcting the size up to four
// times.
func Make(style Style, target, limit int) ([]byte, error) {
	if target <= 0 {
		return nil, fmt.Errorf("photo: target %d bytes is not positive", target)
	}
	if limit > 0 && target > limit {
		return nil, fmt.Errorf("photo: target %d bytes is over the bound of %d", target, limit)
	}
	aspect := 4.0 / 3.0
	if style == Noise {
		aspect = 1
	}
	sample, err := encode(style, 400, int(400/aspect))
	if err != nil {
		return nil, err
	}
	pixels := float64(target) / (float64(len(sample)) / (400 * math.Floor(400/aspect)))
	var out []byte
	for range 5 {
		w := max(int(math.Sqrt(pixels*aspect)), 16)
		h := max(int(float64(w)/aspect), 16)
		if out, err = encode(style, w, h); err != nil {
			return nil, err
		}
		ratio := float64(len(out)) / float64(target)
		if math.Abs(ratio-1) <= 0.01 && (limit <= 0 || len(out) <= limit) {
			return out, nil
		}
		pixels = float64(w*h) / ratio
		if limit > 0 && len(out) > limit {
			pixels *= 0.98
		}
	}
	if limit > 0 && len(out) > limit {
		return nil, fmt.Errorf("photo: could not get a JPEG of about %d bytes under %d (last %d)", target, limit, len(out))
	}
	return out, nil
}

// encode draws a w×h image in style and encodes it.
func encode(style Style, w, h int) ([]byte, error) {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	switch style {
	case Noise:
		fillNoise(img, rng)
	default:
		fillScene(img, rng)
	}
	var buf bytes.Buffer
	buf.Grow(w * h)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: style.quality()}); err != nil {
		return nil, fmt.Errorf("photo: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func fillNoise(img *image.YCbCr, rng *rand.Rand) {
	for _, plane := range [][]byte{img.Y, img.Cb, img.Cr} {
		for i := range plane {
			plane[i] = byte(rng.Uint32())
		}
	}
}

// fillScene draws a diagonal light gradient with a few soft blobs (a card on a desk, a face) and
// adds grain to the luma, and gentler grain to the chroma.
func fillScene(img *image.YCbCr, rng *rand.Rand) {
	b := img.Rect
	w, h := float64(b.Dx()), float64(b.Dy())
	type blob struct{ x, y, r, v float64 }
	blobs := make([]blob, 6)
	for i := range blobs {
		blobs[i] = blob{rng.Float64() * w, rng.Float64() * h, (0.1 + 0.25*rng.Float64()) * h, 60*rng.Float64() - 30}
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			fx, fy := float64(x), float64(y)
			v := 60 + 120*(fx/w+fy/h)/2 + 12*math.Sin(fx/37)*math.Cos(fy/53)
			for _, bl := range blobs {
				d := math.Hypot(fx-bl.x, fy-bl.y) / bl.r
				if d < 1 {
					v += bl.v * (1 - d*d)
				}
			}
			img.Y[y*img.YStride+x] = clamp(v + float64(rng.IntN(49)-24))
		}
	}
	cw, ch := (b.Dx()+1)/2, (b.Dy()+1)/2
	for y := 0; y < ch; y++ {
		for x := 0; x < cw; x++ {
			i := y*img.CStride + x
			img.Cb[i] = clamp(128 + 20*float64(x)/float64(cw) - 10 + float64(rng.IntN(9)-4))
			img.Cr[i] = clamp(128 + 14*float64(y)/float64(ch) - 7 + float64(rng.IntN(9)-4))
		}
	}
}

func clamp(v float64) byte {
	return byte(math.Max(0, math.Min(255, math.Round(v))))
}

// Variant returns jpg with a comment segment (COM) holding n inserted after the start-of-image
// marker, and its length: a valid JPEG with the same pixels and a different SHA-256 for every n. It
// does not copy jpg.
func Variant(jpg []byte, n uint64) (io.Reader, int64) {
	com := fmt.Appendf(nil, "kycd bench %020d", n)
	seg := make([]byte, 0, 2+4+len(com))
	seg = append(seg, 0xFF, 0xD8, 0xFF, 0xFE)
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(com)))
	seg = append(seg, com...)
	rest := jpg[min(2, len(jpg)):]
	return io.MultiReader(bytes.NewReader(seg), bytes.NewReader(rest)), int64(len(seg) + len(rest))
}
