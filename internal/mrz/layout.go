package mrz

// span is a run of characters on one line of the zone: columns [start, end), counted from 0.
type span struct{ line, start, end int }

// pos is one character of the zone.
type pos struct{ line, col int }

// layout places the fields of one format. A zero span or pos (end or col 0) is a field that the
// format does not have. The document code (columns 0-1) and the issuing state (2-4) of the first
// line are at the same place in every format.
type layout struct {
	format      Format
	lines       int
	width       int
	name        span
	number      span
	numberCheck pos
	overflow    span // the optional data that a number longer than 9 characters runs into
	nationality span
	birth       span
	birthCheck  pos
	sex         pos
	expiry      span
	expiryCheck pos
	personal    span // TD3: the personal number, with its check digit in personalCheck
	personalChk pos
	optional    span
	optional2   span
	composite   []span
	compositeAt pos
}

var (
	layoutTD1 = layout{
		format: TD1, lines: 3, width: 30,
		name:   span{2, 0, 30},
		number: span{0, 5, 14}, numberCheck: pos{0, 14}, overflow: span{0, 15, 30},
		birth: span{1, 0, 6}, birthCheck: pos{1, 6}, sex: pos{1, 7},
		expiry: span{1, 8, 14}, expiryCheck: pos{1, 14},
		nationality: span{1, 15, 18},
		optional:    span{0, 15, 30}, optional2: span{1, 18, 29},
		composite: []span{{0, 5, 30}, {1, 0, 7}, {1, 8, 15}, {1, 18, 29}}, compositeAt: pos{1, 29},
	}
	layoutTD2 = twoLine(TD2, 36, span{1, 28, 35}, span{}, span{1, 28, 35},
		[]span{{1, 0, 10}, {1, 13, 20}, {1, 21, 35}})
	layoutTD3 = twoLine(TD3, 44, span{1, 28, 42}, span{1, 28, 42}, span{},
		[]span{{1, 0, 10}, {1, 13, 20}, {1, 21, 43}})
	layoutMRVA = twoLine(MRVA, 44, span{}, span{}, span{1, 28, 44}, nil)
	layoutMRVB = twoLine(MRVB, 36, span{}, span{}, span{1, 28, 36}, nil)
)

// twoLine builds the layout of a two-line format, which all share the second line's first 28
// columns: number and check (0-9), nationality (10-12), birth and check (13-19), sex (20), expiry
// and check (21-27). A format with a composite digit has it in its last column.
func twoLine(f Format, width int, overflow, personal, optional span, composite []span) layout {
	l := layout{
		format: f, lines: 2, width: width,
		name:   span{0, 5, width},
		number: span{1, 0, 9}, numberCheck: pos{1, 9}, overflow: overflow,
		nationality: span{1, 10, 13},
		birth:       span{1, 13, 19}, birthCheck: pos{1, 19}, sex: pos{1, 20},
		expiry: span{1, 21, 27}, expiryCheck: pos{1, 27},
		personal: personal, optional: optional, composite: composite,
	}
	if personal.end > 0 {
		l.personalChk = pos{1, personal.end}
	}
	if composite != nil {
		l.compositeAt = pos{1, width - 1}
	}
	return l
}

// pickLayout chooses the format from the number and length of the lines; a visa is told from
// the document of the same size by its first character, 'V'.
func pickLayout(lines []string) (layout, bool) {
	width := len(lines[0])
	for _, l := range lines[1:] {
		if len(l) != width {
			return layout{}, false
		}
	}
	visa := lines[0][0] == 'V'
	switch {
	case len(lines) == 3 && width == 30:
		return layoutTD1, true
	case len(lines) == 2 && width == 36 && visa:
		return layoutMRVB, true
	case len(lines) == 2 && width == 36:
		return layoutTD2, true
	case len(lines) == 2 && width == 44 && visa:
		return layoutMRVA, true
	case len(lines) == 2 && width == 44:
		return layoutTD3, true
	}
	return layout{}, false
}
