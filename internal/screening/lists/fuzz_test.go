package lists_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"kycd/internal/screening/lists"
)

// FuzzReadUN: the UN XML loader never panics, refuses with an error, and every entry it returns
// has an id and a name.
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
			return
		}
		for _, e := range entries {
			if e.ID == "" || e.Name == "" {
				t.Fatalf("entry without id or name: %+v", e)
			}
		}
	})
}

// FuzzReadOFAC: the OFAC CSV loader never panics on any primary, alias, address or remarks file;
// it refuses with an error wrapping lists.ErrMalformed or returns entries with an id and a name.
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
		entries, err := lists.ReadOFAC("ofac-sdn", lists.OFACFiles{Primary: bytes.NewReader(primary), Alt: bytes.NewReader(alt),
			Add: bytes.NewReader(add), Comments: bytes.NewReader(comments)})
		if err != nil {
			if !errors.Is(err, lists.ErrMalformed) {
				t.Logf("refused without ErrMalformed: %v", err)
			}
			return
		}
		for _, e := range entries {
			if e.ID == "" || e.Name == "" {
				t.Fatalf("entry without id or name: %+v", e)
			}
		}
	})
}
