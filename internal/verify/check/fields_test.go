package check

import (
	"errors"
	"testing"

	"kycd/internal/kyc"
)

func TestRequiredFields(t *testing.T) {
	t.Parallel()
	full := &kyc.Applicant{
		Email: "anna@example.com",
		Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12",
			Phone: &kyc.Phone{CountryCode: "46", Number: "701234567"}},
		Addresses: []kyc.Address{{Type: "mailing", Country: "NO"}, {Type: "residential", Country: "SE", PostalCode: "11122"}},
	}
	doc := &kyc.Document{Type: "identity-proof", Subtype: "passport",
		Identification: &kyc.Identification{Number: "L898902C3", ExpiryDate: "2030-01-01"}}
	tests := []struct {
		name   string
		a      *kyc.Applicant
		doc    *kyc.Document
		paths  []string
		want   string
		detail string
	}{
		{"all present", full, doc, []string{"email", "profile.firstName", "profile.phone.number", "addresses",
			"address.postalCode", "identification.number", "identification.expiryDate", "document.subtype"}, "pass", ""},
		{"no paths", full, doc, nil, "pass", ""},
		{"missing profile and identification fields", full, doc,
			[]string{"profile.middleName", "identification.issueDate", "profile.firstName"}, ReasonCriticalMissing,
			"missing: profile.middleName, identification.issueDate"},
		{"blank counts as missing", &kyc.Applicant{Profile: kyc.Profile{FirstName: "  "}}, nil,
			[]string{"profile.firstName"}, ReasonCriticalMissing, "missing: profile.firstName"},
		{"nil phone", &kyc.Applicant{}, nil, []string{"profile.phone.countryCode"}, ReasonCriticalMissing, "missing: profile.phone.countryCode"},
		{"empty phone", &kyc.Applicant{Profile: kyc.Profile{Phone: &kyc.Phone{}}}, nil, []string{"profile.phone"}, ReasonCriticalMissing, "missing: profile.phone"},
		{"no addresses", &kyc.Applicant{}, nil, []string{"addresses", "address.country"}, ReasonCriticalMissing, "missing: addresses, address.country"},
		{"residential address is chosen", full, nil, []string{"address.postalCode"}, "pass", ""},
		{"first address when none is residential", &kyc.Applicant{Addresses: []kyc.Address{{Country: "SE"}}}, nil,
			[]string{"address.country"}, "pass", ""},
		{"no identification", full, &kyc.Document{}, []string{"identification.number"}, ReasonCriticalMissing, "missing: identification.number"},
		{"nil document", full, nil, []string{"document.subtype"}, ReasonCriticalMissing, "missing: document.subtype"},
		{"unknown path fails safe", full, doc, []string{"profile.shoeSize"}, ReasonCriticalMissing, "missing: profile.shoeSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := RequiredFields(tt.a, tt.doc, tt.paths)
			assertResult(t, r, NameRequiredFields, tt.want)
			if r.Detail != tt.detail {
				t.Errorf("Detail = %q, want %q", r.Detail, tt.detail)
			}
		})
	}
}

func TestValidateFieldPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		ok   bool
	}{
		{"email", true},
		{"externalId", true},
		{"profile.firstName", true},
		{"profile.phone.number", true},
		{"profile.registeredAt", true},
		{"addresses", true},
		{"address.postalCode", true},
		{"identification.expiryDate", true},
		{"identification.mrz", true},
		{"document.subtype", true},
		{"profile.shoeSize", false},
		{"profile.phone.extension", false},
		{"profile.firstName.initial", false},
		{"identification", false}, // a root alone names the applicant's field "identification", which does not exist
		{"addresses.country", false},
		{"Profile.FirstName", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			err := ValidateFieldPaths([]string{tt.path})
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateFieldPaths(%q) = %v, want ok %v", tt.path, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrUnknownField) {
				t.Errorf("error %v does not wrap ErrUnknownField", err)
			}
		})
	}
}
