package check

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kycd/internal/kyc"
)

// Match levels of a KYC request (Rebilly's matchLevel).
const (
	// MatchModerate (1) forgives a typo in a long name part and accepts initials for given names.
	MatchModerate = 1
	// MatchStrict (2), the default, wants every name part of the shorter name in the other.
	MatchStrict = 2
	// MatchBasic (3) compares surnames only.
	MatchBasic = 3
)

// nameToken is one part of a name, folded (see foldName); surname marks an applicant's surname
// part.
type nameToken struct {
	text    string
	surname bool
}

// nameForm is one way of writing the applicant's name.
type nameForm []nameToken

// icaoTransliteration spells the letters that ICAO Doc 9303 (part 3) writes with two letters;
// foldName's plain form drops their marks instead, so "Müller" folds to MULLER and MUELLER.
var icaoTransliteration = strings.NewReplacer("Ä", "AE", "ä", "AE", "Ö", "OE", "ö", "OE",
	"Ü", "UE", "ü", "UE", "Å", "AA", "å", "AA", "Ø", "OE", "ø", "OE")

// letterSpelling spells letters that carry no separable mark in Unicode.
var letterSpelling = map[rune]string{
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'Œ': "OE", 'Ø': "O", 'Đ': "D", 'Ð': "D", 'Ł': "L", 'Þ': "TH", 'Ħ': "H", 'Ŋ': "NG",
}

// foldName splits a name into upper-case parts without accents: canonical decomposition (NFD)
// with the combining marks dropped, a few letters spelled out (ß SS, Æ AE, Ø O, Ł L, Þ TH),
// apostrophes dropped so that O'Brien is OBRIEN as in an MRZ, and every other character that is
// not a letter or digit (spaces, commas, hyphens, dots, '<') separating parts. icao spells Ä Ö Ü
// Å Ø as AE OE UE AA OE first, as passports do.
func foldName(s string, icao bool) []string {
	s = norm.NFC.String(s)
	if icao {
		s = icaoTransliteration.Replace(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		r = unicode.ToUpper(r)
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’', r == 'ʼ', r == '`':
		case letterSpelling[r] != "":
			b.WriteString(letterSpelling[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// applicantForms returns the ways of writing the applicant's name: the names as given and their
// Latin forms (a Latin field left empty falls back to the given one), each folded plainly and the
// ICAO way. Forms without any part are left out.
func applicantForms(p *kyc.Profile) []nameForm {
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	spellings := [][3]string{{p.FirstName, p.MiddleName, p.LastName}}
	if p.FirstNameLatin+p.MiddleNameLatin+p.LastNameLatin != "" {
		spellings = append(spellings, [3]string{or(p.FirstNameLatin, p.FirstName), or(p.MiddleNameLatin, p.MiddleName), or(p.LastNameLatin, p.LastName)})
	}
	var forms []nameForm
	seen := map[string]bool{}
	for _, s := range spellings {
		for _, icao := range []bool{false, true} {
			var f nameForm
			for _, t := range foldName(s[0]+" "+s[1], icao) {
				f = append(f, nameToken{text: t})
			}
			for _, t := range foldName(s[2], icao) {
				f = append(f, nameToken{text: t, surname: true})
			}
			key := formKey(f)
			if len(f) > 0 && !seen[key] {
				seen[key] = true
				forms = append(forms, f)
			}
		}
	}
	return forms
}

// formKey identifies a form for de-duplication.
func formKey(f nameForm) string {
	var b strings.Builder
	for _, t := range f {
		if t.surname {
			b.WriteByte('/')
		}
		b.WriteString(t.text)
		b.WriteByte(' ')
	}
	return b.String()
}

// parts returns the form's given-name parts (surname false) or surname parts (surname true).
func (f nameForm) parts(surname bool) []nameToken {
	var out []nameToken
	for _, t := range f {
		if t.surname == surname {
			out = append(out, t)
		}
	}
	return out
}

// nameMatcher compares document name parts with an applicant's at one match level.
type nameMatcher struct{ level int }

// same reports whether a document part d and an applicant part a are the same: equal, or at
// MatchModerate and MatchBasic both at least 5 letters long and one edit apart.
func (m nameMatcher) same(d string, a nameToken) bool {
	if d == a.text {
		return true
	}
	return m.level != MatchStrict && utf8.RuneCountInString(d) >= 5 && utf8.RuneCountInString(a.text) >= 5 &&
		withinOneEdit(d, a.text)
}

// sameOrInitial is same, and at MatchModerate also a one-letter part against a given-name part
// that starts with that letter.
func (m nameMatcher) sameOrInitial(d string, a nameToken) bool {
	if m.same(d, a) {
		return true
	}
	if m.level != MatchModerate || a.surname {
		return false
	}
	dr, dn := utf8.DecodeRuneInString(d)
	ar, an := utf8.DecodeRuneInString(a.text)
	return dr == ar && ((dn == len(d) && an < len(a.text)) || (an == len(a.text) && dn < len(d)))
}

// holderMatches applies the rules of HolderName to the parts of a document name and one form.
func (m nameMatcher) holderMatches(doc []string, form nameForm) bool {
	surname := form.parts(true)
	if !everyApplicantPartOnDocument(surname, doc, m.same) {
		return false
	}
	if m.level == MatchBasic {
		return true
	}
	if len(doc) <= len(form) {
		return everyDocumentPartInForm(doc, form, m.sameOrInitial)
	}
	return everyApplicantPartOnDocument(form, doc, m.sameOrInitial)
}

// everyDocumentPartInForm reports whether each document part matches some part of form.
func everyDocumentPartInForm(doc []string, form []nameToken, match func(string, nameToken) bool) bool {
	for _, d := range doc {
		found := false
		for _, a := range form {
			found = found || match(d, a)
		}
		if !found {
			return false
		}
	}
	return true
}

// everyApplicantPartOnDocument reports whether each part of form matches some document part.
func everyApplicantPartOnDocument(form []nameToken, doc []string, match func(string, nameToken) bool) bool {
	for _, a := range form {
		found := false
		for _, d := range doc {
			found = found || match(d, a)
		}
		if !found {
			return false
		}
	}
	return true
}

// withinOneEdit reports whether a and b are at most one insertion, deletion or substitution
// apart (Levenshtein distance <= 1), comparing runes.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return string(ra[i+min(1, len(ra)-i):]) == string(rb[i+min(1, len(rb)-i):])
	}
	return string(ra[i:]) == string(rb[i+1:])
}
