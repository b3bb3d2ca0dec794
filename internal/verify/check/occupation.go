package check

import (
	"strings"

	"kycd/internal/kyc"
)

// socMajorGroups are the 23 major groups of the Standard Occupational Classification (SOC 2018):
// the first two digits of every real SOC code.
var socMajorGroups = map[string]bool{
	"11": true, "13": true, "15": true, "17": true, "19": true, "21": true, "23": true, "25": true,
	"27": true, "29": true, "31": true, "33": true, "35": true, "37": true, "39": true, "41": true,
	"43": true, "45": true, "47": true, "49": true, "51": true, "53": true, "55": true,
}

// Occupation checks that the applicant's occupation is a SOC code of the form NN-NNNN whose first
// two digits are one of the 23 SOC 2018 major groups (11, 13, ... 53, 55): critical-info-missing
// otherwise. Without an occupation the check is skipped.
func Occupation(p *kyc.Profile) Result {
	if p == nil || p.Occupation == "" {
		return skip(NameOccupation, "no occupation")
	}
	code := strings.TrimSpace(p.Occupation)
	major, detailed, ok := strings.Cut(code, "-")
	if !ok || !kyc.Digits(major, 2, 2) || !kyc.Digits(detailed, 4, 4) {
		return fail(NameOccupation, ReasonCriticalMissing, "occupation is not a SOC code NN-NNNN")
	}
	if !socMajorGroups[major] {
		return fail(NameOccupation, ReasonCriticalMissing, "occupation is not in a SOC 2018 major group")
	}
	return pass(NameOccupation)
}
