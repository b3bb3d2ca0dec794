package mrz

import "errors"

// ErrInvalid is wrapped by every error of Parse: the text is not a machine-readable zone (wrong
// number of lines, wrong line lengths, or characters other than A-Z, 0-9 and '<').
var ErrInvalid = errors.New("mrz: not a machine-readable zone")

// Format is the layout of a machine-readable zone.
type Format string

// The formats of ICAO Doc 9303.
const (
	// TD1 is the identity-card format: 3 lines of 30 characters (Doc 9303 part 5).
	TD1 Format = "TD1"
	// TD2 is the larger card format: 2 lines of 36 characters (part 6).
	TD2 Format = "TD2"
	// TD3 is the passport format: 2 lines of 44 characters (part 4).
	TD3 Format = "TD3"
	// MRVA is the full-size visa: 2 lines of 44 characters whose first is 'V' (part 7).
	MRVA Format = "MRV-A"
	// MRVB is the smaller visa: 2 lines of 36 characters whose first is 'V' (part 7).
	MRVB Format = "MRV-B"
)

// Names of the check digits in MRZ.Checks.
const (
	// CheckDocumentNumber covers the document number, including any overflow into the optional data.
	CheckDocumentNumber = "documentNumber"
	// CheckDateOfBirth covers the date of birth.
	CheckDateOfBirth = "dateOfBirth"
	// CheckExpiryDate covers the date of expiry.
	CheckExpiryDate = "expiryDate"
	// CheckPersonalNumber covers the personal number of a TD3 passport.
	CheckPersonalNumber = "personalNumber"
	// CheckComposite covers the number, dates and optional data together (TD1, TD2 and TD3 only).
	CheckComposite = "composite"
)

// Sex values of MRZ.Sex.
const (
	// SexMale is written 'M'.
	SexMale = "M"
	// SexFemale is written 'F'.
	SexFemale = "F"
	// SexUnspecified is written 'X' or '<'.
	SexUnspecified = "X"
)

// Check is one check digit of a zone and whether it matches the characters it covers.
type Check struct {
	// Name is one of the Check* constants.
	Name string
	// Line and Column locate the digit, both counted from 0.
	Line, Column int
	// Valid reports whether the digit equals CheckDigit of the characters it covers. A filler '<'
	// is valid only where Doc 9303 allows it: as the personal-number digit of a TD3 passport whose
	// personal number is empty.
	Valid bool
}

// MRZ is a parsed machine-readable zone. Text fields hold what the zone says with the fillers
// removed: '<' inside a name becomes a space, '<' around a field is dropped. The zone is personal
// data: do not log it.
type MRZ struct {
	// Format is the layout that the number and length of the lines gave.
	Format Format
	// DocumentCode is the one- or two-letter document code ("P", "I", "ID", "AC", "V").
	DocumentCode string
	// IssuingState is the issuing state or organisation, an ICAO code: usually the ISO 3166-1
	// alpha-3 code, but "D" for Germany and codes such as "UTO", "XXA" or "UNO" also occur.
	IssuingState string
	// Surname is the primary identifier, the part of the name field before "<<".
	Surname string
	// GivenNames is the secondary identifier, the part after "<<", with single spaces.
	GivenNames string
	// NamesTruncated reports that the name field is full to its last character, so the names may
	// have been cut to fit.
	NamesTruncated bool
	// DocumentNumber is the document number, with its overflow into the optional data when the
	// number is longer than 9 characters (TD1, TD2 and TD3).
	DocumentNumber string
	// Nationality is the holder's nationality, an ICAO code like IssuingState.
	Nationality string
	// DateOfBirth is the date of birth; a year after the current two-digit year is read as 19xx.
	DateOfBirth Date
	// Sex is SexMale, SexFemale, SexUnspecified, or "" when the character is none of M, F, X, '<'.
	Sex string
	// ExpiryDate is the date of expiry, read as 20xx unless that is more than 50 years ahead.
	ExpiryDate Date
	// PersonalNumber is the personal number field of a TD3 passport.
	PersonalNumber string
	// OptionalData is the optional data of TD1 line 1 (after any number overflow), TD2 or a visa.
	OptionalData string
	// OptionalData2 is the optional data of TD1 line 2.
	OptionalData2 string
	// Checks lists every check digit of the zone in the order they appear.
	Checks []Check
	// ChecksumValid reports that every check digit in Checks is valid.
	ChecksumValid bool
}

// Check returns the check digit called name, and false when the format has none of that name.
func (m *MRZ) Check(name string) (Check, bool) {
	for _, c := range m.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// InvalidChecks returns the names of the check digits that do not match, in zone order.
func (m *MRZ) InvalidChecks() []string {
	var names []string
	for _, c := range m.Checks {
		if !c.Valid {
			names = append(names, c.Name)
		}
	}
	return names
}
