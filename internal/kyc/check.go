package kyc

import "time"

// Country rewrites *v to its alpha-2 code, or records a problem on field. Empty is allowed.
func (p *Problems) Country(field string, v *string) {
	if *v == "" {
		return
	}
	if a2, ok := NormalizeCountry(*v); ok {
		*v = a2
		return
	}
	p.Add(field, "is not an ISO 3166-1 country (alpha-2, alpha-3 or English name)")
}

// Date records a problem on field when v is set and not a real YYYY-MM-DD date.
func (p *Problems) Date(field, v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	d, ok := ParseDate(v)
	if !ok {
		p.Add(field, "must be a real date in YYYY-MM-DD form")
	}
	return d, ok
}

// Digits reports whether s is between min and max ASCII digits long and nothing else.
func Digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
