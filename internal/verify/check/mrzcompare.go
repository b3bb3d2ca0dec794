package check

import (
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/mrz"
)

// mrzComparison compares one zone with a document's identification and an applicant's profile.
type mrzComparison struct {
	m       *mrz.MRZ
	id      *kyc.Identification
	p       *kyc.Profile
	matcher nameMatcher
}

// surname compares the zone's surname with the applicant's.
func (c mrzComparison) surname() Result {
	parts := strings.Fields(c.m.Surname)
	truncated := c.m.NamesTruncated && c.m.GivenNames == ""
	return c.names(NameMRZSurname, "surname", parts, true, truncated)
}

// givenNames compares the zone's given names with the applicant's.
func (c mrzComparison) givenNames() Result {
	if c.matcher.level == MatchBasic {
		return skip(NameMRZGivenNames, "matchLevel 3 compares surnames only")
	}
	return c.names(NameMRZGivenNames, "given names", strings.Fields(c.m.GivenNames), false, c.m.NamesTruncated)
}

// names compares zone parts with the surname or given-name parts of every form of the
// applicant's name; one agreeing form passes.
func (c mrzComparison) names(name, what string, zone []string, surname, truncated bool) Result {
	if len(zone) == 0 {
		return skip(name, "no "+what+" in the MRZ")
	}
	compared := false
	for _, f := range applicantForms(c.p) {
		own := f.parts(surname)
		if len(own) == 0 {
			continue
		}
		compared = true
		if c.matcher.zonePartsAgree(zone, own, truncated, !surname) {
			return pass(name)
		}
	}
	if !compared {
		return skip(name, "no applicant "+what)
	}
	return fail(name, ReasonNameMismatch, "the MRZ does not match the applicant's "+what)
}

// zonePartsAgree applies the shorter-list rule of HolderName to zone parts and applicant parts;
// when truncated, the zone's last part also matches an applicant part that it begins.
func (m nameMatcher) zonePartsAgree(zone []string, own []nameToken, truncated, initials bool) bool {
	match := func(d string, a nameToken) bool {
		if truncated && d == zone[len(zone)-1] && strings.HasPrefix(a.text, d) {
			return true
		}
		if initials {
			return m.sameOrInitial(d, a)
		}
		return m.same(d, a)
	}
	if len(zone) <= len(own) {
		return everyDocumentPartInForm(zone, own, match)
	}
	return everyApplicantPartOnDocument(own, zone, match)
}

// documentNumber compares the zone's number with identification.number.
func (c mrzComparison) documentNumber() Result {
	if c.id.Number == "" {
		return skip(NameMRZDocumentNumber, "no document number claimed")
	}
	if normalDocumentNumber(c.m.DocumentNumber) != normalDocumentNumber(c.id.Number) {
		return fail(NameMRZDocumentNumber, ReasonNotMatching, "the MRZ document number is not the document's")
	}
	return pass(NameMRZDocumentNumber)
}

// normalDocumentNumber drops '<', spaces and '-' and upper-cases.
func normalDocumentNumber(s string) string {
	return strings.ToUpper(strings.NewReplacer("<", "", " ", "", "-", "").Replace(s))
}

// sex compares the zone's M or F with the applicant's gender.
func (c mrzComparison) sex() Result {
	want := map[string]string{"male": mrz.SexMale, "female": mrz.SexFemale}[c.p.Gender]
	if want == "" || (c.m.Sex != mrz.SexMale && c.m.Sex != mrz.SexFemale) {
		return skip(NameMRZSex, "no sex to compare")
	}
	if c.m.Sex != want {
		return fail(NameMRZSex, ReasonNotMatching, "the MRZ sex is not the applicant's gender")
	}
	return pass(NameMRZSex)
}

// compareMRZDate compares the known parts of a zone date with a claimed YYYY-MM-DD date, the
// year on its last two digits.
func compareMRZDate(name, what, reason string, zone mrz.Date, claimed string) Result {
	t, ok := kyc.ParseDate(claimed)
	if !ok || (zone.Year == 0 && zone.Month == 0 && zone.Day == 0) {
		return skip(name, "no "+what+" to compare")
	}
	if (zone.Year != 0 && zone.Year%100 != t.Year()%100) || (zone.Month != 0 && zone.Month != t.Month()) ||
		(zone.Day != 0 && zone.Day != t.Day()) {
		return fail(name, reason, "the MRZ "+what+" is not the one claimed")
	}
	return pass(name)
}

// mrzNonStates are ICAO codes that name no country: stateless persons and refugees (XXA, XXB,
// XXC), unspecified (XXX), the United Nations and its agencies, the European Union and other
// organisations.
var mrzNonStates = map[string]bool{
	"XXA": true, "XXB": true, "XXC": true, "XXX": true, "UNO": true, "UNA": true, "UNK": true, "EUE": true,
	"XPO": true, "XOM": true, "XBA": true, "XIM": true, "XCC": true, "XCE": true, "XCO": true, "XEC": true,
	"XES": true, "XMP": true, "XDC": true, "XAA": true,
}

// mrzStates are ICAO codes that are not ISO 3166-1 alpha-3: Germany's "D" and the kinds of
// British nationality.
var mrzStates = map[string]string{"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB"}

// compareMRZCountry compares a zone's state code with a claimed country.
func compareMRZCountry(name, what, code, claimed string) Result {
	own := normalCountry(claimed)
	if own == "" {
		return skip(name, "no country claimed")
	}
	if mrzNonStates[code] {
		return skip(name, "the MRZ "+what+" names no state")
	}
	zone, ok := mrzStates[code]
	if !ok && len(code) == 3 {
		zone = normalCountry(code)
	}
	if zone == "" {
		return fail(name, ReasonNotMatching, "the MRZ "+what+" is not a known state code")
	}
	if zone != own {
		return fail(name, ReasonNotMatching, "the MRZ "+what+" is not the one claimed")
	}
	return pass(name)
}
