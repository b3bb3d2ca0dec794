package check

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"kycd/internal/media/mediatest"
	"runtime"
	"testing"
	"time"
)

// patchedJPEG is a small JPEG whose frame header claims w x h pixels: its header reads as a huge
// image, and it fails to decode (too little data) if anything tries.
func patchedJPEG(t testing.TB, w, h int, progressive bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if progressive {
		data[i+1] = 0xC2
	}
	binary.BigEndian.PutUint16(data[i+5:], uint16(h))
	binary.BigEndian.PutUint16(data[i+7:], uint16(w))
	return data
}

func TestDecodeCost(t *testing.T) {
	t.Parallel()
	const n = 7000 * 7000
	cases := []struct {
		name string
		data []byte
		want int64
	}{
		{"RGBA PNG", mediatest.BombPNG(7000, 7000, 6, false), 4 * n},
		{"RGB PNG decodes to RGBA", mediatest.BombPNG(700, 700, 2, false), 4 * 700 * 700},
		{"grey PNG", mediatest.BombPNG(7000, 7000, 0, false), n},
		{"interlaced grey PNG", mediatest.BombPNG(700, 700, 0, true), 2 * 700 * 700},
		{"baseline 4:2:0 JPEG (whole 16 x 16 MCUs)", patchedJPEG(t, 7008, 7008, false), 7008 * 7008 * 3 / 2},
		{"progressive 4:2:0 JPEG keeps its coefficients", patchedJPEG(t, 7008, 7008, true), 7008 * 7008 * 3 / 2 * 5},
	}
	for _, c := range cases {
		got, err := DecodeCost(c.data, 0)
		if got -= decoderOverhead; err != nil || got != c.want {
			t.Errorf("%s: %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	if _, err := DecodeCost(mediatest.BombPNG(8000, 7000, 0, false), 0); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("56 MP: %v, want ErrTooManyPixels", err)
	}
}

// TestDecodeCostBoundsWhatDecodingAllocates: what a decode really allocates stays within its
// estimate, so the budget is a real bound.
// Not parallel: it reads the process's allocation counter.
func TestDecodeCostBoundsWhatDecodingAllocates(t *testing.T) {
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, image.NewRGBA(image.Rect(0, 0, 2000, 1500)), nil); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"RGBA PNG": mediatest.BombPNG(2000, 2000, 6, false), "grey PNG": mediatest.BombPNG(3000, 3000, 0, false), "4:2:0 JPEG": photo.Bytes(),
	} {
		cost, err := DecodeCost(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := NewBudget(cost)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		img, release, err := b.Decode(context.Background(), data, 0)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		release()
		_ = img
		if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc > cost {
			t.Errorf("%s: decoding allocated %d bytes, over its estimate %d", name, alloc, cost)
		} else {
			t.Logf("%s: allocated %d of an estimated %d bytes", name, alloc, cost)
		}
	}
}

// TestBudgetRefusesAndWaits: an image that alone needs more than the budget is refused before
// anything decodes; decodes that together need more wait for each other.
func TestBudgetRefusesAndWaits(t *testing.T) {
	t.Parallel()
	b := NewBudget(64 << 20)
	_, _, err := b.Decode(context.Background(), mediatest.BombPNG(7000, 7000, 6, false), 0)
	if !errors.Is(err, ErrOverBudget) {
		t.Fatalf("7000x7000 RGBA PNG within 64 MiB: %v, want ErrOverBudget", err)
	}
	if r := Decoded(err); !r.Failed || r.Reason != ReasonUnreadable {
		t.Fatalf("result %+v", r)
	}

	grey := mediatest.BombPNG(6000, 6000, 0, false) // 36 MB: one fits, two do not
	_, release, err := b.Decode(context.Background(), grey, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := b.Decode(ctx, grey, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second decode while the first holds the budget: %v, want it to wait", err)
	}
	release()
	release() // a second release gives nothing back twice
	img, release2, err := b.Decode(context.Background(), grey, 0)
	if err != nil || img.Bounds().Dx() != 6000 {
		t.Fatalf("after release: %v", err)
	}
	release2()
	if !b.sem.TryAcquire(b.Size()) {
		t.Fatal("the budget is not whole again after every release")
	}
}

// TestJPEGSamplesWalksAsTheDecoder: image/jpeg skips "\xff\x00" as extraneous data, and the
// frame-header walk read a segment length there instead, landing inside an APP1 payload. A frame
// header planted there with a length of 0 panicked DecodeCost (found by FuzzJPEGHeader); one with
// a single component made a three-component JPEG cost a third of its planes.
func TestJPEGSamplesWalksAsTheDecoder(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 64)), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	plain := b.Bytes()
	want, _, ok := jpegSamples(plain, 64, 64)
	if !ok || want != 64*64+2*32*32 {
		t.Fatalf("the plain JPEG: %d samples, ok %v", want, ok)
	}
	// SOI, "\xff\x00", two bytes a length-reading walk takes as a length of 10, then an APP1 segment
	// whose payload holds the planted frame header at the offset that walk lands on.
	plant := func(sof []byte) []byte {
		app1 := append([]byte{0, 0, 0, 0}, sof...)
		data := []byte{0xFF, 0xD8, 0xFF, 0x00, 0x00, 0x0A, 0xFF, 0xE1, 0, byte(2 + len(app1))}
		data = append(append(data, app1...), plain[2:]...)
		return data
	}
	for name, data := range map[string][]byte{
		"length 0":      plant([]byte{0xFF, 0xC1, 0x00, 0x00}),
		"one component": plant([]byte{0xFF, 0xC0, 0x00, 0x0B, 8, 0, 64, 0, 64, 1, 1, 0x11, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 64 {
				t.Fatalf("image/jpeg does not read it as the 64 x 64 image: %v %v", cfg, err)
			}
			got, _, ok := jpegSamples(data, 64, 64)
			if !ok || got != want {
				t.Errorf("%d samples, ok %v; want %d", got, ok, want)
			}
			if _, err := DecodeCost(data, 0); err != nil {
				t.Errorf("DecodeCost: %v", err)
			}
		})
	}
}
