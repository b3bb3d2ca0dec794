// Package review owns the review queue: one case for each thing a person must decide (a KYC
// document in pending-review, a potential sanctions match), opened in the transaction that put it
// in review and closed in the one that decided it (Cases, a store.EventSink), with who works it
// (claims that expire, that two replicas cannot both win), its priority, when it is due (the
// level's service level) and snoozes. Its records and SQL are its own (repo.go), over the store's
// core; the console shows it.
package review

import (
	"slices"
	"time"

	"kycd/internal/kyc"
)

// PrefixCase begins the ids of cases.
const PrefixCase = "rvc"

// The kinds of case.
const (
	KindDocument  = "document"
	KindScreening = "screening"
)

// Kinds lists the kinds of case.
var Kinds = []string{KindDocument, KindScreening}

// The reasons a case waits for a person, from the most to the least urgent by default.
const (
	// ReasonSanctions is a potential sanctions match.
	ReasonSanctions = "sanctions"
	// ReasonDuplicateFace is a document held because its face is another applicant's.
	ReasonDuplicateFace = "duplicate-face"
	// ReasonDuplicate is a document held by another duplicate check (number, file, image).
	ReasonDuplicate = "duplicate"
	// ReasonDocument is a document whose score fell between the level's thresholds.
	ReasonDocument = "document"
)

// Reasons lists the reasons, most urgent first.
var Reasons = []string{ReasonSanctions, ReasonDuplicateFace, ReasonDuplicate, ReasonDocument}

// priorityOf is a reason's default priority: 1 is the most urgent.
func priorityOf(reason string) int {
	if i := slices.Index(Reasons, reason); i >= 0 {
		return i + 1
	}
	return len(Reasons)
}

// Case is one thing a person must decide.
type Case struct {
	ID          string
	Env         kyc.Env
	Kind        string
	SubjectID   string
	ApplicantID string
	Reason      string
	Level       string
	Priority    int
	// Open is false once the subject was decided.
	Open bool
	// ClaimedBy is the person working the case (a console user's id) while ClaimExpires is ahead.
	ClaimedBy    string
	ClaimExpires time.Time
	// SnoozedUntil hides the case from the queue until then.
	SnoozedUntil time.Time
	Revision     int64
	CreatedTime  time.Time
	DueTime      time.Time
	DecidedTime  time.Time
}

// Claimed reports whether someone holds the case at now.
func (c Case) Claimed(now time.Time) bool { return c.ClaimedBy != "" && now.Before(c.ClaimExpires) }

// Overdue reports whether the case is open past its due time at now.
func (c Case) Overdue(now time.Time) bool { return c.Open && !now.Before(c.DueTime) }

// Snoozed reports whether the case is hidden at now.
func (c Case) Snoozed(now time.Time) bool { return now.Before(c.SnoozedUntil) }
