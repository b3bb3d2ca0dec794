package check

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/mrz"
)

// pad fills s with '<' to n characters.
func pad(s string, n int) string { return s + strings.Repeat("<", n-len(s)) }

// digit is the check digit of s as a string.
func digit(s string) string { return fmt.Sprint(mrz.CheckDigit(s)) }

// td3 builds a passport MRZ with correct check digits. Dates are YYMMDD.
func td3(state, surname, given, number, nationality, dob, sex, expiry, personal string) string {
	line1 := pad("P<"+pad(state, 3)+surname+"<<"+strings.ReplaceAll(given, " ", "<"), 44)[:44]
	num := pad(number, 9)
	pn := pad(personal, 14)
	line2 := num + digit(num) + pad(nationality, 3) + dob + digit(dob) + sex + expiry + digit(expiry) + pn + digit(pn)
	line2 += digit(line2[0:10] + line2[13:20] + line2[21:43])
	return line1 + "\n" + line2
}

func TestMRZCrossCheck(t *testing.T) {
	t.Parallel()
	zone := td3("SWE", "ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "740812", "F", "310415", "ZE184226B")
	profile := kyc.Profile{FirstName: "Anna", MiddleName: "Maria", LastName: "Eriksson", DateOfBirth: "1974-08-12",
		Gender: "female", Nationality: "SE"}
	id := kyc.Identification{Number: "L898902C3", IssuingCountry: "SE", ExpiryDate: "2031-04-15", MRZ: zone}
	order := []string{NameMRZReadable, NameMRZChecksum, NameMRZSurname, NameMRZGivenNames, NameMRZDocumentNumber,
		NameMRZIssuingCountry, NameMRZNationality, NameMRZDateOfBirth, NameMRZSex, NameMRZExpiryDate}
	tests := []struct {
		name  string
		edit  func(id *kyc.Identification, p *kyc.Profile)
		level int
		want  map[string]string // results other than "pass"
	}{
		{"all match", nil, 2, nil},
		{"document number written differently", func(id *kyc.Identification, _ *kyc.Profile) { id.Number = "l898-902 c3" }, 2, nil},
		{"surname", func(_ *kyc.Identification, p *kyc.Profile) { p.LastName = "Andersson" }, 2,
			map[string]string{NameMRZSurname: ReasonNameMismatch}},
		{"surname one edit away at moderate", func(_ *kyc.Identification, p *kyc.Profile) { p.LastName = "Erikson" }, 1, nil},
		{"given names", func(_ *kyc.Identification, p *kyc.Profile) { p.FirstName, p.MiddleName = "Peter", "" }, 2,
			map[string]string{NameMRZGivenNames: ReasonNameMismatch}},
		{"given names ignored at basic", func(_ *kyc.Identification, p *kyc.Profile) { p.FirstName, p.MiddleName = "Peter", "" }, 3,
			map[string]string{NameMRZGivenNames: "skip"}},
		{"missing middle name", func(_ *kyc.Identification, p *kyc.Profile) { p.MiddleName = "" }, 2, nil},
		{"document number", func(id *kyc.Identification, _ *kyc.Profile) { id.Number = "L898902C4" }, 2,
			map[string]string{NameMRZDocumentNumber: ReasonNotMatching}},
		{"issuing country", func(id *kyc.Identification, _ *kyc.Profile) { id.IssuingCountry = "NO" }, 2,
			map[string]string{NameMRZIssuingCountry: ReasonNotMatching}},
		{"nationality", func(_ *kyc.Identification, p *kyc.Profile) { p.Nationality = "NOR" }, 2,
			map[string]string{NameMRZNationality: ReasonNotMatching}},
		{"date of birth", func(_ *kyc.Identification, p *kyc.Profile) { p.DateOfBirth = "1974-08-13" }, 2,
			map[string]string{NameMRZDateOfBirth: ReasonDOBMismatch}},
		{"sex", func(_ *kyc.Identification, p *kyc.Profile) { p.Gender = "male" }, 2,
			map[string]string{NameMRZSex: ReasonNotMatching}},
		{"expiry", func(id *kyc.Identification, _ *kyc.Profile) { id.ExpiryDate = "2031-04-16" }, 2,
			map[string]string{NameMRZExpiryDate: ReasonNotMatching}},
		{"nothing claimed", func(id *kyc.Identification, p *kyc.Profile) {
			*id = kyc.Identification{MRZ: id.MRZ}
			*p = kyc.Profile{}
		}, 2,
			map[string]string{NameMRZSurname: "skip", NameMRZGivenNames: "skip", NameMRZDocumentNumber: "skip",
				NameMRZIssuingCountry: "skip", NameMRZNationality: "skip", NameMRZDateOfBirth: "skip", NameMRZSex: "skip", NameMRZExpiryDate: "skip"}},
		{"gender other", func(_ *kyc.Identification, p *kyc.Profile) { p.Gender = "other" }, 2, map[string]string{NameMRZSex: "skip"}},
		{"wrong check digit", func(id *kyc.Identification, _ *kyc.Profile) {
			id.MRZ = strings.Replace(id.MRZ, "7408122", "7408123", 1)
		}, 2,
			map[string]string{NameMRZChecksum: ReasonInvalid}},
		{"changed birth date, digits unchanged", func(id *kyc.Identification, _ *kyc.Profile) {
			id.MRZ = strings.Replace(id.MRZ, "7408122", "7408132", 1)
		}, 2, map[string]string{NameMRZChecksum: ReasonInvalid, NameMRZDateOfBirth: ReasonDOBMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, p := id, profile
			if tt.edit != nil {
				tt.edit(&id, &p)
			}
			rep := MRZ(&id, &p, tt.level, testNow)
			var names []string
			for _, r := range rep.Results {
				names = append(names, r.Name)
			}
			if !slices.Equal(names, order) {
				t.Fatalf("results %v, want %v", names, order)
			}
			for _, r := range rep.Results {
				want := tt.want[r.Name]
				if want == "" {
					want = "pass"
				}
				assertResult(t, r, r.Name, want)
			}
			_, checksumFailed := tt.want[NameMRZChecksum]
			if rep.ParsedData["mrzChecksumValid"] != !checksumFailed || rep.ParsedData["mrzFormat"] != "TD3" ||
				rep.ParsedData["mrzReadable"] != true || rep.ParsedData["mrzDocumentCode"] != "P" {
				t.Errorf("ParsedData = %v", rep.ParsedData)
			}
			fieldFailed := false
			for name, w := range tt.want {
				fieldFailed = fieldFailed || (name != NameMRZChecksum && w != "skip")
			}
			if rep.ParsedData["mrzMatchesDocument"] != !fieldFailed {
				t.Errorf("mrzMatchesDocument = %v", rep.ParsedData["mrzMatchesDocument"])
			}
			if rep.Parsed == nil {
				t.Error("Parsed is nil")
			}
		})
	}
}

func TestMRZSpecialCases(t *testing.T) {
	t.Parallel()
	specimen := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	visa := "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
	anna := kyc.Profile{FirstName: "Anna", MiddleName: "Maria", LastName: "Eriksson", Nationality: "SE", DateOfBirth: "1974-08-12"}
	tests := []struct {
		name string
		id   kyc.Identification
		p    kyc.Profile
		want map[string]string
	}{
		{"fictitious state UTO is no known country", kyc.Identification{MRZ: specimen, IssuingCountry: "SE"}, anna,
			map[string]string{NameMRZIssuingCountry: ReasonNotMatching, NameMRZNationality: ReasonNotMatching}},
		{"nationality XXX names no state", kyc.Identification{MRZ: visa}, kyc.Profile{LastName: "Eriksson", Nationality: "SE"},
			map[string]string{NameMRZNationality: "skip"}},
		{"Germany's D", kyc.Identification{MRZ: td3("D", "MUELLER", "JOSE", "C01X00T47", "D", "800101", "M", "300101", ""), IssuingCountry: "DE"},
			kyc.Profile{FirstName: "José", LastName: "Müller", Nationality: "DE", Gender: "male"}, nil},
		{"British citizen", kyc.Identification{MRZ: td3("GBR", "SMITH", "JOHN", "123456789", "GBR", "800101", "M", "300101", ""), IssuingCountry: "GB"},
			kyc.Profile{FirstName: "John", LastName: "Smith", Nationality: "GB"}, nil},
		{"truncated given names", kyc.Identification{MRZ: td3("THA", "HONGLADAROMSRIVICHAI", "CHATTARIN NAKHONS", "AA1234567", "THA", "900101", "M", "300101", "")},
			kyc.Profile{FirstName: "Chattarin", MiddleName: "Nakhonsawan", LastName: "Hongladaromsrivichai"}, nil},
		{"truncated part must begin the name", kyc.Identification{MRZ: td3("THA", "HONGLADAROMSRIVICHAI", "CHATTARIN NAKHONS", "AA1234567", "THA", "900101", "M", "300101", "")},
			kyc.Profile{FirstName: "Chattarin", MiddleName: "Somchai", LastName: "Hongladaromsrivichai"}, map[string]string{NameMRZGivenNames: ReasonNameMismatch}},
		{"unknown day of birth", kyc.Identification{MRZ: td3("SWE", "ERIKSSON", "ANNA", "L898902C3", "SWE", "7408<<", "F", "310415", "")},
			kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-30"}, nil},
		{"centenarian", kyc.Identification{MRZ: td3("SWE", "ERIKSSON", "ANNA", "L898902C3", "SWE", "250101", "F", "310415", "")},
			kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1925-01-01"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := MRZ(&tt.id, &tt.p, MatchStrict, testNow)
			for _, r := range rep.Results {
				want, ok := tt.want[r.Name]
				if !ok {
					want = "pass"
					if r.Skipped {
						want = "skip" // nothing claimed to compare with
					}
				}
				assertResult(t, r, r.Name, want)
			}
		})
	}
}

func TestMRZUnreadable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone, want, detail string
	}{
		{"no MRZ", "", "skip", ""},
		{"blank", "  \n ", "skip", ""},
		{"wrong length", "P<UTOERIKSSON<<ANNA\nL898902C36UTO", ReasonInvalid, "2 lines of 19, 13 characters"},
		{"wrong character", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1é", ReasonInvalid, "line 2, column 44"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := MRZ(&kyc.Identification{MRZ: tt.zone}, &kyc.Profile{}, 2, testNow)
			if len(rep.Results) != 1 {
				t.Fatalf("results %+v, want one", rep.Results)
			}
			assertResult(t, rep.Results[0], NameMRZReadable, tt.want)
			if !strings.Contains(rep.Results[0].Detail, tt.detail) || strings.Contains(rep.Results[0].Detail, "ERIKSSON") {
				t.Errorf("Detail = %q, want it to contain %q and no name", rep.Results[0].Detail, tt.detail)
			}
			if tt.want != "skip" && (rep.ParsedData["mrzReadable"] != false || rep.ParsedData["mrzChecksumValid"] != false) {
				t.Errorf("ParsedData = %v", rep.ParsedData)
			}
		})
	}
	if rep := MRZ(nil, nil, 2, testNow); len(rep.Results) != 1 || !rep.Results[0].Skipped {
		t.Errorf("MRZ(nil) = %+v", rep)
	}
}
