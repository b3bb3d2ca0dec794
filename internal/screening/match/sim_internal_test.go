package match

import (
	"math/rand/v2"
	"testing"
)

// refOSA is the textbook optimal string alignment distance, capped at 3.
func refOSA(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := 0; j <= len(b); j++ {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return min(d[len(a)][len(b)], 3)
}

// TestOSAMatchesTheFullTable: the banded osa agrees with the full table on random words.
func TestOSAMatchesTheFullTable(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 200000; k++ {
		a := make([]byte, 1+r.IntN(9))
		for i := range a {
			a[i] = "abcd"[r.IntN(4)]
		}
		b := make([]byte, 1+r.IntN(9))
		for i := range b {
			b[i] = "abcd"[r.IntN(4)]
		}
		if got, want := osa(string(a), string(b)), refOSA(string(a), string(b)); got != want {
			t.Fatalf("%s %s: %d want %d", a, b, got, want)
		}
	}
}
