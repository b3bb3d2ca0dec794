package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/request"
	"kycd/internal/store"
	"kycd/internal/tracing"
	"kycd/internal/verify/check"
)

// The attributes of verification's spans: ids and outcomes only.
const (
	attrDocument = attribute.Key("kycd.document.id")
	attrOutcome  = attribute.Key("kycd.document.outcome")
)

// Store is what the engine needs from the database.
type Store interface {
	Document(ctx context.Context, env kyc.Env, id string) (kyc.Document, error)
	Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error)
	Request(ctx context.Context, env kyc.Env, id string) (kyc.Request, error)
	DecideDocument(ctx context.Context, env kyc.Env, id string, decide func(c *store.Case) (store.Effects, error)) (kyc.Document, error)
	// Records reads the fingerprints and faces of decided documents (records.go).
	Records
	// LivenessByFile returns the liveness challenge whose first frame is this selfie file
	// (kyc.ErrNotFound when the selfie came another way).
	LivenessByFile(ctx context.Context, env kyc.Env, fileID string) (store.LivenessSession, error)
}

var _ Store = (*store.Store)(nil)

// Files gives files and their bytes, opened under the key they were sealed under. *file.Service
// satisfies it.
type Files interface {
	Open(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error)
}

// Config tunes the engine.
type Config struct {
	// IndexKey keys the blind index of document numbers (HMAC-SHA256); derive it from the master key.
	IndexKey []byte
	// MaxPixels bounds image decoding. Default 50,000,000.
	MaxPixels int64
	// DecodeMemory is the memory, in bytes, that decoding images may take at once across every
	// verification of the engine (one engine serves the whole process): a decode waits for room,
	// and an image that alone needs more is refused (check image-decodes fails). Default
	// check.DefaultDecodeMemory, 256 MiB.
	DecodeMemory int64
	// Decode, when set, is the decode budget to share with the rest of the process (the
	// readings of uploads); DecodeMemory is then unused.
	Decode *check.Budget
	// PHashDistance is the largest Hamming distance between perceptual hashes that counts as the
	// same image. Default 6.
	PHashDistance int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Faces describes faces (landmarks, alignment, embedding); default one *face.Analyzer shared
	// by the process's engines. Share it with the rest of the process (face comparisons).
	Faces Analyzer
}

// Engine verifies documents.
type Engine struct {
	store    Store
	files    Files
	levels   *level.Set
	screener Screener
	cfg      Config
	decode   *check.Budget
	faces    Analyzer
	faceIdx  faceIndexes
	hashIdx  hashIndexes
}

// NewEngine returns an engine whose identity documents are screened by screener before their
// decision.
func NewEngine(st Store, files Files, levels *level.Set, screener Screener, cfg Config) *Engine {
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = 50_000_000
	}
	if cfg.PHashDistance <= 0 {
		cfg.PHashDistance = 6
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	decode := cfg.Decode
	if decode == nil {
		decode = check.NewBudget(cfg.DecodeMemory)
	}
	faces := cfg.Faces
	if faces == nil {
		a, err := defaultAnalyzer()
		if err != nil {
			panic("verify: the embedded face nets do not load: " + err.Error())
		}
		faces = a
	}
	return &Engine{store: st, files: files, levels: levels, screener: screener, cfg: cfg, decode: decode, faces: faces}
}

// errSettled stops a decision for a document that someone decided meanwhile.
var errSettled = errors.New("document already decided")

const engineActor kyc.Actor = "system:verification"

// Verify runs the checks on one document and decides it. A document that is no longer pending is
// left alone, so a job that runs twice changes nothing the second time.
func (e *Engine) Verify(ctx context.Context, env kyc.Env, id string) (err error) {
	d, err := e.store.Document(ctx, env, id)
	if err != nil {
		return err
	}
	if d.Status != "pending" && d.Status != "in-progress" {
		return nil
	}
	// Each stage is a span of the job's (package tracing): reading the files, the checks, the
	// decision.
	sctx, span := tracing.Stage(ctx, "verify.gather", attrDocument.String(id))
	in, err := e.gather(sctx, env, &d)
	tracing.EndStage(span, err)
	if err != nil {
		return err
	}
	sctx, span = tracing.Stage(ctx, "verify.checks", attrDocument.String(id))
	fs, parsed, prints, err := e.runChecks(sctx, in)
	tracing.EndStage(span, err)
	if err != nil {
		return err
	}
	ctx, span = tracing.Stage(ctx, "verify.decide", attrDocument.String(id))
	defer func() { tracing.EndStage(span, err) }()
	now := e.cfg.Now()
	dec, checks, reason := decision(fs, in.level, now)
	if outcome, forcedReason, ok := forced(env, &d); ok {
		dec.Outcome, dec.Forced, reason = outcome, true, forcedReason
	}
	_, err = e.store.DecideDocument(ctx, env, id, func(c *store.Case) (store.Effects, error) {
		doc := c.Document
		if doc.Status != "pending" && doc.Status != "in-progress" {
			return store.Effects{}, errSettled
		}
		doc.Status, doc.Score, doc.CheckList, doc.ParsedData, doc.Decision = dec.Outcome, &dec.Score, checks, parsed, &dec
		if in.zone.Zone != nil {
			// What the zone read fills the fields that were not typed (in.doc holds them).
			filled := check.IdentificationFromMRZ(in.zone.Zone, doc.Identification)
			doc.Identification = &filled
		}
		doc.RejectionReason = reason
		span.SetAttributes(attrOutcome.String(doc.Status))
		// A rejected document's faces are not kept: only an accepted one, or one a reviewer may
		// accept, can be the earlier document a duplicate face is found in.
		var faces []Face
		if doc.Status == "accepted" || doc.Status == "pending-review" {
			faces = in.keepFaces
		}
		if err := writeRecords(ctx, c.Tx, doc, prints, faces); err != nil {
			return store.Effects{}, err
		}
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: engineActor, Action: "kyc-document.decide", ResourceType: "kyc-document", ResourceID: doc.ID}}
		return request.Decided(c, eff, e.levels), nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}

// input is everything the checks of one document look at.
type input struct {
	env       kyc.Env
	doc       *kyc.Document
	applicant kyc.Applicant
	request   *kyc.Request
	level     level.Level
	files     []file
	// zone is the machine-readable zone read from an identity document's images, or why none was.
	zone check.ImageMRZ
	// selfie and portrait are the faces of an identity document's selfie and of its largest
	// portrait (nil when none was found); keepFaces are the faces to index with the decision.
	selfie, portrait *seenFace
	keepFaces        []Face
}

// file is one of the document's files with its bytes.
type file struct {
	kyc.File
	data []byte
}

func (e *Engine) gather(ctx context.Context, env kyc.Env, d *kyc.Document) (*input, error) {
	in := &input{env: env, doc: d}
	var err error
	if in.applicant, err = e.store.Applicant(ctx, env, d.ApplicantID); err != nil {
		return nil, err
	}
	levelName := "L1"
	if d.RequestID != "" {
		r, err := e.store.Request(ctx, env, d.RequestID)
		if err != nil {
			return nil, err
		}
		in.request, levelName = &r, r.Level
	}
	l, ok := e.levels.Get(levelName)
	if !ok {
		return nil, fmt.Errorf("verify %s: level %q: %w", d.ID, levelName, errLevelUnknown)
	}
	in.level = l
	for _, id := range d.FileIDs {
		f, rc, err := e.files.Open(ctx, env, id)
		if err != nil {
			return nil, fmt.Errorf("verify %s: file %s: %w", d.ID, id, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, f.Size+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("verify %s: file %s: %w", d.ID, id, err)
		}
		in.files = append(in.files, file{File: f, data: data})
	}
	return in, nil
}

// documentNumberIndex is the blind index of a document number: an HMAC, under a key derived from
// the master key, of the normalised number, issuing country and subtype. Equal documents meet in
// the index; the index does not reveal the number.
func (e *Engine) documentNumberIndex(number, country, subtype string) string {
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, number)
	if n == "" {
		return ""
	}
	m := hmac.New(sha256.New, e.cfg.IndexKey)
	m.Write([]byte(n + "|" + country + "|" + subtype))
	return hex.EncodeToString(m.Sum(nil))
}
