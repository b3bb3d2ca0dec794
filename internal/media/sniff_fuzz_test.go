package media

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"kycd/internal/kyc"
)

// formats are every accepted format, for running each structure walk on any bytes.
var formats = []*format{formatJPEG, formatPNG, formatWebP, formatHEIC, formatPDF}

// FuzzSniff runs the sniffer and every format's structure walk and header reader on the same
// bytes, whatever sniff says, in memory (FuzzInspect goes through a spooled file and Inspect).
// sniff refuses only with kyc.ErrUnsupportedMedia and names a format only when the bytes start
// with its signature; a walk refuses only with a validation error on "file" (a file in memory
// cannot fail to read), and what it accepts has the structure the walk promises: a JPEG from SOI
// to an EOI, a PNG ending in IEND, a RIFF size that is the file's, a HEIF starting with ftyp, a
// PDF ending in %%EOF with no archive inside. The header readers of JPEG, PNG and WebP do not
// panic (HEIF's, libheif, runs in FuzzInspect).
func FuzzSniff(f *testing.F) {
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"))
	f.Add(append(bytes.Clone(pngSignature), "\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"...))
	f.Add([]byte("RIFF\x0c\x00\x00\x00WEBPVP8L\x00\x00\x00\x00"))
	f.Add([]byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic\x00\x00\x00\x08meta\x00\x00\x00\x08mdat"))
	f.Add([]byte("\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif"))
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"))
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\nPK\x03\x04xref\ntrailer\nstartxref\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm, err := sniff(data[:min(len(data), headSize)])
		if err != nil {
			if fm != nil || !errors.Is(err, kyc.ErrUnsupportedMedia) {
				t.Fatalf("sniff refused with %v", err)
			}
		} else if !hasSignature(fm, data) {
			t.Fatalf("sniffed %s from %q", fm.mime, data[:min(len(data), 16)])
		}
		for _, fm := range formats {
			err := fm.verify(io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data))))
			var ve *kyc.ValidationError
			switch {
			case err != nil && (!errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "file"):
				t.Fatalf("%s walk refused with %v", fm.mime, err)
			case err == nil && !wellFormed(fm, data):
				t.Fatalf("%s walk accepted %q", fm.mime, data[:min(len(data), 64)])
			}
			if fm.config != nil && fm != formatHEIC {
				_, _ = fm.config(bytes.NewReader(data))
			}
		}
	})
}

// hasSignature reports whether data starts with fm's signature.
func hasSignature(fm *format, data []byte) bool {
	switch fm {
	case formatJPEG:
		return bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF})
	case formatPNG:
		return bytes.HasPrefix(data, pngSignature)
	case formatWebP:
		return len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
	case formatHEIC:
		return len(data) >= 16 && string(data[4:8]) == "ftyp"
	case formatPDF:
		return bytes.HasPrefix(data, []byte("%PDF-"))
	}
	return false
}

// wellFormed checks the structure that fm's walk promises of a file it accepted.
func wellFormed(fm *format, data []byte) bool {
	switch fm {
	case formatJPEG:
		return bytes.HasPrefix(data, []byte{0xFF, 0xD8}) && bytes.Contains(data, []byte{0xFF, 0xD9})
	case formatPNG:
		return bytes.HasPrefix(data, pngSignature) && bytes.HasSuffix(data[:len(data)-4], []byte("IEND"))
	case formatWebP:
		riff := 8 + int(uint32(data[4])|uint32(data[5])<<8|uint32(data[6])<<16|uint32(data[7])<<24)
		return hasSignature(formatWebP, data) && (riff == len(data) || riff+1 == len(data))
	case formatHEIC:
		return len(data) >= 8 && string(data[4:8]) == "ftyp" &&
			bytes.Contains(data, []byte("meta")) && bytes.Contains(data, []byte("mdat"))
	case formatPDF:
		for _, m := range containerMagics {
			if bytes.Contains(data, m) {
				return false
			}
		}
		return bytes.HasPrefix(data, []byte("%PDF-")) && bytes.Contains(data[max(0, len(data)-pdfTrailerWindow):], []byte("%%EOF"))
	}
	return false
}
