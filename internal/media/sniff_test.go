package media

import (
	"encoding/binary"
	"errors"
	"testing"

	"kycd/internal/kyc"
)

// ftyp builds an ISO-BMFF ftyp box with the given major brand, minor version and compatible
// brands.
func ftyp(major, minor string, compatible ...string) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compatible)))
	out = append(out, "ftyp"+major+minor...)
	for _, b := range compatible {
		out = append(out, b...)
	}
	return out
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		head []byte
		want string // MIME type, or "" for unsupported
	}{
		{"JPEG JFIF", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "image/jpeg"},
		{"JPEG bare", []byte("\xFF\xD8\xFF\xDB"), "image/jpeg"},
		{"JPEG SOI only", []byte("\xFF\xD8"), ""},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "image/png"},
		{"WebP", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"WAV", []byte("RIFF\x10\x00\x00\x00WAVEfmt "), ""},
		{"HEIC major heic", ftyp("heic", "\x00\x00\x00\x00", "mif1", "heic"), "image/heic"},
		{"HEIC major heix", ftyp("heix", "\x00\x00\x00\x00"), "image/heic"},
		{"HEIF major mif1, compatible heic", ftyp("mif1", "\x00\x00\x00\x00", "mif1", "heic"), "image/heic"},
		{"HEIF sequence msf1, compatible hevc", ftyp("msf1", "\x00\x00\x00\x00", "hevc"), "image/heic"},
		{"HEIF generic mif1 only", ftyp("mif1", "\x00\x00\x00\x00", "miaf"), "image/heic"},
		{"HEIF compatible heim", ftyp("iso8", "\x00\x00\x00\x00", "heim"), "image/heic"},
		{"AVIF", ftyp("avif", "\x00\x00\x00\x00", "mif1", "miaf"), ""},
		{"AVIF under mif1", ftyp("mif1", "\x00\x00\x00\x00", "avif"), ""},
		{"AVIF sequence", ftyp("avis", "\x00\x00\x00\x00", "msf1"), ""},
		{"MP4", ftyp("isom", "\x00\x00\x02\x00", "isom", "mp41"), ""},
		{"QuickTime", ftyp("qt  ", "\x00\x00\x00\x00", "qt  "), ""},
		{"brand only in minor_version", ftyp("isom", "heic", "isom"), ""},
		{"ftyp size too small", append(binary.BigEndian.AppendUint32(nil, 8), "ftypheic\x00\x00\x00\x00"...), ""},
		{"PDF 1.7", []byte("%PDF-1.7\n"), "application/pdf"},
		{"PDF without dash", []byte("%PDF1.7\n"), ""},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"BMP", []byte("BM\x36\x00\x00\x00"), ""},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := sniff(tt.head)
			if tt.want == "" {
				if !errors.Is(err, kyc.ErrUnsupportedMedia) {
					t.Fatalf("sniff = %v, %v; want kyc.ErrUnsupportedMedia", got, err)
				}
				return
			}
			if err != nil || got.mime != tt.want {
				t.Fatalf("sniff = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}
