package httpapi_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"kycd/internal/face"
	"kycd/internal/media/mediatest"
	"kycd/internal/mrz/mrztest"
	"slices"
	"strings"
	"testing"
	"time"
)

// photos are the test images, generated from testdata once: a 1024 px passport photo page (the
// astronaut scaled up without smoothing, so it stays sharp), a selfie, and a blurred cat.
type photos struct{ front, selfie, blurredCat, otherFront, otherSelfie []byte }

func makePhotos(t *testing.T) photos {
	t.Helper()
	astro, err := png.Decode(bytes.NewReader(testdata(t, "astronaut.png")))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := png.Decode(bytes.NewReader(testdata(t, "chelsea.png")))
	if err != nil {
		t.Fatal(err)
	}
	// The mirror image is another photo for the duplicate checks (its perceptual hash is far off).
	mirror := flip(astro)
	return photos{front: encodeJPEG(t, scale(astro, 2)), selfie: encodeJPEG(t, astro), blurredCat: encodeJPEG(t, boxBlur(cat, 6)),
		otherFront: encodeJPEG(t, scale(mirror, 2)), otherSelfie: encodeJPEG(t, mirror)}
}

// passportFront renders the data page of a US passport of Eileen Collins (package mrztest) whose
// machine-readable zone says number, dob and expiry (YYYY-MM-DD), with the astronaut's head as
// its portrait, as a JPEG. The same arguments give the same bytes.
func passportFront(t *testing.T, number, dob, expiry string) []byte {
	t.Helper()
	return passportOf(t, mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "COLLINS", GivenNames: "EILEEN",
		Number: number, DateOfBirth: yymmdd(dob), Sex: "F", Expiry: yymmdd(expiry)}, false)
}

// passportOf renders the data page of a passport whose zone says h, as passportFront does. Its
// portrait is the astronaut's head mirrored, so that the photos.selfie (her photo) is another
// photo of her and not the portrait itself (which selfie-not-portrait refuses); mirror prints her
// head unmirrored, for a page that the duplicate-image check must not take for another, to go
// with photos.otherSelfie.
func passportOf(t *testing.T, h mrztest.Holder, mirror bool) []byte {
	t.Helper()
	head := mrztest.Portrait()
	if !mirror {
		head = flip(head)
	}
	return encodeJPEG(t, mrztest.PassportPage(h, head, "UNITED STATES OF AMERICA"))
}

// yymmdd writes a YYYY-MM-DD date as a zone does.
func yymmdd(date string) string { return date[2:4] + date[5:7] + date[8:10] }

func scale(src image.Image, k int) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := 0; y < dst.Bounds().Dy(); y++ {
		for x := 0; x < dst.Bounds().Dx(); x++ {
			dst.Set(x, y, src.At(b.Min.X+x/k, b.Min.Y+y/k))
		}
	}
	return dst
}

func flip(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			dst.Set(b.Dx()-1-x, y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

func boxBlur(src image.Image, r int) image.Image {
	b := src.Bounds()
	in := image.NewRGBA(b)
	draw.Draw(in, b, src, b.Min, draw.Src)
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var s [4]int
			n := 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					if p := (image.Point{X: x + dx, Y: y + dy}); p.In(b) {
						o := in.PixOffset(p.X, p.Y)
						for c := range 4 {
							s[c] += int(in.Pix[o+c])
						}
						n++
					}
				}
			}
			o := out.PixOffset(x, y)
			for c := range 4 {
				out.Pix[o+c] = uint8(s[c] / n)
			}
		}
	}
	return out
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// application submits an L1 application: an applicant, a request asking for a passport with a
// selfie, the two photos and the passport. It returns the applicant, request and document ids.
type application struct {
	dob, number, expiry, holder string
	first, last                 string // the applicant's names; Eileen Collins when empty
	front, selfie               []byte
	requestID                   string // reuse a request
	applicantID                 string // reuse an applicant
}

func (e *env) apply(a application) (apl, req, doc string) {
	e.t.Helper()
	apl, req = a.applicantID, a.requestID
	if a.first == "" {
		a.first, a.last = "Eileen", "Collins"
	}
	if apl == "" {
		r := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"`+a.first+`","lastName":"`+a.last+`","dateOfBirth":"`+a.dob+`","nationality":"US",
			"countryOfResidence":"US","gender":"female"},"addresses":[{"type":"residential","city":"Houston","country":"US"}]}`)
		if r.Status != 201 {
			e.t.Fatalf("applicant: %d %s", r.Status, r.Raw)
		}
		apl = r.str("id")
	}
	if req == "" {
		r := e.json("POST", "/v1/kyc-requests", e.testKey, `{"applicantId":"`+apl+`","level":"L1","documents":[{"type":"identity-proof","subtypes":["passport"],"maxAttempts":3,"faceProofRequired":true}]}`)
		if r.Status != 201 {
			e.t.Fatalf("request: %d %s", r.Status, r.Raw)
		}
		req = r.str("id")
	}
	front := e.upload(e.testKey, apl, "id-front", a.front)
	selfie := e.upload(e.testKey, apl, "face-proof", a.selfie)
	if front.Status != 201 || selfie.Status != 201 {
		e.t.Fatalf("uploads: %s %s", front.Raw, selfie.Raw)
	}
	body, _ := json.Marshal(map[string]any{"applicantId": apl, "requestId": req, "type": "identity-proof", "subtype": "passport",
		"fileIds":        []string{front.str("id"), selfie.str("id")},
		"identification": map[string]string{"number": a.number, "issuingCountry": "US", "issueDate": "2020-01-15", "expiryDate": a.expiry, "holderName": a.holder}})
	r := e.json("POST", "/v1/kyc-documents", e.testKey, string(body))
	if r.Status != 201 {
		e.t.Fatalf("document: %d %s", r.Status, r.Raw)
	}
	return apl, req, r.str("id")
}

// settled waits until the checks have decided a document and returns it.
func (e *env) settled(doc string) resp {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.json("GET", "/v1/kyc-documents/"+doc, e.testKey, "")
		if s := r.str("status"); s != "pending" && s != "in-progress" {
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("document %s not decided: %s", doc, r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func failedChecks(r resp) []string {
	var out []string
	list, _ := r.JSON["checkList"].([]any)
	for _, c := range list {
		m := c.(map[string]any)
		if m["failed"] == true {
			out = append(out, m["name"].(string))
		}
	}
	return out
}

func (e *env) status(path string) string {
	return e.json("GET", path, e.testKey, "").str("status")
}

// TestVerificationLifecycle walks the cases end to end over HTTP on both databases.
func TestVerificationLifecycle(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	past := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	forEachDB(t, func(t *testing.T, e *env) {
		// A clean L1 application ends fulfilled, the applicant approved at L1.
		apl, req, doc := e.apply(application{dob: "1956-11-19", number: "P1000001", expiry: future, holder: "COLLINS, Eileen", front: passportFront(t, "P1000001", "1956-11-19", future), selfie: p.selfie})
		d := e.settled(doc)
		if d.str("status") != "accepted" || d.JSON["score"].(float64) < 80 || len(failedChecks(d)) != 0 {
			t.Fatalf("clean application: %s failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}
		// No list is loaded here: the test environment accepts and says so.
		if sc := d.JSON["parsedData"].(map[string]any)["sanctionsScreening"]; sc != "no-list-loaded" {
			t.Fatalf("parsedData.sanctionsScreening = %v: the decision must say what screening it saw", sc)
		}
		// The selfie (the astronaut's photo) is compared with the passport's portrait (her head
		// redrawn as a print): a match, said with its score.
		pd := d.JSON["parsedData"].(map[string]any)
		fm, _ := pd["faceMatch"].(map[string]any)
		if pd["selfieShowsOneFace"] != true || pd["hasMatchingFaceProof"] != true || fm["matched"] != true || fm["threshold"] != face.MatchThreshold ||
			d.JSON["decision"].(map[string]any)["levelVersion"] == "" {
			t.Fatalf("parsedData/decision: %s", d.Raw)
		}
		if s := e.status("/v1/kyc-requests/" + req); s != "fulfilled" {
			t.Fatalf("request of a clean application: %s", s)
		}
		if a := e.json("GET", "/v1/applicants/"+apl, e.testKey, ""); a.str("status") != "approved" || a.str("level") != "L1" {
			t.Fatalf("applicant: %s", a.Raw)
		}

		// A duplicate passport number on a second applicant is caught, decisively.
		_, _, dup := e.apply(application{dob: "1956-11-19", number: "P1000001", expiry: future, holder: "COLLINS, Eileen", front: passportFront(t, "P1000001", "1956-11-19", future), selfie: p.selfie})
		d = e.settled(dup)
		if d.str("status") != "rejected" || d.JSON["rejectionReason"].(map[string]any)["type"] != "document-duplicate" {
			t.Fatalf("duplicate passport: %s", d.Raw)
		}

		// An expired passport: attempted, document-expired, a retry left; three such end failed.
		apl2, req2, exp1 := e.apply(application{dob: "1956-11-19", number: "P2000001", expiry: past, holder: "Eileen Collins", front: passportFront(t, "P2000001", "1956-11-19", past), selfie: p.selfie})
		d = e.settled(exp1)
		if d.str("status") != "rejected" || d.JSON["rejectionReason"].(map[string]any)["type"] != "document-expired" {
			t.Fatalf("expired passport: %s", d.Raw)
		}
		if s := e.status("/v1/kyc-requests/" + req2); s != "attempted" {
			t.Fatalf("request after one expired passport: %s", s)
		}
		for i := 2; i <= 3; i++ {
			_, _, again := e.apply(application{applicantID: apl2, requestID: req2, number: "P200000" + string(rune('0'+i)), expiry: past, holder: "Eileen Collins", front: passportFront(t, "P200000"+string(rune('0'+i)), "1956-11-19", past), selfie: p.selfie})
			e.settled(again)
		}
		if s := e.status("/v1/kyc-requests/" + req2); s != "failed" {
			t.Fatalf("request after three expired passports: %s", s)
		}
		if a := e.json("GET", "/v1/applicants/"+apl2, e.testKey, ""); a.str("status") != "rejected" {
			t.Fatalf("applicant of a failed request: %s", a.Raw)
		}

		// An applicant under age (21 for US residents) is rejected whatever the score.
		teen := time.Now().AddDate(-19, 0, 0).Format("2006-01-02")
		_, _, young := e.apply(application{dob: teen, number: "P3000001", expiry: future, holder: "Eileen Collins", front: passportFront(t, "P3000001", teen, future), selfie: p.selfie})
		d = e.settled(young)
		if d.str("status") != "rejected" || d.JSON["rejectionReason"].(map[string]any)["type"] != "underage-person" {
			t.Fatalf("under-age applicant: %s", d.Raw)
		}

		// A blurred selfie with no face is rejected.
		_, _, cat := e.apply(application{dob: "1956-11-19", number: "P4000001", expiry: future, holder: "Eileen Collins", front: passportFront(t, "P4000001", "1956-11-19", future), selfie: p.blurredCat})
		d = e.settled(cat)
		failed := strings.Join(failedChecks(d), " ")
		if d.str("status") != "rejected" || !strings.Contains(failed, "selfie-face.face-proof") || !strings.Contains(failed, "image-sharp.face-proof") {
			t.Fatalf("blurred selfie without a face: %s (%s)", d.str("status"), failed)
		}

		// A name that only half matches goes to a person, who accepts it: the request is fulfilled.
		_, req5, review := e.apply(application{dob: "1956-11-19", number: "P5000001", expiry: future, holder: "Eileen Smith", front: passportOf(t, mrztest.Holder{IssuingState: "USA", Nationality: "USA",
			Surname: "COLLINS", GivenNames: "EILEEN", Number: "P5000001", DateOfBirth: "561119", Sex: "F", Expiry: yymmdd(future)}, true), selfie: p.otherSelfie})
		d = e.settled(review)
		if d.str("status") != "pending-review" || strings.Join(failedChecks(d), " ") != "holder-name-match" {
			t.Fatalf("name mismatch: %s %v", d.str("status"), failedChecks(d))
		}
		if s := e.status("/v1/kyc-requests/" + req5); s != "pending-review" {
			t.Fatalf("request with a document in review: %s", s)
		}
		r := e.json("POST", "/v1/kyc-documents/"+review+"/acceptance", e.testKey, `{"notes":"married name, certificate seen"}`)
		if r.Status != 200 || r.str("status") != "accepted" {
			t.Fatalf("review: %d %s", r.Status, r.Raw)
		}
		if s := e.status("/v1/kyc-requests/" + req5); s != "fulfilled" {
			t.Fatalf("request after the review: %s", s)
		}
	})
}

// TestLiveKeysNeverHonourTestMagic: the magic numbers that force outcomes with a test key are
// plain numbers with a live key.
func TestLiveKeysNeverHonourTestMagic(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	e := newEnv(t, "sqlite")
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	for _, key := range []string{e.testKey, e.liveKey} {
		r := e.json("POST", "/v1/applicants", key, `{"profile":{"firstName":"Eileen","lastName":"Collins","dateOfBirth":"1956-11-19","nationality":"US","countryOfResidence":"US"}}`)
		apl := r.str("id")
		front, selfie := e.upload(key, apl, "id-front", passportFront(t, "P7700001", "1956-11-19", future)), e.upload(key, apl, "face-proof", p.selfie)
		body, _ := json.Marshal(map[string]any{"applicantId": apl, "type": "identity-proof", "subtype": "passport", "fileIds": []string{front.str("id"), selfie.str("id")},
			"identification": map[string]string{"number": "TEST-REJECT-name-mismatch", "issuingCountry": "US", "expiryDate": future, "holderName": "Eileen Collins"}})
		doc := e.json("POST", "/v1/kyc-documents", key, string(body)).str("id")
		var d resp
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			d = e.json("GET", "/v1/kyc-documents/"+doc, key, "")
			if d.str("status") != "pending" || time.Now().After(deadline) {
				break
			}
		}
		forced := d.JSON["decision"].(map[string]any)["forced"] == true
		if key == e.testKey && (d.str("status") != "rejected" || !forced) {
			t.Fatalf("test key: the magic number was not honoured: %s", d.Raw)
		}
		// Live, the number is a plain number, not a rejection: the document waits for a person
		// because it is not the number printed in the zone and no sanctions list is loaded, and
		// for nothing else.
		if key == e.liveKey && (d.str("status") != "pending-review" || forced || d.JSON["rejectionReason"] != nil ||
			strings.Join(failedChecks(d), " ") != "mrz-document-number sanctions-screening") {
			t.Fatalf("live key: the magic number was honoured: %s", d.Raw)
		}
	}
}

// TestIdentityPDFIsNeverAcceptedAutomatically: kycd reads no PDF, so a passport sent as a PDF
// (valid, one blank page) with data that passes every other check is held for a person, saying
// why, on both databases; before, the PDF was skipped and the document accepted.
func TestIdentityPDFIsNeverAcceptedAutomatically(t *testing.T) {
	t.Parallel()
	p := makePhotos(t)
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	forEachDB(t, func(t *testing.T, e *env) {
		_, _, doc := e.apply(application{dob: "1956-11-19", number: "P7000001", expiry: future, holder: "COLLINS, Eileen",
			front: mediatest.MinimalPDF("1.4", 0), selfie: p.selfie})
		d := e.settled(doc)
		if d.str("status") != "pending-review" || !slices.Contains(failedChecks(d), "identity-document-is-image.id-front") {
			t.Fatalf("passport as a PDF: %s, failed %v\n%s", d.str("status"), failedChecks(d), d.Raw)
		}
	})
}
