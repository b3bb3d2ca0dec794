package check

import (
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz"
)

// TestDocumentMRZ: the zone read from the image is the truth; what was not read from a document
// that carries a zone is held for a person.
func TestDocumentMRZ(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	zone := td3("SWE", "ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "740812", "F", "310415", "ZE184226B")
	read := func(z string) ImageMRZ {
		m, err := mrz.ParseAt(z, now)
		if err != nil {
			t.Fatal(err)
		}
		return ImageMRZ{Zone: m, Lines: strings.Split(z, "\n"), Bearing: true}
	}
	profile := kyc.Profile{FirstName: "Anna", MiddleName: "Maria", LastName: "Eriksson", DateOfBirth: "1974-08-12", Gender: "female", Nationality: "SE"}
	typed := kyc.Identification{Number: "L898902C3", IssuingCountry: "SE", ExpiryDate: "2031-04-15"}
	// results returns name -> "pass", "skip" or the reason plus " review" / " decisive".
	results := func(rep MRZReport) map[string]string {
		out := map[string]string{}
		for _, r := range rep.Results {
			switch {
			case r.Skipped:
				out[r.Name] = "skip"
			case !r.Failed:
				out[r.Name] = "pass"
			default:
				s := r.Reason
				if r.Review {
					s += " review"
				}
				if r.Decisive {
					s += " decisive"
				}
				out[r.Name] = s
			}
		}
		return out
	}
	expect := func(name string, rep MRZReport, want map[string]string) {
		t.Helper()
		got := results(rep)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q (all: %v)", name, k, got[k], v, got)
			}
		}
	}

	rep := DocumentMRZ(read(zone), &typed, &profile, MatchStrict, now)
	expect("genuine", rep, map[string]string{NameMRZImage: "pass", NameMRZTyped: "skip", NameMRZSurname: "pass", NameMRZNotExpired: "pass", NameMRZSpecimen: "skip"})
	if rep.ParsedData["mrzSource"] != MRZSourceImage {
		t.Errorf("mrzSource = %v", rep.ParsedData["mrzSource"])
	}

	other := profile
	other.LastName, other.DateOfBirth = "Andersson", "1980-01-02"
	expect("another person's document", DocumentMRZ(read(zone), &typed, &other, MatchStrict, now), map[string]string{
		NameMRZSurname: ReasonNameMismatch + " review", NameMRZDateOfBirth: ReasonDOBMismatch + " review"})

	expired := td3("SWE", "ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "740812", "F", "190415", "ZE184226B")
	expect("expired, typed as valid", DocumentMRZ(read(expired), &typed, &profile, MatchStrict, now), map[string]string{
		NameMRZNotExpired: ReasonExpired + " decisive", NameMRZExpiryDate: ReasonNotMatching + " review"})

	withTyped := typed
	withTyped.MRZ = strings.ToLower(strings.ReplaceAll(zone, "\n", "\r\n"))
	expect("typed zone, written differently", DocumentMRZ(read(zone), &withTyped, &profile, MatchStrict, now), map[string]string{NameMRZTyped: "pass"})
	withTyped.MRZ = td3("SWE", "ERIKSSON", "ANNA MARIA", "L898902C4", "SWE", "740812", "F", "310415", "ZE184226B")
	expect("typed zone, another number", DocumentMRZ(read(zone), &withTyped, &profile, MatchStrict, now), map[string]string{NameMRZTyped: ReasonNotMatching + " review"})

	specimen := read(td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "740812", "F", "310415", "ZE184226B"))
	expect("specimen in the test environment", DocumentMRZ(specimen, nil, &profile, MatchStrict, now), map[string]string{NameMRZSpecimen: "skip"})
	specimen.RefuseSpecimens = true
	expect("specimen, live", DocumentMRZ(specimen, nil, &profile, MatchStrict, now), map[string]string{NameMRZSpecimen: ReasonInvalid + " decisive"})

	unread := ImageMRZ{Bearing: true, NotRead: "no rows of 30, 36 or 44 characters found"}
	rep = DocumentMRZ(unread, &typed, &profile, MatchStrict, now)
	expect("passport not read", rep, map[string]string{NameMRZImage: ReasonUnreadable + " review"})
	if !strings.Contains(rep.Results[0].Detail, "no rows") {
		t.Errorf("detail %q does not say why", rep.Results[0].Detail)
	}
	withTyped.MRZ = zone
	rep = DocumentMRZ(ImageMRZ{}, &withTyped, &profile, MatchStrict, now)
	expect("typed zone, nothing read", rep, map[string]string{NameMRZImage: ReasonUnreadable + " review", NameMRZReadable: "pass", NameMRZSurname: "pass"})
	if rep.ParsedData["mrzSource"] != MRZSourceTyped {
		t.Errorf("typed zone: mrzSource = %v", rep.ParsedData["mrzSource"])
	}
	expect("driving licence", DocumentMRZ(ImageMRZ{}, &typed, &profile, MatchStrict, now), map[string]string{NameMRZImage: "skip"})

	for _, c := range []struct {
		subtype, country string
		typed, want      bool
	}{{"passport", "", false, true}, {"visa", "US", false, true}, {"residence-permit", "", false, true}, {"id-card", "DE", false, true},
		{"id-card", "US", false, false}, {"id-card", "US", true, true}, {"driver-license", "DE", false, false}, {"other", "", false, false}} {
		if got := MRZBearing(c.subtype, c.country, c.typed); got != c.want {
			t.Errorf("MRZBearing(%s, %s, %v) = %v", c.subtype, c.country, c.typed, got)
		}
	}
}

// TestIdentificationFromMRZ: what was read fills what was not typed, and replaces nothing.
func TestIdentificationFromMRZ(t *testing.T) {
	t.Parallel()
	m, err := mrz.ParseAt(td3("D", "MUSTERMANN", "ERIKA", "C01X00T47", "D", "640812", "F", "310101", ""), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := IdentificationFromMRZ(m, nil)
	want := kyc.Identification{Number: "C01X00T47", ExpiryDate: "2031-01-01", IssuingCountry: "DE", HolderName: "ERIKA MUSTERMANN"}
	if got != want {
		t.Errorf("nothing typed: %+v, want %+v", got, want)
	}
	got = IdentificationFromMRZ(m, &kyc.Identification{Number: "X", IssueDate: "2021-01-01"})
	if got.Number != "X" || got.IssueDate != "2021-01-01" || got.ExpiryDate != "2031-01-01" {
		t.Errorf("typed kept: %+v", got)
	}
}
