package check

import (
	"testing"
	"time"

	"kycd/internal/kyc"
)

func TestDateOfBirth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dob, want string
	}{
		{"adult", "1974-08-12", "pass"},
		{"born today", "2026-06-01", "pass"},
		{"tomorrow", "2026-06-02", ReasonCriticalMissing},
		{"not a real date", "1974-02-30", ReasonCriticalMissing},
		{"not a date", "12/08/1974", ReasonCriticalMissing},
		{"130 years ago today", "1896-06-01", "pass"},
		{"more than 130 years ago", "1895-05-31", ReasonCriticalMissing},
		{"missing", "", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := DateOfBirth(&kyc.Profile{DateOfBirth: tt.dob}, testNow)
			assertResult(t, r, NameDateOfBirth, tt.want)
			if r.Failed && (!r.Review || r.Decisive) {
				t.Errorf("Review = %v, Decisive = %v: an impossible date of birth is held for review", r.Review, r.Decisive)
			}
		})
	}
	assertResult(t, DateOfBirth(nil, testNow), NameDateOfBirth, "skip")
}

func TestMinimumAge(t *testing.T) {
	t.Parallel()
	rule := MinAge{ByCountry: map[string]int{"US": 21, "Japan": 20}}
	applicant := func(dob, residence, nationality string, addr ...kyc.Address) *kyc.Applicant {
		return &kyc.Applicant{Profile: kyc.Profile{DateOfBirth: dob, CountryOfResidence: residence, Nationality: nationality}, Addresses: addr}
	}
	tests := []struct {
		name string
		a    *kyc.Applicant
		rule MinAge
		now  time.Time
		want string
	}{
		{"adult", applicant("1974-08-12", "SE", "SE"), rule, testNow, "pass"},
		{"18 today", applicant("2008-06-01", "SE", ""), rule, testNow, "pass"},
		{"18 tomorrow", applicant("2008-06-02", "SE", ""), rule, testNow, ReasonUnderage},
		{"20 in the US, where the minimum is 21", applicant("2006-01-01", "US", "SE"), rule, testNow, ReasonUnderage},
		{"21 in the US", applicant("2005-06-01", "US", ""), rule, testNow, "pass"},
		{"US by residential address", applicant("2006-01-01", "", "", kyc.Address{Type: "residential", Country: "US"}), rule, testNow, ReasonUnderage},
		{"nationality when no residence", applicant("2006-01-01", "", "US"), rule, testNow, ReasonUnderage},
		{"residence wins over nationality", applicant("2006-01-01", "SE", "US"), rule, testNow, "pass"},
		{"key by country name", applicant("2007-01-01", "JP", ""), rule, testNow, ReasonUnderage},
		{"other default", applicant("2010-01-01", "SE", ""), MinAge{Default: 16}, testNow, "pass"},
		{"zero rule is 18", applicant("2010-01-01", "SE", ""), MinAge{}, testNow, ReasonUnderage},
		{"29 February, 28 February of a common year", applicant("2008-02-29", "SE", ""), MinAge{},
			time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), ReasonUnderage},
		{"29 February, 1 March of a common year", applicant("2008-02-29", "SE", ""), MinAge{},
			time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "pass"},
		{"calendar day of now's location", applicant("2008-06-02", "SE", ""), MinAge{},
			time.Date(2026, 6, 1, 23, 0, 0, 0, time.UTC).In(time.FixedZone("UTC+3", 3*3600)), "pass"},
		{"no date of birth", applicant("", "SE", ""), rule, testNow, "skip"},
		{"bad date of birth", applicant("2008-13-01", "SE", ""), rule, testNow, "skip"},
		{"nil applicant", nil, rule, testNow, "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := MinimumAge(tt.a, tt.rule, tt.now)
			assertResult(t, r, NameMinimumAge, tt.want)
			if r.Failed != r.Decisive {
				t.Errorf("Decisive = %v on failed = %v", r.Decisive, r.Failed)
			}
		})
	}
}

func TestMinAgeFor(t *testing.T) {
	t.Parallel()
	rule := MinAge{Default: 19, ByCountry: map[string]int{"US": 21, "USA": 20, "Not a country": 30}}
	for country, want := range map[string]int{"US": 21, "SE": 19, "": 19} {
		if got := rule.For(country); got != want {
			t.Errorf("For(%q) = %d, want %d", country, got, want)
		}
	}
}
