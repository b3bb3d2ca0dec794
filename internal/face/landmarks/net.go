package landmarks

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync"

	"kycd/internal/face/tfjs"
	"kycd/internal/face/weights"
)

// Size is the side of the square crop the net reads, in pixels.
const Size = 112

// N is the number of landmarks, in the iBUG 300-W order face-api uses: 0–16 jaw, 17–21 and
// 22–26 brows, 27–35 nose, 36–41 and 42–47 eyes, 48–67 mouth.
const N = 68

// Point is a landmark as a fraction of the crop's side, face-api's relative position: multiply by
// Size (or by the side of the region the crop was scaled from) for pixels.
type Point struct{ X, Y float32 }

// meanRGB is what face-api subtracts from each channel before dividing by 255.
var meanRGB = [3]float32{122.782, 117.001, 104.298}

// blockChannels are the output channels of dense0…dense3.
var blockChannels = [4]int{32, 64, 128, 256}

// Net is face-api's FaceLandmark68Net with its weights loaded. Its methods are safe for
// concurrent use; each pass borrows a workspace from a pool.
type Net struct {
	blocks  [4]denseBlock
	fc      []float32 // 256 rows of 136
	fcBias  []float32
	scratch sync.Pool // *workspace
}

// ErrSize is returned for an image that is not Size×Size.
var ErrSize = errors.New("landmarks: image is not 112×112")

// New decodes the embedded weights (internal/face/weights); callers keep one Net.
func New() (*Net, error) {
	ts, err := tfjs.Decode(weights.Landmark68Manifest, weights.Landmark68Bin)
	if err != nil {
		return nil, err
	}
	n := &Net{}
	in := 3
	for i, out := range blockChannels {
		if n.blocks[i], err = loadDenseBlock(ts, fmt.Sprintf("dense%d", i), in, out, i == 0); err != nil {
			return nil, fmt.Errorf("landmarks: %w", err)
		}
		in = out
	}
	if n.fc, err = get(ts, "fc/weights", 256, 2*N); err != nil {
		return nil, fmt.Errorf("landmarks: %w", err)
	}
	if n.fcBias, err = get(ts, "fc/bias", 2*N); err != nil {
		return nil, fmt.Errorf("landmarks: %w", err)
	}
	return n, nil
}

// Detect returns the 68 landmarks of the face filling a 112×112 crop, read as 8-bit RGB (alpha
// ignored) as face-api reads a canvas. Detect does not scale: a caller with a face box scales the
// box to 112×112 first, as face-api does (padding a non-square box to a square).
func (n *Net) Detect(img image.Image) ([N]Point, error) {
	b := img.Bounds()
	if b.Dx() != Size || b.Dy() != Size {
		return [N]Point{}, ErrSize
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
	return n.DetectRGB(pix[:])
}

// DetectRGB is Detect for 112×112 pixels given as R, G, B bytes row by row.
func (n *Net) DetectRGB(pix []uint8) ([N]Point, error) {
	out, err := n.raw(pix)
	if err != nil {
		return [N]Point{}, err
	}
	var pts [N]Point
	for i := range pts {
		pts[i] = Point{out[2*i], out[2*i+1]}
	}
	return pts, nil
}

// raw returns the net's 136 outputs, x and y interleaved: face-api's runNet.
func (n *Net) raw(pix []uint8) ([2 * N]float32, error) {
	if len(pix) != Size*Size*3 {
		return [2 * N]float32{}, ErrSize
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
	for i := range n.blocks {
		x = n.blocks[i].forward(ws, x)
	}
	return n.head(x), nil
}

// head is face-api's tf.avgPool(x, [7, 7], [2, 2], 'valid') over the last 7×7 map, then the
// fully connected layer. Both sum in float64 as tfjs's CPU kernels do in JavaScript numbers: the
// pool over the whole window, the matrix product in blocks of 48 rows (tfjs's batchMatMul block)
// added into float32.
func (n *Net) head(x tensor) [2 * N]float32 {
	var avg [256]float32
	for ch := range x.c {
		var s float64
		for p := range x.h * x.w {
			s += float64(x.d[p*x.c+ch])
		}
		avg[ch] = float32(s / float64(x.h*x.w))
	}
	var out [2 * N]float32
	const block = 48
	for k0 := 0; k0 < len(avg); k0 += block {
		k1 := min(k0+block, len(avg))
		for j := range out {
			var s float64
			for k := k0; k < k1; k++ {
				s += float64(avg[k]) * float64(n.fc[k*2*N+j])
			}
			out[j] += float32(s)
		}
	}
	for j := range out {
		out[j] += n.fcBias[j]
	}
	return out
}
