package mrzimage

import (
	"os"
	"slices"
	"strings"
	"testing"

	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

// specimenZones reads the ICAO specimen zones of testdata/specimens.txt (copied from the shared
// test data), one block of lines per document.
func specimenZones(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/specimens.txt")
	if err != nil {
		t.Fatal(err)
	}
	var zones [][]string
	var cur []string
	for _, l := range strings.Split(string(b)+"\n", "\n") {
		switch {
		case strings.HasPrefix(l, "#"):
		case strings.TrimSpace(l) == "":
			if cur != nil {
				zones = append(zones, cur)
			}
			cur = nil
		default:
			cur = append(cur, l)
		}
	}
	return zones
}

// sure returns the scores of a cell that is certainly c.
func sure(c byte) scores {
	var s scores
	for i := range s {
		s[i] = 1e-5
	}
	s[strings.IndexByte(ocrb.Classes, c)] = 1 - 1e-5*float32(len(s)-1)
	return s
}

// torn returns the scores of a cell that is a with probability p and b otherwise.
func torn(a, b byte, p float32) scores {
	var s scores
	s[strings.IndexByte(ocrb.Classes, a)] = p
	s[strings.IndexByte(ocrb.Classes, b)] = 1 - p
	return s
}

func TestDecide(t *testing.T) {
	t.Parallel()
	zones := specimenZones(t)
	td3 := zones[0]
	if len(td3) != 2 || len(td3[0]) != 44 {
		t.Fatalf("first specimen is not a TD3: %q", td3)
	}
	// Line 2 of the TD3 specimen: L898902C36UTO7408122F1204159ZE184226B<<<<<10, with the
	// nationality AUS (which no check digit covers), so that one letter makes another code, AUT.
	td3 = []string{td3[0], td3[1][:10] + "AUS" + td3[1][13:]}
	type edit struct {
		line, col int
		s         scores
	}
	tests := []struct {
		name      string
		edits     []edit
		read      bool
		corrected int
		reason    string
	}{
		{name: "clean", read: true},
		{name: "a date's O is a 0", edits: []edit{{1, 15, torn('O', '0', 0.9)}}, read: true, corrected: 1},
		{name: "a state's 0 is an O", edits: []edit{{0, 4, torn('0', 'O', 0.9)}}, read: true, corrected: 1},
		{name: "a name's 0 is not a K", edits: []edit{{0, 8, torn('0', 'K', 0.99)}}, reason: "uncertain character at line 1, column 9"},
		{name: "the check digit picks C over G in the number", edits: []edit{{1, 7, torn('G', 'C', 0.6)}}, read: true, corrected: 1},
		{name: "G and 6 both pass the check digits", edits: []edit{{1, 35, torn('G', '6', 0.5)}}, reason: "readings pass the check digits"},
		{name: "a faint G that the check digits cannot tell from the 6", edits: []edit{{1, 35, torn('6', 'G', 0.995)}}, reason: "2 readings pass"},
		{name: "a faint C that the check digits would catch is no candidate", edits: []edit{{1, 35, torn('6', 'C', 0.995)}}, read: true},
		{name: "a K or a filler in the personal number both pass", edits: []edit{{1, 38, torn('<', 'K', 0.7)}}, reason: "readings pass"},
		{name: "an uncertain name", edits: []edit{{0, 6, torn('R', 'P', 0.8)}}, reason: "uncertain character at line 1, column 7"},
		{name: "a certain misread of the state", edits: []edit{{0, 3, sure('Q')}}, reason: "issuing state is not an ICAO code"},
		{name: "a state's uncertain letter that only one code allows", edits: []edit{{0, 2, torn('U', 'V', 0.93)}}, read: true},
		{name: "the code list picks the state's second choice", edits: []edit{{0, 4, torn('Q', 'O', 0.92)}}, read: true, corrected: 1},
		{name: "a nationality whose two readings are both codes", edits: []edit{{1, 12, torn('S', 'T', 0.95)}}, reason: "2 readings pass"},
		{name: "a faint alternative of a state is still tried", edits: []edit{{1, 12, torn('S', 'T', 0.995)}}, reason: "2 readings pass"},
		{name: "a state's letter below stateProb", edits: []edit{{0, 2, torn('U', 'V', 0.85)}}, reason: "uncertain character at line 1, column 3"},
		{name: "a name's letter given no probability", edits: []edit{{0, 9, torn('0', '1', 1)}}, reason: "uncertain character at line 1, column 10"},
		{name: "a document code that is no code", edits: []edit{{0, 0, sure('R')}}, reason: "uncertain character at line 1, column 1"},
		{name: "a misread that no alternative repairs", edits: []edit{{1, 0, sure('I')}}, reason: "check digits do not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cells := make([][]scores, len(td3))
			for l, line := range td3 {
				for c := 0; c < len(line); c++ {
					cells[l] = append(cells[l], sure(line[c]))
				}
			}
			for _, e := range tt.edits {
				cells[e.line][e.col] = e.s
			}
			d := decide(cells, corpusNow)
			if got := d.lines != nil; got != tt.read {
				t.Fatalf("read = %v (%q), want %v", got, d.reason, tt.read)
			}
			if tt.read && (!slices.Equal(d.lines, td3) || d.corrected != tt.corrected) {
				t.Errorf("read %q corrected %d, want %q corrected %d", d.lines, d.corrected, td3, tt.corrected)
			}
			if !strings.Contains(d.reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", d.reason, tt.reason)
			}
		})
	}
}

// TestDecideSpecimens reads every specimen zone (TD1, TD2, TD3, MRV-A, MRV-B) from certain cells.
func TestDecideSpecimens(t *testing.T) {
	t.Parallel()
	for _, z := range specimenZones(t) {
		cells := make([][]scores, len(z))
		for l, line := range z {
			for c := 0; c < len(line); c++ {
				cells[l] = append(cells[l], sure(line[c]))
			}
		}
		d := decide(cells, corpusNow)
		if !slices.Equal(d.lines, z) {
			t.Errorf("%q: read %q (%s)", z, d.lines, d.reason)
		}
	}
}
