package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSeedsAreUpToDate: the committed seed-* files are exactly what `go run ./scripts/fuzzseeds`
// writes, so a seed changed here is regenerated, and none is edited by hand or left behind.
func TestSeedsAreUpToDate(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	all, err := seeds(root)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := write(tmp, all); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, s := range all {
		dirs[s.dir()] = true
	}
	for dir := range dirs {
		want, _ := filepath.Glob(filepath.Join(tmp, dir, "seed-*"))
		got, _ := filepath.Glob(filepath.Join(root, dir, "seed-*"))
		if len(got) != len(want) {
			t.Errorf("%s: %d seed files committed, %d generated: run go run ./scripts/fuzzseeds", dir, len(got), len(want))
		}
		for _, w := range want {
			a, _ := os.ReadFile(w)
			b, err := os.ReadFile(filepath.Join(root, dir, filepath.Base(w)))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs from what fuzzseeds writes: run go run ./scripts/fuzzseeds", dir, filepath.Base(w))
			}
		}
	}
}
