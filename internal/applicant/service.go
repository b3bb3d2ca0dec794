package applicant

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/strictjson"
)

// Store is what the applicant service needs from the database.
type Store interface {
	CreateApplicant(ctx context.Context, a *kyc.Applicant, eff store.Effects) error
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	UpdateApplicant(ctx context.Context, env kyc.Env, id string, mutate func(a *kyc.Applicant) (store.Effects, error)) (kyc.Applicant, error)
	ListApplicants(ctx context.Context, env kyc.Env, f store.ApplicantFilter, cursor string, limit int) (kyc.Page[kyc.Applicant], error)
}

var _ Store = (*store.Store)(nil)

// Input is what an integrator may set on an applicant, on create and (as a JSON merge patch) on
// update. Every field is optional.
type Input struct {
	ExternalID string        `json:"externalId,omitempty" maxLength:"128" doc:"The integrator's own id for this user; unique per environment"`
	Type       string        `json:"type,omitempty" enum:"individual,business" doc:"Default individual"`
	Email      string        `json:"email,omitempty" maxLength:"254" doc:"An email address; an empty string clears it in a patch"`
	Profile    *kyc.Profile  `json:"profile,omitempty"`
	Addresses  []kyc.Address `json:"addresses,omitempty" maxItems:"5"`
}

// Service creates, reads, changes and lists applicants.
type Service struct {
	store Store
}

// NewService returns a service on st.
func NewService(st Store) *Service { return &Service{store: st} }

// Create validates in and stores a new applicant of env.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, in Input) (kyc.Applicant, error) {
	if err := normalize(&in); err != nil {
		return kyc.Applicant{}, err
	}
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Status: "unverified", Level: "L0"}
	apply(&a, in)
	err := s.store.CreateApplicant(ctx, &a, store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID},
		Events: []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}},
		Jobs:   []river.InsertManyParams{screening.ApplicantJob(env, a.ID, "applicant-created")},
	})
	return a, err
}

// Get returns one applicant of env.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.Applicant(ctx, env, id)
}

// Update applies a JSON merge patch (RFC 7396) to an applicant: fields present replace, null
// removes, absent keep. The result is validated whole; a refused patch changes nothing.
func (s *Service) Update(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, patch []byte) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.UpdateApplicant(ctx, env, id, Patch(actor, env, patch))
}

// Patch returns the change Update makes, for a caller that commits it with more in one
// transaction (store.ChangeApplicant): it applies the merge patch to the applicant it is given,
// validates the result whole and names the effects (an event, and a screening job when what is
// screened changed).
func Patch(actor kyc.Actor, env kyc.Env, patch []byte) func(a *kyc.Applicant) (store.Effects, error) {
	return func(a *kyc.Applicant) (store.Effects, error) {
		in, err := mergeInput(*a, patch)
		if err != nil {
			return store.Effects{}, err
		}
		if err := normalize(&in); err != nil {
			return store.Effects{}, err
		}
		before := *a
		apply(a, in)
		eff := store.Effects{
			Audit:  kyc.AuditEntry{Actor: actor, Action: "applicant.update", ResourceType: "applicant", ResourceID: a.ID},
			Events: []store.NewEvent{{Type: kyc.EventApplicantUpdated, ResourceType: "applicant", ResourceID: a.ID}},
		}
		if screening.ScreeningChanged(&before, a) {
			eff.Jobs = append(eff.Jobs, screening.ApplicantJob(env, a.ID, "applicant-updated"))
		}
		return eff, nil
	}
}

// List returns a page of env's applicants, newest first.
func (s *Service) List(ctx context.Context, env kyc.Env, f store.ApplicantFilter, cursor string, limit int) (kyc.Page[kyc.Applicant], error) {
	if f.Status != "" && !kyc.OneOf(f.Status, kyc.ApplicantStatuses) {
		return kyc.Page[kyc.Applicant]{}, kyc.Invalid("query.status", "must be one of %v", kyc.ApplicantStatuses)
	}
	return s.store.ListApplicants(ctx, env, f, cursor, limit)
}

func apply(a *kyc.Applicant, in Input) {
	a.ExternalID, a.Type, a.Email = in.ExternalID, in.Type, in.Email
	a.Profile = kyc.Profile{}
	if in.Profile != nil {
		a.Profile = *in.Profile
	}
	a.Addresses = in.Addresses
	if a.Addresses == nil {
		a.Addresses = []kyc.Address{}
	}
}

// mergeInput applies patch to the input form of a.
func mergeInput(a kyc.Applicant, patch []byte) (Input, error) {
	cur := Input{ExternalID: a.ExternalID, Type: a.Type, Email: a.Email, Profile: &a.Profile, Addresses: a.Addresses}
	doc, err := json.Marshal(cur)
	if err != nil {
		return Input{}, err
	}
	merged, err := mergePatch(doc, patch)
	if err != nil {
		return Input{}, err
	}
	// A member the applicant has no field for is refused even when it is null (which the merge
	// would otherwise drop without a word): {"nickname": null} is as wrong as {"nickname": "x"}.
	if err := strictjson.Known(patch, &Input{}); err != nil {
		return Input{}, err
	}
	var in Input
	if err := strictjson.Known(merged, &in); err != nil {
		return Input{}, err
	}
	return in, nil
}
