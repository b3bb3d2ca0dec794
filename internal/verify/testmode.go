package verify

import (
	"strings"

	"kycd/internal/kyc"
)

// Test mode: with a test key, a document whose identification.number is one of these magic values
// gets the outcome it names, whatever the checks find (the checks still run and are reported), the
// way Rebilly's sandbox lets integrators exercise their flows. Live documents never honour them.
const (
	// MagicAccept forces accepted.
	MagicAccept = "TEST-ACCEPT"
	// MagicReview forces pending-review.
	MagicReview = "TEST-REVIEW"
	// MagicReject forces rejected with reason "other"; MagicReject + "-" + a rejection type (for
	// example TEST-REJECT-document-expired) forces that reason.
	MagicReject = "TEST-REJECT"
)

// forced returns the outcome a test-mode magic value asks for, if any.
func forced(env kyc.Env, d *kyc.Document) (outcome string, reason *kyc.RejectionReason, ok bool) {
	if env != kyc.EnvTest || d.Identification == nil {
		return "", nil, false
	}
	n := d.Identification.Number
	switch {
	case n == MagicAccept:
		return "accepted", nil, true
	case n == MagicReview:
		return "pending-review", nil, true
	case n == MagicReject:
		return "rejected", &kyc.RejectionReason{Type: "other", Message: "forced by " + MagicReject}, true
	case strings.HasPrefix(n, MagicReject+"-"):
		typ := strings.TrimPrefix(n, MagicReject+"-")
		if kyc.OneOf(typ, kyc.RejectionTypes) {
			return "rejected", &kyc.RejectionReason{Type: typ, Message: "forced by " + n}, true
		}
	}
	return "", nil, false
}
