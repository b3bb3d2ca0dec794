package request

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Store is what the request service needs from the database.
type Store interface {
	CreateRequest(ctx context.Context, r *kyc.Request, eff store.Effects) error
	Request(ctx context.Context, env kyc.Env, id string) (kyc.Request, error)
	UpdateRequest(ctx context.Context, env kyc.Env, id string, mutate func(r *kyc.Request) (store.Effects, error)) (kyc.Request, error)
	ListRequests(ctx context.Context, env kyc.Env, f store.RequestFilter, cursor string, limit int) (kyc.Page[kyc.Request], error)
}

var _ Store = (*store.Store)(nil)

// DocumentInput is one document a new request asks for.
type DocumentInput struct {
	Type                 string   `json:"type" enum:"identity-proof,address-proof,funds-proof,purchase-proof,credit-file-proof"`
	Subtypes             []string `json:"subtypes,omitempty" maxItems:"10"`
	MaxAttempts          *int     `json:"maxAttempts,omitempty" minimum:"0" maximum:"100" doc:"Default 3; 0 = unlimited"`
	FaceProofRequired    bool     `json:"faceProofRequired,omitempty"`
	FaceLivenessRequired bool     `json:"faceLivenessRequired,omitempty"`
}

// Input is a new KYC request.
type Input struct {
	ApplicantID    string          `json:"applicantId"`
	Documents      []DocumentInput `json:"documents" minItems:"1" maxItems:"5"`
	Reason         string          `json:"reason,omitempty" maxLength:"200"`
	RedirectURL    string          `json:"redirectUrl,omitempty" maxLength:"2000" doc:"Where the hosted page sends the end user back, with ?info=success|partial|manual|back|token_expired"`
	MatchLevel     *int            `json:"matchLevel,omitempty" minimum:"1" maximum:"3" doc:"1 moderate, 2 strict (default), 3 basic"`
	Level          string          `json:"level,omitempty" maxLength:"32" doc:"L0, L1, L2 or a level of KYCD_LEVELS_FILE; default L1. documents must ask for every document type the level requires"`
	ExpirationTime *time.Time      `json:"expirationTime,omitempty" doc:"Default one hour from now; at most 30 days ahead"`
}

// Patch changes a request that is not final; absent fields keep their value.
type Patch struct {
	Reason         *string    `json:"reason,omitempty" maxLength:"200"`
	RedirectURL    *string    `json:"redirectUrl,omitempty" maxLength:"2000"`
	MatchLevel     *int       `json:"matchLevel,omitempty" minimum:"1" maximum:"3"`
	Level          *string    `json:"level,omitempty" maxLength:"32" doc:"L0, L1, L2 or a level of KYCD_LEVELS_FILE; the request's documents must cover it"`
	ExpirationTime *time.Time `json:"expirationTime,omitempty"`
}

// Defaults and bounds of requests.
const (
	DefaultLifetime    = time.Hour
	MaxLifetime        = 30 * 24 * time.Hour
	DefaultMaxAttempts = 3
	DefaultMatchLevel  = 2
	DefaultLevel       = "L1"
)

// Service creates, reads, changes and abandons KYC requests.
type Service struct {
	store     Store
	levels    LevelSet
	signer    *auth.Signer
	publicURL string
}

// LevelSet is the levels in force (a *level.Set): their names and what each requires.
type LevelSet interface {
	Levels
	Names() []string
}

// NewService returns a service on st whose requests name levels of levels. Gatherer links are
// signed by signer and start with publicURL.
func NewService(st Store, levels LevelSet, signer *auth.Signer, publicURL string) *Service {
	return &Service{store: st, levels: levels, signer: signer, publicURL: strings.TrimRight(publicURL, "/")}
}

// Create validates in and stores a new request in status gathering, with its expiry job.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, in Input) (kyc.Request, error) {
	r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: env, ApplicantID: in.ApplicantID, Status: "gathering", Reason: strings.TrimSpace(in.Reason),
		RedirectURL: in.RedirectURL, MatchLevel: DefaultMatchLevel, Level: DefaultLevel, ExpirationTime: time.Now().Add(DefaultLifetime).UTC()}
	var p kyc.Problems
	if !kyc.ValidID(kyc.PrefixApplicant, in.ApplicantID) {
		p.Add("body.applicantId", "must be an applicant id (apl_...)")
	}
	r.Documents = documents(&p, in.Documents)
	if in.MatchLevel != nil {
		r.MatchLevel = *in.MatchLevel
	}
	if in.Level != "" {
		r.Level = in.Level
	}
	if in.ExpirationTime != nil {
		r.ExpirationTime = in.ExpirationTime.UTC()
	}
	s.validateCommon(&p, &r, "body.documents")
	if err := p.Err(); err != nil {
		return kyc.Request{}, err
	}
	err := s.store.CreateRequest(ctx, &r, store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-request.create", ResourceType: "kyc-request", ResourceID: r.ID},
		Events: []store.NewEvent{{Type: kyc.EventRequestCreated, ResourceType: "kyc-request", ResourceID: r.ID}},
		Jobs:   []river.InsertManyParams{expiryJob(r)},
	})
	if err != nil {
		return kyc.Request{}, err
	}
	return s.withLinks(r), nil
}

func documents(p *kyc.Problems, in []DocumentInput) []kyc.RequestDocument {
	if len(in) == 0 {
		p.Add("body.documents", "at least one document is required")
	}
	out := make([]kyc.RequestDocument, 0, len(in))
	for i, d := range in {
		f := fmt.Sprintf("body.documents[%d]", i)
		subtypes, ok := kyc.Subtypes[d.Type]
		if !ok {
			p.Add(f+".type", "must be one of %v", kyc.DocumentTypes)
		}
		if slices.ContainsFunc(in[:i], func(o DocumentInput) bool { return o.Type == d.Type }) {
			p.Add(f+".type", "%s is asked for twice", d.Type)
		}
		for j, st := range d.Subtypes {
			if ok && !slices.Contains(subtypes, st) {
				p.Add(fmt.Sprintf("%s.subtypes[%d]", f, j), "a %s document's subtype is one of %v", d.Type, subtypes)
			}
		}
		rd := kyc.RequestDocument{Type: d.Type, Subtypes: d.Subtypes, MaxAttempts: DefaultMaxAttempts, FaceProofRequired: d.FaceProofRequired, FaceLivenessRequired: d.FaceLivenessRequired}
		if d.MaxAttempts != nil {
			rd.MaxAttempts = *d.MaxAttempts
			if rd.MaxAttempts < 0 || rd.MaxAttempts > 100 {
				p.Add(f+".maxAttempts", "must be 0 (unlimited) to 100")
			}
		}
		out = append(out, rd)
	}
	return out
}

// validateCommon checks what creation and changes share. A request must ask for every document
// type its level requires (levels are a contract: a request asking for less could never grant its
// level); coverageField names the field blamed when it does not.
func (s *Service) validateCommon(p *kyc.Problems, r *kyc.Request, coverageField string) {
	if r.MatchLevel < 1 || r.MatchLevel > 3 {
		p.Add("body.matchLevel", "must be 1, 2 or 3")
	}
	if l, ok := s.levels.Get(r.Level); !ok {
		p.Add("body.level", "must be one of %v", s.levels.Names())
	} else {
		asked := make([]string, 0, len(r.Documents))
		for _, d := range r.Documents {
			asked = append(asked, d.Type)
		}
		if missing := Missing(l, asked); len(missing) > 0 {
			p.Add(coverageField, "level %s requires %s; this request does not ask for %s", l.Name,
				strings.Join(l.Documents, ", "), strings.Join(missing, ", "))
		}
	}
	if r.RedirectURL != "" {
		u, err := url.Parse(r.RedirectURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("body.redirectUrl", "must be an absolute http(s) URL")
		}
	}
	now := time.Now()
	if !r.ExpirationTime.After(now) {
		p.Add("body.expirationTime", "must be in the future")
	} else if r.ExpirationTime.After(now.Add(MaxLifetime)) {
		p.Add("body.expirationTime", "must be at most 30 days ahead")
	}
}

// Get returns one request of env, with its links.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.Request, error) {
	if !kyc.ValidID(kyc.PrefixRequest, id) {
		return kyc.Request{}, fmt.Errorf("kyc request %q: %w", id, kyc.ErrNotFound)
	}
	r, err := s.store.Request(ctx, env, id)
	if err != nil {
		return kyc.Request{}, err
	}
	return s.withLinks(r), nil
}

// Update changes a request that is not final. A new expirationTime schedules a new expiry job.
func (s *Service) Update(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, pt Patch) (kyc.Request, error) {
	if !kyc.ValidID(kyc.PrefixRequest, id) {
		return kyc.Request{}, fmt.Errorf("kyc request %q: %w", id, kyc.ErrNotFound)
	}
	r, err := s.store.UpdateRequest(ctx, env, id, func(r *kyc.Request) (store.Effects, error) {
		if kyc.FinalRequestStatus(r.Status) {
			return store.Effects{}, fmt.Errorf("the KYC request is %s: %w", r.Status, kyc.ErrConflict)
		}
		eff := store.Effects{
			Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-request.update", ResourceType: "kyc-request", ResourceID: r.ID},
			Events: []store.NewEvent{{Type: kyc.EventRequestUpdated, ResourceType: "kyc-request", ResourceID: r.ID}},
		}
		if pt.Reason != nil {
			r.Reason = strings.TrimSpace(*pt.Reason)
		}
		if pt.RedirectURL != nil {
			r.RedirectURL = *pt.RedirectURL
		}
		if pt.MatchLevel != nil {
			r.MatchLevel = *pt.MatchLevel
		}
		if pt.Level != nil {
			r.Level = *pt.Level
		}
		if pt.ExpirationTime != nil && !pt.ExpirationTime.Equal(r.ExpirationTime) {
			r.ExpirationTime = pt.ExpirationTime.UTC()
			eff.Jobs = append(eff.Jobs, expiryJob(*r))
		}
		var p kyc.Problems
		s.validateCommon(&p, r, "body.level")
		return eff, p.Err()
	})
	if err != nil {
		return kyc.Request{}, err
	}
	return s.withLinks(r), nil
}

// Abandon ends a request that is not final, as DELETE does.
func (s *Service) Abandon(ctx context.Context, actor kyc.Actor, env kyc.Env, id string) (kyc.Request, error) {
	if !kyc.ValidID(kyc.PrefixRequest, id) {
		return kyc.Request{}, fmt.Errorf("kyc request %q: %w", id, kyc.ErrNotFound)
	}
	r, err := s.store.UpdateRequest(ctx, env, id, func(r *kyc.Request) (store.Effects, error) {
		if kyc.FinalRequestStatus(r.Status) {
			return store.Effects{}, fmt.Errorf("the KYC request is already %s: %w", r.Status, kyc.ErrConflict)
		}
		r.Status = "abandoned"
		return store.Effects{
			Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-request.abandon", ResourceType: "kyc-request", ResourceID: r.ID},
			Events: []store.NewEvent{{Type: kyc.EventRequestAbandoned, ResourceType: "kyc-request", ResourceID: r.ID}},
		}, nil
	})
	if err != nil {
		return kyc.Request{}, err
	}
	return s.withLinks(r), nil
}

// withLinks sets _links: self, documents, and the gatherer, a hosted-page URL signed for this
// request that expires with it.
func (s *Service) withLinks(r kyc.Request) kyc.Request {
	tok := s.signer.Sign(auth.ApplicantClaims{Purpose: auth.PurposeGatherer, Env: r.Env, ApplicantID: r.ApplicantID, RequestID: r.ID, Expires: r.ExpirationTime.Unix()})
	r.Links = []kyc.Link{
		{Rel: "self", Href: "/v1/kyc-requests/" + r.ID},
		{Rel: "documents", Href: "/v1/kyc-documents?applicantId=" + r.ApplicantID},
		{Rel: "gatherer", Href: s.publicURL + "/gather/" + r.ID + "?token=" + url.QueryEscape(tok)},
	}
	return r
}
