package seal

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
)

// Stream format constants; see the package documentation.
const (
	streamMagic = "KYCD"
	prefixSize  = 7

	// SegmentSize is the plaintext size of every segment of a stream but the last.
	SegmentSize = 64 << 10

	encSegmentSize = SegmentSize + tagSize
	boundSize      = len(streamMagic) + 1 + prefixSize // header bytes bound as additional data
	headerSize     = boundSize + nonceSize + KeySize + tagSize
	maxSegments    = math.MaxUint32 + 1 // the counter has 4 bytes
)

// streamKeys are the per-stream secrets: the data key's AEAD and the nonce prefix.
type streamKeys struct {
	aead   cipher.AEAD
	prefix [prefixSize]byte
}

// nonce returns the nonce of segment counter: prefix | counter | final flag.
func (k *streamKeys) nonce(dst *[nonceSize]byte, counter uint64, final bool) {
	copy(dst[:], k.prefix[:])
	binary.BigEndian.PutUint32(dst[prefixSize:], uint32(counter))
	dst[nonceSize-1] = 0
	if final {
		dst[nonceSize-1] = 1
	}
}

// newHeader draws a data key and a nonce prefix and returns them with the header that carries them.
func (k *keySet) newHeader(aad []byte) (*streamKeys, []byte, error) {
	header := make([]byte, boundSize+nonceSize, headerSize)
	copy(header, streamMagic)
	header[len(streamMagic)] = k.version
	dataKey := make([]byte, KeySize)
	if _, err := rand.Read(header[len(streamMagic)+1:]); err != nil {
		return nil, nil, fmt.Errorf("seal: nonce: %w", err)
	}
	if _, err := rand.Read(dataKey); err != nil {
		return nil, nil, fmt.Errorf("seal: data key: %w", err)
	}
	header = k.wrap.Seal(header, header[boundSize:], dataKey, wrapAAD(header, aad))
	keys, err := newStreamKeys(dataKey, header)
	return keys, header, err
}

// openHeader checks a header and unwraps its data key. Every failure wraps ErrOpen.
func (k *keySet) openHeader(header, aad []byte) (*streamKeys, error) {
	if string(header[:len(streamMagic)]) != streamMagic {
		return nil, fmt.Errorf("%w: not a sealed stream", ErrOpen)
	}
	if v := header[len(streamMagic)]; v != k.version {
		return nil, fmt.Errorf("%w: stream of version %d, not %d (%s)", ErrOpen, v, k.version, versionName(v))
	}
	nonce, wrapped := header[boundSize:boundSize+nonceSize], header[boundSize+nonceSize:]
	dataKey, err := k.wrap.Open(nil, nonce, wrapped, wrapAAD(header, aad))
	if err != nil {
		return nil, fmt.Errorf("%w: stream header fails authentication (wrong key or aad)", ErrOpen)
	}
	return newStreamKeys(dataKey, header)
}

// wrapAAD is the additional data of the wrapped data key: the fixed-size start of the header, then
// the caller's aad.
func wrapAAD(header, aad []byte) []byte {
	return append(header[:boundSize:boundSize], aad...)
}

func newStreamKeys(dataKey, header []byte) (*streamKeys, error) {
	aead, err := newGCM(dataKey)
	if err != nil {
		return nil, err
	}
	k := &streamKeys{aead: aead}
	copy(k.prefix[:], header[len(streamMagic)+1:boundSize])
	return k, nil
}
