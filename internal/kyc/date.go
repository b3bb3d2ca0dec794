package kyc

import "time"

// DateLayout is the form of every calendar date in the API: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// ParseDate parses a real calendar date in YYYY-MM-DD form ("2023-02-30" is refused).
func ParseDate(s string) (time.Time, bool) {
	if len(s) != len(DateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, s)
	return t, err == nil
}
