package check

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The minimum size is calibrated on the finest detail an identity card prints: the strokes of
// its 7-point data fields (cap height about 1.8 mm), 0.25 mm wide with 0.30 mm of paper between
// them in letters such as m, e, 8. A capture keeps that detail when the strokes still stand apart
// after the camera's pixels average them: in a row of five, each gap between the middle three is
// lighter than the strokes beside it by at least printLegible of the printed contrast (MTF30, the
// usual limit of comfortable reading).
const (
	cardWidthMM  = 85.6 // ID-1, the size of an identity card and of a driving licence
	strokeMM     = 0.25
	gapMM        = 0.30
	printLegible = 0.3
)

// strokesKept simulates one photo of a card and reports whether its finest print stays legible:
// a frame whose shorter side is short px (4:3), the card filling fill of its width, the strokes at
// phase phase (0-1 of a pixel), and a lens and demosaic blur of sigma px.
//
// Pixel i covers the card from (first+i+phase)/ppm mm to (first+i+1+phase)/ppm mm.
func strokesKept(short int, fill, phase, sigma float64) bool {
	ppm := fill * float64(short) * 4 / 3 / cardWidthMM // pixels per mm on the card
	period := strokeMM + gapMM
	reflect := func(mm float64) float64 { // paper 0.9, ink 0.15; five strokes from 0
		if mm >= 0 && mm < 5*period-gapMM && math.Mod(mm, period) < strokeMM {
			return 0.15
		}
		return 0.9
	}
	// Pixels over the strokes and two periods each side, each the mean of the card beneath it.
	first := int(math.Floor(-2*period*ppm)) - 1
	n := int(math.Ceil(7*period*ppm)) + 3
	px := make([]float64, n)
	for i := range px {
		const sub = 32
		for s := range sub {
			px[i] += reflect((float64(first+i) + phase + (float64(s)+0.5)/sub) / ppm)
		}
		px[i] /= sub
	}
	if sigma > 0 {
		r := int(math.Ceil(3 * sigma))
		out := make([]float64, n)
		for i := range px {
			var acc, wsum float64
			for k := -r; k <= r; k++ {
				w := math.Exp(-float64(k*k) / (2 * sigma * sigma))
				acc += w * px[min(max(i+k, 0), n-1)]
				wsum += w
			}
			out[i] = acc / wsum
		}
		px = out
	}
	// The second, third and fourth strokes must stand apart: the lightest pixel over each gap
	// between them lighter, by printLegible of the printed contrast, than the darkest pixel over
	// each stroke beside it.
	span := func(from, to float64, pick func(a, b float64) float64) float64 {
		i0, i1 := int(math.Floor(from*ppm-phase))-first, int(math.Ceil(to*ppm-phase))-first
		v := px[i0]
		for _, p := range px[i0:i1] {
			v = pick(v, p)
		}
		return v
	}
	for k := 1; k <= 2; k++ {
		gap := span(float64(k)*period+strokeMM, float64(k+1)*period, math.Max)
		for _, at := range []float64{float64(k) * period, float64(k+1) * period} {
			if gap-span(at, at+strokeMM, math.Min) < printLegible*(0.9-0.15) {
				return false
			}
		}
	}
	return true
}

// legibleShare is the share of count simulated photos at shorter side short whose finest print is
// legible: the card filling 60-85% of the frame's width, at a random phase, blurred by sigma
// 0.3-0.7 px.
func legibleShare(seed uint64, short, count int) float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(short)))
	kept := 0
	for range count {
		if strokesKept(short, between(rng, 0.6, 0.85), rng.Float64(), between(rng, 0.3, 0.7)) {
			kept++
		}
	}
	return float64(kept) / float64(count)
}

// TestMinShortSideFigures logs the legible share at each size on the tuning seed: the figures
// DefaultMinShortSide was chosen from.
func TestMinShortSideFigures(t *testing.T) {
	t.Parallel()
	for short := 300; short <= 900; short += 50 {
		t.Logf("short side %4d px: %5.1f%% legible", short, 100*legibleShare(tuneSeed, short, 400))
	}
}

// TestMinShortSide evaluates DefaultMinShortSide on the evaluation seed: at that size at least
// 99% of photos keep the finest print of an identity card, and at three quarters of it more than
// a tenth lose it, so the bound is neither lax nor needlessly strict.
func TestMinShortSide(t *testing.T) {
	t.Parallel()
	at, below := legibleShare(evalSeed, DefaultMinShortSide, 1000), legibleShare(evalSeed, DefaultMinShortSide*3/4, 1000)
	t.Logf("legible at %d px: %.1f%%, at %d px: %.1f%%", DefaultMinShortSide, 100*at, DefaultMinShortSide*3/4, 100*below)
	if at < 0.99 {
		t.Errorf("at %d px only %.1f%% legible, want 99%%", DefaultMinShortSide, 100*at)
	}
	if below > 0.9 {
		t.Errorf("at %d px %.1f%% legible: the minimum could be lower", DefaultMinShortSide*3/4, 100*below)
	}
}
