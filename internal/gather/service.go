package gather

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"kycd/internal/applicant"
	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/media"
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

// Service stages and submits what end users send.
type Service struct {
	applicants Applicants
	files      Files
	documents  Documents
	requests   Requests
	blobs      Blobs
	locker     Locker
	now        func() time.Time

	// locks serialise the read-change-write of one applicant's draft within this process, striped
	// by applicant id so that their number stays fixed.
	locks [64]sync.Mutex
}

// Locker holds a lock across every process on the database (several replicas). *store.Store
// satisfies it.
type Locker interface {
	LockKey(ctx context.Context, key string) (unlock func(), err error)
}

// NewService returns a service on the domain services, the blob store that keeps drafts and the
// locker that serialises one applicant's draft changes between replicas.
func NewService(a Applicants, f Files, d Documents, r Requests, blobs Blobs, locker Locker) *Service {
	return &Service{applicants: a, files: f, documents: d, requests: r, blobs: blobs, locker: locker, now: time.Now}
}

// lock serialises the read-change-write of one applicant's draft: first within this process, then
// between processes through the database, so two uploads of one applicant on two replicas cannot
// lose one another's changes.
func (s *Service) lock(ctx context.Context, w Who) (unlock func(), err error) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(w.ApplicantID))
	l := &s.locks[h.Sum32()%uint32(len(s.locks))]
	l.Lock()
	release, err := s.locker.LockKey(ctx, "gather-draft:"+string(w.Env)+":"+w.ApplicantID)
	if err != nil {
		l.Unlock()
		return nil, err
	}
	return func() { release(); l.Unlock() }, nil
}

// lockDraft locks the applicant's draft (see lock) and loads it; the caller must call unlock.
func (s *Service) lockDraft(ctx context.Context, w Who) (Draft, func(), error) {
	unlock, err := s.lock(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	d, err := s.loadDraft(ctx, w.Env, w.ApplicantID)
	if err != nil {
		unlock()
		return Draft{}, nil, err
	}
	return d, unlock, nil
}

// Draft returns what the applicant has staged and submitted so far.
func (s *Service) Draft(ctx context.Context, w Who) (Draft, error) {
	return s.loadDraft(ctx, w.Env, w.ApplicantID)
}

// Upload stores a file for a slot and stages it: it replaces an earlier file of the slot that is
// not yet in a document. It always removes sp.
func (s *Service) Upload(ctx context.Context, w Who, slot Slot, sp *media.Spooled) (kyc.File, error) {
	if !slot.Valid() {
		_ = sp.Remove()
		return kyc.File{}, kyc.Invalid("body.fileData.type", "must be one of %v", Slots)
	}
	f, err := s.files.Create(ctx, w.Actor(), w.Env, w.ApplicantID, slot.Tag(), sp)
	if err != nil {
		return kyc.File{}, err
	}
	d, unlock, err := s.lockDraft(ctx, w)
	if err != nil {
		return kyc.File{}, err
	}
	defer unlock()
	if d.Uploads == nil {
		d.Uploads = map[Slot]Upload{}
	}
	d.Uploads[slot] = Upload{FileID: f.ID, Time: f.CreatedTime}
	return f, s.saveDraft(ctx, w.Env, w.ApplicantID, d)
}

// SubmitIdentity stages an identity document's claims and submits the document when its files are
// there: the front, the back when one was uploaded, and the selfie when one is needed (see
// SelfieRequired). It answers the draft and the document, if one was created.
func (s *Service) SubmitIdentity(ctx context.Context, w Who, c Claim) (Draft, *kyc.Document, error) {
	if err := validateClaim(&c, "identity-proof"); err != nil {
		return Draft{}, nil, err
	}
	d, unlock, err := s.lockDraft(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	defer unlock()
	if _, ok := d.Uploads[SlotFront]; !ok {
		return Draft{}, nil, kyc.Invalid("body.fileData", "upload the front of the document (%s) first", SlotFront)
	}
	c.Time = s.now().UTC()
	d.Identity = &c
	return s.trySubmitIdentity(ctx, w, d)
}

// SubmitSelfie submits the identity document staged with SubmitIdentity once the selfie is
// uploaded. Without staged claims the selfie stays staged.
func (s *Service) SubmitSelfie(ctx context.Context, w Who) (Draft, *kyc.Document, error) {
	d, unlock, err := s.lockDraft(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	defer unlock()
	if _, ok := d.Uploads[SlotSelfie]; !ok {
		return Draft{}, nil, kyc.Invalid("body.fileData", "upload the selfie (%s) first", SlotSelfie)
	}
	return s.trySubmitIdentity(ctx, w, d)
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
	for _, rd := range r.Documents {
		if rd.Type == "identity-proof" {
			return rd.FaceProofRequired || rd.FaceLivenessRequired, nil
		}
	}
	return false, nil
}

func (s *Service) trySubmitIdentity(ctx context.Context, w Who, d Draft) (Draft, *kyc.Document, error) {
	front, hasFront := d.Uploads[SlotFront]
	selfie, hasSelfie := d.Uploads[SlotSelfie]
	needSelfie, err := s.SelfieRequired(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	if d.Identity == nil || !hasFront || (needSelfie && !hasSelfie) {
		return d, nil, s.saveDraft(ctx, w.Env, w.ApplicantID, d)
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
	doc, err := s.documents.Create(ctx, w.Actor(), w.Env, document.Input{ApplicantID: w.ApplicantID, RequestID: w.RequestID,
		Type: "identity-proof", Subtype: claim.Subtype, FileIDs: ids, Identification: identificationOrNil(claim.Identification)})
	if err != nil {
		return Draft{}, nil, err
	}
	s.recordSubmitted(&d, doc, slots, ids, &claim)
	d.Identity = nil
	return d, &doc, s.saveDraft(ctx, w.Env, w.ApplicantID, d)
}

// SubmitAddress replaces the applicant's residential address with addr (when given) and submits
// the staged proof of address as an address-proof document with the claim.
func (s *Service) SubmitAddress(ctx context.Context, w Who, c Claim, addr *kyc.Address) (Draft, *kyc.Document, error) {
	if err := validateClaim(&c, "address-proof"); err != nil {
		return Draft{}, nil, err
	}
	if addr != nil {
		if err := s.SetAddress(ctx, w, *addr); err != nil {
			return Draft{}, nil, err
		}
	}
	d, unlock, err := s.lockDraft(ctx, w)
	if err != nil {
		return Draft{}, nil, err
	}
	defer unlock()
	up, ok := d.Uploads[SlotAddress]
	if !ok {
		return Draft{}, nil, kyc.Invalid("body.fileData", "upload the proof of address (%s) first", SlotAddress)
	}
	c.Time = s.now().UTC()
	doc, err := s.documents.Create(ctx, w.Actor(), w.Env, document.Input{ApplicantID: w.ApplicantID, RequestID: w.RequestID,
		Type: "address-proof", Subtype: c.Subtype, FileIDs: []string{up.FileID}, Identification: identificationOrNil(c.Identification)})
	if err != nil {
		return Draft{}, nil, err
	}
	s.recordSubmitted(&d, doc, []Slot{SlotAddress}, []string{up.FileID}, &c)
	return d, &doc, s.saveDraft(ctx, w.Env, w.ApplicantID, d)
}

func (s *Service) recordSubmitted(d *Draft, doc kyc.Document, slots []Slot, ids []string, c *Claim) {
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

// SetAddress makes addr the applicant's residential address (replacing the first one), as a JSON
// merge patch through the applicant service. An address without a country takes the applicant's
// country of residence, or nationality.
func (s *Service) SetAddress(ctx context.Context, w Who, addr kyc.Address) error {
	a, err := s.applicants.Get(ctx, w.Env, w.ApplicantID)
	if err != nil {
		return err
	}
	if addr.Type == "" {
		addr.Type = "residential"
	}
	if addr.Country == "" {
		addr.Country = a.Profile.CountryOfResidence
		if addr.Country == "" {
			addr.Country = a.Profile.Nationality
		}
	}
	addrs := slices.Clone(a.Addresses)
	i := slices.IndexFunc(addrs, func(x kyc.Address) bool { return x.Type == addr.Type })
	if i >= 0 {
		addrs[i] = addr
	} else {
		addrs = append(addrs, addr)
	}
	patch, err := json.Marshal(map[string]any{"addresses": addrs})
	if err != nil {
		return fmt.Errorf("address patch: %w", err)
	}
	_, err = s.applicants.Update(ctx, w.Actor(), w.Env, w.ApplicantID, patch)
	return err
}

// UpdateProfile applies profile fields (a kyc.Profile in JSON, camelCase) to the applicant as a
// merge patch; empty fields are left out, so they keep their value.
func (s *Service) UpdateProfile(ctx context.Context, w Who, p kyc.Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("profile patch: %w", err)
	}
	if string(b) == "{}" {
		return nil
	}
	_, err = s.applicants.Update(ctx, w.Actor(), w.Env, w.ApplicantID, []byte(`{"profile":`+string(b)+`}`))
	return err
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
