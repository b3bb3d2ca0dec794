package httpapi_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"kycd/internal/applicant"
	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/request"
)

// TestSchemaEnumsMatchTheDomainLists: the enum tags that document the API (and that huma validates)
// list exactly the values of kyc's lists, so the two cannot drift apart.
func TestSchemaEnumsMatchTheDomainLists(t *testing.T) {
	t.Parallel()
	cases := []struct {
		typ   any
		field string
		want  []string
	}{
		{applicant.Input{}, "Type", kyc.ApplicantTypes},
		{kyc.Profile{}, "Gender", kyc.Genders},
		{kyc.Address{}, "Type", kyc.AddressTypes},
		{document.Input{}, "Type", kyc.DocumentTypes},
		{document.Rejection{}, "Type", kyc.RejectionTypes},
		{request.DocumentInput{}, "Type", kyc.DocumentTypes},
	}
	for _, c := range cases {
		f, ok := reflect.TypeOf(c.typ).FieldByName(c.field)
		if !ok {
			t.Fatalf("%T has no field %s", c.typ, c.field)
		}
		got := strings.Split(f.Tag.Get("enum"), ",")
		if !slices.Equal(got, c.want) {
			t.Errorf("%T.%s enum tag %v, want %v", c.typ, c.field, got, c.want)
		}
	}
}
