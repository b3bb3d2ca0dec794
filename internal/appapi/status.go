package appapi

// The app document uses PENDING (profile, documents, addresses) and verification_pending (the
// overall kyc_status); kycd's other states map to words of the same style. This table is the one
// place to correct them.
//
//	kycd document status         documents[].kyc_status
//	staged, pending, in-progress PENDING
//	pending-review               IN_REVIEW
//	accepted                     APPROVED
//	rejected                     REJECTED   (failed_reason: the rejection type, e.g. document-expired)
//	archived                     ARCHIVED
//
//	kycd applicant status        profile.kyc_status   kyc_status.status
//	unverified, nothing sent     PENDING              not_started
//	unverified, documents sent   PENDING              verification_pending
//	unverified, one rejected     PENDING              resubmission_required
//	pending-review               IN_REVIEW            manual_review
//	approved                     APPROVED             verified
//	rejected                     REJECTED             verification_failed
var documentStatus = map[string]string{
	"":               "PENDING", // staged: uploaded, not yet in a KYC document
	"pending":        "PENDING",
	"in-progress":    "PENDING",
	"pending-review": "IN_REVIEW",
	"accepted":       "APPROVED",
	"rejected":       "REJECTED",
	"archived":       "ARCHIVED",
}

var applicantStatus = map[string]string{
	"unverified":     "PENDING",
	"pending-review": "IN_REVIEW",
	"approved":       "APPROVED",
	"rejected":       "REJECTED",
}

// overallStatus is kyc_status.status from the applicant's status and its documents' statuses.
func overallStatus(applicant string, docs []string) string {
	switch applicant {
	case "pending-review":
		return "manual_review"
	case "approved":
		return "verified"
	case "rejected":
		return "verification_failed"
	}
	if len(docs) == 0 {
		return "not_started"
	}
	pending := false
	rejected := false
	for _, s := range docs {
		switch s {
		case "", "pending", "in-progress", "pending-review":
			pending = true
		case "rejected":
			rejected = true
		}
	}
	if rejected && !pending {
		return "resubmission_required"
	}
	return "verification_pending"
}
