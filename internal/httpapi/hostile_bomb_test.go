package httpapi_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/media/mediatest"
	"kycd/internal/store/storetest"
)

// TestDecompressionBombIsNotDecoded: a PNG that decodes into 196 MB, sent through /v1/files and
// through the app endpoint (no API key), is stored like any image but never decoded by a kycd
// whose decode budget is 64 MiB: its image-decodes check fails with a reason, the document is
// decided, and nothing answers 5xx. Without the budget it decodes whole.
func TestDecompressionBombIsNotDecoded(t *testing.T) {
	t.Parallel()
	bomb := mediatest.BombPNG(7000, 7000, mediatest.RGBA, false)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.DecodeMemoryBytes = 64 << 20 })
			p := makePhotos(t)
			_, _, viaAPI := e.apply(application{dob: "1956-11-19", front: bomb, selfie: p.selfie, number: "X1234567",
				expiry: time.Now().AddDate(5, 0, 0).Format("2006-01-02"), holder: "Eileen Collins"})

			apl := e.mustApplicant(e.testKey)
			tok := e.json("POST", "/v1/applicants/"+apl+"/tokens", e.testKey, `{"ttlSeconds":600}`).str("token")
			for slot, data := range map[string][]byte{"id_proof_front": bomb, "id_proof_live": p.selfie} {
				up, _ := json.Marshal(map[string]any{"fileData": map[string]any{"type": slot, "file": "data:image/png;base64," + b64(data), "ext": "png"}})
				if r := e.json("POST", "/upload-KYC-document", tok, string(up)); r.Status != 200 {
					t.Fatalf("app upload %s: %d %s", slot, r.Status, r.Raw)
				}
			}
			upd, _ := json.Marshal(map[string]any{"documents": []any{map[string]any{"document_type": "id_proof_front", "identification_type": "Passport",
				"identification_value": "X7654321", "identification_doc_expiry": time.Now().AddDate(5, 0, 0).Format("2006-01-02"),
				"identification_doc_issuance_country": "United States", "identification_doc_holder_name": "Anna Eriksson"}}})
			if r := e.json("POST", "/update_app_user_profile_v2", tok, string(upd)); r.Status != 200 {
				t.Fatalf("app update: %d %s", r.Status, r.Raw)
			}
			docs := e.json("GET", "/v1/kyc-documents?applicantId="+apl, e.testKey, "")
			items, _ := docs.JSON["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("documents of the app applicant: %s", docs.Raw)
			}
			viaApp := items[0].(map[string]any)["id"].(string)

			for name, doc := range map[string]string{"/v1/files": viaAPI, "app endpoint": viaApp} {
				r := e.settled(doc)
				if !slices.Contains(failedChecks(r), "image-decodes.id-front") {
					t.Errorf("%s: the bomb decoded (failed checks %v)", name, failedChecks(r))
				}
			}
		})
	}
}
