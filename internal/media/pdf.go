package media

import (
	"bytes"
	"io"
	"regexp"
)

// pdfTrailerWindow is how far from the end of a PDF the %%EOF marker must appear.
const pdfTrailerWindow = 1024

// pdfChunk is how much of a PDF is read at a time while scanning it whole.
const pdfChunk = 64 << 10

// pdfObject matches an indirect object's header, "12 0 obj".
var pdfObject = regexp.MustCompile(`[0-9]+[ \t\r\n\f\x00]+[0-9]+[ \t\r\n\f\x00]+obj`)

// containerMagics are the signatures of archives that must not hide in a PDF: a PDF that is also a
// ZIP (a local file header, a central directory entry or its end record), a RAR or a 7z opens as
// something else in another program.
var containerMagics = [][]byte{
	[]byte("PK\x03\x04"), []byte("PK\x01\x02"), []byte("PK\x05\x06"),
	[]byte("Rar!\x1a\x07"), []byte("7z\xbc\xaf\x27\x1c"),
}

// verifyPDF checks the structure a PDF reader needs, without parsing the PDF: the version header
// (%PDF-1.x or %PDF-2.x), at least one indirect object, a cross-reference table with its trailer
// or a cross-reference stream, startxref and %%EOF in the last 1024 bytes (which a truncated upload
// lacks). A PDF that is also a ZIP, RAR or 7z archive (a polyglot) is refused.
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
	if !bytes.Contains(tail, []byte("startxref")) {
		return damaged("PDF: no startxref in the last %d bytes", pdfTrailerWindow)
	}
	var object, xref, trailer, xrefStream bool
	const overlap = 64
	buf := make([]byte, pdfChunk+overlap)
	kept := 0
	for off := int64(0); off < size; {
		n, err := src.ReadAt(buf[kept:], off)
		if n == 0 && err != nil {
			return readFailed(err, "PDF body")
		}
		off += int64(n)
		win := buf[:kept+n]
		for _, m := range containerMagics {
			if bytes.Contains(win, m) {
				return damaged("PDF: it is also an archive (a polyglot)")
			}
		}
		object = object || pdfObject.Match(win)
		xref = xref || bytes.Contains(win, []byte("xref"))
		trailer = trailer || bytes.Contains(win, []byte("trailer"))
		xrefStream = xrefStream || bytes.Contains(win, []byte("/XRef"))
		kept = copy(buf, win[max(0, len(win)-overlap):])
	}
	switch {
	case !object:
		return damaged("PDF: no object")
	case !xrefStream && !(xref && trailer):
		return damaged("PDF: no cross-reference table with a trailer, nor a cross-reference stream")
	}
	return nil
}
