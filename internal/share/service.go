package share

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Store is what sharing reads of the aggregates it shares: the applicant, their documents and
// files. Shares themselves are kept by Repo.
type Store interface {
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	ListDocuments(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error)
	File(ctx context.Context, env kyc.Env, id string) (kyc.File, error)
}

var _ Store = (*store.Store)(nil)

// Files gives files and their bytes, opened under the key they were sealed under. *file.Service
// satisfies it.
type Files interface {
	Open(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error)
}

// Service creates shares, answers them, and takes partners' callbacks.
type Service struct {
	store      Store
	shares     *Repo
	files      Files
	connectors map[kyc.Env]map[string]Connector
	links      *Links
	cfg        Config
	log        *slog.Logger
	now        func() time.Time
}

// Partners are the configured partners' connectors of each environment. A share of one
// environment goes only to that environment's connector: a test share to the partner's sandbox
// settings, never with live credentials, and none when the partner has no sandbox settings.
type Partners map[kyc.Env][]Connector

// NewService returns a service on st (its shares kept by NewRepo(st)) and files with the
// configured partners' connectors. links signs the file URLs given to partners that fetch files
// (Saintpay).
func NewService(st *store.Store, files Files, links *Links, cfg Config, log *slog.Logger, partners Partners) *Service {
	cfg = cfg.WithDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := map[kyc.Env]map[string]Connector{kyc.EnvLive: {}, kyc.EnvTest: {}}
	for env, conns := range partners {
		if m[env] == nil {
			continue
		}
		for _, c := range conns {
			m[env][c.Partner()] = c
		}
	}
	s := &Service{store: st, shares: NewRepo(st), files: files, connectors: m, links: links, cfg: cfg, log: log, now: time.Now}
	s.shares.changed = s.logStatus
	return s
}

// logStatus writes the one line of a share's status change, once it committed: ids, partner,
// statuses and attempts; never the partner's message (it may name the person).
func (s *Service) logStatus(ctx context.Context, from string, sh kyc.Share) {
	if from == "" {
		from = "none"
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "share status changed", slog.String("share_id", sh.ID), slog.String("applicant_id", sh.ApplicantID),
		slog.String("env", string(sh.Env)), slog.String("partner", sh.Partner), slog.String("from", from), slog.String("to", sh.Status),
		slog.Int("attempts", sh.Attempts))
}

// Partners lists the partners configured for env, sorted.
func (s *Service) Partners(env kyc.Env) []string { return slices.Sorted(maps.Keys(s.connectors[env])) }

// connector is env's connector of partner.
func (s *Service) connector(env kyc.Env, partner string) (Connector, bool) {
	c, ok := s.connectors[env][partner]
	return c, ok
}

// notConfigured is the problem of a share to a partner that env has no settings for.
func (s *Service) notConfigured(env kyc.Env, partner string) error {
	if _, live := s.connector(kyc.EnvLive, partner); env == kyc.EnvTest && live {
		return kyc.Invalid("body.partner", "partner %q has no sandbox settings on this server: test shares go only to a partner's "+
			"sandbox (KYCD_SHARE_%s_TEST_URL and its credentials), never with live credentials", partner, strings.ToUpper(partner))
	}
	return kyc.Invalid("body.partner", "partner %q is not configured for the %s environment on this server (configured: %s)",
		partner, env, strings.Join(s.Partners(env), ", "))
}

// Input is the body of POST /v1/applicants/{id}/shares.
type Input struct {
	Partner string            `json:"partner" enum:"interlace,alchemypay,saintpay" doc:"The partner to share with; it must be configured"`
	Options map[string]string `json:"options,omitempty" doc:"Partner options: interlace accountId (required); alchemypay kycPlatform; saintpay type (update or reNew, default chosen from earlier shares)"`
	Force   bool              `json:"force,omitempty" doc:"Test keys only: share an applicant that is not approved, to the partner's sandbox (test shares never reach a partner's live settings)"`
}

// Create queues a share of the applicant's KYC with a partner, after checking it against the
// partner's rules (every problem at once, nothing sent). Only approved applicants are shared,
// unless Force is set with a test key. A share goes to env's settings of the partner: a test
// share to its sandbox, and none when it has no sandbox settings; so a forced, unapproved test
// applicant can reach a sandbox only, never a live endpoint.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID string, in Input) (kyc.Share, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, applicantID) {
		return kyc.Share{}, fmt.Errorf("applicant %q: %w", applicantID, kyc.ErrNotFound)
	}
	c, ok := s.connector(env, in.Partner)
	if !ok {
		return kyc.Share{}, s.notConfigured(env, in.Partner)
	}
	if in.Force && env != kyc.EnvTest {
		return kyc.Share{}, kyc.Invalid("body.force", "only test keys may force a share")
	}
	a, err := s.store.Applicant(ctx, env, applicantID)
	if err != nil {
		return kyc.Share{}, err
	}
	if a.Status != "approved" && !in.Force {
		return kyc.Share{}, fmt.Errorf("applicant %s is %s; only approved KYC is shared: %w", a.ID, a.Status, kyc.ErrConflict)
	}
	return s.create(ctx, actor, c, a, in, false)
}

// create checks the KYC against the partner's rules and stores the share with its event and
// submission job. A KYC that breaks the rules is answered as a validation error, or, when
// keepInvalid is set (automatic sharing, where nobody waits for an answer), stored as a failed
// share naming the problems, so it is not tried again and the integrator hears of it.
func (s *Service) create(ctx context.Context, actor kyc.Actor, c Connector, a kyc.Applicant, in Input, keepInvalid bool) (kyc.Share, error) {
	env := a.Env
	mode, err := s.mode(ctx, env, a.ID, in)
	if err != nil {
		return kyc.Share{}, err
	}
	id := kyc.NewID(kyc.PrefixShare)
	sh := kyc.Share{ID: id, Env: env, ApplicantID: a.ID, Partner: in.Partner, Status: "queued", Mode: mode, Options: in.Options,
		RequestNo: id, ApplicantRevision: a.Revision}
	k, err := s.gather(ctx, sh)
	if err != nil {
		return kyc.Share{}, err
	}
	eff := store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "share.create", ResourceType: "share", ResourceID: id},
		Events: []store.NewEvent{{Type: kyc.EventShareQueued, ResourceType: "share", ResourceID: id}},
		Jobs:   []river.InsertManyParams{s.submitJob(env, id)},
	}
	if err := c.Validate(k); err != nil {
		if !keepInvalid {
			return kyc.Share{}, err
		}
		sh.Status, sh.LastError = "failed", err.Error()
		eff.Events, eff.Jobs = []store.NewEvent{{Type: kyc.EventShareFailed, ResourceType: "share", ResourceID: id}}, nil
	}
	if err := s.shares.Create(ctx, &sh, eff); err != nil {
		return kyc.Share{}, err
	}
	return sh, nil
}

// mode is Saintpay's type: update when an earlier share to the partner was taken (submitted or
// approved), reNew when the earlier one was rejected or asked for more, new otherwise. The other
// partners always get new. options.type overrides it.
func (s *Service) mode(ctx context.Context, env kyc.Env, applicantID string, in Input) (string, error) {
	if in.Partner != "saintpay" {
		return "new", nil
	}
	if t := in.Options["type"]; t != "" {
		if !kyc.OneOf(t, []string{"new", "update", "reNew"}) {
			return "", kyc.Invalid("body.options.type", "must be new, update or reNew")
		}
		return t, nil
	}
	pg, err := s.shares.List(ctx, env, applicantID, "", 100)
	if err != nil {
		return "", err
	}
	for _, prev := range pg.Items { // newest first
		if prev.Partner != in.Partner || prev.Status == "failed" || prev.Status == "queued" {
			continue
		}
		if prev.Status == "rejected" || prev.Status == "needs-info" {
			return "reNew", nil
		}
		return "update", nil
	}
	return "new", nil
}

// gather collects what is shared: the applicant, their newest accepted identity document (any
// identity document when none is accepted, so that a forced test share can be checked) and its
// files.
func (s *Service) gather(ctx context.Context, sh kyc.Share) (*KYC, error) {
	a, err := s.store.Applicant(ctx, sh.Env, sh.ApplicantID)
	if err != nil {
		return nil, err
	}
	k := &KYC{Share: sh, Applicant: a, Files: map[string]*File{}, CallbackURL: s.cfg.CallbackBase + CallbackPath(sh.Env, sh.Partner)}
	var fallback *kyc.Document
	cursor := ""
	for k.Identity == nil {
		pg, err := s.store.ListDocuments(ctx, sh.Env, a.ID, cursor, 100)
		if err != nil {
			return nil, err
		}
		for i := range pg.Items {
			d := pg.Items[i]
			if d.Type != "identity-proof" {
				continue
			}
			if d.Status == "accepted" {
				k.Identity = &d
				break
			}
			if fallback == nil && d.Status != "rejected" && d.Status != "archived" {
				fallback = &d
			}
		}
		if pg.NextCursor == "" {
			break
		}
		cursor = pg.NextCursor
	}
	if k.Identity == nil {
		k.Identity = fallback
	}
	if k.Identity == nil {
		return k, nil
	}
	for _, fid := range k.Identity.FileIDs {
		f, err := s.store.File(ctx, sh.Env, fid)
		if err != nil {
			return nil, err
		}
		if _, seen := k.Files[f.Tag]; seen {
			continue
		}
		env, id := sh.Env, f.ID
		k.Files[f.Tag] = &File{File: f, URL: s.links.URL(sh.Env, f.ID),
			open: func(ctx context.Context) (io.ReadCloser, error) {
				_, rc, err := s.files.Open(ctx, env, id)
				return rc, err
			}}
	}
	return k, nil
}

// Get returns one share.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.Share, error) {
	if !kyc.ValidID(kyc.PrefixShare, id) {
		return kyc.Share{}, fmt.Errorf("share %q: %w", id, kyc.ErrNotFound)
	}
	r, err := s.shares.Get(ctx, env, id)
	return r.Share, err
}

// List returns one page of an applicant's shares, newest first.
func (s *Service) List(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error) {
	if _, err := s.store.Applicant(ctx, env, applicantID); err != nil {
		return kyc.Page[kyc.Share]{}, err
	}
	return s.shares.List(ctx, env, applicantID, cursor, limit)
}

// apply moves a share to what the partner says. A new status writes its event; the same status
// only refreshes the partner's words.
func (s *Service) apply(ctx context.Context, env kyc.Env, id string, out Outcome, actor kyc.Actor) (Record, error) {
	return s.shares.Update(ctx, env, id, func(r *Record) (store.Effects, error) {
		return moveTo(r, out, actor), nil
	})
}

// moveTo changes r to what the partner says and returns the effects of the change.
func moveTo(r *Record, out Outcome, actor kyc.Actor) store.Effects {
	setOutcome(r, out)
	if out.Status == "" || out.Status == r.Status || r.Status == "failed" {
		return store.Effects{}
	}
	r.Status = out.Status
	return store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "share." + out.Status, ResourceType: "share", ResourceID: r.ID},
		Events: []store.NewEvent{{Type: kyc.ShareEvents[out.Status], ResourceType: "share", ResourceID: r.ID}},
	}
}

// MapStatus maps a partner's status word through table (case-insensitive); an unknown word maps
// to "", which leaves the share's status as it is.
func MapStatus(table map[string]string, word string) string {
	for k, v := range table {
		if strings.EqualFold(k, word) {
			return v
		}
	}
	return ""
}

// asTemporary is errors.As for *TemporaryError.
func asTemporary(err error) (*TemporaryError, bool) {
	var te *TemporaryError
	ok := errors.As(err, &te)
	return te, ok
}
