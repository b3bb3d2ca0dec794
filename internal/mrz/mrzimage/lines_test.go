package mrzimage

import (
	"math"
	"testing"
)

// TestFitLine fits rows of blobs laid out as a zone line is seen, and wants every cell's centre
// within a tenth of a pitch of the truth.
func TestFitLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int
		// c is the row's perspective (see textLine); the pitch changes along the row by
		// (1+c*(n-1))^2 from the first cell to the last.
		c     float64
		angle float64 // degrees
		// extra adds a tall blob a pitch beyond the last character, as the card's edge.
		extra bool
	}{
		{"upright", 44, 0, 0, false},
		{"skewed", 30, 0, 8, false},
		{"far end a quarter smaller", 44, 0.0036, 3, false},
		{"near end a third larger", 36, -0.0038, -5, false},
		{"running into the card's edge", 44, 0, 2, true},
		{"at an angle, into the edge", 36, 0.004, -2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.angle * math.Pi / 180
			truth := textLine{ox: 100, oy: 200, ux: math.Cos(a), uy: math.Sin(a), pitch: 12, c: tt.c, height: 14, n: tt.n}
			var c []blob
			add := func(k, h, w float64) {
				s := truth.scale(k)
				d := truth.at(k)
				cx, cy := truth.ox+d*truth.ux, truth.oy+d*truth.uy
				hw, hh := w*s/2, h*s/2
				c = append(c, blob{x0: int(math.Round(cx - hw)), x1: int(math.Round(cx+hw)) - 1,
					y0: int(math.Round(cy - hh)), y1: int(math.Round(cy+hh)) - 1, n: 50, cx: cx, cy: cy})
			}
			for k := 0; k < tt.n; k++ {
				h := 14.0
				if k%5 == 3 { // a '<', lower
					h = 8
				}
				add(float64(k), h, 9)
			}
			if tt.extra {
				add(float64(tt.n), 30, 3)
			}
			l, ok := fitLine(c)
			if !ok {
				t.Fatal("no line fitted")
			}
			t.Logf("fitted pitch %.3f c %.5f origin %.2f,%.2f", l.pitch, l.c, l.ox, l.oy)
			if l.n != tt.n {
				t.Fatalf("%d characters, want %d", l.n, tt.n)
			}
			for k := 0; k < tt.n; k++ {
				got, want := l.at(float64(k)), truth.at(float64(k))
				gx, gy := l.ox+got*l.ux, l.oy+got*l.uy
				wx, wy := truth.ox+want*truth.ux, truth.oy+want*truth.uy
				if d := math.Hypot(gx-wx, gy-wy); d > 0.1*truth.pitch*truth.scale(float64(k)) {
					t.Errorf("cell %d off by %.2f px", k, d)
				}
			}
		})
	}
}
