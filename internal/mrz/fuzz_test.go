package mrz

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary text: it never panics, every error wraps ErrInvalid, and a
// parsed zone is consistent with itself: a known format, every check digit inside the zone and
// ChecksumValid their conjunction, names of A-Z, 0-9 and single inner spaces, other fields of the
// MRZ characters without fillers at their ends. What
// ParseAt documents as tolerated (lower case, "\r\n", blank lines and spaces around the zone)
// gives the same zone.
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
		width := map[Format]int{TD1: 30, TD2: 36, TD3: 44, MRVA: 44, MRVB: 36}[m.Format]
		if width == 0 {
			t.Fatalf("format %q", m.Format)
		}
		lines := 2
		if m.Format == TD1 {
			lines = 3
		}
		valid := true
		for _, c := range m.Checks {
			valid = valid && c.Valid
			if c.Line < 0 || c.Line >= lines || c.Column < 0 || c.Column >= width {
				t.Fatalf("check %+v outside a %s zone", c, m.Format)
			}
		}
		if valid != m.ChecksumValid || len(m.Checks) < 3 {
			t.Fatalf("ChecksumValid %v with checks %+v", m.ChecksumValid, m.Checks)
		}
		for _, name := range []string{m.Surname, m.GivenNames} {
			if strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") != "" || strings.TrimSpace(name) != name ||
				strings.Contains(name, "  ") {
				t.Fatalf("name %q", name)
			}
		}
		for _, field := range []string{m.DocumentCode, m.IssuingState, m.DocumentNumber, m.Nationality, m.PersonalNumber,
			m.OptionalData, m.OptionalData2} {
			if strings.Trim(field, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") != "" || strings.Trim(field, "<") != field {
				t.Fatalf("field %q", field)
			}
		}
		switch m.Sex {
		case SexMale, SexFemale, SexUnspecified, "":
		default:
			t.Fatalf("sex %q", m.Sex)
		}
		_, _ = m.DateOfBirth.Time()
		_ = m.ExpiryDate.String()
		for _, variant := range []string{strings.ToLower(s), " \n" + strings.ReplaceAll(s, "\n", "\r\n\n") + "\n "} {
			m2, err := ParseAt(variant, testNow)
			if err != nil || !reflect.DeepEqual(m, m2) {
				t.Fatalf("%q reads as %+v %v, not as %+v", variant, m2, err, m)
			}
		}
	})
}
