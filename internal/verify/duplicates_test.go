package verify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
	"time"

	"kycd/internal/blob"
	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/verify"
	"kycd/internal/verify/check"
)

// bundle is an engine on a fresh database with what the tests need to file applicants, files and
// documents and have them verified.
type bundle struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	blobs *blob.Store
	eng   *verify.Engine
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.Open(ctx, "mem://", storetest.Sealer(t))
	if err != nil {
		t.Fatal(err)
	}
	levels, err := level.Load("", level.Known{Checks: verify.CheckNames(), FieldPaths: check.ValidateFieldPaths})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	eng := verify.NewEngine(st, file.NewService(st, blobs, file.Config{}), levels, screening.NewService(st, screening.NewLists(st, 0), 0, levels), verify.Config{IndexKey: []byte("k"), Now: func() time.Time { return now }})
	return &bundle{t: t, ctx: ctx, st: st, blobs: blobs, eng: eng}
}

func effects(id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "test", ResourceID: id}}
}

// applicant files a Swedish applicant living at a Swedish address and returns the id.
func (b *bundle) applicant(first, last string) string {
	b.t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0",
		Profile:   kyc.Profile{FirstName: first, LastName: last, DateOfBirth: "1974-08-12", Nationality: "SE", CountryOfResidence: "SE"},
		Addresses: []kyc.Address{{Type: "residential", City: "Uppsala", Country: "SE"}}}
	if err := b.st.CreateApplicant(b.ctx, &a, effects(a.ID)); err != nil {
		b.t.Fatal(err)
	}
	return a.ID
}

// file stores a JPEG file of an applicant with its real SHA-256 and returns the id.
func (b *bundle) file(applicantID, tag string, data []byte) string {
	b.t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		b.t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: applicantID, Tag: tag, MIME: "image/jpeg",
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Width: cfg.Width, Height: cfg.Height}
	f.BlobKey = "test/" + f.ID
	if _, err := b.blobs.Put(b.ctx, f.BlobKey, bytes.NewReader(data)); err != nil {
		b.t.Fatal(err)
	}
	if err := b.st.CreateFile(b.ctx, &f, effects(f.ID)); err != nil {
		b.t.Fatal(err)
	}
	return f.ID
}

// decide creates d (pending, in the test environment), verifies it and returns it decided.
func (b *bundle) decide(d kyc.Document) kyc.Document {
	b.t.Helper()
	d.ID, d.Env, d.Status = kyc.NewID(kyc.PrefixDocument), kyc.EnvTest, "pending"
	if err := b.st.CreateDocument(b.ctx, &d, effects(d.ID), nil); err != nil {
		b.t.Fatal(err)
	}
	if err := b.eng.Verify(b.ctx, kyc.EnvTest, d.ID); err != nil {
		b.t.Fatal(err)
	}
	out, err := b.st.Document(b.ctx, kyc.EnvTest, d.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return out
}

// bill files an address-proof (a utility bill of one JPEG page) and returns it decided.
func (b *bundle) bill(applicantID string, page []byte) kyc.Document {
	b.t.Helper()
	return b.decide(kyc.Document{ApplicantID: applicantID, Type: "address-proof", Subtype: "utility-bill",
		FileIDs:        []string{b.file(applicantID, "address-proof", page)},
		Identification: &kyc.Identification{IssueDate: "2026-11-01", IssuingCountry: "SE"}})
}

// passport files an identity-proof with one id-front photo and returns it decided.
func (b *bundle) passport(applicantID, number string, front []byte) kyc.Document {
	b.t.Helper()
	return b.decide(kyc.Document{ApplicantID: applicantID, Type: "identity-proof", Subtype: "passport",
		FileIDs: []string{b.file(applicantID, "id-front", front)},
		Identification: &kyc.Identification{Number: number, IssuingCountry: "SE", IssueDate: "2020-01-01", ExpiryDate: "2030-01-01",
			HolderName: "Anna Eriksson"}})
}

// checkOf returns the named check of a decided document's checkList.
func checkOf(d kyc.Document, name string) (kyc.Check, bool) {
	for _, c := range d.CheckList {
		if c.Name == name {
			return c, true
		}
	}
	return kyc.Check{}, false
}

// TestDuplicatesMeanFraudNotTemplates: two honest people's bills from one template are not
// duplicates of each other, while the same bill file, and the same identity photo, on two
// applicants still are.
func TestDuplicatesMeanFraudNotTemplates(t *testing.T) {
	t.Parallel()
	billA := billPage(t, "ANNA ERIKSSON", "KUNDNR 0012345678", "STORGATAN 12 UPPSALA", 742)
	billB := billPage(t, "JOHAN LINDQVIST", "KUNDNR 9988776655", "KUNGSVAGEN 3 LUND", 1318)
	// The premise: the two bills are near-identical to the perceptual hash, so an image comparison
	// would call them duplicates. Without this the test would prove nothing.
	if d := check.Hamming(check.PHash(decodeJPEG(t, billA)), check.PHash(decodeJPEG(t, billB))); d > check.DefaultNearDuplicate {
		t.Fatalf("the generated bills are %d bits apart: not near-duplicates, the test proves nothing", d)
	}
	photo := testPhoto(t)
	photo92, photo60 := encodeJPEG(t, photo, 92), encodeJPEG(t, photo, 60)
	if bytes.Equal(photo92, photo60) {
		t.Fatal("the two encodings of the photo are the same file")
	}

	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		anna, johan, third := b.applicant("Anna", "Eriksson"), b.applicant("Johan", "Lindqvist"), b.applicant("Anna", "Eriksson")

		first := b.bill(anna, billA)
		if _, ok := checkOf(first, verify.CheckDuplicateImage); ok {
			t.Errorf("a bill page was compared by image: %+v", first.CheckList)
		}
		// Two different bills of one template, two applicants: not duplicates.
		second := b.bill(johan, billB)
		for _, name := range []string{verify.CheckDuplicateImage, verify.CheckDuplicateFile} {
			if c, _ := checkOf(second, name); c.Failed {
				t.Errorf("a bill of the same template is flagged %s: %+v", name, second.CheckList)
			}
		}
		if _, ok := checkOf(second, verify.CheckDuplicateFile); !ok {
			t.Errorf("a bill must still be compared by content (%s): %+v", verify.CheckDuplicateFile, second.CheckList)
		}

		// The same bill file on another applicant: duplicate-file.
		copied := b.bill(third, billA)
		if c, ok := checkOf(copied, verify.CheckDuplicateFile); !ok || !c.Failed || c.Reason != "document-duplicate" {
			t.Errorf("the same bill file on two applicants: %s = %+v (found %v)", verify.CheckDuplicateFile, c, ok)
		}

		// A page's pHash is not a fingerprint that photos meet: the bill, re-encoded, filed as the
		// photo of a passport, matches no bill; a pHash stored for a bill before this rule (made here
		// by hand) matches nothing either.
		legacy := check.PHash(decodeJPEG(t, billA))
		if _, err := st.DecideDocument(b.ctx, kyc.EnvTest, first.ID, func(c *store.Case) (store.Effects, error) {
			_, err := c.Tx.Exec(b.ctx, `INSERT INTO document_fingerprints (env, kind, value, document_id, applicant_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				string(kyc.EnvTest), "phash", fmt.Sprintf("%016x", legacy), first.ID, c.Document.ApplicantID, store.Micros(store.Now()))
			return effects(first.ID), err
		}); err != nil {
			t.Fatal(err)
		}
		asPhoto := b.passport(b.applicant("Eva", "Berg"), "PB1000001", encodeJPEG(t, decodeJPEG(t, billA), 80))
		if c, ok := checkOf(asPhoto, verify.CheckDuplicateImage); !ok || c.Failed {
			t.Errorf("a photo near a bill page is flagged, or not compared: %s = %+v (found %v)", verify.CheckDuplicateImage, c, ok)
		}

		// Near-identical identity photos (two encodings of one photo) on two applicants: duplicate-image.
		p1 := b.passport(anna, "PA1000001", photo92)
		if c, _ := checkOf(p1, verify.CheckDuplicateImage); c.Failed {
			t.Fatalf("the first passport photo is flagged: %+v", p1.CheckList)
		}
		p2 := b.passport(johan, "PA2000002", photo60)
		if c, ok := checkOf(p2, verify.CheckDuplicateImage); !ok || !c.Failed || c.Reason != "document-duplicate" {
			t.Errorf("near-identical passport photos on two applicants: %s = %+v (found %v)", verify.CheckDuplicateImage, c, ok)
		}
		if c, _ := checkOf(p2, verify.CheckDuplicateFile); c.Failed {
			t.Errorf("two encodings of a photo are not the same file: %+v", c)
		}
	})
}

// billPage draws a one-page utility bill of a fixed template (a header band, a logo, a table and
// a footer, the way a utility's bills all look) with the holder's name, customer number and
// address and an amount, as text-like glyphs, and returns it as JPEG.
func billPage(t *testing.T, name, number, address string, amount int) []byte {
	t.Helper()
	page := image.NewRGBA(image.Rect(0, 0, 850, 1100))
	fill := func(r image.Rectangle, c color.RGBA) {
		draw.Draw(page, r, image.NewUniform(c), image.Point{}, draw.Src)
	}
	ink, band := color.RGBA{30, 30, 40, 255}, color.RGBA{20, 70, 140, 255}
	fill(page.Bounds(), color.RGBA{250, 250, 246, 255})
	fill(image.Rect(0, 0, 850, 120), band)                           // header band
	fill(image.Rect(40, 25, 130, 95), color.RGBA{240, 180, 20, 255}) // logo
	text(page, 160, 50, "NORDISK ENERGI AB", color.RGBA{255, 255, 255, 255}, 4)
	text(page, 60, 170, name, ink, 3)
	text(page, 60, 210, address, ink, 3)
	text(page, 500, 170, number, ink, 3)
	text(page, 500, 210, "FAKTURA 2026-11-01", ink, 3)
	for i := range 8 { // the table: rules and one line per row
		y := 330 + i*60
		fill(image.Rect(60, y, 790, y+2), color.RGBA{160, 160, 160, 255})
		text(page, 70, y+20, fmt.Sprintf("EL NATAVGIFT %02d", i+1), ink, 2)
		text(page, 640, y+20, fmt.Sprintf("%d KR", amount*(i+1)%997), ink, 2)
	}
	fill(image.Rect(60, 850, 790, 900), color.RGBA{225, 232, 240, 255})
	text(page, 70, 865, fmt.Sprintf("ATT BETALA %d KR", amount), ink, 3)
	fill(image.Rect(0, 1040, 850, 1100), band) // footer band
	return encodeJPEG(t, page, 90)
}

// text draws s in 5x7 glyphs of k-pixel dots. A glyph is a pattern chosen by the character (not
// a font: the perceptual hash sees text as texture, and different text as different texture).
func text(dst *image.RGBA, x, y int, s string, c color.RGBA, k int) {
	for i, r := range s {
		if r == ' ' {
			continue
		}
		h := fnv.New64a()
		fmt.Fprint(h, r)
		bits := h.Sum64()
		for row := range 7 {
			for col := range 5 {
				if bits>>(row*5+col)&1 == 1 {
					x0, y0 := x+i*6*k+col*k, y+row*k
					draw.Draw(dst, image.Rect(x0, y0, x0+k, y0+k), image.NewUniform(c), image.Point{}, draw.Src)
				}
			}
		}
	}
}

// testPhoto is a photograph from the check package's test images (see its README-images.md).
func testPhoto(t *testing.T) image.Image {
	t.Helper()
	data, err := os.ReadFile("check/testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeJPEG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
