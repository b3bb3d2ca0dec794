// Package verify is the check engine. When a KYC document is created, a River job (inserted in the
// same transaction) runs the checks that the document's type and the level call for, stores the
// checkList, score, parsedData and the decision with the level's version, and moves the document to
// accepted, rejected or pending-review, its KYC request and applicant with it, in one transaction.
// The checks themselves live in verify/check and mrz; this package gathers their inputs (the
// applicant, the request, the files' bytes), weighs their results and decides.
//
// Running a job twice reaches the same result: checks are pure functions of the stored data, and a
// document that is already decided is left alone.
package verify
