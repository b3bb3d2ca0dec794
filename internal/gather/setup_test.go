package gather_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/riverqueue/river"

	"kycd/internal/auth"
	"kycd/internal/blob"
	"kycd/internal/file"
	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/media"
	"kycd/internal/request"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/verify"
)

// bundle is one test's service and what it stands on: a fresh database, blobs in memory, and an
// applicant of the test environment.
type bundle struct {
	st        *store.Store
	blobs     *blob.Store
	files     *file.Service
	requests  *request.Service
	applicant kyc.Applicant
}

// setup builds the services as the app does (see app.endUserRoutes) on st. River is initialised
// so that documents and requests can insert their jobs, but not started: documents stay pending.
func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	blobs, err := blob.Open(t.Context(), "mem://", storetest.Sealer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = blobs.Close() })
	workers := river.NewWorkers()
	request.Register(workers, st)
	// Verification is not under test: the job is registered so that documents can be created.
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[verify.Args]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	b := &bundle{st: st, blobs: blobs,
		files:    file.NewService(st, blobs, file.Config{TempDir: t.TempDir()}),
		requests: request.NewService(st, level.Defaults(), auth.NewSigner([]byte("gather-test-signing-key-32-bytes")), "http://kycd.test")}
	b.applicant = b.newApplicant(t, kyc.EnvTest)
	return b
}

// service is a gather service of the bundle over drafts and changer (b.st unless a test wraps
// them), with b.blobs as the blob store of drafts written before they moved into the database.
func (b *bundle) service(drafts gather.Drafts, changer gather.Changer) *gather.Service {
	return gather.NewService(b.files, b.requests, b.blobs, drafts, changer)
}

func (b *bundle) newApplicant(t *testing.T, env kyc.Env) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0",
		Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12", Nationality: "SE"}}
	if err := b.st.CreateApplicant(t.Context(), &a, store.Effects{
		Audit: kyc.AuditEntry{Actor: "test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// who is the applicant acting alone (no request, as the app without one).
func (b *bundle) who() gather.Who {
	return gather.Who{Env: kyc.EnvTest, ApplicantID: b.applicant.ID}
}

// newRequest creates a gathering request of the applicant for docs (level L0, which requires none
// of them) and answers the end user answering it.
func (b *bundle) newRequest(t *testing.T, docs ...request.DocumentInput) gather.Who {
	t.Helper()
	r, err := b.requests.Create(t.Context(), "test", kyc.EnvTest, request.Input{ApplicantID: b.applicant.ID, Documents: docs, Level: "L0"})
	if err != nil {
		t.Fatal(err)
	}
	return gather.Who{Env: kyc.EnvTest, ApplicantID: b.applicant.ID, RequestID: r.ID}
}

// documents answers every document of the applicant, oldest first.
func (b *bundle) documents(t *testing.T) []kyc.Document {
	t.Helper()
	p, err := b.st.FindDocuments(t.Context(), kyc.EnvTest, store.DocumentFilter{ApplicantID: b.applicant.ID, OldestFirst: true}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// pngBytes is a small PNG whose pixels depend on seed, so that every upload is a distinct file.
func pngBytes(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + seed*13)
	}
	img.Set(0, 0, color.Gray{Y: uint8(seed)})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// spool spools body as an upload is spooled before gather sees it.
func spool(t *testing.T, body []byte) *media.Spooled {
	t.Helper()
	sp, err := media.Spool(bytes.NewReader(body), t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// upload uploads a distinct PNG to slot and fails the test on any error.
func upload(t *testing.T, svc *gather.Service, w gather.Who, slot gather.Slot, seed int) kyc.File {
	t.Helper()
	f, err := svc.Upload(t.Context(), w, slot, spool(t, pngBytes(t, seed)))
	if err != nil {
		t.Fatalf("upload %s: %v", slot, err)
	}
	return f
}

// passport is a valid identity claim.
func passport() gather.Claim {
	return gather.Claim{Subtype: "passport", Identification: kyc.Identification{Number: "L898902C3", IssuingCountry: "SWE",
		IssueDate: "2020-01-01", ExpiryDate: "2030-01-01"}}
}

// invalidField answers the field of a *kyc.ValidationError, or fails the test.
func invalidField(t *testing.T, err error) string {
	t.Helper()
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("got %v, want a validation error", err)
	}
	return ve.Fields[0].Field
}
