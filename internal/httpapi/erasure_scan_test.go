package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/review"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/share/interlace/interlacetest"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// TestErasureLeavesNothing is issue 17's first "How it is shown": an applicant with distinctive
// values everywhere kycd keeps them (profile, addresses, email, uploaded files, documents with
// their identification and what the checks read, face embeddings, a KYC request, events, webhook
// deliveries, a screening, a share with a partner, a review note and a proposal, a draft, a
// liveness result, an idempotent response) is erased through the API; then
// none of those values, nor a slice of the uploaded bytes, is in the raw SQLite file (with its WAL
// and shared memory), in PostgreSQL's tables (pg_dump), in any file of the blob folder or object
// of the S3 bucket, or in what kycd logged; every sealed value of the applicant that remains fails
// to open, under the master key, under the data key (gone) and under the data key as it was; the
// signed receipt verifies with the test's own Ed25519 code; the applicant reads back without
// personal fields, refuses changes with 410, and its applicant-erased event reached the webhook;
// once blobsPurgedTime is set, none of its blobs is left, sealed or not.
// SQLite runs with a blob folder, PostgreSQL with the S3 server versitygw.
func TestErasureLeavesNothing(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newErasureScene(t, d, ph)
			s.populate()
			s.findableThroughTheAPI()
			sealed := s.sealedValuesOpen()
			if s.blobCount() == 0 {
				t.Fatal("the blob store holds no object before erasure: the scan of the blobs would prove nothing")
			}
			keys := s.blobKeys()

			erasure := s.erase()
			s.blobsGone(keys)
			s.scanDatabase()
			s.scanBlobs()
			s.scanLog()
			s.sealedValuesFail(sealed)
			s.checkReceipt(erasure)
			s.checkAfter()
		})
	}
}

// erasureScene is one kycd (SQLite with a blob folder, or PostgreSQL with an S3 bucket) with a
// webhook receiver, a fake Interlace and a sanctions list, and the applicant about to be erased.
type erasureScene struct {
	*env
	t      *testing.T
	d      store.Dialect
	ph     photos
	log    *lockedBuffer
	blobs  string // the BlobURL kycd was given
	hook   *echoReceiver
	hookID string
	p      personalValues

	apl, req, doc, reviewDoc string
	files                    map[string][]byte // file id → the bytes uploaded
	shareID                  string
	idemKey                  string
}

// personalValues are the applicant's values, each holding random letters or digits (a token of 12
// letters; 8 in the document number, 9 or 10 digits in the SSN and phone) that nothing else in the
// test or in kycd holds, so that finding one anywhere means it leaked. The date of birth, the
// country and the IP address are not among them: they are not distinctive.
type personalValues struct {
	first, middle, last, emailLocal, emailHost        string
	email, phone, ssn, taxID, purpose, funds, salary  string
	line1, line2, building, district, city, mailLine1 string
	docNumber, holder                                 string
	frontComment, selfieComment                       string
	note, proposalMessage, proposalNote               string
	draft, liveness                                   string
	// canary is in the webhook's description, which is not personal and stays after erasure: the
	// database scans must find it, or they are not reading what kycd wrote.
	canary string
}

// needles are the values to look for, each named by the field it was in.
func (p personalValues) needles() []needle {
	fields := map[string]string{
		"profile.firstName": p.first, "profile.middleName": p.middle, "profile.lastName": p.last,
		"email (local part)": p.emailLocal, "email (host)": p.emailHost, "email": p.email,
		"profile.phone": p.phone, "profile.ssn": p.ssn, "profile.taxId": p.taxID, "profile.accountPurpose": p.purpose,
		"profile.sourceOfFunds": p.funds, "profile.annualSalary": p.salary,
		"addresses[0].line1": p.line1, "addresses[0].line2": p.line2, "addresses[0].building": p.building,
		"addresses[0].district": p.district, "addresses[0].city": p.city, "addresses[1].line1": p.mailLine1,
		"identification.number": p.docNumber, "identification.holderName": p.holder,
		"the passport JPEG's comment": p.frontComment, "the selfie JPEG's comment": p.selfieComment,
		"review note": p.note, "proposal message": p.proposalMessage, "proposal note": p.proposalNote,
		"draft": p.draft, "liveness result": p.liveness,
	}
	var out []needle
	for what, v := range fields {
		out = append(out, textNeedles(what, v)...)
	}
	return out
}

// token is 12 random letters, the first upper case.
func token() string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 12)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	b[0] -= 'a' - 'A'
	return string(b)
}

// digits is n random digits from 1 to 8 (no 0 or 9, so that an SSN stays valid).
func digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('1' + rand.IntN(8))
	}
	return string(b)
}

func newPersonalValues() personalValues {
	p := personalValues{first: token(), middle: token(), last: token(), emailLocal: strings.ToLower(token()), emailHost: strings.ToLower(token()),
		phone: "71355" + digits(5), ssn: digits(9), taxID: "TIN-" + token(), purpose: "Savings for " + token(), funds: "Salary from " + token(),
		salary: "About " + token(), line1: "12 " + token() + " Street", line2: "Flat 3 <" + token() + "> & Söhne", building: token() + " House",
		district: token(), city: token(), mailLine1: "PO Box 7 " + token(), docNumber: "X" + strings.ToUpper(token()[:8]),
		frontComment: token(), selfieComment: token(), note: "Called " + token(), proposalMessage: "Please send " + token(),
		proposalNote: "Seen " + token(), draft: token(), liveness: token(), canary: token()}
	p.email = p.emailLocal + ".x@" + p.emailHost + ".example"
	p.holder = strings.ToUpper(p.last) + ", " + p.first
	return p
}

func newErasureScene(t *testing.T, d store.Dialect, ph photos) *erasureScene {
	t.Helper()
	s := &erasureScene{t: t, d: d, ph: ph, log: &lockedBuffer{}, hook: newEchoReceiver(t), p: newPersonalValues(), files: map[string][]byte{}}
	interlace := interlacetest.New(t)
	opts := []apptest.Option{apptest.Log(s.log), apptest.Configure(func(c *app.Config) {
		c.MaxUploadBytes = 1 << 20
		c.Webhooks = webhook.Config{Retries: fastRetries, AllowPrivate: true}
		c.Sanctions.CheckEvery = time.Millisecond
		sh := &c.Shares.Test
		sh.InterlaceURL, sh.InterlaceClientID, sh.InterlaceClientSecret = interlace.URL, interlace.ClientID, interlace.ClientSecret
		c.Shares.Retries = []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
		c.Shares.PollInterval = time.Hour
		if d == store.Postgres {
			// The scale set-up: the blobs go to an S3 bucket, under a prefix of this test's own.
			c.BlobURL = s3TestURL(t) + "&prefix=erasure" + strings.ToLower(token()) + "/"
		}
	})}
	a := apptest.Start(t, d, opts...)
	s.env = &env{Env: a, t: t, maxBytes: a.App.Config.MaxUploadBytes, testKey: a.Key(t, kyc.EnvTest), liveKey: a.Key(t, kyc.EnvLive)}
	s.blobs = a.App.Config.BlobURL
	return s
}

// s3TestURL is the S3 server that `make test` starts (versitygw), as the blob tests find it.
func s3TestURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("KYCD_TEST_S3_URL")
	if u != "" {
		return u
	}
	const help = "KYCD_TEST_S3_URL is not set (run `make test`, which starts versitygw)"
	if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal(help + "; KYCD_TEST_REQUIRE_SERVICES=1 forbids skipping")
	}
	t.Skip(help)
	return ""
}

// populate makes the applicant and everything kycd keeps about it, and waits until the
// background work (checks, screening, share, webhook deliveries) is done.
func (s *erasureScene) populate() {
	t, p := s.t, s.p
	ctx := context.Background()

	// A webhook of every event, whose receiver answers with the body it got, as some do (kycd
	// would keep a public receiver's answer in its delivery log; of this one, on loopback, none).
	body, _ := json.Marshal(map[string]any{"url": s.hook.srv.URL, "description": "erasure scan " + p.canary})
	r := s.json("POST", "/v1/webhooks", s.testKey, string(body))
	if r.Status != http.StatusCreated {
		t.Fatalf("create webhook: %d %s", r.Status, r.Raw)
	}
	s.hookID = r.str("id")

	// A sanctions list, so that the applicant is screened (clear: nobody on it is like them).
	lists := screening.NewService(s.App.Store, screening.NewLists(s.App.Store, 0), 0, level.Defaults())
	if _, _, err := lists.Import(ctx, "ofac-sdn", "test", []match.Entry{petrov}, [][]byte{[]byte("version 1")}, false); err != nil {
		t.Fatal(err)
	}

	// The applicant, created with an Idempotency-Key: kycd keeps the response for replays.
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	const dob = "1966-11-19"
	applicant := map[string]any{"email": p.email, "profile": map[string]any{"firstName": p.first, "middleName": p.middle, "lastName": p.last,
		"dateOfBirth": dob, "gender": "female", "nationality": "US", "countryOfResidence": "US", "phone": map[string]string{"countryCode": "1", "number": p.phone},
		"ssn": p.ssn, "taxId": p.taxID, "ipAddress": "203.0.113.7", "occupation": "11-1011", "accountPurpose": p.purpose, "sourceOfFunds": p.funds,
		"annualSalary": p.salary},
		"addresses": []map[string]string{
			{"type": "residential", "line1": p.line1, "line2": p.line2, "building": p.building, "district": p.district, "city": p.city, "state": "TX", "postalCode": "77058", "country": "US"},
			{"type": "mailing", "line1": p.mailLine1, "city": "Houston", "state": "TX", "postalCode": "77058", "country": "US"}}}
	body, _ = json.Marshal(applicant)
	s.idemKey = "erasure-" + token()
	r = s.json("POST", "/v1/applicants", s.testKey, string(body), "Idempotency-Key", s.idemKey)
	if r.Status != http.StatusCreated {
		t.Fatalf("create applicant: %d %s", r.Status, r.Raw)
	}
	s.apl = r.str("id")

	// An L1 application: a passport whose zone carries the applicant's names and number, and a
	// selfie; each JPEG has a comment of its own, so that its bytes are this test's alone.
	front := withJPEGComment(passportOf(t, mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: strings.ToUpper(p.last),
		GivenNames: strings.ToUpper(p.first), Number: p.docNumber, DateOfBirth: yymmdd(dob), Sex: "F", Expiry: yymmdd(future)}, false), p.frontComment)
	selfie := withJPEGComment(s.ph.selfie, p.selfieComment)
	_, s.req, s.doc = s.apply(application{applicantID: s.apl, dob: dob, number: p.docNumber, expiry: future, holder: p.holder, front: front, selfie: selfie})
	if d := s.settled(s.doc); d.str("status") != "accepted" {
		t.Fatalf("the passport was not accepted (failed checks %v): %s", failedChecks(d), d.Raw)
	}
	s.waitStatus("/v1/applicants/"+s.apl, "approved")
	d := s.json("GET", "/v1/kyc-documents/"+s.doc, s.testKey, "")
	ids, _ := d.JSON["fileIds"].([]any)
	if len(ids) != 2 {
		t.Fatalf("document files: %s", d.Raw)
	}
	s.files[ids[0].(string)], s.files[ids[1].(string)] = front, selfie

	// A share with (the fake) Interlace, submitted.
	sh := s.share(s.apl, `{"partner":"interlace","options":{"accountId":"5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"}}`)
	s.shareID = sh.str("id")
	s.waitStatus("/v1/shares/"+s.shareID, "submitted")

	// A document that waits for a person (test mode's TEST-REVIEW), so a review case opens; a
	// note on it and a proposal (four eyes) that waits for an approver.
	r = s.json("POST", "/v1/kyc-requests", s.testKey, `{"applicantId":"`+s.apl+`","level":"L0","documents":[{"type":"address-proof"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", r.Status, r.Raw)
	}
	body, _ = json.Marshal(map[string]any{"applicantId": s.apl, "requestId": r.str("id"), "type": "address-proof", "subtype": "utility-bill",
		"fileIds": []string{ids[0].(string)}, "identification": map[string]string{"number": "TEST-REVIEW", "holderName": p.holder}})
	r = s.json("POST", "/v1/kyc-documents", s.testKey, string(body))
	if r.Status != http.StatusCreated {
		t.Fatalf("document: %d %s", r.Status, r.Raw)
	}
	s.reviewDoc = r.str("id")
	s.waitStatus("/v1/kyc-documents/"+s.reviewDoc, "pending-review")
	var caseID string
	if err := s.App.Store.QueryRow(ctx, `SELECT id FROM review_cases WHERE applicant_id = ? AND status = 'open'`, s.apl).Scan(&caseID); err != nil {
		t.Fatalf("the review case of %s: %v", s.reviewDoc, err)
	}
	reviews := review.NewService(s.App.Store, review.Config{FourEyes: map[string]bool{"*": true}})
	reviews.SetDecider(proposalOnly{})
	reviewer := review.Person{ID: "usr_erasurescan"}
	if _, err := reviews.AddNote(ctx, kyc.EnvTest, caseID, reviewer, p.note); err != nil {
		t.Fatal(err)
	}
	out, err := reviews.Decide(ctx, kyc.EnvTest, caseID, reviewer, review.Decision{Action: review.ActionReject, RejectionType: kyc.RejectionTypes[0],
		Message: p.proposalMessage, Note: p.proposalNote})
	if err != nil || out.Proposal.ID == "" {
		t.Fatalf("proposal: %+v, %v", out, err)
	}

	// What the hosted flow keeps (a draft, a liveness result), written as it writes them.
	if err := s.App.Store.SaveDraft(ctx, &store.Draft{Env: kyc.EnvTest, ApplicantID: s.apl, Data: json.RawMessage(`{"note":"` + p.draft + `"}`)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	live := store.LivenessSession{ID: kyc.NewID(kyc.PrefixLiveness), Env: kyc.EnvTest, RequestID: s.req, ApplicantID: s.apl, Nonce: token(),
		Moves: "left", Issued: now, Expires: now.Add(time.Hour)}
	if err := s.App.Store.CreateLiveness(ctx, &live); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Store.UseLiveness(ctx, kyc.EnvTest, s.req, live.Nonce, now); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Store.FinishLiveness(ctx, kyc.EnvTest, live.ID, json.RawMessage(`{"passed":true,"detail":"`+p.liveness+`"}`), ""); err != nil {
		t.Fatal(err)
	}

	s.screenings(s.apl, 1)
	s.deliveriesDone()
}

// proposalOnly is the decider of a review service that only stores proposals (every decision the
// test takes needs four eyes): it never carries one out.
type proposalOnly struct{}

func (proposalOnly) Override(context.Context, review.Case, review.Decision) (bool, error) {
	return false, nil
}
func (proposalOnly) CanRetry(context.Context, review.Case) (bool, error) { return true, nil }
func (proposalOnly) Carry(context.Context, review.Case, review.Decision, kyc.Actor, kyc.Actor) error {
	return fmt.Errorf("the erasure scan's review service carries nothing out")
}

// deliveriesDone waits until the webhook's every delivery succeeded.
func (s *erasureScene) deliveriesDone() {
	s.t.Helper()
	var last []map[string]any
	waitFor(s.t, "every webhook delivery to succeed", func() bool {
		last = s.deliveriesOf(s.testKey, s.hookID)
		for _, d := range last {
			if d["status"] != "succeeded" {
				return false
			}
		}
		return len(last) > 0
	})
}

// findableThroughTheAPI: before erasure, the API gives the values back (the test's sanity: they
// were stored, and the scans after erasure look for what was there).
func (s *erasureScene) findableThroughTheAPI() {
	t, p := s.t, s.p
	a := s.json("GET", "/v1/applicants/"+s.apl, s.testKey, "")
	for _, v := range []string{p.first, p.middle, p.last, p.email, p.phone, p.ssn, p.taxID, p.purpose, p.funds, p.salary, p.building, p.district, p.city, p.mailLine1} {
		if !bytes.Contains(a.Raw, []byte(v)) {
			t.Errorf("before erasure, the applicant does not give back %q: %s", v, a.Raw)
		}
	}
	if d := s.json("GET", "/v1/kyc-documents/"+s.doc, s.testKey, ""); !bytes.Contains(d.Raw, []byte(p.docNumber)) || !bytes.Contains(d.Raw, []byte(p.holder)) {
		t.Errorf("before erasure, the document does not give back its number and holder: %s", d.Raw)
	}
	for id, want := range s.files {
		if got := s.do("GET", "/v1/files/"+id+"/content", s.testKey, nil); got.Status != 200 || !bytes.Equal(got.Raw, want) {
			t.Errorf("before erasure, file %s: %d, %d bytes, want the %d bytes uploaded", id, got.Status, len(got.Raw), len(want))
		}
	}
	if ev := s.json("GET", "/v1/events?resourceId="+s.apl, s.testKey, ""); !bytes.Contains(ev.Raw, []byte(p.last)) {
		t.Errorf("before erasure, the applicant's events do not hold its data: %s", ev.Raw)
	}
	if !s.hook.got(p.last) {
		t.Error("before erasure, no webhook body held the applicant's last name")
	}
	if sh := s.json("GET", "/v1/shares/"+s.shareID, s.testKey, ""); sh.Status != 200 {
		t.Errorf("share: %d %s", sh.Status, sh.Raw)
	}
}

// erase asks for the erasure, and waits until the blobs are purged. It returns the Erasure.
func (s *erasureScene) erase() map[string]any {
	t := s.t
	r := s.json("DELETE", "/v1/applicants/"+s.apl, s.testKey, "")
	switch {
	case r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed:
		t.Fatalf("DELETE /v1/applicants/%s answered %d: erasure is not there (yet); this test must not pass without it: %s", s.apl, r.Status, r.Raw)
	case r.Status != http.StatusOK || r.str("status") != "erased":
		t.Fatalf("DELETE /v1/applicants/%s: %d %s, want 200 and status erased", s.apl, r.Status, r.Raw)
	}
	var e resp
	waitFor(t, "the erasure's blobsPurgedTime", func() bool {
		e = s.json("GET", "/v1/applicants/"+s.apl+"/erasure", s.testKey, "")
		if e.Status != http.StatusOK || e.str("status") != "erased" {
			t.Fatalf("GET erasure: %d %s", e.Status, e.Raw)
		}
		return e.str("blobsPurgedTime") != ""
	})
	return e.JSON
}

// checkAfter: the applicant reads back with its ids, status and erasedTime and without personal
// fields; a change answers 410; its files are gone; the applicant-erased event reached the webhook,
// and neither it nor its delivery holds a personal value.
func (s *erasureScene) checkAfter() {
	t, p := s.t, s.p
	a := s.json("GET", "/v1/applicants/"+s.apl, s.testKey, "")
	if a.Status != http.StatusOK || a.str("id") != s.apl || a.str("status") == "" || a.str("erasedTime") == "" {
		t.Errorf("the erased applicant: %d %s, want 200 with its id, status and erasedTime", a.Status, a.Raw)
	}
	if addrs, _ := a.JSON["addresses"].([]any); a.str("email") != "" || len(addrs) != 0 {
		t.Errorf("the erased applicant has an email or addresses: %s", a.Raw)
	}
	if prof, _ := a.JSON["profile"].(map[string]any); len(prof) != 0 {
		t.Errorf("the erased applicant has a profile: %v", prof)
	}
	found(t, "GET /v1/applicants/"+s.apl, a.Raw, p.needles())
	if r := s.json("PATCH", "/v1/applicants/"+s.apl, s.testKey, `{"email":"again@example.com"}`); r.Status != http.StatusGone {
		t.Errorf("PATCH of the erased applicant: %d %s, want 410", r.Status, r.Raw)
	}
	for id := range s.files {
		if r := s.do("GET", "/v1/files/"+id+"/content", s.testKey, nil); r.Status == http.StatusOK {
			t.Errorf("file %s of the erased applicant still serves %d bytes", id, len(r.Raw))
		}
	}
	for _, path := range []string{"/v1/kyc-documents/" + s.doc, "/v1/kyc-documents/" + s.reviewDoc, "/v1/kyc-requests/" + s.req,
		"/v1/shares/" + s.shareID, "/v1/applicants/" + s.apl + "/screenings", "/v1/events?limit=100", "/v1/webhooks/" + s.hookID + "/deliveries?limit=100"} {
		found(t, "GET "+path, s.json("GET", path, s.testKey, "").Raw, p.needles())
	}
	var bodies [][]byte
	waitFor(t, "the applicant-erased event at the webhook", func() bool {
		bodies = s.hook.ofType("applicant-erased")
		return len(bodies) > 0
	})
	for _, b := range bodies {
		if !bytes.Contains(b, []byte(s.apl)) {
			t.Errorf("the applicant-erased delivery does not name the applicant: %s", b)
		}
		found(t, "the applicant-erased webhook body", b, p.needles())
	}
}

// echoReceiver is an integrator's webhook endpoint that answers 200 with the body it got, as some
// do.
type echoReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newEchoReceiver(t *testing.T) *echoReceiver {
	r := &echoReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
		_, _ = w.Write(b)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// got reports whether a body held v.
func (r *echoReceiver) got(v string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		if bytes.Contains(b, []byte(v)) {
			return true
		}
	}
	return false
}

// ofType returns the bodies of the events of type typ.
func (r *echoReceiver) ofType(typ string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, b := range r.bodies {
		var ev struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(b, &ev) == nil && ev.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// lockedBuffer is a log destination that many goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// withJPEGComment returns the JPEG jpg with a comment segment (COM) holding comment right after
// its start marker: the same image, with bytes of its own.
func withJPEGComment(jpg []byte, comment string) []byte {
	n := len(comment) + 2
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xFE, byte(n>>8), byte(n))
	out = append(out, comment...)
	return append(out, jpg[2:]...)
}
