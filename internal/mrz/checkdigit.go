package mrz

// CheckDigit returns the ICAO 9303 check digit of s: each character's value (0-9 for digits, 10-35
// for the letters A-Z, 0 for the filler '<') is multiplied by the weights 7, 3, 1 repeating, and
// the sum is taken modulo 10. Lower-case letters count as their upper-case forms; any other
// character counts as 0, as the filler does.
func CheckDigit(s string) int {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += charValue(s[i]) * weights[i%3]
	}
	return sum % 10
}

// charValue is a character's value in the check-digit sum.
func charValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	}
	return 0
}
