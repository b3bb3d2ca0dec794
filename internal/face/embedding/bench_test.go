package embedding

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"

	"kycd/internal/mrz/mrztest"
)

// BenchmarkEmbed is one forward pass over the astronaut chip; run it with -cpu 1 for the figure in
// bench/README.md.
func BenchmarkEmbed(b *testing.B) {
	pix, err := os.ReadFile(filepath.Join("testdata", "reference", "astronaut.rgb"))
	if err != nil {
		b.Fatal(err)
	}
	n := net(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.EmbedRGB(pix); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJPEG is the baseline bench/README.md sets beside BenchmarkEmbed: decoding a
// 1.5 MP JPEG (the 512×512 portrait scaled to 1,416×1,062, quality 90) with image/jpeg.
func BenchmarkDecodeJPEG(b *testing.B) {
	src := image.NewRGBA(image.Rect(0, 0, 1416, 1062))
	draw.BiLinear.Scale(src, src.Rect, mrztest.Portrait(), mrztest.Portrait().Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
