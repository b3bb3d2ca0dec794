package check

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// fuzzMaxPixels bounds what FuzzDecode decodes: the 512 x 512 HEIC sample, no more, so that one
// input costs milliseconds.
const fuzzMaxPixels = 512 * 512

// imageBytes is the memory held by the pixels of img, for the image types the decoders return.
func imageBytes(img image.Image) int64 {
	switch m := img.(type) {
	case *image.YCbCr:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr))
	case *image.NYCbCrA:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr) + len(m.A))
	case *image.RGBA:
		return int64(len(m.Pix))
	case *image.NRGBA:
		return int64(len(m.Pix))
	case *image.RGBA64:
		return int64(len(m.Pix))
	case *image.NRGBA64:
		return int64(len(m.Pix))
	case *image.Gray:
		return int64(len(m.Pix))
	case *image.Gray16:
		return int64(len(m.Pix))
	case *image.Paletted:
		return int64(len(m.Pix))
	case *image.CMYK:
		return int64(len(m.Pix))
	}
	b := img.Bounds()
	return 8 * int64(b.Dx()) * int64(b.Dy())
}

// fuzzImages are small images of the kinds that phones and scanners send, encoded in-process.
func fuzzImages(f *testing.F) [][]byte {
	f.Helper()
	rgba := image.NewRGBA(image.Rect(0, 0, 17, 9))
	gray := image.NewGray(image.Rect(0, 0, 9, 17))
	for i := range rgba.Pix {
		rgba.Pix[i] = byte(i * 7)
	}
	for i := range gray.Pix {
		gray.Pix[i] = byte(i * 13)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	var out [][]byte
	for _, img := range []image.Image{rgba, gray, pal} {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
		b.Reset()
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	j := out[1]
	for _, o := range []uint16{6, 3} {
		out = append(out, append(append(bytes.Clone(j[:2]), exifSegment(o, binary.BigEndian)...), j[2:]...))
	}
	return out
}

// FuzzDecode runs the decoders and the decode budget's header readers (image.DecodeConfig, the
// JPEG frame header and EXIF readers, libheif's configuration) on any bytes: neither Decode nor
// DecodeCost panics, both refuse only with ErrUndecodable or ErrTooManyPixels, DecodeCost refuses
// whatever Decode refuses before decoding, and an image that decodes has pixels, no more than the
// limit, and no more memory than DecodeCost estimated.
func FuzzDecode(f *testing.F) {
	for _, img := range fuzzImages(f) {
		f.Add(img)
	}
	for _, name := range []string{"truncated.jpg", "yellow_rose.lossy-with-alpha.webp", "test8.heic"} {
		f.Add(readTestdata(f, name))
	}
	f.Add(pngHeader(1<<20, 1<<20))
	f.Add(patchedJPEG(f, 60000, 60000, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		cost, costErr := DecodeCost(data, fuzzMaxPixels)
		img, err := Decode(bytes.NewReader(data), fuzzMaxPixels)
		for _, e := range []error{costErr, err} {
			if e != nil && !errors.Is(e, ErrUndecodable) && !errors.Is(e, ErrTooManyPixels) {
				t.Fatalf("untyped refusal: %v", e)
			}
			if e != nil && strings.Contains(e.Error(), string(data)) && len(data) > 16 {
				t.Fatalf("the error quotes the file: %v", e)
			}
		}
		if costErr != nil {
			if err == nil || errors.Is(costErr, ErrTooManyPixels) != errors.Is(err, ErrTooManyPixels) {
				t.Fatalf("DecodeCost refused (%v), Decode answered %v", costErr, err)
			}
			return
		}
		if cost <= 0 {
			t.Fatalf("cost %d", cost)
		}
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Empty() || int64(b.Dx())*int64(b.Dy()) > fuzzMaxPixels {
			t.Fatalf("decoded %v with a limit of %d pixels", b, fuzzMaxPixels)
		}
		if held := imageBytes(img); held > cost {
			t.Fatalf("decoded %T %v holds %d bytes, DecodeCost said %d", img, b, held, cost)
		}
	})
}

// FuzzJPEGHeader runs the two JPEG header readers of this package on any bytes: exifOrientation
// answers an orientation from 1 to 8, and other than 1 only for a JPEG with an Exif segment;
// jpegSamples, which sizes a decode's memory, never panics and counts at least one sample and at
// most what 255 components sampled 15 x 15 in whole MCUs could hold.
func FuzzJPEGHeader(f *testing.F) {
	for _, img := range fuzzImages(f) {
		f.Add(img, uint16(17), uint16(9))
	}
	f.Add(append([]byte{0xFF, 0xD8}, exifSegment(8, binary.LittleEndian)...), uint16(1), uint16(1))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 1}, uint16(0), uint16(0))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 0, 8, 0, 1, 0, 1, 1, 1, 0x11, 0}, uint16(1), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, w, h uint16) {
		o := exifOrientation(data)
		if o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		if o != 1 && (!bytes.HasPrefix(data, []byte{0xFF, 0xD8}) || !bytes.Contains(data, []byte("Exif\x00\x00"))) {
			t.Fatalf("orientation %d without an Exif segment", o)
		}
		samples, _, ok := jpegSamples(data, int64(w), int64(h))
		if !ok {
			if samples != 0 {
				t.Fatalf("no frame header but %d samples", samples)
			}
			return
		}
		const mcu = 8 * 15
		if most := 255 * (int64(w) + mcu) * (int64(h) + mcu); samples < 0 || samples > most || (w > 0 && h > 0 && samples == 0) {
			t.Fatalf("%d samples for %dx%d", samples, w, h)
		}
	})
}
