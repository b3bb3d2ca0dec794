package applicant

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// normalize checks every field of in and rewrites countries to alpha-2, reporting all problems at
// once with the field named as in the request body.
func normalize(in *Input) error {
	var p kyc.Problems
	p.Bounds("body", in) // the API's limits, for input that did not come through its schema
	checkText(&p, in)
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	if in.Type == "" {
		in.Type = "individual"
	} else if !kyc.OneOf(in.Type, kyc.ApplicantTypes) {
		p.Add("body.type", "must be one of %v", kyc.ApplicantTypes)
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Email != "" && !validEmail(in.Email) {
		p.Add("body.email", "is not an email address")
	}
	if in.Profile != nil {
		normalizeProfile(&p, in.Profile)
	}
	for i := range in.Addresses {
		normalizeAddress(&p, fmt.Sprintf("body.addresses[%d]", i), &in.Addresses[i])
	}
	return p.Err()
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

func normalizeProfile(p *kyc.Problems, pr *kyc.Profile) {
	if d, ok := p.Date("body.profile.dateOfBirth", pr.DateOfBirth); ok {
		if d.After(time.Now()) {
			p.Add("body.profile.dateOfBirth", "is in the future")
		} else if d.Year() < 1900 {
			p.Add("body.profile.dateOfBirth", "is before 1900")
		}
	}
	if pr.Gender != "" && !kyc.OneOf(pr.Gender, kyc.Genders) {
		p.Add("body.profile.gender", "must be one of %v", kyc.Genders)
	}
	p.Country("body.profile.nationality", &pr.Nationality)
	p.Country("body.profile.countryOfResidence", &pr.CountryOfResidence)
	if ph := pr.Phone; ph != nil {
		ph.CountryCode = strings.TrimPrefix(strings.TrimSpace(ph.CountryCode), "+")
		if !kyc.Digits(ph.CountryCode, 1, 3) {
			p.Add("body.profile.phone.countryCode", "must be 1 to 3 digits, without +")
		}
		if !kyc.Digits(ph.Number, 1, 15) {
			p.Add("body.profile.phone.number", "must be 1 to 15 digits")
		}
	}
	if pr.SSN != "" {
		pr.SSN = strings.ReplaceAll(pr.SSN, "-", "")
		if !kyc.Digits(pr.SSN, 9, 9) {
			p.Add("body.profile.ssn", "must be 9 digits")
		}
	}
	if pr.IPAddress != "" && net.ParseIP(pr.IPAddress) == nil {
		p.Add("body.profile.ipAddress", "is not an IPv4 or IPv6 address")
	}
}

func normalizeAddress(p *kyc.Problems, field string, a *kyc.Address) {
	if a.Type != "" && !kyc.OneOf(a.Type, kyc.AddressTypes) {
		p.Add(field+".type", "must be one of %v", kyc.AddressTypes)
	}
	p.Country(field+".country", &a.Country)
}

// checkText applies kyc.Name to every text field: an applicant's strings are personal data shown
// to reviewers and sent to partners, one line each, with no controls and no bidirectional
// overrides that would make a name display as another.
func checkText(p *kyc.Problems, in *Input) {
	p.CheckText("body.externalId", in.ExternalID, kyc.Name)
	p.CheckText("body.type", in.Type, kyc.Name)
	p.CheckText("body.email", in.Email, kyc.Name)
	if pr := in.Profile; pr != nil {
		for _, f := range [][2]string{
			{"firstName", pr.FirstName}, {"middleName", pr.MiddleName}, {"lastName", pr.LastName},
			{"firstNameLatin", pr.FirstNameLatin}, {"middleNameLatin", pr.MiddleNameLatin}, {"lastNameLatin", pr.LastNameLatin},
			{"dateOfBirth", pr.DateOfBirth}, {"gender", pr.Gender}, {"nationality", pr.Nationality},
			{"countryOfResidence", pr.CountryOfResidence}, {"occupation", pr.Occupation}, {"annualSalary", pr.AnnualSalary},
			{"accountPurpose", pr.AccountPurpose}, {"expectedMonthlySpend", pr.ExpectedMonthlySpend},
			{"sourceOfFunds", pr.SourceOfFunds}, {"ssn", pr.SSN}, {"taxId", pr.TaxID}, {"ipAddress", pr.IPAddress},
		} {
			p.CheckText("body.profile."+f[0], f[1], kyc.Name)
		}
		if ph := pr.Phone; ph != nil {
			p.CheckText("body.profile.phone.countryCode", ph.CountryCode, kyc.Name)
			p.CheckText("body.profile.phone.number", ph.Number, kyc.Name)
		}
	}
	for i, a := range in.Addresses {
		for _, f := range [][2]string{
			{"type", a.Type}, {"line1", a.Line1}, {"line2", a.Line2}, {"building", a.Building}, {"district", a.District},
			{"city", a.City}, {"state", a.State}, {"postalCode", a.PostalCode}, {"country", a.Country},
		} {
			p.CheckText(fmt.Sprintf("body.addresses[%d].%s", i, f[0]), f[1], kyc.Name)
		}
	}
}
