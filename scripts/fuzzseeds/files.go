package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"kycd/internal/media/mediatest"
	"strings"
)

// Small files of every accepted type, built here so they stay a few hundred bytes.

func pngOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // an in-memory image always encodes
	}
	return b.Bytes()
}

func jpegOf(img image.Image, quality int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// gradient is a w x h colour image with some structure for the encoders to keep.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 7), 255})
		}
	}
	return img
}

func grayImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	return img
}

func paletted() *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}})
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 3)
	}
	return img
}

func rgba64() *image.RGBA64 {
	img := image.NewRGBA64(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 31)
	}
	return img
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(append(out, typ...), data...)
	return binary.BigEndian.AppendUint32(out, crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data))
}

// interlacedPNG is an Adam7-interlaced w x h grey PNG of zero pixels, with room for every pass.
func interlacedPNG(w, h int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 1)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 2*h*(1+w)))
	_ = zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// exifSegment is an APP1 Exif segment whose first directory holds only the orientation o.
func exifSegment(o uint16, bo binary.AppendByteOrder) []byte {
	tiff := []byte("MM\x00*")
	if bo == binary.AppendByteOrder(binary.LittleEndian) {
		tiff = []byte("II*\x00")
	}
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 1)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(payload)+2))
	return append(seg, payload...)
}

// withAfterSOI inserts segment right after a JPEG's SOI marker.
func withAfterSOI(j, segment []byte) []byte {
	return append(append(append([]byte{}, j[:2]...), segment...), j[2:]...)
}

// heifBoxes is a HEIF file of top-level boxes only: ftyp with the major brand and compatible
// brands given, a meta and an mdat box. large writes mdat with a 64-bit size.
func heifBoxes(major string, compatible []string, large bool) []byte {
	ftyp := append([]byte(major), 0, 0, 0, 0)
	for _, c := range compatible {
		ftyp = append(ftyp, c...)
	}
	box := func(typ string, payload []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
		return append(append(out, typ...), payload...)
	}
	out := box("ftyp", ftyp)
	out = append(out, box("meta", make([]byte, 4))...)
	if large {
		out = binary.BigEndian.AppendUint32(out, 1)
		out = append(out, "mdat"...)
		out = binary.BigEndian.AppendUint64(out, 16+4)
		return append(out, 1, 2, 3, 4)
	}
	return append(out, box("mdat", []byte{1, 2, 3, 4})...)
}

// xrefStreamPDF is a PDF 1.5 whose cross-reference is a stream.
func xrefStreamPDF() []byte {
	return []byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 2 >>\nstream\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
}

// polyglotPDF is a PDF with a ZIP local file header in a comment: refused.
func polyglotPDF() []byte {
	return bytes.Replace(mediatest.MinimalPDF("1.4", 0), []byte("xref\n"), []byte("%PK\x03\x04\x14\x00\x00\x00\nxref\n"), 1)
}

// lateEOFPDF has more than 1024 bytes after its %%EOF: refused as truncated.
func lateEOFPDF() []byte {
	return append(mediatest.MinimalPDF("1.4", 0), "%"+strings.Repeat("x", 1100)+"\n"...)
}
