package kyc

//go:generate go run ./internal/gencountries countries_table.go

import (
	"strings"
	"unicode"
)

type country struct{ alpha2, alpha3, name string }

// countryAliases are English names in common use that differ from the table's short names.
var countryAliases = map[string]string{
	"united states of america": "US", "america": "US", "great britain": "GB", "britain": "GB",
	"hong kong": "HK", "macao": "MO", "macau": "MO", "macao sar china": "MO",
	"korea": "KR", "republic of korea": "KR", "korea republic of": "KR",
	"democratic peoples republic of korea": "KP", "russian federation": "RU", "viet nam": "VN",
	"czech republic": "CZ", "ivory coast": "CI", "eswatini": "SZ", "north macedonia": "MK",
	"turkiye": "TR", "burma": "MM", "myanmar": "MM", "lao peoples democratic republic": "LA",
	"iran islamic republic of": "IR", "holy see": "VA", "vatican": "VA", "palestine": "PS",
	"state of palestine": "PS", "taiwan province of china": "TW", "bolivia plurinational state of": "BO",
	"venezuela bolivarian republic of": "VE", "tanzania united republic of": "TZ",
	"syrian arab republic": "SY", "moldova republic of": "MD", "republic of moldova": "MD",
	"democratic republic of the congo": "CD", "congo democratic republic of the": "CD",
	"republic of the congo": "CG", "congo": "CG", "cabo verde": "CV", "micronesia federated states of": "FM",
	"united republic of tanzania": "TZ", "brunei darussalam": "BN", "timor leste": "TL", "east timor": "TL",
	"the netherlands": "NL", "holland": "NL", "the bahamas": "BS", "the gambia": "GM",
	"falkland islands malvinas": "FK", "curacao": "CW", "reunion": "RE", "aland islands": "AX",
	"sao tome and principe": "ST", "saint barthelemy": "BL", "united states minor outlying islands": "UM",
	"virgin islands british": "VG", "virgin islands us": "VI", "us virgin islands": "VI",
	"pitcairn": "PN", "bonaire sint eustatius and saba": "BQ", "uae": "AE",
}

var countryIndex = func() map[string]int {
	m := make(map[string]int, 3*len(countryTable)+len(countryAliases))
	for i, c := range countryTable {
		m[c.alpha2] = i
		m[c.alpha3] = i
		m[normalizeCountryName(c.name)] = i
	}
	for name, a2 := range countryAliases {
		m[name] = m[a2]
	}
	return m
}()

// NormalizeCountry turns an ISO 3166-1 alpha-2 or alpha-3 code (any case) or an English country
// name ("Thailand", "St. Kitts & Nevis", "United States of America") into its alpha-2 code. It
// answers false for anything that is not an assigned country, such as "XX", "EU" or "UK".
func NormalizeCountry(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if (len(s) == 2 || len(s) == 3) && isASCIILetters(s) {
		if i, ok := countryIndex[strings.ToUpper(s)]; ok {
			return countryTable[i].alpha2, true
		}
	}
	// Names are indexed in lower case and codes in upper case, so the two never collide.
	if i, ok := countryIndex[normalizeCountryName(s)]; ok && s != "" {
		return countryTable[i].alpha2, true
	}
	return "", false
}

// CountryAlpha3 returns the alpha-3 code of an alpha-2 code, or "" when alpha2 is not a country.
func CountryAlpha3(alpha2 string) string {
	if i, ok := countryIndex[alpha2]; ok && len(alpha2) == 2 {
		return countryTable[i].alpha3
	}
	return ""
}

// CountryName returns the English short name of an alpha-2 code, or "" when it is not a country.
func CountryName(alpha2 string) string {
	if i, ok := countryIndex[alpha2]; ok && len(alpha2) == 2 {
		return countryTable[i].name
	}
	return ""
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// normalizeCountryName folds case and accents, spells "&" as "and" and "St." as "saint", and drops
// punctuation, so that "Côte d’Ivoire" and "cote divoire" meet.
func normalizeCountryName(s string) string {
	var b strings.Builder
	lastSpace := true
	for _, r := range strings.ToLower(s) {
		r = foldAccent(r)
		switch {
		case r == '&':
			if !lastSpace {
				b.WriteByte(' ')
			}
			b.WriteString("and ")
			lastSpace = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			lastSpace = false
		case unicode.IsSpace(r) || r == '-' || r == ',' || r == '(' || r == ')' || r == '/':
			if !lastSpace {
				b.WriteByte(' ')
				lastSpace = true
			}
		}
	}
	out := strings.TrimSpace(b.String())
	out = strings.TrimPrefix(out, "the ")
	if strings.HasPrefix(out, "st ") {
		out = "saint " + out[3:]
	}
	return out
}

// foldAccent maps the accented Latin letters that occur in English country names to their base
// letter (Côte, Curaçao, Réunion, São Tomé, Åland, Barthélemy, Türkiye).
func foldAccent(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return r
}
