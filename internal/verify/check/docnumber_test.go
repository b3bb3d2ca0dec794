package check

import (
	"strings"
	"testing"

	"kycd/internal/kyc"
)

func TestDocumentNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, number, want string
		decisive           bool
	}{
		{"passport", "L898902C3", "pass", false},
		{"lower case as typed", "l898902c3", "pass", false},
		{"with spaces and hyphens", "A123-456 78", "pass", false},
		{"slash and dot", "12.345/678", "pass", false},
		{"Washington licence padded with asterisks", "SMITH**123AB", "pass", false},
		{"Greek identity card", "ΑΒ 123456", "pass", false},
		{"Chinese resident identity card", "11010519491231002X", "pass", false},
		{"TD1 with the optional-data extension (23)", "D23145890123456789012AB", "pass", false},
		{"5 letters and digits", "AB123", "pass", false},
		{"24 letters and digits", strings.Repeat("A1", 12), "pass", false},
		{"hash sign", "P12#4567", ReasonInvalid, true},
		{"at sign", "P1234@567", ReasonInvalid, true},
		{"underscore", "P1234_567", ReasonInvalid, true},
		{"MRZ filler", "L898902C<", ReasonInvalid, true},
		{"control character", "L8989\x0002C3", ReasonInvalid, true},
		{"emoji", "L898902C3🙂", ReasonInvalid, true},
		{"4 letters and digits", "A-123", ReasonInvalid, false},
		{"only separators", "---", ReasonInvalid, false},
		{"25 letters and digits", strings.Repeat("A", 25), ReasonInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := DocumentNumber(&kyc.Document{Type: "identity-proof", Identification: &kyc.Identification{Number: tt.number}})
			assertResult(t, r, NameDocumentNumber, tt.want)
			if r.Failed && (r.Decisive != tt.decisive || r.Review == tt.decisive) {
				t.Errorf("Decisive = %v, Review = %v, want decisive %v (else review)", r.Decisive, r.Review, tt.decisive)
			}
			if r.Failed && strings.Contains(r.Detail, tt.number) {
				t.Errorf("Detail %q quotes the number", r.Detail)
			}
		})
	}
	assertResult(t, DocumentNumber(nil), NameDocumentNumber, "skip")
	assertResult(t, DocumentNumber(&kyc.Document{Type: "identity-proof"}), NameDocumentNumber, "skip")
	assertResult(t, DocumentNumber(&kyc.Document{Type: "identity-proof", Identification: &kyc.Identification{Number: "  "}}), NameDocumentNumber, "skip")
	assertResult(t, DocumentNumber(&kyc.Document{Type: "address-proof", Identification: &kyc.Identification{Number: "#1"}}), NameDocumentNumber, "skip")
}
