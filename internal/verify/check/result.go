package check

// Result is the outcome of one check, shaped for Rebilly's checkList item {name, failed, score,
// reason}: the engine adds the score from the weight it keeps for Name.
type Result struct {
	// Name is the check's name, one of the Name* constants (kebab-case).
	Name string
	// Failed reports that the check ran and found a problem.
	Failed bool
	// Reason is the Rebilly rejection type (one of kyc.RejectionTypes) to give the document when
	// this check rejects it; set only when Failed.
	Reason string
	// Detail says briefly what was found, for the checkList and for reviewers. It never holds
	// personal data: field paths, sizes and thresholds, not names, numbers or dates.
	Detail string
	// Decisive marks a failure that rejects the document whatever its score (an expired document,
	// an applicant under age). Only set when Failed.
	Decisive bool
	// Review marks a failure that a person must look at whatever the score: the document is held
	// in pending-review rather than accepted (it is still rejected when the score falls below the
	// level's rejectBelow, or by a decisive failure). Only set when Failed.
	Review bool
	// Skipped reports that the check had nothing to look at (no phone given, no MRZ, a check that
	// does not apply to this document); a skipped result is neither passed nor failed and should
	// cost no score.
	Skipped bool
}

// pass is a passed check.
func pass(name string) Result { return Result{Name: name} }

// fail is a failed check with a Rebilly rejection type and a detail.
func fail(name, reason, detail string) Result {
	return Result{Name: name, Failed: true, Reason: reason, Detail: detail}
}

// decisive is a failed check that rejects whatever the score.
func decisive(name, reason, detail string) Result {
	r := fail(name, reason, detail)
	r.Decisive = true
	return r
}

// review is a failed check that holds the document for a person whatever the score.
func review(name, reason, detail string) Result {
	r := fail(name, reason, detail)
	r.Review = true
	return r
}

// skip is a check that had nothing to look at.
func skip(name, detail string) Result { return Result{Name: name, Skipped: true, Detail: detail} }
