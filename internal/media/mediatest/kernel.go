package mediatest

import "math"

// GaussianKernel is a normalised 1-D Gaussian of standard deviation sigma reaching reach*sigma on
// each side (rounded up): the separable kernel of the blurs the generated test images use.
func GaussianKernel(sigma, reach float64) []float64 {
	r := int(math.Ceil(reach * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}
