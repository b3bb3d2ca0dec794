package check

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"kycd/internal/kyc"
)

// Countries checks that every country the applicant and the identification give is an ISO
// 3166-1 country (alpha-2, alpha-3 or English name, as kyc.NormalizeCountry reads them; kycd
// stores alpha-2): profile.nationality, profile.countryOfResidence, each address's country and
// identification.issuingCountry. A failure is critical-info-missing, with the bad field paths in
// Detail. Without any country the check is skipped. a or id may be nil.
func Countries(a *kyc.Applicant, id *kyc.Identification) Result {
	type field struct{ path, value string }
	var fields []field
	if a != nil {
		fields = append(fields, field{"profile.nationality", a.Profile.Nationality},
			field{"profile.countryOfResidence", a.Profile.CountryOfResidence})
		for i, addr := range a.Addresses {
			fields = append(fields, field{fmt.Sprintf("addresses.%d.country", i), addr.Country})
		}
	}
	if id != nil {
		fields = append(fields, field{"identification.issuingCountry", id.IssuingCountry})
	}
	var bad []string
	given := false
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		given = true
		if _, ok := kyc.NormalizeCountry(f.value); !ok {
			bad = append(bad, f.path)
		}
	}
	switch {
	case !given:
		return skip(NameCountries, "no country given")
	case len(bad) > 0:
		return fail(NameCountries, ReasonCriticalMissing, "not an ISO 3166-1 country: "+strings.Join(bad, ", "))
	}
	return pass(NameCountries)
}

// Phone checks the applicant's phone with libphonenumber (github.com/nyaruka/phonenumbers): the
// country code (1-3 digits, "+" ignored) and the national number (digits; spaces, dots, dashes and
// brackets ignored, letters refused though libphonenumber would read them as a keypad's digits)
// together must be a valid number of a country with that code. A national number written with its
// trunk prefix ("07400 123456" for +44) is also tried without its leading zeros when it is not
// valid as written (Italian numbers keep theirs). A failure is critical-info-missing. Without a
// phone number the check is skipped.
func Phone(p *kyc.Profile) Result {
	if p == nil || p.Phone == nil || strings.TrimSpace(p.Phone.Number) == "" {
		return skip(NamePhone, "no phone number")
	}
	cc := strings.TrimPrefix(strings.TrimSpace(p.Phone.CountryCode), "+")
	number := phoneSeparators.Replace(p.Phone.Number)
	switch {
	case !kyc.Digits(cc, 1, 3):
		return fail(NamePhone, ReasonCriticalMissing, "phone country code is not 1-3 digits")
	case !kyc.Digits(number, 1, 17):
		return fail(NamePhone, ReasonCriticalMissing, "phone number is not digits")
	case validPhone(cc, number) || validPhone(cc, strings.TrimLeft(number, "0")):
		return pass(NamePhone)
	}
	return fail(NamePhone, ReasonCriticalMissing, "not a valid phone number for its country code")
}

// phoneSeparators are the characters people write between a phone number's digits.
var phoneSeparators = strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "")

// validPhone reports whether +cc number is a valid number.
func validPhone(cc, number string) bool {
	if number == "" {
		return false
	}
	n, err := phonenumbers.Parse("+"+cc+number, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}
