package httpapi_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/store/storetest"
)

// pngBomb is a 7000 x 7000 RGBA PNG of zeros: about 200 KB on the wire, 196 MB once decoded, and
// under the 50-megapixel limit. It is written row by row, so making it allocates no image.
func pngBomb(t testing.TB) []byte {
	t.Helper()
	const w, h = 7000, 7000
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		out.WriteString(typ)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data))
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+4*w)
	for range h {
		_, _ = zw.Write(row)
	}
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// TestDecompressionBombIsNotDecoded: a PNG that decodes into 196 MB, sent through /v1/files and
// through the app endpoint (no API key), is stored like any image but never decoded by a kycd
// whose decode budget is 64 MiB: its image-decodes check fails with a reason, the document is
// decided, and nothing answers 5xx. Without the budget it decodes whole.
func TestDecompressionBombIsNotDecoded(t *testing.T) {
	t.Parallel()
	bomb := pngBomb(t)
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
