package media_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"kycd/internal/media"
)

// noiseJPEG encodes a side x side image of random colours at quality 95. Noise does not compress,
// so the file is large for its pixel count.
func noiseJPEG(side int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(uint64(side), 95))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err) // writing to a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// Noise JPEGs of about 1 MB and 10 MB, generated once per test binary.
var (
	smallNoiseJPEG = sync.OnceValue(func() []byte { return noiseJPEG(920) })
	largeNoiseJPEG = sync.OnceValue(func() []byte { return noiseJPEG(2900) })
)

// BenchmarkInspectJPEG inspects noise JPEGs of about 1 MB and 10 MB: the bytes and allocations
// per operation are the same for both, as the walk streams through a fixed buffer.
func BenchmarkInspectJPEG(b *testing.B) {
	for _, bm := range []struct {
		name string
		data func() []byte
	}{
		{"1MB", smallNoiseJPEG},
		{"10MB", largeNoiseJPEG},
	} {
		b.Run(bm.name, func(b *testing.B) {
			data := bm.data()
			s := spoolBytes(b, data)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := media.Inspect(s, maxPixels); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestInspectMemoryDoesNotGrowWithFileSize checks that inspecting a 10 MB JPEG allocates no more
// than inspecting a 1 MB one. It does not call t.Parallel: the allocation counters are
// process-wide, and a sequential test runs while the parallel ones wait.
func TestInspectMemoryDoesNotGrowWithFileSize(t *testing.T) {
	small, large := spoolBytes(t, smallNoiseJPEG()), spoolBytes(t, largeNoiseJPEG())
	smallAllocs, smallBytes := inspectAllocations(t, small)
	largeAllocs, largeBytes := inspectAllocations(t, large)
	t.Logf("per Inspect: %d bytes in %d allocations for %d bytes of JPEG, %d bytes in %d for %d",
		smallBytes, smallAllocs, small.Size, largeBytes, largeAllocs, large.Size)
	if largeAllocs > smallAllocs || largeBytes > smallBytes+1024 {
		t.Errorf("a 10x larger file costs more memory: %d bytes in %d allocations against %d in %d",
			largeBytes, largeAllocs, smallBytes, smallAllocs)
	}
	if largeBytes > 256<<10 {
		t.Errorf("Inspect allocates %d bytes, want under 256 KiB", largeBytes)
	}
}

// inspectAllocations returns the allocations and bytes allocated by one Inspect of s, the least
// over a few runs.
func inspectAllocations(t *testing.T, s *media.Spooled) (allocs, bytes uint64) {
	t.Helper()
	allocs, bytes = math.MaxUint64, math.MaxUint64
	var before, after runtime.MemStats
	for range 5 {
		runtime.ReadMemStats(&before)
		_, err := media.Inspect(s, maxPixels)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		allocs = min(allocs, after.Mallocs-before.Mallocs)
		bytes = min(bytes, after.TotalAlloc-before.TotalAlloc)
	}
	return allocs, bytes
}
