package share

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kycd/internal/kyc"
)

// Rules collects a partner's pre-validation problems. Each names kycd's field (what the integrator
// can fix) and, in the message, the partner's field and rule.
type Rules struct {
	Partner string
	p       kyc.Problems
}

// Add records a problem with kycd's field source and the partner's field.
func (r *Rules) Add(source, field, format string, args ...any) {
	r.p.Add(source, "%s %s: %s", r.Partner, field, fmt.Sprintf(format, args...))
}

// Require records a problem when v is empty.
func (r *Rules) Require(source, field, v string) bool {
	if v == "" {
		r.Add(source, field, "required")
		return false
	}
	return true
}

// MaxLen records a problem when v is longer than n characters.
func (r *Rules) MaxLen(source, field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		r.Add(source, field, "at most %d characters", n)
	}
}

// Err is the validation error, or nil.
func (r *Rules) Err() error { return r.p.Err() }

// Age is the age in whole years on day now of someone born on dob (YYYY-MM-DD); ok is false when
// dob is not a date.
func Age(dob string, now time.Time) (int, bool) {
	d, err := time.Parse("2006-01-02", dob)
	if err != nil {
		return 0, false
	}
	age := now.Year() - d.Year()
	if now.Month() < d.Month() || now.Month() == d.Month() && now.Day() < d.Day() {
		age--
	}
	return age, true
}

// ResidentialAddress is the applicant's residential address, else the first one, else nil.
func ResidentialAddress(a kyc.Applicant) *kyc.Address {
	for i := range a.Addresses {
		if a.Addresses[i].Type == "residential" {
			return &a.Addresses[i]
		}
	}
	if len(a.Addresses) > 0 {
		return &a.Addresses[0]
	}
	return nil
}

// Row is one line of a partner's mapping table: the partner's field, where kycd takes it from and
// how it is converted, the partner's rule, and, when the partner's fragment and its fuller docs
// disagree, both readings and which one the code follows.
type Row struct {
	Field        string
	Source       string
	Rule         string
	Disagreement string
}

// Markdown renders a mapping table as the README shows it; a disagreement is marked ⚠.
func Markdown(rows []Row) string {
	var b strings.Builder
	b.WriteString("| Partner field | From kycd | Rule | Fragment vs fuller docs |\n|---|---|---|---|\n")
	for _, r := range rows {
		d := r.Disagreement
		if d != "" {
			d = "⚠ " + d
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Field, cell(r.Source), cell(r.Rule), cell(d))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
