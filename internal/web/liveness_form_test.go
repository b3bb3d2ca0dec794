package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kycd/internal/face/facetest"
	"kycd/internal/face/liveness"
	"kycd/internal/face/liveness/livenesstest"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/store"
)

// postFiles posts a multipart form of fields and files (by field name) to url.
func postFiles(t *testing.T, c *http.Client, url string, fields map[string]string, files map[string][]byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for k, data := range files {
		w, _ := mw.CreateFormFile(k, k+".jpg")
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	res, err := c.Post(url, mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var (
	nonceField = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
	movesAttr  = regexp.MustCompile(`data-moves="([^"]+)"`)
)

// livenessClient opens a liveness request's link and sends its identity screen; it returns the
// client, the flow's base URL and the CSRF token.
func livenessClient(t *testing.T, e *env, reqID, link string) (*http.Client, string, string) {
	t.Helper()
	c := client(t)
	base := e.URL + "/gather/" + reqID
	res, body := get(t, c, link)
	m := csrfField.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("first visit: %d", res.StatusCode)
	}
	res, _ = postFiles(t, c, base+"/identity", map[string]string{"csrf": m[1], "first_name": "Eileen", "last_name": "Collins",
		"date_of_birth": "1956-11-19", "nationality": "US", "doc_type": "passport", "doc_number": "P1234567", "issue_date": "2020-01-15",
		"expiry_date": "2031-12-31", "issuing_country": "US"}, map[string][]byte{"front": jpegOf(t, passportPhoto(t, mrztest.TD3(collins)))})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity: %d", res.StatusCode)
	}
	return c, base, m[1]
}

// pageChallenge reads the challenge the liveness page shows.
func pageChallenge(t *testing.T, c *http.Client, base string) (string, []liveness.Move) {
	t.Helper()
	_, body := get(t, c, base)
	n, mv := nonceField.FindStringSubmatch(body), movesAttr.FindStringSubmatch(body)
	if n == nil || mv == nil {
		t.Fatalf("no challenge in the page:\n%.1500s", body)
	}
	moves, err := liveness.ParseMoves(mv[1])
	if err != nil {
		t.Fatal(err)
	}
	return n[1], moves
}

// astronautFrames films the astronaut's mirror image making moves, as the form's frame fields.
func astronautFrames(t *testing.T, moves []liveness.Move) map[string][]byte {
	out := map[string][]byte{}
	for i, f := range livenesstest.Frames(facetest.Mirror(facetest.Face("astronaut")), moves, 640, 480) {
		out["frame"+strconv.Itoa(i)] = jpegOf(t, f)
	}
	return out
}

// stillFrames is the neutral frame sent for every step of moves.
func stillFrames(t *testing.T, moves []liveness.Move) map[string][]byte {
	still := astronautFrames(t, nil)
	for i := range moves {
		still["frame"+strconv.Itoa(i+1)] = still["frame0"]
	}
	return still
}

// TestLivenessForm checks the challenge's route without a browser: it needs the CSRF token; a
// nonce is answered once (frames sent again under a spent nonce are refused, even good ones); a
// failed challenge offers a fresh one; the plain selfie route takes no photo when liveness is
// required; good frames under the fresh nonce complete the identity document.
func TestLivenessForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	reqID, link := e.livenessRequest()
	c, base, csrf := livenessClient(t, e, reqID, link)
	challenge := func() (string, []liveness.Move) { return pageChallenge(t, c, base) }
	frames := func(moves []liveness.Move) map[string][]byte { return astronautFrames(t, moves) }
	nonce, moves := challenge()
	if again, _ := challenge(); again != nonce {
		t.Fatal("a reload issued another challenge while one is open")
	}

	// Without the CSRF token: refused, the nonce not spent.
	if res, _ := postFiles(t, c, base+"/liveness", map[string]string{"nonce": nonce}, frames(moves)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", res.StatusCode)
	}
	// The plain selfie route takes no photo when liveness is required.
	if res, _ := postFiles(t, c, base+"/selfie", map[string]string{"csrf": csrf}, map[string][]byte{"selfie": frames(nil)["frame0"]}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plain selfie: %d", res.StatusCode)
	}
	// Still frames fail and spend the nonce; a fresh challenge is offered.
	still := stillFrames(t, moves)
	res, body := postFiles(t, c, base+"/liveness", map[string]string{"csrf": csrf, "nonce": nonce}, still)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "We could not see you make the moves asked") {
		t.Fatalf("still frames: %d", res.StatusCode)
	}
	fresh := nonceField.FindStringSubmatch(body)
	if fresh == nil || fresh[1] == nonce {
		t.Fatal("no fresh challenge after a failure")
	}
	// Good frames under the spent nonce: refused.
	res, body = postFiles(t, c, base+"/liveness", map[string]string{"csrf": csrf, "nonce": nonce}, frames(moves))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This check has expired") {
		t.Fatalf("replayed nonce: %d", res.StatusCode)
	}
	apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
	if docs := e.call("GET", "/v1/kyc-documents?applicantId="+apl, nil)["items"].([]any); len(docs) != 0 {
		t.Fatalf("documents before a passed challenge: %v", docs)
	}
	// The fresh challenge, made as asked: the identity document goes with its first frame.
	nonce, moves = challenge()
	if nonce != fresh[1] {
		t.Fatal("the page shows another challenge than the fresh one")
	}
	if res, _ := postFiles(t, c, base+"/liveness", map[string]string{"csrf": csrf, "nonce": nonce}, frames(moves)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("good frames: %d", res.StatusCode)
	}
	doc := settledIdentity(t, e, reqID)
	if live, _ := doc["parsedData"].(map[string]any)["liveness"].(map[string]any); live["passed"] != true {
		t.Fatalf("liveness: %v", live)
	}
}

// TestLivenessAttemptsRunOut: after the last attempt fails too, its first frame goes as the selfie
// with the failed result, so the end user is not stuck and a person decides: the identity
// document waits for review with check liveness failed and why.
func TestLivenessAttemptsRunOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	reqID, link := e.livenessRequest()
	c, base, csrf := livenessClient(t, e, reqID, link)
	for i := range 3 {
		nonce, moves := pageChallenge(t, c, base)
		res, _ := postFiles(t, c, base+"/liveness", map[string]string{"csrf": csrf, "nonce": nonce}, stillFrames(t, moves))
		if want := []int{422, 422, 303}[i]; res.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	doc := settledIdentity(t, e, reqID)
	live, _ := doc["parsedData"].(map[string]any)["liveness"].(map[string]any)
	if doc["status"] != "pending-review" || live["passed"] != false {
		t.Fatalf("after the attempts ran out: %v, liveness %v", doc["status"], live)
	}
	for _, c := range doc["checkList"].([]any) {
		if m := c.(map[string]any); m["name"] == "liveness" && (m["failed"] != true || m["reason"] != "third-party-or-mismatch") {
			t.Fatalf("check liveness: %v", m)
		}
	}
}
