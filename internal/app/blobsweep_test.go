package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestSweepOrphanBlobs: a crash between a blob's write and its row's commit left the sealed blob
// for good. The sweep deletes file blobs older than the grace period that no row names, and keeps
// the blobs that rows name, young ones (a row may be committing) and drafts.
func TestSweepOrphanBlobs(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := apptest.Start(t, d, apptest.NoJobs())
			ctx := context.Background()
			st, blobs := e.App.Store, e.App.Blobs
			a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, ExternalID: "u1", Type: "individual", Status: "unverified", Level: "L0"}
			if err := st.CreateApplicant(ctx, &a, store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
				t.Fatal(err)
			}
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "other", MIME: "image/png", Size: 1}
			f.BlobKey = "test/" + a.ID + "/" + f.ID
			orphan := "test/" + a.ID + "/" + kyc.NewID(kyc.PrefixFile)
			young := "live/" + a.ID + "/" + kyc.NewID(kyc.PrefixFile)
			draft := "drafts/test/" + a.ID
			for _, k := range []string{f.BlobKey, orphan, young, draft} {
				if _, err := blobs.Put(ctx, k, bytes.NewReader([]byte("x"))); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.CreateFile(ctx, &f, store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "file.create", ResourceType: "file", ResourceID: f.ID}}); err != nil {
				t.Fatal(err)
			}
			past := time.Now().Add(-2 * app.OrphanBlobGrace)
			for _, k := range []string{f.BlobKey, orphan, draft} {
				if err := os.Chtimes(filepath.Join(e.BlobDir, filepath.FromSlash(k)), past, past); err != nil {
					t.Fatal(err)
				}
			}
			n, err := app.SweepOrphanBlobs(ctx, st, blobs, time.Now().Add(-app.OrphanBlobGrace))
			if err != nil || n != 1 {
				t.Fatalf("SweepOrphanBlobs = %d, %v; want 1", n, err)
			}
			for k, want := range map[string]bool{f.BlobKey: true, orphan: false, young: true, draft: true} {
				if ok, err := blobs.Exists(ctx, k); err != nil || ok != want {
					t.Errorf("%s exists = %v (%v), want %v", k, ok, err, want)
				}
			}
		})
	}
}

// TestSweepOrphanBlobsTakesTemporaryFiles: a kill -9 while a folder store writes a blob leaves the
// temporary file it was writing (<key>.<hex>.tmp, sealed but named by no row) for good. The sweep
// deletes such files once older than the grace period, of file blobs and of drafts, and keeps a young one
// (it may be a write in progress).
func TestSweepOrphanBlobsTakesTemporaryFiles(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := apptest.Start(t, d, apptest.NoJobs())
			ctx := context.Background()
			apl := kyc.NewID(kyc.PrefixApplicant)
			old := "test/" + apl + "/" + kyc.NewID(kyc.PrefixFile) + ".18a1b2c3d4e5f607.tmp"
			oldDraft := "drafts/live/" + apl + ".18a1b2c3d4e5f608.tmp"
			young := "test/" + apl + "/" + kyc.NewID(kyc.PrefixFile) + ".18a1b2c3d4e5f609.tmp"
			past := time.Now().Add(-2 * app.OrphanBlobGrace)
			for _, k := range []string{old, oldDraft, young} {
				p := filepath.Join(e.BlobDir, filepath.FromSlash(k))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("half a sealed blob"), 0o600); err != nil {
					t.Fatal(err)
				}
				if k != young {
					if err := os.Chtimes(p, past, past); err != nil {
						t.Fatal(err)
					}
				}
			}
			n, err := app.SweepOrphanBlobs(ctx, e.App.Store, e.App.Blobs, time.Now().Add(-app.OrphanBlobGrace))
			if err != nil || n != 2 {
				t.Fatalf("SweepOrphanBlobs = %d, %v; want 2", n, err)
			}
			for k, want := range map[string]bool{old: false, oldDraft: false, young: true} {
				if ok, err := e.App.Blobs.Exists(ctx, k); err != nil || ok != want {
					t.Errorf("%s exists = %v (%v), want %v", k, ok, err, want)
				}
			}
		})
	}
}
