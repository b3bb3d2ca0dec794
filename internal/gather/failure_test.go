package gather_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"kycd/internal/gather"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// failpoint makes the database refuse, while it is armed, the transaction that submits a
// document, after the document's insert: on PostgreSQL at COMMIT (a deferred constraint trigger
// on kyc_documents, checked once every write of the transaction is done); on SQLite, which has no
// deferred triggers, at the write of the draft (a trigger on drafts), the transaction's last
// write. It stands for the database or the process failing at the worst moment.
type failpoint struct {
	exec func(t *testing.T, query string)
}

// newFailpoint installs the failpoint, disarmed, in the database of dialect d at dsn.
func newFailpoint(t *testing.T, d store.Dialect, dsn string) *failpoint {
	t.Helper()
	f := &failpoint{}
	install := []string{`CREATE TABLE failpoint (armed INTEGER NOT NULL)`}
	if d == store.Postgres {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
		f.exec = func(t *testing.T, query string) {
			t.Helper()
			if _, err := conn.Exec(context.Background(), query); err != nil {
				t.Fatalf("failpoint: %s: %v", query, err)
			}
		}
		install = append(install, `CREATE FUNCTION failpoint() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF EXISTS (SELECT 1 FROM failpoint) THEN RAISE EXCEPTION 'failpoint: commit refused'; END IF;
				RETURN NULL;
			END $$`,
			`CREATE CONSTRAINT TRIGGER failpoint AFTER INSERT ON kyc_documents DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION failpoint()`)
	} else {
		db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		f.exec = func(t *testing.T, query string) {
			t.Helper()
			if _, err := db.Exec(query); err != nil {
				t.Fatalf("failpoint: %s: %v", query, err)
			}
		}
		install = append(install, `CREATE TRIGGER failpoint AFTER UPDATE ON drafts WHEN EXISTS (SELECT 1 FROM failpoint)
			BEGIN SELECT RAISE(ABORT, 'failpoint: draft write refused'); END`)
	}
	for _, q := range install {
		f.exec(t, q)
	}
	return f
}

func (f *failpoint) arm(t *testing.T)    { f.exec(t, `INSERT INTO failpoint VALUES (1)`) }
func (f *failpoint) disarm(t *testing.T) { f.exec(t, `DELETE FROM failpoint`) }

// TestSubmitFailingInItsTransactionStoresNothing is the fix of issue 15 (item 3, "drafts"): the
// draft a submit changes is written in the transaction that creates the document. When that
// transaction fails after the document's insert, neither the document nor the draft's change is
// stored: the files are still staged, and the end user's retry (the error told them to) submits them
// as exactly one document. (Before drafts moved into the database, the draft was a blob written
// after the commit, and a failure of that write made the retry a second document of the same files.)
func TestSubmitFailingInItsTransactionStoresNothing(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dsn := storetest.NewDatabase(t, dialect)
			st, err := store.Open(t.Context(), dsn, storetest.Sealer(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			fail := newFailpoint(t, dialect, dsn)
			b := setup(t, st)
			svc := b.service(b.st, b.st)
			w := b.who()
			front := upload(t, svc, w, gather.SlotFront, 1)
			selfie := upload(t, svc, w, gather.SlotSelfie, 2)
			files := []string{front.ID, selfie.ID}
			before, err := st.Draft(t.Context(), w.Env, w.ApplicantID)
			if err != nil {
				t.Fatal(err)
			}

			fail.arm(t)
			if _, doc, err := svc.SubmitIdentity(t.Context(), w, passport()); err == nil || doc != nil {
				t.Fatalf("SubmitIdentity with its transaction failing: document %v, error %v; want an error", doc, err)
			}
			if docs := b.documents(t); len(docs) != 0 {
				t.Fatalf("after the failed submit: %d documents %+v, want none", len(docs), docs)
			}
			after, err := st.Draft(t.Context(), w.Env, w.ApplicantID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != before.Version || string(after.Data) != string(before.Data) {
				t.Fatalf("the failed submit changed the stored draft: version %d → %d", before.Version, after.Version)
			}
			d, err := svc.Draft(t.Context(), w)
			if err != nil {
				t.Fatal(err)
			}
			if d.Uploads[gather.SlotFront].FileID != front.ID || d.Uploads[gather.SlotSelfie].FileID != selfie.ID || d.Identity != nil || len(d.Submitted) != 0 {
				t.Fatalf("draft after the failed submit: %+v, want the files still staged, nothing submitted", d)
			}

			fail.disarm(t)
			d, doc, err := svc.SubmitIdentity(t.Context(), w, passport())
			if err != nil {
				t.Fatal(err)
			}
			docs := b.documents(t)
			if doc == nil || len(docs) != 1 || docs[0].ID != doc.ID || !slices.Equal(docs[0].FileIDs, files) {
				t.Fatalf("retry: document %v, documents %+v; want exactly one, of the staged files", doc, docs)
			}
			if len(d.Uploads) != 0 || d.Submitted[gather.SlotFront].DocumentID != doc.ID || d.Submitted[gather.SlotSelfie].DocumentID != doc.ID {
				t.Fatalf("draft after the retry: %+v, want both files submitted as %s", d, doc.ID)
			}
			// A third try finds nothing staged to submit again.
			if _, again, err := svc.SubmitIdentity(t.Context(), w, passport()); err == nil || again != nil {
				t.Fatalf("submit after the retry: document %v, error %v; want the front refused as not uploaded", again, err)
			}
			if n := len(b.documents(t)); n != 1 {
				t.Fatalf("%d documents in all, want 1", n)
			}
		})
	}
}
