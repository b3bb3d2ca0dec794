package gather

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kycd/internal/applicant"
	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/store"
)

// Applicants is what the flow needs of applicants. *applicant.Service satisfies it.
type Applicants interface {
	Get(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	Update(ctx context.Context, actor kyc.Actor, env kyc.Env, id string, patch []byte) (kyc.Applicant, error)
}

// Files stores uploads. *file.Service satisfies it.
type Files interface {
	Create(ctx context.Context, actor kyc.Actor, env kyc.Env, applicantID, tag string, sp *media.Spooled) (kyc.File, error)
	Get(ctx context.Context, env kyc.Env, id string) (kyc.File, error)
}

// Documents creates and reads KYC documents. *document.Service satisfies it.
type Documents interface {
	Create(ctx context.Context, actor kyc.Actor, env kyc.Env, in document.Input) (kyc.Document, error)
	Get(ctx context.Context, env kyc.Env, id string) (kyc.Document, error)
}

// Requests reads KYC requests. *request.Service satisfies it.
type Requests interface {
	Get(ctx context.Context, env kyc.Env, id string) (kyc.Request, error)
}

var _ Applicants = (*applicant.Service)(nil)

// Who is the end user acting: an applicant of one environment, answering one KYC request when
// RequestID is set (the hosted flow always; the app when its token names a request).
type Who struct {
	Env         kyc.Env
	ApplicantID string
	RequestID   string
}

// Actor names the end user in the audit log.
func (w Who) Actor() kyc.Actor { return kyc.Actor("applicant:" + w.ApplicantID) }

// Service stages and submits what end users send. It holds no lock: each change of a draft reads
// it, changes it and writes it over the version it read, and is redone when another request (on
// this replica or another) wrote the draft in between.
type Service struct {
	files    Files
	requests Requests
	blobs    Blobs
	drafts   Drafts
	changer  Changer
	now      func() time.Time
}

// Changer commits a change of an applicant with new documents of theirs and the draft they were
// submitted from in one transaction. *store.Store satisfies it.
type Changer interface {
	ChangeApplicant(ctx context.Context, env kyc.Env, id string, mutate func(a *kyc.Applicant) (store.Effects, error), docs []store.NewDocument, draft *store.Draft) (kyc.Applicant, error)
}

// NewService returns a service on the file and request services, the blob store where drafts
// were kept before they moved into the database (read once, see Blobs), the drafts, and the
// changer that commits what one step of the end user changes (applicant, documents and draft) in
// one transaction.
func NewService(f Files, r Requests, blobs Blobs, drafts Drafts, changer Changer) *Service {
	return &Service{files: f, requests: r, blobs: blobs, drafts: drafts, changer: changer, now: time.Now}
}

// Draft returns what the applicant has staged and submitted so far.
func (s *Service) Draft(ctx context.Context, w Who) (Draft, error) {
	cur, err := s.load(ctx, w)
	return cur.Draft, err
}

// Upload stores a file for a slot and stages it: it replaces an earlier file of the slot that is
// not yet in a document. The file is stored first, outside any transaction; then the draft is
// changed in one short write. It always removes sp.
func (s *Service) Upload(ctx context.Context, w Who, slot Slot, sp *media.Spooled) (kyc.File, error) {
	if !slot.Valid() {
		_ = sp.Remove()
		return kyc.File{}, kyc.Invalid("body.fileData.type", "must be one of %v", Slots)
	}
	f, err := s.files.Create(ctx, w.Actor(), w.Env, w.ApplicantID, slot.Tag(), sp)
	if err != nil {
		return kyc.File{}, err
	}
	err = retry(ctx, func() error {
		cur, err := s.load(ctx, w)
		if err != nil {
			return err
		}
		d := cur.Draft
		if d.Uploads == nil {
			d.Uploads = map[Slot]Upload{}
		}
		d.Uploads[slot] = Upload{FileID: f.ID, Time: f.CreatedTime}
		row, err := cur.next(d)
		if err != nil {
			return err
		}
		if err := s.drafts.SaveDraft(ctx, &row); err != nil {
			return err
		}
		s.written(ctx, cur)
		return nil
	})
	if err != nil {
		return kyc.File{}, err
	}
	return f, nil
}

// Update is what one step of the end user changes at once: profile fields, the residential
// address and documents to stage or submit. Apply commits all of it or none of it.
type Update struct {
	// Profile holds profile fields to set; empty fields keep their value.
	Profile *kyc.Profile
	// Address, when set, replaces the applicant's residential address (see SetAddress).
	Address *kyc.Address
	// Steps stage or submit documents, in order.
	Steps []Step
}

// Step is one document of an Update: a slot and, for the front (SlotFront) and the proof of address
// (SlotAddress), the end user's claim. SlotFront stages the identity claim and submits the identity
// document when its files are there (see SubmitIdentity), SlotSelfie submits it once the selfie is
// uploaded, SlotBack joins the front's document, SlotAddress submits the proof of address.
type Step struct {
	Slot  Slot
	Claim Claim
}

// StepError is the refusal of one step of an Update; Err is a *kyc.ValidationError with kycd's field
// locations (body.identification.expiryDate), which the caller may rename after its own.
type StepError struct {
	Index int
	Err   error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %d: %v", e.Index, e.Err) }

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }

// Apply commits an Update in one transaction: the profile and the address change and every document
// it submits are stored together or, when any part is refused, not at all (a refused third step keeps
// neither the profile change nor the first steps' documents, and sends no event). Everything is
// checked before the transaction: a step's claim, its uploads, and that the KYC request asks for its
// document; a refused step answers a *StepError. The draft that the steps change is written in the
// same transaction, over the version the steps were planned on; when another request wrote the
// draft in between, the steps are planned again on the new draft. It answers the draft and the
// documents submitted.
func (s *Service) Apply(ctx context.Context, w Who, u Update) (Draft, []kyc.Document, error) {
	var req *kyc.Request
	if w.RequestID != "" && len(u.Steps) > 0 {
		r, err := s.requests.Get(ctx, w.Env, w.RequestID)
		if err != nil {
			return Draft{}, nil, err
		}
		req = &r
	}
	change, err := s.applicantChange(w, u.Profile, u.Address)
	if err != nil {
		return Draft{}, nil, err
	}
	if len(u.Steps) == 0 {
		if change != nil {
			if _, err := s.changer.ChangeApplicant(ctx, w.Env, w.ApplicantID, change, nil, nil); err != nil {
				return Draft{}, nil, err
			}
		}
		d, err := s.Draft(ctx, w)
		return d, nil, err
	}
	var d Draft
	var out []kyc.Document
	err = retry(ctx, func() error {
		var err error
		d, out, err = s.apply(ctx, w, req, change, u.Steps)
		return err
	})
	if err != nil {
		return Draft{}, nil, err
	}
	return d, out, nil
}

// apply plans the steps on the applicant's draft as read now and commits the applicant's change,
// the documents and the changed draft in one transaction (store.ErrDraftChanged when the draft
// changed since it was read: nothing is then written).
func (s *Service) apply(ctx context.Context, w Who, req *kyc.Request, change func(a *kyc.Applicant) (store.Effects, error), steps []Step) (Draft, []kyc.Document, error) {
	cur, err := s.load(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	d := cur.Draft
	var docs []store.NewDocument
	var ids []string
	for i, st := range steps {
		nd, err := s.plan(w, req, &d, st, ids)
		if err != nil {
			return Draft{}, nil, &StepError{Index: i, Err: err}
		}
		if nd != nil {
			docs, ids = append(docs, *nd), append(ids, nd.Document.ID)
		}
	}
	row, err := cur.next(d)
	if err != nil {
		return Draft{}, nil, err
	}
	if change != nil || len(docs) > 0 {
		_, err = s.changer.ChangeApplicant(ctx, w.Env, w.ApplicantID, change, docs, &row)
	} else {
		err = s.drafts.SaveDraft(ctx, &row)
	}
	if err != nil {
		return Draft{}, nil, err
	}
	s.written(ctx, cur)
	out := make([]kyc.Document, len(docs))
	for i, nd := range docs {
		out[i] = *nd.Document
	}
	return d, out, nil
}

// plan checks one step against the draft and changes the draft as the step does; it answers the
// document the step submits, if any, to be created with the others. submitted are the ids of the
// documents the update's earlier steps submitted.
func (s *Service) plan(w Who, req *kyc.Request, d *Draft, st Step, submitted []string) (*store.NewDocument, error) {
	switch st.Slot {
	case SlotFront:
		c := st.Claim
		if err := validateClaim(&c, "identity-proof"); err != nil {
			return nil, err
		}
		if _, ok := d.Uploads[SlotFront]; !ok {
			return nil, kyc.Invalid("body.fileData", "upload the front of the document (%s) first", SlotFront)
		}
		if err := asks(req, "identity-proof"); err != nil {
			return nil, err
		}
		c.Time = s.now().UTC()
		d.Identity = &c
		return s.planIdentity(w, req, d)
	case SlotBack:
		// The back joins the front's document; nothing to do on its own.
		return nil, nil
	case SlotSelfie:
		if _, ok := d.Uploads[SlotSelfie]; !ok {
			if sub, ok := d.Submitted[SlotSelfie]; ok && slices.Contains(submitted, sub.DocumentID) {
				// The front of the same update submitted the identity document with the selfie.
				return nil, nil
			}
			return nil, kyc.Invalid("body.fileData", "upload the selfie (%s) first", SlotSelfie)
		}
		return s.planIdentity(w, req, d)
	case SlotAddress:
		c := st.Claim
		if err := validateClaim(&c, "address-proof"); err != nil {
			return nil, err
		}
		up, ok := d.Uploads[SlotAddress]
		if !ok {
			return nil, kyc.Invalid("body.fileData", "upload the proof of address (%s) first", SlotAddress)
		}
		if err := asks(req, "address-proof"); err != nil {
			return nil, err
		}
		c.Time = s.now().UTC()
		nd, err := document.Prepare(w.Actor(), w.Env, document.Input{ApplicantID: w.ApplicantID, RequestID: w.RequestID,
			Type: "address-proof", Subtype: c.Subtype, FileIDs: []string{up.FileID}, Identification: identificationOrNil(c.Identification)})
		if err != nil {
			return nil, err
		}
		recordSubmitted(d, *nd.Document, []Slot{SlotAddress}, []string{up.FileID}, &c)
		return &nd, nil
	}
	return nil, kyc.Invalid("body.document_type", "must be one of %v", Slots)
}

// asks refuses a document type that the KYC request (nil: none) does not ask for, or any document
// once the request is final. The store checks the same when it creates the document (inside the
// transaction, the authority); this early check only names the step that is refused.
func asks(req *kyc.Request, docType string) error {
	switch {
	case req == nil:
		return nil
	case kyc.FinalRequestStatus(req.Status):
		return kyc.Invalid("body.requestId", "the KYC request is %s and takes no more documents", req.Status)
	case !slices.ContainsFunc(req.Documents, func(rd kyc.RequestDocument) bool { return rd.Type == docType }):
		return kyc.Invalid("body.type", "the KYC request does not ask for a %s document", docType)
	}
	return nil
}

// SubmitIdentity stages an identity document's claims and submits the document when its files are
// there: the front, the back when one was uploaded, and the selfie when one is needed (see
// SelfieRequired). It answers the draft and the document, if one was created.
func (s *Service) SubmitIdentity(ctx context.Context, w Who, c Claim) (Draft, *kyc.Document, error) {
	return s.applyOne(ctx, w, Update{Steps: []Step{{Slot: SlotFront, Claim: c}}})
}

// SubmitSelfie submits the identity document staged with SubmitIdentity once the selfie is
// uploaded. Without staged claims the selfie stays staged.
func (s *Service) SubmitSelfie(ctx context.Context, w Who) (Draft, *kyc.Document, error) {
	return s.applyOne(ctx, w, Update{Steps: []Step{{Slot: SlotSelfie}}})
}

// SubmitAddress replaces the applicant's residential address with addr (when given) and submits
// the staged proof of address as an address-proof document with the claim, in one transaction.
func (s *Service) SubmitAddress(ctx context.Context, w Who, c Claim, addr *kyc.Address) (Draft, *kyc.Document, error) {
	return s.applyOne(ctx, w, Update{Address: addr, Steps: []Step{{Slot: SlotAddress, Claim: c}}})
}

// applyOne applies an update of one step and answers its document, if any; a refused step answers
// its own error.
func (s *Service) applyOne(ctx context.Context, w Who, u Update) (Draft, *kyc.Document, error) {
	d, docs, err := s.Apply(ctx, w, u)
	var se *StepError
	if errors.As(err, &se) {
		err = se.Err
	}
	if err != nil {
		return Draft{}, nil, err
	}
	if len(docs) == 0 {
		return d, nil, nil
	}
	return d, &docs[0], nil
}

// SelfieRequired reports whether an identity document waits for a selfie: when the request asks for
// a face proof, or, without a request, always (level L1 is an identity document and a selfie).
func (s *Service) SelfieRequired(ctx context.Context, w Who) (bool, error) {
	if w.RequestID == "" {
		return true, nil
	}
	r, err := s.requests.Get(ctx, w.Env, w.RequestID)
	if err != nil {
		return false, err
	}
	return selfieRequired(&r), nil
}

func selfieRequired(req *kyc.Request) bool {
	if req == nil {
		return true
	}
	for _, rd := range req.Documents {
		if rd.Type == "identity-proof" {
			return rd.FaceProofRequired || rd.FaceLivenessRequired
		}
	}
	return false
}

// planIdentity answers the identity document when the draft has its claim and files (the front, the
// back if uploaded, the selfie when required or uploaded), and records it in the draft; nil when
// something is still missing.
func (s *Service) planIdentity(w Who, req *kyc.Request, d *Draft) (*store.NewDocument, error) {
	front, hasFront := d.Uploads[SlotFront]
	selfie, hasSelfie := d.Uploads[SlotSelfie]
	if d.Identity == nil || !hasFront || (selfieRequired(req) && !hasSelfie) {
		return nil, nil
	}
	slots := []Slot{SlotFront}
	ids := []string{front.FileID}
	if back, ok := d.Uploads[SlotBack]; ok {
		slots, ids = append(slots, SlotBack), append(ids, back.FileID)
	}
	if hasSelfie {
		slots, ids = append(slots, SlotSelfie), append(ids, selfie.FileID)
	}
	claim := *d.Identity
	nd, err := document.Prepare(w.Actor(), w.Env, document.Input{ApplicantID: w.ApplicantID, RequestID: w.RequestID,
		Type: "identity-proof", Subtype: claim.Subtype, FileIDs: ids, Identification: identificationOrNil(claim.Identification)})
	if err != nil {
		return nil, err
	}
	recordSubmitted(d, *nd.Document, slots, ids, &claim)
	d.Identity = nil
	return &nd, nil
}

func recordSubmitted(d *Draft, doc kyc.Document, slots []Slot, ids []string, c *Claim) {
	if d.Submitted == nil {
		d.Submitted = map[Slot]Submitted{}
	}
	for i, slot := range slots {
		sub := Submitted{DocumentID: doc.ID, FileID: ids[i], Time: d.Uploads[slot].Time}
		if i == 0 {
			sub.Claim = c
		}
		d.Submitted[slot] = sub
		delete(d.Uploads, slot)
	}
	// A back side left over from an earlier document would otherwise join the next one.
	if slots[0] == SlotFront {
		delete(d.Uploads, SlotBack)
	}
}

// SetAddress makes addr the applicant's residential address (replacing the first one). An address
// without a country takes the applicant's country of residence, or nationality.
func (s *Service) SetAddress(ctx context.Context, w Who, addr kyc.Address) error {
	_, _, err := s.Apply(ctx, w, Update{Address: &addr})
	return err
}

// UpdateProfile applies profile fields to the applicant; empty fields keep their value.
func (s *Service) UpdateProfile(ctx context.Context, w Who, p kyc.Profile) error {
	_, _, err := s.Apply(ctx, w, Update{Profile: &p})
	return err
}

// applicantChange returns the change of the applicant that sets the profile fields of p (empty
// ones are left out, so they keep their value) and makes addr the residential address, as one JSON
// merge patch through the applicant package's rules; nil when there is nothing to change.
func (s *Service) applicantChange(w Who, p *kyc.Profile, addr *kyc.Address) (func(a *kyc.Applicant) (store.Effects, error), error) {
	var profile json.RawMessage
	if p != nil {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("profile patch: %w", err)
		}
		if string(b) != "{}" {
			profile = b
		}
	}
	if profile == nil && addr == nil {
		return nil, nil
	}
	return func(a *kyc.Applicant) (store.Effects, error) {
		patch := map[string]any{}
		if profile != nil {
			patch["profile"] = profile
		}
		if addr != nil {
			patch["addresses"] = withAddress(a, p, *addr)
		}
		b, err := json.Marshal(patch)
		if err != nil {
			return store.Effects{}, fmt.Errorf("applicant patch: %w", err)
		}
		return applicant.Patch(w.Actor(), w.Env, b)(a)
	}, nil
}

// withAddress answers a's addresses with addr in place of the one of its type (residential when
// it has none), or added. An address without a country takes the country of residence, or the
// nationality, of p (the profile being set) or else of a.
func withAddress(a *kyc.Applicant, p *kyc.Profile, addr kyc.Address) []kyc.Address {
	if addr.Type == "" {
		addr.Type = "residential"
	}
	if addr.Country == "" {
		var next kyc.Profile
		if p != nil {
			next = *p
		}
		addr.Country = cmp.Or(next.CountryOfResidence, a.Profile.CountryOfResidence, next.Nationality, a.Profile.Nationality)
	}
	addrs := slices.Clone(a.Addresses)
	i := slices.IndexFunc(addrs, func(x kyc.Address) bool { return x.Type == addr.Type })
	if i >= 0 {
		addrs[i] = addr
	} else {
		addrs = append(addrs, addr)
	}
	return addrs
}

// validateClaim checks the claim's dates and country as the document service will, so a claim that
// waits for its selfie is known good, and normalises the country to alpha-2.
func validateClaim(c *Claim, docType string) error {
	var p kyc.Problems
	id := &c.Identification
	id.Number = strings.TrimSpace(id.Number)
	if c.Subtype != "" && !slices.Contains(kyc.Subtypes[docType], c.Subtype) {
		p.Add("body.subtype", "a %s document's subtype is one of %v", docType, kyc.Subtypes[docType])
	}
	p.Country("body.identification.issuingCountry", &id.IssuingCountry)
	issued, okI := p.Date("body.identification.issueDate", id.IssueDate)
	expires, okE := p.Date("body.identification.expiryDate", id.ExpiryDate)
	if okI && okE && !issued.Before(expires) {
		p.Add("body.identification.expiryDate", "must be after the issue date")
	}
	return p.Err()
}

func identificationOrNil(id kyc.Identification) *kyc.Identification {
	if id == (kyc.Identification{}) {
		return nil
	}
	return &id
}
