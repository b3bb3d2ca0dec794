package mrzimage

// kind is what a zone position may hold, from Doc 9303's layouts.
type kind byte

const (
	letters  kind = iota // A-Z and '<': document code, states, names
	digits               // 0-9: dates and check digits
	digitsOr             // 0-9 or '<': a check digit that may be a filler
	alnum                // A-Z, 0-9 and '<': numbers and optional data
	sexes                // M, F, X or '<'
	codes                // P, I, A, C or V: the first letter of a document code (Doc 9303 parts 4-7)
)

// allows reports whether position kind k may hold c.
func (k kind) allows(c byte) bool {
	isDigit, isLetter := c >= '0' && c <= '9', c >= 'A' && c <= 'Z'
	switch k {
	case letters:
		return isLetter || c == '<'
	case digits:
		return isDigit
	case digitsOr:
		return isDigit || c == '<'
	case alnum:
		return isDigit || isLetter || c == '<'
	case sexes:
		return c == 'M' || c == 'F' || c == 'X' || c == '<'
	case codes:
		return c == 'P' || c == 'I' || c == 'A' || c == 'C' || c == 'V'
	}
	return false
}

// position is one character of a format: what it may hold and whether a check digit covers it,
// so that a misread there is caught.
type position struct {
	kind    kind
	checked bool
	// state marks the three characters of a state (issuing state, nationality): no check digit
	// covers them, but the list of ICAO codes does, so a misread there is caught too when it
	// makes no code.
	state bool
}

// plan returns the positions of a zone of lines lines of width characters; visa tells an MRV
// (whose optional data no check digit covers) from a TD2 or TD3 of the same size.
func plan(lines, width int, visa bool) [][]position {
	p := make([][]position, lines)
	for i := range p {
		p[i] = make([]position, width)
	}
	set := func(line, from, to int, k kind, checked bool) {
		for c := from; c < to; c++ {
			p[line][c] = position{kind: k, checked: checked}
		}
	}
	set(0, 0, width, letters, false) // code, state and (TD2, TD3) names
	set(0, 0, 1, codes, false)
	if lines == 3 { // TD1
		set(0, 5, 14, alnum, true)
		set(0, 14, 15, digitsOr, true)
		set(0, 15, 30, alnum, true)
		set(1, 0, 7, digits, true)
		set(1, 7, 8, sexes, false)
		set(1, 8, 15, digits, true)
		set(1, 15, 18, letters, false)
		set(1, 18, 29, alnum, true)
		set(1, 29, 30, digits, true)
		set(2, 0, 30, letters, false)
		markStates(p, 15)
		return p
	}
	set(1, 0, 9, alnum, true)
	set(1, 9, 10, digitsOr, true)
	set(1, 10, 13, letters, false)
	set(1, 13, 20, digits, true)
	set(1, 20, 21, sexes, false)
	set(1, 21, 28, digits, true)
	switch {
	case visa:
		set(1, 28, width, alnum, false)
	case width == 44: // TD3: personal number, its digit (or '<'), the composite
		set(1, 28, 42, alnum, true)
		set(1, 42, 43, digitsOr, true)
		set(1, 43, 44, digits, true)
	default: // TD2: optional data and the composite
		set(1, 28, 35, alnum, true)
		set(1, 35, 36, digits, true)
	}
	markStates(p, 10)
	return p
}

// markStates marks the issuing state (line 1, columns 3-5) and the nationality (line 2, from
// column nat) as states.
func markStates(p [][]position, nat int) {
	for c := 0; c < 3; c++ {
		p[0][2+c].state = true
		p[1][nat+c].state = true
	}
}
