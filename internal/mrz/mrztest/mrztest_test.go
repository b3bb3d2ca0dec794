package mrztest

import (
	"strings"
	"testing"

	"kycd/internal/mrz"
)

// TestZonesParse checks that each zone builder gives a zone of its format whose check digits are
// all valid and whose fields are what was given.
func TestZonesParse(t *testing.T) {
	h := Holder{IssuingState: "D", Nationality: "D", Surname: "MUSTERMANN", GivenNames: "ERIKA", Number: "C01X00T47",
		DateOfBirth: "640812", Sex: "F", Expiry: "310101"}
	for name, lines := range map[string][]string{"TD3": TD3(h), "TD1": TD1(h), "TD2": TD2(h), "MRV-A": Visa(h, true), "MRV-B": Visa(h, false)} {
		m, err := mrz.Parse(strings.Join(lines, "\n"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(m.Format) != name || !m.ChecksumValid || m.DocumentNumber != h.Number || m.Surname != h.Surname {
			t.Errorf("%s: format %s, checksums %v, number %q, surname %q", name, m.Format, m.ChecksumValid, m.DocumentNumber, m.Surname)
		}
	}
}
