package kyc

import "time"

// PrefixScreening is the id prefix of screenings.
const PrefixScreening = "scr"

// Screening dispositions: clear (no hit at the threshold), potential-match (a person must look),
// confirmed (a reviewer says it is the listed party: a decisive rejection), false-positive (a
// reviewer says it is not; remembered per applicant and list entry until the entry changes).
var ScreeningDispositions = []string{"clear", "potential-match", "confirmed", "false-positive"}

// Screening event types.
const (
	// EventScreeningClear: a screening found no hit at the threshold.
	EventScreeningClear = "screening-clear"
	// EventScreeningPotentialMatch: screening found a potential match; the applicant's documents
	// wait for review.
	EventScreeningPotentialMatch = "screening-potential-match"
	// EventScreeningReviewed: a reviewer marked a screening confirmed or false-positive.
	EventScreeningReviewed = "screening-reviewed"
)

// Screening is one applicant's screening against the sanctions lists.
type Screening struct {
	ID          string `json:"id"`
	Env         Env    `json:"-"`
	ApplicantID string `json:"applicantId"`
	// Reason says what caused it: applicant-created, applicant-updated, list-updated, manual, or
	// document-verification (an identity document's decision screened the applicant first).
	Reason      string           `json:"reason" doc:"applicant-created, applicant-updated, list-updated, manual or document-verification"`
	Disposition string           `json:"disposition" enum:"clear,potential-match,confirmed,false-positive"`
	Threshold   float64          `json:"threshold" doc:"The match threshold the hits were cut at"`
	Hits        []ScreeningHit   `json:"hits"`
	Lists       []SanctionsList  `json:"lists" doc:"The list versions screened against"`
	Review      *ScreeningReview `json:"review,omitempty"`
	Revision    int64            `json:"revision"`
	CreatedTime time.Time        `json:"createdTime"`
	UpdatedTime time.Time        `json:"updatedTime"`
}

// ScreeningHit is one list entry that matched.
type ScreeningHit struct {
	List         string   `json:"list"`
	EntryID      string   `json:"entryId" doc:"The list's own id (OFAC ent_num, UN reference number)"`
	EntryHash    string   `json:"-"`
	Type         string   `json:"type"`
	Name         string   `json:"name" doc:"The entry's primary name"`
	MatchedName  string   `json:"matchedName" doc:"The name or alias that matched"`
	Alias        bool     `json:"alias"`
	Score        float64  `json:"score"`
	Why          []string `json:"why"`
	Programs     []string `json:"programs,omitempty"`
	DatesOfBirth []string `json:"datesOfBirth,omitempty"`
	Countries    []string `json:"countries,omitempty"`
}

// ScreeningReview is a reviewer's disposition of a potential match.
type ScreeningReview struct {
	Reviewer    Actor     `json:"reviewer"`
	Disposition string    `json:"disposition"`
	Notes       string    `json:"notes,omitempty"`
	Time        time.Time `json:"time"`
}

// SanctionsList is one imported version of a list.
type SanctionsList struct {
	List       string    `json:"list" doc:"ofac-sdn, ofac-consolidated or un"`
	Version    string    `json:"version" doc:"SHA-256 of the list's files"`
	EntryCount int       `json:"entryCount"`
	Source     string    `json:"source,omitempty"`
	ImportedAt time.Time `json:"importedTime"`
	// PublishedAt is the publisher's date of this version when known: the UN list's dateGenerated,
	// the manifest date of the bundled snapshot, or the Last-Modified of a fetched OFAC file.
	PublishedAt *time.Time `json:"publishedTime,omitempty" doc:"The publisher's date of this version, when known"`
	// CheckedAt is when kycd last knew this version to be the publisher's current one: the fetch
	// of a refresh (changed or not), the date of the bundled snapshot it came from, or the import
	// of files (their publication date when they carry one).
	CheckedAt time.Time `json:"checkedTime" doc:"When this version was last known to be the publisher's current one (last refresh that fetched it, or the snapshot's date)"`
	// Stale is true when CheckedAt is more than 30 days old at the time of the answer (or of the
	// screening that used the list).
	Stale bool `json:"stale" doc:"true when the list has not been confirmed current for more than 30 days"`
}

// KnownCurrent is when v was last known to be its publisher's current version: CheckedAt, or
// ImportedAt for a list stored before kycd kept CheckedAt. A list's age is counted from it.
func (v SanctionsList) KnownCurrent() time.Time {
	if v.CheckedAt.IsZero() {
		return v.ImportedAt
	}
	return v.CheckedAt
}
