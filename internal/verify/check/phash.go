package check

import (
	"image"
	"math/bits"

	"github.com/corona10/goimagehash"
)

// DefaultNearDuplicate is the greatest Hamming distance between two PHash values for the images to
// count as near-identical: re-encoding a test image as JPEG (quality 10 to 75) or
// rescaling it moves its hash by 0 to 4 bits, while different test images are 26 bits or more
// apart (see phash_test.go).
const DefaultNearDuplicate = 6

// PHash returns the 64-bit perceptual hash (DCT-based pHash, github.com/corona10/goimagehash) of
// Normalize(img): re-encoding, resizing or mild recompression of an image changes few of its bits,
// a different picture about half. It depends on Normalize, so it is the same whether given img or
// Normalize(img).
func PHash(img image.Image) uint64 {
	h, err := goimagehash.PerceptionHash(Normalize(img))
	if err != nil { // only for a nil image, which Normalize never returns
		return 0
	}
	return h.GetHash()
}

// Hamming returns the number of bits in which a and b differ, 0 to 64.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }
