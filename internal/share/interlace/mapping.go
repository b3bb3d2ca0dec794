package interlace

import "kycd/internal/share"

// Names are the body's field names: the fragment (seed) leaves them out or names them one way,
// the live clients another (FACTS.md). The code sends the live name; to follow the fragment,
// swap a value for its key.
var Names = map[string]string{
	"dob":                  "dateOfBirth",
	"idNumber":             "nationalId",
	"expectedMonthlySpend": "expectedMonthlyVolume",
}

// name is the field name the code sends for the fragment's name n.
func name(n string) string {
	if live, ok := Names[n]; ok {
		return live
	}
	return n
}

// Mapping is what is sent, field by field. It is the table the README shows.
var Mapping = []share.Row{
	row("path accountId", "options.accountId (the Interlace account's UUID)", "required, UUID", ""),
	row("firstName / lastName", "profile.firstNameLatin or firstName / lastNameLatin or lastName", "required", ""),
	row("dateOfBirth", "profile.dateOfBirth", "YYYY-MM-DD, age 18-65", "fragment: dob; live clients: dateOfBirth (code)"),
	row("gender", "profile.gender: male M, female F", "required, M or F", ""),
	row("occupation", "profile.occupation (SOC code)", "", ""),
	row("annualSalary / accountPurpose", "profile.annualSalary / accountPurpose", "", ""),
	row("expectedMonthlyVolume", "profile.expectedMonthlySpend", "", "fragment: expectedMonthlySpend; live clients: expectedMonthlyVolume (code)"),
	row("nationality", "profile.nationality, alpha-2", "required", ""),
	row("nationalId", "identification.number", "required", "fragment: idNumber; live clients: nationalId (code)"),
	row("idType", "document subtype and issuing country, table idTypes: CN id-card CN-RIC; HK id-card HK-HKID; US driver-license DLN, id-card Government-Issued ID Card; AE residence-permit UAE Residency Permit; EU countries residence-permit EU Residency Permit; everywhere passport PASSPORT", "required, per country", ""),
	row("ssn", "profile.ssn, when the nationality is US", "9 digits, US only", ""),
	row("idIssueDate / idExpiryDate", "identification.issueDate / expiryDate", "required, YYYY-MM-DD", "names absent from the fragment: idIssueDate / idExpiryDate assumed"),
	row("address {addressLine1, addressLine2, city, state, postalCode, country}", "residential address, country alpha-2", "required: line1, city, country", "sub-field names absent from the fragment: assumed"),
	row("idFrontFileId / idBackFileId / selfieFileId", "files id-front / id-back / face-proof, uploaded first", "front and selfie required; back not for passports, CN-RIC needs it, others reuse the front", "names absent from the fragment: assumed"),
	row("phoneNumber / phoneCountryCode", "profile.phone.number / countryCode", "<= 15 digits / <= 3 digits, no +", ""),
	row("kycSource", "\"api\"", "", "the fragment's last field defaults to \"api\" without a name: kycSource assumed"),
}

func row(field, source, rule, disagreement string) share.Row {
	return share.Row{Field: field, Source: source, Rule: rule, Disagreement: disagreement}
}

// idTypes maps (issuing country, kycd subtype) to Interlace's idType; "*" is every other country.
var idTypes = map[string]map[string]string{
	"CN": {"id-card": "CN-RIC", "passport": "PASSPORT"},
	"HK": {"id-card": "HK-HKID", "passport": "PASSPORT"},
	"US": {"driver-license": "DLN", "passport": "PASSPORT", "id-card": "Government-Issued ID Card"},
	"AE": {"driver-license": "DLN", "passport": "PASSPORT", "id-card": "Government-Issued ID Card", "residence-permit": "UAE Residency Permit"},
	"*":  {"driver-license": "DLN", "passport": "PASSPORT", "id-card": "Government-Issued ID Card", "residence-permit": "EU Residency Permit"},
}

// eu lists the countries whose residence permits are EU Residency Permits.
var eu = map[string]bool{"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true, "FR": true,
	"DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true,
	"RO": true, "SK": true, "SI": true, "ES": true, "SE": true}

// idType is Interlace's idType for a document, "" when it has none.
func idType(country, subtype string) string {
	table, ok := idTypes[country]
	if !ok {
		table = idTypes["*"]
		if subtype == "residence-permit" && !eu[country] {
			return ""
		}
	}
	return table[subtype]
}

// genders maps kycd's gender to Interlace's.
var genders = map[string]string{"male": "M", "female": "F"}

// statuses maps Interlace's kycStatus to share statuses; Na means no KYC was submitted.
var statuses = map[string]string{"Pending": "submitted", "Request": "needs-info", "Passed": "approved", "Canceled": "rejected"}

// Ages Interlace accepts.
const minAge, maxAge = 18, 65
