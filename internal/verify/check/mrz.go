package check

import (
	"errors"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz"
)

// MRZReport is what the MRZ checks found.
type MRZReport struct {
	// Parsed is the zone, nil when it did not parse. It is personal data.
	Parsed *mrz.MRZ
	// Results are the checks in a fixed order: mrz-readable (MRZ only), mrz-checksum, then the
	// comparisons mrz-surname, mrz-given-names, mrz-document-number, mrz-issuing-country,
	// mrz-nationality, mrz-date-of-birth, mrz-sex and mrz-expiry-date.
	Results []Result
	// ParsedData holds facts for the document's parsedData, none of them personal:
	// "mrzReadable" (bool), "mrzFormat" ("TD1", "TD2", "TD3", "MRV-A", "MRV-B"),
	// "mrzDocumentCode" (such as "P" or "ID"), "mrzChecksumValid" (bool), "mrzInvalidChecks" (the
	// names of the wrong check digits, such as "dateOfBirth" and "composite") and
	// "mrzMatchesDocument" (bool: no comparison failed). MRZ adds "mrzSource": "typed": the zone is
	// the text the integrator sent in identification.mrz, not one read from the image.
	ParsedData map[string]any
}

// MRZ parses the identification's machine-readable zone as typed by the integrator (id.MRZ; no image
// is read) against now and compares it as
// CompareMRZ does. A zone that does not parse fails mrz-readable with document-invalid, the parse
// error's description (lines and columns, never content) in Detail, and no comparisons. Skipped
// (a single skipped mrz-readable) when there is no MRZ.
func MRZ(id *kyc.Identification, p *kyc.Profile, matchLevel int, now time.Time) MRZReport {
	if id == nil || strings.TrimSpace(id.MRZ) == "" {
		return MRZReport{Results: []Result{skip(NameMRZReadable, "no MRZ")}}
	}
	m, err := mrz.ParseAt(id.MRZ, now)
	if err != nil {
		detail := strings.TrimPrefix(err.Error(), mrz.ErrInvalid.Error()+": ")
		if !errors.Is(err, mrz.ErrInvalid) {
			detail = "the MRZ does not parse"
		}
		return MRZReport{
			Results:    []Result{fail(NameMRZReadable, ReasonInvalid, "not a machine-readable zone: "+detail)},
			ParsedData: map[string]any{"mrzReadable": false, "mrzChecksumValid": false, "mrzSource": "typed"},
		}
	}
	rep := CompareMRZ(m, id, p, matchLevel)
	rep.Results = append([]Result{pass(NameMRZReadable)}, rep.Results...)
	rep.ParsedData["mrzSource"] = "typed"
	return rep
}

// CompareMRZ checks a parsed zone: every check digit valid (mrz-checksum, document-invalid when
// not), then its fields against what the document and the applicant claim, the names failing with
// name-mismatch, the date of birth with dob-mismatch and the rest with document-not-matching:
//
//   - surname and given names against the applicant's names (as HolderName folds them; the
//     shorter list of parts must be found in the other, with matchLevel's allowances; a name the
//     zone cut short matches the name it begins; given names are skipped at MatchBasic);
//   - the document number against identification.number, ignoring '<', spaces, '-' and case;
//   - the issuing state against identification.issuingCountry and the nationality against
//     profile.nationality, the zone's ICAO code read as a country ("D" is Germany, GBD to GBS
//     the United Kingdom); codes that name no state (XXA, XXB, XXC, XXX, UNO, UNA, UNK, EUE and
//     the like) are skipped, unknown codes fail;
//   - the date of birth against profile.dateOfBirth and the expiry date against
//     identification.expiryDate, on the parts the zone gives (unknown day or month is not
//     compared) and on the last two digits of the year, since the zone gives no century;
//   - the sex M or F against profile.gender male or female.
//
// A comparison with nothing to compare on either side is skipped. id and p may be nil.
func CompareMRZ(m *mrz.MRZ, id *kyc.Identification, p *kyc.Profile, matchLevel int) MRZReport {
	if id == nil {
		id = &kyc.Identification{}
	}
	if p == nil {
		p = &kyc.Profile{}
	}
	checksum := pass(NameMRZChecksum)
	if invalid := m.InvalidChecks(); len(invalid) > 0 {
		checksum = fail(NameMRZChecksum, ReasonInvalid, "wrong check digits: "+strings.Join(invalid, ", "))
	}
	cmp := mrzComparison{m: m, id: id, p: p, matcher: nameMatcher{level: normalLevel(matchLevel)}}
	results := []Result{
		checksum,
		cmp.surname(),
		cmp.givenNames(),
		cmp.documentNumber(),
		compareMRZCountry(NameMRZIssuingCountry, "issuing state", m.IssuingState, id.IssuingCountry),
		compareMRZCountry(NameMRZNationality, "nationality", m.Nationality, p.Nationality),
		compareMRZDate(NameMRZDateOfBirth, "date of birth", ReasonDOBMismatch, m.DateOfBirth, p.DateOfBirth),
		cmp.sex(),
		compareMRZDate(NameMRZExpiryDate, "expiry date", ReasonNotMatching, m.ExpiryDate, id.ExpiryDate),
	}
	matches := true
	for _, r := range results[1:] {
		matches = matches && !r.Failed
	}
	invalid := append([]string{}, m.InvalidChecks()...) // [] rather than null in JSON
	return MRZReport{
		Parsed:  m,
		Results: results,
		ParsedData: map[string]any{
			"mrzReadable":        true,
			"mrzFormat":          string(m.Format),
			"mrzDocumentCode":    m.DocumentCode,
			"mrzChecksumValid":   m.ChecksumValid,
			"mrzInvalidChecks":   invalid,
			"mrzMatchesDocument": matches,
		},
	}
}
