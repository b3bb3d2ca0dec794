// Package nn holds the arithmetic that kycd's face nets share (internal/face/embedding,
// internal/face/landmarks): float32 matrix products, im2col for convolutions, and a per-pass
// workspace that makes a pass after the first allocate nothing. It knows no layer or net.
//
// GemmT, the product every convolution runs, has two implementations. On amd64 CPUs with AVX2
// and FMA it runs blocks of 4 rows by 2 columns in assembly (gemmt_amd64.s, no cgo): eight lanes
// of fused multiply-adds, about five times as fast as Go on this project's test machine
// (bench/README.md, "Face embeddings"). Elsewhere, or built with -tags purego, it is Go only
// (gemmTGo), summing in tfjs's order so the nets match face-api's outputs to the last bits; the
// assembly sums in another order and the nets still match face-api within 3e-7.
package nn
