package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store"
)

// TestErasureRacesWrites (PostgreSQL, where transactions run side by side): an erasure sent at
// the same instant as a reviewer's acceptance of the applicant's document and a change of the
// applicant's name (which screens again, in a job) always erases (never 500: a deadlock with the
// decision, which locks the document before the applicant, is run again), the others either land
// before it or answer 410, and afterwards nothing written beside the erasure outlives it: no
// screening hit naming the person, no event payload but the applicant-erased one, no document
// identification. Before the fix, writes read erased_at without a lock, so a screening or event
// committed in the same instant kept its data, and the decision could deadlock the DELETE.
func TestErasureRacesWrites(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, store.Postgres, func(c *app.Config) { c.Sanctions.CheckEvery = time.Millisecond })
	importer := screening.NewService(e.App.Store, screening.NewLists(e.App.Store, 0), 0, level.Defaults())
	if _, _, err := importer.Import(context.Background(), "ofac-sdn", "test", []match.Entry{petrov}, [][]byte{[]byte("version 1")}, false); err != nil {
		t.Fatal(err)
	}
	const rounds = 8
	png, jpg := testdata(t, "astronaut.png"), smallJPEG(t, 90)
	type subject struct{ apl, doc string }
	subjects := make([]subject, rounds)
	for i := range subjects {
		apl := e.mustApplicant(e.testKey)
		front := e.upload(e.testKey, apl, "id-front", png).str("id")
		selfie := e.upload(e.testKey, apl, "face-proof", jpg).str("id")
		exp := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		r := e.json(http.MethodPost, "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","subtypes":["passport"],"faceProofRequired":true}],"expirationTime":"`+exp+`"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		r = e.json(http.MethodPost, "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","requestId":"`+r.str("id")+`","type":"identity-proof","subtype":"passport",
			"fileIds":["`+front+`","`+selfie+`"],"identification":{"number":"TEST-REVIEW","issuingCountry":"Thailand","issueDate":"2019-06-18","expiryDate":"2029-06-17",
			"holderName":"Anna Eriksson"}}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("document: %d %s", r.Status, r.Raw)
		}
		subjects[i] = subject{apl, r.str("id")}
	}
	for _, s := range subjects {
		e.waitStatus("/v1/kyc-documents/"+s.doc, "pending-review")
	}

	for _, s := range subjects {
		start := make(chan struct{})
		var wg sync.WaitGroup
		var del, accept, patch resp
		for _, f := range []func(){
			func() { del = e.json(http.MethodDelete, "/v1/applicants/"+s.apl, e.testKey, "") },
			func() {
				accept = e.json(http.MethodPost, "/v1/kyc-documents/"+s.doc+"/acceptance", e.testKey, `{"notes":"Ivan Petrov seen in person"}`)
			},
			func() {
				patch = e.json(http.MethodPatch, "/v1/applicants/"+s.apl, e.testKey, `{"profile":{"firstName":"Ivan","lastName":"Petrov"}}`)
			},
		} {
			wg.Go(func() { <-start; f() })
		}
		close(start)
		wg.Wait()
		if del.Status != http.StatusOK || del.str("status") != "erased" {
			t.Fatalf("erasure beside a decision and a change: %d %s", del.Status, del.Raw)
		}
		if accept.Status != http.StatusOK && accept.Status != http.StatusGone {
			t.Fatalf("acceptance beside an erasure: %d %s", accept.Status, accept.Raw)
		}
		if patch.Status != http.StatusOK && patch.Status != http.StatusGone {
			t.Fatalf("change beside an erasure: %d %s", patch.Status, patch.Raw)
		}
	}

	// The screening jobs the changes queued run (or end on the erasure); then nothing of the
	// person is left beside the erasure.
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var pending int
		if err := e.App.Store.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled') AND kind LIKE '%screen%'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			var kind, state, errs string
			_ = e.App.Store.QueryRow(ctx, `SELECT kind, state, CAST(errors AS TEXT) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled') AND kind LIKE '%screen%' LIMIT 1`).Scan(&kind, &state, &errs)
			t.Fatalf("%d screening jobs still pending, one: %s %s %s", pending, kind, state, errs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range subjects {
		var hits, payloads, idents int
		if err := e.App.Store.QueryRow(ctx, `SELECT count(*) FROM screenings WHERE env = 'test' AND applicant_id = ? AND upper(hits) LIKE '%PETROV%'`, s.apl).Scan(&hits); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Store.QueryRow(ctx, `SELECT count(*) FROM events WHERE env = 'test' AND applicant_id = ? AND type <> ? AND length(payload) > 0`,
			s.apl, kyc.EventApplicantErased).Scan(&payloads); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Store.QueryRow(ctx, `SELECT count(*) FROM kyc_documents WHERE env = 'test' AND applicant_id = ? AND (identification IS NOT NULL OR parsed_data IS NOT NULL)`,
			s.apl).Scan(&idents); err != nil {
			t.Fatal(err)
		}
		if hits+payloads+idents != 0 {
			t.Errorf("applicant %s: after its erasure %d screenings naming it, %d event payloads, %d documents' data", s.apl, hits, payloads, idents)
		}
		if r := e.json(http.MethodGet, "/v1/applicants/"+s.apl+"/screenings", e.testKey, ""); strings.Contains(strings.ToUpper(string(r.Raw)), "PETROV") {
			t.Errorf("applicant %s: a screening names the person after erasure: %s", s.apl, r.Raw)
		}
	}
}
