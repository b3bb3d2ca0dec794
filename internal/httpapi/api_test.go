package httpapi_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// forEachDB runs fn on a fresh kycd over each database.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, d))
		})
	}
}

// TestBadInputIsRefusedAndStoresNothing: every kind of bad input gets a problem+json answer with
// the right status and the bad field named (never the value sent), and leaves no row and no blob
// behind.
func TestBadInputIsRefusedAndStoresNothing(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		apl := e.mustApplicant(e.testKey)
		liveApl := e.mustApplicant(e.liveKey)
		fil := e.mustFile(e.testKey, apl)
		doc := func(applicant, file string, ident string) string {
			return `{"applicantId":"` + applicant + `","type":"identity-proof","subtype":"passport","fileIds":["` + file + `"]` + ident + `}`
		}
		type send func() resp
		cases := []struct {
			name   string
			send   send
			status int
			fields []string
		}{
			{"date that is not real", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"dateOfBirth":"2023-02-30"}}`)
			}, 422, []string{"body.profile.dateOfBirth"}},
			{"date in another form", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"dateOfBirth":"12/08/1974"}}`)
			}, 422, []string{"body.profile.dateOfBirth"}},
			{"date of birth in the future", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"dateOfBirth":"2999-01-01"}}`)
			}, 422, []string{"body.profile.dateOfBirth"}},
			{"country that is not ISO 3166", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"nationality":"XX","countryOfResidence":"Atlantis"},"addresses":[{"country":"EU"}]}`)
			}, 422, []string{"body.profile.nationality", "body.profile.countryOfResidence", "body.addresses[0].country"}},
			{"unknown enum value", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"type":"robot","profile":{"gender":"x"}}`)
			}, 422, []string{"body.type", "body.profile.gender"}},
			{"phone country code over 3 digits", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"phone":{"countryCode":"1234","number":"42342348"}}}`)
			}, 422, []string{"body.profile.phone.countryCode"}},
			{"phone number over 15 digits", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"phone":{"countryCode":"81","number":"1234567890123456"}}}`)
			}, 422, []string{"body.profile.phone.number"}},
			{"bad email", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"email":"anna-at-example.com"}`)
			}, 422, []string{"body.email"}},
			{"unknown JSON field", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"u","nickname":"x"}`)
			}, 422, []string{"body.nickname"}},
			{"unknown nested JSON field", func() resp {
				return e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"shoeSize":44}}`)
			}, 422, []string{"body.profile.shoeSize"}},
			{"applicant id of another environment", func() resp {
				return e.json("POST", "/v1/kyc-documents", e.testKey, doc(liveApl, fil, ""))
			}, 422, []string{"body.applicantId"}},
			{"file id of another applicant's environment", func() resp {
				return e.json("POST", "/v1/kyc-documents", e.liveKey, doc(liveApl, fil, ""))
			}, 422, []string{"body.fileIds[0]"}},
			{"document date not real", func() resp {
				return e.json("POST", "/v1/kyc-documents", e.testKey, doc(apl, fil, `,"identification":{"issueDate":"2020-13-01"}`))
			}, 422, []string{"body.identification.issueDate"}},
			{"document expiring before issue, from an unknown country", func() resp {
				return e.json("POST", "/v1/kyc-documents", e.testKey, doc(apl, fil, `,"identification":{"issueDate":"2020-01-01","expiryDate":"2019-01-01","issuingCountry":"Narnia"}`))
			}, 422, []string{"body.identification.expiryDate", "body.identification.issuingCountry"}},
			{"subtype that does not fit the type", func() resp {
				return e.json("POST", "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","type":"address-proof","subtype":"passport","fileIds":["`+fil+`"]}`)
			}, 422, []string{"body.subtype"}},
			{"request with bad attempts, level and expiry", func() resp {
				return e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","maxAttempts":101}],"matchLevel":4,"expirationTime":"2000-01-01T00:00:00Z"}`)
			}, 422, []string{"body.documents[0].maxAttempts", "body.matchLevel"}},
			{"request expiring in the past", func() resp {
				return e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof"}],"expirationTime":"2000-01-01T00:00:00Z"}`)
			}, 422, []string{"body.expirationTime"}},
			{"file of a type that is not accepted", func() resp {
				return e.upload(e.testKey, apl, "id-front", []byte("GIF89a not really an image, but a GIF header"))
			}, 415, nil},
			{"file over the size limit", func() resp {
				return e.upload(e.testKey, apl, "id-front", bytes.Repeat([]byte{0xff}, int(e.maxBytes)+1))
			}, 413, nil},
			{"image over 50 megapixels", func() resp {
				return e.upload(e.testKey, apl, "id-front", hugePNGHeader(10000, 6000))
			}, 422, []string{"body.file"}},
			{"truncated image", func() resp {
				return e.upload(e.testKey, apl, "id-front", testdata(t, "truncated.jpg"))
			}, 422, []string{"body.file"}},
			{"image cut in half", func() resp {
				png := testdata(t, "astronaut.png")
				return e.upload(e.testKey, apl, "id-front", png[:len(png)/2])
			}, 422, []string{"body.file"}},
			{"file for an applicant of another environment", func() resp {
				return e.upload(e.testKey, liveApl, "id-front", testdata(t, "astronaut.png"))
			}, 422, []string{"body.applicantId"}},
			{"file with an unknown tag", func() resp {
				return e.upload(e.testKey, apl, "selfie-ish", testdata(t, "astronaut.png"))
			}, 422, []string{"body.tag"}},
			{"data URL that is not base64", func() resp {
				return e.json("POST", "/v1/files", e.testKey, `{"applicantId":"`+apl+`","tag":"id-front","data":"data:image/png;base64,@@@@"}`)
			}, 422, []string{"body.data"}},
			{"missing key", func() resp { return e.json("GET", "/v1/applicants/"+apl, "", "") }, 401, nil},
			{"wrong key", func() resp { return e.json("GET", "/v1/applicants/"+apl, "kycd_test_nope", "") }, 401, nil},
			{"key of the other environment", func() resp { return e.json("GET", "/v1/applicants/"+apl, e.liveKey, "") }, 404, nil},
			{"file of the other environment", func() resp { return e.json("GET", "/v1/files/"+fil+"/content", e.liveKey, "") }, 404, nil},
			{"patch with a bad country", func() resp {
				return e.json("PATCH", "/v1/applicants/"+apl, e.testKey, `{"profile":{"nationality":"ZZ"}}`)
			}, 422, []string{"body.profile.nationality"}},
		}
		for _, c := range cases {
			before := e.stored()
			r := c.send()
			if r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
				continue
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("%s: Content-Type %q, want problem+json", c.name, ct)
			}
			// A value sent may be personal data: the answer names the field, never the value.
			if strings.Contains(string(r.Raw), `"value"`) || strings.Contains(string(r.Raw), "anna-at-example.com") {
				t.Errorf("%s: the answer echoes the value sent: %s", c.name, r.Raw)
			}
			got := r.errorFields()
			for _, f := range c.fields {
				if !slices.Contains(got, f) {
					t.Errorf("%s: errors name %v, want %s among them", c.name, got, f)
				}
			}
			if after := e.stored(); after != before {
				t.Errorf("%s: something was stored: %s -> %s", c.name, before, after)
			}
		}
	})
}

// hugePNGHeader is a PNG whose header claims width x height, followed by garbage: it must be
// refused from the header alone.
func hugePNGHeader(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.WriteString("IHDR")
	b.Write(ihdr)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	b.Write(bytes.Repeat([]byte{0x55}, 4096))
	return b.Bytes()
}

func smallJPEG(t *testing.T, shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	img.Set(0, 0, color.RGBA{R: shade, A: 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestScenario walks the happy path of every resource on each database.
func TestScenario(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		r := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"user-42","email":"chattarin@example.com","profile":{"firstName":"Chattarin","lastName":"Hongladarom",
			"dateOfBirth":"1980-06-21","nationality":"THA","countryOfResidence":"Japan","phone":{"countryCode":"+81","number":"42342348"},"ssn":"123-45-6789"},
			"addresses":[{"type":"residential","line1":"Baker street 221b","city":"Tokyo","postalCode":"51234","country":"Japan"}]}`)
		if r.Status != 201 || r.Header.Get("Location") != "/v1/applicants/"+r.str("id") {
			t.Fatalf("create applicant: %d %s", r.Status, r.Raw)
		}
		apl := r.str("id")
		profile := r.JSON["profile"].(map[string]any)
		if profile["nationality"] != "TH" || profile["countryOfResidence"] != "JP" || profile["ssn"] != "123456789" ||
			profile["phone"].(map[string]any)["countryCode"] != "81" {
			t.Fatalf("countries, phone and ssn not normalised: %s", r.Raw)
		}
		if r := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"user-42"}`); r.Status != 409 {
			t.Fatalf("duplicate externalId: %d %s", r.Status, r.Raw)
		}
		r = e.json("PATCH", "/v1/applicants/"+apl, e.testKey, `{"profile":{"middleName":"K"},"email":""}`)
		if r.Status != 200 || r.JSON["revision"].(float64) != 1 || r.JSON["email"] != nil ||
			r.JSON["profile"].(map[string]any)["middleName"] != "K" || r.JSON["profile"].(map[string]any)["firstName"] != "Chattarin" {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		// Paging: limit and cursor walk every applicant once, newest first.
		for range 4 {
			e.mustApplicant(e.testKey)
		}
		seen, cursor := map[string]bool{}, ""
		for pages := 0; ; pages++ {
			r := e.json("GET", "/v1/applicants?limit=2&cursor="+cursor, e.testKey, "")
			items := r.JSON["items"].([]any)
			if r.Status != 200 || len(items) > 2 || pages > 5 {
				t.Fatalf("page %d: %d %s", pages, r.Status, r.Raw)
			}
			for _, it := range items {
				seen[it.(map[string]any)["id"].(string)] = true
			}
			if cursor = r.str("nextCursor"); cursor == "" {
				break
			}
		}
		if len(seen) != 5 {
			t.Fatalf("paging saw %d applicants, want 5", len(seen))
		}
		if r := e.json("GET", "/v1/applicants?limit=500", e.testKey, ""); r.Status != 422 {
			t.Fatalf("limit over 100: %d", r.Status)
		}
		r = e.json("GET", "/v1/applicants?externalId=user-42", e.testKey, "")
		if items := r.JSON["items"].([]any); r.Status != 200 || len(items) != 1 {
			t.Fatalf("list by externalId: %d %s", r.Status, r.Raw)
		}
		if r := e.json("GET", "/v1/applicants?externalId=user-42", e.liveKey, ""); len(r.JSON["items"].([]any)) != 0 {
			t.Fatalf("live key lists test applicants: %s", r.Raw)
		}

		// Files: multipart and a data URL; content comes back byte for byte.
		png := testdata(t, "astronaut.png")
		r = e.upload(e.testKey, apl, "id-front", png)
		if r.Status != 201 || r.str("mime") != "image/png" || r.JSON["width"].(float64) != 512 || r.JSON["size"].(float64) != float64(len(png)) {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		front := r.str("id")
		jpg := smallJPEG(t, 90)
		r = e.json("POST", "/v1/files", e.testKey, `{"applicantId":"`+apl+`","tag":"face-proof","data":"data:image/jpeg;base64,`+b64(jpg)+`"}`)
		if r.Status != 201 || r.str("mime") != "image/jpeg" {
			t.Fatalf("data URL upload: %d %s", r.Status, r.Raw)
		}
		selfie := r.str("id")
		if c := e.json("GET", "/v1/files/"+front+"/content", e.testKey, ""); c.Status != 200 || !bytes.Equal(c.Raw, png) || c.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("content: %d, %d bytes", c.Status, len(c.Raw))
		}
		if r := e.json("GET", "/v1/files/"+front, e.testKey, ""); r.Status != 200 || r.str("sha256") == "" {
			t.Fatalf("file metadata: %d %s", r.Status, r.Raw)
		}

		// A KYC request, a document answering it, a person's rejection and acceptance.
		exp := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		r = e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof","subtypes":["passport"],"faceProofRequired":true}],
			"redirectUrl":"https://example.com/done","expirationTime":"`+exp+`"}`)
		if r.Status != 201 || r.str("status") != "gathering" || r.JSON["matchLevel"].(float64) != 2 {
			t.Fatalf("create request: %d %s", r.Status, r.Raw)
		}
		req := r.str("id")
		links := map[string]string{}
		for _, l := range r.JSON["_links"].([]any) {
			m := l.(map[string]any)
			links[m["rel"].(string)] = m["href"].(string)
		}
		if links["self"] != "/v1/kyc-requests/"+req || !strings.Contains(links["gatherer"], "/gather/"+req+"?token=kyct_") {
			t.Fatalf("links: %v", links)
		}
		if d := r.JSON["documents"].([]any)[0].(map[string]any); d["maxAttempts"].(float64) != 3 {
			t.Fatalf("default maxAttempts: %v", d)
		}
		r = e.json("POST", "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","requestId":"`+req+`","type":"identity-proof","subtype":"passport",
			"fileIds":["`+front+`","`+selfie+`"],"identification":{"number":"TEST-REVIEW","issuingCountry":"Thailand","issueDate":"2019-06-18","expiryDate":"2029-06-17",
			"holderName":"Chattarin Hongladarom","mrz":"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"}}`)
		if r.Status != 201 || r.str("status") != "pending" || r.JSON["identification"].(map[string]any)["issuingCountry"] != "TH" {
			t.Fatalf("create document: %d %s", r.Status, r.Raw)
		}
		doc := r.str("id")
		// The test-mode magic number TEST-REVIEW sends the document to a person.
		r = e.waitStatus("/v1/kyc-documents/"+doc, "pending-review")
		if r.JSON["decision"].(map[string]any)["forced"] != true || r.JSON["checkList"] == nil {
			t.Fatalf("forced decision: %s", r.Raw)
		}
		if g := e.json("GET", "/v1/kyc-requests/"+req, e.testKey, ""); g.str("status") != "pending-review" {
			t.Fatalf("request while its document is in review: %s", g.Raw)
		}
		r = e.json("POST", "/v1/kyc-documents/"+doc+"/rejection", e.testKey, `{"type":"document-expired","message":"expired","notes":"checked the date"}`)
		if r.Status != 200 || r.str("status") != "rejected" || r.JSON["rejectionReason"].(map[string]any)["type"] != "document-expired" ||
			r.JSON["review"].(map[string]any)["notes"] != "checked the date" {
			t.Fatalf("reject: %d %s", r.Status, r.Raw)
		}
		if g := e.json("GET", "/v1/kyc-requests/"+req, e.testKey, ""); g.str("status") != "attempted" {
			t.Fatalf("request after a rejection with attempts left: %s", g.Raw)
		}
		if r := e.json("POST", "/v1/kyc-documents/"+doc+"/rejection", e.testKey, `{"type":"looks-fishy"}`); r.Status != 422 {
			t.Fatalf("unknown rejection type: %d", r.Status)
		}
		if r := e.json("POST", "/v1/kyc-documents/"+doc+"/acceptance", e.testKey, ``); r.Status != 409 {
			t.Fatalf("changing a decided document without override: %d %s", r.Status, r.Raw)
		}
		r = e.json("POST", "/v1/kyc-documents/"+doc+"/acceptance", e.testKey, `{"override":true,"notes":"second look"}`)
		if r.Status != 200 || r.str("status") != "accepted" || r.JSON["rejectionReason"] != nil || r.JSON["review"].(map[string]any)["override"] != true {
			t.Fatalf("accept with override: %d %s", r.Status, r.Raw)
		}
		if g := e.json("GET", "/v1/kyc-requests/"+req, e.testKey, ""); g.str("status") != "fulfilled" {
			t.Fatalf("request after its document was accepted: %s", g.Raw)
		}
		if g := e.json("GET", "/v1/applicants/"+apl, e.testKey, ""); g.str("status") != "approved" || g.str("level") != "L1" {
			t.Fatalf("applicant after a fulfilled request: %s", g.Raw)
		}
		r = e.json("GET", "/v1/kyc-documents?applicantId="+apl, e.testKey, "")
		if r.Status != 200 || len(r.JSON["items"].([]any)) != 1 {
			t.Fatalf("list documents: %d %s", r.Status, r.Raw)
		}
		if r := e.json("PATCH", "/v1/kyc-requests/"+req, e.testKey, `{"reason":"late"}`); r.Status != 409 {
			t.Fatalf("patch a fulfilled request: %d %s", r.Status, r.Raw)
		}
		r = e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"address-proof"}]}`)
		if r.Status != 422 || !strings.Contains(string(r.Raw), "body.documents") {
			t.Fatalf("an L1 request without identity-proof: %d %s", r.Status, r.Raw)
		}
		r = e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","level":"L0","documents":[{"type":"address-proof"}]}`)
		req2 := r.str("id")
		r = e.json("PATCH", "/v1/kyc-requests/"+req2, e.testKey, `{"reason":"card issuing"}`)
		if r.Status != 200 || r.str("reason") != "card issuing" || r.JSON["revision"].(float64) != 1 {
			t.Fatalf("patch request: %d %s", r.Status, r.Raw)
		}
		r = e.json("DELETE", "/v1/kyc-requests/"+req2, e.testKey, "")
		if r.Status != 200 || r.str("status") != "abandoned" {
			t.Fatalf("abandon: %d %s", r.Status, r.Raw)
		}
		if r := e.json("DELETE", "/v1/kyc-requests/"+req2, e.testKey, ""); r.Status != 409 {
			t.Fatalf("abandon twice: %d %s", r.Status, r.Raw)
		}

		// Applicant tokens work only on end-user endpoints, not on the integrator API.
		r = e.json("POST", "/v1/applicants/"+apl+"/tokens", e.testKey, `{"ttlSeconds":600}`)
		if r.Status != 201 || !strings.HasPrefix(r.str("token"), "kyct_") {
			t.Fatalf("token: %d %s", r.Status, r.Raw)
		}
		if r := e.json("GET", "/v1/applicants/"+apl, r.str("token"), ""); r.Status != 403 {
			t.Fatalf("applicant token on the API: %d", r.Status)
		}

		// The document's trail: its changes, and between them the reads of it (TestReadsOfPersonalDataAreAudited).
		all, err := e.App.Store.AuditTrail(t.Context(), "test", doc)
		var trail []store.AuditRecord
		reads := 0
		for _, a := range all {
			if a.Action == "kyc-document.read" {
				reads++
				continue
			}
			trail = append(trail, a)
		}
		if err != nil || len(trail) != 4 || trail[1].Actor != "system:verification" || trail[3].Action != "kyc-document.review" || reads == 0 {
			t.Fatalf("audit trail of the document: %v %+v", err, all)
		}
		if err := e.App.Store.VerifyAuditChain(t.Context(), "test"); err != nil {
			t.Fatal(err)
		}

		// Every change wrote an event with the resource's revision and a snapshot of it.
		evs, err := e.App.Store.ListEvents(t.Context(), "test", store.EventFilter{ResourceID: doc}, "", 10)
		if err != nil || len(evs.Items) != 6 {
			t.Fatalf("document events: %v %d", err, len(evs.Items))
		}
		// Newest first: the override's two events, the rejection's two, the verification's hold for
		// review (revision 1 tells it too), the creation.
		for i, want := range []struct {
			typ string
			rev int64
		}{{"kyc-document-accepted", 3}, {"kyc-document-reviewed", 3}, {"kyc-document-rejected", 2}, {"kyc-document-reviewed", 2}, {"kyc-document-pending-review", 1}, {"kyc-document-created", 0}} {
			ev := evs.Items[i]
			if ev.Type != want.typ || ev.Revision != want.rev || !strings.Contains(string(ev.Data.(json.RawMessage)), `"revision":`+strconv.FormatInt(want.rev, 10)) {
				t.Errorf("event %d: %s rev %d %s, want %s rev %d", i, ev.Type, ev.Revision, ev.Data, want.typ, want.rev)
			}
		}
		for _, typ := range []string{"applicant-created", "applicant-updated", "file-stored", "kyc-request-created", "kyc-request-updated",
			"kyc-request-abandoned", "kyc-request-attempted", "kyc-request-fulfilled"} {
			evs, err := e.App.Store.ListEvents(t.Context(), "test", store.EventFilter{Type: typ}, "", 10)
			if err != nil || len(evs.Items) == 0 {
				t.Errorf("no %s event: %v", typ, err)
			}
		}
	})
}

// TestIdempotencyKey: the same key and body answer the same; another body is refused; a retried
// multipart upload (new boundary) is recognised.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		body := `{"externalId":"idem-1","profile":{"firstName":"Anna"}}`
		first := e.json("POST", "/v1/applicants", e.testKey, body, "Idempotency-Key", "k-1")
		again := e.json("POST", "/v1/applicants", e.testKey, body, "Idempotency-Key", "k-1")
		if first.Status != 201 || again.Status != 201 || !bytes.Equal(first.Raw, again.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s / %d %s", first.Status, first.Raw, again.Status, again.Raw)
		}
		before := e.stored()
		other := e.json("POST", "/v1/applicants", e.testKey, `{"externalId":"idem-2"}`, "Idempotency-Key", "k-1")
		if other.Status != 422 || e.stored() != before {
			t.Fatalf("another body with the same key: %d %s", other.Status, other.Raw)
		}
		// The same key in the live environment is another key.
		if r := e.json("POST", "/v1/applicants", e.liveKey, body, "Idempotency-Key", "k-1"); r.Status != 201 || r.str("id") == first.str("id") {
			t.Fatalf("live: %d %s", r.Status, r.Raw)
		}
		// A refused request does not use up its key.
		if r := e.json("POST", "/v1/applicants", e.testKey, `{"email":"bad"}`, "Idempotency-Key", "k-2"); r.Status != 422 {
			t.Fatalf("bad body: %d", r.Status)
		}
		if r := e.json("POST", "/v1/applicants", e.testKey, `{"email":"good@example.com"}`, "Idempotency-Key", "k-2"); r.Status != 201 {
			t.Fatalf("corrected body with the same key: %d %s", r.Status, r.Raw)
		}
		apl := first.str("id")
		png := testdata(t, "astronaut.png")
		u1 := e.upload(e.testKey, apl, "id-front", png, "Idempotency-Key", "up-1")
		before = e.stored()
		u2 := e.upload(e.testKey, apl, "id-front", png, "Idempotency-Key", "up-1")
		if u1.Status != 201 || u2.Status != 201 || u1.str("id") != u2.str("id") || e.stored() != before {
			t.Fatalf("upload replay: %d %s / %d %s", u1.Status, u1.Raw, u2.Status, u2.Raw)
		}
	})
}

// TestRequestExpiresByJob: a request still gathering past its expirationTime is expired by its
// River job.
func TestRequestExpiresByJob(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		apl := e.mustApplicant(e.testKey)
		exp := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
		r := e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","documents":[{"type":"identity-proof"}],"expirationTime":"`+exp+`"}`)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		id := r.str("id")
		deadline := time.Now().Add(60 * time.Second)
		for {
			g := e.json("GET", "/v1/kyc-requests/"+id, e.testKey, "")
			if g.str("status") == "expired" {
				if g.JSON["revision"].(float64) != 1 {
					t.Fatalf("revision after expiry: %s", g.Raw)
				}
				trail, _ := e.App.Store.AuditTrail(t.Context(), "test", id)
				if len(trail) != 2 || trail[1].Actor != "system:kyc-request-expiry" {
					t.Fatalf("audit of the expiry: %+v", trail)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("request still %s a minute after its expirationTime", g.str("status"))
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// TestReadyzNamesTheMasterKeys: while a rotation runs, /readyz names the current master key, the
// previous one, and the one that wraps the keyring (still the previous one: kycd keys rotate has not
// run), and still answers 200.
func TestReadyzNamesTheMasterKeys(t *testing.T) {
	t.Parallel()
	next := make([]byte, seal.KeySize)
	if _, err := rand.Read(next); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, "sqlite", func(c *app.Config) {
		// The installation starts once with its first key (which writes its keyring), then with both.
		st, _, err := app.OpenStore(t.Context(), *c)
		if err != nil {
			t.Fatal(err)
		}
		_ = st.Close()
		c.MasterKey, c.MasterKeyPrevious = hex.EncodeToString(next), apptest.MasterKey
	})
	first, err := seal.LoadKey(apptest.MasterKey, "")
	if err != nil {
		t.Fatal(err)
	}
	cur, prev := hex.EncodeToString(seal.KeyID(next)), hex.EncodeToString(seal.KeyID(first))
	r := e.json("GET", "/readyz", "", "")
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"masterKey":{"id":"`+cur+`","previous":"`+prev+`","keyringUnder":"`+prev+`"}`) {
		t.Fatalf("readyz during a rotation: %d %s", r.Status, r.Raw)
	}
}

// TestOperationsEndpoints: health, readiness and metrics answer without a key; metrics count the
// requests by route pattern (never by raw path, which would hold ids).
func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	apl := e.mustApplicant(e.testKey)
	e.json("GET", "/v1/applicants/"+apl, e.testKey, "")
	if r := e.json("GET", "/healthz", "", ""); r.Status != 200 || r.str("status") != "ok" {
		t.Fatalf("healthz: %d %s", r.Status, r.Raw)
	}
	mk, err := seal.LoadKey(apptest.MasterKey, "")
	if err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(seal.KeyID(mk))
	if r := e.json("GET", "/readyz", "", ""); r.Status != 200 || r.str("status") != "ready" ||
		!strings.Contains(string(r.Raw), `"masterKey":{"id":"`+id+`","keyringUnder":"`+id+`"}`) {
		t.Fatalf("readyz: %d %s", r.Status, r.Raw)
	}
	m := e.json("GET", "/metrics", "", "")
	body := string(m.Raw)
	if m.Status != 200 || !strings.Contains(body, `kycd_http_requests_total{code="200",method="GET",route="GET /v1/applicants/{id}"}`) ||
		!strings.Contains(body, "go_goroutines") || strings.Contains(body, apl) {
		t.Fatalf("metrics: %d\n%.2000s", m.Status, body)
	}
}
