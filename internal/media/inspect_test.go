package media_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/media/mediatest"
)

// maxPixels is the limit the tests inspect with: 40 megapixels.
const maxPixels = 40_000_000

func TestInspect(t *testing.T) {
	t.Parallel()

	astronautPNG := readTestdata(t, "astronaut.png")
	textPNG := readTestdata(t, "text.png")
	astronautJPEG := jpegFromPNG(t, astronautPNG)
	textJPEG := jpegFromPNG(t, textPNG)
	progressiveJPEG := readTestdata(t, "video-001.q50.420.progressive.jpeg")
	restartJPEG := readTestdata(t, "video-001.restart2.jpeg")
	roseWebP := readTestdata(t, "yellow_rose.lossy-with-alpha.webp")
	photoHEIC := readTestdata(t, "test8.heic")
	pdf := mediatest.MinimalPDF("1.4", 0)
	paddedPDF := mediatest.MinimalPDF("1.7", 4000)

	tests := []struct {
		name          string
		data          []byte
		want          outcome
		mime          string
		width, height int
	}{
		// Whole files of every accepted type.
		{name: "PNG astronaut", data: astronautPNG, mime: "image/png", width: 512, height: 512},
		{name: "PNG grey text", data: textPNG, mime: "image/png", width: 448, height: 172},
		{name: "JPEG from astronaut", data: astronautJPEG, mime: "image/jpeg", width: 512, height: 512},
		{name: "JPEG grey from text", data: textJPEG, mime: "image/jpeg", width: 448, height: 172},
		{name: "JPEG progressive", data: progressiveJPEG, mime: "image/jpeg", width: 150, height: 103},
		{name: "JPEG with restart markers", data: restartJPEG, mime: "image/jpeg", width: 150, height: 103},
		{name: "JPEG with bytes after EOI", data: withSuffix(astronautJPEG, "appended by a phone"), mime: "image/jpeg", width: 512, height: 512},
		{name: "WebP lossy with alpha", data: roseWebP, mime: "image/webp", width: 400, height: 301},
		{name: "WebP with one padding byte", data: withSuffix(roseWebP, "\x00"), mime: "image/webp", width: 400, height: 301},
		{name: "HEIC", data: photoHEIC, mime: "image/heic", width: 512, height: 512},
		{name: "HEIF with major brand mif1 only", data: withBrands(t, photoHEIC, "mif1", "mif1"), mime: "image/heic", width: 512, height: 512},
		{name: "HEIF with major brand msf1, compatible heic", data: withBrands(t, photoHEIC, "msf1", "heic"), mime: "image/heic", width: 512, height: 512},
		{name: "HEIC with a last box of 64-bit size", data: withSuffix(photoHEIC, "\x00\x00\x00\x01free\x00\x00\x00\x00\x00\x00\x00\x14pad!"), mime: "image/heic", width: 512, height: 512},
		{name: "HEIC with a last box running to the end", data: withSuffix(photoHEIC, "\x00\x00\x00\x00freesome padding"), mime: "image/heic", width: 512, height: 512},
		{name: "PDF minimal", data: pdf, mime: "application/pdf"},
		{name: "PDF 4 KB", data: paddedPDF, mime: "application/pdf"},

		// Truncated and damaged files.
		{name: "JPEG truncated sample", data: readTestdata(t, "truncated.jpg"), want: damaged},
		{name: "JPEG cut in the header", data: cut(astronautJPEG, 100), want: damaged},
		{name: "JPEG cut after the frame header", data: cut(astronautJPEG, sosOffset(t, astronautJPEG)), want: damaged},
		{name: "JPEG cut in the middle", data: cut(astronautJPEG, len(astronautJPEG)/2), want: damaged},
		{name: "JPEG cut just before EOI", data: cut(astronautJPEG, len(astronautJPEG)-2), want: damaged},
		{name: "JPEG cut inside EOI", data: cut(astronautJPEG, len(astronautJPEG)-1), want: damaged},
		{name: "JPEG progressive cut between scans", data: cut(progressiveJPEG, len(progressiveJPEG)*2/3), want: damaged},
		{name: "JPEG DQT length past the next marker", data: withSegmentLength(t, astronautJPEG, 0xDB, 70), want: damaged},
		{name: "JPEG DHT between scans with a wrong length", data: withLastSegmentLength(t, progressiveJPEG, 0xC4, 4), want: damaged},
		{name: "PNG cut in IHDR", data: cut(astronautPNG, 20), want: damaged},
		{name: "PNG cut in the middle", data: cut(astronautPNG, len(astronautPNG)/2), want: damaged},
		{name: "PNG cut just before IEND", data: cut(astronautPNG, len(astronautPNG)-12), want: damaged},
		{name: "PNG cut inside IEND", data: cut(astronautPNG, len(astronautPNG)-1), want: damaged},
		{name: "PNG with a flipped byte in IDAT", data: flipInFirstIDAT(t, astronautPNG), want: damaged},
		{name: "PNG with bytes after IEND", data: withSuffix(textPNG, "PK\x03\x04"), want: damaged},
		{name: "PNG without IDAT", data: pngHeaderOnly(4, 4, pngChunk("IEND", nil)), want: damaged},
		{name: "WebP cut in VP8X", data: cut(roseWebP, 20), want: damaged},
		{name: "WebP cut in the middle", data: cut(roseWebP, len(roseWebP)/2), want: damaged},
		{name: "WebP cut by one byte", data: cut(roseWebP, len(roseWebP)-1), want: damaged},
		{name: "WebP with two bytes after RIFF", data: withSuffix(roseWebP, "\x00\x00"), want: damaged},
		{name: "WebP VP8X chunk past RIFF end", data: withWebPChunkLength(t, roseWebP, "VP8X", 1_000_000), want: damaged},
		{name: "WebP last chunk past RIFF end", data: withWebPChunkLength(t, roseWebP, "VP8 ", 20_000), want: damaged},
		{name: "HEIC cut in meta", data: cut(photoHEIC, 200), want: damaged},
		{name: "HEIC cut in the middle", data: cut(photoHEIC, len(photoHEIC)/2), want: damaged},
		{name: "HEIC cut by one byte", data: cut(photoHEIC, len(photoHEIC)-1), want: damaged},
		{name: "HEIC with bytes after the last box", data: withSuffix(photoHEIC, "junk"), want: damaged},
		{name: "HEIC with a box smaller than its header", data: withSuffix(photoHEIC, "\x00\x00\x00\x04free"), want: damaged},
		{name: "HEIC with a 64-bit box size past the end", data: withSuffix(photoHEIC, "\x00\x00\x00\x01free\x00\x00\x00\x00\x00\x00\x01\x00"), want: damaged},
		{name: "PDF cut before %%EOF", data: cut(pdf, len(pdf)-6), want: damaged},
		{name: "PDF cut in the middle", data: cut(paddedPDF, len(paddedPDF)/2), want: damaged},
		{name: "PDF with %%EOF more than 1 KB from the end", data: withSuffix(pdf, strings.Repeat(" ", 1100)), want: damaged},
		{name: "PDF version 3", data: mediatest.MinimalPDF("3.0", 0), want: damaged},

		// Headers that claim too many pixels, followed by garbage that cannot be decoded.
		{name: "PNG claiming 10000x6000", data: pngHeaderOnly(10000, 6000, garbage(4096, 1)), want: tooManyPixels},
		{name: "JPEG claiming 10000x6000", data: jpegHeaderOnly(10000, 6000, garbage(4096, 2)), want: tooManyPixels},
		{name: "PNG claiming 0x4", data: pngHeaderOnly(0, 4, garbage(64, 3)), want: invalid},
		{name: "JPEG claiming 4x0", data: jpegHeaderOnly(4, 0, garbage(64, 4)), want: invalid},

		// Types that are not accepted.
		{name: "empty", data: nil, want: unsupported},
		{name: "GIF", data: gifBytes(t), want: unsupported},
		{name: "text", data: []byte("name,passport\nJane,X1234567\n"), want: unsupported},
		{name: "zip", data: zipBytes(t), want: unsupported},
		{name: "SVG", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), want: unsupported},
		{name: "Windows executable", data: append([]byte("MZ\x90\x00\x03\x00\x00\x00"), garbage(256, 5)...), want: unsupported},
		{name: "AVIF", data: withBrands(t, photoHEIC, "avif", "mif1"), want: unsupported},
		{name: "MP4 video", data: withBrands(t, photoHEIC, "isom", "mp41"), want: unsupported},
		{name: "PNG signature cut short", data: []byte("\x89PN"), want: unsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, err := media.Inspect(spoolBytes(t, tt.data), maxPixels)
			checkOutcome(t, err, tt.want)
			if tt.want != accepted {
				return
			}
			want := media.Info{MIME: tt.mime, Width: tt.width, Height: tt.height}
			if info != want {
				t.Errorf("Inspect = %+v, want %+v", info, want)
			}
		})
	}
}

// TestInspectRefusesPixelsFromTheHeaderAlone shows that a header claiming 60 megapixels is refused
// without decoding: the bytes after the header are garbage that no decoder accepts, yet the answer
// is about pixels, and with a higher limit the same file is refused as damaged by the walk.
func TestInspectRefusesPixelsFromTheHeaderAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   []byte
		decode func([]byte) error
	}{
		{
			name:   "PNG",
			data:   pngHeaderOnly(10000, 6000, garbage(1<<16, 6)),
			decode: func(b []byte) error { _, err := png.Decode(bytes.NewReader(b)); return err },
		},
		{
			name:   "JPEG",
			data:   jpegHeaderOnly(10000, 6000, garbage(1<<16, 7)),
			decode: func(b []byte) error { _, _, err := image.Decode(bytes.NewReader(b)); return err },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.decode(tt.data); err == nil {
				t.Fatal("the garbage after the header decoded; the test proves nothing")
			}
			s := spoolBytes(t, tt.data)
			_, err := media.Inspect(s, maxPixels)
			checkOutcome(t, err, tooManyPixels)
			if msg := err.Error(); !strings.Contains(msg, "60.0 megapixels") || !strings.Contains(msg, "limit is 40 megapixels") {
				t.Errorf("message %q does not give the size and the limit in megapixels", msg)
			}
			_, err = media.Inspect(s, 100_000_000)
			checkOutcome(t, err, damaged)
		})
	}
}

func TestInspectUnsupportedNamesTheAcceptedTypes(t *testing.T) {
	t.Parallel()
	_, err := media.Inspect(spoolBytes(t, gifBytes(t)), maxPixels)
	checkOutcome(t, err, unsupported)
	for _, name := range []string{"JPEG", "PNG", "WebP", "HEIC", "PDF"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("message %q does not name %s", err, name)
		}
	}
}

func TestInspectAfterRemoveIsAServerError(t *testing.T) {
	t.Parallel()
	s := spoolBytes(t, readTestdata(t, "text.png"))
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	_, err := media.Inspect(s, maxPixels)
	var ve *kyc.ValidationError
	if err == nil || errors.As(err, &ve) || errors.Is(err, kyc.ErrUnsupportedMedia) {
		t.Fatalf("Inspect of a removed file = %v, want an error that is not the uploader's", err)
	}
}

func TestInspectRefusesANonPositiveLimit(t *testing.T) {
	t.Parallel()
	if _, err := media.Inspect(spoolBytes(t, readTestdata(t, "text.png")), 0); err == nil {
		t.Fatal("Inspect accepted maxPixels 0")
	}
}

// withBrands returns a copy of an ISO-BMFF file whose ftyp box names major as its major brand and
// compatible as every compatible brand.
func withBrands(t testing.TB, data []byte, major, compatible string) []byte {
	t.Helper()
	if string(data[4:8]) != "ftyp" {
		t.Fatal("no ftyp box")
	}
	out := bytes.Clone(data)
	copy(out[8:12], major)
	for i := 16; i+4 <= int(binary.BigEndian.Uint32(out)); i += 4 {
		copy(out[i:i+4], compatible)
	}
	return out
}

// withSegmentLength returns a copy of a JPEG whose first segment with the given marker has its
// length field grown by delta, so it no longer ends where the next marker starts.
func withSegmentLength(t testing.TB, data []byte, marker byte, delta int) []byte {
	t.Helper()
	i := bytes.Index(data, []byte{0xFF, marker})
	if i < 0 {
		t.Fatalf("no marker %#x", marker)
	}
	out := bytes.Clone(data)
	length := int(out[i+2])<<8 | int(out[i+3]) + delta
	out[i+2], out[i+3] = byte(length>>8), byte(length)
	return out
}

// withLastSegmentLength is withSegmentLength for the last segment with the given marker.
func withLastSegmentLength(t testing.TB, data []byte, marker byte, delta int) []byte {
	t.Helper()
	i := bytes.LastIndex(data, []byte{0xFF, marker})
	if i < 0 {
		t.Fatalf("no marker %#x", marker)
	}
	out := bytes.Clone(data)
	length := int(out[i+2])<<8 | int(out[i+3]) + delta
	out[i+2], out[i+3] = byte(length>>8), byte(length)
	return out
}

// sosOffset returns where a JPEG's first scan header starts.
func sosOffset(t testing.TB, data []byte) int {
	t.Helper()
	i := bytes.Index(data, []byte{0xFF, 0xDA})
	if i < 0 {
		t.Fatal("no SOS")
	}
	return i
}

// withWebPChunkLength returns a copy of a WebP file whose first chunk of type fourCC claims length
// bytes.
func withWebPChunkLength(t testing.TB, data []byte, fourCC string, length uint32) []byte {
	t.Helper()
	i := bytes.Index(data[12:], []byte(fourCC))
	if i < 0 {
		t.Fatalf("no %q chunk", fourCC)
	}
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint32(out[12+i+4:], length)
	return out
}

func gifBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipBytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("passport.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("not really")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
