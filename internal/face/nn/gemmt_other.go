//go:build !amd64 || purego

package nn

// useFMA is false: no assembly kernel is built here.
const useFMA = false

// gemmT4x2 does no rows: GemmT does them all in Go.
func gemmT4x2(_, _, _ []float32, _, _, _ int) int { return 0 }
