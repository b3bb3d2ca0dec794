// Command inputs writes the network inputs that reference.mjs feeds to face-api and that the Go
// tests feed to the pure-Go net: 150x150 RGB, 8 bits a channel, row by row, no header (.rgb).
// Run it from this folder with `go run ./inputs`; its output is committed, so the tests never
// depend on how it was made.
package main

import (
	"image"
	"log"
	"os"

	"golang.org/x/image/draw"

	"kycd/internal/mrz/mrztest"
)

const size = 150

func main() {
	for name, pix := range map[string][]byte{
		"astronaut.rgb": astronaut(),
		"pattern.rgb":   pattern(),
		"noise.rgb":     noise(),
	} {
		if err := os.WriteFile(name, pix, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// astronaut is the face of the NASA portrait mrztest embeds: a 160-pixel square around it, scaled
// to 150 bilinearly. It is roughly, not exactly, the chip dlib's alignment would cut.
func astronaut() []byte {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.BiLinear.Scale(dst, dst.Rect, mrztest.Portrait(), image.Rect(145, 40, 305, 200), draw.Src, nil)
	return rgb(dst)
}

// pattern is smooth ramps with a diagonal grating: every pixel value occurs, and the net's
// 'same' padding at the borders matters.
func pattern() []byte {
	pix := make([]byte, 0, size*size*3)
	for y := range size {
		for x := range size {
			pix = append(pix, byte(x*255/(size-1)), byte(y*255/(size-1)), byte((x+2*y)*8%256))
		}
	}
	return pix
}

// noise is uniform bytes from a xorshift32 generator seeded with 1: an input far from any face.
func noise() []byte {
	pix := make([]byte, size*size*3)
	s := uint32(1)
	for i := range pix {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		pix[i] = byte(s >> 24)
	}
	return pix
}

func rgb(img *image.RGBA) []byte {
	pix := make([]byte, 0, size*size*3)
	for i := 0; i < len(img.Pix); i += 4 {
		pix = append(pix, img.Pix[i], img.Pix[i+1], img.Pix[i+2])
	}
	return pix
}
