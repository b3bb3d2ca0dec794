package mrz

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"L898902C3", 6},
		{"740812", 2},
		{"120415", 9},
		{"ZE184226B<<<<<", 1},
		{"D23145890", 7},
		{"l898902c3", 6},
		{"<<<<<<<<<", 0},
		{"", 0},
		{"A", 0},  // 10*7 = 70
		{"1", 7},  // weight 7
		{"01", 3}, // weight 3
		{"001", 1},
		{"0001", 7},
		{"L898902C3674081221204159ZE184226B<<<<<1", 0}, // the TD3 specimen's composite data
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := CheckDigit(tt.in); got != tt.want {
				t.Errorf("CheckDigit(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRefusesWrongShapes(t *testing.T) {
	t.Parallel()
	td3 := strings.Split(specimen(t, TD3), "\n")
	td1 := strings.Split(specimen(t, TD1), "\n")
	tests := []struct {
		name, in, errPart string
	}{
		{"empty", "", "empty"},
		{"only spaces", " \n \r\n ", "empty"},
		{"TD3 line too short", td3[0] + "\n" + td3[1][:43], "2 lines of 44, 43 characters"},
		{"TD3 lines too long", td3[0] + "<\n" + td3[1] + "<", "2 lines of 45, 45"},
		{"TD1 with a short line", td1[0] + "\n" + td1[1] + "\n" + td1[2][:29], "3 lines of 30, 30, 29"},
		{"TD1 missing a line", td1[0] + "\n" + td1[1], "2 lines of 30, 30"},
		{"four lines", strings.Join(append(td1, td1[0]), "\n"), "4 lines"},
		{"one line", td3[0], "1 line of 44"},
		{"mixed TD2 and TD3 lines", td3[0] + "\n" + strings.Split(specimen(t, TD2), "\n")[1], "2 lines of 44, 36"},
		{"space inside a line", strings.Replace(td3[0], "<<ANNA", " <ANNA", 1) + "\n" + td3[1], "line 1, column 14: ' '"},
		{"dash", td3[0] + "\n" + strings.Replace(td3[1], "L898902C3", "L898-02C3", 1), "line 2, column 5: '-'"},
		{"accented letter", strings.Replace(td3[0], "ERIKSSON", "ÉRIKSSON", 1) + "\n" + td3[1], "line 1, column 6: 'É'"},
		{"lower-case accented letter", strings.Replace(td3[0], "ANNA", "anña", 1) + "\n" + td3[1], "line 1, column 18: 'ñ'"},
		{"tab inside", td3[0] + "\n" + strings.Replace(td3[1], "UTO", "UT\tO", 1), "line 2, column 13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseAt(tt.in, testNow)
			if err == nil {
				t.Fatalf("ParseAt = %+v, want an error", m)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("error %q does not contain %q", err, tt.errPart)
			}
		})
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	now := testNow // 2026-06-01
	tests := []struct {
		name   string
		in     string
		expiry bool
		now    time.Time
		want   string
		real   bool
	}{
		{"birth last century", "740812", false, now, "1974-08-12", true},
		{"birth this year", "260101", false, now, "2026-01-01", true},
		{"birth next two-digit year is last century", "270101", false, now, "1927-01-01", true},
		{"birth early this century", "050315", false, now, "2005-03-15", true},
		{"birth unknown day and month", "74<<<<", false, now, "1974-XX-XX", false},
		{"birth unknown year", "<<0812", false, now, "XXXX-08-12", false},
		{"birth not a real date", "740230", false, now, "1974-02-30", false},
		{"birth month 13", "741301", false, now, "1974-13-01", false},
		{"expiry this century", "120415", true, now, "2012-04-15", true},
		{"expiry 50 years ahead", "760601", true, now, "2076-06-01", true},
		{"expiry more than 50 years ahead is last century", "961210", true, now, "1996-12-10", true},
		{"expiry next century late in this one", "050101", true, time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), "2105-01-01", true},
		{"birth in 2101", "990101", false, time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC), "2099-01-01", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			century := birthCentury(tt.now)
			if tt.expiry {
				century = expiryCentury(tt.now)
			}
			d := parseDate(tt.in, century)
			if d.String() != tt.want {
				t.Errorf("parseDate(%q) = %s, want %s", tt.in, d, tt.want)
			}
			if _, ok := d.Time(); ok != tt.real {
				t.Errorf("Time() ok = %v, want %v", ok, tt.real)
			}
		})
	}
}

// withDigit sets the character at col of line to the check digit of data.
func withDigit(line string, col int, data string) string {
	return line[:col] + string(rune('0'+CheckDigit(data))) + line[col+1:]
}

// TestLongDocumentNumber covers document numbers of more than 9 characters, whose check-digit
// position holds '<' while the number continues in the optional data (Doc 9303 part 5, 4.2.4).
func TestLongDocumentNumber(t *testing.T) {
	t.Parallel()
	td1Line1 := "I<UTOD23145890<7349<<<<<<<<<<<" // number D23145890734, check digit 9
	td1Line2 := withDigit("7408122F1204159UTO<<<<<<<<<<<0", 29, td1Line1[5:30]+"7408122"+"1204159"+"<<<<<<<<<<<")
	td1Line2 = td1Line2[:30]
	td3Line2 := "L898902C3<UTO7408122F1204159" + "AB120<X<<<<<<<00"
	td3Line2 = withDigit(td3Line2, 32, "L898902C3AB12") // number L898902C3AB12, its digit at 32
	td3Line2 = withDigit(td3Line2, 42, td3Line2[28:42])
	td3Line2 = withDigit(td3Line2, 43, td3Line2[0:10]+td3Line2[13:20]+td3Line2[21:43])
	td2Line2 := "D23145890<UTO7408122F120415912345" + "<<0"
	td2Line2 = withDigit(td2Line2, 32, "D231458901234") // number D231458901234, digit at 32
	td2Line2 = withDigit(td2Line2, 35, td2Line2[0:10]+td2Line2[13:20]+td2Line2[21:35])
	tests := []struct {
		name, zone, number, optional, personal string
	}{
		{"TD1", td1Line1 + "\n" + td1Line2 + "\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", "D23145890734", "", ""},
		{"TD2", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n" + td2Line2, "D231458901234", "", ""},
		{"TD3", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" + td3Line2, "L898902C3AB12", "", "X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseAt(tt.zone, testNow)
			if err != nil {
				t.Fatalf("ParseAt: %v", err)
			}
			if m.DocumentNumber != tt.number || m.OptionalData != tt.optional || m.PersonalNumber != tt.personal {
				t.Errorf("number %q optional %q personal %q, want %q %q %q",
					m.DocumentNumber, m.OptionalData, m.PersonalNumber, tt.number, tt.optional, tt.personal)
			}
			if !m.ChecksumValid {
				t.Errorf("invalid checks %v", m.InvalidChecks())
			}
			c, _ := m.Check(CheckDocumentNumber)
			bad := replaceAt(tt.zone, c.Line, c.Column, otherChar(charAt(tt.zone, c.Line, c.Column)))
			m, err = ParseAt(bad, testNow)
			if err != nil {
				t.Fatalf("ParseAt: %v", err)
			}
			if got := m.InvalidChecks(); len(got) == 0 || got[0] != CheckDocumentNumber {
				t.Errorf("with a wrong overflow check digit, invalid checks = %v", got)
			}
		})
	}
}

func TestParseReadsNamesAndSex(t *testing.T) {
	t.Parallel()
	line2 := strings.Split(specimen(t, TD3), "\n")[1]
	tests := []struct {
		name, line1, surname, given string
		truncated                   bool
	}{
		{"compound surname", "P<UTOVAN<DER<BERG<<JAN<<<<<<<<<<<<<<<<<<<<<<", "VAN DER BERG", "JAN", false},
		{"no given names", "P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "ERIKSSON", "", false},
		{"surname only, no separator", "P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "ERIKSSON", "", false},
		{"truncated", "P<UTOHONGLADAROMSRIVICHAI<<CHATTARIN<NAKHONS", "HONGLADAROMSRIVICHAI", "CHATTARIN NAKHONS", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseAt(tt.line1+"\n"+line2, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if m.Surname != tt.surname || m.GivenNames != tt.given || m.NamesTruncated != tt.truncated {
				t.Errorf("got %q %q %v, want %q %q %v", m.Surname, m.GivenNames, m.NamesTruncated, tt.surname, tt.given, tt.truncated)
			}
		})
	}
	for c, want := range map[byte]string{'M': SexMale, 'F': SexFemale, 'X': SexUnspecified, '<': SexUnspecified, 'Q': ""} {
		m, err := ParseAt(replaceAt(specimen(t, TD3), 1, 20, c), testNow)
		if err != nil {
			t.Fatal(err)
		}
		if m.Sex != want {
			t.Errorf("sex %q read as %q, want %q", c, m.Sex, want)
		}
	}
}
