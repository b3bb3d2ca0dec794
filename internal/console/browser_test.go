package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"

	"kycd/internal/auth"
	"kycd/internal/console"
	"kycd/internal/export"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/report"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// axeVersion is the axe-core that scripts/test.sh installs into .bin/axe (STACK.md pins it).
const axeVersion = "4.14.1"

// The document image the browser test serves: 40x60 pixels, so a quarter turn shows.
const imageWidth, imageHeight = 40, 60

// pngEvidence serves every file as the same real PNG, so a browser can draw it.
type pngEvidence struct {
	storeEvidence
	png []byte
}

func (e pngEvidence) File(ctx context.Context, env kyc.Env, id string) (kyc.File, io.ReadCloser, error) {
	f, err := e.st.File(ctx, env, id)
	if err != nil {
		return f, nil, err
	}
	f.Size = int64(len(e.png))
	return f, io.NopCloser(bytes.NewReader(e.png)), nil
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, imageWidth, imageHeight))
	for y := range imageHeight {
		for x := range imageWidth {
			img.Set(x, y, color.RGBA{R: uint8(x * 6), G: uint8(y * 4), B: 128, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// browserEnv is newEnv's console (four eyes everywhere) with files a browser can draw.
func browserEnv(t *testing.T, st *store.Store) (*httptest.Server, *people.Service, *review.Service) {
	t.Helper()
	return browserEnvWith(t, st, browserOptions{})
}

// browserOptions change browserEnv's console.
type browserOptions struct {
	// Now is people's clock (sessions, second-factor codes); default time.Now.
	Now func() time.Time
	// PNG is the image every file is served as; default testPNG's.
	PNG []byte
}

// browserEnvWith is browserEnv with o.
func browserEnvWith(t *testing.T, st *store.Store, o browserOptions) (*httptest.Server, *people.Service, *review.Service) {
	t.Helper()
	if o.PNG == nil {
		o.PNG = testPNG(t)
	}
	ps, err := people.NewService(st, people.Config{IndexKey: []byte("k"), Argon2: people.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Now: o.Now})
	if err != nil {
		t.Fatal(err)
	}
	reviews := review.NewService(st, review.Config{FourEyes: map[string]bool{"*": true}})
	reviews.SetDecider(storeDecider{st})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[webhook.DeliveryArgs]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers, Events: store.EventSinks{webhook.Deliveries{}, reviews.Sink()}}); err != nil {
		t.Fatal(err)
	}
	ev := pngEvidence{storeEvidence: storeEvidence{st: st, reviews: reviews}, png: o.PNG}
	h, err := console.New(console.Deps{Log: slog.New(slog.DiscardHandler), People: ps, Reviews: reviews, Evidence: ev, Audit: st, Reports: report.New(st), Levels: builtinLevels(t), Policy: reviews, Webhooks: webhook.NewService(st, webhook.Config{}), APIKeys: auth.NewKeys(st),
		Exports: export.New(storeExportSource{st: st, reviews: reviews}, export.Config{}), CSRFKey: []byte("csrf")})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, ps, reviews
}

// chromiumPath finds chromium. Without it the test skips, unless KYCD_TEST_REQUIRE_SERVICES=1
// (make test), where it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal("chromium is required (apt-get install -y chromium); scripts/test.sh installs it")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); skipping the browser test")
	return ""
}

// axeSource reads axe-core from .bin/axe at the repository's root (scripts/test.sh installs it
// there) or from KYCD_TEST_AXE_JS. Without it the accessibility checks skip, unless
// KYCD_TEST_REQUIRE_SERVICES=1, where the test fails.
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("KYCD_TEST_AXE_JS")
	if p == "" {
		p = filepath.Join("..", "..", ".bin", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(p)
	if err == nil {
		return string(src)
	}
	if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("axe-core is required (%v); scripts/test.sh installs it", err)
	}
	return ""
}

// tab is one person's browser: its own cookies, its console messages, and the CSP violations its
// pages reported.
type tab struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
	// seen counts the messages clean has looked at.
	seen int
}

// cspWatch runs in every page before its own scripts and keeps the page's CSP violations.
const cspWatch = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`

// newBrowser starts headless Chromium with the hosted flow tests' flags, on a desktop viewport.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// openTab opens a tab in a browser context of its own (its own cookies) of the browser of parent.
func openTab(t *testing.T, parent context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1))); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatalf("watch CSP: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, m)
			tb.mu.Unlock()
		}
	}()
	return tb
}

// do runs steps with a time limit; on failure it says where the page was and what it showed.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	tctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		lctx, lcancel := context.WithTimeout(tb.ctx, 5*time.Second)
		defer lcancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		body, _ := chromedp.Run(lctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		tb.t.Fatalf("%s: %v\nat %s:\n%.2000s", what, err, loc, body)
	}
}

// eval evaluates expr in the page, awaiting a promise.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	tctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %.200s: %v", expr, err)
	}
	return v
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	tctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// clean fails the test on a CSP violation of the page shown, or a console error or exception of
// a page of the tab since the last call.
func (tb *tab) clean(where string) {
	tb.t.Helper()
	if v := eval[[]string](tb, `Array.isArray(window.__csp) ? window.__csp : ["no CSP watch on the page"]`); len(v) > 0 {
		tb.t.Errorf("%s: CSP violations: %v", where, v)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.msgs[tb.seen:] {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			tb.t.Errorf("%s: console error: %s", where, m.String())
		}
	}
	tb.seen = len(tb.msgs)
}

// signIn types the email and password into the sign-in form and sends it.
func (tb *tab) signIn(base, email string) {
	tb.t.Helper()
	tb.do("open the console", chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	if loc := eval[string](tb, `location.pathname`); loc != "/console/login" {
		tb.t.Fatalf("the console without a session shows %s, not the sign-in page", loc)
	}
	tb.clean("sign-in page")
	tb.do("sign in as "+email, chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/console/login"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("span.who")))
	if who := tb.text("span.who"); !strings.HasPrefix(who, email) {
		tb.t.Fatalf("signed in as %q, want %s", who, email)
	}
}

// axe runs axe-core on the page shown, as a subtest, and fails on serious and critical
// violations; without axe-core installed (and KYCD_TEST_REQUIRE_SERVICES unset) the subtest skips.
func (tb *tab) axe(src, where string) {
	tb.t.Helper()
	tb.t.Run("axe on the "+where, func(t *testing.T) {
		if src == "" {
			t.Skipf("axe-core %s not installed (scripts/test.sh installs it into .bin/axe); accessibility not checked", axeVersion)
		}
		sub := &tab{t: t, ctx: tb.ctx}
		if v := eval[string](sub, src+";\naxe.version"); v != axeVersion {
			t.Fatalf("axe-core %s, want %s", v, axeVersion)
		}
		type violation struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []any }
		}
		raw := eval[string](sub, `axe.run(document, {resultTypes: ["violations"]}).then((r) => JSON.stringify(r.violations))`)
		var vs []violation
		if err := json.Unmarshal([]byte(raw), &vs); err != nil {
			t.Fatalf("axe's answer: %v: %s", err, raw)
		}
		for _, v := range vs {
			var on []any
			for _, n := range v.Nodes {
				on = append(on, n.Target...)
			}
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("axe %s (%s): %s, on %v", v.ID, v.Impact, v.Help, on)
			} else {
				t.Logf("axe %s (%s): %s, on %v", v.ID, v.Impact, v.Help, on)
			}
		}
	})
}

// TestReviewInChromium walks a reviewer and an approver through the console in headless Chromium:
// the reviewer signs in through the form, finds the case of a document in review in the queue and
// opens it; the document image is drawn (served by the authenticated route), zooms and rotates;
// the reviewer rejects it with a type and a message, which four eyes make a proposal; an approver,
// in a browser context of their own, approves it, and the document ends rejected. No page logs a
// console error or a CSP violation, and axe-core finds nothing serious on the queue and the case
// page.
func TestReviewInChromium(t *testing.T) {
	st := storetest.New(t, store.SQLite)
	srv, ps, reviews := browserEnv(t, st)
	ctx := t.Context()
	for _, p := range []struct {
		email string
		role  people.Role
	}{{"rita@example.com", people.Reviewer}, {"amy@example.com", people.Approver}} {
		if _, err := ps.CreateUser(ctx, "cli:test", p.email, p.role, password); err != nil {
			t.Fatal(err)
		}
	}
	doc := inReview(t, st, kyc.EnvLive)
	axeJS := axeSource(t)
	b := newBrowser(t)

	// The reviewer signs in and finds the case in the queue.
	rita := openTab(t, b)
	rita.signIn(srv.URL, "rita@example.com")
	rita.do("the queue", chromedp.WaitVisible(chromedp.CSS("table.queue")))
	if q := rita.text("table.queue"); !strings.Contains(q, doc.ID) {
		t.Fatalf("the queue does not show the document %s: %s", doc.ID, q)
	}
	caseID := eval[string](rita, `document.querySelector("table.queue tbody tr code").textContent`)
	if !strings.HasPrefix(caseID, "rvc_") {
		t.Fatalf("case id on the queue: %q", caseID)
	}
	rita.clean("queue")
	rita.axe(axeJS, "queue")

	// The case page, from the queue's link: the image is drawn, zooms and rotates.
	casePath := "/console/cases/live/" + caseID
	rita.do("open the case", chromedp.Click(chromedp.CSS(`table.queue a[href="`+casePath+`"]`)), chromedp.WaitVisible(chromedp.CSS("figure.zoomable img")))
	if loc := eval[string](rita, `location.pathname`); loc != casePath {
		t.Fatalf("the queue's link opened %s, want %s", loc, casePath)
	}
	loaded := chromedp.Poll[bool](`(() => { const i = document.querySelector("figure.zoomable img"); return i.complete && i.naturalWidth > 0; })()`,
		chromedp.WithPollingTimeout(10*time.Second))
	rita.do("the image loads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { _, err := loaded(ctx, tg); return err }))
	if w, h := eval[int](rita, `document.querySelector("figure.zoomable img").naturalWidth`), eval[int](rita, `document.querySelector("figure.zoomable img").naturalHeight`); w != imageWidth || h != imageHeight {
		t.Fatalf("the image is %dx%d, want %dx%d", w, h, imageWidth, imageHeight)
	}
	// The image's route is never cached, and without the session cookie it sends to the sign-in page.
	if v := eval[[]string](rita, `(async () => {
		const src = document.querySelector("figure.zoomable img").src;
		const signed = await fetch(src), anon = await fetch(src, {credentials: "omit"});
		return [String(signed.status), signed.headers.get("cache-control"), new URL(anon.url).pathname];
	})()`); v[0] != "200" || v[1] != "no-store" || v[2] != "/console/login" {
		t.Errorf("the image's route: status %s, Cache-Control %q, without the cookie ends at %s", v[0], v[1], v[2])
	}
	// transform reads the image's inline transform and, once its transition has ended (or after 5
	// s), its computed one, each number rounded to three decimals.
	transform := func(want string) (string, string) {
		t.Helper()
		var v []string
		for range 100 {
			v = eval[[]string](rita, `(() => {
				const i = document.querySelector("figure.zoomable img"), c = getComputedStyle(i).transform;
				const m = c.match(/^matrix\((.*)\)$/);
				return [i.style.transform, m ? "matrix(" + m[1].split(",").map((x) => Math.round(Number(x) * 1000) / 1000 || 0).join(", ") + ")" : c];
			})()`)
			if v[1] == want {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		return v[0], v[1]
	}
	if inline, computed := transform("none"); inline != "" || computed != "none" {
		t.Fatalf("the image is transformed before any click: %q, %q", inline, computed)
	}
	for _, step := range []struct {
		button, inline, computed string
	}{
		{"zoom-in", "scale(1.5) rotate(0deg)", "matrix(1.5, 0, 0, 1.5, 0, 0)"},
		{"rotate", "scale(1.5) rotate(90deg)", "matrix(0, 1.5, -1.5, 0, 0, 0)"},
		{"zoom-out", "scale(1) rotate(90deg)", "matrix(0, 1, -1, 0, 0, 0)"},
		{"rotate", "scale(1) rotate(180deg)", "matrix(-1, 0, 0, -1, 0, 0)"},
	} {
		rita.do("click "+step.button, chromedp.Click(chromedp.CSS(`figure.zoomable button[data-act="`+step.button+`"]`)))
		if inline, computed := transform(step.computed); inline != step.inline || computed != step.computed {
			t.Errorf("after %s the image's transform is %q (computed %q), want %q (%q)", step.button, inline, computed, step.inline, step.computed)
		}
	}
	rita.clean("case page")
	rita.axe(axeJS, "case page")

	// The applicant page, from the case page's link, and back.
	rita.do("open the applicant page", chromedp.Click(chromedp.CSS(`a[href="/console/applicants/live/`+doc.ApplicantID+`"]`)), chromedp.WaitVisible(chromedp.CSS("figure.zoomable img")))
	if p := rita.text("main"); !strings.Contains(p, doc.ID) || !strings.Contains(p, caseID) {
		t.Fatalf("the applicant page lacks the document or its open case: %q", p)
	}
	rita.clean("applicant page")
	rita.axe(axeJS, "applicant page")
	rita.do("back to the case", chromedp.Click(chromedp.CSS(`a[href="`+casePath+`"]`)), chromedp.WaitVisible(chromedp.CSS("figure.zoomable img")))

	// The reviewer rejects the document; four eyes make it a proposal.
	rita.do("reject", chromedp.SetValue(chromedp.CSS("#rtype"), "document-unreadable"),
		chromedp.SendKeys(chromedp.CSS("#msg"), "The photo is blurred; please take it again in good light."),
		chromedp.SendKeys(chromedp.CSS("#note-r"), "Glare over the portrait."),
		chromedp.Click(chromedp.CSS(`button[name=action][value=reject]`)), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if n := rita.text("p.notice"); !strings.Contains(n, "Proposed") {
		t.Fatalf("after the rejection the page says %q", n)
	}
	if p := rita.text("section.decide"); !strings.Contains(p, "reject (document-unreadable)") || !strings.Contains(p, "It waits for a person with the approver role") {
		t.Fatalf("the proposal on the case page: %q", p)
	}
	if d, err := st.Document(ctx, kyc.EnvLive, doc.ID); err != nil || d.Status != "pending-review" {
		t.Fatalf("a proposal decided the document: %v %v", d.Status, err)
	}
	rita.clean("proposal")

	// The approver, in a browser of their own, approves it.
	amy := openTab(t, b)
	amy.signIn(srv.URL, "amy@example.com")
	amy.do("open the case", chromedp.Navigate(srv.URL+casePath), chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=approve]`)))
	if p := amy.text("section.decide"); !strings.Contains(p, "Proposed by rita@example.com") {
		t.Fatalf("the approver's case page: %q", p)
	}
	amy.do("approve", chromedp.Click(chromedp.CSS(`button[name=action][value=approve]`)), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if n := amy.text("p.notice"); n != "Approved and carried out." {
		t.Fatalf("after approving the page says %q", n)
	}
	amy.clean("approval")

	d, err := st.Document(ctx, kyc.EnvLive, doc.ID)
	if err != nil || d.Status != "rejected" || d.Review == nil || !strings.Contains(d.Review.Notes, "Glare over the portrait.") {
		t.Fatalf("the document after approval: %+v %v", d, err)
	}
	if c, err := reviews.Case(ctx, kyc.EnvLive, caseID); err != nil || c.Open {
		t.Fatalf("the case after approval: open %v, %v", c.Open, err)
	}
	rita.clean("the end")
	amy.clean("the end")
}
