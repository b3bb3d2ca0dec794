package check

import (
	"fmt"
	"image"
)

// MinTextRows is the least number of printed text rows (FindTextRows: rows of MinRowGlyphs or
// more character-sized marks of one height on one line) that an image of a document must show.
// Calibrated on the generated documents of docshown_gen_test.go, tuning seed 11: 60 mrztest cards
// of every zone format, 500-1600 px wide, a quarter without a zone, rotated up to 8°, sheared,
// unevenly lit, blurred (sigma up to 1 px at 512), noisy, JPEG of quality 30-90. They have 4-18
// rows (median 10; the fewest are cards without a zone: a title and labels). The non-documents
// (the test images of testdata clean, as JPEG of quality 30, scaled by 0.5 and 2, blurred and
// darkened; blank pages with noise, gradient and vignetting, filling the frame or on a table)
// have at most 2: the grain of the table under the coffee cup. 3 lies between, one row of margin
// either side. On evaluation seed 12, first run after it was set, documents have 5-14 rows and
// non-documents at most 2 (the test images are the same on both seeds: only the documents and
// blank pages are held out). TestDocumentShownMargins keeps both margins on both seeds.
const MinTextRows = 3

// DocumentShown checks that an image of an identity proof shows a document: printed text, at
// least MinTextRows rows of it (FindTextRows), and on the front of an identity document (front)
// a portrait too, a frontal face (FindFaces). A face photo, an animal, a blank page, a scene or
// handwriting fails it; so does a screenshot of text given as the front, which has no portrait.
// Failing is document-unreadable and Review: a person must look at what was sent, since a real
// document photographed badly enough also fails, and this check never rejects on its own. The
// Detail says what is missing, never what is printed.
//
// It reads Normalize(img), like the other image checks: pass the decoded image or Normalize(img),
// with the same answer; on a 512 px grey copy the labels of a passport card photographed whole
// are 5-6 px high, which FindTextRows still reads. On one core, a decoded 12 MP photo takes 11 ms,
// of which Normalize is 5.5, FindTextRows 1.4 and FindFaces the rest; given Normalize(img), 4 ms
// (BenchmarkDocumentShown12MP, BenchmarkDocumentShownNormalized).
func DocumentShown(img image.Image, front bool) Result {
	g := Normalize(img)
	tr := FindTextRows(g)
	if tr.Rows < MinTextRows {
		return review(NameDocumentShown, ReasonUnreadable,
			fmt.Sprintf("no document found: %d rows of printed text, want at least %d", tr.Rows, MinTextRows))
	}
	if front && CountFaces(g) == 0 {
		return review(NameDocumentShown, ReasonUnreadable, "no document front found: printed text but no portrait")
	}
	return pass(NameDocumentShown)
}

// SelfieNotDocument checks that a selfie is not a photo of a document: a selfie with MinTextRows
// rows of printed text or more (FindTextRows, the rule DocumentShown uses to see a document) shows
// a page of print, most often the identity document itself sent again as the selfie, its
// portrait standing in for a face. Failing is third-party-or-mismatch and Review: a person looks,
// since a real selfie may show print behind the face. The calibration of MinTextRows holds here
// from the other side: the test photos, faces among them, show at most 2 rows; the generated
// documents 4 or more. Detail never holds what is printed.
func SelfieNotDocument(img image.Image) Result {
	if tr := FindTextRows(Normalize(img)); tr.Rows >= MinTextRows {
		return review(NameSelfieNotDocument, ReasonThirdParty,
			fmt.Sprintf("the selfie shows %d rows of printed text: it looks like a photo of a document, not of a person", tr.Rows))
	}
	return pass(NameSelfieNotDocument)
}
