package landmarks

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

// samePad returns TensorFlow's 'same' output size and top (or left) padding for a k-wide kernel
// with the given stride over n pixels: the padding goes after the input when it is odd, so for
// stride 2 over an even size it is all at the bottom (right).
func samePad(n, k, stride int) (out, before int) {
	out = (n + stride - 1) / stride
	return out, max((out-1)*stride+k-n, 0) / 2
}

// conv is a full convolution with bias (face-api's ConvParams): dense0's first layer.
type conv struct {
	k, in, out int
	filtersT   []float32 // out rows of k·k·in: the manifest's HWIO filters transposed for gemmT
	bias       []float32
}

// sepConv is face-api's depthwiseSeparableConv: a k×k depthwise conv (channel multiplier 1),
// a 1×1 pointwise conv, then + bias.
type sepConv struct {
	k, in, out int
	depthwise  []float32 // k·k rows of in, HWC as in the manifest
	pointT     []float32 // out rows of in
	bias       []float32
}

func get(ts map[string]tfjs.Tensor, name string, shape ...int) ([]float32, error) {
	t, ok := ts[name]
	if !ok {
		return nil, fmt.Errorf("%s: missing", name)
	}
	if len(t.Shape) != len(shape) {
		return nil, fmt.Errorf("%s: shape %v, want %v", name, t.Shape, shape)
	}
	for i := range shape {
		if t.Shape[i] != shape[i] {
			return nil, fmt.Errorf("%s: shape %v, want %v", name, t.Shape, shape)
		}
	}
	return t.Data, nil
}

func loadConv(ts map[string]tfjs.Tensor, prefix string, in, out int) (conv, error) {
	c := conv{k: 3, in: in, out: out}
	f, err := get(ts, prefix+"/filters", 3, 3, in, out)
	if err != nil {
		return conv{}, err
	}
	c.filtersT = nn.Transpose(f, 9*in, out)
	if c.bias, err = get(ts, prefix+"/bias", out); err != nil {
		return conv{}, err
	}
	return c, nil
}

func loadSepConv(ts map[string]tfjs.Tensor, prefix string, in, out int) (sepConv, error) {
	c := sepConv{k: 3, in: in, out: out}
	var err error
	if c.depthwise, err = get(ts, prefix+"/depthwise_filter", 3, 3, in, 1); err != nil {
		return sepConv{}, err
	}
	p, err := get(ts, prefix+"/pointwise_filter", 1, 1, in, out)
	if err != nil {
		return sepConv{}, err
	}
	c.pointT = nn.Transpose(p, in, out)
	if c.bias, err = get(ts, prefix+"/bias", out); err != nil {
		return sepConv{}, err
	}
	return c, nil
}

// apply is tf.conv2d(x, filters, stride, 'same') + bias, as im2col and a matrix product.
func (c *conv) apply(ws *workspace, x tensor, stride int) tensor {
	oh, top := samePad(x.h, c.k, stride)
	ow, left := samePad(x.w, c.k, stride)
	y := ws.tensor(oh, ow, c.out)
	kk := c.k * c.k * c.in
	cols := ws.Cols(oh * ow * kk)
	nn.Im2Col(cols, x.d, x.h, x.w, x.c, c.k, stride, top, left, oh, ow)
	nn.GemmT(y.d, cols, c.filtersT, oh*ow, kk, c.out)
	addBias(y.d, c.bias)
	return y
}

// apply is tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias: the depthwise conv
// sums over the kernel rows then columns in float32, as tfjs's CPU depthwiseConv2d accumulates
// into its float32 output; the pointwise conv is a matrix product over the channels.
func (c *sepConv) apply(ws *workspace, x tensor, stride int) tensor {
	oh, top := samePad(x.h, c.k, stride)
	ow, left := samePad(x.w, c.k, stride)
	dw := ws.Cols(oh * ow * c.in)
	clear(dw)
	for oy := range oh {
		for ox := range ow {
			o := dw[(oy*ow+ox)*c.in : (oy*ow+ox+1)*c.in]
			for ky := range c.k {
				iy := oy*stride + ky - top
				if iy < 0 || iy >= x.h {
					continue
				}
				for kx := range c.k {
					ix := ox*stride + kx - left
					if ix < 0 || ix >= x.w {
						continue
					}
					in := x.d[(iy*x.w+ix)*c.in : (iy*x.w+ix+1)*c.in]
					w := c.depthwise[(ky*c.k+kx)*c.in : (ky*c.k+kx+1)*c.in]
					o := o[:len(in)]
					w = w[:len(in)]
					for ch, v := range in {
						o[ch] += v * w[ch]
					}
				}
			}
		}
	}
	y := ws.tensor(oh, ow, c.out)
	nn.GemmT(y.d, dw, c.pointT, oh*ow, c.in, c.out)
	addBias(y.d, c.bias)
	return y
}

func addBias(d, bias []float32) {
	for p := 0; p < len(d); p += len(bias) {
		row := d[p : p+len(bias)]
		for j, b := range bias {
			row[j] += b
		}
	}
}

// denseBlock is face-api's denseBlock4: four convs, the first halving the size, each later one
// reading the relu of the sum of all the earlier ones' outputs.
type denseBlock struct {
	first *conv // dense0 only: a full conv in place of conv0
	conv0 sepConv
	convs [3]sepConv // conv1, conv2, conv3
	out   int
}

func loadDenseBlock(ts map[string]tfjs.Tensor, prefix string, in, out int, first bool) (denseBlock, error) {
	b := denseBlock{out: out}
	var err error
	if first {
		c, err := loadConv(ts, prefix+"/conv0", in, out)
		if err != nil {
			return denseBlock{}, err
		}
		b.first = &c
	} else if b.conv0, err = loadSepConv(ts, prefix+"/conv0", in, out); err != nil {
		return denseBlock{}, err
	}
	for i := range b.convs {
		if b.convs[i], err = loadSepConv(ts, fmt.Sprintf("%s/conv%d", prefix, i+1), out, out); err != nil {
			return denseBlock{}, err
		}
	}
	return b, nil
}

// forward follows face-api's denseBlock4 with isScaleDown, summing in its order:
//
//	out1 = relu(conv0(x))            (stride 2)
//	out2 = conv1(out1)
//	out3 = conv2(relu(out1 + out2))
//	out4 = conv3(relu(out1 + (out2 + out3)))
//	return relu(out1 + (out2 + (out3 + out4)))
func (b *denseBlock) forward(ws *workspace, x tensor) tensor {
	var out1 tensor
	if b.first != nil {
		out1 = b.first.apply(ws, x, 2)
	} else {
		out1 = b.conv0.apply(ws, x, 2)
	}
	for i, v := range out1.d {
		out1.d[i] = max(v, 0)
	}
	out2 := b.convs[0].apply(ws, out1, 1)
	in := ws.tensor(out1.h, out1.w, out1.c)
	for i := range in.d {
		in.d[i] = max(out1.d[i]+out2.d[i], 0)
	}
	out3 := b.convs[1].apply(ws, in, 1)
	for i := range in.d {
		in.d[i] = max(out1.d[i]+(out2.d[i]+out3.d[i]), 0)
	}
	out4 := b.convs[2].apply(ws, in, 1)
	for i := range in.d {
		in.d[i] = max(out1.d[i]+(out2.d[i]+(out3.d[i]+out4.d[i])), 0)
	}
	return in
}
