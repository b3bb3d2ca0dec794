package nn

// Im2Col writes, for each of the oh×ow output pixels of a k×k convolution of stride stride over
// the h×w×c row-major image x, the k×k×c input patch it sees (zeros outside x) as one row of
// cols, in the filters' row order (ky, kx, channel); top and left are the padding before the
// input (TensorFlow's 'same' padding may put less before than after).
func Im2Col(cols, x []float32, h, w, c, k, stride, top, left, oh, ow int) {
	rowLen := k * c
	i := 0
	for oy := range oh {
		for ox := range ow {
			x0 := ox*stride - left
			for ky := range k {
				iy := oy*stride + ky - top
				dst := cols[i : i+rowLen]
				i += rowLen
				if iy < 0 || iy >= h {
					clear(dst)
					continue
				}
				if x0 >= 0 && x0+k <= w {
					copy(dst, x[(iy*w+x0)*c:(iy*w+x0+k)*c])
					continue
				}
				for kx := range k {
					ix := x0 + kx
					d := dst[kx*c : (kx+1)*c]
					if ix < 0 || ix >= w {
						clear(d)
					} else {
						copy(d, x[(iy*w+ix)*c:(iy*w+ix+1)*c])
					}
				}
			}
		}
	}
}
