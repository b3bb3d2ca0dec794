package mrz

import (
	"fmt"
	"time"
)

// expiryWindow is how many years ahead a two-digit expiry year may lie before it is read as 19xx:
// no document is valid for 50 years, and an old visa specimen that expired in "96" stays in 1996.
const expiryWindow = 50

// Date is a date of the zone. A part written with fillers ('<') or not in digits is unknown and 0.
// The parts are kept as read, so a damaged zone may hold a month 13: Time tells a real date.
type Date struct {
	// Year is the four-digit year, 0 when unknown.
	Year int
	// Month is 1-12 for a real month, 0 when unknown.
	Month time.Month
	// Day is 1-31 for a real day, 0 when unknown.
	Day int
}

// Time returns the date at midnight UTC, and false when a part is unknown or the date does not
// exist (a 30 February).
func (d Date) Time() (time.Time, bool) {
	if d.Year == 0 || d.Month == 0 || d.Day == 0 {
		return time.Time{}, false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	if t.Year() != d.Year || t.Month() != d.Month || t.Day() != d.Day {
		return time.Time{}, false
	}
	return t, true
}

// String writes the date as YYYY-MM-DD, with unknown parts as "XXXX" or "XX".
func (d Date) String() string {
	part := func(v, width int) string {
		if v == 0 {
			return "XXXX"[:width]
		}
		return fmt.Sprintf("%0*d", width, v)
	}
	return part(d.Year, 4) + "-" + part(int(d.Month), 2) + "-" + part(d.Day, 2)
}

// parseDate reads YYMMDD; century resolves a two-digit year to four digits.
func parseDate(s string, century func(yy int) int) Date {
	var d Date
	if yy, ok := twoDigits(s[0:2]); ok {
		d.Year = century(yy)
	}
	if mm, ok := twoDigits(s[2:4]); ok {
		d.Month = time.Month(mm)
	}
	if dd, ok := twoDigits(s[4:6]); ok {
		d.Day = dd
	}
	return d
}

// twoDigits reads two ASCII digits.
func twoDigits(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// birthCentury reads a birth year: a two-digit year after now's is in the previous century.
func birthCentury(now time.Time) func(int) int {
	century := now.Year() / 100 * 100
	return func(yy int) int {
		if yy > now.Year()%100 {
			return century - 100 + yy
		}
		return century + yy
	}
}

// expiryCentury reads an expiry year: in now's century unless that is more than expiryWindow
// years away, in which case the nearer neighbouring century.
func expiryCentury(now time.Time) func(int) int {
	century := now.Year() / 100 * 100
	return func(yy int) int {
		y := century + yy
		switch {
		case y > now.Year()+expiryWindow:
			return y - 100
		case y < now.Year()-expiryWindow:
			return y + 100
		}
		return y
	}
}
