package check

import (
	"slices"
	"time"

	"kycd/internal/kyc"
)

// DocumentDates checks the identification's dates: each given one a real YYYY-MM-DD date, the
// issue date not later than today's date anywhere on Earth (see latestToday) and before the expiry
// date. Such dates cannot be on a real document, which is strong evidence that the document, or
// what is claimed about it, is made up: a failure is document-invalid and decisive (the applicant
// may try again with the attempts the request leaves). Without either date the check is skipped.
func DocumentDates(id *kyc.Identification, now time.Time) Result {
	if id == nil || (id.IssueDate == "" && id.ExpiryDate == "") {
		return skip(NameDocumentDates, "no issue or expiry date")
	}
	issue, issueOK := kyc.ParseDate(id.IssueDate)
	expiry, expiryOK := kyc.ParseDate(id.ExpiryDate)
	switch {
	case id.IssueDate != "" && !issueOK:
		return decisive(NameDocumentDates, ReasonInvalid, "issue date is not a real YYYY-MM-DD date")
	case id.ExpiryDate != "" && !expiryOK:
		return decisive(NameDocumentDates, ReasonInvalid, "expiry date is not a real YYYY-MM-DD date")
	case issueOK && issue.After(latestToday(now)):
		return decisive(NameDocumentDates, ReasonInvalid, "issue date is in the future")
	case issueOK && expiryOK && !issue.Before(expiry):
		return decisive(NameDocumentDates, ReasonInvalid, "issue date is not before the expiry date")
	}
	return pass(NameDocumentDates)
}

// latestToday is the latest calendar date anywhere on Earth at now (the date in UTC+14, the
// furthest time zone ahead), at midnight UTC like the dates of kyc.ParseDate. A document issued
// today in Tokyo or Auckland may carry tomorrow's date for a server in UTC; a date after this one
// is in the future everywhere.
func latestToday(now time.Time) time.Time {
	return today(now.In(time.FixedZone("UTC+14", 14*60*60)))
}

// NotExpired checks that the document has not expired: it is valid through its expiry date and
// expired from the next day (in now's location). Expired is document-expired and decisive. Without
// a real expiry date the check is skipped (ExpiryPresent and DocumentDates report that).
func NotExpired(id *kyc.Identification, now time.Time) Result {
	if id == nil {
		return skip(NameNotExpired, "no identification")
	}
	expiry, ok := kyc.ParseDate(id.ExpiryDate)
	if !ok {
		return skip(NameNotExpired, "no usable expiry date")
	}
	if expiry.Before(today(now)) {
		return decisive(NameNotExpired, ReasonExpired, "the document has expired")
	}
	return pass(NameNotExpired)
}

// ExpiryPresent checks that an identity document (type identity-proof) states its expiry date:
// expiration-date-missing otherwise. Documents of other types, and identity documents whose
// subtype is in neverExpire (subtypes that a level accepts without an expiry date), are skipped.
func ExpiryPresent(doc *kyc.Document, neverExpire []string) Result {
	if doc == nil || doc.Type != "identity-proof" {
		return skip(NameExpiryPresent, "not an identity document")
	}
	if slices.Contains(neverExpire, doc.Subtype) {
		return skip(NameExpiryPresent, "this subtype has no expiry date")
	}
	if doc.Identification == nil || doc.Identification.ExpiryDate == "" {
		return fail(NameExpiryPresent, ReasonExpiryMissing, "the identity document has no expiry date")
	}
	return pass(NameExpiryPresent)
}
