package httpapi_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycd/internal/export"
	"kycd/internal/kyc"
	"kycd/internal/screening/match"
)

// TestApplicantExport: GET /v1/applicants/{id}/export streams a ZIP of everything kycd holds about
// the applicant: the applicant with its profile, its request, its decided document with its check
// list, both uploaded files byte for byte, its screening and its events, with a manifest (last)
// whose sizes and SHA-256 match the entries. The export is audited with the key before it is sent;
// another environment's key gets 404 and writes nothing.
func TestApplicantExport(t *testing.T) {
	t.Parallel()
	screeningEnv(t, func(t *testing.T, e *env, importList func(entries ...match.Entry)) {
		importList(petrov)
		apl := e.mustApplicant(e.testKey)
		scr := e.screenings(apl, 1)
		png, jpg := testdata(t, "astronaut.png"), smallJPEG(t, 90)
		r := e.upload(e.testKey, apl, "id-front", png)
		if r.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		front := r.str("id")
		r = e.upload(e.testKey, apl, "face-proof", jpg)
		if r.Status != http.StatusCreated || r.str("mime") != "image/jpeg" {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		selfie := r.str("id")
		exp := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		r = e.json(http.MethodPost, "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","subtypes":["passport"],"faceProofRequired":true}],"expirationTime":"`+exp+`"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		req := r.str("id")
		r = e.json(http.MethodPost, "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","requestId":"`+req+`","type":"identity-proof","subtype":"passport",
			"fileIds":["`+front+`","`+selfie+`"],"identification":{"number":"TEST-REVIEW","issuingCountry":"Thailand","issueDate":"2019-06-18","expiryDate":"2029-06-17",
			"holderName":"Anna Eriksson"}}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("document: %d %s", r.Status, r.Raw)
		}
		doc := r.str("id")
		e.waitStatus("/v1/kyc-documents/"+doc, "pending-review")
		if r := e.json(http.MethodPost, "/v1/kyc-documents/"+doc+"/acceptance", e.testKey, `{"notes":"checked by hand"}`); r.Status != http.StatusOK {
			t.Fatalf("accept: %d %s", r.Status, r.Raw)
		}

		// Another environment's key, and an unknown applicant: 404, nothing written.
		was := e.stored()
		for _, c := range []struct{ path, key string }{
			{"/v1/applicants/" + apl + "/export", e.liveKey},
			{"/v1/applicants/apl_01JAAAAAAAAAAAAAAAAAAAAAAA/export", e.testKey},
		} {
			if r := e.json(http.MethodGet, c.path, c.key, ""); r.Status != http.StatusNotFound || strings.HasPrefix(r.Header.Get("Content-Type"), "application/zip") {
				t.Errorf("%s: %d %s", c.path, r.Status, r.Header.Get("Content-Type"))
			}
		}
		if now := e.stored(); now != was {
			t.Errorf("refused exports wrote: %s, then %s", was, now)
		}

		r = e.json(http.MethodGet, "/v1/applicants/"+apl+"/export", e.testKey, "")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="kycd-export-`+apl+"-") {
			t.Fatalf("export: %d %v %s", r.Status, r.Header, r.Raw)
		}
		entries := unzip(t, r.Raw)

		// The manifest comes last and holds every other entry with its size and SHA-256.
		if entries[len(entries)-1].name != "manifest.json" {
			t.Fatalf("the last entry is %s, not the manifest", entries[len(entries)-1].name)
		}
		var m export.Manifest
		if err := json.Unmarshal(entries[len(entries)-1].data, &m); err != nil {
			t.Fatal(err)
		}
		if m.ApplicantID != apl || m.Environment != kyc.EnvTest || m.GeneratedTime.IsZero() || m.KycdVersion == "" || m.Readme == "" || len(m.Truncated) != 0 {
			t.Fatalf("manifest: %+v", m)
		}
		byName := map[string][]byte{}
		for _, en := range entries[:len(entries)-1] {
			byName[en.name] = en.data
		}
		if len(m.Entries) != len(byName) {
			t.Errorf("the manifest lists %d entries, the archive holds %d", len(m.Entries), len(byName))
		}
		for _, me := range m.Entries {
			data, ok := byName[me.Name]
			sum := sha256.Sum256(data)
			if !ok || me.Size != int64(len(data)) || me.SHA256 != hex.EncodeToString(sum[:]) || me.Description == "" {
				t.Errorf("manifest entry %+v: in the archive %v, %d bytes, sha256 %x", me, ok, len(data), sum)
			}
		}

		if !bytes.Equal(byName["files/"+front+".png"], png) || !bytes.Equal(byName["files/"+selfie+".jpg"], jpg) {
			t.Errorf("the files' bytes differ from the uploads (%d and %d bytes)", len(byName["files/"+front+".png"]), len(byName["files/"+selfie+".jpg"]))
		}
		var meta kyc.File
		if err := json.Unmarshal(byName["files/"+front+".json"], &meta); err != nil || meta.ID != front || meta.MIME != "image/png" {
			t.Errorf("file metadata: %+v %v", meta, err)
		}
		var a kyc.Applicant
		if err := json.Unmarshal(byName["applicant.json"], &a); err != nil || a.ID != apl || a.Profile.FirstName != "Anna" || a.Profile.DateOfBirth != "1974-08-12" {
			t.Errorf("applicant.json: %+v %v", a, err)
		}
		var d kyc.Document
		if err := json.Unmarshal(byName["documents/"+doc+".json"], &d); err != nil || len(d.CheckList) == 0 || d.Status != "accepted" || d.Review == nil {
			t.Errorf("the document: %s %v", byName["documents/"+doc+".json"], err)
		}
		var reqs []kyc.Request
		if err := json.Unmarshal(byName["requests.json"], &reqs); err != nil || len(reqs) != 1 || reqs[0].ID != req {
			t.Errorf("requests.json: %s %v", byName["requests.json"], err)
		}
		var scrs []kyc.Screening
		if err := json.Unmarshal(byName["screenings.json"], &scrs); err != nil || len(scrs) != 1 || scrs[0].ID != scr["id"] {
			t.Errorf("screenings.json: %s %v", byName["screenings.json"], err)
		}
		var events []kyc.Event
		if err := json.Unmarshal(byName["events.json"], &events); err != nil {
			t.Fatalf("events.json: %v", err)
		}
		seen := map[string]bool{}
		for _, ev := range events {
			seen[ev.Type+" "+ev.ResourceID] = ev.Data != nil
		}
		for _, want := range []string{kyc.EventApplicantCreated + " " + apl, kyc.EventFileStored + " " + front, kyc.EventRequestCreated + " " + req,
			kyc.EventDocumentAccepted + " " + doc, kyc.EventScreeningClear + " " + scr["id"].(string)} {
			if !seen[want] {
				t.Errorf("events.json has no %s with its payload; it has %v", want, seen)
			}
		}
		for _, name := range []string{"shares.json", "notes.json"} {
			if string(bytes.TrimSpace(byName[name])) != "[]" {
				t.Errorf("%s: %s", name, byName[name])
			}
		}

		// Audited with the key: the export on the applicant, a content read on each file.
		trail, err := e.App.Store.AuditTrail(t.Context(), kyc.EnvTest, apl)
		if err != nil {
			t.Fatal(err)
		}
		if last := trail[len(trail)-1]; last.Action != "applicant.export" || !strings.HasPrefix(string(last.Actor), "key_") {
			t.Errorf("the applicant's trail ends with %+v", last)
		}
		for _, f := range []string{front, selfie} {
			ft, err := e.App.Store.AuditTrail(t.Context(), kyc.EnvTest, f)
			if err != nil || ft[len(ft)-1].Action != "file.read-content" || !strings.HasPrefix(string(ft[len(ft)-1].Actor), "key_") {
				t.Errorf("file %s's trail: %+v %v", f, ft, err)
			}
		}
		if err := e.App.Store.VerifyAuditChain(t.Context(), kyc.EnvTest); err != nil {
			t.Fatal(err)
		}
	})
}

type zipEntry struct {
	name string
	data []byte
}

// unzip reads every entry of a ZIP, in the archive's order.
func unzip(t *testing.T, raw []byte) []zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	var out []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out = append(out, zipEntry{f.Name, b})
	}
	return out
}
