package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/screening/match"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestApplicantErasure: DELETE /v1/applicants/{id} under a legal hold is refused naming the hold;
// once the hold is lifted it erases: the answer carries a receipt that verifies with this test's
// own Ed25519 check (and fails once a byte changes), the applicant reads without personal data
// and refuses every change (410), its document, screening and events lose what named the person,
// the applicant-erased event is written, the file blobs go, and a second DELETE answers the same
// erasure while a cancel is refused. Every step is in the audit log.
func TestApplicantErasure(t *testing.T) {
	t.Parallel()
	screeningEnv(t, func(t *testing.T, e *env, importList func(entries ...match.Entry)) {
		importList(petrov)
		r := e.json(http.MethodPost, "/v1/applicants", e.testKey, `{"email":"erase-me@example.com","profile":{"firstName":"Ivan","lastName":"Petrov",
			"dateOfBirth":"1971-02-03","nationality":"TH"},"addresses":[{"country":"TH","city":"Quietvillage","line1":"Hiddenlane 9"}]}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		apl := r.str("id")
		scr := e.screenings(apl, 1)
		if scr["disposition"] != "potential-match" {
			t.Fatalf("screening: %v", scr)
		}
		file := e.mustFile(e.testKey, apl)
		exp := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		r = e.json(http.MethodPost, "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","subtypes":["passport"]}],"expirationTime":"`+exp+`"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		r = e.json(http.MethodPost, "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","type":"identity-proof","subtype":"passport",
			"fileIds":["`+file+`"],"identification":{"number":"ERASE-NUMBER-77","issuingCountry":"Thailand","issueDate":"2019-06-18","expiryDate":"2029-06-17",
			"holderName":"Ivan Petrov"}}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("document: %d %s", r.Status, r.Raw)
		}
		doc := r.str("id")
		e.waitDecided("/v1/kyc-documents/" + doc)
		// A message for the end user that names them, as a reviewer may write one.
		if err := e.App.Store.Record(context.Background(), kyc.EnvTest, func(tx *store.Tx) (store.Effects, error) {
			_, err := tx.Exec(context.Background(), `UPDATE kyc_documents SET rejection_message = 'Dear Ivan Petrov, ERASE-MSG-55' WHERE id = ?`, doc)
			return store.Effects{}, err
		}); err != nil {
			t.Fatal(err)
		}
		secrets := []string{"erase-me", "Ivan", "Petrov", "PETROV", "Quietvillage", "Hiddenlane", "ERASE-NUMBER-77", "1971-02-03", "ERASE-MSG-55"}
		r = e.json(http.MethodPost, "/v1/applicants/"+apl+"/tokens", e.testKey, `{}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("token: %d %s", r.Status, r.Raw)
		}
		token := r.str("token")
		if r := e.do(http.MethodGet, "/get_app_user_profile_v2", token, nil); r.Status != http.StatusOK {
			t.Fatalf("the app with the applicant's token: %d %s", r.Status, r.Raw)
		}
		// Before: each place the test scans afterwards does show the person.
		for path, want := range map[string]string{"/v1/applicants/" + apl: "Quietvillage", "/v1/kyc-documents/" + doc: "ERASE-NUMBER-77",
			"/v1/applicants/" + apl + "/screenings": "PETROV", "/v1/events?resourceId=" + apl: "erase-me"} {
			if r := e.json(http.MethodGet, path, e.testKey, ""); !strings.Contains(string(r.Raw), want) {
				t.Fatalf("%s before erasure lacks %q: %s", path, want, r.Raw)
			}
		}

		// A legal hold refuses the erasure, naming the hold, and changes nothing.
		if r := e.json(http.MethodPut, "/v1/applicants/"+apl+"/legal-hold", e.testKey, `{"reason":"court order 42"}`); r.Status != http.StatusOK || r.str("reason") != "court order 42" {
			t.Fatalf("hold: %d %s", r.Status, r.Raw)
		}
		if r := e.json(http.MethodDelete, "/v1/applicants/"+apl, e.testKey, ""); r.Status != http.StatusConflict || !strings.Contains(string(r.Raw), "court order 42") {
			t.Fatalf("erase under hold: %d %s", r.Status, r.Raw)
		}
		if r := e.json(http.MethodGet, "/v1/applicants/"+apl, e.testKey, ""); r.str("email") != "erase-me@example.com" || r.JSON["legalHold"] == nil {
			t.Fatalf("applicant under hold: %s", r.Raw)
		}
		if r := e.json(http.MethodPut, "/v1/applicants/"+apl+"/legal-hold", e.testKey, `{"reason":"  "}`); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("empty reason: %d %s", r.Status, r.Raw)
		}
		if r := e.json(http.MethodDelete, "/v1/applicants/"+apl+"/legal-hold", e.testKey, ""); r.Status != http.StatusNoContent {
			t.Fatalf("lift: %d %s", r.Status, r.Raw)
		}
		// Another environment's key cannot erase it.
		if r := e.json(http.MethodDelete, "/v1/applicants/"+apl, e.liveKey, ""); r.Status != http.StatusNotFound {
			t.Fatalf("erase from live: %d %s", r.Status, r.Raw)
		}

		r = e.json(http.MethodDelete, "/v1/applicants/"+apl, e.testKey, "")
		if r.Status != http.StatusOK || r.str("status") != "erased" || r.str("erasedTime") == "" {
			t.Fatalf("erase: %d %s", r.Status, r.Raw)
		}
		receipt, _ := json.Marshal(r.JSON["receipt"])
		payload := verifyReceipt(t, receipt)
		var got struct {
			Type        string         `json:"type"`
			Env         string         `json:"env"`
			ApplicantID string         `json:"applicantId"`
			ErasedTime  time.Time      `json:"erasedTime"`
			Destroyed   map[string]any `json:"destroyed"`
			FileBlobs   int64          `json:"fileBlobs"`
		}
		if err := json.Unmarshal(payload, &got); err != nil {
			t.Fatal(err)
		}
		if got.Type != "kycd.erasure-receipt.v1" || got.Env != "test" || got.ApplicantID != apl || got.ErasedTime.IsZero() ||
			got.Destroyed["dataKey"] != true || got.Destroyed["documents"] != float64(1) || got.Destroyed["screenings"] != float64(1) || got.FileBlobs != 1 {
			t.Errorf("receipt: %s", payload)
		}
		for _, s := range secrets {
			if strings.Contains(string(payload), s) {
				t.Errorf("the receipt holds %q", s)
			}
		}

		// What remains reads, without the person.
		r = e.json(http.MethodGet, "/v1/applicants/"+apl, e.testKey, "")
		if r.Status != http.StatusOK || r.str("erasedTime") == "" || r.str("status") == "" {
			t.Fatalf("erased applicant: %d %s", r.Status, r.Raw)
		}
		for _, path := range []string{"/v1/applicants/" + apl, "/v1/kyc-documents/" + doc, "/v1/applicants/" + apl + "/screenings",
			"/v1/events?resourceId=" + apl, "/v1/events?resourceId=" + doc} {
			r := e.json(http.MethodGet, path, e.testKey, "")
			if r.Status != http.StatusOK {
				t.Errorf("%s: %d %s", path, r.Status, r.Raw)
			}
			for _, s := range secrets {
				if strings.Contains(string(r.Raw), s) {
					t.Errorf("%s still shows %q: %s", path, s, r.Raw)
				}
			}
		}
		if r := e.json(http.MethodGet, "/v1/events?type=applicant-erased&resourceId="+apl, e.testKey, ""); !strings.Contains(string(r.Raw), `"applicant-erased"`) {
			t.Errorf("no applicant-erased event: %s", r.Raw)
		}

		// The applicant's tokens, issued before or after, reach nothing.
		if r := e.do(http.MethodGet, "/get_app_user_profile_v2", token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token issued before the erasure: %d %s", r.Status, r.Raw)
		}
		if r := e.json(http.MethodPost, "/v1/applicants/"+apl+"/tokens", e.testKey, `{}`); r.Status == http.StatusCreated {
			if r := e.do(http.MethodGet, "/get_app_user_profile_v2", r.str("token"), nil); r.Status != http.StatusUnauthorized {
				t.Errorf("a token issued after the erasure: %d %s", r.Status, r.Raw)
			}
		}

		// Every change is refused.
		for _, c := range []struct{ method, path, body string }{
			{http.MethodPatch, "/v1/applicants/" + apl, `{"email":"new@example.com"}`},
			{http.MethodPost, "/v1/kyc-requests", `{"applicantId":"` + apl + `","documents":[{"type":"identity-proof"}],"expirationTime":"` + exp + `"}`},
			{http.MethodPost, "/v1/kyc-documents", `{"applicantId":"` + apl + `","type":"identity-proof","subtype":"passport","fileIds":["` + file + `"]}`},
			{http.MethodPut, "/v1/applicants/" + apl + "/legal-hold", `{"reason":"too late"}`},
		} {
			if r := e.json(c.method, c.path, e.testKey, c.body); r.Status != http.StatusGone {
				t.Errorf("%s %s after erasure: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		if r := e.upload(e.testKey, apl, "id-front", testdata(t, "astronaut.png")); r.Status != http.StatusGone {
			t.Errorf("upload after erasure: %d %s", r.Status, r.Raw)
		}

		// Asking again answers the same erasure; it cannot be cancelled.
		if r := e.json(http.MethodDelete, "/v1/applicants/"+apl, e.testKey, ""); r.Status != http.StatusOK || string(mustJSON(t, r.JSON["receipt"])) != string(receipt) {
			t.Errorf("erase again: %d %s", r.Status, r.Raw)
		}
		if r := e.json(http.MethodPost, "/v1/applicants/"+apl+"/erasure/cancel", e.testKey, ""); r.Status != http.StatusConflict {
			t.Errorf("cancel after erasure: %d %s", r.Status, r.Raw)
		}

		// The job deletes the blobs; the file's content is gone.
		deadline := time.Now().Add(30 * time.Second)
		for {
			r := e.json(http.MethodGet, "/v1/applicants/"+apl+"/erasure", e.testKey, "")
			if r.str("blobsPurgedTime") != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("blobs not purged: %s", r.Raw)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if r := e.json(http.MethodGet, "/v1/files/"+file+"/content", e.testKey, ""); r.Status == http.StatusOK {
			t.Errorf("file content after erasure: %d", r.Status)
		}
		if ok, err := e.App.Blobs.Exists(context.Background(), "test/"+apl+"/"+file); err != nil || ok {
			t.Errorf("the blob is still there: %v %v", ok, err)
		}
		// An access request still answers, with what remains: no file bytes, no personal value.
		r = e.json(http.MethodGet, "/v1/applicants/"+apl+"/export", e.testKey, "")
		if r.Status != http.StatusOK {
			t.Fatalf("export after erasure: %d %s", r.Status, r.Raw)
		}
		names := []string{}
		for _, ent := range unzip(t, r.Raw) {
			names = append(names, ent.name)
			if strings.HasPrefix(ent.name, "files/") && !strings.HasSuffix(ent.name, ".json") {
				t.Errorf("the export of an erased applicant holds file bytes: %s", ent.name)
			}
			for _, s := range secrets {
				if strings.Contains(string(ent.data), s) {
					t.Errorf("the export's %s holds %q", ent.name, s)
				}
			}
		}
		if !slices.Contains(names, "applicant.json") || !slices.Contains(names, "files/"+file+".json") {
			t.Errorf("export entries: %v", names)
		}

		var actions []string
		rs, err := e.App.Store.Query(context.Background(), `SELECT action FROM audit_log WHERE env = 'test' AND resource_id = ? ORDER BY seq`, apl)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var a string
			_ = rs.Scan(&a)
			actions = append(actions, a)
		}
		rs.Close()
		all := strings.Join(actions, " ")
		for _, want := range []string{"applicant.legal-hold", "applicant.legal-hold-lift", "applicant.erase"} {
			if !strings.Contains(all, want+" ") && !strings.HasSuffix(all, want) {
				t.Errorf("no %s in the audit log: %s", want, all)
			}
		}
	})
}

// TestErasureDelay: with KYCD_ERASURE_DELAY an erasure is scheduled (202), the applicant is
// untouched until then and the erasure can be cancelled; asked again it is carried out by the job
// at its due time.
func TestErasureDelay(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.ErasureDelay = 2 * time.Second })
			apl := e.mustApplicant(e.testKey)
			if r := e.json(http.MethodGet, "/v1/applicants/"+apl+"/erasure", e.testKey, ""); r.Status != http.StatusNotFound {
				t.Errorf("erasure never asked: %d %s", r.Status, r.Raw)
			}
			r := e.json(http.MethodDelete, "/v1/applicants/"+apl, e.testKey, "")
			if r.Status != http.StatusAccepted || r.str("status") != "scheduled" || r.str("dueTime") == "" || r.JSON["receipt"] != nil {
				t.Fatalf("schedule: %d %s", r.Status, r.Raw)
			}
			if r := e.json(http.MethodPost, "/v1/applicants/"+apl+"/erasure/cancel", e.testKey, ""); r.Status != http.StatusOK || r.str("status") != "cancelled" {
				t.Fatalf("cancel: %d %s", r.Status, r.Raw)
			}
			time.Sleep(3 * time.Second) // past the first due time: the cancelled erasure's job finds nothing to do
			if r := e.json(http.MethodGet, "/v1/applicants/"+apl, e.testKey, ""); r.str("email") != "anna@example.com" || r.JSON["erasedTime"] != nil {
				t.Fatalf("cancelled erasure touched the applicant: %s", r.Raw)
			}
			if r := e.json(http.MethodDelete, "/v1/applicants/"+apl, e.testKey, ""); r.Status != http.StatusAccepted {
				t.Fatalf("schedule again: %d %s", r.Status, r.Raw)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				r := e.json(http.MethodGet, "/v1/applicants/"+apl+"/erasure", e.testKey, "")
				if r.str("status") == "erased" {
					verifyReceipt(t, mustJSON(t, r.JSON["receipt"]))
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not erased at its due time: %s", r.Raw)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if r := e.json(http.MethodGet, "/v1/applicants/"+apl, e.testKey, ""); r.str("email") != "" || r.str("erasedTime") == "" {
				t.Errorf("erased applicant: %s", r.Raw)
			}
		})
	}
}

// verifyReceipt checks a signed receipt as its documentation describes it, with crypto/ed25519
// and base64url of its own (not kycd's Verify), and that a changed byte fails; it returns the
// payload.
func verifyReceipt(t *testing.T, signed []byte) []byte {
	t.Helper()
	var sr struct{ Payload, Signature, PublicKey string }
	if err := json.Unmarshal(signed, &sr); err != nil {
		t.Fatalf("receipt %s: %v", signed, err)
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(sr.Payload)
	sig, err2 := base64.RawURLEncoding.DecodeString(sr.Signature)
	pub, err3 := base64.RawURLEncoding.DecodeString(sr.PublicKey)
	if err1 != nil || err2 != nil || err3 != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("receipt encoding: %v %v %v", err1, err2, err3)
	}
	if !ed25519.Verify(pub, payload, sig) {
		t.Fatalf("the receipt's signature does not verify: %s", signed)
	}
	changed := append([]byte(nil), payload...)
	changed[len(changed)/2] ^= 1
	if ed25519.Verify(pub, changed, sig) {
		t.Fatal("a changed receipt verifies")
	}
	return payload
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitDecided waits until the document at path is out of pending and in-progress.
func (e *env) waitDecided(path string) resp {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.json(http.MethodGet, path, e.testKey, "")
		if s := r.str("status"); s != "pending" && s != "in-progress" {
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s still %q: %s", path, r.str("status"), r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
