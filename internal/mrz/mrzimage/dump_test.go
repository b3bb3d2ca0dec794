package mrzimage

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// dump writes img under $MRZ_CORPUS_DUMP for a look at what was not read.
func dump(t *testing.T, name string, img image.Image) {
	dir := os.Getenv("MRZ_CORPUS_DUMP")
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
