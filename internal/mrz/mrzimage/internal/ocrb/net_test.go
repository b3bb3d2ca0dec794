package ocrb

import (
	"encoding/binary"
	"image"
	"os"
	"testing"
)

// TestDefaultReadsCleanGlyphs classifies each glyph of the tests' mask file, drawn alone at its
// own size, and wants every one right with a probability above 0.9.
func TestDefaultReadsCleanGlyphs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../mrztest/ocrb_glyphs.bin")
	if err != nil {
		t.Fatal(err)
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	cw, ch, base, capH := u(0), u(1), u(2), u(3)
	masks := b[8:]
	net := Default()
	hid, prob := make([]float32, net.Hidden), make([]float32, net.Out)
	line := make([][]float32, len(Classes))
	for i := range Classes {
		g := image.NewGray(image.Rect(0, 0, 3*cw, ch))
		for p := range g.Pix {
			g.Pix[p] = 255
		}
		for y := 0; y < ch; y++ {
			for x := 0; x < cw; x++ {
				g.Pix[y*g.Stride+cw+x] = 255 - masks[i*cw*ch+y*cw+x]
			}
		}
		line[i] = make([]float32, Features)
		Sample(g, Cell{CX: 1.5 * float64(cw), CY: float64(base) - float64(capH)/2, UX: 1, Pitch: float64(cw), Height: float64(capH)}, line[i])
	}
	NormaliseLine(line)
	for i, x := range line {
		net.Forward(x, hid, prob)
		if prob[i] < 0.9 {
			t.Errorf("%c: probability %.3f", Classes[i], prob[i])
		}
	}
}

// TestWeightsRoundTrip writes the default network and reads it back.
func TestWeightsRoundTrip(t *testing.T) {
	t.Parallel()
	b, _ := Default().MarshalBinary()
	var n Net
	if err := n.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if err := n.UnmarshalBinary(b[:len(b)-1]); err == nil {
		t.Error("a short file was read")
	}
}
