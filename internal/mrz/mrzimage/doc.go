// Package mrzimage finds the machine-readable zone (MRZ) of an identity document in an image and
// reads it, in pure Go and without I/O: the caller decodes the image, Read returns the zone's
// lines parsed by package mrz, or an error wrapping ErrNotRead that says why nothing was read.
//
// # How a zone is read
//
//  1. The image is turned to grey (a JPEG's luminance plane as it is) and shrunk so that its longest
//     side is at most 1,600 pixels.
//  2. Ink is what is darker than the mean of its neighbourhood (an adaptive threshold over an
//     integral image), so that uneven light and coloured or patterned paper do not matter.
//  3. Connected components of character size are linked, each to its nearest right neighbour of
//     similar height on the same row, into chains. A chain whose span is 30, 36 or 44 characters,
//     counted at a pitch that may change linearly along it, becomes a line: its direction (the
//     skew) is fitted to the centres of the full-height characters, and the positions of the
//     characters that sit alone in their cells, so that touching or broken characters do not move
//     the grid, to the projective map of an evenly spaced row, t = (ak+b)/(ck+1). That map is
//     what a photo taken at an angle makes of a row: the pitch and the characters' size change
//     along it (by up to half from end to end). A chain that ran into the card's edge or a mark
//     beside it is also fitted without its end blobs, and the closest fit wins. Lines of equal
//     length, pitch and direction, stacked at a line's spacing, form a zone: 3 x 30 (TD1), 2 x 36
//     (TD2, MRV-B) or 2 x 44 (TD3, MRV-A).
//  4. Each character cell is sampled along the fitted line (which deskews it), at its own place
//     and scale on the row, into a 16 x 24 grid normalised to the line's own paper and ink levels.
//     Where the shrink of step 1 left capitals under 20 pixels and the image has more (a card
//     that fills a third of a 12-megapixel photo, an image just over 1,600 pixels), the cells are
//     sampled from the zone's surroundings in the full image, shrunk only so far that capitals
//     stay 20 pixels high. Each cell is classified by package ocrb at five placements (as fitted,
//     and moved by a twentieth of a pitch or a 25th of a height), whose probabilities are
//     averaged, so that a reading that flips when the cell moves is uncertain.
//  5. The text is decided field by field (see decide): a position keeps only what its field
//     allows (digits in dates and check digits, letters in names and states, M/F/X/< for the sex),
//     which corrects the look-alikes O/0, I/1, B/8, S/5, Z/2 and G/6 there; where a check digit
//     covers the position, every alternative that the classifier gives a fair probability is
//     tried. The zone is read only when exactly one combination passes every check digit, its
//     dates exist, its states are ICAO codes (ISO 3166-1 alpha-3 or Doc 9303's own), and every
//     character that no check digit covers (names, sex, a visa's optional data) was certain. The
//     states' letters are checked by the list of codes instead: each needs a probability of 0.9,
//     and every alternative the classifier gives the slightest weight is tried, so that a
//     reading is kept only when no other makes a code. Otherwise nothing is read, with the
//     reason.
//  6. The image is tried as it is, then turned by 180, 90 and 270 degrees, until a zone is read.
//
// A wrong zone that passes the check digits is the worst outcome, and the rules of step 5 are
// there to prevent it: the check digits cannot tell G from 6, K from '<', A from 0 or I from S at
// any position (their values differ by a multiple of 10, which no weight of 7, 3, 1 separates),
// so there the classifier's certainty decides: such an alternative is tried from a lower
// probability (residueProb), so that it leaves more than one combination and no read. Names are
// read only when every character was certain, and are still a claim to compare, not a fact.
//
// # The classifier
//
// Package ocrb holds a network of one hidden layer (384 inputs, 128 rectified units, 37 outputs),
// trained by ./internal/train on lines of OCR-B rendered from Debian's fonts-ocr-b (public domain)
// at capital heights of 9 to 40 pixels and degraded at random (blur, stroke weight, shading,
// noise, JPEG quality 30 to 95), each cell sampled with the placement errors that the line fit
// makes. Its weights are committed (internal/ocrb/weights.bin, see internal/ocrb/README.md), so
// neither the server nor the tests need the font; `go generate` retrains them.
//
// Alternatives: Tesseract with Debian's eng model reads 0 of 100 synthetic zones exactly (measured
// for STACK.md) and its model cannot be fine-tuned from Debian's packages; it would also need cgo
// or a subprocess. Nearest-centroid template matching on the same 16 x 24 cells would be smaller
// and was the first idea, but it was not built: the cells are placed by a fitted grid that is off
// by up to a tenth of a pitch, and a network trained on such shifted cells absorbs that, where one
// template per class would not. Reading each connected component instead of fixed-pitch cells was
// not taken because blur joins neighbouring characters and breaks thin ones.
//
// What the corpus of the tests covers (bench/README.md has the rates): the four quarter turns,
// skew up to 10 degrees, perspective (the far edge's corners moved in by up to a tenth of the
// side), blur, JPEG quality 40-60, uneven light, glare off the zone, an 800-pixel photo, and a
// card that fills 30-45% of the width of a 12-megapixel photo of a busy table. Glare on the zone
// whites out characters: such a zone is refused, not read.
//
// Not yet handled: a zone whose characters are sheared (the vertical strokes of a row seen at a
// steep angle lean; the cells are sampled upright, which the classifier tolerates at the tilts
// above but not far beyond); a zone that is under about 9 pixels of capital height in the whole
// image; a zone that the document's fold or edge cuts. A visa's optional data has no check digit,
// so it must be certain for the visa to be read.
package mrzimage

//go:generate go run ./internal/train -hidden 128 -epochs 20 -lines 3000
