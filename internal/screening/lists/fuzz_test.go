package lists_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"kycd/internal/screening/lists"
	"kycd/internal/screening/match"
)

// checkEntries fails unless every entry belongs to list, has an id and a name without surrounding
// space, of a known type, with ids unique (the store keeps one row per list and id) and aliases
// distinct and not empty.
func checkEntries(t *testing.T, list string, entries []match.Entry) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range entries {
		if e.List != list || e.ID == "" || e.Name == "" || e.ID != strings.TrimSpace(e.ID) || e.Name != strings.TrimSpace(e.Name) {
			t.Fatalf("entry %+v", e)
		}
		if seen[e.ID] {
			t.Fatalf("entry %q twice", e.ID)
		}
		seen[e.ID] = true
		switch e.Type {
		case "individual", "entity", "vessel", "aircraft":
		default:
			t.Fatalf("entry %q of type %q", e.ID, e.Type)
		}
		aliases := map[string]bool{}
		for _, a := range e.Aliases {
			if a == "" || aliases[a] {
				t.Fatalf("entry %q has aliases %q", e.ID, e.Aliases)
			}
			aliases[a] = true
		}
	}
}

// FuzzReadUN: the UN XML loader never panics and refuses only with an error wrapping
// lists.ErrMalformed; what it returns is at least one entry, each with a unique id and a name in
// valid UTF-8 (XML allows nothing else).
func FuzzReadUN(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "un.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := lists.ReadUN(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, lists.ErrMalformed) {
				t.Fatalf("refused without ErrMalformed: %v", err)
			}
			return
		}
		if len(entries) == 0 {
			t.Fatal("accepted a list without entries")
		}
		checkEntries(t, lists.UN, entries)
		for _, e := range entries {
			if !utf8.ValidString(e.ID) || !utf8.ValidString(e.Name) {
				t.Fatalf("entry %+v is not UTF-8", e)
			}
		}
	})
}

// FuzzReadOFAC: the OFAC CSV loader never panics on any primary, alias, address or remarks file,
// and refuses only with an error wrapping lists.ErrMalformed; what it returns is at least one
// entry and no more than the primary file has lines, each with a unique decimal entry number and a
// name.
func FuzzReadOFAC(f *testing.F) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "ofac", name))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(read("sdn.csv"), read("alt.csv"), read("add.csv"), read("sdn_comments.csv"))
	f.Add([]byte(`1,"A",individual`), []byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, primary, alt, add, comments []byte) {
		entries, err := lists.ReadOFAC(lists.OFACSDN, lists.OFACFiles{Primary: bytes.NewReader(primary), Alt: bytes.NewReader(alt),
			Add: bytes.NewReader(add), Comments: bytes.NewReader(comments)})
		if err != nil {
			if !errors.Is(err, lists.ErrMalformed) {
				t.Fatalf("refused without ErrMalformed: %v", err)
			}
			return
		}
		if len(entries) == 0 || len(entries) > bytes.Count(primary, []byte("\n"))+1 {
			t.Fatalf("%d entries from %d lines", len(entries), bytes.Count(primary, []byte("\n"))+1)
		}
		checkEntries(t, lists.OFACSDN, entries)
		for _, e := range entries {
			if strings.Trim(e.ID, "0123456789") != "" {
				t.Fatalf("entry number %q", e.ID)
			}
		}
	})
}
