// Package sharetest holds what the partner connectors' tests share: an in-memory journal, a clean
// KYC to share, small valid images, and planned answers that make a fake partner fail the way real
// ones do (5xx before or after doing the work, slow answers, rate limits).
package sharetest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"sync"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
)

// Journal is an in-memory share.Journal.
type Journal struct {
	mu    sync.Mutex
	Steps map[string]string
	N     int
}

// NewJournal returns an empty journal at attempt 1.
func NewJournal() *Journal { return &Journal{Steps: map[string]string{}, N: 1} }

// Attempt is the attempt number.
func (j *Journal) Attempt() int { return j.N }

// Step runs do once per name.
func (j *Journal) Step(_ context.Context, name string, do func() (string, error)) (string, error) {
	j.mu.Lock()
	v, ok := j.Steps[name]
	j.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := do()
	if err != nil {
		return "", err
	}
	j.mu.Lock()
	j.Steps[name] = v
	j.mu.Unlock()
	return v, nil
}

// JPEG is a small valid JPEG image.
func JPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// KYC is a clean, approved applicant (a US citizen in Houston with a US passport and a selfie) as
// every partner wants it, shared with partner under a fresh request number.
func KYC(t testing.TB, partner string) *share.KYC {
	t.Helper()
	id := kyc.NewID(kyc.PrefixShare)
	img := JPEG(t)
	file := func(tag string) *share.File {
		f := share.NewFile(kyc.File{ID: kyc.NewID(kyc.PrefixFile), Tag: tag, MIME: "image/jpeg", Size: int64(len(img))}, img)
		f.URL = "http://127.0.0.1:1/unused/" + f.ID
		return f
	}
	return &share.KYC{
		Share: kyc.Share{ID: id, Env: kyc.EnvTest, Partner: partner, Status: "queued", Mode: "new", RequestNo: id,
			Options: map[string]string{"accountId": "6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f"}, CreatedTime: time.Now()},
		Applicant: kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Email: "eileen@example.com",
			Status: "approved", Level: "L1", Profile: kyc.Profile{FirstName: "Eileen", LastName: "Collins", DateOfBirth: "1966-11-19",
				Gender: "female", Nationality: "US", CountryOfResidence: "US", Phone: &kyc.Phone{CountryCode: "1", Number: "7135550123"},
				Occupation: "11-1011", SSN: "123456789", IPAddress: "203.0.113.7"},
			Addresses: []kyc.Address{{Type: "residential", Line1: "2101 NASA Pkwy", City: "Houston", State: "TX", PostalCode: "77058", Country: "US"}}},
		Identity: &kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Type: "identity-proof", Subtype: "passport", Status: "accepted",
			Identification: &kyc.Identification{Number: "P1000001", IssuingCountry: "US", IssueDate: "2020-01-15", ExpiryDate: "2030-01-14"}},
		Files:       map[string]*share.File{"id-front": file("id-front"), "face-proof": file("face-proof")},
		CallbackURL: "http://127.0.0.1:1/v1/partner-callbacks/" + partner,
	}
}

// Answer is a planned answer of a fake partner to its next call of a path.
type Answer struct {
	// Status is the HTTP status to answer (500, 502, 429, ...).
	Status int
	// After says the fake does the work first and then answers Status: the answer is lost, the
	// work is done (the case an idempotency key is for).
	After bool
	// Delay holds the answer back (a slow partner).
	Delay time.Duration
	// RetryAfter is sent with a 429, in seconds.
	RetryAfter string
}

// Plan is a fake partner's planned answers per path, taken in order.
type Plan struct {
	mu    sync.Mutex
	plans map[string][]Answer
}

// Add plans answers to the next calls of path.
func (p *Plan) Add(path string, answers ...Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plans == nil {
		p.plans = map[string][]Answer{}
	}
	p.plans[path] = append(p.plans[path], answers...)
}

// Next takes the planned answer for path, if any.
func (p *Plan) Next(path string) (Answer, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.plans[path]
	if len(q) == 0 {
		return Answer{}, false
	}
	p.plans[path] = q[1:]
	return q[0], true
}

// Serve runs handle under the plan: a planned answer before the work is written instead of it; a
// planned After answer lets handle do the work into a discarded recorder. It reports whether the
// call was handled normally.
func (p *Plan) Serve(w http.ResponseWriter, r *http.Request, handle func(w http.ResponseWriter, r *http.Request)) {
	a, ok := p.Next(r.URL.Path)
	if !ok {
		handle(w, r)
		return
	}
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if a.After {
		handle(discard{h: http.Header{}}, r)
	}
	if a.Status == 0 {
		if !a.After {
			handle(w, r)
		}
		return
	}
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(`{"error":"planned failure"}`))
}

type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}
