package photo

import (
	"bytes"
	"image/jpeg"
	"io"
	"testing"
)

func TestMake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		style       Style
		target, max int
	}{
		{"scene", Scene, 200 << 10, 0},
		{"noise under a bound", Noise, 300 << 10, 305 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := Make(tc.style, tc.target, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if got := float64(len(b)) / float64(tc.target); got < 0.99 || got > 1.01 {
				t.Errorf("size %d, want about %d", len(b), tc.target)
			}
			if tc.max > 0 && len(b) > tc.max {
				t.Errorf("size %d over the bound %d", len(b), tc.max)
			}
			if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("not a valid JPEG: %v", err)
			}
		})
	}
}

func TestVariant(t *testing.T) {
	t.Parallel()
	jpg, err := Make(Scene, 50<<10, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, n := Variant(jpg, 7)
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != n {
		t.Errorf("length %d, reader gave %d", n, len(b))
	}
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("variant is not a valid JPEG: %v", err)
	}
	r2, _ := Variant(jpg, 8)
	b2, _ := io.ReadAll(r2)
	if bytes.Equal(b, b2) {
		t.Error("variants 7 and 8 are equal")
	}
}
