// Package docread says what kycd reads from one image of a document, at once and without storing
// anything: the machine-readable zone (package mrzimage), whether a portrait is found, and the
// capture's quality by the same checks that verification runs. It serves
// POST /v1/files/{id}/reading, the hosted flow's capture (prefill and retake) and the app
// endpoints, which fill a document's identification from it.
//
// A Reading is personal data (the zone's names, number and dates): do not log it.
package docread

import (
	"context"
	"errors"
	"image"
	"runtime"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/mrz/mrzimage"
	"kycd/internal/verify/check"
)

// Config tunes a Reader.
type Config struct {
	// Budget bounds the memory that decoding takes at once; share the verification engine's, so
	// the process has one bound. Default a budget of check.DefaultDecodeMemory.
	Budget *check.Budget
	// MaxPixels refuses larger images from their header. Default check.DefaultMaxPixels.
	MaxPixels int64
	// MinImageSide is the shorter side an image needs (the image-size check). Default
	// check.DefaultMinShortSide.
	MinImageSide int
	// Now is the clock two-digit years are read against; default time.Now.
	Now func() time.Time
	// MaxConcurrent is how many readings run at once; the rest wait their turn (or their context's
	// end). A reading is CPU work of 0.1 to 0.3 s, asked for by end users' pages as well as
	// integrators, so it is bounded by the cores rather than by who asks. Default GOMAXPROCS.
	MaxConcurrent int
}

// Reader reads document images. It is safe for concurrent use.
type Reader struct {
	cfg   Config
	slots chan struct{}
}

// NewReader returns a Reader.
func NewReader(cfg Config) *Reader {
	if cfg.Budget == nil {
		cfg.Budget = check.NewBudget(0)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &Reader{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent)}
}

// Reading is what was read from one image.
type Reading struct {
	// MRZ is the machine-readable zone, or nil when none was read (Reasons says why).
	MRZ *MRZ `json:"mrz"`
	// Identification is what the zone says in a document's identification form (number, expiry
	// date, issuing country as ISO 3166-1 alpha-2, holder name), for a form to prefill and a
	// person to confirm; nil when no zone was read.
	Identification *kyc.Identification `json:"identification,omitempty"`
	// Reasons say why no zone was read, or that the image is unusable.
	Reasons []string `json:"reasons,omitempty"`
	// Portrait says whether a face was found, where.
	Portrait Portrait `json:"portrait"`
	// Quality is the capture's quality checks.
	Quality Quality `json:"quality"`
}

// MRZ is a zone read from an image. Every check digit of a zone that is read is valid: a zone
// whose digits do not all pass is not read.
type MRZ struct {
	// Format is TD1, TD2, TD3, MRV-A or MRV-B.
	Format string `json:"format" enum:"TD1,TD2,TD3,MRV-A,MRV-B"`
	// Lines are the zone's lines as read.
	Lines []string `json:"lines"`
	// CheckDigitsValid is always true for a zone that is read.
	CheckDigitsValid bool `json:"checkDigitsValid"`
	// Rotation is how many degrees clockwise the image had to turn to read: 0, 90, 180 or 270.
	Rotation int `json:"rotation"`
	// Fields are the zone's fields.
	Fields Fields `json:"fields"`
}

// Fields are what a zone says, fillers removed. Codes are ICAO's (mostly ISO 3166-1 alpha-3,
// "D" for Germany); dates are YYYY-MM-DD with XX for a part the zone leaves unknown. No check
// digit covers the names, the states or the sex: they are what was read, a claim to compare.
type Fields struct {
	DocumentCode   string `json:"documentCode"`
	DocumentNumber string `json:"documentNumber"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"givenNames"`
	Nationality    string `json:"nationality"`
	DateOfBirth    string `json:"dateOfBirth"`
	Sex            string `json:"sex"`
	ExpiryDate     string `json:"expiryDate"`
	IssuingCountry string `json:"issuingCountry"`
	OptionalData   string `json:"optionalData"`
}

// Portrait is the face found on the document, if any.
type Portrait struct {
	Found bool `json:"found"`
	// Box is where, in the pixels of the image as uploaded; nil when no face was found.
	Box *Box `json:"box,omitempty"`
}

// Box is a rectangle in image pixels.
type Box struct {
	X      int `json:"x"`
	Y      int `json:"y"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Quality is the result of the capture checks that verification runs on a document's image.
type Quality struct {
	// Acceptable reports that no check failed: the capture is fit to send.
	Acceptable bool `json:"acceptable"`
	// Checks are image-decodes, image-size, image-sharp, image-exposure and image-glare.
	Checks []QualityCheck `json:"checks"`
}

// QualityCheck is one check, as in a document's checkList.
type QualityCheck struct {
	Name   string `json:"name"`
	Failed bool   `json:"failed"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Read decodes data (within the budget) and reads it, once one of MaxConcurrent slots is free.
// The error is ctx's when it ended while the reading waited; an image that does not decode is a
// Reading whose Reasons say so.
func (r *Reader) Read(ctx context.Context, data []byte) (*Reading, error) {
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	full, release, err := r.cfg.Budget.Decode(ctx, data, r.cfg.MaxPixels)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		dec := check.Decoded(err)
		return &Reading{Reasons: []string{"the file is not an image kycd reads: " + dec.Detail},
			Quality: Quality{Checks: []QualityCheck{qualityCheck(dec)}}}, nil
	}
	defer release()
	return r.ReadImage(full), nil
}

// ReadImage reads a decoded image.
func (r *Reader) ReadImage(full image.Image) *Reading {
	out := &Reading{}
	if z, err := mrzimage.ReadAt(full, r.cfg.Now()); err == nil {
		m := z.MRZ
		out.MRZ = &MRZ{Format: string(m.Format), Lines: z.Lines, CheckDigitsValid: m.ChecksumValid, Rotation: z.Rotation, Fields: Fields{
			DocumentCode: m.DocumentCode, DocumentNumber: m.DocumentNumber, Surname: m.Surname, GivenNames: m.GivenNames,
			Nationality: m.Nationality, DateOfBirth: m.DateOfBirth.String(), Sex: m.Sex, ExpiryDate: m.ExpiryDate.String(),
			IssuingCountry: m.IssuingState, OptionalData: strings.TrimSpace(m.OptionalData + " " + m.PersonalNumber),
		}}
		id := check.IdentificationFromMRZ(m, nil)
		out.Identification = &id
	} else {
		reason := "no machine-readable zone was read"
		if errors.Is(err, mrzimage.ErrNotRead) {
			reason += ": " + strings.TrimPrefix(err.Error(), mrzimage.ErrNotRead.Error()+": ")
		}
		out.Reasons = append(out.Reasons, reason)
	}

	img := check.Normalize(full)
	if faces := check.FindFaces(img); len(faces) > 0 {
		best := faces[0]
		for _, f := range faces[1:] {
			if f.Score > best.Score {
				best = f
			}
		}
		b := full.Bounds()
		k := float64(max(b.Dx(), b.Dy())) / float64(max(img.Rect.Dx(), img.Rect.Dy()))
		side := int(float64(best.Size) * k)
		out.Portrait = Portrait{Found: true, Box: &Box{X: int(float64(best.Col)*k) - side/2, Y: int(float64(best.Row)*k) - side/2, Width: side, Height: side}}
	}

	rs := []check.Result{check.Decoded(nil), check.Size(full, r.cfg.MinImageSide), check.Sharpness(img, check.DefaultBlurThreshold),
		check.Exposure(img, check.DefaultExposure), check.Glare(img, check.DefaultMaxGlare)}
	out.Quality.Acceptable = true
	for _, res := range rs {
		out.Quality.Checks = append(out.Quality.Checks, qualityCheck(res))
		if res.Failed {
			out.Quality.Acceptable = false
		}
	}
	return out
}

func qualityCheck(r check.Result) QualityCheck {
	q := QualityCheck{Name: r.Name, Failed: r.Failed}
	if r.Failed {
		q.Reason, q.Detail = r.Reason, r.Detail
	}
	return q
}
