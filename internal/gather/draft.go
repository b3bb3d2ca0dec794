package gather

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
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

// Drafts keeps drafts in the database, one per applicant, each written over the version it was read
// at (store.ErrDraftChanged when another write came first). *store.Store satisfies it.
type Drafts interface {
	Draft(ctx context.Context, env kyc.Env, applicantID string) (store.Draft, error)
	SaveDraft(ctx context.Context, d *store.Draft) error
}

// Blobs is the sealed object store that kept drafts before they moved into the database, under
// drafts/<env>/<applicant id>. Such a draft is read when the applicant has no draft in the
// database, and deleted once its first change is written there. *blob.Store satisfies it.
type Blobs interface {
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// draftAttempts bounds how often a change of a draft is redone when another write of the same
// draft came between its read and its write: a handful of concurrent uploads of one end user
// settle in a few rounds.
const draftAttempts = 8

// stored is a draft as read: its content, the row it is written back over, and whether it came
// from the blob store (see Blobs).
type stored struct {
	Draft
	row    store.Draft
	legacy bool
}

// legacyKey is where a draft was kept before drafts moved into the database.
func legacyKey(env kyc.Env, applicantID string) string {
	return "drafts/" + string(env) + "/" + applicantID
}

// load reads the applicant's draft: the database's, else one left in the blob store by an earlier
// version of kycd, else an empty one.
func (s *Service) load(ctx context.Context, w Who) (stored, error) {
	cur := stored{row: store.Draft{Env: w.Env, ApplicantID: w.ApplicantID}}
	row, err := s.drafts.Draft(ctx, w.Env, w.ApplicantID)
	switch {
	case err == nil:
		cur.row = row
		if err := json.Unmarshal(row.Data, &cur.Draft); err != nil {
			return stored{}, fmt.Errorf("read draft: %w", err)
		}
		return cur, nil
	case !errors.Is(err, kyc.ErrNotFound):
		return stored{}, err
	}
	rc, err := s.blobs.Get(ctx, legacyKey(w.Env, w.ApplicantID))
	if errors.Is(err, kyc.ErrNotFound) {
		return cur, nil
	}
	if err != nil {
		return stored{}, fmt.Errorf("read draft: %w", err)
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(&cur.Draft); err != nil {
		return stored{}, fmt.Errorf("read draft: %w", err)
	}
	cur.legacy = true
	return cur, nil
}

// next answers the row that writes d over cur.
func (cur stored) next(d Draft) (store.Draft, error) {
	row := cur.row
	b, err := json.Marshal(d)
	if err != nil {
		return store.Draft{}, fmt.Errorf("write draft: %w", err)
	}
	row.Data = b
	return row, nil
}

// written ends the move of a draft read from the blob store once its first change is in the
// database: the blob is deleted. A blob that fails to delete is harmless, never read again now
// that the database has the draft; the orphan is left rather than failing a change that committed.
func (s *Service) written(ctx context.Context, cur stored) {
	if cur.legacy {
		_ = s.blobs.Delete(ctx, legacyKey(cur.row.Env, cur.row.ApplicantID))
	}
}

// retry runs change, a read-change-write of a draft, again when another write of the draft came
// between its read and its write, up to draftAttempts times, with a short random pause that spreads
// out the writers that collided.
func retry(ctx context.Context, change func() error) error {
	for i := 1; ; i++ {
		err := change()
		if !errors.Is(err, store.ErrDraftChanged) || i == draftAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rand.N(time.Duration(i) * 2 * time.Millisecond)):
		}
	}
}
