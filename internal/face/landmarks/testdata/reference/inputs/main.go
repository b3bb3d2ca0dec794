// Command inputs writes the 112×112 network inputs that reference.mjs feeds to face-api and that
// the Go tests feed to the pure-Go net: the embedding package's three 150×150 inputs
// (internal/face/embedding/testdata/reference), scaled bilinearly to 112×112; RGB, 8 bits a
// channel, row by row, no header (.rgb). Run it from this folder with `go run ./inputs`; its output
// is committed, so the tests never depend on how it was made.
package main

import (
	"image"
	"log"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
)

const (
	from = 150
	size = 112
)

func main() {
	for _, name := range []string{"astronaut", "pattern", "noise"} {
		pix, err := os.ReadFile(filepath.Join("..", "..", "..", "embedding", "testdata", "reference", name+".rgb"))
		if err != nil {
			log.Fatal(err)
		}
		if len(pix) != from*from*3 {
			log.Fatalf("%s.rgb: %d bytes", name, len(pix))
		}
		src := image.NewRGBA(image.Rect(0, 0, from, from))
		for i := range from * from {
			copy(src.Pix[4*i:], pix[3*i:3*i+3])
			src.Pix[4*i+3] = 255
		}
		dst := image.NewRGBA(image.Rect(0, 0, size, size))
		draw.BiLinear.Scale(dst, dst.Rect, src, src.Rect, draw.Src, nil)
		out := make([]byte, 0, size*size*3)
		for i := 0; i < len(dst.Pix); i += 4 {
			out = append(out, dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2])
		}
		if err := os.WriteFile(name+".rgb", out, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
