package mrz

import (
	"strings"
	"time"
)

// reader reads the fields of lines that already have the shape of lay.
type reader struct {
	lines []string
	lay   layout
	m     MRZ
}

func (r *reader) read(now time.Time) *MRZ {
	lay, m := r.lay, &r.m
	m.Format = lay.format
	m.DocumentCode = trimFiller(r.lines[0][0:2])
	m.IssuingState = trimFiller(r.lines[0][2:5])
	m.Surname, m.GivenNames, m.NamesTruncated = readNames(r.text(lay.name))
	rest := r.readNumber()
	m.Nationality = trimFiller(r.text(lay.nationality))
	m.DateOfBirth = parseDate(r.text(lay.birth), birthCentury(now))
	r.addCheck(CheckDateOfBirth, r.text(lay.birth), lay.birthCheck, false)
	m.Sex = readSex(r.at(lay.sex))
	m.ExpiryDate = parseDate(r.text(lay.expiry), expiryCentury(now))
	r.addCheck(CheckExpiryDate, r.text(lay.expiry), lay.expiryCheck, false)
	if lay.personal.end > 0 {
		m.PersonalNumber = trimFiller(rest(lay.personal))
		r.addCheck(CheckPersonalNumber, r.text(lay.personal), lay.personalChk, true)
	}
	if lay.optional.end > 0 {
		m.OptionalData = trimFiller(rest(lay.optional))
	}
	if lay.optional2.end > 0 {
		m.OptionalData2 = trimFiller(r.text(lay.optional2))
	}
	if lay.composite != nil {
		var data strings.Builder
		for _, s := range lay.composite {
			data.WriteString(r.text(s))
		}
		r.addCheck(CheckComposite, data.String(), lay.compositeAt, false)
	}
	m.ChecksumValid = true
	for _, c := range m.Checks {
		m.ChecksumValid = m.ChecksumValid && c.Valid
	}
	return m
}

// readNumber reads the document number and adds its check digit. When the check-digit position
// holds '<' in a format that allows it, the number continues in the optional data up to the
// character before the first '<', and that character is the check digit (Doc 9303 part 5, 4.2.4).
// It returns a function giving the text of an optional span without the overflow.
func (r *reader) readNumber() func(span) string {
	lay := r.lay
	field := r.text(lay.number)
	plain := func(s span) string { return r.text(s) }
	if r.at(lay.numberCheck) == '<' && lay.overflow.end > 0 {
		opt := r.text(lay.overflow)
		end := strings.IndexByte(opt, '<')
		if end < 0 {
			end = len(opt)
		}
		if end >= 1 {
			full := field + opt[:end-1]
			r.m.DocumentNumber = trimFiller(full)
			r.addCheck(CheckDocumentNumber, full, pos{lay.overflow.line, lay.overflow.start + end - 1}, false)
			return func(s span) string {
				if s == lay.overflow {
					return opt[end:]
				}
				return r.text(s)
			}
		}
	}
	r.m.DocumentNumber = trimFiller(field)
	r.addCheck(CheckDocumentNumber, field, lay.numberCheck, false)
	return plain
}

// addCheck records whether the digit at p is the check digit of data. fillerOK accepts '<' as
// the digit when data is all fillers.
func (r *reader) addCheck(name, data string, p pos, fillerOK bool) {
	c := r.at(p)
	valid := c >= '0' && c <= '9' && int(c-'0') == CheckDigit(data)
	if c == '<' && fillerOK && strings.Trim(data, "<") == "" {
		valid = true
	}
	r.m.Checks = append(r.m.Checks, Check{Name: name, Line: p.line, Column: p.col, Valid: valid})
}

func (r *reader) text(s span) string { return r.lines[s.line][s.start:s.end] }

func (r *reader) at(p pos) byte { return r.lines[p.line][p.col] }

// readNames splits the name field at the first "<<" into surname and given names; a single '<'
// inside either becomes a space. truncated reports a field without filler at its end.
func readNames(field string) (surname, given string, truncated bool) {
	truncated = field[len(field)-1] != '<'
	surname, given, _ = strings.Cut(field, "<<")
	clean := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "<", " ")), " ") }
	return clean(surname), clean(given), truncated
}

// readSex maps the sex character to SexMale, SexFemale or SexUnspecified ('X' or '<').
func readSex(c byte) string {
	switch c {
	case 'M':
		return SexMale
	case 'F':
		return SexFemale
	case 'X', '<':
		return SexUnspecified
	}
	return ""
}

// trimFiller drops the fillers around a field.
func trimFiller(s string) string { return strings.Trim(s, "<") }
