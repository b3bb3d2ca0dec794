package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// TestIdempotencyKeyAfterCrash: a process killed between claiming a key and remembering its
// answer left every retry answering 409 for 24 hours, also when the applicant had been committed,
// so the client could never learn its id. Here another process on the same database claims keys,
// commits (or not), and dies; the running kycd answers every retry.
func TestIdempotencyKeyAfterCrash(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dead := openSecondStore(t, e)
		for _, key := range []string{"crash-committed", "crash-lost"} {
			if prev, err := dead.ClaimIdempotencyKey(ctx, kyc.EnvTest, key, "POST", "/v1/applicants", ""); err != nil || prev != nil {
				t.Fatalf("claim %s: %+v, %v", key, prev, err)
			}
		}
		a := commitApplicant(t, dead, "crash-committed", "crash-1")
		_ = dead.Close() // killed before either answer was remembered

		body := `{"externalId":"crash-1"}`
		first := retryInProgress(e, body, "crash-committed")
		if first.Status != 201 || first.str("id") != a.ID || first.str("externalId") != "crash-1" {
			t.Fatalf("retry of a committed request: %d %s; want 201 with applicant %s", first.Status, first.Raw, a.ID)
		}
		again := e.json("POST", "/v1/applicants", e.testKey, body, "Idempotency-Key", "crash-committed")
		if again.Status != 201 || again.str("id") != a.ID || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("second retry: %d %s; want the remembered 201", again.Status, again.Raw)
		}
		if r := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"other"}`, "Idempotency-Key", "crash-committed"); r.Status != 422 {
			t.Fatalf("another body on the taken-over key: %d, want 422", r.Status)
		}
		lost := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"crash-2"}`, "Idempotency-Key", "crash-lost")
		if lost.Status != 201 || lost.str("id") == "" || lost.str("id") == a.ID || lost.str("externalId") != "crash-2" {
			t.Fatalf("retry of a request that committed nothing: %d %s; want a clean 201", lost.Status, lost.Raw)
		}
		list := e.json("GET", "/v1/applicants?limit=100", e.testKey, "")
		if items, _ := list.JSON["items"].([]any); len(items) != 2 {
			t.Fatalf("%d applicants after the retries, want 2 (no second applicant for a committed key): %s", len(items), list.Raw)
		}
	})
}

// TestIdempotencyKeyAfterCrashWithAnotherBody: a retry after a crash whose body differs from the
// first request's is another request: 422, not the first one's resource (its claim records the
// body's hash). The same body still gets the committed resource.
func TestIdempotencyKeyAfterCrashWithAnotherBody(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dead := openSecondStore(t, e)
		body := `{"externalId":"crash-3"}`
		// The hash of the request as documented: SHA-256 of "METHOD path\n" and the body, in hex.
		sum := sha256.Sum256([]byte("POST /v1/applicants\n" + body))
		if prev, err := dead.ClaimIdempotencyKey(ctx, kyc.EnvTest, "crash-body", "POST", "/v1/applicants", hex.EncodeToString(sum[:])); err != nil || prev != nil {
			t.Fatalf("claim: %+v, %v", prev, err)
		}
		a := commitApplicant(t, dead, "crash-body", "crash-3")
		_ = dead.Close()

		if r := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"mallory"}`, "Idempotency-Key", "crash-body"); r.Status != 422 {
			t.Fatalf("another body after the crash: %d %s, want 422", r.Status, r.Raw)
		}
		r := retryInProgress(e, body, "crash-body")
		if r.Status != 201 || r.str("id") != a.ID {
			t.Fatalf("the same body after the crash: %d %s, want 201 with %s", r.Status, r.Raw, a.ID)
		}
	})
}

// openSecondStore opens the database of e as another process would (the one about to die).
// retryInProgress posts an applicant under key as a client retries after a crash: again while
// the answer is 409 "in progress", for up to 10 seconds. Closing the dead store's pool does not
// wait for its PostgreSQL backends to exit, and the process lock that says it is alive goes with
// them a moment later; a real client's retry comes later still.
func retryInProgress(e *env, body, key string) resp {
	e.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r := e.json("POST", "/v1/applicants", e.testKey, body, "Idempotency-Key", key)
		if r.Status != http.StatusConflict || time.Now().After(deadline) {
			return r
		}
	}
}

func openSecondStore(t *testing.T, e *env) *store.Store {
	t.Helper()
	st, _, err := app.OpenStore(context.Background(), e.App.Config)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// commitApplicant commits an applicant under the claimed key, as the first request would have
// just before its process died.
func commitApplicant(t *testing.T, st *store.Store, key, externalID string) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, ExternalID: externalID, Type: "individual", Status: "unverified", Level: "L0"}
	eff := store.Effects{Audit: kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}
	if err := st.CreateApplicant(store.WithIdempotencyKey(context.Background(), kyc.EnvTest, key), &a, eff); err != nil {
		t.Fatal(err)
	}
	return a
}
