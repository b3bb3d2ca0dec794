package lists

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"kycd/internal/screening/match"
)

// List names of the lists kycd knows.
const (
	OFACSDN          = "ofac-sdn"
	OFACConsolidated = "ofac-consolidated"
	UN               = "un"
)

// ErrMalformed wraps every refusal of a list file.
var ErrMalformed = errors.New("malformed sanctions list file")

// OFACFiles are the four files of an OFAC list. Only Primary is required.
type OFACFiles struct {
	// Primary is sdn.csv or cons_prim.csv.
	Primary io.Reader
	// Alt is alt.csv or cons_alt.csv: aliases.
	Alt io.Reader
	// Add is add.csv or cons_add.csv: addresses (their countries are kept).
	Add io.Reader
	// Comments is sdn_comments.csv or cons_comments.csv: the continuation of long remarks.
	Comments io.Reader
}

// ofacNames are the file names of each OFAC list in a folder.
var ofacNames = map[string][4]string{
	OFACSDN:          {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"},
	OFACConsolidated: {"cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"},
}

// DetectOFAC names the OFAC list held in dir, from its file names.
func DetectOFAC(dir string) (string, error) {
	for list, names := range ofacNames {
		if _, err := os.Stat(filepath.Join(dir, names[0])); err == nil {
			return list, nil
		}
	}
	return "", fmt.Errorf("%s holds neither sdn.csv nor cons_prim.csv: %w", dir, ErrMalformed)
}

// ReadOFACDir reads the OFAC list (SDN or consolidated, by file names) in dir. It returns the
// raw bytes of every file read too, in a fixed order, for the version hash.
func ReadOFACDir(dir string) (list string, entries []match.Entry, raw [][]byte, err error) {
	list, err = DetectOFAC(dir)
	if err != nil {
		return "", nil, nil, err
	}
	return ReadOFACFiles(list, func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) })
}

// FileNames are the file names of an OFAC list, primary first.
func FileNames(list string) []string {
	n := ofacNames[list]
	return n[:]
}

// ReadOFACFiles reads an OFAC list whose files open gives by name (from a folder or a URL). A
// missing file other than the primary (os.ErrNotExist) is skipped.
func ReadOFACFiles(list string, open func(name string) ([]byte, error)) (string, []match.Entry, [][]byte, error) {
	names, ok := ofacNames[list]
	if !ok {
		return "", nil, nil, fmt.Errorf("unknown OFAC list %q", list)
	}
	var files OFACFiles
	var raw [][]byte
	for i, name := range names {
		b, err := open(name)
		if errors.Is(err, os.ErrNotExist) && i > 0 {
			continue
		}
		if err != nil {
			return "", nil, nil, fmt.Errorf("read %s: %w", name, err)
		}
		raw = append(raw, b)
		r := bytes.NewReader(b)
		switch i {
		case 0:
			files.Primary = r
		case 1:
			files.Alt = r
		case 2:
			files.Add = r
		case 3:
			files.Comments = r
		}
	}
	entries, err := ReadOFAC(list, files)
	return list, entries, raw, err
}

// ReadOFAC reads an OFAC list from its files.
func ReadOFAC(list string, f OFACFiles) ([]match.Entry, error) {
	if f.Primary == nil {
		return nil, fmt.Errorf("%s: the primary file is required: %w", list, ErrMalformed)
	}
	comments := map[string]string{}
	if f.Comments != nil {
		if err := eachRecord(f.Comments, list+" comments", 2, func(r []string) error {
			comments[r[0]] += value(r[1])
			return nil
		}); err != nil {
			return nil, err
		}
	}
	var entries []match.Entry
	byID := map[string]int{}
	err := eachRecord(f.Primary, list+" primary", 12, func(r []string) error {
		id := strings.TrimSpace(r[0])
		if id == "" || atoiOK(id) < 0 {
			return fmt.Errorf("entry number %q is not a number", id)
		}
		if _, dup := byID[id]; dup {
			return fmt.Errorf("entry %s appears twice", id)
		}
		e := match.Entry{List: list, ID: id, Name: value(r[1]), Type: ofacType(value(r[2]))}
		if e.Name == "" {
			return fmt.Errorf("entry %s has no name", id)
		}
		for _, p := range strings.Split(value(r[3]), "] [") {
			if p = strings.Trim(p, "[] "); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		e.Remarks = value(r[11]) + comments[id]
		parseRemarks(&e)
		byID[id] = len(entries)
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no entries: %w", list, ErrMalformed)
	}
	if f.Alt != nil {
		if err := eachRecord(f.Alt, list+" aliases", 5, func(r []string) error {
			i, ok := byID[strings.TrimSpace(r[0])]
			if !ok {
				return nil // OFAC's files do hold aliases of entries since removed
			}
			if n := value(r[3]); n != "" && !contains(entries[i].Aliases, n) {
				entries[i].Aliases = append(entries[i].Aliases, n)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if f.Add != nil {
		if err := eachRecord(f.Add, list+" addresses", 6, func(r []string) error {
			// Addresses are not screened on; the file is read whole so that a truncated one is refused.
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// eachRecord reads a headerless OFAC CSV whose records have exactly n fields. A record with
// another count, a broken quote or a missing end marks the file as truncated or malformed.
func eachRecord(r io.Reader, what string, n int, fn func([]string) error) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	// OFAC ends its files with a DOS end-of-file mark (0x1A) on a line of its own.
	b = bytes.TrimRight(b, "\x1a\r\n ")
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = n
	cr.LazyQuotes = false
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w (%w)", what, err, ErrMalformed)
		}
		if err := fn(rec); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s line %d: %w (%w)", what, line, err, ErrMalformed)
		}
	}
}

// value is a field without OFAC's "-0-" empty marker and surrounding spaces.
func value(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func ofacType(t string) string {
	switch strings.ToLower(t) {
	case "individual":
		return "individual"
	case "vessel":
		return "vessel"
	case "aircraft":
		return "aircraft"
	}
	return "entity"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func atoiOK(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
