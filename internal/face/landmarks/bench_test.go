package landmarks

import "testing"

// BenchmarkDetect is one forward pass over the astronaut crop; run it with -cpu 1 for the figure
// in bench/README.md.
func BenchmarkDetect(b *testing.B) {
	pix := readRGB(b, "astronaut")
	n := net(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.DetectRGB(pix); err != nil {
			b.Fatal(err)
		}
	}
}
