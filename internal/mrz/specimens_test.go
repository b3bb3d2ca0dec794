package mrz

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testNow is the date the tests read two-digit years against.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// specimens reads testdata/specimens.txt: blocks of MRZ lines separated by blank lines, with '#'
// comments. They come in the file's order: TD3, TD1, TD2, MRV-A, MRV-B.
func specimens(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/specimens.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []string
	var cur []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			if cur != nil {
				blocks = append(blocks, strings.Join(cur, "\n"))
				cur = nil
			}
		default:
			cur = append(cur, line)
		}
	}
	if cur != nil {
		blocks = append(blocks, strings.Join(cur, "\n"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 5 {
		t.Fatalf("specimens.txt has %d blocks, want 5", len(blocks))
	}
	return blocks
}

// specimen returns the specimen of format f.
func specimen(t testing.TB, f Format) string {
	t.Helper()
	order := []Format{TD3, TD1, TD2, MRVA, MRVB}
	for i, g := range order {
		if g == f {
			return specimens(t)[i]
		}
	}
	t.Fatalf("no specimen of format %s", f)
	return ""
}

func TestParseSpecimens(t *testing.T) {
	t.Parallel()
	date := func(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }
	tests := []struct {
		format Format
		want   MRZ
		checks []string
	}{
		{TD3, MRZ{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: date(1974, 8, 12), Sex: SexFemale,
			ExpiryDate: date(2012, 4, 15), PersonalNumber: "ZE184226B", ChecksumValid: true},
			[]string{CheckDocumentNumber, CheckDateOfBirth, CheckExpiryDate, CheckPersonalNumber, CheckComposite}},
		{TD1, MRZ{Format: TD1, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890", Nationality: "UTO", DateOfBirth: date(1974, 8, 12), Sex: SexFemale,
			ExpiryDate: date(2012, 4, 15), ChecksumValid: true},
			[]string{CheckDocumentNumber, CheckDateOfBirth, CheckExpiryDate, CheckComposite}},
		{TD2, MRZ{Format: TD2, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890", Nationality: "UTO", DateOfBirth: date(1974, 8, 12), Sex: SexFemale,
			ExpiryDate: date(2012, 4, 15), ChecksumValid: true},
			[]string{CheckDocumentNumber, CheckDateOfBirth, CheckExpiryDate, CheckComposite}},
		{MRVA, MRZ{Format: MRVA, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L8988901C", Nationality: "XXX", DateOfBirth: date(1940, 9, 7), Sex: SexFemale,
			ExpiryDate: date(1996, 12, 10), OptionalData: "6ZE184226B", ChecksumValid: true},
			[]string{CheckDocumentNumber, CheckDateOfBirth, CheckExpiryDate}},
		{MRVB, MRZ{Format: MRVB, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L8988901C", Nationality: "XXX", DateOfBirth: date(1940, 9, 7), Sex: SexFemale,
			ExpiryDate: date(1996, 12, 10), ChecksumValid: true},
			[]string{CheckDocumentNumber, CheckDateOfBirth, CheckExpiryDate}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			t.Parallel()
			m, err := ParseAt(specimen(t, tt.format), testNow)
			if err != nil {
				t.Fatalf("ParseAt: %v", err)
			}
			var names []string
			for _, c := range m.Checks {
				names = append(names, c.Name)
				if !c.Valid {
					t.Errorf("check %s at line %d column %d is invalid", c.Name, c.Line, c.Column)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.checks, ",") {
				t.Errorf("checks = %v, want %v", names, tt.checks)
			}
			got := *m
			got.Checks = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseToleratesLayoutOfInput(t *testing.T) {
	t.Parallel()
	td3 := specimen(t, TD3)
	lines := strings.Split(td3, "\n")
	tests := []struct{ name, in string }{
		{"CRLF", strings.ReplaceAll(td3, "\n", "\r\n")},
		{"surrounding spaces and blank lines", "\n  " + lines[0] + "  \r\n\n\t" + lines[1] + " \n\n"},
		{"lower case", strings.ToLower(td3)},
		{"one line", lines[0] + lines[1]},
	}
	want, err := ParseAt(td3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseAt(tt.in, testNow)
			if err != nil {
				t.Fatalf("ParseAt: %v", err)
			}
			if m.DocumentNumber != want.DocumentNumber || m.Surname != want.Surname || !m.ChecksumValid {
				t.Errorf("got %+v, want %+v", m, want)
			}
		})
	}
}
