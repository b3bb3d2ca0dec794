package check

import (
	"strings"
	"testing"

	"kycd/internal/kyc"
)

func TestCountries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		a      *kyc.Applicant
		id     *kyc.Identification
		want   string
		detail string
	}{
		{"alpha-2", &kyc.Applicant{Profile: kyc.Profile{Nationality: "SE", CountryOfResidence: "TH"},
			Addresses: []kyc.Address{{Country: "TH"}}}, &kyc.Identification{IssuingCountry: "SE"}, "pass", ""},
		{"alpha-3 and names", &kyc.Applicant{Profile: kyc.Profile{Nationality: "SWE", CountryOfResidence: "Thailand"}}, nil, "pass", ""},
		{"bad ones listed", &kyc.Applicant{Profile: kyc.Profile{Nationality: "UK", CountryOfResidence: "TH"},
			Addresses: []kyc.Address{{Country: "TH"}, {Country: "Atlantis"}}}, &kyc.Identification{IssuingCountry: "UTO"},
			ReasonCriticalMissing, "profile.nationality, addresses.1.country, identification.issuingCountry"},
		{"none given", &kyc.Applicant{}, &kyc.Identification{}, "skip", ""},
		{"nil", nil, nil, "skip", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Countries(tt.a, tt.id)
			assertResult(t, r, NameCountries, tt.want)
			if !strings.HasSuffix(r.Detail, tt.detail) {
				t.Errorf("Detail = %q, want it to end with %q", r.Detail, tt.detail)
			}
		})
	}
}

func TestPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cc, number, want string
	}{
		{"Sweden mobile", "46", "701234567", "pass"},
		{"with plus", "+46", "701234567", "pass"},
		{"US", "1", "2015550123", "pass"},
		{"Japan", "81", "312345678", "pass"},
		{"Thailand mobile", "66", "812345678", "pass"},
		{"UK with trunk zero", "44", "07400123456", "pass"},
		{"Italy keeps its zero", "39", "0612345678", "pass"},
		{"too short", "46", "70", ReasonCriticalMissing},
		{"too long for the US", "1", "20155501234567", ReasonCriticalMissing},
		{"US number with an unassigned area code", "1", "0005550123", ReasonCriticalMissing},
		{"unassigned country code", "999", "12345678", ReasonCriticalMissing},
		{"no country code", "", "701234567", ReasonCriticalMissing},
		{"letters", "46", "70ABC4567", ReasonCriticalMissing},
		{"spaces and dashes", "46", "70-123 45 67", "pass"},
		{"letters in the country code", "4A", "701234567", ReasonCriticalMissing},
		{"no number", "46", "", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertResult(t, Phone(&kyc.Profile{Phone: &kyc.Phone{CountryCode: tt.cc, Number: tt.number}}), NamePhone, tt.want)
		})
	}
	assertResult(t, Phone(&kyc.Profile{}), NamePhone, "skip")
	assertResult(t, Phone(nil), NamePhone, "skip")
}

func TestSSN(t *testing.T) {
	t.Parallel()
	us := func(ssn string) *kyc.Applicant {
		return &kyc.Applicant{Profile: kyc.Profile{CountryOfResidence: "US", SSN: ssn}}
	}
	tests := []struct {
		name string
		a    *kyc.Applicant
		want string
	}{
		{"valid", us("123456789"), "pass"},
		{"valid with dashes", us("123-45-6789"), "pass"},
		{"area 899 is issued", us("899-45-6789"), "pass"},
		{"area 000", us("000-45-6789"), ReasonCriticalMissing},
		{"area 666", us("666-45-6789"), ReasonCriticalMissing},
		{"area 900", us("900-45-6789"), ReasonCriticalMissing},
		{"area 999", us("999-45-6789"), ReasonCriticalMissing},
		{"group 00", us("123-00-6789"), ReasonCriticalMissing},
		{"serial 0000", us("123-45-0000"), ReasonCriticalMissing},
		{"8 digits", us("12345678"), ReasonCriticalMissing},
		{"10 digits", us("1234567890"), ReasonCriticalMissing},
		{"letters", us("12345678A"), ReasonCriticalMissing},
		{"US by residential address", &kyc.Applicant{Profile: kyc.Profile{SSN: "000000000"},
			Addresses: []kyc.Address{{Type: "residential", Country: "USA"}}}, ReasonCriticalMissing},
		{"US resident without SSN", us(""), "skip"},
		{"not a US resident", &kyc.Applicant{Profile: kyc.Profile{CountryOfResidence: "SE", Nationality: "US", SSN: "000000000"}}, "skip"},
		{"nil", nil, "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := SSN(tt.a)
			assertResult(t, r, NameSSN, tt.want)
			if r.Failed && (!r.Review || r.Decisive) {
				t.Errorf("Review = %v, Decisive = %v: an impossible SSN is held for review", r.Review, r.Decisive)
			}
			if digits := strings.ReplaceAll(ssnOf(tt.a), "-", ""); digits != "" && strings.Contains(r.Detail, digits) {
				t.Errorf("Detail %q quotes the SSN", r.Detail)
			}
		})
	}
}

func TestOccupation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, want string
	}{
		{"11-1011", "pass"}, // Chief Executives
		{"15-1252", "pass"}, // Software Developers
		{"55-3015", "pass"}, // military
		{"13-2011", "pass"},
		{"12-1011", ReasonCriticalMissing}, // 12 is no major group
		{"57-0000", ReasonCriticalMissing},
		{"00-0000", ReasonCriticalMissing},
		{"111011", ReasonCriticalMissing},
		{"11-101", ReasonCriticalMissing},
		{"11-10111", ReasonCriticalMissing},
		{"AB-CDEF", ReasonCriticalMissing},
		{"Software developer", ReasonCriticalMissing},
		{"", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			assertResult(t, Occupation(&kyc.Profile{Occupation: tt.code}), NameOccupation, tt.want)
		})
	}
}

// ssnOf returns the applicant's SSN, "" for nil.
func ssnOf(a *kyc.Applicant) string {
	if a == nil {
		return ""
	}
	return a.Profile.SSN
}
