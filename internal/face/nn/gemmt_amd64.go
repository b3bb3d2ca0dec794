//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// useFMA reports whether the CPU runs dot4x2: AVX2 and FMA, as nearly every x86-64 server since
// 2013 (Haswell, Zen) has. Built with -tags purego, or on a CPU without them, GemmT is Go only.
var useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot4x2 sets out to the dot products of a0..a3 with b0 and b1 over their first n floats (n a
// multiple of 8), 8 lanes at a time with fused multiply-adds: out[2r+c] = a_r · b_c.
//
//go:noescape
func dot4x2(a0, a1, a2, a3, b0, b1 *float32, n int, out *[8]float32)

// gemmT4x2 computes GemmT's rows in blocks of 4 rows by 2 columns with dot4x2 and returns how
// many rows it did (0 without AVX2 and FMA, or when k is under 8); GemmT does the rest in Go.
func gemmT4x2(c, a, bt []float32, m, k, n int) int {
	if !useFMA || k < 8 {
		return 0
	}
	k8 := k &^ 7
	var out [8]float32
	i := 0
	for ; i+4 <= m; i += 4 {
		rows := [4][]float32{a[i*k : (i+1)*k], a[(i+1)*k : (i+2)*k], a[(i+2)*k : (i+3)*k], a[(i+3)*k : (i+4)*k]}
		j := 0
		for ; j+2 <= n; j += 2 {
			b0, b1 := bt[j*k:(j+1)*k], bt[(j+1)*k:(j+2)*k]
			dot4x2(&rows[0][0], &rows[1][0], &rows[2][0], &rows[3][0], &b0[0], &b1[0], k8, &out)
			for r, ar := range rows {
				s0, s1 := out[2*r], out[2*r+1]
				for p := k8; p < k; p++ {
					s0 += ar[p] * b0[p]
					s1 += ar[p] * b1[p]
				}
				c[(i+r)*n+j], c[(i+r)*n+j+1] = s0, s1
			}
		}
		for ; j < n; j++ {
			for r, ar := range rows {
				c[(i+r)*n+j] = dot(ar, bt[j*k:(j+1)*k])
			}
		}
	}
	return i
}
