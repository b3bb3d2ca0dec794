package embedding

import (
	"fmt"

	"kycd/internal/face/nn"
	"kycd/internal/face/tfjs"
)

// tensor is an activation map, height × width × channels, channels fastest (NHWC without N).
type tensor struct {
	h, w, c int
	d       []float32
}

// conv is one of face-api's convLayer: conv2d, then + bias, then the scale layer (× weights +
// biases), applied in that order as face-api does, each rounded to float32.
type conv struct {
	k, in, out int       // kernel size, input and output channels
	filtersT   []float32 // out rows of k·k·in: the manifest's HWIO filters transposed for gemmT
	bias       []float32
	scale      []float32
	shift      []float32
}

// residual is face-api's residual layer: two convs and a shortcut.
type residual struct{ conv1, conv2 conv }

func loadConv(ts map[string]tfjs.Tensor, prefix string) (conv, error) {
	f, ok := ts[prefix+"/conv/filters"]
	if !ok || len(f.Shape) != 4 || f.Shape[0] != f.Shape[1] {
		return conv{}, fmt.Errorf("%s/conv/filters: missing or not k×k×in×out", prefix)
	}
	c := conv{k: f.Shape[0], in: f.Shape[2], out: f.Shape[3]}
	c.filtersT = nn.Transpose(f.Data, c.k*c.k*c.in, c.out)
	for _, v := range []struct {
		name string
		dst  *[]float32
	}{{"/conv/bias", &c.bias}, {"/scale/weights", &c.scale}, {"/scale/biases", &c.shift}} {
		t, ok := ts[prefix+v.name]
		if !ok || len(t.Shape) != 1 || t.Shape[0] != c.out {
			return conv{}, fmt.Errorf("%s%s: missing or not %d values", prefix, v.name, c.out)
		}
		*v.dst = t.Data
	}
	return c, nil
}

func loadResidual(ts map[string]tfjs.Tensor, prefix string) (residual, error) {
	c1, err := loadConv(ts, prefix+"/conv1")
	if err != nil {
		return residual{}, err
	}
	c2, err := loadConv(ts, prefix+"/conv2")
	if err != nil {
		return residual{}, err
	}
	if c2.in != c1.out || c2.out != c1.out {
		return residual{}, fmt.Errorf("%s: conv2 is %d→%d after conv1 %d→%d", prefix, c2.in, c2.out, c1.in, c1.out)
	}
	return residual{c1, c2}, nil
}

// apply runs the conv on x into dst (sized by the caller's arena) with the given stride; same
// pads as TensorFlow does for stride 1 (k/2 on every side), otherwise no padding ('valid').
// cols is scratch for the im2col matrix.
func (c *conv) apply(ws *workspace, x tensor, stride int, same, relu bool) tensor {
	pad := 0
	oh, ow := (x.h-c.k)/stride+1, (x.w-c.k)/stride+1
	if same {
		pad = c.k / 2
		oh, ow = x.h, x.w
	}
	y := ws.tensor(oh, ow, c.out)
	kk := c.k * c.k * c.in
	cols := ws.Cols(oh * ow * kk)
	nn.Im2Col(cols, x.d, x.h, x.w, x.c, c.k, stride, pad, pad, oh, ow)
	nn.GemmT(y.d, cols, c.filtersT, oh*ow, kk, c.out)
	for p := 0; p < len(y.d); p += c.out {
		row := y.d[p : p+c.out]
		for j := range row {
			v := row[j] + c.bias[j]
			v = v * c.scale[j]
			v += c.shift[j]
			if relu && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
	return y
}

// forward is face-api's residual(): relu(conv2(relu(conv1(x))) + x).
func (r *residual) forward(ws *workspace, x tensor) tensor {
	y := r.conv1.apply(ws, x, 1, true, true)
	y = r.conv2.apply(ws, y, 1, true, false)
	for i, v := range x.d {
		y.d[i] = max(y.d[i]+v, 0)
	}
	return y
}

// down is face-api's residualDown(): conv1 with stride 2 and no padding, conv2, then added to the
// 2×2 average pool of x, x's channels followed by zeros when conv doubles them; when the pool is
// a pixel larger than the conv's output (odd sizes), the output gets a last row and column of zeros.
func (r *residual) down(ws *workspace, x tensor) tensor {
	y := r.conv1.apply(ws, x, 2, false, true)
	y = r.conv2.apply(ws, y, 1, true, false)
	ph, pw := (x.h-2)/2+1, (x.w-2)/2+1
	out := ws.tensor(ph, pw, y.c)
	for oy := range ph {
		for ox := range pw {
			o := out.d[(oy*pw+ox)*y.c : (oy*pw+ox+1)*y.c]
			if oy < y.h && ox < y.w {
				copy(o, y.d[(oy*y.w+ox)*y.c:(oy*y.w+ox+1)*y.c])
			} else {
				clear(o)
			}
			a := x.d[((2*oy)*x.w+2*ox)*x.c:]
			b := x.d[((2*oy)*x.w+2*ox+1)*x.c:]
			c := x.d[((2*oy+1)*x.w+2*ox)*x.c:]
			d := x.d[((2*oy+1)*x.w+2*ox+1)*x.c:]
			for ch := range x.c {
				o[ch] += ((a[ch] + b[ch]) + (c[ch] + d[ch])) / 4
			}
			for ch := range o {
				o[ch] = max(o[ch], 0)
			}
		}
	}
	return out
}

// maxPool3s2 is a 3×3 max pool with stride 2, no padding.
func maxPool3s2(ws *workspace, x tensor) tensor {
	oh, ow := (x.h-3)/2+1, (x.w-3)/2+1
	y := ws.tensor(oh, ow, x.c)
	for oy := range oh {
		for ox := range ow {
			o := y.d[(oy*ow+ox)*x.c : (oy*ow+ox+1)*x.c]
			copy(o, x.d[((2*oy)*x.w+2*ox)*x.c:])
			for ky := range 3 {
				for kx := range 3 {
					in := x.d[((2*oy+ky)*x.w+2*ox+kx)*x.c:]
					for ch := range o {
						o[ch] = max(o[ch], in[ch])
					}
				}
			}
		}
	}
	return y
}
