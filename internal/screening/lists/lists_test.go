package lists_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"kycd/internal/screening/lists"
	"kycd/internal/screening/match"
)

func TestReadOFACFixture(t *testing.T) {
	t.Parallel()
	list, es, raw, err := lists.ReadOFACDir(filepath.Join("testdata", "ofac"))
	if err != nil {
		t.Fatal(err)
	}
	if list != lists.OFACSDN || len(es) != 3 || len(raw) != 4 {
		t.Fatalf("list %q, %d entries, %d files", list, len(es), len(raw))
	}
	smith := es[0]
	if smith.Type != "individual" || !slices.Equal(smith.DatesOfBirth, []string{"1965-07-10", "1966"}) ||
		!slices.Equal(smith.Countries, []string{"IR", "RU"}) || !slices.Contains(smith.Aliases, "JQS") ||
		!slices.Contains(smith.Aliases, "SMITH, Jack") || !slices.Equal(smith.Passports, []string{"A1234567"}) ||
		!slices.Equal(smith.PlacesOfBirth, []string{"London, United Kingdom"}) {
		t.Fatalf("remarks not read: %+v", smith)
	}
	if es[1].Type != "entity" || es[2].Type != "entity" && es[2].Type != "vessel" {
		t.Fatalf("types: %q %q", es[1].Type, es[2].Type)
	}
}

func TestReadUNFixture(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "un.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := lists.ReadUN(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].ID != "CDi.001" || es[0].Name != "ERIC BADEGE" || !slices.Equal(es[0].Countries, []string{"CD"}) ||
		!slices.Equal(es[0].DatesOfBirth, []string{"1971"}) || es[1].Type != "entity" || es[1].Aliases[0] != "Allied Democratic Forces" {
		t.Fatalf("%+v", es)
	}
}

func TestTruncatedFilesAreRefused(t *testing.T) {
	t.Parallel()
	sdn, err := os.ReadFile(filepath.Join("testdata", "ofac", "sdn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cut := sdn[:bytes.Index(sdn, []byte("ACME"))+2]
	if _, err := lists.ReadOFAC(lists.OFACSDN, lists.OFACFiles{Primary: bytes.NewReader(cut)}); !errors.Is(err, lists.ErrMalformed) {
		t.Fatalf("truncated sdn.csv: %v", err)
	}
	un, err := os.ReadFile(filepath.Join("testdata", "un.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lists.ReadUN(bytes.NewReader(un[:len(un)/2])); !errors.Is(err, lists.ErrMalformed) {
		t.Fatalf("truncated un.xml: %v", err)
	}
	if _, err := lists.ReadOFAC(lists.OFACSDN, lists.OFACFiles{Primary: strings.NewReader("")}); !errors.Is(err, lists.ErrMalformed) {
		t.Fatalf("empty sdn.csv: %v", err)
	}
}

// TestUNIDsAreUniqueAndPresent: the store keeps one row per list and id, so a UN entry that
// repeats an id would silently replace the first, and one without an id would be stored under "".
// Both are refused; OFAC's loader refuses a repeated entry number already.
func TestUNIDsAreUniqueAndPresent(t *testing.T) {
	t.Parallel()
	const individual = `<INDIVIDUAL><DATAID>%s</DATAID><FIRST_NAME>%s</FIRST_NAME><REFERENCE_NUMBER>%s</REFERENCE_NUMBER></INDIVIDUAL>`
	for name, body := range map[string]string{
		"repeated reference": fmt.Sprintf(individual, "1", "ALPHA", "XXi.001") + fmt.Sprintf(individual, "2", "BRAVO", "XXi.001"),
		"repeated DATAID":    fmt.Sprintf(individual, "7", "ALPHA", "") + fmt.Sprintf(individual, "7", "BRAVO", ""),
		"no id":              fmt.Sprintf(individual, " ", "ALPHA", ""),
	} {
		doc := "<CONSOLIDATED_LIST><INDIVIDUALS>" + body + "</INDIVIDUALS></CONSOLIDATED_LIST>"
		if es, err := lists.ReadUN(strings.NewReader(doc)); !errors.Is(err, lists.ErrMalformed) {
			t.Errorf("%s: %v %+v", name, err, es)
		}
	}
}

// sharedData is ../shared/data beside the repository (always there in CI), or
// $KYCD_SHARED_DATA; tests over the full lists skip without it.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(d, "sanctions")); err != nil {
		if env := os.Getenv("KYCD_SHARED_DATA"); env != "" {
			return env
		}
		t.Skip("skipped: ../shared/data not found")
	}
	return d
}

func TestShippedLists(t *testing.T) {
	t.Parallel()
	data := filepath.Join(sharedData(t), "sanctions")
	list, sdn, _, err := lists.ReadOFACDir(filepath.Join(data, "ofac-2024-01"))
	if err != nil || list != lists.OFACSDN {
		t.Fatal(list, err)
	}
	if len(sdn) != 7379 { // the data README rounds to 7,378; the file holds 7,379 distinct ent_nums
		t.Errorf("SDN: %d entries, want 7,379", len(sdn))
	}
	byID := map[string]match.Entry{}
	for _, e := range sdn {
		byID[e.ID] = e
	}
	marzook := byID["3754"]
	if marzook.Name != "ABU MARZOOK, Mousa Mohammed" || !slices.Equal(marzook.DatesOfBirth, []string{"1951-02-09"}) ||
		!slices.Contains(marzook.Aliases, "ABU-'UMAR") || !slices.Contains(marzook.Passports, "92/664") {
		t.Errorf("3754: %+v", marzook)
	}
	if bnc := byID["306"]; !slices.Contains(bnc.Aliases, "NATIONAL BANK OF CUBA") || !slices.Contains(bnc.Aliases, "BNC") || bnc.Type != "entity" {
		t.Errorf("306: %+v", bnc)
	}
	_, cons, _, err := lists.ReadOFACDir(filepath.Join(data, "ofac-consolidated"))
	if err != nil || len(cons) < 400 {
		t.Fatalf("consolidated: %d entries, %v", len(cons), err)
	}
	f, err := os.Open(filepath.Join(data, "un", "consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	un, err := lists.ReadUN(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(un) != 730+273 {
		t.Errorf("UN: %d entries, want 1,003", len(un))
	}
	if un[0].ID != "CDi.001" || un[0].Name != "ERIC BADEGE" || !slices.Equal(un[0].DatesOfBirth, []string{"1971"}) {
		t.Errorf("UN first: %+v", un[0])
	}
	truncated := func() error {
		b, err := os.ReadFile(filepath.Join(data, "ofac-2024-01", "sdn.csv"))
		if err != nil {
			return err
		}
		_, err = lists.ReadOFAC(lists.OFACSDN, lists.OFACFiles{Primary: bytes.NewReader(b[:len(b)/2])})
		return err
	}()
	if !errors.Is(truncated, lists.ErrMalformed) {
		t.Errorf("half of sdn.csv: %v", truncated)
	}
}
