package retention_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/erasure"
	"kycd/internal/kyc"
	"kycd/internal/retention"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

const year = 365 * 24 * time.Hour

// env is a kycd (jobs stopped: nothing runs but what the test calls) with a retention service
// on a fake clock and the installation's erasure service.
type env struct {
	*apptest.Env
	t       *testing.T
	key     string
	now     time.Time
	erasure *erasure.Service
}

func start(t *testing.T, d store.Dialect) *env {
	e := &env{Env: apptest.Start(t, d, apptest.NoJobs()), t: t}
	e.key = e.Key(t, kyc.EnvTest)
	// The fake clock: ten years ahead, so that every time the test gives is set on purpose.
	e.now = time.Now().Add(10 * year).Truncate(time.Second)
	sealer, err := app.ExistingSealer(t.Context(), e.App.Config)
	if err != nil {
		t.Fatal(err)
	}
	e.erasure = erasure.NewService(e.App.Store, erasure.Config{SigningKey: erasure.SigningKey(sealer.Derive)})
	return e
}

// retention returns a retention service with the periods given (0: the default) and batch.
func (e *env) retention(images, personal, events time.Duration, batch int) *retention.Service {
	return retention.NewService(e.App.Store, e.App.Blobs, retention.EraserFunc(func(ctx context.Context, en kyc.Env, id string) error {
		_, err := e.erasure.Erase(ctx, retention.Actor, en, id)
		return err
	}), retention.Config{Images: images, PersonalData: personal, EventPayloads: events, Batch: batch, Now: func() time.Time { return e.now }})
}

func (e *env) call(method, path, body string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

func (e *env) create(path, body string) string {
	e.t.Helper()
	code, raw := e.call("POST", path, body)
	var out struct{ ID string }
	if code/100 != 2 || json.Unmarshal(raw, &out) != nil || out.ID == "" {
		e.t.Fatalf("POST %s: %d %s", path, code, raw)
	}
	return out.ID
}

var pngData = func() string {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 32))); err != nil {
		panic(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}()

// applicant creates an applicant with one file, and sets its last activity (the applicant's and
// the file's times) to at.
func (e *env) applicant(name string, at time.Time) (id, fileID string) {
	e.t.Helper()
	id = e.create("/v1/applicants", fmt.Sprintf(`{"email":"%s@example.com","profile":{"firstName":"%s","lastName":"Retained"}}`, name, name))
	fileID = e.create("/v1/files", fmt.Sprintf(`{"applicantId":%q,"tag":"id-front","data":%q}`, id, pngData))
	e.exec(`UPDATE applicants SET updated_at = ?, created_at = ? WHERE id = ?`, at.UnixMicro(), at.UnixMicro(), id)
	e.exec(`UPDATE files SET created_at = ? WHERE applicant_id = ?`, at.UnixMicro(), id)
	return id, fileID
}

func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if err := e.App.Store.Record(context.Background(), kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(context.Background(), query, args...)
		return store.Effects{}, err
	}); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.App.Store.Record(context.Background(), kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
		return store.Effects{}, tx.QueryRow(context.Background(), query, args...).Scan(&n)
	}); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// due returns the plan's count of the class whose name starts with prefix.
func due(t *testing.T, svc *retention.Service, prefix string) int64 {
	t.Helper()
	plan, err := svc.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan {
		if strings.HasPrefix(c.Name, prefix) {
			return c.Due
		}
	}
	t.Fatalf("no class %q in the plan %+v", prefix, plan)
	return 0
}

// TestRetention: with a fake clock, an applicant last active 6 years ago loses its images (blob
// gone, content 410, metadata kept) and then is erased (a receipt that verifies, by
// system:retention in the audit log), one held is skipped and reported, one active 4 years ago is
// untouched; events' payloads older than their period go, newer ones stay; the plan counts what
// the run then does.
func TestRetention(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := start(t, d)
			old, oldFile := e.applicant("old", e.now.Add(-6*year))
			recent, recentFile := e.applicant("recent", e.now.Add(-4*year))
			held, heldFile := e.applicant("held", e.now.Add(-6*year))
			if _, err := e.erasure.PlaceHold(ctx, "test", kyc.EnvTest, held, "litigation 42"); err != nil {
				t.Fatal(err)
			}
			e.exec(`UPDATE applicants SET updated_at = ? WHERE id = ?`, e.now.Add(-6*year).UnixMicro(), held)
			blobKey := func(id string) string {
				f, err := e.App.Store.File(ctx, kyc.EnvTest, id)
				if err != nil {
					t.Fatal(err)
				}
				return f.BlobKey
			}
			oldKey, recentKey := blobKey(oldFile), blobKey(recentFile)

			// Images at 5 years, personal data kept 100 years: the old applicant's image goes, alone.
			images := e.retention(5*year, 100*year, 100*year, 0)
			if n := due(t, images, "document images"); n != 1 {
				t.Fatalf("the plan counts %d images due, want 1 (the old applicant's; the held one's waits)", n)
			}
			r, err := images.Run(ctx)
			if err != nil || r.ImagesDeleted != 1 || r.ApplicantsErased != 0 || r.EventPayloadsRemoved != 0 || r.More {
				t.Fatalf("images run: %+v %v", r, err)
			}
			if len(r.Held) != 1 || r.Held[0].ApplicantID != held {
				t.Fatalf("held applicants reported: %+v, want %s", r.Held, held)
			}
			if ok, err := e.App.Blobs.Exists(ctx, oldKey); err != nil || ok {
				t.Fatalf("the old applicant's image is still stored: %v %v", ok, err)
			}
			if ok, err := e.App.Blobs.Exists(ctx, recentKey); err != nil || !ok {
				t.Fatalf("the recent applicant's image is gone: %v %v", ok, err)
			}
			if code, raw := e.call("GET", "/v1/files/"+oldFile+"/content", ""); code != http.StatusGone || !strings.Contains(string(raw), "KYCD_RETENTION_IMAGES") {
				t.Fatalf("content of a file whose image retention ran: %d %s, want 410 naming the setting", code, raw)
			}
			if code, raw := e.call("GET", "/v1/files/"+oldFile, ""); code != http.StatusOK {
				t.Fatalf("metadata of a file whose image retention ran: %d %s, want it kept", code, raw)
			}
			for _, id := range []string{recentFile, heldFile} {
				if code, raw := e.call("GET", "/v1/files/"+id+"/content", ""); code != http.StatusOK {
					t.Fatalf("content of file %s: %d %s", id, code, raw)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'file.image-delete' AND resource_id = ? AND actor = ?`, oldFile, string(retention.Actor)); n != 1 {
				t.Fatalf("%d audit entries of the image's deletion by %s, want 1", n, retention.Actor)
			}
			// An access request's archive still answers, naming the file whose bytes went.
			code, raw := e.call("GET", "/v1/applicants/"+old+"/export", "")
			if code != http.StatusOK {
				t.Fatalf("export of an applicant whose images went: %d %s", code, raw)
			}
			zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			var manifest struct{ ImagesDeleted []string }
			for _, f := range zr.File {
				if f.Name == "files/"+oldFile+".png" {
					t.Errorf("the export holds the bytes of %s", oldFile)
				}
				if f.Name == "manifest.json" {
					rc, _ := f.Open()
					_ = json.NewDecoder(rc).Decode(&manifest)
					rc.Close()
				}
			}
			if len(manifest.ImagesDeleted) != 1 || manifest.ImagesDeleted[0] != oldFile {
				t.Fatalf("the export's manifest names %v as deleted images, want [%s]", manifest.ImagesDeleted, oldFile)
			}
			if r, err := images.Run(ctx); err != nil || r.ImagesDeleted != 0 {
				t.Fatalf("a second run: %+v %v, want nothing left", r, err)
			}

			// Personal data at 5 years: the old applicant is erased, the held one skipped.
			personal := e.retention(100*year, 5*year, 100*year, 0)
			if n := due(t, personal, "personal data (applicants erased)"); n != 1 {
				t.Fatalf("the plan counts %d applicants to erase, want 1", n)
			}
			if n := due(t, personal, "applicants under a legal hold"); n != 1 {
				t.Fatalf("the plan counts %d held applicants, want 1", n)
			}
			r, err = personal.Run(ctx)
			if err != nil || r.ApplicantsErased != 1 || len(r.Held) != 1 || r.Held[0].ApplicantID != held {
				t.Fatalf("personal data run: %+v %v", r, err)
			}
			code, raw = e.call("GET", "/v1/applicants/"+old+"/erasure", "")
			var er struct {
				Status  string
				Receipt json.RawMessage
			}
			if code != http.StatusOK || json.Unmarshal(raw, &er) != nil || er.Status != "erased" {
				t.Fatalf("erasure of the old applicant: %d %s", code, raw)
			}
			sealer, _ := app.ExistingSealer(t.Context(), e.App.Config)
			receipt, _, err := erasure.Verify(er.Receipt, erasure.SigningKey(sealer.Derive).Public().(ed25519.PublicKey))
			if err != nil {
				t.Fatalf("the receipt does not verify: %v", err)
			}
			if receipt.RequestedBy != retention.Actor {
				t.Fatalf("the receipt's requester is %q, want %q", receipt.RequestedBy, retention.Actor)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'applicant.erase' AND resource_id = ? AND actor = ?`, old, string(retention.Actor)); n != 1 {
				t.Fatalf("%d audit entries of the erasure by %s", n, retention.Actor)
			}
			for _, id := range []string{recent, held} {
				if n := e.count(`SELECT COUNT(*) FROM applicants WHERE id = ? AND erased_at IS NULL`, id); n != 1 {
					t.Fatalf("applicant %s was erased", id)
				}
			}

			// Event payloads at 5 years after each event: one of the recent applicant's events is
			// made 6 years old, another 4.
			var evs []string
			rs, err := e.App.Store.ListEvents(ctx, kyc.EnvTest, store.EventFilter{ResourceID: recent}, "", 10)
			if err != nil || len(rs.Items) < 1 {
				t.Fatalf("events of the recent applicant: %v %v", rs, err)
			}
			evs = append(evs, rs.Items[0].ID)
			rs, err = e.App.Store.ListEvents(ctx, kyc.EnvTest, store.EventFilter{ResourceID: recentFile}, "", 10)
			if err != nil || len(rs.Items) < 1 {
				t.Fatalf("events of the recent file: %v %v", rs, err)
			}
			evs = append(evs, rs.Items[0].ID)
			// Every other event is new (the fake clock is 10 years ahead): only these two can go.
			e.exec(`UPDATE events SET created_at = ? WHERE id = ?`, e.now.Add(-6*year).UnixMicro(), evs[0])
			e.exec(`UPDATE events SET created_at = ? WHERE id = ?`, e.now.Add(-4*year).UnixMicro(), evs[1])
			e.exec(`UPDATE events SET created_at = ? WHERE id NOT IN (?, ?)`, e.now.Add(-time.Hour).UnixMicro(), evs[0], evs[1])
			events := e.retention(100*year, 100*year, 5*year, 0)
			if n := due(t, events, "event payloads"); n != 1 {
				t.Fatalf("the plan counts %d event payloads due, want 1", n)
			}
			r, err = events.Run(ctx)
			if err != nil || r.EventPayloadsRemoved != 1 {
				t.Fatalf("events run: %+v %v", r, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM events WHERE id = ? AND length(payload) = 0`, evs[0]); n != 1 {
				t.Fatal("the 6-year-old event keeps its payload")
			}
			if n := e.count(`SELECT COUNT(*) FROM events WHERE id = ? AND length(payload) > 0`, evs[1]); n != 1 {
				t.Fatal("the 4-year-old event lost its payload")
			}
			if code, raw := e.call("GET", "/v1/events/"+evs[0], ""); code != http.StatusOK {
				t.Fatalf("an event whose payload went: %d %s, want the event kept", code, raw)
			}
		})
	}
}

// inserter counts the jobs the worker inserts.
type inserter struct{ n int }

func (i *inserter) InsertJob(context.Context, river.InsertManyParams) error { i.n++; return nil }

// TestRetentionBatches: with a batch of 2 and 5 applicants due, the plan counts 5, runs take 2,
// 2 and 1, the first two say more is due and the worker inserts its next run at once after them,
// not after the last.
func TestRetentionBatches(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := start(t, d)
			for i := range 5 {
				e.applicant(fmt.Sprintf("batch%d", i), e.now.Add(-6*year))
			}
			svc := e.retention(100*year, 5*year, 100*year, 2)
			if n := due(t, svc, "personal data (applicants erased)"); n != 5 {
				t.Fatalf("the plan counts %d applicants due, want 5", n)
			}
			jobs := &inserter{}
			w := retention.NewWorker(svc, jobs, slog.New(slog.DiscardHandler))
			for run, want := range []int64{3, 1, 0} {
				if err := w.Work(context.Background(), &river.Job[retention.JobArgs]{}); err != nil {
					t.Fatal(err)
				}
				if n := due(t, svc, "personal data (applicants erased)"); n != want {
					t.Fatalf("after run %d: %d due, want %d", run+1, n, want)
				}
				if wantJobs := min(run+1, 2); jobs.n != wantJobs {
					t.Fatalf("after run %d: %d next runs inserted, want %d", run+1, jobs.n, wantJobs)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM applicants WHERE erased_at IS NOT NULL`); n != 5 {
				t.Fatalf("%d applicants erased, want 5", n)
			}
		})
	}
}

// TestAuditRetention (both databases): with KYCD_RETENTION_AUDIT, a resource's whole audit trail
// goes once its newest entry is older than the period, and no other: a trail with a recent entry
// stays whole. The plan counts what the run takes. The pruning is an anchor of its own and an
// audit.prune entry; the log still verifies, also after the pruned resource is read again (its
// trail goes on from the pruning's base). A trail changed before the run is kept, and named, and
// the run, one trail a batch, goes on past it. The log no longer verifies when the pruning's
// recorded end is changed, when the pruning is passed off as an anchor, or when a trail is removed
// without a pruning. (Removing an anchor is TestAuditTamperingIsDetected's case, in store.)
func TestAuditRetention(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := start(t, d)
			ctx := context.Background()
			st := e.App.Store
			old, _ := e.applicant("Oldtrail", e.now)
			changed, _ := e.applicant("Changedtrail", e.now)
			kept, _ := e.applicant("Keptentry", e.now)
			for _, id := range []string{old, changed, kept} {
				if code, raw := e.call("GET", "/v1/applicants/"+id, ""); code != 200 {
					t.Fatalf("read %s: %d %s", id, code, raw)
				}
			}
			if _, err := st.AnchorAudit(ctx, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			// The cutoff: everything above was written before it, everything below after.
			cutoff := time.Now()
			for !time.Now().After(cutoff.Add(time.Millisecond)) {
			}
			if code, raw := e.call("GET", "/v1/applicants/"+kept, ""); code != 200 {
				t.Fatalf("read: %d %s", code, raw)
			}
			fresh, _ := e.applicant("Freshtrail", e.now)
			// A trail changed by hand (not by kycd) before the run.
			e.exec(`UPDATE audit_log SET action = 'applicant.changed' WHERE resource_id = ? AND seq = 1`, changed)

			trail := func(id string) int {
				tr, err := st.AuditTrail(ctx, kyc.EnvTest, id)
				if err != nil {
					t.Fatal(err)
				}
				return len(tr)
			}
			before := map[string]int{old: trail(old), changed: trail(changed), kept: trail(kept), fresh: trail(fresh)}
			svc := retention.NewService(st, e.App.Blobs, nil, retention.Config{Audit: e.now.Sub(cutoff), Batch: 1, // a batch a chain: the run goes on past the changed one
				Images: 20 * year, PersonalData: 20 * year, EventPayloads: 20 * year, Now: func() time.Time { return e.now }})
			planned := due(t, svc, "audit trails")
			r, err := svc.Run(ctx)
			if err == nil || !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), changed) {
				t.Fatalf("run over a changed trail: %v", err)
			}
			if r.AuditChainsPruned == 0 || int64(r.AuditChainsPruned) != planned-1 || r.Failed != 1 {
				t.Fatalf("pruned %d trails (%d entries), %d failed; the plan said %d (one of them changed)", r.AuditChainsPruned, r.AuditEntriesRemoved, r.Failed, planned)
			}
			if n := trail(old); n != 0 {
				t.Fatalf("the old trail keeps %d entries", n)
			}
			for _, id := range []string{changed, kept, fresh} {
				if n := trail(id); n != before[id] {
					t.Fatalf("trail of %s: %d entries, had %d", id, n, before[id])
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'audit.prune' AND actor = ?`, string(retention.Actor)); n != int64(r.AuditChainsPruned) {
				t.Fatalf("%d audit.prune entries for %d batches of one trail", n, r.AuditChainsPruned)
			}
			// The changed trail is what breaks the log; put back, the log verifies with the pruning.
			e.exec(`UPDATE audit_log SET action = 'applicant.create' WHERE resource_id = ? AND seq = 1`, changed)
			if err := st.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
				t.Fatalf("after the pruning: %v", err)
			}
			// The pruned applicant read again: its trail goes on from the pruning's base.
			if code, raw := e.call("GET", "/v1/applicants/"+old, ""); code != 200 {
				t.Fatalf("read: %d %s", code, raw)
			}
			if _, err := st.AnchorAudit(ctx, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			if err := st.VerifyAuditChain(ctx, kyc.EnvTest); err != nil || trail(old) != 1 {
				t.Fatalf("after a read of the pruned applicant (%d entries): %v", trail(old), err)
			}
			prune := e.count(`SELECT h.anchor_seq FROM audit_anchor_heads h JOIN audit_anchors a ON a.env = h.env AND a.seq = h.anchor_seq
				WHERE h.env = 'test' AND a.kind = 'prune' AND h.resource_id = ?`, old) // the pruning that removed the old trail

			// Tampering: each change is made, verified to fail, and undone.
			tamper := func(what, do, undo string, args ...any) {
				t.Helper()
				e.exec(do, args...)
				if err := st.VerifyAuditChain(ctx, kyc.EnvTest); !errors.Is(err, store.ErrAuditChain) {
					t.Fatalf("%s: verify says %v", what, err)
				}
				if undo != "" {
					e.exec(undo, args...)
				}
			}
			tamper("the recorded end of a pruned trail changed", `UPDATE audit_anchor_heads SET seq = seq + 1 WHERE env = 'test' AND anchor_seq = ? AND resource_id = ?`,
				`UPDATE audit_anchor_heads SET seq = seq - 1 WHERE env = 'test' AND anchor_seq = ? AND resource_id = ?`, prune, old)
			tamper("a pruning passed off as an anchor", `UPDATE audit_anchors SET kind = 'anchor' WHERE env = 'test' AND seq = ?`,
				`UPDATE audit_anchors SET kind = 'prune' WHERE env = 'test' AND seq = ?`, prune)
			tamper("a trail removed without a pruning", `DELETE FROM audit_log WHERE env = 'test' AND resource_id = ?`, "", kept)
		})
	}
}
