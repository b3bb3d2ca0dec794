package mrz

import (
	"fmt"
	"strings"
	"time"
)

// Parse reads a machine-readable zone given as its lines separated by "\n" ("\r\n" too), reading
// two-digit years against the current date. See ParseAt.
func Parse(s string) (*MRZ, error) {
	return ParseAt(s, time.Now())
}

// ParseAt reads a machine-readable zone, resolving two-digit years against now: a birth year after
// now's two-digit year is in the previous century, and an expiry year is in now's century unless
// that puts it more than 50 years away.
//
// Lines are separated by "\n" or "\r\n"; spaces around the zone and around each line, blank lines
// and lower case are tolerated, and a zone pasted as one line of 90, 88 or 72 characters is cut
// into its lines. The format comes from the lines: 3 x 30 is TD1, 2 x 36 TD2 (MRV-B when the
// first character is 'V'), 2 x 44 TD3 (MRV-A when it is 'V'). Anything else, or a character other
// than A-Z, 0-9 and '<', is an error wrapping ErrInvalid. Wrong check digits are not errors: they
// are reported in MRZ.Checks and MRZ.ChecksumValid.
func ParseAt(s string, now time.Time) (*MRZ, error) {
	lines, err := splitLines(s)
	if err != nil {
		return nil, err
	}
	lay, ok := pickLayout(lines)
	if !ok {
		return nil, fmt.Errorf("%w: %s; want 3 lines of 30 characters (TD1), or 2 lines of 36 (TD2, MRV-B) or 44 (TD3, MRV-A)",
			ErrInvalid, describeShape(lines))
	}
	r := reader{lines: lines, lay: lay}
	return r.read(now), nil
}

// splitLines cleans the text into upper-case lines and refuses characters outside the MRZ set.
func splitLines(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalid)
	}
	for i, l := range lines {
		up, err := upperMRZ(l, i)
		if err != nil {
			return nil, err
		}
		lines[i] = up
	}
	if len(lines) == 1 {
		switch n := len(lines[0]); n {
		case 90, 88, 72:
			width := map[int]int{90: 30, 88: 44, 72: 36}[n]
			return chop(lines[0], width), nil
		}
	}
	return lines, nil
}

// upperMRZ upper-cases a line, refusing any character but A-Z, a-z, 0-9 and '<'. Columns in the
// error count characters from 1; the character itself is quoted, never the line.
func upperMRZ(l string, line int) (string, error) {
	b := make([]byte, 0, len(l))
	col := 0
	for _, r := range l {
		col++
		switch {
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '<':
			b = append(b, byte(r))
		default:
			return "", fmt.Errorf("%w: line %d, column %d: %q is not A-Z, 0-9 or '<'", ErrInvalid, line+1, col, r)
		}
	}
	return string(b), nil
}

// chop cuts s into lines of width characters.
func chop(s string, width int) []string {
	var out []string
	for len(s) > 0 {
		out = append(out, s[:width])
		s = s[width:]
	}
	return out
}

// describeShape says how many lines of which lengths the text had, for an error.
func describeShape(lines []string) string {
	lengths := make([]string, len(lines))
	for i, l := range lines {
		lengths[i] = fmt.Sprint(len(l))
	}
	noun := "lines"
	if len(lines) == 1 {
		noun = "line"
	}
	return fmt.Sprintf("%d %s of %s characters", len(lines), noun, strings.Join(lengths, ", "))
}
