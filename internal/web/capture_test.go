package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	xdraw "golang.org/x/image/draw"

	"kycd/internal/face/liveness/livenesstest"
	"kycd/internal/mrz/mrztest"
	"kycd/internal/store"
)

// collins is the passport the capture tests photograph.
var collins = mrztest.Holder{IssuingState: "USA", Nationality: "USA", Surname: "COLLINS", GivenNames: "EILEEN<MARIE", Number: "P1234567",
	DateOfBirth: "561119", Sex: "F", Expiry: "311231"}

// collinsPrefill is what the identity screen should be prefilled with from collins's passport.
var collinsPrefill = map[string]string{"doc_type": "passport", "doc_number": "P1234567", "first_name": "Eileen Marie", "last_name": "Collins",
	"date_of_birth": "1956-11-19", "expiry_date": "2031-12-31", "nationality": "US", "issuing_country": "US"}

// passportPhoto is a 1280x960 photo of a passport page whose zone has lines, on a dark table, as a
// phone's rear camera gives it: the page fills most of the frame, with the astronaut's head as its
// portrait.
func passportPhoto(t *testing.T, lines []string) *image.RGBA {
	t.Helper()
	page := mrztest.Render(rand.New(rand.NewPCG(7, 12)), mrztest.Card{Format: mrztest.FormatOf("TD3"), Lines: lines, Width: 1100,
		Portrait: mrztest.Portrait(), Title: "UNITED STATES OF AMERICA"})
	photo := image.NewRGBA(image.Rect(0, 0, 1280, 960))
	xdraw.Draw(photo, photo.Rect, image.NewUniform(color.RGBA{38, 34, 30, 255}), image.Point{}, xdraw.Src)
	pb := page.Bounds()
	k := min(1.0, min(float64(photo.Rect.Dx())/float64(pb.Dx()), float64(photo.Rect.Dy())/float64(pb.Dy())))
	w, hgt := int(float64(pb.Dx())*k), int(float64(pb.Dy())*k)
	at := image.Rect((photo.Rect.Dx()-w)/2, (photo.Rect.Dy()-hgt)/2, (photo.Rect.Dx()+w)/2, (photo.Rect.Dy()+hgt)/2)
	xdraw.CatmullRom.Scale(photo, at, page, pb, xdraw.Src, nil)
	return photo
}

// blurred is img out of focus: shrunk twelve times and blown up again.
func blurred(img image.Image) *image.RGBA {
	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/12, b.Dy()/12))
	xdraw.ApproxBiLinear.Scale(small, small.Rect, img, b, xdraw.Src, nil)
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	xdraw.BiLinear.Scale(out, out.Rect, small, small.Rect, xdraw.Src, nil)
	return out
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeY4M writes img as a one-frame YUV4MPEG2 video (4:2:0, full-range BT.601), the format of
// Chromium's fake camera file.
func writeY4M(t *testing.T, path string, img *image.RGBA) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := livenesstest.WriteY4M(f, 30, []*image.RGBA{img}, []int{1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// reading posts body to the reading endpoint of reqID's flow as the page does.
func reading(t *testing.T, c *http.Client, url, csrf string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "image/jpeg")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("reading: %d %q is not JSON", res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// TestDocumentReading: the identity screen's reading endpoint reads a passport photo at once and
// answers the values to prefill; a blurred photo, a passport whose zone does not read, a photo too
// small, a file that is not an image and one over the upload limit are answered with a retake and
// its reason, in the page's language; without the session or the CSRF token it answers nothing;
// nothing is stored.
func TestDocumentReading(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	reqID, link := e.request(time.Hour)
	c := client(t)
	res, body := get(t, c, link)
	m := csrfField.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("first visit: %d", res.StatusCode)
	}
	csrf, url := m[1], e.URL+"/gather/"+reqID+"/reading"
	photo := passportPhoto(t, mrztest.TD3(collins))
	// A zone whose number does not match its check digit does not read.
	bad := passportPhoto(t, []string{mrztest.TD3(collins)[0], strings.Replace(mrztest.TD3(collins)[1], "P1234567", "P1234568", 1)})
	thumb := image.NewRGBA(image.Rect(0, 0, 400, 300))
	xdraw.CatmullRom.Scale(thumb, thumb.Rect, photo, photo.Rect, xdraw.Src, nil)

	status, out := reading(t, c, url, csrf, jpegOf(t, photo))
	if status != 200 || out["verdict"] != "ok" || out["message"] != "We read your document. Check the highlighted details and correct them if needed." {
		t.Fatalf("passport: %d %v", status, out)
	}
	got, _ := out["prefill"].(map[string]any)
	for k, want := range collinsPrefill {
		if got[k] != want {
			t.Errorf("prefill %s = %v, want %s", k, got[k], want)
		}
	}

	for _, tc := range []struct {
		name, query string
		body        []byte
		status      int
		verdict     string
		reason      string
	}{
		{"blurred", "?type=passport", jpegOf(t, blurred(photo)), 200, "retake", "blurred"},
		{"zone unreadable", "?type=passport", jpegOf(t, bad), 200, "retake", "unreadable"},
		{"zone unreadable, no type yet", "", jpegOf(t, bad), 200, "retake", "unreadable"},
		{"an identity card's front has no zone", "?type=id-card", jpegOf(t, bad), 200, "ok", ""},
		{"too small", "", jpegOf(t, thumb), 200, "retake", "small"},
		{"not an image", "", []byte("%PDF-1.4 not a photo"), 415, "retake", "not-image"},
		{"empty", "", nil, 415, "retake", "not-image"},
		{"over the upload limit (4 MiB here)", "", bytes.Repeat([]byte{0xff}, 5<<20), 413, "retake", "too-large"},
	} {
		status, out := reading(t, c, url+tc.query, csrf, tc.body)
		if status != tc.status || out["verdict"] != tc.verdict || (out["reason"] != nil && out["reason"] != tc.reason) ||
			(tc.reason != "" && out["reason"] != tc.reason) || out["message"] == "" || out["prefill"] != nil {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	// The reason is told in the page's language.
	if _, out := reading(t, c, url+"?lang=es", csrf, jpegOf(t, blurred(photo))); out["message"] != "La foto está borrosa. Sujeta el documento sin moverlo, deja que la cámara enfoque y repítela." {
		t.Errorf("Spanish reason: %v", out)
	}

	// Without the CSRF token, with another, or without the session: refused, nothing read.
	for _, tc := range []struct {
		name string
		c    *http.Client
		csrf string
	}{{"no token", c, ""}, {"forged token", c, "forged"}, {"no session", client(t), csrf}} {
		if status, out := reading(t, tc.c, url, tc.csrf, jpegOf(t, photo)); status != http.StatusForbidden || out["prefill"] != nil {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
	}
	// Reading stores nothing: no blob, and no spool file left behind.
	for _, d := range []string{e.BlobDir, filepath.Join(e.App.Config.DataDir, "tmp")} {
		_ = filepath.WalkDir(d, func(path string, de fs.DirEntry, err error) error {
			if err == nil && !de.IsDir() {
				t.Errorf("a reading left %s", path)
			}
			return nil
		})
	}
}

// TestHostedFlowDocumentCapture drives the identity screen in headless Chromium whose fake camera
// films a passport page (a Y4M file): a blurred photo chosen through the file input gets its
// retake reason; the rear camera's photo is read at once and prefills the document number, dates,
// countries and names, highlighted for checking, and goes into the form as the front photo. The
// flow then goes on to the end, and the identity document holds that photo and those values.
func TestHostedFlowDocumentCapture(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	dir := t.TempDir()
	video := filepath.Join(dir, "passport.y4m")
	photo := passportPhoto(t, mrztest.TD3(collins))
	writeY4M(t, video, photo)
	blurry := filepath.Join(dir, "blurred.jpg")
	if err := os.WriteFile(blurry, jpegOf(t, blurred(photo)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, console := browser(t, chromedp.Flag("use-file-for-fake-video-capture", video))
	shot := shots{t: t, ctx: ctx, dir: t.ArtifactDir()}
	reqID, link := e.request(time.Hour)

	do(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#doc-start")))
	if h := text(t, ctx, "#doc-camera-title"); h != "Photograph your document" {
		t.Fatalf("capture title: %q", h)
	}
	// The fallback: a blurred photo chosen as a file is read too, and asks for another.
	do(t, ctx, "choose a blurred photo", chromedp.SetUploadFiles(chromedp.CSS("#f-front"), []string{blurry}),
		chromedp.WaitVisible(chromedp.CSS("#front-status.retake")))
	if msg := text(t, ctx, "#front-status"); msg != "The photo is blurred. Hold the document still, let the camera focus and take it again." {
		t.Fatalf("retake reason for a blurred file: %q", msg)
	}
	do(t, ctx, "scroll to the reason", chromedp.ScrollIntoView(chromedp.CSS("#f-front")))
	shot.take("1-identity-retake")

	// The rear camera, inside the frame; the photo is read and the form prefilled.
	do(t, ctx, "start the document camera", chromedp.Click(chromedp.CSS("#doc-start")), chromedp.WaitVisible(chromedp.CSS("#doc-take")),
		chromedp.WaitVisible(chromedp.CSS("#doc-live .frame")))
	time.Sleep(300 * time.Millisecond) // let the fake camera draw a few frames
	shot.take("1-identity-camera")
	do(t, ctx, "photograph the passport", chromedp.Click(chromedp.CSS("#doc-take")), chromedp.WaitVisible(chromedp.CSS("#doc-status:not(.busy)")))
	if msg := text(t, ctx, "#doc-status"); msg != "We read your document. Check the highlighted details and correct them if needed." {
		t.Fatalf("after the photo: %q", msg)
	}
	for k, want := range collinsPrefill {
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-"+k))); err != nil || got != want {
			t.Errorf("%s prefilled %q, want %q (%v)", k, got, want, err)
		}
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".field.prefilled .prefill-note").length`)); err != nil || n != len(collinsPrefill) {
		t.Errorf("%d fields highlighted for checking, want %d (%v)", n, len(collinsPrefill), err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("f-front").files.length`)); err != nil || n != 1 {
		t.Fatalf("the photo is not in the form: %d %v", n, err)
	}
	shot.take("1-identity-read")
	do(t, ctx, "scroll to the names", chromedp.ScrollIntoView(chromedp.CSS("#f-first_name")))
	shot.take("1-identity-prefilled")
	// A field the end user corrects is theirs: no longer marked.
	do(t, ctx, "correct a name", chromedp.SendKeys(chromedp.CSS("#f-first_name"), "\b\b\b\b\b\b"),
		chromedp.WaitNotPresent(chromedp.CSS("#n-first_name")))
	do(t, ctx, "type the name back", chromedp.SetValue(chromedp.CSS("#f-first_name"), "Eileen Marie"))

	do(t, ctx, "submit screen 1", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#camera-start")))
	selfie(t, ctx) // the fake camera films the passport for the selfie too; the selfie's checks come later
	do(t, ctx, "screen 3", chromedp.WaitVisible(chromedp.CSS("#f-line1")))
	fillAddress(t, ctx, "TEST-ACCEPT")
	do(t, ctx, "submit screen 3", chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("ul.docs")))

	// The identity document holds what was read, and its front is the camera's photo.
	apl := e.call("GET", "/v1/kyc-requests/"+reqID, nil)["applicantId"].(string)
	var front string
	for _, d := range e.call("GET", "/v1/kyc-documents?applicantId="+apl, nil)["items"].([]any) {
		doc := d.(map[string]any)
		if doc["type"] != "identity-proof" {
			continue
		}
		id, _ := doc["identification"].(map[string]any)
		if doc["subtype"] != "passport" || id["number"] != "P1234567" || id["expiryDate"] != "2031-12-31" || id["issuingCountry"] != "US" ||
			id["holderName"] != "Eileen Marie Collins" {
			t.Fatalf("identity document: %v", doc)
		}
		front = doc["fileIds"].([]any)[0].(string)
	}
	if front == "" {
		t.Fatal("no identity document")
	}
	read := e.call("POST", "/v1/files/"+front+"/reading", nil)
	if mrz, _ := read["mrz"].(map[string]any); mrz == nil || mrz["fields"].(map[string]any)["documentNumber"] != "P1234567" {
		t.Fatalf("the front file is not the passport photo: %v", read["reasons"])
	}
	if errs := console.errors(); len(errs) > 0 {
		t.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestDocumentCameraRetake: when the camera's photo is blurred (the fake camera films a passport
// out of focus), the identity screen says why and goes straight back to the live camera, with
// nothing put into the form.
func TestDocumentCameraRetake(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	video := filepath.Join(t.TempDir(), "blurred.y4m")
	writeY4M(t, video, blurred(passportPhoto(t, mrztest.TD3(collins))))
	ctx, console := browser(t, chromedp.Flag("use-file-for-fake-video-capture", video))
	_, link := e.request(time.Hour)

	do(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#doc-start")))
	do(t, ctx, "start the document camera", chromedp.Click(chromedp.CSS("#doc-start")), chromedp.WaitVisible(chromedp.CSS("#doc-take")))
	time.Sleep(300 * time.Millisecond)
	do(t, ctx, "photograph the blurred passport", chromedp.Click(chromedp.CSS("#doc-take")), chromedp.WaitVisible(chromedp.CSS("#doc-status.retake")))
	if msg := text(t, ctx, "#doc-status"); msg != "The photo is blurred. Hold the document still, let the camera focus and take it again." {
		t.Fatalf("retake reason: %q", msg)
	}
	live, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("doc-live").hidden && !document.getElementById("doc-take").hidden &&
		!document.getElementById("doc-take").disabled && document.getElementById("doc-retake").hidden && document.getElementById("doc-preview").hidden &&
		document.getElementById("f-front").files.length === 0 && document.getElementById("f-doc_number").value === ""`))
	if err != nil || !live {
		t.Fatalf("after a blurred photo the camera is not live again with an empty form (%v)", err)
	}
	shot := shots{t: t, ctx: ctx, dir: t.ArtifactDir()}
	shot.take("1-identity-camera-retake")
	if errs := console.errors(); len(errs) > 0 {
		t.Fatalf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}
