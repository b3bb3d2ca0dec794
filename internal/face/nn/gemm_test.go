package nn

import (
	"math/rand/v2"
	"testing"
)

// TestGemmT checks the blocked product against the plain one, bit for bit (both sum in the same
// order), on sizes that leave every remainder path some work.
func TestGemmT(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{1, 1, 1}, {4, 3, 2}, {7, 5, 3}, {9, 147, 32}, {16, 2304, 256}} {
		m, k, n := s[0], s[1], s[2]
		a, b := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = rng.Float32()*2 - 1
		}
		for i := range b {
			b[i] = rng.Float32()*2 - 1
		}
		want, got := make([]float32, m*n), make([]float32, m*n)
		Gemm(want, a, b, m, k, n)
		GemmT(got, a, Transpose(b, k, n), m, k, n)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: c[%d] = %g, want %g", s, i, got[i], want[i])
			}
		}
	}
}
