package match

// Entry is one person, organisation, vessel or aircraft on a sanctions list, as the matcher sees
// it. The loaders in package lists build entries from the official files.
type Entry struct {
	// List names the list: "ofac-sdn", "ofac-consolidated" or "un".
	List string `json:"list"`
	// ID is the list's own id of the entry (OFAC's ent_num, the UN's reference number).
	ID string `json:"id"`
	// Type is individual, entity, vessel or aircraft.
	Type string `json:"type"`
	// Name is the primary name as the list writes it ("LAST, First" for OFAC individuals).
	Name string `json:"name"`
	// Aliases are the other names (a.k.a., f.k.a., n.k.a.).
	Aliases []string `json:"aliases,omitempty"`
	// DatesOfBirth are YYYY, YYYY-MM or YYYY-MM-DD.
	DatesOfBirth []string `json:"datesOfBirth,omitempty"`
	// PlacesOfBirth as the list writes them.
	PlacesOfBirth []string `json:"placesOfBirth,omitempty"`
	// Countries are ISO 3166-1 alpha-2 nationalities and citizenships.
	Countries []string `json:"countries,omitempty"`
	// Passports are passport and national id numbers as written.
	Passports []string `json:"passports,omitempty"`
	// Programs are the sanctions programmes (SDGT, IRAN, ...).
	Programs []string `json:"programs,omitempty"`
	// Remarks is the list's free text, kept for reviewers.
	Remarks string `json:"remarks,omitempty"`
}

// Query is one name to screen, with what else is known about it.
type Query struct {
	// Name is the name as given, in any order and script that decomposes to Latin letters.
	Name string
	// DateOfBirth is YYYY-MM-DD or YYYY; optional.
	DateOfBirth string
	// Country is an alpha-2 nationality; optional.
	Country string
	// Type is individual or entity (business); optional.
	Type string
	// MinScore drops hits below it: any value in (0, 1]; 0 (or less) means DefaultThreshold.
	// A hit at one MinScore is in the answer at every lower one with the same score.
	MinScore float64
	// Limit is the most hits returned; 0 means 10.
	Limit int
}

// Hit is one entry that matched a query.
type Hit struct {
	// Entry is the matched entry.
	Entry *Entry
	// MatchedName is the entry's name or alias that scored best.
	MatchedName string
	// Alias reports whether MatchedName is an alias.
	Alias bool
	// Score is the final score, 0 to 1.
	Score float64
	// NameScore is the score of the names alone, before date of birth, country and type.
	NameScore float64
	// Why lists, in words, what raised or lowered the score.
	Why []string
}

// DefaultThreshold is the score at and above which a hit is a potential match: the same number
// is the default of POST /v1/screenings and what screening in verification uses. A listed name
// written another way (a typo, a transliteration, a left-out middle name, an extra given name)
// scores above it; a name that only shares common words, a given name or a surname with a
// listed one is capped below it. On the held-out half of the labelled evaluation in
// bench/screening-eval it finds 98.7% of the listed names asked about with a precision of 0.996
// (see bench/README.md).
const DefaultThreshold = 0.85
