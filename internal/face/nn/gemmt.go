package nn

// GemmT sets c (m×n) to a (m×k) times bt (n×k) transposed, all row-major: c[i][j] is the dot
// product of row i of a and row j of bt. On amd64 with AVX2 and FMA (unless built with -tags
// purego) blocks of 4 rows by 2 columns run in assembly, eight lanes of fused multiply-adds at a
// time (dot4x2), so the sums are taken in another order than tfjs's and differ from gemmTGo's by
// float32 rounding; elsewhere, and for the rows left over, gemmTGo runs.
func GemmT(c, a, bt []float32, m, k, n int) {
	c = c[:m*n]
	done := gemmT4x2(c, a, bt, m, k, n)
	gemmTGo(c[done*n:], a[done*k:], bt, m-done, k, n)
}

// gemmTGo is GemmT in Go: each element summed over k in order in float32, as tfjs's CPU conv2d
// accumulates it. Blocks of 3 rows by 2 columns keep six sums in registers (four by two spills on
// amd64 and is slower).
func gemmTGo(c, a, bt []float32, m, k, n int) {
	c = c[:m*n]
	i := 0
	for ; i+3 <= m; i += 3 {
		a0, a1, a2 := a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k], a[(i+2)*k:(i+3)*k]
		j := 0
		for ; j+2 <= n; j += 2 {
			b0, b1 := bt[j*k:(j+1)*k], bt[(j+1)*k:(j+2)*k]
			var s00, s01, s10, s11, s20, s21 float32
			a0, a1, a2 := a0[:len(b0)], a1[:len(b0)], a2[:len(b0)]
			b1 = b1[:len(b0)]
			for p, x := range b0 {
				y := b1[p]
				u, v, w := a0[p], a1[p], a2[p]
				s00 += u * x
				s01 += u * y
				s10 += v * x
				s11 += v * y
				s20 += w * x
				s21 += w * y
			}
			c[i*n+j], c[i*n+j+1] = s00, s01
			c[(i+1)*n+j], c[(i+1)*n+j+1] = s10, s11
			c[(i+2)*n+j], c[(i+2)*n+j+1] = s20, s21
		}
		for ; j < n; j++ {
			for r, ar := range [3][]float32{a0, a1, a2} {
				c[(i+r)*n+j] = dot(ar, bt[j*k:(j+1)*k])
			}
		}
	}
	for ; i < m; i++ {
		for j := range n {
			c[i*n+j] = dot(a[i*k:(i+1)*k], bt[j*k:(j+1)*k])
		}
	}
}

// dot is the float32 sum of x[p]·y[p] in order.
func dot(x, y []float32) float32 {
	var s float32
	y = y[:len(x)]
	for p, v := range x {
		s += v * y[p]
	}
	return s
}

// Transpose returns the n×m transpose of the m×n row-major b.
func Transpose(b []float32, m, n int) []float32 {
	t := make([]float32, len(b))
	for i := range m {
		for j := range n {
			t[j*m+i] = b[i*n+j]
		}
	}
	return t
}
