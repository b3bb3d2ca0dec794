package mrzimage

import (
	"strings"

	"kycd/internal/kyc"
)

// icaoCodes are the codes of Doc 9303 part 3 that are not ISO 3166-1 alpha-3 country codes: Germany's
// "D", the British nationality classes, the United Nations and its agencies, the European Union,
// Kosovo, stateless persons and refugees, and the specimen state Utopia.
var icaoCodes = map[string]bool{
	"D": true, "GBD": true, "GBN": true, "GBO": true, "GBP": true, "GBS": true,
	"UNO": true, "UNA": true, "UNK": true, "XBA": true, "XIM": true, "XCC": true, "XCE": true,
	"XCO": true, "XEC": true, "XES": true, "XMP": true, "XOM": true, "XPO": true, "XDC": true,
	"EUE": true, "RKS": true, "XXA": true, "XXB": true, "XXC": true, "XXX": true, "UTO": true,
}

// validState reports whether a three-character state field (fillers included) is an ICAO code:
// an ISO 3166-1 alpha-3 country or one of icaoCodes.
func validState(field string) bool {
	code := strings.TrimRight(field, "<")
	if icaoCodes[code] {
		return true
	}
	if len(code) != 3 {
		return false
	}
	_, ok := kyc.NormalizeCountry(code)
	return ok
}
