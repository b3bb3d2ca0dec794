package nn

// Gemm sets c (m×n) to a (m×k) times b (k×n), all row-major. Each element is the float32 sum over
// k in order, as tfjs's CPU conv2d accumulates it.
func Gemm(c, a, b []float32, m, k, n int) {
	c = c[:m*n]
	clear(c)
	i := 0
	for ; i+4 <= m; i += 4 {
		c0, c1, c2, c3 := c[i*n:(i+1)*n], c[(i+1)*n:(i+2)*n], c[(i+2)*n:(i+3)*n], c[(i+3)*n:(i+4)*n]
		a0, a1, a2, a3 := a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k], a[(i+2)*k:(i+3)*k], a[(i+3)*k:(i+4)*k]
		for p := range k {
			b := b[p*n : (p+1)*n]
			x0, x1, x2, x3 := a0[p], a1[p], a2[p], a3[p]
			c0, c1, c2, c3 := c0[:len(b)], c1[:len(b)], c2[:len(b)], c3[:len(b)]
			for j, v := range b {
				c0[j] += x0 * v
				c1[j] += x1 * v
				c2[j] += x2 * v
				c3[j] += x3 * v
			}
		}
	}
	for ; i < m; i++ {
		ci := c[i*n : (i+1)*n]
		ai := a[i*k : (i+1)*k]
		for p, x := range ai {
			b := b[p*n : (p+1)*n]
			ci := ci[:len(b)]
			for j, v := range b {
				ci[j] += x * v
			}
		}
	}
}
