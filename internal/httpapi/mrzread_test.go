package httpapi_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"kycd/internal/media/mediatest"
	"kycd/internal/mrz/mrztest"
)

// TestVerificationReadsTheDocument: the machine-readable zone read from the passport's image is
// the truth the typed data and the profile are checked against (issue 12), on both databases.
// Each case is a fraud tried on main before the reader, or an honest user it must not hurt.
func TestVerificationReadsTheDocument(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	collins := func(number, expiry string) mrztest.Holder {
		return mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "COLLINS", GivenNames: "EILEEN",
			Number: number, DateOfBirth: "561119", Sex: "F", Expiry: yymmdd(expiry)}
	}
	blank := image.NewGray(image.Rect(0, 0, 1600, 1100))
	draw.Draw(blank, blank.Rect, image.NewUniform(color.Gray{236}), image.Point{}, draw.Src)
	blankJPEG := encodeJPEG(t, blank)
	cat, err := png.Decode(bytes.NewReader(testdata(t, "chelsea.png")))
	if err != nil {
		t.Fatal(err)
	}
	forEachDB(t, func(t *testing.T, e *env) {
		check := func(what, doc string) (resp, map[string]any) {
			t.Helper()
			d := e.settled(doc)
			pd, _ := d.JSON["parsedData"].(map[string]any)
			return d, pd
		}
		reason := func(d resp) any {
			r, _ := d.JSON["rejectionReason"].(map[string]any)
			return r["type"]
		}

		// A genuine passport, no MRZ typed: accepted on what was read.
		_, _, doc := e.apply(application{dob: "1956-11-19", number: "P8000001", expiry: future, holder: "Eileen Collins",
			front: passportOf(t, collins("P8000001", future), false), selfie: p.selfie})
		d, pd := check("genuine passport", doc)
		if d.str("status") != "accepted" || len(failedChecks(d)) != 0 || pd["mrzSource"] != "image" || pd["mrzChecksumValid"] != true {
			t.Fatalf("genuine passport: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// Person B's passport with person A's typed data: the zone names B, born on another day.
		other := mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "OKAFOR", GivenNames: "CHIDI",
			Number: "P8000002", DateOfBirth: "800203", Sex: "M", Expiry: yymmdd(future)}
		_, _, doc = e.apply(application{dob: "1956-11-19", number: "P8000002", expiry: future, holder: "Eileen Collins",
			front: passportOf(t, other, true), selfie: p.selfie})
		d, _ = check("B's passport", doc)
		failed := failedChecks(d)
		if d.str("status") == "accepted" || !slices.Contains(failed, "mrz-surname") || !slices.Contains(failed, "mrz-date-of-birth") ||
			!slices.Contains(failed, "mrz-sex") {
			t.Fatalf("B's passport with A's data: %s, failed %v\n%s", d.str("status"), failed, d.Raw)
		}
		for _, c := range d.JSON["checkList"].([]any) {
			c := c.(map[string]any)
			if want := map[string]string{"mrz-surname": "name-mismatch", "mrz-given-names": "name-mismatch", "mrz-date-of-birth": "dob-mismatch"}[c["name"].(string)]; want != "" && c["reason"] != want {
				t.Fatalf("%s: reason %v, want %s", c["name"], c["reason"], want)
			}
		}

		// A passport that expired in 2019, typed as valid: the read expiry rejects it.
		_, _, doc = e.apply(application{dob: "1956-11-19", number: "P8000003", expiry: future, holder: "Eileen Collins",
			front: passportOf(t, collins("P8000003", "2019-03-01"), false), selfie: p.selfie})
		d, _ = check("expired passport", doc)
		if d.str("status") != "rejected" || reason(d) != "document-expired" || d.JSON["decision"].(map[string]any)["decisive"] != "mrz-not-expired" {
			t.Fatalf("expired passport typed as valid: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// A typed MRZ that is not the printed one is held for a person.
		typed := strings.Join(mrztest.TD3(collins("P8000009", future)), "\n")
		apl := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US","gender":"female"}}`).str("id")
		front, selfie := e.upload(e.testKey, apl, "id-front", passportOf(t, collins("P8000004", future), false)), e.upload(e.testKey, apl, "face-proof", p.selfie)
		body, _ := json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "passport", "fileIds": []string{front.str("id"), selfie.str("id")},
			"identification": map[string]string{"mrz": typed}})
		doc = e.json("POST", "/v1/kyc-documents", e.testKey, string(body)).str("id")
		d, _ = check("typed MRZ", doc)
		if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "mrz-typed-matches-image") {
			t.Fatalf("typed MRZ not the printed one: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// Nothing typed at all: what was read fills the identification. (Another selfie: the one
		// above is on other applicants, which the duplicate checks rightly catch.)
		apl = e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US","gender":"female"}}`).str("id")
		// Photographed on a desk rather than scanned edge to edge: the pages above share this
		// one's design and portrait, and a whole-page perceptual hash may take two such scans for
		// one picture (duplicate-image, rightly, for the same portrait on two applicants).
		front, selfie = e.upload(e.testKey, apl, "id-front", onDesk(t, passportOf(t, collins("P8000005", future), true))), e.upload(e.testKey, apl, "face-proof", p.otherSelfie)
		body, _ = json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "passport", "fileIds": []string{front.str("id"), selfie.str("id")}})
		doc = e.json("POST", "/v1/kyc-documents", e.testKey, string(body)).str("id")
		d, pd = check("untyped passport", doc)
		id, _ := d.JSON["identification"].(map[string]any)
		if d.str("status") != "accepted" || pd["mrzSource"] != "image" || id["number"] != "P8000005" || id["expiryDate"] != future ||
			id["issuingCountry"] != "US" || id["holderName"] != "EILEEN COLLINS" {
			t.Fatalf("passport with nothing typed: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// A face photo, a blank page and a PDF given as a passport are never accepted.
		for name, data := range map[string][]byte{"face photo": p.front, "blank page": blankJPEG} {
			_, _, doc = e.apply(application{dob: "1956-11-19", number: "P8000006", expiry: future, holder: "Eileen Collins", front: data, selfie: p.selfie})
			d, _ = check(name, doc)
			if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "mrz-read-from-image") {
				t.Fatalf("%s as a passport: %s, failed %v\n%s", name, d.str("status"), failedChecks(d), d.Raw)
			}
		}

		// A driving licence carries no zone: a face photo or a cat given as one is still no
		// document (document-shown), and never accepted.
		for name, data := range map[string][]byte{"face photo": p.front, "cat": encodeJPEG(t, scale(cat, 3))} {
			apl := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US","gender":"female"}}`).str("id")
			front := e.upload(e.testKey, apl, "id-front", data)
			body, _ := json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "driver-license", "fileIds": []string{front.str("id")},
				"identification": map[string]string{"number": "D1234567", "issuingCountry": "US", "expiryDate": future, "holderName": "Eileen Collins"}})
			doc = e.json("POST", "/v1/kyc-documents", e.testKey, string(body)).str("id")
			d, _ = check(name, doc)
			if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "document-shown.id-front") || slices.Contains(failedChecks(d), "mrz-read-from-image") {
				t.Fatalf("%s as a driving licence: %s, failed %v\n%s", name, d.str("status"), failedChecks(d), d.Raw)
			}
		}

		// The passport page itself sent as the selfie is no selfie.
		page := passportOf(t, collins("P8000007", future), true)
		_, _, doc = e.apply(application{dob: "1956-11-19", number: "P8000007", expiry: future, holder: "Eileen Collins", front: page, selfie: page})
		d, _ = check("page as selfie", doc)
		if d.str("status") == "accepted" || !slices.Contains(failedChecks(d), "selfie-not-document.face-proof") {
			t.Fatalf("the passport page as the selfie: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}

		// A live specimen (Utopia) is rejected as invalid.
		apl = e.json("POST", "/v1/applicants", e.liveKey, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","gender":"female"}}`).str("id")
		specimen := collins("L898902C3", future)
		specimen.IssuingState, specimen.Nationality = "UTO", "UTO"
		front, selfie = e.upload(e.liveKey, apl, "id-front", passportOf(t, specimen, false)), e.upload(e.liveKey, apl, "face-proof", p.selfie)
		body, _ = json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "passport", "fileIds": []string{front.str("id"), selfie.str("id")}})
		doc = e.json("POST", "/v1/kyc-documents", e.liveKey, string(body)).str("id")
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			d = e.json("GET", "/v1/kyc-documents/"+doc, e.liveKey, "")
			if d.str("status") != "pending" || time.Now().After(deadline) {
				break
			}
		}
		if d.str("status") != "rejected" || reason(d) != "document-invalid" || d.JSON["decision"].(map[string]any)["decisive"] != "mrz-not-specimen" {
			t.Fatalf("live specimen: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}
	})
}

// TestFileReading: POST /v1/files/{id}/reading answers what kycd reads from an upload, the same
// every time, scoped to the key's environment; a PDF reads as nothing, with a reason.
func TestFileReading(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	apl := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Eileen","lastName":"Collins"}}`).str("id")
	file := e.upload(e.testKey, apl, "id-front", passportFront(t, "P8100001", "1956-11-19", future)).str("id")
	first := e.json("POST", "/v1/files/"+file+"/reading", e.testKey, "")
	if first.Status != 200 {
		t.Fatalf("reading: %d %s", first.Status, first.Raw)
	}
	m, _ := first.JSON["mrz"].(map[string]any)
	fields, _ := m["fields"].(map[string]any)
	lines, _ := m["lines"].([]any)
	if m["format"] != "TD3" || m["checkDigitsValid"] != true || len(lines) != 2 || fields["documentNumber"] != "P8100001" ||
		fields["surname"] != "COLLINS" || fields["givenNames"] != "EILEEN" || fields["dateOfBirth"] != "1956-11-19" ||
		fields["expiryDate"] != future || fields["issuingCountry"] != "USA" || fields["nationality"] != "USA" || fields["sex"] != "F" {
		t.Fatalf("reading of a passport: %s", first.Raw)
	}
	if id, _ := first.JSON["identification"].(map[string]any); id["issuingCountry"] != "US" || id["number"] != "P8100001" {
		t.Fatalf("identification: %s", first.Raw)
	}
	if pt, _ := first.JSON["portrait"].(map[string]any); pt["found"] != true {
		t.Fatalf("portrait: %s", first.Raw)
	}
	if q, _ := first.JSON["quality"].(map[string]any); q["acceptable"] != true {
		t.Fatalf("quality: %s", first.Raw)
	}
	if again := e.json("POST", "/v1/files/"+file+"/reading", e.testKey, ""); again.Status != 200 || string(again.Raw) != string(first.Raw) {
		t.Fatalf("second reading differs: %s", again.Raw)
	}
	if r := e.json("POST", "/v1/files/"+file+"/reading", e.liveKey, ""); r.Status != 404 {
		t.Fatalf("another environment's file: %d", r.Status)
	}
	if r := e.json("POST", "/v1/files/fil_01M94SM4NFJEGWECA988FBRVQ0/reading", e.testKey, ""); r.Status != 404 {
		t.Fatalf("no such file: %d", r.Status)
	}
	pdf := e.upload(e.testKey, apl, "id-front", mediatest.MinimalPDF("1.4", 0)).str("id")
	r := e.json("POST", "/v1/files/"+pdf+"/reading", e.testKey, "")
	if reasons, _ := r.JSON["reasons"].([]any); r.Status != 200 || r.JSON["mrz"] != nil || len(reasons) == 0 {
		t.Fatalf("reading of a PDF: %d %s", r.Status, r.Raw)
	}
}

// onDesk is a page photographed on a desk: the page, a fifth of its width smaller, on a dark
// background, off centre.
func onDesk(t *testing.T, page []byte) []byte {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	desk := image.NewRGBA(image.Rect(0, 0, b.Dx()*5/4, b.Dy()*5/4))
	draw.Draw(desk, desk.Rect, image.NewUniform(color.RGBA{58, 44, 36, 255}), image.Point{}, draw.Src)
	draw.Draw(desk, b.Sub(b.Min).Add(image.Pt(b.Dx()/6, b.Dy()/12)), img, b.Min, draw.Src)
	return encodeJPEG(t, desk)
}
