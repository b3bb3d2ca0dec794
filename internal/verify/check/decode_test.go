package check

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngHeader is a PNG signature and IHDR chunk claiming w x h pixels, with nothing after.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.WriteString("IHDR")
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	return b.Bytes()
}

// withBrand returns a HEIF file with its major brand replaced.
func withBrand(data []byte, brand string) []byte {
	out := bytes.Clone(data)
	copy(out[8:12], brand)
	return out
}

func TestDecode(t *testing.T) {
	t.Parallel()
	astronaut := readTestdata(t, "astronaut.png")
	heic := readTestdata(t, "test8.heic")
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testImage(t, "astronaut"), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		data      []byte
		maxPixels int64
		w, h      int
		err       error
	}{
		{"PNG", astronaut, 0, 512, 512, nil},
		{"JPEG", jpg.Bytes(), 0, 512, 512, nil},
		{"WebP", readTestdata(t, "yellow_rose.lossy-with-alpha.webp"), 0, 400, 301, nil},
		{"HEIC", heic, 0, 512, 512, nil},
		{"HEIF with major brand mif1", withBrand(heic, "mif1"), 0, 512, 512, nil},
		{"exactly at the pixel limit", astronaut, 512 * 512, 512, 512, nil},
		{"one pixel over the limit", astronaut, 512*512 - 1, 0, 0, ErrTooManyPixels},
		{"HEIC over the limit", heic, 1000, 0, 0, ErrTooManyPixels},
		{"header claiming 10 gigapixels", pngHeader(100000, 100000), 0, 0, 0, ErrTooManyPixels},
		{"truncated JPEG", readTestdata(t, "truncated.jpg"), 0, 0, 0, ErrUndecodable},
		{"JPEG cut in half", jpg.Bytes()[:jpg.Len()/2], 0, 0, 0, ErrUndecodable},
		{"PNG cut in half", astronaut[:len(astronaut)/2], 0, 0, 0, ErrUndecodable},
		{"HEIC cut in half", heic[:len(heic)/2], 0, 0, 0, ErrUndecodable},
		{"PNG of zero width", pngHeader(0, 10), 0, 0, 0, ErrUndecodable},
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), 0, 0, 0, ErrUndecodable},
		{"empty", nil, 0, 0, 0, ErrUndecodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img, err := Decode(bytes.NewReader(tt.data), tt.maxPixels)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Decode error = %v, want %v", err, tt.err)
				}
				assertResult(t, Decoded(err), NameImageDecodes, ReasonUnreadable)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			assertResult(t, Decoded(nil), NameImageDecodes, "pass")
		})
	}
}

// exifSegment is an APP1 Exif segment whose first directory holds only the orientation o.
func exifSegment(o uint16, bo binary.ByteOrder) []byte {
	var tiff bytes.Buffer
	if bo == binary.LittleEndian {
		tiff.WriteString("II*\x00")
	} else {
		tiff.WriteString("MM\x00*")
	}
	binary.Write(&tiff, bo, uint32(8))      // first directory
	binary.Write(&tiff, bo, uint16(1))      // one entry
	binary.Write(&tiff, bo, uint16(0x0112)) // orientation
	binary.Write(&tiff, bo, uint16(3))      // SHORT
	binary.Write(&tiff, bo, uint32(1))      // one value
	binary.Write(&tiff, bo, o)
	binary.Write(&tiff, bo, uint16(0))
	binary.Write(&tiff, bo, uint32(0)) // no next directory
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// TestDecodeAppliesEXIFOrientation stores a 64 x 32 picture, grey with a red square at its
// top-left corner, under each EXIF orientation, and expects the square where the upright
// picture has it.
func TestDecodeAppliesEXIFOrientation(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			c := color.RGBA{128, 128, 128, 255}
			if x < 16 && y < 16 {
				c = color.RGBA{255, 0, 0, 255}
			}
			src.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		o      uint16
		w, h   int
		square image.Point // centre of the red square in the upright picture
	}{
		{1, 64, 32, image.Pt(8, 8)},
		{2, 64, 32, image.Pt(55, 8)},
		{3, 64, 32, image.Pt(55, 23)},
		{4, 64, 32, image.Pt(8, 23)},
		{5, 32, 64, image.Pt(8, 8)},
		{6, 32, 64, image.Pt(23, 8)},
		{7, 32, 64, image.Pt(23, 55)},
		{8, 32, 64, image.Pt(8, 55)},
	}
	for _, tt := range tests {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(bo.String()+"/"+string(rune('0'+tt.o)), func(t *testing.T) {
				t.Parallel()
				data := append(append(bytes.Clone(enc.Bytes()[:2]), exifSegment(tt.o, bo)...), enc.Bytes()[2:]...)
				img, err := Decode(bytes.NewReader(data), 0)
				if err != nil {
					t.Fatal(err)
				}
				if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
					t.Fatalf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
				}
				r, g, _, _ := img.At(tt.square.X, tt.square.Y).RGBA()
				if r>>8 < 200 || g>>8 > 60 {
					t.Errorf("pixel %v is not red: r=%d g=%d", tt.square, r>>8, g>>8)
				}
			})
		}
	}
}

func TestEXIFOrientationIgnoresMalformedSegments(t *testing.T) {
	t.Parallel()
	good := exifSegment(6, binary.BigEndian)
	soi := []byte{0xFF, 0xD8}
	tests := []struct {
		name   string
		header []byte
		want   int
	}{
		{"orientation 6", append(bytes.Clone(soi), good...), 6},
		{"not a JPEG", good, 1},
		{"empty", nil, 1},
		{"segment cut short", append(bytes.Clone(soi), good[:20]...), 1},
		{"orientation 9 is out of range", append(bytes.Clone(soi), exifSegment(9, binary.BigEndian)...), 1},
		{"no Exif", append(bytes.Clone(soi), 0xFF, 0xE0, 0, 4, 'J', 'F'), 1},
		{"bad segment length", append(bytes.Clone(soi), 0xFF, 0xE1, 0, 1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exifOrientation(tt.header); got != tt.want {
				t.Errorf("exifOrientation = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	big := scale(testImage(t, "coffee"), 2) // 1200 x 800
	g := Normalize(big)
	if g.Rect != image.Rect(0, 0, 512, 341) {
		t.Fatalf("Normalize(1200x800) is %v, want 512x341", g.Rect)
	}
	if Normalize(g) != g {
		t.Error("Normalize of a normalised image made a copy")
	}
	small := Normalize(testImage(t, "chelsea"))
	if small.Rect != image.Rect(0, 0, 451, 300) {
		t.Errorf("a small image was resized to %v", small.Rect)
	}
	// The fast paths agree with the generic conversion.
	rgba := toRGBA(testImage(t, "astronaut"))
	var buf bytes.Buffer
	if err := png.Encode(&buf, rgba); err != nil {
		t.Fatal(err)
	}
	generic := image.NewRGBA64(rgba.Rect)
	for y := range rgba.Rect.Dy() {
		for x := range rgba.Rect.Dx() {
			generic.Set(x, y, rgba.At(x, y))
		}
	}
	a, b := Normalize(rgba), Normalize(generic)
	for i := range a.Pix {
		if d := int(a.Pix[i]) - int(b.Pix[i]); d < -1 || d > 1 {
			t.Fatalf("pixel %d: fast %d, generic %d", i, a.Pix[i], b.Pix[i])
		}
	}
	// A sub-image is read from its own bounds.
	sub := rgba.SubImage(image.Rect(100, 100, 200, 150))
	if n := Normalize(sub); n.Rect != image.Rect(0, 0, 100, 50) || n.Pix[0] != a.Pix[100*512+100] {
		t.Errorf("sub-image normalised to %v, first pixel %d want %d", n.Rect, n.Pix[0], a.Pix[100*512+100])
	}
	if n := Normalize(image.NewRGBA(image.Rect(0, 0, 0, 0))); n.Rect.Dx() != 0 {
		t.Errorf("empty image normalised to %v", n.Rect)
	}
}

// TestOrientKeepsLuminance turns images of every type that orient handles, with odd sizes, and
// expects each pixel's luminance where orientPoint puts it.
func TestOrientKeepsLuminance(t *testing.T) {
	t.Parallel()
	base := crop(testImage(t, "astronaut"), image.Rect(100, 100, 201, 167)) // 101 x 67
	ycbcr := func(r image.YCbCrSubsampleRatio) image.Image {
		y := image.NewYCbCr(base.Rect, r)
		for py := range base.Rect.Dy() {
			for px := range base.Rect.Dx() {
				c := color.YCbCrModel.Convert(base.At(px, py)).(color.YCbCr)
				y.Y[y.YOffset(px, py)] = c.Y
				y.Cb[y.COffset(px, py)], y.Cr[y.COffset(px, py)] = c.Cb, c.Cr
			}
		}
		return y
	}
	sources := map[string]image.Image{
		"RGBA": base, "Gray": Normalize(base),
		"YCbCr 4:4:4": ycbcr(image.YCbCrSubsampleRatio444), "YCbCr 4:2:0": ycbcr(image.YCbCrSubsampleRatio420),
		"YCbCr 4:2:2": ycbcr(image.YCbCrSubsampleRatio422), "YCbCr 4:4:0": ycbcr(image.YCbCrSubsampleRatio440),
		"YCbCr 4:1:1": ycbcr(image.YCbCrSubsampleRatio411),
	}
	for name, src := range sources {
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%s/%d", name, o), func(t *testing.T) {
				t.Parallel()
				w, h := src.Bounds().Dx(), src.Bounds().Dy()
				before, after := Normalize(src), Normalize(orient(src, o))
				tolerance := 2
				if name == "YCbCr 4:1:1" && o >= 5 {
					tolerance = 6 // turned through RGBA, whose gamut clips some colours
				}
				if after.Rect != orientRect(w, h, o) {
					t.Fatalf("bounds %v, want %v", after.Rect, orientRect(w, h, o))
				}
				for y := range h {
					for x := range w {
						dx, dy := orientPoint(o, x, y, w, h)
						a, b := int(before.GrayAt(x, y).Y), int(after.GrayAt(dx, dy).Y)
						if a-b > tolerance || b-a > tolerance {
							t.Fatalf("pixel %d,%d: luminance %d became %d at %d,%d", x, y, a, b, dx, dy)
						}
					}
				}
			})
		}
	}
}
