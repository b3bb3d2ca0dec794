// Package document owns KYC documents: evidence made of uploaded files plus what it claims. It
// validates new documents (type and subtype, files of the same applicant, real dates, countries),
// stores them, and records a person's acceptance or rejection with Rebilly's reason types.
package document
