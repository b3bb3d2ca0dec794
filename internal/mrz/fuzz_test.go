package mrz

import (
	"errors"
	"testing"
)

// FuzzParse feeds Parse arbitrary text: it must never panic, every error must wrap ErrInvalid, and
// a parsed zone must be consistent with its own checks.
func FuzzParse(f *testing.F) {
	for _, s := range specimens(f) {
		f.Add(s)
	}
	f.Add("I<UTOD23145890<7349<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	f.Add("I<UTOD23145890<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseAt(s, testNow)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		valid := true
		for _, c := range m.Checks {
			valid = valid && c.Valid
		}
		if valid != m.ChecksumValid || len(m.Checks) < 3 {
			t.Fatalf("ChecksumValid %v with checks %+v", m.ChecksumValid, m.Checks)
		}
		_, _ = m.DateOfBirth.Time()
		_ = m.ExpiryDate.String()
	})
}
