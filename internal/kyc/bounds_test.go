package kyc_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
)

// TestBounds: strings over their maxLength (counted in characters, not bytes) and lists over their
// maxItems are named, in nested structs, pointers and list elements; values at the limit pass.
func TestBounds(t *testing.T) {
	type in struct {
		Name      string        `json:"name,omitempty" maxLength:"3"`
		Tags      []string      `json:"tags" maxItems:"2"`
		Profile   *kyc.Profile  `json:"profile,omitempty"`
		Addresses []kyc.Address `json:"addresses"`
		Free      string        `json:"free"`
	}
	var p kyc.Problems
	p.Bounds("body", in{Name: "åäö", Tags: []string{"a", "b"}, Profile: &kyc.Profile{FirstName: strings.Repeat("é", 100)}, Free: strings.Repeat("x", 5000)})
	if err := p.Err(); err != nil {
		t.Fatalf("values at their limits: %v", err)
	}
	p = kyc.Problems{}
	p.Bounds("body", &in{Name: "abcd", Tags: []string{"a", "b", "c"}, Profile: &kyc.Profile{LastName: strings.Repeat("é", 101)},
		Addresses: []kyc.Address{{}, {PostalCode: strings.Repeat("1", 21)}}})
	var ve *kyc.ValidationError
	if !errors.As(p.Err(), &ve) {
		t.Fatal("values over their limits: no validation error")
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	want := []string{"body.name", "body.tags", "body.profile.lastName", "body.addresses[1].postalCode"}
	if !slices.Equal(fields, want) {
		t.Fatalf("fields named %v, want %v", fields, want)
	}
}
