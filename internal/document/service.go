package document

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/request"
	"kycd/internal/store"
	"kycd/internal/verify"
)

// Store is what the document service needs from the database.
type Store interface {
	CreateDocument(ctx context.Context, d *kyc.Document, eff store.Effects, takes store.TakesDocument) error
	Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error)
	DecideDocument(ctx context.Context, env kyc.Env, id string, decide func(c *store.Case) (store.Effects, error)) (kyc.Document, error)
	ListDocuments(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error)
	FindDocuments(ctx context.Context, env kyc.Env, f store.DocumentFilter, cursor string, limit int) (kyc.Page[kyc.Document], error)
}

var _ Store = (*store.Store)(nil)

// Input is a new KYC document.
type Input struct {
	ApplicantID    string              `json:"applicantId" doc:"The applicant the document belongs to (apl_...)"`
	RequestID      string              `json:"requestId,omitempty" doc:"The KYC request it answers (req_...), if any"`
	Type           string              `json:"type" enum:"identity-proof,address-proof,funds-proof,purchase-proof,credit-file-proof"`
	Subtype        string              `json:"subtype,omitempty" maxLength:"32" doc:"passport, id-card, driver-license, residence-permit, visa, utility-bill, bank-statement, ... (must fit the type)"`
	FileIDs        []string            `json:"fileIds" minItems:"1" maxItems:"4" doc:"Files of the same applicant (fil_...)"`
	Identification *kyc.Identification `json:"identification,omitempty"`
}

// Rejection is a person's reason for rejecting a document.
type Rejection struct {
	Type     string `json:"type" enum:"document-unreadable,document-expired,document-not-matching,document-duplicate,document-invalid,document-not-open,underage-person,third-party-or-mismatch,expiration-date-missing,issue-date-missing,dob-mismatch,name-mismatch,critical-info-missing,old-address-on-id,tampered-document,other"`
	Message  string `json:"message,omitempty" maxLength:"1000"`
	Notes    string `json:"notes,omitempty" maxLength:"2000" doc:"Why, for the case file"`
	Override bool   `json:"override,omitempty" doc:"Change a document that the checks or a person already decided"`
}

// Service creates, reads, lists, accepts and rejects KYC documents.
type Service struct {
	store  Store
	levels request.Levels
}

// NewService returns a service on st; levels decide what a person's decision grants the applicant.
func NewService(st Store, levels request.Levels) *Service {
	return &Service{store: st, levels: levels}
}

// Create validates in and stores a new pending document of env, with the job that checks and
// decides it.
func (s *Service) Create(ctx context.Context, actor kyc.Actor, env kyc.Env, in Input) (kyc.Document, error) {
	nd, err := Prepare(actor, env, in)
	if err != nil {
		return kyc.Document{}, err
	}
	err = s.store.CreateDocument(ctx, nd.Document, nd.Effects, nd.Takes)
	return *nd.Document, err
}

// Prepare validates in and returns the new pending document of env with the effects of its
// creation (an event and the job that checks and decides it), for a caller that stores it with
// more in one transaction (store.ChangeApplicant). The references (applicant, files, request) are
// checked when it is stored.
func Prepare(actor kyc.Actor, env kyc.Env, in Input) (store.NewDocument, error) {
	if err := validate(&in); err != nil {
		return store.NewDocument{}, err
	}
	d := &kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: env, ApplicantID: in.ApplicantID, RequestID: in.RequestID, Type: in.Type,
		Subtype: in.Subtype, FileIDs: in.FileIDs, Identification: in.Identification, Status: "pending"}
	return store.NewDocument{Document: d, Effects: store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-document.create", ResourceType: "kyc-document", ResourceID: d.ID},
		Events: []store.NewEvent{{Type: kyc.EventDocumentCreated, ResourceType: "kyc-document", ResourceID: d.ID}},
		Jobs:   []river.InsertManyParams{verify.Job(env, d.ID)},
	}, Takes: requestTakes(d.Type)}, nil
}

// requestTakes is the rule of which KYC request takes a new document of type typ: one that is not
// final and asks for the type. The store applies it to the request as read in the transaction
// that creates the document.
func requestTakes(typ string) store.TakesDocument {
	return func(r kyc.Request, p *kyc.Problems) {
		switch {
		case kyc.FinalRequestStatus(r.Status):
			p.Add("body.requestId", "the KYC request is %s and takes no more documents", r.Status)
		case !slices.ContainsFunc(r.Documents, func(rd kyc.RequestDocument) bool { return rd.Type == typ }):
			p.Add("body.type", "the KYC request does not ask for a %s document", typ)
		}
	}
}

func validate(in *Input) error {
	var p kyc.Problems
	p.Bounds("body", in) // the API's limits, for input that did not come through its schema
	if !kyc.ValidID(kyc.PrefixApplicant, in.ApplicantID) {
		p.Add("body.applicantId", "must be an applicant id (apl_...)")
	}
	if in.RequestID != "" && !kyc.ValidID(kyc.PrefixRequest, in.RequestID) {
		p.Add("body.requestId", "must be a KYC request id (req_...)")
	}
	if subtypes, ok := kyc.Subtypes[in.Type]; !ok {
		p.Add("body.type", "must be one of %v", kyc.DocumentTypes)
	} else if in.Subtype != "" && !slices.Contains(subtypes, in.Subtype) {
		p.Add("body.subtype", "a %s document's subtype is one of %v", in.Type, subtypes)
	}
	if len(in.FileIDs) == 0 {
		p.Add("body.fileIds", "at least one file is required")
	}
	for i, id := range in.FileIDs {
		if !kyc.ValidID(kyc.PrefixFile, id) {
			p.Add(fmt.Sprintf("body.fileIds[%d]", i), "must be a file id (fil_...)")
		} else if slices.Index(in.FileIDs, id) != i {
			p.Add(fmt.Sprintf("body.fileIds[%d]", i), "the same file is listed twice")
		}
	}
	if id := in.Identification; id != nil {
		for _, f := range [][2]string{{"number", id.Number}, {"issuingCountry", id.IssuingCountry}, {"issueDate", id.IssueDate},
			{"expiryDate", id.ExpiryDate}, {"holderName", id.HolderName}, {"issuingAuthority", id.IssuingAuthority},
			{"referenceNumber", id.ReferenceNumber}} {
			p.CheckText("body.identification."+f[0], f[1], kyc.Name)
		}
		p.CheckText("body.identification.mrz", id.MRZ, kyc.Text)
		id.Number = strings.TrimSpace(id.Number)
		p.Country("body.identification.issuingCountry", &id.IssuingCountry)
		issued, okI := p.Date("body.identification.issueDate", id.IssueDate)
		expires, okE := p.Date("body.identification.expiryDate", id.ExpiryDate)
		if okI && okE && !issued.Before(expires) {
			p.Add("body.identification.expiryDate", "must be after the issue date")
		}
	}
	return p.Err()
}

// Get returns one document of env.
func (s *Service) Get(ctx context.Context, env kyc.Env, id string) (kyc.Document, error) {
	if !kyc.ValidID(kyc.PrefixDocument, id) {
		return kyc.Document{}, fmt.Errorf("kyc document %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.Document(ctx, env, id)
}

// List returns a page of one applicant's documents, newest first.
func (s *Service) List(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	if !kyc.ValidID(kyc.PrefixApplicant, applicantID) {
		return kyc.Page[kyc.Document]{}, kyc.Invalid("query.applicantId", "must be an applicant id (apl_...)")
	}
	return s.store.ListDocuments(ctx, env, applicantID, cursor, limit)
}

// ReviewInput is a person's acceptance of a document.
type ReviewInput struct {
	Notes    string `json:"notes,omitempty" maxLength:"2000" doc:"Why, for the case file"`
	Override bool   `json:"override,omitempty" doc:"Change a document that the checks or a person already decided"`
}

// Accept records a person's acceptance of a document in pending-review (or of a decided one with
// override), and moves its request and applicant on.
func (s *Service) Accept(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, in ReviewInput) (kyc.Document, error) {
	return s.review(ctx, actor, env, id, "accepted", nil, in)
}

// Reject records a person's rejection of a document with a reason type, as Accept does.
func (s *Service) Reject(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, r Rejection) (kyc.Document, error) {
	if !kyc.OneOf(r.Type, kyc.RejectionTypes) {
		return kyc.Document{}, kyc.Invalid("body.type", "must be one of %v", kyc.RejectionTypes)
	}
	return s.review(ctx, actor, env, id, "rejected", &kyc.RejectionReason{Type: r.Type, Message: strings.TrimSpace(r.Message)},
		ReviewInput{Notes: r.Notes, Override: r.Override})
}

// Archive withdraws a document: it stays stored for the case file but no longer counts towards its
// request (which moves on as if it had not been sent) or towards a later request's level. A level
// already granted is kept. A document still being checked is archived too; its verification then
// leaves it alone.
func (s *Service) Archive(ctx context.Context, actor kyc.Actor, env kyc.Env, id string) (kyc.Document, error) {
	if !kyc.ValidID(kyc.PrefixDocument, id) {
		return kyc.Document{}, fmt.Errorf("kyc document %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
		if c.Document.Status == "archived" {
			return store.Effects{}, fmt.Errorf("the document is already archived: %w", kyc.ErrConflict)
		}
		c.Document.Status = "archived"
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: actor, Action: "kyc-document.archive", ResourceType: "kyc-document", ResourceID: c.Document.ID}}
		return request.Decided(c, eff, s.levels), nil
	})
}

func (s *Service) review(ctx context.Context, actor kyc.Actor, env kyc.Env, id, outcome string, reason *kyc.RejectionReason, in ReviewInput) (kyc.Document, error) {
	if !kyc.ValidID(kyc.PrefixDocument, id) {
		return kyc.Document{}, fmt.Errorf("kyc document %q: %w", id, kyc.ErrNotFound)
	}
	return s.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
		d := c.Document
		switch d.Status {
		case "pending-review":
		case "accepted", "rejected":
			if !in.Override {
				return store.Effects{}, fmt.Errorf("the document is already %s; send override: true to change it: %w", d.Status, kyc.ErrConflict)
			}
		case "archived":
			return store.Effects{}, fmt.Errorf("the document is archived: %w", kyc.ErrConflict)
		default:
			return store.Effects{}, fmt.Errorf("the document is still being checked (%s): %w", d.Status, kyc.ErrConflict)
		}
		if c.Request != nil && kyc.FinalRequestStatus(c.Request.Status) && !in.Override {
			return store.Effects{}, fmt.Errorf("its KYC request is %s; send override: true to change the document anyway: %w", c.Request.Status, kyc.ErrConflict)
		}
		d.Status, d.RejectionReason = outcome, reason
		d.Review = &kyc.Review{Reviewer: actor, Outcome: outcome, Notes: strings.TrimSpace(in.Notes), Override: in.Override, ReviewedTime: time.Now().UTC()}
		if reason != nil {
			d.Review.Reason = reason.Type
		}
		eff := store.Effects{
			Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-document.review", ResourceType: "kyc-document", ResourceID: d.ID},
			Events: []store.NewEvent{{Type: kyc.EventDocumentReviewed, ResourceType: "kyc-document", ResourceID: d.ID}},
		}
		return request.Decided(c, eff, s.levels), nil
	})
}
