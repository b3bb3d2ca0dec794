package ocrb

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Net is a network of one hidden layer of rectified linear units and a softmax output over
// Classes. Its weights are float32 so that the committed file stays small.
type Net struct {
	// In, Hidden and Out are the layer sizes; In is Features and Out len(Classes).
	In, Hidden, Out int
	// W1 (Hidden x In) and B1 give the hidden layer, W2 (Out x Hidden) and B2 the output.
	W1, B1, W2, B2 []float32
}

// NewNet returns a network of the given hidden size with all weights zero.
func NewNet(hidden int) *Net {
	in, out := Features, len(Classes)
	return &Net{In: in, Hidden: hidden, Out: out,
		W1: make([]float32, hidden*in), B1: make([]float32, hidden),
		W2: make([]float32, out*hidden), B2: make([]float32, out)}
}

// Forward computes the hidden activations into hid (length Hidden) and the class probabilities
// into prob (length Out).
func (n *Net) Forward(x, hid, prob []float32) {
	for j := 0; j < n.Hidden; j++ {
		s := n.B1[j]
		row := n.W1[j*n.In : (j+1)*n.In]
		for i, v := range x {
			s += row[i] * v
		}
		hid[j] = max(s, 0)
	}
	top := float32(math.Inf(-1))
	for k := 0; k < n.Out; k++ {
		s := n.B2[k]
		row := n.W2[k*n.Hidden : (k+1)*n.Hidden]
		for j, h := range hid {
			s += row[j] * h
		}
		prob[k] = s
		top = max(top, s)
	}
	var sum float32
	for k := range prob[:n.Out] {
		prob[k] = float32(math.Exp(float64(prob[k] - top)))
		sum += prob[k]
	}
	for k := range prob[:n.Out] {
		prob[k] /= sum
	}
}

// weightsMagic starts a weights file, with a version.
const weightsMagic = "OCRBNET1"

// MarshalBinary writes the sizes and then every weight, little-endian float32.
func (n *Net) MarshalBinary() ([]byte, error) {
	b := []byte(weightsMagic)
	for _, v := range []int{n.In, n.Hidden, n.Out} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, w := range [][]float32{n.W1, n.B1, n.W2, n.B2} {
		for _, v := range w {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b, nil
}

// UnmarshalBinary reads what MarshalBinary wrote, refusing sizes other than Features and Classes.
func (n *Net) UnmarshalBinary(b []byte) error {
	if len(b) < len(weightsMagic)+12 || string(b[:len(weightsMagic)]) != weightsMagic {
		return errors.New("ocrb: not a weights file")
	}
	b = b[len(weightsMagic):]
	in, hidden, out := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:])), int(binary.LittleEndian.Uint32(b[8:]))
	b = b[12:]
	if in != Features || out != len(Classes) || hidden < 1 || hidden > 1024 {
		return fmt.Errorf("ocrb: weights for %d-%d-%d, want %d-h-%d", in, hidden, out, Features, len(Classes))
	}
	*n = *NewNet(hidden)
	for _, w := range [][]float32{n.W1, n.B1, n.W2, n.B2} {
		if len(b) < 4*len(w) {
			return errors.New("ocrb: weights file is short")
		}
		for i := range w {
			w[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[4*len(w):]
	}
	if len(b) != 0 {
		return errors.New("ocrb: weights file is long")
	}
	return nil
}

//go:embed weights.bin
var weights []byte

// Default returns the network trained by ../train, embedded from weights.bin.
func Default() *Net {
	var n Net
	if err := n.UnmarshalBinary(weights); err != nil {
		panic(err) // the committed file is read by the package's tests
	}
	return &n
}
