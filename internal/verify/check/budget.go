package check

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"runtime"
	"sync"

	"github.com/gen2brain/heic"
	"golang.org/x/sync/semaphore"
)

// DefaultDecodeMemory is the decode budget of a process when given none: 256 MiB, enough for
// one 50-megapixel RGBA PNG or two 48-megapixel phone photos at once, and a known ceiling on what
// hostile images can make the verification queue allocate.
const DefaultDecodeMemory = 256 << 20

// collectAbove is the reservation from which giving it back runs the garbage collector: a large
// image's memory must be free before the budget hands it out again, and a collection costs about a
// millisecond per 10 MB of live heap, little beside decoding 16 MiB of pixels.
const collectAbove = 16 << 20

// ErrOverBudget: decoding the image alone would take more memory than the whole decode budget;
// nothing was decoded.
var ErrOverBudget = errors.New("check: image needs more memory to decode than allowed")

// Budget bounds the memory that decoding images takes at once in a process. The pixel limit alone
// does not: a 160 KB PNG of 7000 x 7000 pixels passes a 50-megapixel limit and decodes into 196
// MB, and four of them at once took 800 MB. Each Decode reserves the memory its image will take
// (DecodeCost, read from the header) before decoding a pixel, waits while other decodes hold the
// rest, and gives it back when the caller releases the image; an image that alone needs more than
// the budget is refused with ErrOverBudget. One Budget is shared by every verification of the
// process. It is safe for concurrent use.
type Budget struct {
	sem  *semaphore.Weighted
	size int64
}

// NewBudget returns a budget of size bytes (DefaultDecodeMemory when size <= 0).
func NewBudget(size int64) *Budget {
	if size <= 0 {
		size = DefaultDecodeMemory
	}
	return &Budget{sem: semaphore.NewWeighted(size), size: size}
}

// Size is the budget in bytes.
func (b *Budget) Size() int64 { return b.size }

// Decode decodes data as Decode does, within the budget. It returns the image and a release
// function that the caller must call once it no longer holds the image (or anything sharing its
// pixels); release may be called more than once. It waits for room in the budget until ctx ends,
// and returns ctx's error then. Errors: those of Decode, ErrOverBudget, or ctx's error.
func (b *Budget) Decode(ctx context.Context, data []byte, maxPixels int64) (image.Image, func(), error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	cost, err := DecodeCost(data, maxPixels)
	if err != nil {
		return nil, nil, err
	}
	if cost > b.size {
		return nil, nil, fmt.Errorf("%w: %d bytes, the budget is %d", ErrOverBudget, cost, b.size)
	}
	if err := b.sem.Acquire(ctx, cost); err != nil {
		return nil, nil, err
	}
	release := sync.OnceFunc(func() {
		if cost >= collectAbove {
			// The image is garbage now, but the collector would only reclaim it once the heap
			// doubles: the next decode would then sit beside it, and the budget would bound
			// nothing. Collecting first lets the next reservation reuse its memory.
			runtime.GC()
		}
		b.sem.Release(cost)
	})
	img, err := Decode(bytes.NewReader(data), maxPixels)
	if err != nil {
		release()
		return nil, nil, err
	}
	return img, release, nil
}

// DecodeCost estimates, from the header alone, the bytes that Decode allocates for data at its
// peak: the decoded pixels in the type the decoder returns, a progressive JPEG's coefficients, an
// interlaced PNG's passes, an EXIF rotation's copy, HEIC's copy inside the decoder. It refuses
// what Decode would refuse before decoding (ErrTooManyPixels, ErrUndecodable). The estimate errs
// on the high side: a JPEG's planes are counted in whole MCUs, and decoderOverhead covers the
// decoders' small buffers.
func DecodeCost(data []byte, maxPixels int64) (int64, error) {
	cost, err := imageCost(data, maxPixels)
	if err != nil {
		return 0, err
	}
	return cost + decoderOverhead, nil
}

// decoderOverhead is what a decoder allocates besides the image: PNG's two rows and inflate
// window, JPEG's Huffman tables and block buffers, the reader's buffer.
const decoderOverhead = 256 << 10

func imageCost(data []byte, maxPixels int64) (int64, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if len(data) >= 12 && isHEIF(data[:12]) {
		return heifCost(data, maxPixels)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, fmt.Errorf("%w: header: %w", ErrUndecodable, err)
	}
	if err := checkPixels(cfg, maxPixels); err != nil {
		return 0, err
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "jpeg":
		return jpegCost(data, cfg), nil
	case "png":
		cost := px * bytesPerPixel(cfg.ColorModel)
		if len(data) > 28 && data[28] == 1 { // IHDR interlace method: Adam7 decodes each pass apart
			cost *= 2
		}
		return cost, nil
	case "webp":
		switch cfg.ColorModel {
		case color.YCbCrModel: // lossy: 4:2:0 planes
			return px * 3 / 2, nil
		case color.NYCbCrAModel:
			return px * 5 / 2, nil
		}
		return px * 8, nil // lossless: ARGB words and the NRGBA image
	}
	return px * 8, nil
}

// bytesPerPixel is the size of one pixel of the image type a decoder returns for the model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// jpegCost is a JPEG's planes as its frame header lays them out (Y and subsampled chroma), with
// the coefficients a progressive JPEG keeps (a 4-byte value per sample), the CMYK image a
// four-component JPEG becomes, and the copy that an EXIF rotation makes.
func jpegCost(data []byte, cfg image.Config) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	samples, progressive, ok := jpegSamples(data, w, h)
	if !ok {
		samples = 3 * w * h // as if 4:4:4
	}
	cost := samples
	if progressive {
		cost += 4 * samples
	}
	rotated := exifOrientation(data) > 1
	switch cfg.ColorModel {
	case color.CMYKModel:
		cost += 4 * w * h
		if rotated {
			cost += 8 * w * h // orient draws into RGBA and turns it into another
		}
	default:
		if rotated {
			cost += samples
		}
	}
	return cost
}

// jpegSamples reads the frame header: the samples of all the components' planes, and whether the
// JPEG is progressive. ok is false when no frame header is found before the first scan, or the
// segments before it are malformed.
//
// It walks the segments as image/jpeg does, so that the frame header it reads is the one the
// decoder will use: bytes other than 0xFF between segments are skipped, "\xff\x00" is extraneous
// data, any number of 0xFF fill bytes may precede a marker, and RST markers stand alone. A walk
// that read a length after "\xff\x00" could land inside another segment's payload and read a
// frame header planted there (with fewer components than the real one, or a length too short to
// hold one).
func jpegSamples(data []byte, w, h int64) (samples int64, progressive, ok bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0, false, false
	}
	for i := 2; i+1 < len(data); {
		if data[i] != 0xFF {
			i++ // stray byte: image/jpeg skips to the next 0xFF
			continue
		}
		if data[i+1] == 0x00 {
			i += 2 // "\xff\x00" is extraneous data to image/jpeg
			continue
		}
		for i+1 < len(data) && data[i+1] == 0xFF {
			i++ // fill byte
		}
		if i+1 >= len(data) {
			break
		}
		marker := data[i+1]
		switch {
		case marker >= 0xD0 && marker <= 0xD7: // RST: no length
			i += 2
			continue
		case marker == 0x00, marker == 0xD9, marker == 0xDA: // a zero after fill bytes, EOI or SOS before any frame header
			return 0, false, false
		}
		if i+4 > len(data) {
			break
		}
		size := int(binary.BigEndian.Uint16(data[i+2:]))
		if size < 2 {
			return 0, false, false // image/jpeg refuses a segment shorter than its length field
		}
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			seg := data[i+4 : min(i+2+size, len(data))]
			if len(seg) < 6 {
				return 0, false, false
			}
			n := int(seg[5])
			if len(seg) < 6+3*n || n == 0 {
				return 0, false, false
			}
			var hmax, vmax int64 = 1, 1
			for c := range n {
				f := seg[6+3*c+1]
				hmax, vmax = max(hmax, int64(f>>4)), max(vmax, int64(f&15))
			}
			// The decoder allocates whole MCUs: 8 x 8 blocks of the most sampled component.
			w, h = ceilDiv(w, 8*hmax)*8*hmax, ceilDiv(h, 8*vmax)*8*vmax
			for c := range n {
				f := seg[6+3*c+1]
				hc, vc := max(int64(f>>4), 1), max(int64(f&15), 1)
				samples += ceilDiv(w*hc, hmax) * ceilDiv(h*vc, vmax)
			}
			return samples, marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE, true
		}
		i += 2 + size
	}
	return 0, false, false
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// heifCost: libheif decodes into memory of its own (kept by the WebAssembly instance) and the
// result is copied into a Go image; both count, as four bytes per pixel each, with the copy of the
// file that decodeHEIF makes.
func heifCost(data []byte, maxPixels int64) (int64, error) {
	cp := bytes.Clone(data)
	if brand := string(cp[8:12]); brand != "heic" && brand != "heix" {
		copy(cp[8:12], "heic")
	}
	cfg, err := heic.DecodeConfig(bytes.NewReader(cp))
	if err != nil {
		return 0, fmt.Errorf("%w: heic header: %w", ErrUndecodable, err)
	}
	if err := checkPixels(cfg, maxPixels); err != nil {
		return 0, err
	}
	return 8*int64(cfg.Width)*int64(cfg.Height) + 2*int64(len(data)), nil
}
