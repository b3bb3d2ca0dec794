// Package gather owns the end user's side of verification, shared by the hosted flow
// (internal/web) and the app endpoints (internal/appapi): files uploaded one screen at a time, the
// claims of a document staged until its parts are all there (an identity document waits for its
// selfie when the KYC request asks for one), and KYC documents created through the same services as
// /v1, so the checks run and webhooks fire as for any other document.
//
// What an end user has staged but not yet submitted is a Draft, one per applicant, kept sealed in
// the database (store.Draft). A draft also remembers which KYC document each screen produced, so the
// app endpoints can answer the documents as the app sent them.
//
// No lock guards a draft. An upload stores its file first, outside any transaction, then reads the
// draft, changes it and writes it over the version it read; when another request, on this replica
// or another, wrote the draft in between, the write is refused (store.ErrDraftChanged) and the
// change is redone on the new draft. A submit writes the draft in the transaction that creates the
// documents it becomes (Changer), so the two are stored together or not at all, and a retry after a
// failure submits the staged files once.
//
// Drafts written before they moved into the database are blobs (drafts/<env>/<applicant id>): one
// is read while the applicant has no draft in the database, and moved there by its next change.
package gather
