package check

import (
	"errors"
	"slices"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz"
)

// Where the zone that the MRZ checks compare came from (parsedData.mrzSource).
const (
	// MRZSourceImage: the zone was read from the document's image; it is the truth that the typed
	// data and the applicant's profile are compared with.
	MRZSourceImage = "image"
	// MRZSourceTyped: the zone is the text the integrator sent in identification.mrz; nothing was
	// read from the image.
	MRZSourceTyped = "typed"
)

// MRZBearing reports whether an identity document of this subtype and issuing country (ISO 3166-1
// alpha-2, may be empty) carries a machine-readable zone, so that not reading one keeps it from
// automatic acceptance. Passports, visas and residence permits always do (ICAO Doc 9303; the EU's
// uniform residence permit is a TD1 card). Identity cards do when the typed identification has a
// zone, or when they come from a state whose cards must carry one: the EU since 2 August 2021
// (Regulation (EU) 2019/1157, article 3), the EEA states and Switzerland; an older card from those
// states without a zone goes to a person, which is the safe side. Driving licences and "other" do
// not.
func MRZBearing(subtype, issuingCountry string, typedMRZ bool) bool {
	switch subtype {
	case "passport", "visa", "residence-permit":
		return true
	case "id-card":
		return typedMRZ || slices.Contains(mrzCardStates, strings.ToUpper(issuingCountry))
	}
	return false
}

// mrzCardStates are the states whose identity cards carry a TD1 zone: the EU 27, the other EEA
// states and Switzerland.
var mrzCardStates = []string{"AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
	"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"}

// ImageMRZ is what the engine read, or failed to read, from a document's images.
type ImageMRZ struct {
	// Zone is the zone read from an image, every check digit valid; nil when none was read. It is
	// personal data.
	Zone *mrz.MRZ
	// Lines are Zone's lines.
	Lines []string
	// NotRead says why no zone was read (mrzimage's reason, no personal data), when Zone is nil
	// and an image was tried.
	NotRead string
	// Bearing reports that the document carries a zone (see MRZBearing).
	Bearing bool
	// RefuseSpecimens makes a zone of ICAO's specimen state Utopia (UTO) decisive: a live document
	// is never a specimen. The test environment allows them, for integrators' sample documents.
	RefuseSpecimens bool
}

// DocumentMRZ checks an identity document's machine-readable zone. The zone read from the image,
// when there is one, is the truth: mrz-read-from-image passes, a typed identification.mrz must be
// the same zone (mrz-typed-matches-image, document-not-matching, review), the zone is compared
// with the typed identification and the applicant's profile as CompareMRZ does, every failed
// comparison held for a person (review), the zone's own expiry date must not have passed
// (mrz-not-expired, document-expired, decisive, whatever was typed) and, when
// RefuseSpecimens, its states must not be Utopia (mrz-not-specimen, document-invalid, decisive).
// parsedData.mrzSource is "image".
//
// When no zone was read, a typed zone is checked as MRZ does (mrzSource "typed"), and a document
// that carries a zone (Bearing, or any typed zone) fails mrz-read-from-image with
// document-unreadable and review: what was not read is never accepted automatically. A document
// without a zone and no typed one skips every MRZ check.
func DocumentMRZ(read ImageMRZ, id *kyc.Identification, p *kyc.Profile, matchLevel int, now time.Time) MRZReport {
	typed := id != nil && strings.TrimSpace(id.MRZ) != ""
	if read.Zone == nil {
		rep := MRZ(id, p, matchLevel, now)
		if !read.Bearing && !typed {
			return MRZReport{Results: []Result{skip(NameMRZImage, "this document carries no machine-readable zone")}}
		}
		why := "no machine-readable zone was read from the document's images"
		if read.NotRead != "" {
			why += ": " + read.NotRead
		}
		rep.Results = append([]Result{review(NameMRZImage, ReasonUnreadable, why)}, rep.Results...)
		if rep.ParsedData == nil {
			rep.ParsedData = map[string]any{}
		}
		rep.ParsedData["mrzReadFromImage"] = false
		return rep
	}

	m := read.Zone
	rep := CompareMRZ(m, id, p, matchLevel)
	for i := range rep.Results {
		if rep.Results[i].Failed && rep.Results[i].Name != NameMRZChecksum {
			rep.Results[i].Review = true
		}
	}
	results := []Result{pass(NameMRZImage), pass(NameMRZReadable), typedMatches(read.Lines, id, now)}
	results = append(results, rep.Results...)
	results = append(results, mrzNotExpired(m, now), mrzNotSpecimen(m, read.RefuseSpecimens))
	rep.Results = results
	rep.ParsedData["mrzSource"] = MRZSourceImage
	rep.ParsedData["mrzReadFromImage"] = true
	return rep
}

// typedMatches compares a typed zone, if any, with the lines read from the image.
func typedMatches(lines []string, id *kyc.Identification, now time.Time) Result {
	if id == nil || strings.TrimSpace(id.MRZ) == "" {
		return skip(NameMRZTyped, "no typed MRZ")
	}
	t, err := mrz.ParseAt(id.MRZ, now)
	if err != nil {
		detail := "the typed MRZ does not parse"
		if errors.Is(err, mrz.ErrInvalid) {
			detail = "the typed MRZ is not a machine-readable zone: " + strings.TrimPrefix(err.Error(), mrz.ErrInvalid.Error()+": ")
		}
		return review(NameMRZTyped, ReasonNotMatching, detail)
	}
	if r, err := mrz.ParseAt(strings.Join(lines, "\n"), now); err != nil || !sameZone(t, r) {
		return review(NameMRZTyped, ReasonNotMatching, "the typed MRZ is not the one printed on the document")
	}
	return pass(NameMRZTyped)
}

// sameZone reports whether two parsed zones say the same: the typed one may differ in case,
// spacing or line breaks, not in a character.
func sameZone(a, b *mrz.MRZ) bool {
	if a.Format != b.Format {
		return false
	}
	return a.DocumentCode == b.DocumentCode && a.IssuingState == b.IssuingState && a.Surname == b.Surname &&
		a.GivenNames == b.GivenNames && a.DocumentNumber == b.DocumentNumber && a.Nationality == b.Nationality &&
		a.DateOfBirth == b.DateOfBirth && a.Sex == b.Sex && a.ExpiryDate == b.ExpiryDate &&
		a.PersonalNumber == b.PersonalNumber && a.OptionalData == b.OptionalData && a.OptionalData2 == b.OptionalData2
}

// mrzNotExpired: the zone's expiry date has not passed (decisive). Skipped when the zone gives no
// whole date (some identity cards write fillers).
func mrzNotExpired(m *mrz.MRZ, now time.Time) Result {
	t, ok := m.ExpiryDate.Time()
	if !ok {
		return skip(NameMRZNotExpired, "the MRZ gives no whole expiry date")
	}
	if t.Before(today(now)) {
		return decisive(NameMRZNotExpired, ReasonExpired, "the expiry date read from the document has passed")
	}
	return pass(NameMRZNotExpired)
}

// mrzNotSpecimen: the zone is not an ICAO specimen's (issuing state or nationality UTO, the
// fictitious Utopia of Doc 9303's examples).
func mrzNotSpecimen(m *mrz.MRZ, refuse bool) Result {
	if !refuse {
		return skip(NameMRZSpecimen, "specimens are allowed in the test environment")
	}
	if m.IssuingState == "UTO" || m.Nationality == "UTO" {
		return decisive(NameMRZSpecimen, ReasonInvalid, "the document is an ICAO specimen (Utopia), not a real document")
	}
	return pass(NameMRZSpecimen)
}

// IdentificationFromMRZ returns what a zone read from the image says of the document, in the
// identification's own form, for the fields that id leaves empty (nothing typed is replaced): the
// number, the expiry date when whole, the issuing country when the state is a country (ISO 3166-1
// alpha-2) and the holder's name as "given names surname". The MRZ text itself is left out.
func IdentificationFromMRZ(m *mrz.MRZ, id *kyc.Identification) kyc.Identification {
	var out kyc.Identification
	if id != nil {
		out = *id
	}
	if out.Number == "" {
		out.Number = m.DocumentNumber
	}
	if out.ExpiryDate == "" {
		if t, ok := m.ExpiryDate.Time(); ok {
			out.ExpiryDate = t.Format(time.DateOnly)
		}
	}
	if out.IssuingCountry == "" {
		out.IssuingCountry = MRZCountry(m.IssuingState)
	}
	if out.HolderName == "" {
		out.HolderName = strings.TrimSpace(m.GivenNames + " " + m.Surname)
	}
	return out
}

// MRZCountry returns the ISO 3166-1 alpha-2 country of an ICAO state code ("D" is DE, GBD to GBS
// GB), or "" when the code names no country (XXA, UNO, UTO ...).
func MRZCountry(code string) string {
	if mrzNonStates[code] {
		return ""
	}
	if c, ok := mrzStates[code]; ok {
		return c
	}
	if len(code) == 3 {
		return normalCountry(code)
	}
	return ""
}

// MRZRead is what a zone read from the image says, field by field, for a reviewer to set beside
// what was typed and the profile (parsedData "mrzRead", sealed at rest with the rest of
// parsedData): names, document number, nationality and issuing state as ICAO codes, sex, and
// the dates as YYYY-MM-DD when whole (as printed otherwise).
func MRZRead(m *mrz.MRZ) map[string]any {
	date := func(d mrz.Date) string {
		if t, ok := d.Time(); ok {
			return t.Format(time.DateOnly)
		}
		return d.String()
	}
	return map[string]any{"surname": m.Surname, "givenNames": m.GivenNames, "documentNumber": m.DocumentNumber,
		"nationality": m.Nationality, "issuingState": m.IssuingState, "sex": m.Sex,
		"dateOfBirth": date(m.DateOfBirth), "expiryDate": date(m.ExpiryDate)}
}
