// Package gather owns the end user's side of verification, shared by the hosted flow
// (internal/web) and the app endpoints (internal/appapi): files uploaded one screen at a time, the
// claims of a document staged until its parts are all there (an identity document waits for its
// selfie when the KYC request asks for one), and KYC documents created through the same services as
// /v1, so the checks run and webhooks fire as for any other document.
//
// What an end user has staged but not yet submitted is a Draft, one per applicant, kept sealed in
// the blob store beside the applicant's files (the database holds only what was submitted). A draft
// also remembers which KYC document each screen produced, so the app endpoints can answer the
// documents as the app sent them.
package gather
