package check

import (
	"strings"

	"kycd/internal/kyc"
)

// SSN checks the Social Security Number of an applicant who lives in the United States (country
// of residence, else residential address, is US): 9 digits (dashes and spaces are ignored), and
// none of the numbers the SSA never issues: area 000, 666 or 900-999, group 00, serial 0000.
//
// Such a number cannot exist, so a failure holds the document for review whatever the score
// (Review): it is not a rejection because the SSN is typed by the applicant, not read from the
// document, and a typo or an ITIN (whose area is 9xx) typed where the SSN was asked are likelier
// than a fabrication; a person asks. The reason is critical-info-missing rather than
// document-invalid: an SSN that cannot exist leaves the applicant without the number the level
// needs, while document-invalid would blame the identity document under review, which the SSN is
// not part of. Applicants living elsewhere, and US residents who gave no SSN (RequiredFields
// decides whether one is needed), are skipped.
func SSN(a *kyc.Applicant) Result {
	if a == nil || residenceCountry(a) != "US" {
		return skip(NameSSN, "not a US resident")
	}
	raw := strings.NewReplacer("-", "", " ", "").Replace(a.Profile.SSN)
	if raw == "" {
		return skip(NameSSN, "no SSN")
	}
	if !kyc.Digits(raw, 9, 9) {
		return review(NameSSN, ReasonCriticalMissing, "SSN must have 9 digits")
	}
	area, group, serial := raw[0:3], raw[3:5], raw[5:9]
	switch {
	case area == "000" || area == "666" || area[0] == '9':
		return review(NameSSN, ReasonCriticalMissing, "SSN area number is never issued (000, 666, 900-999)")
	case group == "00":
		return review(NameSSN, ReasonCriticalMissing, "SSN group number is never issued (00)")
	case serial == "0000":
		return review(NameSSN, ReasonCriticalMissing, "SSN serial number is never issued (0000)")
	}
	return pass(NameSSN)
}
