package check

import (
	"fmt"

	"kycd/internal/kyc"
)

// HolderName checks the holder name on the document against the applicant's name at matchLevel
// (MatchModerate 1, MatchStrict 2, MatchBasic 3; anything else is MatchStrict): name-mismatch
// when it fails. Skipped without a holder name or an applicant name.
//
// Both names are folded first (foldName): case, accents and punctuation are ignored, so
// "HONGLADAROM, Chattarin" is the parts HONGLADAROM and CHATTARIN, and "José Müller" is JOSE
// MULLER; the order of the parts never matters. The applicant's name is tried as given and in its
// Latin form (firstNameLatin, middleNameLatin, lastNameLatin), each also with the ICAO
// transliteration (Müller as MUELLER), and so is the holder name; any pairing that matches passes.
// Then, with given names being firstName and middleName and the surname lastName:
//
//   - MatchStrict: every surname part is among the document's parts, and every part of the
//     shorter name (by number of parts; the document's when equal) is among the other's parts.
//     A missing middle name on either side passes; a different given name does not.
//   - MatchModerate: as strict, but two parts of at least 5 letters that are one edit apart
//     (Levenshtein distance 1) are the same, and a one-letter part matches a given name that
//     starts with it ("A. ERIKSSON" is Anna Eriksson).
//   - MatchBasic: every surname part is among the document's parts, with the one-edit allowance;
//     given names are not compared.
func HolderName(id *kyc.Identification, p *kyc.Profile, matchLevel int) Result {
	if id == nil || id.HolderName == "" {
		return skip(NameHolderName, "no holder name on the document")
	}
	if p == nil {
		return skip(NameHolderName, "no applicant name")
	}
	forms := applicantForms(p)
	if len(forms) == 0 {
		return skip(NameHolderName, "no applicant name")
	}
	level := normalLevel(matchLevel)
	m := nameMatcher{level: level}
	for _, icao := range []bool{false, true} {
		doc := foldName(id.HolderName, icao)
		for _, f := range forms {
			if m.holderMatches(doc, f) {
				return pass(NameHolderName)
			}
		}
	}
	return fail(NameHolderName, ReasonNameMismatch, fmt.Sprintf("holder name does not match the applicant's name at matchLevel %d", level))
}

// normalLevel maps a match level outside 1-3 to MatchStrict, Rebilly's default.
func normalLevel(level int) int {
	if level < MatchModerate || level > MatchBasic {
		return MatchStrict
	}
	return level
}

// IssuingCountry checks that the document was issued by the country of the applicant's
// nationality, for levels that ask it: document-not-matching otherwise. Skipped when either
// country is missing or not a country (Countries reports that).
func IssuingCountry(id *kyc.Identification, p *kyc.Profile) Result {
	if id == nil || p == nil {
		return skip(NameIssuingCountry, "no issuing country or nationality")
	}
	issuer, nationality := normalCountry(id.IssuingCountry), normalCountry(p.Nationality)
	if issuer == "" || nationality == "" {
		return skip(NameIssuingCountry, "no issuing country or nationality")
	}
	if issuer != nationality {
		return fail(NameIssuingCountry, ReasonNotMatching, "the issuing country is not the applicant's nationality")
	}
	return pass(NameIssuingCountry)
}
