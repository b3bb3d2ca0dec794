package verify_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"kycd/internal/blob"
	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/verify"
	"kycd/internal/verify/check"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// audit is the audit entry of a test's write.
func audit(id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "test", ResourceID: id}}
}

// newEngine returns an engine over st with blobs in memory, the built-in levels, the clock at now,
// and an applicant to verify documents of.
func newEngine(t *testing.T, st *store.Store, now time.Time) (*verify.Engine, *blob.Store, kyc.Applicant) {
	t.Helper()
	blobs, err := blob.Open(t.Context(), "mem://", storetest.Sealer(t))
	if err != nil {
		t.Fatal(err)
	}
	levels, err := level.Load("", level.Known{Checks: verify.CheckNames(), FieldPaths: check.ValidateFieldPaths})
	if err != nil {
		t.Fatal(err)
	}
	eng := verify.NewEngine(st, file.NewService(st, blobs, file.Config{}), levels, screening.NewService(st, screening.NewLists(st, 0), 0, levels),
		verify.Config{IndexKey: []byte("k"), Now: func() time.Time { return now }})
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0",
		Profile: kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12", Nationality: "SE"}}
	if err := st.CreateApplicant(t.Context(), &a, audit(a.ID)); err != nil {
		t.Fatal(err)
	}
	return eng, blobs, a
}

// TestVerifyIsIdempotent: a verification job that runs again (a worker died after deciding, or the
// job was retried) finds the document decided and changes nothing; the decision is reproducible.
func TestVerifyIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		eng, blobs, a := newEngine(t, st, now)
		img := image.NewGray(image.Rect(0, 0, 800, 640))
		for i := range img.Pix {
			img.Pix[i] = uint8(i*7%251) | 0x20
		}
		img.Set(0, 0, color.Gray{Y: 1})
		var b bytes.Buffer
		_ = jpeg.Encode(&b, img, nil)
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "id-back", MIME: "image/jpeg", Size: int64(b.Len()), SHA256: "x", Width: 800, Height: 640}
		f.BlobKey = "test/" + f.ID
		if _, err := blobs.Put(ctx, f.BlobKey, bytes.NewReader(b.Bytes())); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateFile(ctx, &f, audit(f.ID)); err != nil {
			t.Fatal(err)
		}
		d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport",
			FileIDs: []string{f.ID}, Status: "pending", Identification: &kyc.Identification{Number: "L898902C3", ExpiryDate: "2030-01-01", IssueDate: "2020-01-01", HolderName: "Anna Eriksson"}}
		if err := st.CreateDocument(ctx, &d, audit(d.ID), nil); err != nil {
			t.Fatal(err)
		}
		if err := eng.Verify(ctx, kyc.EnvTest, d.ID); err != nil {
			t.Fatal(err)
		}
		first, _ := st.Document(ctx, kyc.EnvTest, d.ID)
		if first.Status == "pending" || first.Decision == nil || first.Revision != 1 {
			t.Fatalf("after the first run: %+v", first)
		}
		if err := eng.Verify(ctx, kyc.EnvTest, d.ID); err != nil {
			t.Fatal(err)
		}
		second, _ := st.Document(ctx, kyc.EnvTest, d.ID)
		if second.Revision != first.Revision || second.Status != first.Status || *second.Score != *first.Score {
			t.Fatalf("a second run changed the document: %+v -> %+v", first, second)
		}
		trail, _ := st.AuditTrail(ctx, kyc.EnvTest, d.ID)
		if len(trail) != 2 {
			t.Fatalf("a second run wrote an audit entry: %d entries", len(trail))
		}
	})
}

// TestPermanentErrorHoldsForReview: a document whose file's bytes are gone cannot be verified by
// any number of retries. The job is cancelled at once (river.JobCancel) and the document is held
// for a person with verification-error, its request and applicant moving on as for any review,
// rather than left pending behind ten retries.
func TestPermanentErrorHoldsForReview(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		eng, _, a := newEngine(t, st, time.Now())
		// The file's row is there, its bytes are not (never put).
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "id-front", MIME: "image/jpeg", Size: 1000, SHA256: "x", Width: 800, Height: 640}
		f.BlobKey = "test/" + f.ID
		if err := st.CreateFile(ctx, &f, audit(f.ID)); err != nil {
			t.Fatal(err)
		}
		d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvTest, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport",
			FileIDs: []string{f.ID}, Status: "pending", Identification: &kyc.Identification{Number: "L898902C3", ExpiryDate: "2030-01-01", IssueDate: "2020-01-01", HolderName: "Anna Eriksson"}}
		if err := st.CreateDocument(ctx, &d, audit(d.ID), nil); err != nil {
			t.Fatal(err)
		}

		err := eng.Verify(ctx, kyc.EnvTest, d.ID)
		if !verify.Permanent(err) {
			t.Fatalf("Verify with the file's bytes gone: %v, want a permanent error", err)
		}
		w := &verify.Worker{Engine: eng}
		err = w.Work(ctx, &river.Job[verify.Args]{JobRow: &rivertype.JobRow{}, Args: verify.Args{Env: kyc.EnvTest, DocumentID: d.ID}})
		var cancel *rivertype.JobCancelError
		if !errors.As(err, &cancel) {
			t.Fatalf("Work: %v, want the job cancelled", err)
		}
		held, err := st.Document(ctx, kyc.EnvTest, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if held.Status != "pending-review" || len(held.CheckList) != 1 || held.CheckList[0].Name != verify.CheckVerificationError || !held.CheckList[0].Failed {
			t.Fatalf("held document: status %s, checks %+v", held.Status, held.CheckList)
		}
		// A second run (the job was not cancelled in time on another replica) changes nothing.
		if err := w.Work(ctx, &river.Job[verify.Args]{JobRow: &rivertype.JobRow{}, Args: verify.Args{Env: kyc.EnvTest, DocumentID: d.ID}}); err != nil {
			t.Fatalf("Work on a held document: %v", err)
		}
		if again, _ := st.Document(ctx, kyc.EnvTest, d.ID); again.Revision != held.Revision {
			t.Fatalf("a second run changed the held document: revision %d -> %d", held.Revision, again.Revision)
		}
		// A transient failure is not permanent.
		if verify.Permanent(context.DeadlineExceeded) || verify.Permanent(errors.New("connection refused")) {
			t.Fatal("a timeout or an outage taken for permanent")
		}
	})
}
