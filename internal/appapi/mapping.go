package appapi

import (
	"strings"
)

// subtypes maps the app's identification_type (free text such as "Passport" or "Electricity
// bill") to kycd's document subtype, per document type; anything else is "other". Keys are lower
// case with spaces, dashes, underscores and apostrophes removed.
var subtypes = map[string]map[string]string{
	"identity-proof": {
		"passport": "passport", "nationalid": "id-card", "idcard": "id-card", "identitycard": "id-card", "nationalidcard": "id-card",
		"drivinglicense": "driver-license", "driverlicense": "driver-license", "driverslicense": "driver-license", "drivinglicence": "driver-license",
		"residencepermit": "residence-permit", "visa": "visa",
	},
	"address-proof": {
		"electricitybill": "utility-bill", "waterbill": "utility-bill", "gasbill": "utility-bill", "utilitybill": "utility-bill",
		"phonebill": "utility-bill", "internetbill": "utility-bill", "bankstatement": "bank-statement", "taxdocument": "tax-document",
		"taxreturn": "tax-document", "rentalagreement": "rental-agreement", "leaseagreement": "rental-agreement", "idcard": "id-card",
		"drivinglicense": "driver-license", "driverlicense": "driver-license", "residencepermit": "residence-permit",
	},
}

func subtypeOf(docType, label string) string {
	if label == "" {
		return ""
	}
	key := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '\'', '.':
			return -1
		}
		return r
	}, strings.ToLower(label))
	if s, ok := subtypes[docType][key]; ok {
		return s
	}
	return "other"
}

// appFields are the identification_* fields of an app document, in the order the document lists
// them, with the kycd field each one feeds (for error locations).
var appFields = []struct{ app, kycd string }{
	{"identification_type", "subtype"},
	{"identification_value", "identification.number"},
	{"identification_doc_expiry", "identification.expiryDate"},
	{"identification_issuing_date", "identification.issueDate"},
	{"identification_doc_holder_name", "identification.holderName"},
	{"identification_issuing_authority", "identification.issuingAuthority"},
	{"identification_doc_issuance_country", "identification.issuingCountry"},
	{"identification_doc_reference_number", "identification.referenceNumber"},
}

// appLocation turns a kycd error location (body.identification.issueDate) into the app's
// (body.documents[i].identification_issuing_date).
func appLocation(loc, prefix string) string {
	rest, ok := strings.CutPrefix(loc, "body.")
	if !ok {
		return loc
	}
	for _, f := range appFields {
		if rest == f.kycd {
			return prefix + "." + f.app
		}
	}
	return loc
}
