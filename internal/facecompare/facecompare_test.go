package facecompare_test

import (
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kycd/internal/face"
	"kycd/internal/face/facetest"
	"kycd/internal/facecompare"
	"kycd/internal/media/mediatest"
	"kycd/internal/verify/check"
)

var analyzer = sync.OnceValues(face.New)

func comparer(t *testing.T, cfg facecompare.Config) *facecompare.Comparer {
	t.Helper()
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	return facecompare.New(check.NewBudget(0), a, cfg)
}

// blank is a grey JPEG with no face in it.
func blank() []byte {
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 180
	}
	return facetest.JPEG(img)
}

// TestCompare: one person's photo against another photograph of her (the mirror image, cropped,
// rotated, relit, re-encoded) matches; against another woman's photo it does not; each box is the
// face's, inside its image.
func TestCompare(t *testing.T) {
	t.Parallel()
	c := comparer(t, facecompare.Config{})
	her, other := facetest.Face("sample6-2"), facetest.Face("sample6-4")
	rng := rand.New(rand.NewPCG(13, 1))
	photo, selfie := facetest.JPEG(her), facetest.JPEG(facetest.Selfie(facetest.Mirror(her), rng))
	stranger := facetest.JPEG(facetest.Selfie(other, rng))
	ctx := context.Background()

	same, err := c.Compare(ctx, facecompare.Bytes(photo), facecompare.Bytes(selfie))
	if err != nil {
		t.Fatal(err)
	}
	if !same.Matched || same.Similarity < face.MatchThreshold || same.Threshold != face.MatchThreshold {
		t.Fatalf("same person: %+v", same)
	}
	diff, err := c.Compare(ctx, facecompare.Bytes(photo), facecompare.Bytes(stranger))
	if err != nil {
		t.Fatal(err)
	}
	if diff.Matched || diff.Similarity >= face.MatchThreshold || diff.Similarity >= same.Similarity {
		t.Fatalf("two people: %+v (same person %.3f)", diff, same.Similarity)
	}
	for _, s := range []facecompare.Seen{same.Source, same.Target, diff.Target} {
		r := image.Rectangle{Max: s.Size}
		if s.Faces != 1 || s.Box.Empty() || !s.Box.In(r) || s.Box.Dx() < r.Dx()/4 {
			t.Errorf("seen %+v: want one face, its box a large part of %v", s, r)
		}
	}
}

// TestCompareRefusals: an image without a face and bytes that are no image are refused naming
// which of the two they are.
func TestCompareRefusals(t *testing.T) {
	t.Parallel()
	c := comparer(t, facecompare.Config{})
	photo := facetest.JPEG(facetest.Face("sample6-2"))
	ctx := context.Background()
	for _, tc := range []struct {
		name           string
		source, target []byte
		which          facecompare.Which
		want           error
	}{
		{"no face in the target", photo, blank(), facecompare.Target, facecompare.ErrNoFace},
		{"no face in the source", blank(), photo, facecompare.Source, facecompare.ErrNoFace},
		{"a PDF as the source", mediatest.MinimalPDF("1.4", 0), photo, facecompare.Source, facecompare.ErrNotImage},
		{"truncated target", photo, photo[:len(photo)/2], facecompare.Target, facecompare.ErrNotImage},
	} {
		_, err := c.Compare(ctx, facecompare.Bytes(tc.source), facecompare.Bytes(tc.target))
		var ie *facecompare.ImageError
		if !errors.As(err, &ie) || ie.Image != tc.which || !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v about the %s", tc.name, err, tc.want, tc.which)
		}
	}
}

// TestCompareImageError: an Image's own error (a file gone, a store down) comes back as it is.
func TestCompareImageError(t *testing.T) {
	t.Parallel()
	c := comparer(t, facecompare.Config{})
	gone := errors.New("gone")
	photo := facecompare.Bytes(facetest.JPEG(facetest.Face("sample6-2")))
	failing := func(context.Context) ([]byte, error) { return nil, gone }
	if _, err := c.Compare(context.Background(), photo, failing); err != gone {
		t.Fatalf("%v, want the Image's error", err)
	}
}

// slowFaces is a Describer that counts how many descriptions run at once.
type slowFaces struct {
	in, most atomic.Int32
	next     facecompare.Describer
}

func (s *slowFaces) Describe(img image.Image, box image.Rectangle) (*face.Face, error) {
	n := s.in.Add(1)
	defer s.in.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	return s.next.Describe(img, box)
}

// TestCompareIsBounded: a burst of comparisons runs at most MaxConcurrent at once, and one whose
// context ends while it waits gives up with the context's error, without having read its images.
func TestCompareIsBounded(t *testing.T) {
	t.Parallel()
	a, err := analyzer()
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowFaces{next: a}
	c := facecompare.New(check.NewBudget(0), slow, facecompare.Config{MaxConcurrent: 1})
	photo := facetest.JPEG(facetest.Face("sample6-2"))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Compare(context.Background(), facecompare.Bytes(photo), facecompare.Bytes(photo)); err != nil {
				t.Error(err)
			}
		})
	}
	// While the burst holds the only slot, a comparison with a short deadline waits and gives up.
	for slow.in.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	read := false
	waited := func(context.Context) ([]byte, error) { read = true; return photo, nil }
	_, err = c.Compare(ctx, waited, waited)
	wg.Wait()
	if most := slow.most.Load(); most != 1 {
		t.Fatalf("%d descriptions ran at once, want 1", most)
	}
	if !errors.Is(err, context.DeadlineExceeded) || read {
		t.Fatalf("a comparison waiting past its deadline: %v (its image read: %v)", err, read)
	}
}
