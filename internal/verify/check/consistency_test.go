package check

import (
	"fmt"
	"strings"
	"testing"

	"kycd/internal/kyc"
)

func TestHolderName(t *testing.T) {
	t.Parallel()
	chattarin := kyc.Profile{FirstName: "Chattarin", LastName: "Hongladarom"}
	anna := kyc.Profile{FirstName: "Anna", MiddleName: "Maria", LastName: "Eriksson"}
	jose := kyc.Profile{FirstName: "José", LastName: "Müller"}
	thai := kyc.Profile{FirstName: "ฉัตรรินทร์", LastName: "หงส์ลดารมภ์", FirstNameLatin: "Chattarin", LastNameLatin: "Hongladarom"}
	tests := []struct {
		name    string
		holder  string
		profile kyc.Profile
		want    [3]string // at matchLevel 1, 2, 3
	}{
		{"surname first with a comma", "HONGLADAROM, Chattarin", chattarin, [3]string{"pass", "pass", "pass"}},
		{"swapped order", "Hongladarom Chattarin", chattarin, [3]string{"pass", "pass", "pass"}},
		{"accents on the applicant's side", "JOSE MULLER", jose, [3]string{"pass", "pass", "pass"}},
		{"ICAO transliteration on the document", "MUELLER, JOSE", jose, [3]string{"pass", "pass", "pass"}},
		{"accents on the document's side", "José Müller", kyc.Profile{FirstName: "Jose", LastName: "Mueller"}, [3]string{"pass", "pass", "pass"}},
		{"missing middle name on the document", "ANNA ERIKSSON", anna, [3]string{"pass", "pass", "pass"}},
		{"middle name only on the document", "ERIKSSON ANNA MARIA", kyc.Profile{FirstName: "Anna", LastName: "Eriksson"}, [3]string{"pass", "pass", "pass"}},
		{"punctuation and hyphens", "Eriksson-Berg, Anna-Maria", kyc.Profile{FirstName: "Anna Maria", LastName: "Eriksson Berg"}, [3]string{"pass", "pass", "pass"}},
		{"apostrophe", "OBRIEN SEAN", kyc.Profile{FirstName: "Seán", LastName: "O'Brien"}, [3]string{"pass", "pass", "pass"}},
		{"Latin form of a Thai name", "HONGLADAROM CHATTARIN", thai, [3]string{"pass", "pass", "pass"}},
		{"native form of a Thai name", "หงส์ลดารมภ์ ฉัตรรินทร์", thai, [3]string{"pass", "pass", "pass"}},
		{"initial", "ERIKSSON, A.", anna, [3]string{"pass", ReasonNameMismatch, "pass"}},
		{"typo in a long surname", "ERIKSON ANNA", anna, [3]string{"pass", ReasonNameMismatch, "pass"}},
		{"typo in a long given name", "HONGLADAROM CHATARIN", chattarin, [3]string{"pass", ReasonNameMismatch, "pass"}},
		{"two typos", "HONGLADARON CHATARIN", chattarin, [3]string{"pass", ReasonNameMismatch, "pass"}},
		{"typo in a short name", "ANNE ERIKSSON", anna, [3]string{ReasonNameMismatch, ReasonNameMismatch, "pass"}},
		{"same surname, another given name", "PETER ERIKSSON", anna, [3]string{ReasonNameMismatch, ReasonNameMismatch, "pass"}},
		{"given names only", "ANNA MARIA", anna, [3]string{ReasonNameMismatch, ReasonNameMismatch, ReasonNameMismatch}},
		{"a different person", "JOHN SMITH", anna, [3]string{ReasonNameMismatch, ReasonNameMismatch, ReasonNameMismatch}},
		{"no holder name", "", anna, [3]string{"skip", "skip", "skip"}},
		{"no applicant name", "ANNA ERIKSSON", kyc.Profile{}, [3]string{"skip", "skip", "skip"}},
	}
	for _, tt := range tests {
		for level := 1; level <= 3; level++ {
			t.Run(fmt.Sprintf("%s/level %d", tt.name, level), func(t *testing.T) {
				t.Parallel()
				r := HolderName(&kyc.Identification{HolderName: tt.holder}, &tt.profile, level)
				assertResult(t, r, NameHolderName, tt.want[level-1])
				for _, part := range foldName(tt.holder+" "+tt.profile.LastName, false) {
					if len(part) > 2 && strings.Contains(strings.ToUpper(r.Detail), part) {
						t.Errorf("Detail %q names the person", r.Detail)
					}
				}
			})
		}
	}
	// A level outside 1-3 is strict.
	assertResult(t, HolderName(&kyc.Identification{HolderName: "ERIKSON ANNA"}, &anna, 0), NameHolderName, ReasonNameMismatch)
	assertResult(t, HolderName(nil, &anna, 2), NameHolderName, "skip")
}

func TestFoldName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in          string
		plain, icao string
	}{
		{"José Müller", "JOSE MULLER", "JOSE MUELLER"},
		{"HONGLADAROM, Chattarin", "HONGLADAROM CHATTARIN", "HONGLADAROM CHATTARIN"},
		{"Strauß", "STRAUSS", "STRAUSS"},
		{"Søren Ærø", "SOREN AERO", "SOEREN AEROE"},
		{"Łukasz Wałęsa", "LUKASZ WALESA", "LUKASZ WALESA"},
		{"O'Brien-Smith Jr.", "OBRIEN SMITH JR", "OBRIEN SMITH JR"},
		{"Ångström", "ANGSTROM", "AANGSTROEM"},
		{"U\u0308ber", "UBER", "UEBER"}, // decomposed Ü
		{"ERIKSSON<<ANNA<MARIA", "ERIKSSON ANNA MARIA", "ERIKSSON ANNA MARIA"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(foldName(tt.in, false), " "); got != tt.plain {
				t.Errorf("plain %q, want %q", got, tt.plain)
			}
			if got := strings.Join(foldName(tt.in, true), " "); got != tt.icao {
				t.Errorf("icao %q, want %q", got, tt.icao)
			}
		})
	}
}

func TestWithinOneEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"ERIKSSON", "ERIKSSON", true},
		{"ERIKSSON", "ERIKSON", true},
		{"ERIKSON", "ERIKSSON", true},
		{"ERIKSSON", "ERIKSSEN", true},
		{"ERIKSSON", "XRIKSSON", true},
		{"ERIKSSON", "ERIKSSONS", true},
		{"ERIKSSON", "ERIKSONN", false}, // a deletion and an insertion
		{"ERIKSSON", "ERIKSSONSS", false},
		{"ERIKSSON", "ERIKSEN", false},
		{"ERIKSSON", "IRIKSSEN", false},
		{"", "A", true},
		{"ÅSA", "ASA", true},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIssuingCountry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, issuer, nationality, want string
	}{
		{"same", "SE", "SE", "pass"},
		{"same in other forms", "SWE", "Sweden", "pass"},
		{"different", "TH", "SE", ReasonNotMatching},
		{"no issuer", "", "SE", "skip"},
		{"no nationality", "SE", "", "skip"},
		{"not a country", "UTO", "SE", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertResult(t, IssuingCountry(&kyc.Identification{IssuingCountry: tt.issuer}, &kyc.Profile{Nationality: tt.nationality}),
				NameIssuingCountry, tt.want)
		})
	}
	assertResult(t, IssuingCountry(nil, nil), NameIssuingCountry, "skip")
}
