package check

import (
	"fmt"
	"strings"
	"unicode"

	"kycd/internal/kyc"
)

// Bounds on the length of an identity document's number, counted in letters and digits
// (separators left out). The longest number an ICAO 9303 MRZ can carry is a TD1 card's, 9
// characters in the number field plus at most 14 in the optional data, 23 in all; national
// numbers printed outside an MRZ run to 18 (a Chinese resident identity card, a Mexican CURP).
// Numbers shorter than 5 are not issued on passports or ID cards today, but some old driving
// licences used them, which is why a short number is held for review rather than rejected.
const (
	// MinDocumentNumber is the fewest letters and digits of a plausible document number.
	MinDocumentNumber = 5
	// MaxDocumentNumber is the most letters and digits of a plausible document number.
	MaxDocumentNumber = 24
)

// documentNumberSeparators are the characters other than letters and digits that documents print
// in their numbers: spaces, hyphens, slashes, dots, and the asterisks with which Washington State
// pads the names in its older driving licence numbers.
const documentNumberSeparators = " -/.*"

// DocumentNumber checks that an identity document's number (type identity-proof) could be a
// document number: every character a letter (any script: Greek ID cards print Greek letters), a
// digit or one of documentNumberSeparators, and from MinDocumentNumber to MaxDocumentNumber letters
// and digits. It does not know any issuer's format or check digit (the MRZ checks do that where
// there is a zone), so it says "impossible", never "valid".
//
// A character that no document prints ("#", "@", "_", "<", a control character) makes the number
// impossible as written: document-invalid and decisive, like an impossible date. A length outside
// the bounds is document-invalid and held for review (Review), not rejected: the bounds are drawn
// from the formats known, not from a rule every issuer follows. Other document types, and a
// document without a number, are skipped.
func DocumentNumber(doc *kyc.Document) Result {
	if doc == nil || doc.Type != "identity-proof" {
		return skip(NameDocumentNumber, "not an identity document")
	}
	if doc.Identification == nil || strings.TrimSpace(doc.Identification.Number) == "" {
		return skip(NameDocumentNumber, "no document number")
	}
	n := 0
	for _, r := range doc.Identification.Number {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			n++
		case !strings.ContainsRune(documentNumberSeparators, r):
			return decisive(NameDocumentNumber, ReasonInvalid, "the document number has a character that no document prints")
		}
	}
	if n < MinDocumentNumber || n > MaxDocumentNumber {
		return review(NameDocumentNumber, ReasonInvalid,
			fmt.Sprintf("the document number has %d letters and digits, not %d to %d", n, MinDocumentNumber, MaxDocumentNumber))
	}
	return pass(NameDocumentNumber)
}
