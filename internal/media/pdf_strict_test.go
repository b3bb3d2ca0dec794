package media_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/media/mediatest"
)

// TestPDFStructureIsRequired is issue 11's finding 7 for PDFs: a 15-byte "%PDF-1.4 %%EOF" and a
// PDF that is also a ZIP were accepted as PDFs. A PDF now needs an object, a cross-reference table
// with its trailer or a cross-reference stream, startxref and %%EOF, and must not be an archive.
func TestPDFStructureIsRequired(t *testing.T) {
	t.Parallel()
	pdf := mediatest.MinimalPDF("1.4", 0)
	zip := zipBytes(t)
	xrefStream := []byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 2 >>\nstream\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
	tests := []struct {
		name string
		data []byte
		want outcome
	}{
		{"minimal PDF", pdf, accepted},
		{"PDF with a cross-reference stream", xrefStream, accepted},
		{"header and %%EOF only", []byte("%PDF-1.4 %%EOF"), damaged},
		{"no object", []byte("%PDF-1.4\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"), damaged},
		{"no cross-reference", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n9\n%%EOF\n"), damaged},
		{"no startxref", bytes.Replace(pdf, []byte("startxref"), []byte("startxxxx"), 1), damaged},
		{"PDF with a ZIP appended", append(append([]byte{}, pdf[:len(pdf)-6]...), append(zip, []byte("\n%%EOF\n")...)...), damaged},
		{"PDF with a ZIP inside", bytes.Replace(pdf, []byte("endobj\n"), append(append([]byte("endobj\n%"), zip...), '\n'), 1), damaged},
		{"PDF with an end-of-central-directory record", bytes.Replace(pdf, []byte("xref\n"), []byte("%PK\x05\x06\nxref\n"), 1), damaged},
		{"PDF with a RAR inside", bytes.Replace(pdf, []byte("xref\n"), []byte("%Rar!\x1a\x07\x00\nxref\n"), 1), damaged},
		{"PDF padded past one read", mediatest.MinimalPDF("1.7", 200_000), accepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := media.Inspect(spoolBytes(t, tt.data), maxPixels)
			checkOutcome(t, err, tt.want)
		})
	}
}

// FuzzInspect runs every sniffer and header reader (JPEG, PNG, WebP, HEIF, PDF) through Inspect:
// it never panics, refuses only with the typed errors (a field error on "file", or
// kyc.ErrUnsupportedMedia), and what it accepts has a known MIME type with dimensions within the
// pixel limit (none for a PDF).
func FuzzInspect(f *testing.F) {
	for _, name := range []string{"astronaut.png", "text.png", "truncated.jpg", "video-001.restart2.jpeg", "yellow_rose.lossy-with-alpha.webp"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		f.Add(b)
	}
	f.Add(mediatest.MinimalPDF("1.4", 0))
	f.Add([]byte("%PDF-1.4 %%EOF"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"))
	dir := f.TempDir()
	const limit = 4_000_000
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := media.Spool(bytes.NewReader(data), dir, 1<<20)
		if err != nil {
			return // over the spool limit
		}
		defer func() { _ = s.Remove() }()
		info, err := media.Inspect(s, limit)
		if err != nil {
			var ve *kyc.ValidationError
			if !errors.Is(err, kyc.ErrUnsupportedMedia) && !errors.As(err, &ve) {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		switch {
		case info.MIME == "application/pdf":
			if info.Width != 0 || info.Height != 0 || !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Fatalf("PDF accepted as %+v", info)
			}
		case strings.HasPrefix(info.MIME, "image/"):
			if info.Width <= 0 || info.Height <= 0 || int64(info.Width)*int64(info.Height) > limit {
				t.Fatalf("image accepted as %+v", info)
			}
		default:
			t.Fatalf("accepted as %+v", info)
		}
	})
}
