package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"

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
	b, err := os.ReadFile(filepath.Join("testdata", "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	astro, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	head := astro.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(145, 30, 295, 220))
	page := mrztest.Render(rand.New(rand.NewPCG(7, 12)), mrztest.Card{Format: mrztest.FormatOf("TD3"), Lines: lines, Width: 1100,
		Portrait: head, Title: "UNITED STATES OF AMERICA"})
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
func blurred(img image.Image) image.Image {
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
// small and a file that is not an image are answered with a retake and its reason, in the page's
// language; without the session or the CSRF token it answers nothing; nothing is stored.
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
