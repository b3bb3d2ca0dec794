package check

import (
	"testing"

	"kycd/internal/kyc"
)

// TestImpossibleIdentifiers is the rule for identifiers and dates that cannot exist, one row per
// case: what is claimed about the document rejects it (decisive), what the applicant typed about
// themselves, or a plausibility bound, holds it for a person (review), whatever the score.
func TestImpossibleIdentifiers(t *testing.T) {
	t.Parallel()
	usSSN := func(ssn string) Result {
		return SSN(&kyc.Applicant{Profile: kyc.Profile{CountryOfResidence: "US", SSN: ssn}})
	}
	dob := func(d string) Result { return DateOfBirth(&kyc.Profile{DateOfBirth: d}, testNow) }
	dates := func(issue, expiry string) Result {
		return DocumentDates(&kyc.Identification{IssueDate: issue, ExpiryDate: expiry}, testNow)
	}
	number := func(n string) Result {
		return DocumentNumber(&kyc.Document{Type: "identity-proof", Identification: &kyc.Identification{Number: n}})
	}
	tests := []struct {
		name   string
		r      Result
		want   string // "decisive" or "review"
		reason string
	}{
		{"SSN area 000", usSSN("000-12-3456"), "review", ReasonCriticalMissing},
		{"SSN area 666", usSSN("666-12-3456"), "review", ReasonCriticalMissing},
		{"SSN area 900", usSSN("900-12-3456"), "review", ReasonCriticalMissing},
		{"SSN area 999", usSSN("999-12-3456"), "review", ReasonCriticalMissing},
		{"SSN group 00", usSSN("123-00-4567"), "review", ReasonCriticalMissing},
		{"SSN serial 0000", usSSN("123-45-0000"), "review", ReasonCriticalMissing},
		{"SSN of 8 digits", usSSN("12345678"), "review", ReasonCriticalMissing},
		{"date of birth not a calendar date", dob("2023-02-30"), "review", ReasonCriticalMissing},
		{"date of birth in the future", dob("2027-01-01"), "review", ReasonCriticalMissing},
		{"date of birth 131 years ago", dob("1895-01-01"), "review", ReasonCriticalMissing},
		{"issue date not a calendar date", dates("2023-02-30", "2033-02-28"), "decisive", ReasonInvalid},
		{"expiry date not a calendar date", dates("2023-02-28", "2033-02-30"), "decisive", ReasonInvalid},
		{"issue date in the future", dates("2026-07-01", "2036-07-01"), "decisive", ReasonInvalid},
		{"expiry before issue", dates("2023-02-28", "2013-02-28"), "decisive", ReasonInvalid},
		{"document number with a character no document prints", number("P1234#567"), "decisive", ReasonInvalid},
		{"document number too short", number("P12"), "review", ReasonInvalid},
		{"document number too long", number("P1234567890123456789012345"), "review", ReasonInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.r
			if !r.Failed || r.Reason != tt.reason {
				t.Fatalf("%s: failed = %v, reason %q, want failed with %q", r.Name, r.Failed, r.Reason, tt.reason)
			}
			if got := map[bool]string{true: "decisive", false: "review"}[r.Decisive]; got != tt.want || r.Decisive == r.Review {
				t.Errorf("%s: Decisive = %v, Review = %v, want %s", r.Name, r.Decisive, r.Review, tt.want)
			}
		})
	}
}
