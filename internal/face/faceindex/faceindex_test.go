package faceindex

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// unit returns a random unit vector: components drawn from a normal distribution, as embeddings'
// are spread.
func unit(rng *rand.Rand) []float32 {
	v := make([]float32, Dim)
	var n float64
	for i := range v {
		c := rng.NormFloat64()
		v[i], n = float32(c), n+c*c
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// near returns a unit vector at cosine similarity about cos from v.
func near(rng *rand.Rand, v []float32, cos float64) []float32 {
	w := unit(rng)
	// Make w orthogonal to v, then mix.
	var d float64
	for i := range v {
		d += float64(v[i]) * float64(w[i])
	}
	var n float64
	for i := range w {
		w[i] -= float32(d) * v[i]
		n += float64(w[i]) * float64(w[i])
	}
	s := math.Sqrt(1 - cos*cos)
	out := make([]float32, Dim)
	for i := range out {
		out[i] = float32(cos)*v[i] + float32(s/math.Sqrt(n))*w[i]
	}
	return out
}

func cosine(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

// TestSearch finds the planted near faces above the threshold, most similar first, skips what it
// is told to, and forgets removed faces.
func TestSearch(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	x := New()
	for i := range 20000 {
		if err := x.Add(fmt.Sprint("f", i), unit(rng)); err != nil {
			t.Fatal(err)
		}
	}
	q := unit(rng)
	for _, c := range []struct {
		key string
		cos float64
	}{{"same-0.9", 0.9}, {"same-0.8", 0.8}, {"other-0.3", 0.3}} {
		if err := x.Add(c.key, near(rng, q, c.cos)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.Search(q, 0.6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Key != "same-0.9" || got[1].Key != "same-0.8" {
		t.Fatalf("search: %+v", got)
	}
	got, _ = x.Search(q, 0.6, func(k string) bool { return k == "same-0.9" })
	if len(got) != 1 || got[0].Key != "same-0.8" {
		t.Fatalf("search skipping same-0.9: %+v", got)
	}
	x.Remove("same-0.8")
	x.Remove("f7") // moves the last face into its place
	got, _ = x.Search(q, 0.6, nil)
	if len(got) != 1 || got[0].Key != "same-0.9" || x.Len() != 20001 {
		t.Fatalf("after removals: %+v, %d faces", got, x.Len())
	}
	// Replacing a face's embedding moves it.
	if err := x.Add("same-0.9", unit(rng)); err != nil {
		t.Fatal(err)
	}
	if got, _ = x.Search(q, 0.6, nil); len(got) != 0 || x.Len() != 20001 {
		t.Fatalf("after replacing: %+v", got)
	}
	if err := x.Add("bad", make([]float32, Dim)); err != ErrDim {
		t.Fatalf("zero vector: %v", err)
	}
	if _, err := x.Search(make([]float32, 3), 0, nil); err != ErrDim {
		t.Fatalf("short query: %v", err)
	}
}

// TestQuantisationError bounds what the int8 codes cost: over 20,000 random pairs at similarities
// from -0.2 to 1, the index's similarity is within 0.01 of the exact cosine.
func TestQuantisationError(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	for i := range 20000 {
		a := unit(rng)
		b := near(rng, a, -0.2+1.2*float64(i%100)/99)
		x := New()
		if err := x.Add("b", b); err != nil {
			t.Fatal(err)
		}
		got, _ := x.Search(a, -1, nil)
		worst = math.Max(worst, math.Abs(float64(got[0].Similarity)-cosine(a, b)))
	}
	t.Logf("largest error of the similarity: %.5f", worst)
	if worst > 0.01 {
		t.Fatalf("the int8 codes move a similarity by %.4f, more than 0.01", worst)
	}
}

// BenchmarkSearch times one search over 10k, 100k and 1M random faces.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			x := New()
			for i := range n {
				if err := x.Add(fmt.Sprint(i), unit(rng)); err != nil {
					b.Fatal(err)
				}
			}
			q := unit(rng)
			for b.Loop() {
				if _, err := x.Search(q, 0.6, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanFloat32 is the baseline: the same faces kept as float32 unit vectors and scanned
// with a plain float32 dot product on one goroutine, what the index would do without its codes.
func BenchmarkScanFloat32(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			all := make([]float32, 0, n*Dim)
			for range n {
				all = append(all, unit(rng)...)
			}
			q := unit(rng)
			for b.Loop() {
				hits := 0
				for i := 0; i < n; i++ {
					var s float32
					for j, c := range all[i*Dim : (i+1)*Dim] {
						s += c * q[j]
					}
					if s >= 0.6 {
						hits++
					}
				}
				_ = hits
			}
		})
	}
}
