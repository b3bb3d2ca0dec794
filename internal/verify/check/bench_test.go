package check

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"kycd/internal/mrz/mrztest"
)

// benchJPEG is a 1500 x 1000 (1.5 MP) JPEG of quality 85: the composed identity card, scaled.
func benchJPEG(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, scaleTo(idCard(b), 1500, 1000), &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// allImageChecks runs every image check on one decoded identity-document front, the way the
// engine would: one Normalize shared by the checks that read it.
func allImageChecks(img image.Image) []Result {
	g := Normalize(img)
	_ = PHash(g)
	return []Result{Size(img, 0), Sharpness(g, 0), Exposure(g, ExposureLimits{}), Glare(g, 0), DocumentShown(g, true)}
}

// BenchmarkDecode1_5MP decodes a 1.5 MP JPEG: the floor that the checks add to.
func BenchmarkDecode1_5MP(b *testing.B) {
	data := benchJPEG(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImageChecks1_5MP decodes a 1.5 MP JPEG and runs every image check on it.
func BenchmarkImageChecks1_5MP(b *testing.B) {
	data := benchJPEG(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		img, err := Decode(bytes.NewReader(data), 0)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range allImageChecks(img) {
			if r.Failed {
				b.Fatalf("%s failed: %s", r.Name, r.Detail)
			}
		}
	}
}

// BenchmarkImageChecksOnly1_5MP runs every image check on an already decoded 1.5 MP JPEG.
func BenchmarkImageChecksOnly1_5MP(b *testing.B) {
	img, err := Decode(bytes.NewReader(benchJPEG(b)), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		allImageChecks(img)
	}
}

// BenchmarkImageChecksSeparately1_5MP runs every image check on the decoded image without
// sharing Normalize, as a caller that ignores it would.
func BenchmarkImageChecksSeparately1_5MP(b *testing.B) {
	img, err := Decode(bytes.NewReader(benchJPEG(b)), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = PHash(img)
		_ = []Result{Size(img, 0), Sharpness(img, 0), Exposure(img, ExposureLimits{}), Glare(img, 0), DocumentShown(img, true)}
	}
}

// bench12MP is a 4000 x 3000 (12 MP) photo-sized capture, decoded as a phone's JPEG is
// (YCbCr): a generated identity card's front, scaled up to fill the frame.
func bench12MP(b *testing.B) image.Image {
	b.Helper()
	rng := rand.New(rand.NewPCG(docEvalSeed, 9))
	f := mrztest.FormatOf("TD1")
	card := mrztest.Render(rng, mrztest.Card{Format: f, Lines: zoneFor(rng, f), Width: 1200, Portrait: portraitFor(b, f)})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, scaleTo(card, 4000, 3000), &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	img, err := Decode(&buf, 0)
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// BenchmarkNormalize12MP makes the 512 px grey copy of a decoded 12 MP photo: the baseline that
// every image check pays once, or once per check when not shared.
func BenchmarkNormalize12MP(b *testing.B) {
	img := bench12MP(b)
	b.ReportAllocs()
	for b.Loop() {
		Normalize(img)
	}
}

// BenchmarkDocumentShown12MP runs DocumentShown on a decoded 12 MP photo of a card's front,
// Normalize included.
func BenchmarkDocumentShown12MP(b *testing.B) {
	img := bench12MP(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := DocumentShown(img, true); r.Failed {
			b.Fatal(r.Detail)
		}
	}
}

// BenchmarkDocumentShownNormalized runs DocumentShown on the 512 px grey copy of a 12 MP photo,
// as the engine does when it shares Normalize between the checks: text rows and faces only.
func BenchmarkDocumentShownNormalized(b *testing.B) {
	g := Normalize(bench12MP(b))
	b.ReportAllocs()
	for b.Loop() {
		if r := DocumentShown(g, true); r.Failed {
			b.Fatal(r.Detail)
		}
	}
}

// BenchmarkFindTextRows runs FindTextRows alone on the 512 px grey copy of a 12 MP photo.
func BenchmarkFindTextRows(b *testing.B) {
	g := Normalize(bench12MP(b))
	b.ReportAllocs()
	for b.Loop() {
		FindTextRows(g)
	}
}
