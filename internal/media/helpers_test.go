package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/media"
)

// outcome is what a test expects Inspect to answer.
type outcome int

const (
	accepted      outcome = iota
	unsupported           // kyc.ErrUnsupportedMedia
	damaged               // *kyc.ValidationError: the file is damaged or truncated
	tooManyPixels         // *kyc.ValidationError naming the limit in megapixels
	invalid               // any *kyc.ValidationError on "file"
)

// checkOutcome fails the test when err is not the answer o calls for.
func checkOutcome(t *testing.T, err error, o outcome) {
	t.Helper()
	var ve *kyc.ValidationError
	isInvalid := errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Field == "file"
	switch o {
	case accepted:
		if err != nil {
			t.Fatalf("want accepted, got %v", err)
		}
	case unsupported:
		if !errors.Is(err, kyc.ErrUnsupportedMedia) {
			t.Fatalf("want kyc.ErrUnsupportedMedia, got %v", err)
		}
	case damaged:
		if !isInvalid || ve.Fields[0].Message != "the file is damaged or truncated" {
			t.Fatalf("want a damaged-file validation error, got %v", err)
		}
	case tooManyPixels:
		if !isInvalid || !strings.Contains(ve.Fields[0].Message, "megapixels") {
			t.Fatalf("want a too-many-pixels validation error, got %v", err)
		}
	case invalid:
		if !isInvalid {
			t.Fatalf("want a validation error on file, got %v", err)
		}
	}
}

// spoolBytes spools data into a fresh temp dir, removed when the test ends.
func spoolBytes(t testing.TB, data []byte) *media.Spooled {
	t.Helper()
	s, err := media.Spool(bytes.NewReader(data), t.TempDir(), int64(len(data)))
	if err != nil {
		t.Fatalf("Spool: %v", err)
	}
	t.Cleanup(func() { _ = s.Remove() })
	return s
}

// readTestdata returns a file of testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jpegFromPNG re-encodes a PNG as a JPEG at quality 90.
func jpegFromPNG(t testing.TB, pngData []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	return encodeJPEG(t, img, 90)
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cut returns a copy of the first n bytes of data.
func cut(data []byte, n int) []byte {
	return bytes.Clone(data[:n])
}

// withSuffix returns a copy of data with suffix appended.
func withSuffix(data []byte, suffix string) []byte {
	return append(bytes.Clone(data), suffix...)
}

// flipInFirstIDAT returns a copy of a PNG with one byte of its first IDAT chunk's data inverted,
// leaving the stored CRC as it was.
func flipInFirstIDAT(t testing.TB, pngData []byte) []byte {
	t.Helper()
	i := bytes.Index(pngData, []byte("IDAT"))
	if i < 0 {
		t.Fatal("no IDAT chunk")
	}
	out := bytes.Clone(pngData)
	out[i+4+10] ^= 0xFF
	return out
}

// garbage returns n deterministic pseudo-random bytes.
func garbage(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(rng.Uint32())
	}
	return out
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// pngHeaderOnly builds the signature and an IHDR claiming width x height, 8-bit RGB, with a
// correct CRC, followed by tail.
func pngHeaderOnly(width, height uint32, tail []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // bit depth, colour type RGB, compression, filter, interlace
	out := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	return append(out, tail...)
}

// jpegHeaderOnly builds SOI, a JFIF APP0 segment and a baseline SOF0 claiming width x height
// with three components, followed by tail.
func jpegHeaderOnly(width, height uint16, tail []byte) []byte {
	out := []byte{0xFF, 0xD8}
	out = append(out, 0xFF, 0xE0, 0x00, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0)
	out = append(out, 0xFF, 0xC0, 0x00, 17, 8)
	out = binary.BigEndian.AppendUint16(out, height)
	out = binary.BigEndian.AppendUint16(out, width)
	out = append(out, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
	return append(out, tail...)
}
