package embedding

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkEmbed is one forward pass over the astronaut chip; run it with -cpu 1 for the figure in
// bench/README.md.
func BenchmarkEmbed(b *testing.B) {
	pix, err := os.ReadFile(filepath.Join("testdata", "reference", "astronaut.rgb"))
	if err != nil {
		b.Fatal(err)
	}
	n := net(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.EmbedRGB(pix); err != nil {
			b.Fatal(err)
		}
	}
}
