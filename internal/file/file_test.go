package file_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/blob"
	"kycd/internal/file"
	"kycd/internal/kyc"
	"kycd/internal/media/mediatest"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// bundle is a file service on a real store and in-memory blobs, with an applicant in each
// environment and the folder uploads are spooled to.
type bundle struct {
	svc      *file.Service
	st       *store.Store
	blobs    *blob.Store
	spoolDir string
	test     kyc.Applicant // of kyc.EnvTest
	live     kyc.Applicant // of kyc.EnvLive
}

// setup returns a bundle on st whose service has cfg (its TempDir set to a fresh folder); blobs
// wraps the blob store when not nil.
func setup(t *testing.T, st *store.Store, cfg file.Config, wrap func(*blob.Store) file.Blobs) *bundle {
	t.Helper()
	blobs, err := blob.Open(t.Context(), "mem://", storetest.Sealer(t))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{st: st, blobs: blobs, spoolDir: t.TempDir()}
	cfg.TempDir = b.spoolDir
	var bl file.Blobs = blobs
	if wrap != nil {
		bl = wrap(blobs)
	}
	b.svc = file.NewService(st, bl, cfg)
	for _, a := range []*kyc.Applicant{&b.test, &b.live} {
		*a = kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0"}
		if a == &b.live {
			a.Env = kyc.EnvLive
		}
		if err := st.CreateApplicant(t.Context(), a, store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "applicant", ResourceID: a.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// upload spools data and creates a file of it for applicantID in env.
func (b *bundle) upload(t *testing.T, env kyc.Env, applicantID, tag string, data []byte) (kyc.File, error) {
	t.Helper()
	sp, err := b.svc.Spool(bytes.NewReader(data))
	if err != nil {
		return kyc.File{}, err
	}
	return b.svc.Create(context.Background(), "test", env, applicantID, tag, sp)
}

// stored sums up what is stored: the audit length of each environment (every stored file writes
// an entry with its row), the blobs, and the spooled uploads still on disk.
func (b *bundle) stored(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		n, err := b.st.AuditLength(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(env)+":"+itoa(n))
	}
	var keys []string
	err := b.blobs.Walk(context.Background(), "", time.Now().Add(time.Hour), func(k string) error {
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	spooled, err := os.ReadDir(b.spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, " ") + " blobs:" + strings.Join(keys, ",") + " spooled:" + itoa(int64(len(spooled)))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pngOf returns a PNG of w x h pixels with some texture.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegOf returns a JPEG of w x h pixels.
func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.Gray{Y: 1})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fields returns the sorted fields a *kyc.ValidationError names, or nil when err is not one.
func fields(err error) []string { return kyc.FieldNames(err) }

// TestCreateSniffsAndStores: an accepted upload's type is sniffed from its bytes (JPEG, PNG, PDF),
// its dimensions read from an image's header, its size and SHA-256 are those of the bytes, a tag
// left empty is "other", and the bytes are stored under env/applicant/file and read back
// unchanged, with one audit entry.
func TestCreateSniffsAndStores(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		ctx := context.Background()
		cases := []struct {
			name          string
			data          []byte
			tag, wantTag  string
			mime          string
			width, height int
		}{
			{"png", pngOf(t, 40, 30), "id-front", "id-front", "image/png", 40, 30},
			{"jpeg", jpegOf(t, 64, 48), "face-proof", "face-proof", "image/jpeg", 64, 48},
			{"pdf", mediatest.MinimalPDF("1.7", 0), "", "other", "application/pdf", 0, 0},
		}
		for _, c := range cases {
			f, err := b.upload(t, kyc.EnvTest, b.test.ID, c.tag, c.data)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			sum := sha256.Sum256(c.data)
			if f.MIME != c.mime || f.Width != c.width || f.Height != c.height || f.Tag != c.wantTag || f.Size != int64(len(c.data)) ||
				f.SHA256 != hex.EncodeToString(sum[:]) || f.ApplicantID != b.test.ID || f.Env != kyc.EnvTest {
				t.Errorf("%s: created %+v", c.name, f)
			}
			if want := "test/" + b.test.ID + "/" + f.ID; f.BlobKey != want {
				t.Errorf("%s: blob key %q, want %q", c.name, f.BlobKey, want)
			}
			got, rc, err := b.svc.Open(ctx, kyc.EnvTest, f.ID)
			if err != nil {
				t.Fatalf("%s: Open: %v", c.name, err)
			}
			data, err := io.ReadAll(rc)
			_ = rc.Close()
			if err != nil || !bytes.Equal(data, c.data) {
				t.Errorf("%s: read back %d bytes (%v), want the %d sent", c.name, len(data), err, len(c.data))
			}
			if got.ID != f.ID || got.MIME != f.MIME || got.SHA256 != f.SHA256 || got.BlobKey != f.BlobKey {
				t.Errorf("%s: Open's metadata %+v, want %+v", c.name, got, f)
			}
			if trail, _ := st.AuditTrail(ctx, kyc.EnvTest, f.ID); len(trail) != 1 || trail[0].Action != "file.create" {
				t.Errorf("%s: audit trail %+v", c.name, trail)
			}
		}
	})
}

// TestRefusedUploadStoresNothing: an upload is refused with the kyc error that says why (a
// validation error naming each bad field, ErrUnsupportedMedia for bytes of another type, a
// validation error on body.file for an image over the pixel limit or a damaged one), and leaves
// no row, no audit entry, no blob and no spooled file behind.
func TestRefusedUploadStoresNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{MaxPixels: 1000}, nil)
		goodPNG := pngOf(t, 20, 20)
		cases := []struct {
			name      string
			env       kyc.Env
			applicant string
			tag       string
			data      []byte
			is        error    // the sentinel the error wraps, when not a validation error
			fields    []string // the fields a validation error names
		}{
			{"bad applicant id and unknown tag", kyc.EnvTest, "fil_01M96FT6N83F4YRWMQSZTETK5C", "selfie-ish", goodPNG, nil,
				[]string{"body.applicantId", "body.tag"}},
			{"no applicant id", kyc.EnvTest, "", "id-front", goodPNG, nil, []string{"body.applicantId"}},
			{"applicant of the other environment", kyc.EnvTest, b.live.ID, "id-front", goodPNG, nil, []string{"body.applicantId"}},
			{"applicant that does not exist", kyc.EnvTest, kyc.NewID(kyc.PrefixApplicant), "id-front", goodPNG, nil, []string{"body.applicantId"}},
			{"GIF", kyc.EnvTest, b.test.ID, "id-front", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), kyc.ErrUnsupportedMedia, nil},
			{"text named as nothing", kyc.EnvTest, b.test.ID, "", []byte("hello, I am not an image"), kyc.ErrUnsupportedMedia, nil},
			{"empty", kyc.EnvTest, b.test.ID, "", nil, kyc.ErrUnsupportedMedia, nil},
			{"image over the pixel limit", kyc.EnvTest, b.test.ID, "id-front", pngOf(t, 40, 30), nil, []string{"body.file"}},
			{"png cut in half", kyc.EnvTest, b.test.ID, "id-front", goodPNG[:len(goodPNG)/2], nil, []string{"body.file"}},
			{"jpeg without its end", kyc.EnvTest, b.test.ID, "id-front", func() []byte { j := jpegOf(t, 16, 16); return j[:len(j)-40] }(), nil,
				[]string{"body.file"}},
			{"pdf cut short", kyc.EnvTest, b.test.ID, "", func() []byte { p := mediatest.MinimalPDF("1.7", 0); return p[:len(p)/2] }(), nil,
				[]string{"body.file"}},
		}
		for _, c := range cases {
			before := b.stored(t)
			f, err := b.upload(t, c.env, c.applicant, c.tag, c.data)
			switch {
			case err == nil:
				t.Errorf("%s: accepted as %+v", c.name, f)
			case c.is != nil && !errors.Is(err, c.is):
				t.Errorf("%s: %v, want %v", c.name, err, c.is)
			case c.is == nil && !slices.Equal(fields(err), c.fields):
				t.Errorf("%s: %v: names %v, want %v", c.name, err, fields(err), c.fields)
			}
			if after := b.stored(t); after != before {
				t.Errorf("%s: refused but stored %s, was %s", c.name, after, before)
			}
		}
		if after := b.stored(t); after != "test:1 live:1 blobs: spooled:0" {
			t.Errorf("after the refusals: %s", after)
		}
	})
}

// TestDefaultPixelLimit: with no limit configured, an image of more than 50 megapixels is refused
// on body.file from its header alone, and the refusal stores nothing.
func TestDefaultPixelLimit(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		before := b.stored(t)
		_, err := b.upload(t, kyc.EnvTest, b.test.ID, "id-front", mediatest.BombPNG(8000, 6251, mediatest.Grey, false))
		if got := fields(err); !slices.Equal(got, []string{"body.file"}) {
			t.Errorf("8000x6251 pixels: %v, want a validation error on body.file", err)
		}
		if after := b.stored(t); after != before {
			t.Errorf("refused but stored %s, was %s", after, before)
		}
	})
}

// TestSpoolSizeLimit: Spool accepts an upload of exactly MaxBytes and refuses one byte more with
// ErrTooLarge, leaving no spooled file; with no limit configured MaxBytes is 10 MiB.
func TestSpoolSizeLimit(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{MaxBytes: 1000}, nil)
		if b.svc.MaxBytes() != 1000 {
			t.Errorf("MaxBytes %d, want 1000", b.svc.MaxBytes())
		}
		sp, err := b.svc.Spool(bytes.NewReader(bytes.Repeat([]byte{'x'}, 1000)))
		if err != nil {
			t.Fatalf("exactly the limit: %v", err)
		}
		if sp.Size != 1000 {
			t.Errorf("spooled %d bytes, want 1000", sp.Size)
		}
		_ = sp.Remove()
		if _, err := b.svc.Spool(bytes.NewReader(bytes.Repeat([]byte{'x'}, 1001))); !errors.Is(err, kyc.ErrTooLarge) {
			t.Errorf("one byte over the limit: %v, want ErrTooLarge", err)
		}
		if left, _ := os.ReadDir(b.spoolDir); len(left) != 0 {
			t.Errorf("%d spooled files left", len(left))
		}
		if got := setup(t, st, file.Config{}, nil).svc.MaxBytes(); got != 10<<20 {
			t.Errorf("default MaxBytes %d, want 10 MiB", got)
		}
	})
}

// cancelAfterPut is the blob store of a client that hangs up just after its bytes were stored:
// the request's context ends before the file's row is written.
type cancelAfterPut struct {
	*blob.Store
	cancel context.CancelFunc
}

func (c cancelAfterPut) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	n, err := c.Store.Put(ctx, key, r)
	c.cancel()
	return n, err
}

func (c cancelAfterPut) PutUnder(ctx context.Context, key string, wrapped, keyAAD []byte, r io.Reader) (int64, error) {
	n, err := c.Store.PutUnder(ctx, key, wrapped, keyAAD, r)
	c.cancel()
	return n, err
}

// TestBlobTakenBackWhenRowFails: when the file's row cannot be written after its bytes were
// stored (here the request's context ends in between), the blob is deleted again: no blob without
// a row.
func TestBlobTakenBackWhenRowFails(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b := setup(t, st, file.Config{}, func(bs *blob.Store) file.Blobs { return cancelAfterPut{bs, cancel} })
		before := b.stored(t)
		sp, err := b.svc.Spool(bytes.NewReader(pngOf(t, 20, 20)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Create(ctx, "test", kyc.EnvTest, b.test.ID, "id-front", sp); !errors.Is(err, context.Canceled) {
			t.Errorf("Create with the context ended after the put: %v, want context.Canceled", err)
		}
		if after := b.stored(t); after != before {
			t.Errorf("a failed row left %s, was %s", after, before)
		}
	})
}

// TestOtherEnvironmentIsNotFound: a file is invisible from the other environment (Get and Open
// are ErrNotFound), as is an id that is not a file id.
func TestOtherEnvironmentIsNotFound(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st, file.Config{}, nil)
		ctx := context.Background()
		f, err := b.upload(t, kyc.EnvLive, b.live.ID, "id-front", pngOf(t, 20, 20))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Get(ctx, kyc.EnvTest, f.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("Get from the other environment: %v, want ErrNotFound", err)
		}
		if _, rc, err := b.svc.Open(ctx, kyc.EnvTest, f.ID); !errors.Is(err, kyc.ErrNotFound) {
			if rc != nil {
				_ = rc.Close()
			}
			t.Errorf("Open from the other environment: %v, want ErrNotFound", err)
		}
		for _, id := range []string{"", b.live.ID, "fil_", "fil_../" + f.ID} {
			if _, err := b.svc.Get(ctx, kyc.EnvLive, id); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("Get %q: %v, want ErrNotFound", id, err)
			}
		}
		if _, err := b.svc.Get(ctx, kyc.EnvLive, f.ID); err != nil {
			t.Errorf("Get in its own environment: %v", err)
		}
	})
}
