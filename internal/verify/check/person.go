package check

import (
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// DefaultMinAge is the minimum age when a MinAge names none.
const DefaultMinAge = 18

// maxAge is the oldest plausible applicant, in years.
const maxAge = 130

// MinAge is the minimum age rule of a level: Default everywhere (DefaultMinAge when 0), or the
// age ByCountry gives for the applicant's country. Keys of ByCountry are ISO 3166-1 codes or
// English names, as kyc.NormalizeCountry reads them ("US", "USA" and "United States" are one).
type MinAge struct {
	Default   int
	ByCountry map[string]int
}

// For returns the minimum age in country (an alpha-2 code). Should two keys name the same
// country, the higher age holds.
func (m MinAge) For(country string) int {
	found := 0
	for k, age := range m.ByCountry {
		if a2, ok := kyc.NormalizeCountry(k); ok && a2 == country {
			found = max(found, age)
		}
	}
	switch {
	case found > 0:
		return found
	case m.Default > 0:
		return m.Default
	}
	return DefaultMinAge
}

// DateOfBirth checks that the applicant's date of birth is a real YYYY-MM-DD date, not after
// today (in now's location) and not more than 130 years ago. Such a date cannot be anyone's, so a
// failure holds the document for review whatever the score (Review), with critical-info-missing:
// the date is the applicant's own data, typed by them, where a typo is likelier than a fabrication,
// and rejecting the document would blame evidence that may be sound. A missing date is skipped:
// RequiredFields reports it when the level needs it.
func DateOfBirth(p *kyc.Profile, now time.Time) Result {
	if p == nil || p.DateOfBirth == "" {
		return skip(NameDateOfBirth, "no date of birth")
	}
	dob, ok := kyc.ParseDate(p.DateOfBirth)
	switch {
	case !ok:
		return review(NameDateOfBirth, ReasonCriticalMissing, "date of birth is not a real YYYY-MM-DD date")
	case dob.After(today(now)):
		return review(NameDateOfBirth, ReasonCriticalMissing, "date of birth is in the future")
	case ageOn(dob, now) > maxAge:
		return review(NameDateOfBirth, ReasonCriticalMissing, fmt.Sprintf("date of birth is more than %d years ago", maxAge))
	}
	return pass(NameDateOfBirth)
}

// MinimumAge checks that the applicant has reached the minimum age of rule in their country: the
// country of residence (profile.countryOfResidence, else the residential address), else their
// nationality. A person born on 29 February comes of age on 1 March in a common year. Under age
// is underage-person and decisive. Without a usable date of birth the check is skipped
// (DateOfBirth reports it).
func MinimumAge(a *kyc.Applicant, rule MinAge, now time.Time) Result {
	if a == nil {
		return skip(NameMinimumAge, "no applicant")
	}
	dob, ok := kyc.ParseDate(a.Profile.DateOfBirth)
	if !ok || dob.After(today(now)) {
		return skip(NameMinimumAge, "no usable date of birth")
	}
	country := residenceCountry(a)
	if country == "" {
		country = normalCountry(a.Profile.Nationality)
	}
	if minimum := rule.For(country); ageOn(dob, now) < minimum {
		return decisive(NameMinimumAge, ReasonUnderage, fmt.Sprintf("below the minimum age of %d", minimum))
	}
	return pass(NameMinimumAge)
}

// ageOn returns the age in whole years on now's calendar date of someone born on dob.
func ageOn(dob, now time.Time) int {
	y, m, d := now.Date()
	age := y - dob.Year()
	if m < dob.Month() || (m == dob.Month() && d < dob.Day()) {
		age--
	}
	return age
}

// today is now's calendar date at midnight UTC, comparable with dates from kyc.ParseDate.
func today(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// residenceCountry returns the applicant's country of residence as alpha-2: the profile's, else
// the residential address's; "" when neither is a country.
func residenceCountry(a *kyc.Applicant) string {
	if c := normalCountry(a.Profile.CountryOfResidence); c != "" {
		return c
	}
	if addr := residentialAddress(a); addr != nil {
		return normalCountry(addr.Country)
	}
	return ""
}

// normalCountry returns the alpha-2 code of a country in any form kyc.NormalizeCountry reads, or "".
func normalCountry(s string) string {
	c, _ := kyc.NormalizeCountry(s)
	return c
}
