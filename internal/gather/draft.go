package gather

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"kycd/internal/kyc"
)

// Slot is one kind of upload the end user makes: the app document's document_type values.
type Slot string

// The slots of the three screens, and the file tag each is stored under.
const (
	SlotFront   Slot = "id_proof_front"
	SlotBack    Slot = "id_proof_back"
	SlotSelfie  Slot = "id_proof_live"
	SlotAddress Slot = "address_proof"
)

// Slots lists every slot in screen order.
var Slots = []Slot{SlotFront, SlotBack, SlotSelfie, SlotAddress}

// Tag returns the file tag of a slot.
func (s Slot) Tag() string {
	switch s {
	case SlotFront:
		return "id-front"
	case SlotBack:
		return "id-back"
	case SlotSelfie:
		return "face-proof"
	case SlotAddress:
		return "address-proof"
	}
	return "other"
}

// Valid reports whether s is one of Slots.
func (s Slot) Valid() bool { return s.Tag() != "other" }

// Claim is what the end user says about one document: its subtype and identification, plus the
// fields as the app sent them (nil where the app left a field out), so they can be answered back
// unchanged.
type Claim struct {
	Subtype        string             `json:"subtype,omitempty"`
	Identification kyc.Identification `json:"identification"`
	// AppFields are the app's identification_* fields as sent; nil values were absent.
	AppFields map[string]*string `json:"appFields,omitempty"`
	Time      time.Time          `json:"time"`
}

// Upload is one stored file in a slot.
type Upload struct {
	FileID string    `json:"fileId"`
	Time   time.Time `json:"time"`
}

// Submitted records the KYC document that a slot's file went into.
type Submitted struct {
	DocumentID string    `json:"documentId"`
	FileID     string    `json:"fileId"`
	Claim      *Claim    `json:"claim,omitempty"`
	Time       time.Time `json:"time"`
}

// Draft is what one applicant has staged: files per slot not yet in a document, staged claims,
// and, per slot, the latest document it produced. There is one per applicant, whichever request
// (or none, for the app) the documents answer.
type Draft struct {
	Uploads   map[Slot]Upload    `json:"uploads,omitempty"`
	Identity  *Claim             `json:"identity,omitempty"`
	Submitted map[Slot]Submitted `json:"submitted,omitempty"`
}

// Blobs is the sealed object store drafts live in. *blob.Store satisfies it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

func draftKey(env kyc.Env, applicantID string) string {
	return "drafts/" + string(env) + "/" + applicantID
}

func (s *Service) loadDraft(ctx context.Context, env kyc.Env, applicantID string) (Draft, error) {
	d := Draft{}
	rc, err := s.blobs.Get(ctx, draftKey(env, applicantID))
	if errors.Is(err, kyc.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("read draft: %w", err)
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(&d); err != nil {
		return d, fmt.Errorf("read draft: %w", err)
	}
	return d, nil
}

func (s *Service) saveDraft(ctx context.Context, env kyc.Env, applicantID string, d Draft) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("write draft: %w", err)
	}
	if _, err := s.blobs.Put(ctx, draftKey(env, applicantID), bytes.NewReader(b)); err != nil {
		return fmt.Errorf("write draft: %w", err)
	}
	return nil
}
