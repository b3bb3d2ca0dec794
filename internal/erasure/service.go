package erasure

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Part erases, inside an erasure's transaction, the personal data that one domain keeps of an
// applicant in its own tables, and answers how many records of each kind it changed (the
// receipt's counts). The composition root gives the service one Part per domain that holds any.
type Part interface {
	EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error)
}

// PartFunc is a Part as a function.
type PartFunc func(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error)

// EraseApplicant calls f.
func (f PartFunc) EraseApplicant(ctx context.Context, tx *store.Tx, applicantID string) (map[string]int64, error) {
	return f(ctx, tx, applicantID)
}

// Store is what erasure needs of the database.
type Store interface {
	Record(ctx context.Context, env kyc.Env, fn func(tx *store.Tx) (store.Effects, error)) error
	ApplicantErasure(ctx context.Context, env kyc.Env, applicantID string) (store.ApplicantErasure, error)
}

var _ Store = (*store.Store)(nil)

// Config configures erasure.
type Config struct {
	// Delay is how long an erasure waits, cancellable, before it is carried out
	// (KYCD_ERASURE_DELAY). 0, the default, erases at once.
	Delay time.Duration
	// SigningKey signs the receipts: the installation's key, derived from the master key for
	// SigningPurpose.
	SigningKey ed25519.PrivateKey
}

// Service erases applicants: their data key destroyed and every personal value of theirs removed
// in one transaction, a signed receipt, the file blobs deleted after (Job).
type Service struct {
	st    Store
	parts []Part
	cfg   Config
}

// NewService returns erasure on st, with the domains' parts.
func NewService(st Store, cfg Config, parts ...Part) *Service {
	return &Service{st: st, parts: parts, cfg: cfg}
}

// Erasure is an erasure as the API shows it.
type Erasure struct {
	ApplicantID     string         `json:"applicantId"`
	Status          string         `json:"status" enum:"scheduled,cancelled,erased"`
	RequestedTime   time.Time      `json:"requestedTime"`
	DueTime         time.Time      `json:"dueTime" doc:"When a scheduled erasure is carried out (KYCD_ERASURE_DELAY after it was asked)"`
	CancelledTime   *time.Time     `json:"cancelledTime,omitempty"`
	ErasedTime      *time.Time     `json:"erasedTime,omitempty"`
	BlobsPurgedTime *time.Time     `json:"blobsPurgedTime,omitempty" doc:"When the applicant's file blobs were deleted, after the erasure (a background job); they were unreadable from the erasure on"`
	Receipt         *SignedReceipt `json:"receipt,omitempty" doc:"The signed erasure receipt, once erased (kycd receipt verify)"`
}

func view(e store.ApplicantErasure) (Erasure, error) {
	out := Erasure{ApplicantID: e.ApplicantID, Status: e.Status, RequestedTime: e.RequestedTime, DueTime: e.DueTime,
		CancelledTime: e.CancelledTime, ErasedTime: e.ErasedTime, BlobsPurgedTime: e.BlobsPurgedTime}
	if len(e.Receipt) > 0 {
		out.Receipt = new(SignedReceipt)
		if err := json.Unmarshal(e.Receipt, out.Receipt); err != nil {
			return out, fmt.Errorf("erasure receipt of applicant %s: %w", e.ApplicantID, err)
		}
	}
	return out, nil
}

// deadlockRetries is how many times a transaction of this service runs again after PostgreSQL
// chose it as a deadlock's victim: it locks the applicant first, but a write that locked the
// applicant's document or request before its row (a decision) can still meet it the other way.
const deadlockRetries = 3

// record runs fn in a transaction of the store, again when PostgreSQL rolled it back to end a
// deadlock (fn only writes through tx and its out-values are set again by each run).
func (s *Service) record(ctx context.Context, env kyc.Env, fn func(tx *store.Tx) (store.Effects, error)) error {
	return store.RetryDeadlock(deadlockRetries, func() error { return s.st.Record(ctx, env, fn) })
}

// Get returns the erasure asked of an applicant, kyc.ErrNotFound when none was.
func (s *Service) Get(ctx context.Context, env kyc.Env, applicantID string) (Erasure, error) {
	e, err := s.st.ApplicantErasure(ctx, env, applicantID)
	if err != nil {
		return Erasure{}, err
	}
	return view(e)
}

// Erase erases an applicant at once, or schedules it Config.Delay ahead. An applicant under a
// legal hold is kyc.ErrConflict naming the hold; an applicant erased already, or whose erasure is
// scheduled, answers that erasure again.
func (s *Service) Erase(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID string) (Erasure, error) {
	var out store.ApplicantErasure
	err := s.record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		state, err := tx.LockApplicantForErasure(ctx, applicantID)
		if err != nil {
			return store.Effects{}, err
		}
		prev, err := tx.ApplicantErasure(ctx, applicantID)
		if err != nil && !errors.Is(err, kyc.ErrNotFound) {
			return store.Effects{}, err
		}
		if state.ErasedTime != nil {
			out = prev
			return store.Effects{}, nil
		}
		if state.LegalHold != nil {
			return store.Effects{}, fmt.Errorf("applicant %s is under a legal hold (%s) placed %s: lift it first: %w",
				applicantID, state.LegalHold.Reason, state.LegalHold.PlacedTime.Format(time.RFC3339), kyc.ErrConflict)
		}
		if err == nil && prev.Status == store.ErasureScheduled {
			out = prev
			return store.Effects{}, nil
		}
		at := store.Now()
		out = store.ApplicantErasure{Env: env, ApplicantID: applicantID, Status: store.ErasureScheduled, RequestedBy: actor,
			RequestedTime: at, DueTime: at.Add(s.cfg.Delay)}
		if s.cfg.Delay > 0 {
			// The job runs at the due time (and the periodic one catches any it misses).
			return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "applicant.erasure-schedule", ResourceType: "applicant", ResourceID: applicantID},
					Jobs: []river.InsertManyParams{{Args: JobArgs{}, InsertOpts: &river.InsertOpts{ScheduledAt: out.DueTime}}}},
				tx.PutApplicantErasure(ctx, out)
		}
		return s.carryOut(ctx, tx, &out, at)
	})
	if err != nil {
		return Erasure{}, err
	}
	return view(out)
}

// carryOut erases the applicant of e in tx (locked by the caller) and completes e with the
// signed receipt.
func (s *Service) carryOut(ctx context.Context, tx *store.Tx, e *store.ApplicantErasure, at time.Time) (store.Effects, error) {
	revision, counts, err := tx.EraseApplicantData(ctx, e.ApplicantID, at)
	if err != nil {
		return store.Effects{}, err
	}
	for _, p := range s.parts {
		more, err := p.EraseApplicant(ctx, tx, e.ApplicantID)
		if err != nil {
			return store.Effects{}, err
		}
		maps.Copy(counts, more)
	}
	destroyed := map[string]any{"dataKey": true}
	for k, n := range counts {
		destroyed[k] = n
	}
	r := Receipt{Type: ReceiptType, Env: tx.Env(), ApplicantID: e.ApplicantID, RequestedBy: e.RequestedBy,
		RequestedTime: e.RequestedTime, ErasedTime: at, Destroyed: destroyed, FileBlobs: counts["files"], Kept: Kept}
	signed, err := Sign(r, s.cfg.SigningKey)
	if err != nil {
		return store.Effects{}, err
	}
	if e.Receipt, err = json.Marshal(signed); err != nil {
		return store.Effects{}, err
	}
	e.Status, e.ErasedTime = store.ErasureErased, &at
	if err := tx.PutApplicantErasure(ctx, *e); err != nil {
		return store.Effects{}, err
	}
	return store.Effects{
		Audit: kyc.AuditEntry{Actor: e.RequestedBy, Action: "applicant.erase", ResourceType: "applicant", ResourceID: e.ApplicantID},
		Events: []store.NewEvent{{Type: kyc.EventApplicantErased, ResourceType: "applicant", ResourceID: e.ApplicantID, Revision: revision,
			Data: erasedEvent{ID: e.ApplicantID, ErasedTime: at}, NoPersonalData: true}},
		Jobs: []river.InsertManyParams{{Args: JobArgs{}}},
	}, nil
}

// erasedEvent is the data of an applicant-erased event: no personal data.
type erasedEvent struct {
	ID         string    `json:"id"`
	ErasedTime time.Time `json:"erasedTime"`
}

// Cancel cancels a scheduled erasure. One carried out already is kyc.ErrConflict; none asked is
// kyc.ErrNotFound.
func (s *Service) Cancel(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID string) (Erasure, error) {
	var out store.ApplicantErasure
	err := s.record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		if _, err := tx.LockApplicantErasureState(ctx, applicantID); err != nil {
			return store.Effects{}, err
		}
		e, err := tx.ApplicantErasure(ctx, applicantID)
		if err != nil {
			return store.Effects{}, err
		}
		out = e
		switch e.Status {
		case store.ErasureCancelled:
			return store.Effects{}, nil
		case store.ErasureErased:
			return store.Effects{}, fmt.Errorf("applicant %s was erased already: an erasure cannot be undone: %w", applicantID, kyc.ErrConflict)
		}
		at := store.Now()
		out.Status, out.CancelledTime = store.ErasureCancelled, &at
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "applicant.erasure-cancel", ResourceType: "applicant", ResourceID: applicantID}},
			tx.PutApplicantErasure(ctx, out)
	})
	if err != nil {
		return Erasure{}, err
	}
	return view(out)
}

// MaxHoldReason bounds a legal hold's reason.
const MaxHoldReason = 500

// PlaceHold places a legal hold on an applicant, or changes its reason: erasure is refused until
// it is lifted, and a scheduled erasure waits. An erased applicant is kyc.ErrGone.
func (s *Service) PlaceHold(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID, reason string) (kyc.LegalHold, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > MaxHoldReason || strings.ContainsFunc(reason, unicode.IsControl) {
		return kyc.LegalHold{}, kyc.Invalid("body.reason", "a reason of 1 to %d characters, on one line, is required", MaxHoldReason)
	}
	hold := kyc.LegalHold{Reason: reason, PlacedTime: store.Now()}
	err := s.record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		state, err := tx.LockApplicantErasureState(ctx, applicantID)
		if err != nil {
			return store.Effects{}, err
		}
		if state.ErasedTime != nil {
			return store.Effects{}, fmt.Errorf("applicant %s was erased: %w", applicantID, kyc.ErrGone)
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "applicant.legal-hold", ResourceType: "applicant", ResourceID: applicantID}},
			tx.SetLegalHold(ctx, applicantID, &hold)
	})
	return hold, err
}

// LiftHold lifts an applicant's legal hold; lifting none is not an error. A scheduled erasure
// whose time has come is carried out by the next Job.
func (s *Service) LiftHold(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID string) error {
	return s.record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		state, err := tx.LockApplicantErasureState(ctx, applicantID)
		if err != nil || state.LegalHold == nil {
			return store.Effects{}, err
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "applicant.legal-hold-lift", ResourceType: "applicant", ResourceID: applicantID}},
			tx.SetLegalHold(ctx, applicantID, nil)
	})
}

// EraseDue carries out one scheduled erasure whose time has come (ErasuresDue found it), unless
// it was cancelled or a hold placed meanwhile. It answers whether it erased.
func (s *Service) EraseDue(ctx context.Context, env kyc.Env, applicantID string) (bool, error) {
	erased := false
	err := s.record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		erased = false // again on a run after a deadlock
		state, err := tx.LockApplicantForErasure(ctx, applicantID)
		if err != nil {
			return store.Effects{}, err
		}
		e, err := tx.ApplicantErasure(ctx, applicantID)
		if err != nil {
			return store.Effects{}, err
		}
		at := store.Now()
		if state.ErasedTime != nil || state.LegalHold != nil || e.Status != store.ErasureScheduled || e.DueTime.After(at) {
			return store.Effects{}, nil
		}
		erased = true
		return s.carryOut(ctx, tx, &e, at)
	})
	return erased, err
}
