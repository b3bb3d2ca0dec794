package mrzimage

import (
	"bytes"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// photo12MP renders a passport page on a table about 4000 x 3000 pixels, slightly tilted, as a
// phone's JPEG (quality 90).
func photo12MP(b *testing.B) []byte {
	g, err := loadGlyphs()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	doc := renderDocument(rng, g, 0, 3300)
	img := tilt(doc.img, 3)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.Logf("photo %v, %d bytes", img.Bounds().Size(), buf.Len())
	return buf.Bytes()
}

// BenchmarkDecode12MP is the decode of the photo that BenchmarkRead12MP reads, for comparison.
func BenchmarkDecode12MP(b *testing.B) {
	data := photo12MP(b)
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead12MP reads the zone of a decoded 12-megapixel photo.
func BenchmarkRead12MP(b *testing.B) {
	data := photo12MP(b)
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	var r *Reading
	for b.Loop() {
		if r, err = ReadAt(img, corpusNow); err != nil {
			b.Fatal(err)
		}
	}
	_ = r
}
