package lists

import (
	"fmt"
	"strings"

	"kycd/internal/kyc"
	"kycd/internal/screening/match"
)

// parseRemarks reads what OFAC writes in an entry's remarks: "DOB 10 Jul 1965; POB Baghdad,
// Iraq; nationality Iraq; citizen Iraq; Passport A123 (Iraq); a.k.a. 'NAME'".
func parseRemarks(e *match.Entry) {
	for _, part := range strings.Split(e.Remarks, ";") {
		part = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), "."))
		part = strings.TrimPrefix(part, "alt. ")
		switch {
		case strings.HasPrefix(part, "DOB "):
			e.DatesOfBirth = appendNew(e.DatesOfBirth, parseDOB(part[4:])...)
		case strings.HasPrefix(part, "POB "):
			e.PlacesOfBirth = appendNew(e.PlacesOfBirth, part[4:])
		case strings.HasPrefix(part, "nationality "), strings.HasPrefix(part, "citizen "):
			name := part[strings.IndexByte(part, ' ')+1:]
			if c, ok := countryCode(name); ok {
				e.Countries = appendNew(e.Countries, c)
			}
		case strings.HasPrefix(part, "Passport "), strings.HasPrefix(part, "National ID No. "):
			num := strings.TrimPrefix(strings.TrimPrefix(part, "Passport "), "National ID No. ")
			if i := strings.IndexByte(num, ' '); i > 0 {
				num = num[:i]
			}
			e.Passports = appendNew(e.Passports, num)
		case strings.HasPrefix(part, "a.k.a. "), strings.HasPrefix(part, "f.k.a. "), strings.HasPrefix(part, "n.k.a. "):
			n := strings.Trim(strings.TrimSpace(part[7:]), "'\"")
			if n != "" {
				e.Aliases = appendNew(e.Aliases, n)
			}
		}
	}
}

var months = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// parseDOB reads "10 Jul 1965", "Jul 1965", "1965", "circa 1965" and "1960 to 1962" (both ends).
func parseDOB(s string) []string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "circa ")
	if a, b, ok := strings.Cut(s, " to "); ok {
		return append(parseDOB(a), parseDOB(b)...)
	}
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		if len(f[0]) == 4 && atoiOK(f[0]) > 0 {
			return []string{f[0]}
		}
	case 2:
		if m, ok := months[f[0]]; ok && atoiOK(f[1]) > 0 {
			return []string{fmt.Sprintf("%s-%02d", f[1], m)}
		}
	case 3:
		if m, ok := months[f[1]]; ok && atoiOK(f[0]) > 0 && atoiOK(f[2]) > 0 {
			return []string{fmt.Sprintf("%s-%02d-%02d", f[2], m, atoiOK(f[0]))}
		}
	}
	return nil
}

// countryAliases are the lists' country names that ISO's English names do not cover.
var countryAliases = map[string]string{
	"korea, north": "KP", "korea, south": "KR", "burma": "MM", "russia": "RU", "syria": "SY", "iran": "IR",
	"palestinian": "PS", "possibly palestinian": "PS", "the gambia": "GM", "kosovo": "XK", "taiwan": "TW",
	"congo, democratic republic of the": "CD", "democratic republic of the congo": "CD", "macedonia, the former yugoslav republic of": "MK",
	"cabo verde": "CV", "venezuela": "VE", "bolivia": "BO", "tanzania": "TZ", "vietnam": "VN", "viet nam": "VN", "laos": "LA",
	"united states": "US", "united kingdom": "GB", "turkey": "TR", "moldova": "MD", "libya": "LY",
	"iran (islamic republic of)": "IR", "syrian arab republic": "SY", "russian federation": "RU",
	"democratic people's republic of korea": "KP", "united republic of tanzania": "TZ",
	"united kingdom of great britain and northern ireland": "GB", "bolivarian republic of venezuela": "VE",
}

// countryCode turns a list's country name into an alpha-2 code.
func countryCode(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(name, ".")))
	if c, ok := countryAliases[n]; ok {
		return c, true
	}
	return kyc.NormalizeCountry(name)
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
