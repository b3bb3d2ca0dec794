package level

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
)

// Level is one verification level.
type Level struct {
	// Name is how requests and applicants refer to the level ("L1").
	Name string `json:"name"`
	// Base is the level a new level starts from (default L1); unused for built-in names.
	Base string `json:"base,omitempty"`
	// Documents are the document types a request at this level asks for by default.
	Documents []string `json:"documents"`
	// RequiredFields are applicant fields that must be present (paths like "profile.dateOfBirth").
	RequiredFields []string `json:"requiredFields"`
	// AcceptAbove: a document scoring at or above it is accepted.
	AcceptAbove int `json:"acceptAbove"`
	// RejectBelow: a document scoring below it is rejected; between the two a person decides.
	RejectBelow int `json:"rejectBelow"`
	// Weights is what each failed check subtracts from 100. A check with weight 0 still runs and is
	// reported but does not count; checks not listed use the engine's defaults.
	Weights map[string]int `json:"weights"`
	// MinAge is the minimum age in years; MinAgeByCountry overrides it for residents (or, without a
	// residence, nationals) of a country.
	MinAge          int            `json:"minAge"`
	MinAgeByCountry map[string]int `json:"minAgeByCountry"`
	// NationalityMatch asks that an identity document's issuing country be the nationality.
	NationalityMatch bool `json:"nationalityMatch"`
	// AddressProofMaxAgeDays is how recent a proof of address must be.
	AddressProofMaxAgeDays int `json:"addressProofMaxAgeDays"`
	// MinImageSide is the smallest short side, in pixels, of an identity document's image.
	MinImageSide int `json:"minImageSide"`
	// Version is a hash of the settings above, recorded with every decision.
	Version string `json:"-"`
}

// Builtin returns L0, L1 and L2.
func Builtin() map[string]Level {
	l1 := Level{
		Name: "L1", Documents: []string{"identity-proof"},
		RequiredFields:         []string{"profile.firstName", "profile.lastName", "profile.dateOfBirth", "profile.nationality"},
		AcceptAbove:            80,
		RejectBelow:            50,
		Weights:                map[string]int{},
		MinAge:                 18,
		MinAgeByCountry:        map[string]int{"US": 21},
		AddressProofMaxAgeDays: 90,
		MinImageSide:           600,
	}
	l0 := clone(l1)
	l0.Name, l0.Documents, l0.RequiredFields = "L0", []string{}, []string{}
	l2 := clone(l1)
	l2.Name = "L2"
	l2.Documents = []string{"identity-proof", "address-proof", "funds-proof"}
	l2.RequiredFields = append(slices.Clone(l1.RequiredFields), "profile.countryOfResidence", "addresses")
	out := map[string]Level{}
	for _, l := range []Level{l0, l1, l2} {
		l.Version = version(l)
		out[l.Name] = l
	}
	return out
}

func clone(l Level) Level {
	l.Documents = slices.Clone(l.Documents)
	l.RequiredFields = slices.Clone(l.RequiredFields)
	l.Weights = maps.Clone(l.Weights)
	l.MinAgeByCountry = maps.Clone(l.MinAgeByCountry)
	return l
}

// version hashes a level's settings (JSON marshals map keys sorted, so it is stable).
func version(l Level) string {
	l.Version = ""
	b, _ := json.Marshal(l)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

// MinAgeFor returns the minimum age for a resident (or national) of country.
func (l Level) MinAgeFor(country string) int {
	if n, ok := l.MinAgeByCountry[country]; ok {
		return n
	}
	return l.MinAge
}

// Weight returns a check's weight at this level, or def when the level does not set it.
func (l Level) Weight(check string, def int) int {
	if w, ok := l.Weights[check]; ok {
		return w
	}
	return def
}
