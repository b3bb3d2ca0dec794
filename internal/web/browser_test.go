package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kycd/internal/mrz/mrztest"
	"kycd/internal/store/storetest"
)

// browser starts headless Chromium with the flags of STACK.md plus a fake camera that needs no
// permission prompt (and extra options, such as the file the fake camera films), and returns a context whose actions run in one tab on a 390x844 phone
// viewport, and the console messages of that tab.
func browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) (context.Context, *consoleLog) {
	t.Helper()
	path := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844),
	}
	opts = append(opts, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	log := &consoleLog{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			log.add(m)
		}
	}()
	return ctx, log
}

// consoleLog keeps the console messages of a tab.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func (c *consoleLog) add(m chromedp.ConsoleMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
}

// errors lists the console errors and exceptions, except the network errors of pages that answer
// with an error status on purpose (the field-error and error pages): those are the page's own
// status, not a failure of the page.
func (c *consoleLog) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.Type != chromedp.ConsoleError && !m.IsException() {
			continue
		}
		if m.Source == "network" && strings.Contains(m.URL, "/gather/") && !strings.Contains(m.URL, "/files/") && !strings.Contains(m.URL, "/gather-assets/") {
			continue
		}
		out = append(out, m.String())
	}
	return out
}

// shots saves screenshots under the test's artifact folder; with KYCD_UPDATE_SCREENSHOTS=1 the
// ones the README shows are copied to docs/screenshots.
type shots struct {
	t   *testing.T
	ctx context.Context
	dir string
}

// readme are the screenshots the README shows.
var readme = map[string]bool{"1-identity": true, "1-identity-photo": true, "2-selfie": true, "3-address": true, "4-status": true, "4-status-rejected": true,
	"1-identity-camera": true, "1-identity-prefilled": true, "identity-errors-es": true, "identity-zh": true, "error-expired": true, "error-tampered": true,
	"liveness-challenge": true, "liveness-failed": true, "liveness-passed": true}

func (s shots) take(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if os.Getenv("KYCD_UPDATE_SCREENSHOTS") == "1" && readme[name] && (s.t.Name() == "TestHostedFlowInChromium/sqlite" || s.t.Name() == "TestHostedFlowRejectedDocument" ||
		s.t.Name() == "TestHostedFlowDocumentCapture" || strings.HasPrefix(s.t.Name(), "TestLivenessInChromium/")) {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// do runs steps with a time limit; on failure it logs where the page was and what it showed.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		defer lcancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		body, _ := chromedp.Run(lctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v\nat %s:\n%.2000s", what, err, loc, body)
	}
}

func abs(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHostedFlowInChromium drives the hosted flow in headless Chromium on a phone-sized viewport,
// on SQLite and PostgreSQL: it switches language and sees field errors in Spanish, fills the three
// screens (the selfie with the camera, through preview and retake), finds the documents stored and
// the request fulfilled (test mode: TEST-ACCEPT), follows the status page back to the integrator with
// ?info=success, and opens an expired and a tampered link. Every page is screenshotted and no page
// may log a console error.
func TestHostedFlowInChromium(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			ctx, console := browser(t)
			dir := t.ArtifactDir()
			t.Logf("screenshots in %s", dir)
			shot := shots{t: t, ctx: ctx, dir: dir}
			reqID, link := e.request(time.Hour)

			// Screen 1, first in English; then Spanish, where an empty form shows errors next to the fields.
			do(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#f-first_name")))
			if h := text(t, ctx, "h1"); h != "Personal details and identity document" {
				t.Fatalf("English title: %q", h)
			}
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "token=") {
				t.Fatalf("the token stays in the address bar: %s", loc)
			}
			if p := text(t, ctx, "#progress"); p != "Step 1 of 3" {
				t.Fatalf("progress: %q", p)
			}
			do(t, ctx, "switch to Spanish", chromedp.Click(chromedp.CSS(`a[hreflang="es"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="es"]`)))
			if h := text(t, ctx, "h1"); h != "Datos personales y documento de identidad" {
				t.Fatalf("Spanish title: %q", h)
			}
			do(t, ctx, "submit empty", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#e-first_name")))
			if msg := text(t, ctx, "#e-first_name"); msg != "Este campo es obligatorio." {
				t.Fatalf("Spanish field error: %q", msg)
			}
			if msg := text(t, ctx, "#e-front"); msg != "Añade una foto o un archivo." {
				t.Fatalf("Spanish file error: %q", msg)
			}
			shot.take("identity-errors-es")
			do(t, ctx, "switch to Chinese", chromedp.Click(chromedp.CSS(`a[hreflang="zh"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh"]`)))
			if h := text(t, ctx, "h1"); h != "个人信息和身份证件" {
				t.Fatalf("Chinese title: %q", h)
			}
			shot.take("identity-zh")
			do(t, ctx, "back to English", chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))

			fillIdentity(t, ctx, "TEST-ACCEPT")
			shot.take("1-identity")
			do(t, ctx, "scroll to the photo", chromedp.ScrollIntoView(chromedp.CSS("#p-front")))
			shot.take("1-identity-photo")
			do(t, ctx, "submit screen 1", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#camera-start")))

			// Screen 2: the camera, a photo, a retake, another photo.
			if p := text(t, ctx, "#progress"); p != "Step 2 of 3" {
				t.Fatalf("progress: %q", p)
			}
			do(t, ctx, "start the camera", chromedp.Click(chromedp.CSS("#camera-start")), chromedp.WaitVisible(chromedp.CSS("#camera-take")))
			time.Sleep(300 * time.Millisecond) // let the fake camera draw a few frames
			shot.take("2-selfie-camera")
			do(t, ctx, "take a photo", chromedp.Click(chromedp.CSS("#camera-take")), chromedp.WaitVisible(chromedp.CSS("#camera-retake")))
			shot.take("2-selfie")
			do(t, ctx, "retake", chromedp.Click(chromedp.CSS("#camera-retake")), chromedp.WaitVisible(chromedp.CSS("#camera-take")),
				chromedp.Click(chromedp.CSS("#camera-take")), chromedp.WaitVisible(chromedp.CSS("#camera-retake")))
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("f-selfie").files.length`))
			if err != nil || n != 1 {
				t.Fatalf("the captured photo is not in the form: %d %v", n, err)
			}
			do(t, ctx, "submit screen 2", chromedp.Click(chromedp.CSS("#selfie-submit")), chromedp.WaitVisible(chromedp.CSS("#f-line1")))

			// Screen 3: the address and its proof.
			if p := text(t, ctx, "#progress"); p != "Step 3 of 3" {
				t.Fatalf("progress: %q", p)
			}
			fillAddress(t, ctx, "TEST-ACCEPT")
			shot.take("3-address")
			do(t, ctx, "submit screen 3", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("ul.docs")))

			// The documents are stored through the same services as /v1, and the checks move the request on.
			apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
			docs := e.call("GET", "/v1/kyc-documents?applicantId="+apl, nil)["items"].([]any)
			if len(docs) != 2 {
				t.Fatalf("want 2 documents, got %d", len(docs))
			}
			for _, d := range docs {
				m := d.(map[string]any)
				want := 1
				if m["type"] == "identity-proof" {
					want = 2 // the front and the selfie
				}
				if m["requestId"] != reqID || len(m["fileIds"].([]any)) != want {
					t.Fatalf("document: %v", m)
				}
			}
			do(t, ctx, "wait for the decisions", chromedp.WaitVisible(chromedp.CSS("#return")),
				chromedp.WaitVisible(chromedp.CSS("li.state-accepted + li.state-accepted")))
			if s := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["status"]; s != "fulfilled" {
				t.Fatalf("request status %v", s)
			}
			if h := text(t, ctx, ".headline"); h != "You are verified." {
				t.Fatalf("status headline: %q", h)
			}
			shot.take("4-status")
			do(t, ctx, "return to the site", chromedp.Click(chromedp.CSS("#return")), chromedp.WaitVisible(chromedp.CSS("p")))
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/landing?") || !strings.Contains(loc, "info=success") {
				t.Fatalf("redirect: %s", loc)
			}

			// A tampered link and an expired one get clear pages.
			bad := link[:len(link)-3] + "AAA"
			if strings.HasSuffix(link, "AAA") {
				bad = link[:len(link)-3] + "BBB"
			}
			do(t, ctx, "tampered link", chromedp.Navigate(bad), chromedp.WaitVisible(chromedp.CSS("h1")))
			if h := text(t, ctx, "h1"); h != "This link is not valid" {
				t.Fatalf("tampered link: %q", h)
			}
			shot.take("error-tampered")
			_, short := e.request(1500 * time.Millisecond)
			time.Sleep(2 * time.Second)
			do(t, ctx, "expired link", chromedp.Navigate(short), chromedp.WaitVisible(chromedp.CSS("h1")))
			if h := text(t, ctx, "h1"); h != "This link has expired" {
				t.Fatalf("expired link: %q", h)
			}
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("return").href`))
			if err != nil || !strings.Contains(href, "info=token_expired") {
				t.Fatalf("expired page's way back: %q %v", href, err)
			}
			shot.take("error-expired")

			if errs := console.errors(); len(errs) > 0 {
				t.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// fillIdentity fills the first screen for Eileen Collins's passport with number and chooses a
// photo of her passport page (collins) as the front: the page reads it at once, and since every
// field is already typed, none is prefilled (what the end user typed is theirs).
func fillIdentity(t *testing.T, ctx context.Context, number string) {
	t.Helper()
	photo := filepath.Join(t.TempDir(), "passport.jpg")
	if err := os.WriteFile(photo, jpegOf(t, passportPhoto(t, mrztest.TD3(collins))), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "fill screen 1",
		chromedp.SetValue(chromedp.CSS("#f-first_name"), "Eileen"),
		chromedp.SetValue(chromedp.CSS("#f-last_name"), "Collins"),
		chromedp.SetValue(chromedp.CSS("#f-date_of_birth"), "1956-11-19"),
		chromedp.SetValue(chromedp.CSS("#f-nationality"), "US"),
		chromedp.SetValue(chromedp.CSS("#f-doc_type"), "passport"),
		chromedp.SetValue(chromedp.CSS("#f-doc_number"), number),
		chromedp.SetValue(chromedp.CSS("#f-issue_date"), "2020-01-15"),
		chromedp.SetValue(chromedp.CSS("#f-expiry_date"), time.Now().AddDate(5, 0, 0).Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#f-issuing_country"), "US"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-front"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS("#p-front")),
		// The chosen photo is read at once; its answer moves the submit button, so wait for it.
		chromedp.WaitVisible(chromedp.CSS("#front-status.ok")),
	)
}

// fillAddress fills the third screen with a Houston address and a bill with reference ref.
func fillAddress(t *testing.T, ctx context.Context, ref string) {
	t.Helper()
	do(t, ctx, "fill screen 3",
		chromedp.SetValue(chromedp.CSS("#f-line1"), "2101 NASA Parkway"),
		chromedp.SetValue(chromedp.CSS("#f-city"), "Houston"),
		chromedp.SetValue(chromedp.CSS("#f-state"), "TX"),
		chromedp.SetValue(chromedp.CSS("#f-postal_code"), "77058"),
		chromedp.SetValue(chromedp.CSS("#f-proof_type"), "utility-bill"),
		chromedp.SetValue(chromedp.CSS("#f-proof_issue_date"), time.Now().AddDate(0, 0, -10).Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#f-proof_reference"), ref),
		chromedp.SetUploadFiles(chromedp.CSS("#f-proof_file"), []string{abs(t, "text.png")}),
		chromedp.WaitVisible(chromedp.CSS("#p-proof_file")),
	)
}

// selfie takes a photo with the fake camera and sends it.
func selfie(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "selfie", chromedp.Click(chromedp.CSS("#camera-start")), chromedp.WaitVisible(chromedp.CSS("#camera-take")),
		chromedp.Click(chromedp.CSS("#camera-take")), chromedp.WaitVisible(chromedp.CSS("#camera-retake")),
		chromedp.Click(chromedp.CSS("#selfie-submit")))
}

// TestHostedFlowRejectedDocument: a rejected identity document with attempts left shows why and
// offers to upload it again; the second attempt completes the request.
func TestHostedFlowRejectedDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	ctx, console := browser(t)
	shot := shots{t: t, ctx: ctx, dir: t.ArtifactDir()}
	reqID, link := e.request(time.Hour)
	// At 360 px, the narrowest phone the flow supports, nothing scrolls sideways.
	do(t, ctx, "open the link at 360 px", chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(1)), chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#f-first_name")))
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 360 {
		t.Fatalf("the page is %d px wide at 360 px (%v)", w, err)
	}
	do(t, ctx, "back to 390 px", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	fillIdentity(t, ctx, "TEST-REJECT-document-unreadable")
	do(t, ctx, "submit screen 1", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#camera-start")))
	selfie(t, ctx)
	do(t, ctx, "screen 3", chromedp.WaitVisible(chromedp.CSS("#f-line1")))
	fillAddress(t, ctx, "TEST-ACCEPT")
	do(t, ctx, "submit screen 3", chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("li.state-rejected a.button")), chromedp.WaitVisible(chromedp.CSS("li.state-accepted")))
	if r := text(t, ctx, "li.state-rejected .reason"); r != "The document could not be read. Take a sharper photo in good light." {
		t.Fatalf("reason: %q", r)
	}
	if !strings.Contains(text(t, ctx, "li.state-rejected"), "Attempts left: 2") {
		t.Fatalf("attempts: %q", text(t, ctx, "li.state-rejected"))
	}
	shot.take("4-status-rejected")
	if s := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["status"]; s != "partial" {
		t.Fatalf("request after a rejection and an acceptance: %v", s)
	}
	do(t, ctx, "upload again", chromedp.Click(chromedp.CSS("li.state-rejected a.button")), chromedp.WaitVisible(chromedp.CSS("#f-doc_number")))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-doc_type"))); v != "passport" {
		t.Fatalf("the second attempt is not prefilled: %q", v)
	}
	fillIdentity(t, ctx, "TEST-ACCEPT")
	do(t, ctx, "submit screen 1 again", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#camera-start")))
	selfie(t, ctx)
	do(t, ctx, "fulfilled", chromedp.WaitVisible(chromedp.CSS("li.state-accepted + li.state-accepted")))
	if s := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["status"]; s != "fulfilled" {
		t.Fatalf("request after the second attempt: %v", s)
	}
	if errs := console.errors(); len(errs) > 0 {
		t.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
