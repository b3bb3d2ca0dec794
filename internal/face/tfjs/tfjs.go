package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Tensor is one named weight: its shape as the manifest gives it (row-major, last axis fastest)
// and its values dequantised to float32.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Len is the number of values the shape holds.
func (t Tensor) Len() int { return shapeLen(t.Shape) }

type group struct {
	Paths   []string `json:"paths"`
	Weights []struct {
		Name         string `json:"name"`
		Shape        []int  `json:"shape"`
		Dtype        string `json:"dtype"`
		Quantization *struct {
			Dtype string  `json:"dtype"`
			Scale float64 `json:"scale"`
			Min   float64 `json:"min"`
		} `json:"quantization"`
	} `json:"weights"`
}

// Decode reads a weights manifest and its binary and returns every tensor by name. It fails when
// the manifest is not one group with one path, names a tensor twice, uses a dtype or quantisation
// it does not support, or when the binary is shorter or longer than the manifest says.
func Decode(manifest, bin []byte) (map[string]Tensor, error) {
	var groups []group
	if err := json.Unmarshal(manifest, &groups); err != nil {
		return nil, fmt.Errorf("tfjs: manifest: %w", err)
	}
	if len(groups) != 1 || len(groups[0].Paths) != 1 {
		return nil, errors.New("tfjs: manifest: want one weight group with one path")
	}
	out := make(map[string]Tensor, len(groups[0].Weights))
	off := 0
	for _, w := range groups[0].Weights {
		if w.Dtype != "float32" {
			return nil, fmt.Errorf("tfjs: %s: dtype %q not supported", w.Name, w.Dtype)
		}
		if _, dup := out[w.Name]; dup {
			return nil, fmt.Errorf("tfjs: %s: named twice", w.Name)
		}
		n := shapeLen(w.Shape)
		if n < 0 {
			return nil, fmt.Errorf("tfjs: %s: bad shape %v", w.Name, w.Shape)
		}
		width, q := 4, "float32"
		if w.Quantization != nil {
			q = w.Quantization.Dtype
			switch q {
			case "uint8":
				width = 1
			case "uint16":
				width = 2
			default:
				return nil, fmt.Errorf("tfjs: %s: quantisation %q not supported", w.Name, q)
			}
		}
		if len(bin)-off < n*width {
			return nil, fmt.Errorf("tfjs: %s: binary ends at %d, tensor needs %d bytes from %d", w.Name, len(bin), n*width, off)
		}
		b := bin[off : off+n*width]
		off += n * width
		data := make([]float32, n)
		switch q {
		case "float32":
			for i := range data {
				data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case "uint8":
			s, m := w.Quantization.Scale, w.Quantization.Min
			for i := range data {
				data[i] = float32(float64(b[i])*s + m)
			}
		case "uint16":
			s, m := w.Quantization.Scale, w.Quantization.Min
			for i := range data {
				data[i] = float32(float64(binary.LittleEndian.Uint16(b[2*i:]))*s + m)
			}
		}
		out[w.Name] = Tensor{Shape: w.Shape, Data: data}
	}
	if off != len(bin) {
		return nil, fmt.Errorf("tfjs: binary has %d bytes, manifest accounts for %d", len(bin), off)
	}
	return out, nil
}

// shapeLen is the product of shape's dimensions, or -1 when one is negative.
func shapeLen(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return -1
		}
		n *= d
	}
	return n
}
