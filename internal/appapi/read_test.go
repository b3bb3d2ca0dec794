package appapi_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
	"time"

	"kycd/internal/mrz/mrztest"
	"kycd/internal/store/storetest"
)

// TestAppDocumentFilledFromTheZone: an app that sends only the passport's photo, no
// identification, gets a document checked on what kycd read from the photo's machine-readable
// zone, and get_app_user_profile_v2 shows what was read, on both databases.
func TestAppDocumentFilledFromTheZone(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	astro, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	expiry := time.Now().AddDate(5, 0, 0)
	h := mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "COLLINS", GivenNames: "EILEEN",
		Number: "P4400001", DateOfBirth: "561119", Sex: "F", Expiry: expiry.Format("060102")}
	page := mrztest.PassportPage(h, mrztest.Portrait(), "")
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, page, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	front := dataURL("image/jpeg", jb.Bytes())
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			_, a := e.call("POST", "/v1/applicants", e.key, map[string]any{"profile": map[string]any{"firstName": "Eileen", "lastName": "Collins",
				"dateOfBirth": "1956-11-19", "nationality": "US", "gender": "female"}})
			id := a["id"].(string)
			_, tok := e.call("POST", "/v1/applicants/"+id+"/tokens", e.key, map[string]any{})
			token := tok["token"].(string)
			if st, out := e.call("POST", "/upload-KYC-document", token, map[string]any{"fileData": map[string]any{"type": "id_proof_front", "file": front, "ext": "jpg"}}); st != 200 {
				t.Fatalf("upload: %d %v", st, out)
			}
			if st, out := e.call("POST", "/update_app_user_profile_v2", token, map[string]any{"documents": []any{
				map[string]any{"document_type": "id_proof_front", "identification_type": "Passport"}}}); st != 200 {
				t.Fatalf("update: %d %v", st, out)
			}
			// Screen 2: the selfie, which completes the identity document.
			var sb bytes.Buffer
			if err := jpeg.Encode(&sb, astro, &jpeg.Options{Quality: 90}); err != nil {
				t.Fatal(err)
			}
			if st, out := e.call("POST", "/upload-KYC-document", token, map[string]any{"fileData": map[string]any{"type": "id_proof_live", "file": dataURL("image/jpeg", sb.Bytes()), "ext": "jpg"}}); st != 200 {
				t.Fatalf("selfie upload: %d %v", st, out)
			}
			if st, out := e.call("POST", "/update_app_user_profile_v2", token, map[string]any{"documents": []any{map[string]any{"document_type": "id_proof_live"}}}); st != 200 {
				t.Fatalf("selfie update: %d %v", st, out)
			}
			if err := e.App.Store.StartJobs(context.Background()); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				_, got := e.call("GET", "/get_app_user_profile_v2", token, nil)
				row := got["documents"].([]any)[0].(map[string]any)
				if row["kyc_status"] != "PENDING" && row["kyc_status"] != "" {
					if row["identification_value"] != "P4400001" || row["identification_doc_expiry"] != expiry.Format("2006-01-02") ||
						row["identification_doc_issuance_country"] != "US" || row["identification_doc_holder_name"] != "EILEEN COLLINS" ||
						row["identification_type"] != "Passport" {
						t.Fatalf("the row does not show what was read: %v", row)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the passport was not decided: %v", got)
				}
			}
			_, docs := e.call("GET", "/v1/kyc-documents?applicantId="+id, e.key, nil)
			doc := docs["items"].([]any)[0].(map[string]any)
			if pd, _ := doc["parsedData"].(map[string]any); pd["mrzSource"] != "image" {
				t.Fatalf("parsedData: %v", doc)
			}
			if c := doc["identification"].(map[string]any); c["number"] != "P4400001" {
				t.Fatalf("identification: %v", doc)
			}
		})
	}
}
