package verify

import (
	"time"

	"kycd/internal/kyc"
	"kycd/internal/level"
)

// finding is one check's result as the engine weighs it.
type finding struct {
	Name     string
	Failed   bool
	Reason   string // a Rebilly rejection type when failed
	Detail   string // never personal data
	Decisive bool   // rejects whatever the score
	Review   bool   // when failed, a person must decide whatever the score (a potential sanctions match)
	Weight   int
}

// decision scores findings at a level: 100 minus the weight of every failed check, accepted at or
// above AcceptAbove, rejected below RejectBelow, pending-review between. A failed decisive check
// rejects whatever the score. The rejection reason is the decisive check's, else the heaviest
// failed check's.
func decision(fs []finding, l level.Level, now time.Time) (kyc.Decision, []kyc.Check, *kyc.RejectionReason) {
	score := 100
	checks := make([]kyc.Check, 0, len(fs))
	var decisive, heaviest *finding
	review := false
	for i := range fs {
		f := &fs[i]
		c := kyc.Check{Name: f.Name, Failed: f.Failed}
		if f.Failed {
			c.Score = -f.Weight
			c.Reason = f.Reason
			score -= f.Weight
			if f.Decisive && decisive == nil {
				decisive = f
			}
			review = review || f.Review
			if heaviest == nil || f.Weight > heaviest.Weight {
				heaviest = f
			}
		}
		checks = append(checks, c)
	}
	score = max(score, 0)
	d := kyc.Decision{Level: l.Name, LevelVersion: l.Version, AcceptAbove: l.AcceptAbove, RejectBelow: l.RejectBelow, Score: score, DecidedTime: now.UTC()}
	var reason *kyc.RejectionReason
	switch {
	case decisive != nil:
		d.Outcome, d.Decisive = "rejected", decisive.Name
		reason = &kyc.RejectionReason{Type: decisive.Reason, Message: decisive.Detail}
	case score >= l.AcceptAbove && !review:
		d.Outcome = "accepted"
	case score < l.RejectBelow:
		d.Outcome = "rejected"
		reason = &kyc.RejectionReason{Type: heaviest.Reason, Message: heaviest.Detail}
	default:
		d.Outcome = "pending-review"
	}
	if reason != nil && reason.Type == "" {
		reason.Type = "other"
	}
	return d, checks, reason
}
