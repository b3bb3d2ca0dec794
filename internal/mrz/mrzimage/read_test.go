package mrzimage

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// corpusNow is the date the corpus is read against, so that the expiry years of the corpus
// (2026-2035) stay in this century.
var corpusNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// minExactRate is the share of each variant's documents that must be read exactly: the issue's
// goals, 97% of clean and mildly degraded images (perspective, glare and a card in part of the
// frame included) and 85% of the hard combinations. The default run reads 15 of 15 per mild
// variant; see bench/README.md for runs of 40 per variant on seeds 1-3, where combined-800px
// reads 80% on seed 3. glare-zone and torture assert no rate, only that nothing wrong is
// accepted. The reader's thresholds were set on seed 1.
var minExactRate = map[string]float64{
	"clean": 0.97, "rot90": 0.97, "rot180": 0.97, "rot270": 0.97, "skew10": 0.97,
	"blur": 0.97, "jpeg40-60": 0.97, "800px": 0.97, "uneven-light": 0.97, "perspective": 0.97,
	"glare": 0.97, "partial-frame": 0.97, "combined": 0.97, "combined-800px": 0.85,
	"combined-hard": 0.85, "glare-zone": 0, "torture": 0,
}

// corpusSeed is the evaluation seed; MRZ_CORPUS_SEED=1 gives the tuning set. MRZ_CORPUS_N sets
// the documents per format and variant (default 3, so that the test stays short).
func corpusParams() (seed uint64, n int) {
	seed, n = 2, 3
	if v, err := strconv.ParseUint(os.Getenv("MRZ_CORPUS_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("MRZ_CORPUS_N")); err == nil && v > 0 {
		n = v
	}
	return seed, n
}

// TestReadCorpus renders documents of every format, degrades them by each variant, and asserts
// the exact-read rate of each variant and that no read that was accepted differs from the truth.
func TestReadCorpus(t *testing.T) {
	t.Parallel()
	g, err := loadGlyphs()
	if err != nil {
		t.Fatal(err)
	}
	seed, n := corpusParams()
	for vi, v := range corpusVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, uint64(vi)))
			exact, wrong, total := 0, 0, 0
			reasons := map[string]int{}
			for i := 0; i < n; i++ {
				for f := range corpusFormats {
					doc := renderDocument(rng, g, f, v.docW(rng))
					img := v.apply(rng, doc)
					total++
					r, err := ReadAt(img, corpusNow)
					switch {
					case err != nil:
						if !errors.Is(err, ErrNotRead) {
							t.Fatalf("error does not wrap ErrNotRead: %v", err)
						}
						reasons[corpusFormats[f].Name+": "+strings.TrimPrefix(err.Error(), ErrNotRead.Error()+": ")]++
						if os.Getenv("MRZ_CORPUS_DUMP") != "" {
							dump(t, fmt.Sprintf("%s-%d-%s", v.name, i, corpusFormats[f].Name), img)
						}
					case slices.Equal(r.Lines, doc.lines):
						exact++
					default:
						wrong++
						t.Errorf("accepted a wrong read (%s):\n got %q\nwant %q", corpusFormats[f].Name, r.Lines, doc.lines)
					}
				}
			}
			rate := float64(exact) / float64(total)
			var rs []string
			for k, c := range reasons {
				rs = append(rs, fmt.Sprintf("%d x %s", c, k))
			}
			sort.Strings(rs)
			t.Logf("seed %d %-13s exact %d/%d (%.1f%%), wrong-but-valid %d; not read: %s", seed, v.name, exact, total, 100*rate, wrong, strings.Join(rs, "; "))
			if rate < minExactRate[v.name] {
				t.Errorf("exact reads %.1f%%, want at least %.1f%%", 100*rate, 100*minExactRate[v.name])
			}
		})
	}
}

// TestReadNothing wants ErrNotRead, and no zone, from images without one.
func TestReadNothing(t *testing.T) {
	t.Parallel()
	g, err := loadGlyphs()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	blank := image.NewGray(image.Rect(0, 0, 800, 600))
	for i := range blank.Pix {
		blank.Pix[i] = 230
	}
	noise := image.NewGray(image.Rect(0, 0, 800, 600))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	// A document whose zone is covered by a strip of paper, and the left half of one.
	covered := renderDocument(rng, g, 0, 1200).img
	b := covered.Bounds()
	draw.Draw(covered, image.Rect(0, b.Dy()*78/100, b.Dx(), b.Dy()), image.NewUniform(color.RGBA{240, 240, 235, 255}), image.Point{}, draw.Src)
	whole := renderDocument(rng, g, 0, 1200).img
	b = whole.Bounds()
	half := whole.SubImage(image.Rect(0, 0, b.Dx()*55/100, b.Dy()))
	for name, img := range map[string]image.Image{"blank": blank, "noise": noise, "covered": covered, "left half": half} {
		r, err := ReadAt(img, corpusNow)
		if !errors.Is(err, ErrNotRead) || r != nil {
			t.Errorf("%s: read %v, %v; want ErrNotRead", name, r, err)
		}
		t.Logf("%s: %v", name, err)
	}
}
