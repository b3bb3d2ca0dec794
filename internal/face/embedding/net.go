package embedding

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"sync"

	"kycd/internal/face/nn"
	"kycd/internal/face/tfjs"
	"kycd/internal/face/weights"
)

// Size is the side of the square chip the net reads, in pixels.
const Size = 150

// Dim is the length of an embedding.
const Dim = 128

// Vector is a face embedding: face-api's "face descriptor", dlib's 128-d output.
type Vector [Dim]float32

// meanRGB is what face-api subtracts from each channel before dividing by 255.
var meanRGB = [3]float32{122.782, 117.001, 104.298}

// Net is the dlib face recognition ResNet with its weights loaded. Its methods are safe for
// concurrent use; each pass borrows a workspace from a pool.
type Net struct {
	down    conv      // conv32_down: 7×7, stride 2
	blocks  []block   // the residual layers in order
	fc      []float32 // 256 rows of 128
	scratch sync.Pool // *workspace
}

type block struct {
	residual
	down bool // residualDown rather than residual
}

// ErrSize is returned by Embed for an image that is not Size×Size.
var ErrSize = errors.New("embedding: image is not 150×150")

// order lists face-api's residual layers; the *_down ones halve the size.
var order = []string{
	"conv32_1", "conv32_2", "conv32_3",
	"conv64_down", "conv64_1", "conv64_2", "conv64_3",
	"conv128_down", "conv128_1", "conv128_2",
	"conv256_down", "conv256_1", "conv256_2", "conv256_down_out",
}

// New decodes the embedded weights (internal/face/weights). It takes about 8 ms and 23 MB;
// callers keep one Net.
func New() (*Net, error) {
	ts, err := tfjs.Decode(weights.RecognitionManifest, weights.RecognitionBin)
	if err != nil {
		return nil, err
	}
	n := &Net{}
	if n.down, err = loadConv(ts, "conv32_down"); err != nil {
		return nil, fmt.Errorf("embedding: %w", err)
	}
	for _, name := range order {
		r, err := loadResidual(ts, name)
		if err != nil {
			return nil, fmt.Errorf("embedding: %w", err)
		}
		n.blocks = append(n.blocks, block{r, strings.Contains(name, "_down")})
	}
	fc, ok := ts["fc"]
	if !ok || len(fc.Shape) != 2 || fc.Shape[0] != 256 || fc.Shape[1] != Dim {
		return nil, errors.New("embedding: fc: missing or not 256×128")
	}
	n.fc = fc.Data
	return n, nil
}

// Embed returns the embedding of a 150×150 face chip. The chip is read as 8-bit RGB (alpha
// ignored), as face-api reads a canvas; it should be aligned as dlib's chips are (see the package
// doc), which Embed does not do.
func (n *Net) Embed(img image.Image) (Vector, error) {
	b := img.Bounds()
	if b.Dx() != Size || b.Dy() != Size {
		return Vector{}, ErrSize
	}
	var pix [Size * Size * 3]uint8
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			pix[i], pix[i+1], pix[i+2] = c.R, c.G, c.B
			i += 3
		}
	}
	return n.EmbedRGB(pix[:])
}

// EmbedRGB is Embed for 150×150 pixels given as R, G, B bytes row by row.
func (n *Net) EmbedRGB(pix []uint8) (Vector, error) {
	if len(pix) != Size*Size*3 {
		return Vector{}, ErrSize
	}
	ws, _ := n.scratch.Get().(*workspace)
	if ws == nil {
		ws = &workspace{}
	}
	defer n.scratch.Put(ws)
	ws.Reset()
	x := ws.tensor(Size, Size, 3)
	for i, v := range pix {
		x.d[i] = (float32(v) - meanRGB[i%3]) / 255
	}
	return n.forward(ws, x), nil
}

func (n *Net) forward(ws *workspace, x tensor) Vector {
	x = n.down.apply(ws, x, 2, false, true)
	x = maxPool3s2(ws, x)
	for i := range n.blocks {
		if n.blocks[i].down {
			x = n.blocks[i].residual.down(ws, x)
		} else {
			x = n.blocks[i].residual.forward(ws, x)
		}
	}
	// Global average over the last map, then the fully connected layer.
	var avg [256]float32
	for p := 0; p < x.h*x.w; p++ {
		for ch, v := range x.d[p*x.c : (p+1)*x.c] {
			avg[ch] += v
		}
	}
	for ch := range avg {
		avg[ch] /= float32(x.h * x.w)
	}
	var out Vector
	nn.Gemm(out[:], avg[:], n.fc, 1, 256, Dim)
	return out
}

// Distance is the Euclidean distance between two embeddings, the measure dlib trained the net for
// (same person below about 0.6 in dlib's own tests; kycd has not calibrated a threshold yet).
func Distance(a, b *Vector) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}
