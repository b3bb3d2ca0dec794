// Command face measures kycd's face matching on the licence-clear faces of
// internal/face/facetest: how often it takes two people for one (FMR) and one person for two
// (FNMR) at face.MatchThreshold, the score distributions the threshold was chosen from, how well
// the copy check (face.ChipCorrelation) tells the portrait photographed again from a new photo,
// and the time per face.
//
// For each seed and each of the twelve faces it draws -variants document portraits
// (facetest.Portrait: printed, faded, softened, noisy, JPEG at quality 45-70) and, from the same
// random stream, three kinds of selfie: of the face photo (facetest.Selfie: cropped, rescaled,
// rotated, relit, re-encoded), of its mirror image (the same face with the light on the other side
// and its asymmetries swapped: the nearest this set comes to a second photograph), and of the
// portrait itself (the document's portrait photographed again, which the copy check must
// refuse). Each image goes through what verification does: pigo's face boxes
// (internal/verify/check), the largest face described by face.Analyzer. A variant in which pigo
// finds no face is drawn again, at most five times; how many were redrawn is reported (a failure to
// acquire the face, not a failed match).
//
// Pairs, per seed:
//   - genuine: portrait k of a face against selfie k of the same face (photo, and mirrored);
//   - impostor: every portrait of a face against every selfie (photo) of every other face.
//
// Seed 1 is the calibration seed the thresholds were chosen on (see the comments of
// face.MatchThreshold and face.CopyThreshold); -eval seeds (2 and 3 by default) are held out and
// give the figures bench/README.md quotes. It prints Markdown: per set, the pair counts, the score
// ranges, FMR and FNMR at the threshold, and the histograms.
//
// The timing runs with GOMAXPROCS=1 after the pairs: detection (pigo on the whole selfie) and
// Describe (landmarks, alignment, embedding) per face, p50 and p95 over every selfie, and as a
// baseline in the same run the embedding net alone on a ready chip (internal/face/embedding), the
// least any describe must cost.
//
// Usage, from the module's root:
//
//	go run ./bench/face
//	go run ./bench/face -calibrate 1 -eval 2,3 -variants 4
//	go run ./bench/face -timing      # the time per face only
package main

import (
	"cmp"
	"flag"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"kycd/internal/face"
	"kycd/internal/face/embedding"
	"kycd/internal/face/facetest"
	"kycd/internal/verify/check"
)

func main() {
	calibrate := flag.Int("calibrate", 1, "the seed the thresholds were chosen on")
	evalSeeds := flag.String("eval", "2,3", "held-out seeds, comma-separated")
	variants := flag.Int("variants", 4, "portraits and selfies per face per seed")
	timingOnly := flag.Bool("timing", false, "only the time per face (on selfies of seed 1)")
	flag.Parse()

	an, err := face.New()
	if err != nil {
		fail(err)
	}
	b := &bench{an: an, variants: *variants}
	if *timingOnly {
		b.run(uint64(*calibrate))
		b.timing()
		return
	}

	fmt.Printf("# Face match: %d faces, %d variants per face and seed, threshold %.2f, copy threshold %.2f\n\n",
		len(facetest.Faces()), *variants, face.MatchThreshold, face.CopyThreshold)
	fmt.Printf("Machine: %s/%s, %d CPUs, %s. Date: %s.\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"))

	cal := b.run(uint64(*calibrate))
	cal.report(fmt.Sprintf("Calibration (seed %d)", *calibrate))

	var held scores
	for _, s := range strings.Split(*evalSeeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			fail(fmt.Errorf("-eval: %w", err))
		}
		held.add(b.run(seed))
	}
	held.report(fmt.Sprintf("Held out (seeds %s)", *evalSeeds))
	held.histograms()

	b.timing()
	if held.falseMatches() > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/face:", err)
	os.Exit(1)
}

type bench struct {
	an       *face.Analyzer
	variants int
	selfies  []image.Image // every selfie described, for the timing
}

// scores are the pair scores of one or more seeds.
type scores struct {
	genuine, mirrored, impostor  []float64 // face.Similarity
	copyNCC, mirrorNCC, otherNCC []float64 // face.ChipCorrelation against the portrait
	copyMatch                    []float64 // similarity of the portrait photographed again
	redrawn, drawn               int
}

func (s *scores) add(o scores) {
	s.genuine = append(s.genuine, o.genuine...)
	s.mirrored = append(s.mirrored, o.mirrored...)
	s.impostor = append(s.impostor, o.impostor...)
	s.copyNCC = append(s.copyNCC, o.copyNCC...)
	s.mirrorNCC = append(s.mirrorNCC, o.mirrorNCC...)
	s.otherNCC = append(s.otherNCC, o.otherNCC...)
	s.copyMatch = append(s.copyMatch, o.copyMatch...)
	s.redrawn += o.redrawn
	s.drawn += o.drawn
}

// run draws one seed's portraits and selfies and scores every pair.
func (b *bench) run(seed uint64) scores {
	rng := rand.New(rand.NewPCG(seed, seed))
	faces := facetest.Faces()
	var s scores
	type variant struct{ portrait, selfie, mirrored, copied *face.Face }
	all := make([][]variant, len(faces))
	for i, f := range faces {
		for range b.variants {
			var v variant
			var portrait image.Image
			v.portrait = b.describe(&s, func() image.Image { portrait = facetest.Portrait(f.Image, rng); return portrait })
			v.selfie = b.describe(&s, func() image.Image { return facetest.Selfie(f.Image, rng) })
			v.mirrored = b.describe(&s, func() image.Image { return facetest.Selfie(facetest.Mirror(f.Image), rng) })
			v.copied = b.describe(&s, func() image.Image { return facetest.Selfie(portrait, rng) })
			all[i] = append(all[i], v)
		}
	}
	for i := range all {
		for k, v := range all[i] {
			if v.portrait == nil {
				continue
			}
			if v.selfie != nil {
				s.genuine = append(s.genuine, face.Similarity(&v.portrait.Embedding, &v.selfie.Embedding))
			}
			if v.mirrored != nil {
				s.mirrored = append(s.mirrored, face.Similarity(&v.portrait.Embedding, &v.mirrored.Embedding))
				s.mirrorNCC = append(s.mirrorNCC, face.ChipCorrelation(v.portrait, v.mirrored))
			}
			if v.copied != nil {
				s.copyNCC = append(s.copyNCC, face.ChipCorrelation(v.portrait, v.copied))
				s.copyMatch = append(s.copyMatch, face.Similarity(&v.portrait.Embedding, &v.copied.Embedding))
			}
			for j := range all {
				if j == i {
					continue
				}
				for l, w := range all[j] {
					if w.selfie == nil {
						continue
					}
					s.impostor = append(s.impostor, face.Similarity(&v.portrait.Embedding, &w.selfie.Embedding))
					if l == k {
						s.otherNCC = append(s.otherNCC, face.ChipCorrelation(v.portrait, w.selfie))
					}
				}
			}
		}
	}
	return s
}

// describe draws an image until pigo finds a face in it (at most five times) and describes the
// largest; nil when every draw lost the face.
func (b *bench) describe(s *scores, draw func() image.Image) *face.Face {
	for try := range 5 {
		img := draw()
		s.drawn++
		boxes := check.FaceBoxes(img)
		if len(boxes) == 0 {
			s.redrawn++
			continue
		}
		best := slices.MaxFunc(boxes, func(a, b image.Rectangle) int { return cmp.Compare(a.Dx(), b.Dx()) })
		f, err := b.an.Describe(img, best)
		if err != nil {
			fail(err)
		}
		if try == 0 && len(b.selfies) < 64 {
			b.selfies = append(b.selfies, img)
		}
		return f
	}
	return nil
}

func (s *scores) falseMatches() int {
	n := 0
	for _, v := range s.impostor {
		if v >= face.MatchThreshold {
			n++
		}
	}
	return n
}

func (s *scores) report(title string) {
	below := func(xs []float64, t float64) int {
		n := 0
		for _, v := range xs {
			if v < t {
				n++
			}
		}
		return n
	}
	fmt.Printf("## %s\n\n", title)
	fmt.Printf("Images drawn: %d, redrawn because pigo found no face: %d.\n\n", s.drawn, s.redrawn)
	fmt.Println("| Pairs | n | min | p1 | median | p99 | max | at threshold |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	row := func(name string, xs []float64, rate string) {
		q := quantiles(xs)
		fmt.Printf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %s |\n", name, len(xs), q[0], q[1], q[2], q[3], q[4], rate)
	}
	fm := s.falseMatches()
	row("genuine: portrait vs selfie of the photo", s.genuine, fmt.Sprintf("FNMR %s", ratio(below(s.genuine, face.MatchThreshold), len(s.genuine))))
	row("genuine: portrait vs selfie of the mirrored photo", s.mirrored, fmt.Sprintf("FNMR %s", ratio(below(s.mirrored, face.MatchThreshold), len(s.mirrored))))
	row("impostor: portrait vs another person's selfie", s.impostor, fmt.Sprintf("FMR %s", ratio(fm, len(s.impostor))))
	row("portrait photographed again (similarity)", s.copyMatch, "")
	fmt.Println()
	fmt.Println("Copy check, face.ChipCorrelation against the portrait:")
	fmt.Println()
	fmt.Println("| Selfie | n | min | median | max | taken for a copy |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | --- |")
	nrow := func(name string, xs []float64) {
		q := quantiles(xs)
		n := len(xs) - below(xs, face.CopyThreshold)
		fmt.Printf("| %s | %d | %.3f | %.3f | %.3f | %s |\n", name, len(xs), q[0], q[2], q[4], ratio(n, len(xs)))
	}
	nrow("the portrait photographed again", s.copyNCC)
	nrow("a selfie of the mirrored photo", s.mirrorNCC)
	nrow("another person's selfie", s.otherNCC)
	fmt.Println()
}

// histograms prints the similarity histograms in bins of 0.01 from the lowest score up.
func (s *scores) histograms() {
	lo := math.Floor(slices.Min(slices.Concat(s.genuine, s.mirrored, s.impostor))*100) / 100
	bins := int(math.Round((1-lo)*100)) + 1
	count := func(xs []float64) []int {
		h := make([]int, bins)
		for _, v := range xs {
			// The bin of the score as printed to three decimals.
			h[min(bins-1, max(0, int(math.Round(v*1000))/10-int(math.Round(lo*100))))]++
		}
		return h
	}
	g, m, im := count(s.genuine), count(s.mirrored), count(s.impostor)
	fmt.Println("Histogram of the held-out similarities (bin = [from, from+0.01)):")
	fmt.Println()
	fmt.Println("| from | genuine | genuine, mirrored | impostor |")
	fmt.Println("| ---: | ---: | ---: | ---: |")
	for i := range bins {
		if g[i]+m[i]+im[i] == 0 {
			continue
		}
		mark := ""
		if math.Abs(lo+float64(i)/100-face.MatchThreshold) < 1e-9 {
			mark = " ← threshold"
		}
		fmt.Printf("| %.2f%s | %d | %d | %d |\n", lo+float64(i)/100, mark, g[i], m[i], im[i])
	}
	fmt.Println()
}

// timing measures, on one core, detection and Describe per face against the embedding net alone.
func (b *bench) timing() {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	net, err := embedding.New()
	if err != nil {
		fail(err)
	}
	var detect, describe, embed []float64
	for _, img := range b.selfies {
		t0 := time.Now()
		boxes := check.FaceBoxes(img)
		t1 := time.Now()
		best := slices.MaxFunc(boxes, func(a, b image.Rectangle) int { return cmp.Compare(a.Dx(), b.Dx()) })
		f, err := b.an.Describe(img, best)
		if err != nil {
			fail(err)
		}
		t2 := time.Now()
		chip := make([]byte, 0, 3*f.Chip.Rect.Dx()*f.Chip.Rect.Dy())
		for i := 0; i < len(f.Chip.Pix); i += 4 {
			chip = append(chip, f.Chip.Pix[i], f.Chip.Pix[i+1], f.Chip.Pix[i+2])
		}
		t3 := time.Now()
		if _, err := net.EmbedRGB(chip); err != nil {
			fail(err)
		}
		t4 := time.Now()
		detect = append(detect, ms(t1.Sub(t0)))
		describe = append(describe, ms(t2.Sub(t1)))
		embed = append(embed, ms(t4.Sub(t3)))
	}
	p := func(xs []float64, q float64) float64 {
		slices.Sort(xs)
		return xs[int(math.Ceil(q*float64(len(xs))))-1]
	}
	fmt.Printf("## Time per face, GOMAXPROCS=1, %d selfies (400 px ± 60%%)\n\n", len(b.selfies))
	fmt.Println("| Step | p50 ms | p95 ms |")
	fmt.Println("| --- | ---: | ---: |")
	fmt.Printf("| detection (pigo, whole selfie) | %.1f | %.1f |\n", p(detect, 0.5), p(detect, 0.95))
	fmt.Printf("| Describe (landmarks ×2, alignment, embedding) | %.1f | %.1f |\n", p(describe, 0.5), p(describe, 0.95))
	fmt.Printf("| baseline: the embedding net alone on the chip | %.1f | %.1f |\n", p(embed, 0.5), p(embed, 0.95))
	fmt.Printf("\nDescribe / baseline (p50): %.2f\n", p(describe, 0.5)/p(embed, 0.5))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// quantiles returns min, p1, median, p99 and max (nearest rank).
func quantiles(xs []float64) [5]float64 {
	if len(xs) == 0 {
		return [5]float64{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(q float64) float64 { return s[max(0, int(math.Ceil(q*float64(len(s))))-1)] }
	return [5]float64{s[0], at(0.01), at(0.5), at(0.99), s[len(s)-1]}
}

func ratio(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d = %.2f%%", n, of, 100*float64(n)/float64(of))
}
