package kyc

import "slices"

// Enum values of the API. Each list is the single source of truth: the HTTP layer's schema tags are
// checked against these lists by a test, and domain validation uses them.
var (
	// ApplicantTypes are the kinds of applicant.
	ApplicantTypes = []string{"individual", "business"}
	// ApplicantStatuses: unverified until a decision, then approved or rejected; pending-review
	// while a person must look.
	ApplicantStatuses = []string{"unverified", "pending-review", "approved", "rejected"}
	// Genders as kycd stores them; connectors map them to each partner's form (M/F, 1/2).
	Genders = []string{"male", "female", "other"}
	// AddressTypes of an applicant's addresses.
	AddressTypes = []string{"residential", "mailing", "business"}
	// FileTags say what an uploaded file shows.
	FileTags = []string{"id-front", "id-back", "face-proof", "address-proof", "other"}
	// DocumentTypes are Rebilly's KYC document types.
	DocumentTypes = []string{"identity-proof", "address-proof", "funds-proof", "purchase-proof", "credit-file-proof"}
	// DocumentStatuses are Rebilly's KYC document statuses plus pending-review: the checks scored
	// the document between the level's thresholds and a person must decide.
	DocumentStatuses = []string{"pending", "in-progress", "pending-review", "accepted", "rejected", "archived"}
	// RejectionTypes are Rebilly's rejection reason types.
	RejectionTypes = []string{
		"document-unreadable", "document-expired", "document-not-matching", "document-duplicate",
		"document-invalid", "document-not-open", "underage-person", "third-party-or-mismatch",
		"expiration-date-missing", "issue-date-missing", "dob-mismatch", "name-mismatch",
		"critical-info-missing", "old-address-on-id", "tampered-document", "other",
	}
	// RequestStatuses are Rebilly's KYC request statuses: gathering, attempted, partial and
	// pending-review are temporary; fulfilled, failed, abandoned and expired are final.
	RequestStatuses = []string{"gathering", "attempted", "partial", "pending-review", "fulfilled", "failed", "abandoned", "expired"}
)

// Subtypes lists the subtypes each document type accepts.
var Subtypes = map[string][]string{
	"identity-proof":    {"passport", "id-card", "driver-license", "residence-permit", "visa", "other"},
	"address-proof":     {"utility-bill", "bank-statement", "tax-document", "rental-agreement", "id-card", "driver-license", "residence-permit", "other"},
	"funds-proof":       {"bank-statement", "payslip", "tax-document", "other"},
	"purchase-proof":    {"invoice", "bank-statement", "other"},
	"credit-file-proof": {"credit-file", "other"},
}

// AllSubtypes is the union of Subtypes, sorted.
var AllSubtypes = func() []string {
	var all []string
	for _, s := range Subtypes {
		for _, v := range s {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	slices.Sort(all)
	return all
}()

// OneOf reports whether v is in list.
func OneOf(v string, list []string) bool { return slices.Contains(list, v) }

// FinalRequestStatus reports whether a KYC request in status s can no longer change.
func FinalRequestStatus(s string) bool {
	switch s {
	case "fulfilled", "failed", "abandoned", "expired":
		return true
	}
	return false
}

// AwaitingEndUser reports whether a KYC request in status s still waits for the end user, and so
// expires when its expirationTime passes.
func AwaitingEndUser(s string) bool {
	return s == "gathering" || s == "attempted" || s == "partial"
}

// Event types. Document and request events use Rebilly's names; every event carries the
// resource's revision.
const (
	EventApplicantCreated = "applicant-created"
	EventApplicantUpdated = "applicant-updated"
	// EventApplicantErased: the applicant's personal data was erased; its data is the applicant's
	// id and erasedTime only.
	EventApplicantErased  = "applicant-erased"
	EventFileStored       = "file-stored"
	EventDocumentCreated  = "kyc-document-created"
	EventDocumentAccepted = "kyc-document-accepted"
	EventDocumentRejected = "kyc-document-rejected"
	EventDocumentReviewed = "kyc-document-reviewed"
	// EventDocumentPendingReview: the checks (or a later screening) left a document for a person.
	EventDocumentPendingReview = "kyc-document-pending-review"
	// EventDocumentArchived: a document was archived; it no longer counts towards its request.
	EventDocumentArchived          = "kyc-document-archived"
	EventRequestCreated            = "kyc-request-created"
	EventRequestUpdated            = "kyc-request-updated"
	EventRequestAttempted          = "kyc-request-attempted"
	EventRequestPartiallyFulfilled = "kyc-request-partially-fulfilled"
	EventRequestFulfilled          = "kyc-request-fulfilled"
	EventRequestFailed             = "kyc-request-failed"
	EventRequestExpired            = "kyc-request-expired"
	EventRequestAbandoned          = "kyc-request-abandoned"
	// EventRequestPendingReview: a document of the request waits for a person.
	EventRequestPendingReview = "kyc-request-pending-review"
)

// Webhook event types: a ping is sent only to the webhook being tested (POST
// /v1/webhooks/{id}/test); webhook-disabled says kycd disabled a webhook (410 Gone, or every
// delivery failing for days) and goes to the environment's other webhooks.
const (
	EventPing            = "ping"
	EventWebhookDisabled = "webhook-disabled"
)

// EventTypes lists every event type kycd writes.
var EventTypes = []string{
	EventApplicantCreated, EventApplicantUpdated, EventApplicantErased, EventFileStored, EventDocumentCreated, EventDocumentAccepted,
	EventDocumentRejected, EventDocumentReviewed, EventDocumentPendingReview, EventDocumentArchived, EventRequestCreated, EventRequestUpdated, EventRequestAttempted,
	EventRequestPartiallyFulfilled, EventRequestFulfilled, EventRequestFailed, EventRequestExpired, EventRequestAbandoned,
	EventRequestPendingReview, EventPing, EventWebhookDisabled, EventScreeningClear, EventScreeningPotentialMatch, EventScreeningReviewed,
	EventShareQueued, EventShareSubmitted, EventShareApproved, EventShareRejected, EventShareNeedsInfo, EventShareFailed,
}
