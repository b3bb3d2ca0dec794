package web_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kycd/internal/face/facetest"
	"kycd/internal/face/liveness"
	"kycd/internal/face/liveness/livenesstest"
	"kycd/internal/store"
)

// livenessRequest makes an applicant and a KYC request for an identity document with
// faceLivenessRequired, and returns the request with its gatherer link.
func (e *env) livenessRequest() (id, link string) {
	e.t.Helper()
	apl := e.call("POST", "/v1/applicants", map[string]any{"profile": map[string]any{"countryOfResidence": "US"}})
	req := e.call("POST", "/v1/kyc-requests", map[string]any{"applicantId": apl["id"], "redirectUrl": e.URL + "/landing?from=kyc",
		"expirationTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano),
		"documents":      []any{map[string]any{"type": "identity-proof", "subtypes": []string{"passport"}, "faceLivenessRequired": true}}})
	for _, l := range req["_links"].([]any) {
		if m := l.(map[string]any); m["rel"] == "gatherer" {
			link = m["href"].(string)
		}
	}
	return req["id"].(string), link
}

// filmChallenge writes to path (through a rename, so the camera never reads half a file) a video
// of the astronaut's mirror image making moves, timed to the page's schedule: frame i of the
// challenge is taken firstMS + i*holdMS after the camera starts, and the video holds pose i from
// half a hold before that moment to half a hold after it (so the camera may start up to a second
// early or late), the last pose for half a minute more.
func filmChallenge(t *testing.T, path string, moves []liveness.Move, firstMS, holdMS int) {
	t.Helper()
	const fps = 10
	frames := livenesstest.Frames(facetest.Mirror(facetest.Face("astronaut")), moves, 640, 480)
	var repeat []int
	shown := 0
	for i := range frames {
		until := firstMS + i*holdMS + holdMS/2
		if i == len(frames)-1 {
			until += 30_000
		}
		n := until*fps/1000 - shown
		repeat, shown = append(repeat, n), shown+n
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		t.Fatal(err)
	}
	if err := livenesstest.WriteY4M(f, fps, frames, repeat); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// TestLivenessInChromium drives the liveness challenge in headless Chromium whose fake front camera
// plays a video made in the test: the astronaut's face (a flat image) moved and scaled as the
// page asks. The test reads the moves and the page's timing from the page, as the page's script
// does, and films them before starting the camera. Filmed as asked, the challenge passes, the
// identity document is sent with the first frame as its selfie, and verification reports
// parsedData.liveness passed. Filmed still, or with the first two moves swapped, it fails with its
// reason and a fresh challenge, and no document is sent.
func TestLivenessInChromium(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	for _, tc := range []struct {
		name string
		film func(asked []liveness.Move) []liveness.Move
		pass bool
	}{
		{"as asked", func(m []liveness.Move) []liveness.Move { return m }, true},
		{"still", func([]liveness.Move) []liveness.Move { return nil }, false},
		{"wrong order", func(m []liveness.Move) []liveness.Move {
			w := slices.Clone(m)
			w[0], w[1] = w[1], w[0]
			return w
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			video := filepath.Join(t.TempDir(), "camera.y4m")
			filmChallenge(t, video, nil, 1000, 1000) // the camera's file must exist when Chromium starts
			ctx, console := browser(t, chromedp.Flag("use-file-for-fake-video-capture", video))
			shot := shots{t: t, ctx: ctx, dir: t.ArtifactDir()}
			reqID, link := e.livenessRequest()

			do(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#f-first_name")))
			fillIdentity(t, ctx, "P1234567")
			// The passport's own expiry, so the document's other checks pass and the decision shows the faces'.
			do(t, ctx, "expiry as on the passport", chromedp.SetValue(chromedp.CSS("#f-expiry_date"), "2031-12-31"))
			do(t, ctx, "submit screen 1", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#liveness-start")))
			if h := text(t, ctx, "h1"); h != "Selfie with a liveness check" {
				t.Fatalf("title: %q", h)
			}
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("input[type=file]:not([hidden])").length`)); err != nil || n != 0 {
				t.Fatalf("a file can be chosen instead of the camera: %d %v", n, err)
			}
			asked, firstMS, holdMS := challengeOf(t, ctx)
			filmChallenge(t, video, tc.film(asked), firstMS, holdMS)

			do(t, ctx, "start the camera", chromedp.Click(chromedp.CSS("#liveness-start")), chromedp.WaitVisible(chromedp.CSS("#liveness-prompt[data-step]")))
			// Mid-way through the first move.
			time.Sleep(time.Duration(firstMS+holdMS/2) * time.Millisecond)
			if tc.pass {
				shot.take("liveness-challenge")
			}
			if !tc.pass {
				do(t, ctx, "the challenge fails", chromedp.WaitVisible(chromedp.CSS("p.alert")), chromedp.WaitVisible(chromedp.CSS("#liveness-start")))
				if msg := text(t, ctx, "p.alert"); msg != "We could not see you make the moves asked, in order. Try again: follow each prompt as it appears." {
					t.Fatalf("failure message: %q", msg)
				}
				if a := text(t, ctx, "#liveness-attempts"); a != "Attempts left: 2" {
					t.Fatalf("attempts: %q", a)
				}
				if again, _, _ := challengeOf(t, ctx); len(again) < liveness.MinMoves {
					t.Fatalf("no fresh challenge: %v", again)
				}
				if tc.name == "still" {
					shot.take("liveness-failed")
				}
				apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
				if docs := e.call("GET", "/v1/kyc-documents?applicantId="+apl, nil)["items"].([]any); len(docs) != 0 {
					t.Fatalf("a failed challenge sent a document: %v", docs)
				}
			} else {
				do(t, ctx, "the challenge passes", chromedp.WaitVisible(chromedp.CSS("ul.docs")))
				doc := settledIdentity(t, e, reqID)
				parsed, _ := doc["parsedData"].(map[string]any)
				live, _ := parsed["liveness"].(map[string]any)
				if live["passed"] != true || live["frames"] != float64(len(asked)+1) {
					t.Fatalf("parsedData.liveness: %v\n%v", live, doc["checkList"])
				}
				for _, c := range doc["checkList"].([]any) {
					if m := c.(map[string]any); m["name"] == "liveness" && m["failed"] == true {
						t.Fatalf("check liveness failed: %v", doc["checkList"])
					}
				}
				// Here the face also matches the passport's portrait and every other check passes; liveness
				// alone would not accept it (face-match compares the selfie with the portrait).
				if doc["status"] != "accepted" {
					t.Errorf("decision %v: %v", doc["status"], doc["checkList"])
				}
				if len(doc["fileIds"].([]any)) != 2 {
					t.Fatalf("files: %v", doc["fileIds"])
				}
				var failed []string
				for _, c := range doc["checkList"].([]any) {
					if m := c.(map[string]any); m["failed"] == true {
						failed = append(failed, m["name"].(string))
					}
				}
				t.Logf("decision %v (failed checks %v), liveness %v", doc["status"], failed, live["checks"])
				do(t, ctx, "the status page shows it", chromedp.WaitVisible(chromedp.CSS("li.state-accepted")))
				shot.take("liveness-passed")
			}
			if errs := console.errors(); len(errs) > 0 {
				t.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// challengeOf reads the challenge the page shows: its moves and timing.
func challengeOf(t *testing.T, ctx context.Context) ([]liveness.Move, int, int) {
	t.Helper()
	attrs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function () { var s = document.getElementById("liveness");
		return [s.getAttribute("data-moves"), s.getAttribute("data-first-ms"), s.getAttribute("data-hold-ms")]; })()`))
	if err != nil || len(attrs) != 3 {
		t.Fatalf("challenge of the page: %v %v", attrs, err)
	}
	moves, err := liveness.ParseMoves(attrs[0])
	if err != nil {
		t.Fatal(err)
	}
	first, err1 := strconv.Atoi(attrs[1])
	hold, err2 := strconv.Atoi(attrs[2])
	if err1 != nil || err2 != nil {
		t.Fatalf("timing %q %q", attrs[1], attrs[2])
	}
	return moves, first, hold
}

// settledIdentity waits for the request's identity document to be decided and returns it.
func settledIdentity(t *testing.T, e *env, reqID string) map[string]any {
	t.Helper()
	apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, d := range e.call("GET", "/v1/kyc-documents?applicantId="+apl, nil)["items"].([]any) {
			doc := d.(map[string]any)
			if doc["type"] == "identity-proof" && doc["status"] != "pending" && doc["status"] != "in-progress" {
				return doc
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the identity document was not decided")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
