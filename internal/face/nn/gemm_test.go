package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gemmSizes leave every remainder path some work: rows not a multiple of 4 or 3, an odd column
// count, k under 8 and not a multiple of 8 (147 is the first convolution's 7×7×3).
var gemmSizes = [][3]int{{1, 1, 1}, {4, 3, 2}, {7, 5, 3}, {5, 9, 3}, {9, 147, 32}, {13, 150, 5}, {16, 2304, 256}}

func randomMatrices(rng *rand.Rand, m, k, n int) (a, b []float32) {
	a, b = make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = rng.Float32()*2 - 1
	}
	for i := range b {
		b[i] = rng.Float32()*2 - 1
	}
	return a, b
}

// TestGemmTGo checks the Go blocked product against the plain one, bit for bit (both sum in the
// same order, tfjs's).
func TestGemmTGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range gemmSizes {
		m, k, n := s[0], s[1], s[2]
		a, b := randomMatrices(rng, m, k, n)
		want, got := make([]float32, m*n), make([]float32, m*n)
		Gemm(want, a, b, m, k, n)
		gemmTGo(got, a, Transpose(b, k, n), m, k, n)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: c[%d] = %g, want %g", s, i, got[i], want[i])
			}
		}
	}
}

// TestGemmT checks GemmT (the assembly kernel where the CPU has AVX2 and FMA) against the sums
// taken in float64: within float32 rounding of a sum of k products, k·2⁻²³ of the sum of their
// magnitudes, and every element written (the output starts as NaN).
func TestGemmT(t *testing.T) {
	t.Parallel()
	t.Logf("assembly kernel in use: %v", useFMA)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range gemmSizes {
		m, k, n := s[0], s[1], s[2]
		a, b := randomMatrices(rng, m, k, n)
		got := make([]float32, m*n)
		for i := range got {
			got[i] = float32(math.NaN())
		}
		GemmT(got, a, Transpose(b, k, n), m, k, n)
		for i := range m {
			for j := range n {
				var want, mag float64
				for p := range k {
					x := float64(a[i*k+p]) * float64(b[p*n+j])
					want, mag = want+x, mag+math.Abs(x)
				}
				if d := math.Abs(float64(got[i*n+j]) - want); !(d <= float64(k)*mag*0x1p-23+1e-30) {
					t.Fatalf("%v: c[%d][%d] = %g, want %g (off by %g)", s, i, j, got[i*n+j], want, d)
				}
			}
		}
	}
}
