// Package level owns verification levels: which documents a level needs, which profile fields must
// be present, the weight of each check, the accept and reject thresholds and the limits (minimum
// age, image size, proof-of-address age). L0, L1 and L2 are built in (Saintpay's meaning); a JSON
// file can change them or add more. Each level has a version, a hash of its settings, that every
// decision records.
package level

// Config file (KYCD_LEVELS_FILE), JSON:
//
//	{"levels": [
//	  {"name": "L1", "acceptAbove": 85, "weights": {"name-match": 40}},
//	  {"name": "EU-L1", "base": "L1", "minAgeByCountry": {"DE": 18}, "nationalityMatch": true}
//	]}
//
// A level named like a built-in one changes only the fields it sets; a new level starts from its
// "base" (default L1). Unknown fields, unknown checks or document types and impossible thresholds
// stop kycd serve with an error naming the file and line.
