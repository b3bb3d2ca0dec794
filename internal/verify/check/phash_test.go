package check

import (
	"image"
	"testing"
)

func TestPHash(t *testing.T) {
	t.Parallel()
	for _, name := range testImageNames {
		img := testImage(t, name)
		h := PHash(img)
		if PHash(Normalize(img)) != h {
			t.Errorf("%s: PHash differs on Normalize(img)", name)
		}
		near := map[string]image.Image{
			"JPEG 75": reencode(t, img, 75), "JPEG 10": reencode(t, img, 10),
			"upscaled 1.5x": scale(img, 1.5), "downscaled 0.5x": scale(img, 0.5), "JPEG of upscaled": reencode(t, scale(img, 1.5), 60),
		}
		for vname, v := range near {
			if d := Hamming(h, PHash(v)); d > DefaultNearDuplicate {
				t.Errorf("%s %s: distance %d, want at most %d", name, vname, d, DefaultNearDuplicate)
			}
		}
		for _, other := range testImageNames {
			if other == name {
				continue
			}
			if d := Hamming(h, PHash(testImage(t, other))); d < 4*DefaultNearDuplicate {
				t.Errorf("%s vs %s: distance %d, want at least %d", name, other, d, 4*DefaultNearDuplicate)
			}
		}
	}
}

func TestHamming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b uint64
		want int
	}{
		{0, 0, 0},
		{0, ^uint64(0), 64},
		{0b1011, 0b0001, 2},
		{1 << 63, 1, 2},
	}
	for _, tt := range tests {
		if got := Hamming(tt.a, tt.b); got != tt.want {
			t.Errorf("Hamming(%b, %b) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
