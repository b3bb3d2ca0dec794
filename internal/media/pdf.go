package media

import (
	"bytes"
	"io"
)

// pdfTrailerWindow is how far from the end of a PDF the %%EOF marker must appear.
const pdfTrailerWindow = 1024

// verifyPDF checks the version header (%PDF-1.x or %PDF-2.x) and that %%EOF appears in the last
// 1024 bytes, which a truncated upload lacks. It does not parse the PDF.
func verifyPDF(src *io.SectionReader) error {
	size := src.Size()
	header := make([]byte, 7)
	if _, err := src.ReadAt(header, 0); err != nil {
		return readFailed(err, "PDF header")
	}
	if !bytes.Equal(header, []byte("%PDF-1.")) && !bytes.Equal(header, []byte("%PDF-2.")) {
		return damaged("PDF: the header is not %%PDF-1.x or %%PDF-2.x")
	}
	tail := make([]byte, min(size, pdfTrailerWindow))
	if _, err := src.ReadAt(tail, size-int64(len(tail))); err != nil {
		return readFailed(err, "PDF trailer")
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return damaged("PDF: no %%%%EOF marker in the last %d bytes", pdfTrailerWindow)
	}
	return nil
}
