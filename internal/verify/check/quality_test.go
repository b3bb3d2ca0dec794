package check

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Seeds of the generated captures: the image-quality constants were tuned on tuneSeed (the
// figures TestCaptureFigures logs) and are evaluated on evalSeed (TestCaptureQuality). Seed 2 was
// the first evaluation seed; three of its captures failed once the captures went through JPEG, and
// the retune that followed looked at them, so it is no longer held out. Seed 3 was first run after
// the constants were set.
const (
	tuneSeed = 1
	evalSeed = 3
	// perVariant is how many captures each variant has per seed.
	perVariant = 24
)

// captureVariant is one kind of capture: how to draw its spec, and the check that must refuse it
// ("" when every check must accept it; a refused capture may fail other checks too).
type captureVariant struct {
	name   string
	spec   func(rng *rand.Rand) captureSpec
	refuse string
	// why starts the refusing check's Detail: what it says is wrong.
	why string
}

// between returns a uniform value in [lo, hi).
func between(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

// photo is a well-exposed phone photo of a bill on a surface of a random level, saved as a JPEG
// of quality 40-90.
func photo(rng *rand.Rand) captureSpec {
	return captureSpec{paper: between(rng, 200, 235), ink: between(rng, 15, 60), background: between(rng, 30, 200),
		gain: 1, noise: between(rng, 1, 5), jpeg: 40 + rng.IntN(51)}
}

var captureVariants = []captureVariant{
	{"white utility bill", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.paper = between(rng, 228, 245) // the document area's mean is 203-225
		return s
	}, "", ""},
	{"bright passport page", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.passport, s.paper = true, between(rng, 225, 245)
		return s
	}, "", ""},
	{"bright scan", func(rng *rand.Rand) captureSpec {
		return captureSpec{scan: true, paper: between(rng, 250, 290), ink: between(rng, 10, 50), gain: 1, noise: between(rng, 0, 2)}
	}, "", ""},
	{"light background", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.background = between(rng, 220, 270)
		return s
	}, "", ""},
	{"small page on a black table", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.fill, s.background = between(rng, 0.35, 0.5), between(rng, 0, 12)
		return s
	}, "", ""},
	{"dim but readable", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.gain = between(rng, 0.5, 0.7)
		return s
	}, "", ""},
	{"slightly soft", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.blur = between(rng, 0.4, 0.9)
		return s
	}, "", ""},
	{"underexposed", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.gain = between(rng, 0.1, 0.3)
		return s
	}, NameImageExposure, "too dark"},
	{"washed out", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.gain, s.lift = between(rng, 0.5, 1), between(rng, 130, 190)
		return s
	}, NameImageExposure, "washed out"},
	{"glare over the text", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		// A lamp bright enough to glare makes the camera expose for it: the paper around the spot
		// lies at 190-230, not at the edge of clipping. (Glare on paper that is itself nearly
		// clipped is not told apart from the paper: see FindGlare.)
		s.paper, s.glare = between(rng, 190, 230), between(rng, 22, 60)
		return s
	}, NameImageGlare, "glare"},
	{"blurred", func(rng *rand.Rand) captureSpec {
		s := photo(rng)
		s.blur = between(rng, 2.5, 5)
		return s
	}, NameImageSharp, "blurred"},
}

// captureChecks are the checks that judge a capture's quality, run as the engine runs them.
func captureChecks(img image.Image) []Result {
	g := Normalize(img)
	return []Result{Sharpness(g, 0), Exposure(g, ExposureLimits{}), Glare(g, 0)}
}

// captureSet holds the generated captures of one seed, normalised, by variant.
type captureSet map[string][]*image.Gray

// captures generates, once per test binary and seed, perVariant captures of every variant.
var captures = sync.OnceValue(func() map[uint64]captureSet {
	out := map[uint64]captureSet{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, seed := range []uint64{tuneSeed, evalSeed} {
		out[seed] = captureSet{}
		for vi, v := range captureVariants {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, uint64(vi)))
				imgs := make([]*image.Gray, perVariant)
				for i := range imgs {
					imgs[i] = Normalize(capture(rng, v.spec(rng)))
				}
				mu.Lock()
				out[seed][v.name] = imgs
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return out
})

// TestCaptureFigures logs, for each variant of the tuning seed, the range of every measure the
// quality checks read: the figures the defaults were chosen from.
func TestCaptureFigures(t *testing.T) {
	t.Parallel()
	for _, v := range captureVariants {
		var lap, sharp, mean, rim, crushed, clipped, glare []float64
		var shadow, highlight []int
		for _, g := range captures()[tuneSeed][v.name] {
			l := MeasureLuminance(g)
			s, _ := FindGlare(g)
			sharp, rim = append(sharp, SharpnessScore(g)), append(rim, float64(s.RimLevel))
			lap, mean, crushed, clipped = append(lap, LaplacianVariance(g)), append(mean, l.Mean), append(crushed, l.Crushed), append(clipped, l.Clipped)
			shadow, highlight, glare = append(shadow, l.Shadow), append(highlight, l.Highlight), append(glare, s.Share)
		}
		t.Logf("%-22s laplacian %s sharpness %s mean %s crushed %s clipped %s shadow %s highlight %s glare %s rim %s", v.name,
			span(lap, "%.0f"), span(sharp, "%.0f"), span(mean, "%.0f"), span(crushed, "%.3f"), span(clipped, "%.3f"),
			span(shadow, "%d"), span(highlight, "%d"), span(glare, "%.4f"), span(rim, "%.0f"))
	}
}

// span formats the least and greatest of xs.
func span[T int | float64](xs []T, verb string) string {
	return fmt.Sprintf(verb+"-"+verb, slices.Min(xs), slices.Max(xs))
}

// TestCaptureQuality evaluates the quality checks on the evaluation seed: every capture of an
// accepted variant passes all of them, and every capture of a refused variant fails the check
// that names what is wrong with it.
func TestCaptureQuality(t *testing.T) {
	t.Parallel()
	for _, v := range captureVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			imgs := captures()[evalSeed][v.name]
			right := 0
			for i, g := range imgs {
				ok := true
				for _, r := range captureChecks(g) {
					want := r.Name == v.refuse
					if want && r.Failed && !strings.HasPrefix(r.Detail, v.why) {
						ok = false
						t.Logf("capture %d: %s failed for another reason: %s", i, r.Name, r.Detail)
					}
					if r.Failed != want && (v.refuse == "" || want) {
						ok = false
						if r.Failed {
							t.Logf("capture %d: %s failed: %s", i, r.Name, r.Detail)
						} else {
							t.Logf("capture %d: %s passed", i, r.Name)
						}
					}
				}
				if ok {
					right++
				}
			}
			verb := "accepted"
			if v.refuse != "" {
				verb = "refused by " + v.refuse
			}
			t.Logf("%s: %d of %d %s", v.name, right, len(imgs), verb)
			if right != len(imgs) {
				t.Errorf("%d of %d %s, want all", right, len(imgs), verb)
			}
		})
	}
}
