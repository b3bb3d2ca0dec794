package verify

import (
	"context"
	"errors"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/request"
	"kycd/internal/store"
)

// CheckVerificationError: kycd could not verify the document at all, for a reason another
// attempt would not cure (one of its files' bytes, its applicant or its request no longer found;
// its level no longer configured). The document waits for a person (review) instead of a job
// retrying it for hours; the detail is not given to the end user.
const CheckVerificationError = "verification-error"

// errLevelUnknown: the document's level is not among the configured levels (a levels file
// changed under a pending document).
var errLevelUnknown = errors.New("level not configured")

// Permanent reports whether err, from Verify, is one another attempt would meet again: something
// the verification needs is not found (kyc.ErrNotFound) or its level is not configured. Database
// and storage outages, timeouts and cancellations are not permanent.
func Permanent(err error) bool {
	return errors.Is(err, kyc.ErrNotFound) || errors.Is(err, errLevelUnknown)
}

// Hold decides a pending document as pending-review with CheckVerificationError failed, after
// Verify met a permanent error: a person decides it, and its request and applicant move on as for
// any review. A document already decided is left alone; one that does not exist gives an error
// wrapping kyc.ErrNotFound.
func (e *Engine) Hold(ctx context.Context, env kyc.Env, id string) error {
	_, err := e.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
		doc := c.Document
		if doc.Status != "pending" && doc.Status != "in-progress" {
			return store.Effects{}, errSettled
		}
		l := level.Level{Name: "L1"}
		if c.Request != nil {
			l.Name = c.Request.Level
		}
		if known, ok := e.levels.Get(l.Name); ok {
			l = known
		}
		fs := []finding{{Name: CheckVerificationError, Failed: true, Review: true, Reason: "other",
			Weight: ownWeights[CheckVerificationError]}}
		dec, checks, _ := decision(fs, l, e.cfg.Now())
		dec.Outcome = "pending-review" // whatever the level's thresholds: a person decides
		doc.Status, doc.Score, doc.CheckList, doc.ParsedData, doc.Decision = dec.Outcome, &dec.Score, checks, map[string]any{}, &dec
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: engineActor, Action: "kyc-document.hold", ResourceType: "kyc-document", ResourceID: doc.ID}}
		return request.Decided(c, eff, e.levels), nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}
