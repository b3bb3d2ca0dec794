// Command train fits the OCR-B character classifier of package ocrb and writes its weights, and
// writes the glyph masks that the reader's tests render documents with, so that neither the tests
// nor the server need the font. Its only input is Debian's fonts-ocr-b (public domain, by Matthew
// Skala after Norbert Schwarz's METAFONT sources); run it with `go generate ./internal/mrz/mrzimage`
// or `make mrz-weights`, which installs the font first. The run is deterministic for a seed.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"golang.org/x/image/font/opentype"

	"kycd/internal/mrz/mrzimage/internal/ocrb"
)

func main() {
	fontPath := flag.String("font", "/usr/share/fonts/opentype/ocr-b/OCRBS.otf", "the OCR-B font (Debian fonts-ocr-b); OCRB.otf draws 8 and < with a CFF flex operator that golang.org/x/image cannot read, its Sharp cut OCRBS.otf has the same shapes without it")
	out := flag.String("out", "internal/ocrb/weights.bin", "where to write the weights")
	glyphs := flag.String("glyphs", "../mrztest/ocrb_glyphs.bin", "where to write the glyph masks for the tests")
	lines := flag.Int("lines", 3000, "training lines of 44 characters")
	hidden := flag.Int("hidden", 128, "hidden units")
	epochs := flag.Int("epochs", 20, "training epochs")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()

	raw, err := os.ReadFile(*fontPath)
	if err != nil {
		log.Fatalf("read the font (apt-get install fonts-ocr-b): %v", err)
	}
	f, err := opentype.Parse(raw)
	if err != nil {
		log.Fatalf("parse the font: %v", err)
	}
	if err := os.WriteFile(*glyphs, glyphMasks(f), 0o644); err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 0x4f435242))
	train := makeSet(f, rng, *lines)
	valid := makeSet(f, rand.New(rand.NewPCG(*seed+1000, 0x4f435242)), *lines/5)
	log.Printf("%d training and %d validation cells", len(train.y), len(valid.y))
	net := ocrb.NewNet(*hidden)
	fit(net, train, valid, *epochs, rng)
	b, _ := net.MarshalBinary()
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%d bytes), validation error %.4f\n", *out, len(b), errorRate(net, valid))
}
