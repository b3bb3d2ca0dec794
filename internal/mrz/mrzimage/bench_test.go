package mrzimage

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// photos12MP renders six documents (each format, upright and turned, tilted a little) on a table,
// about 4000 x 3000 pixels each, as a phone's JPEG files (quality 90).
var photos12MP = sync.OnceValues(func() ([][]byte, error) {
	g, err := loadGlyphs()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var out [][]byte
	for i := 0; i < 6; i++ {
		f := i % 3
		docW := []int{3300, 3500, 3400}[f]
		var img image.Image = tilt(renderDocument(rng, g, f, docW).img, 1+3*rng.Float64())
		if i >= 3 {
			img = quarter(img.(*image.RGBA), 1)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
})

// BenchmarkDecode12MP decodes the photos that BenchmarkRead12MP reads, for comparison.
func BenchmarkDecode12MP(b *testing.B) {
	photos, err := photos12MP()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(photos[i%len(photos)])); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// partialFrames are six 12-megapixel phone photos (decoded) of a card, one of each format and a
// second TD3, that fills 30-45% of the frame's width on a busy table (see inFrame).
var partialFrames = sync.OnceValue(func() []image.Image {
	g, _ := loadGlyphs()
	rng := rand.New(rand.NewPCG(7, 8))
	var out []image.Image
	for i := 0; i < 6; i++ {
		f := i % len(corpusFormats)
		out = append(out, inFrame(renderDocument(rng, g, f, 1200+rng.IntN(601)), rng))
	}
	return out
})

// BenchmarkReadPartialFrame12MP reads the zones of cards that fill only part of a 12-megapixel
// photo: the zone is found at the working scale and its cells are read from the full image.
func BenchmarkReadPartialFrame12MP(b *testing.B) {
	readTimes(b, partialFrames())
}

// BenchmarkRead12MP reads the zones of decoded 12-megapixel photos and reports the median and
// 95th percentile time of one read besides the mean.
func BenchmarkRead12MP(b *testing.B) {
	photos, err := photos12MP()
	if err != nil {
		b.Fatal(err)
	}
	imgs := make([]image.Image, len(photos))
	for i, p := range photos {
		if imgs[i], err = jpeg.Decode(bytes.NewReader(p)); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("photo %v", imgs[0].Bounds().Size())
	readTimes(b, imgs)
}

// readTimes reads imgs in turn, fails on any not read, and reports the median and 95th
// percentile time of one read besides the mean.
func readTimes(b *testing.B, imgs []image.Image) {
	var times []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := ReadAt(imgs[i%len(imgs)], corpusNow); err != nil {
			b.Fatalf("photo %d: %v", i%len(imgs), err)
		}
		times = append(times, time.Since(start))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Milliseconds()), "p95-ms")
}
