package mrz

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// hasComposite reports whether format f has a composite check digit.
func hasComposite(f Format) bool { return f == TD1 || f == TD2 || f == TD3 }

// replaceAt returns zone with the character at line, col replaced by c.
func replaceAt(zone string, line, col int, c byte) string {
	lines := strings.Split(zone, "\n")
	b := []byte(lines[line])
	b[col] = c
	lines[line] = string(b)
	return strings.Join(lines, "\n")
}

// charAt returns the character of zone at line, col.
func charAt(zone string, line, col int) byte { return strings.Split(zone, "\n")[line][col] }

// otherChar returns another character whose value differs by 1 or 9, never by a multiple of 10,
// so every check digit that covers it must change (the weights 7, 3, 1 are prime to 10).
func otherChar(c byte) byte {
	switch {
	case c == '9':
		return '0'
	case c >= '0' && c < '9':
		return c + 1
	case c == 'Z':
		return 'Y'
	case c >= 'A' && c < 'Z':
		return c + 1
	}
	return '1' // a filler (value 0) becomes 1: 'A' (10) would not change any digit
}

// TestEveryWrongCheckDigitIsCaught changes each check digit of each specimen in turn and expects
// exactly that check, and the composite when it covers the digit, to be reported invalid.
func TestEveryWrongCheckDigitIsCaught(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{TD3, TD1, TD2, MRVA, MRVB} {
		zone := specimen(t, f)
		clean, err := ParseAt(zone, testNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range clean.Checks {
			t.Run(fmt.Sprintf("%s/%s", f, c.Name), func(t *testing.T) {
				t.Parallel()
				bad := replaceAt(zone, c.Line, c.Column, otherChar(charAt(zone, c.Line, c.Column)))
				m, err := ParseAt(bad, testNow)
				if err != nil {
					t.Fatalf("ParseAt: %v", err)
				}
				want := []string{c.Name}
				if hasComposite(f) && c.Name != CheckComposite {
					want = append(want, CheckComposite)
				}
				if got := m.InvalidChecks(); !slices.Equal(got, want) {
					t.Errorf("invalid checks = %v, want %v", got, want)
				}
				if m.ChecksumValid {
					t.Error("ChecksumValid = true")
				}
			})
		}
	}
}

// TestEveryCoveredFieldChangeIsCaught changes one data character of each field covered by a
// check digit and expects that check (and the composite) to fail.
func TestEveryCoveredFieldChangeIsCaught(t *testing.T) {
	t.Parallel()
	type change struct {
		name      string
		line, col int
		want      []string
	}
	twoLine := func(f Format) []change {
		c := []change{
			{"number", 1, 3, []string{CheckDocumentNumber}},
			{"date of birth", 1, 16, []string{CheckDateOfBirth}},
			{"expiry date", 1, 24, []string{CheckExpiryDate}},
		}
		switch f {
		case TD3:
			c = append(c, change{"personal number", 1, 30, []string{CheckPersonalNumber}})
		case TD2:
			c = append(c, change{"optional data", 1, 30, nil})
		}
		if hasComposite(f) {
			for i := range c {
				c[i].want = append(c[i].want, CheckComposite)
			}
		} else {
			c = append(c, change{"uncovered optional data", 1, len(strings.Split(specimen(t, f), "\n")[1]) - 2, nil})
		}
		return c
	}
	cases := map[Format][]change{
		TD1: {
			{"number", 0, 7, []string{CheckDocumentNumber, CheckComposite}},
			{"optional data 1", 0, 20, []string{CheckComposite}},
			{"date of birth", 1, 2, []string{CheckDateOfBirth, CheckComposite}},
			{"expiry date", 1, 10, []string{CheckExpiryDate, CheckComposite}},
			{"optional data 2", 1, 20, []string{CheckComposite}},
			{"name (not covered)", 2, 3, nil},
			{"sex (not covered)", 1, 7, nil},
		},
		TD2: twoLine(TD2), TD3: twoLine(TD3), MRVA: twoLine(MRVA), MRVB: twoLine(MRVB),
	}
	for f, changes := range cases {
		zone := specimen(t, f)
		for _, ch := range changes {
			t.Run(fmt.Sprintf("%s/%s", f, ch.name), func(t *testing.T) {
				t.Parallel()
				c := otherChar(charAt(zone, ch.line, ch.col))
				if ch.name == "sex (not covered)" {
					c = 'M'
				}
				m, err := ParseAt(replaceAt(zone, ch.line, ch.col, c), testNow)
				if err != nil {
					t.Fatalf("ParseAt: %v", err)
				}
				if got := m.InvalidChecks(); !slices.Equal(got, ch.want) {
					t.Errorf("invalid checks = %v, want %v", got, ch.want)
				}
				if m.ChecksumValid != (len(ch.want) == 0) {
					t.Errorf("ChecksumValid = %v", m.ChecksumValid)
				}
			})
		}
	}
}
