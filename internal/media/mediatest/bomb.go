// Package mediatest makes hostile media for tests and benchmarks.
package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// PNG colour types BombPNG can write (8 bits per sample).
const (
	Grey byte = 0
	RGB  byte = 2
	RGBA byte = 6
)

// BombPNG writes a PNG of w x h pixels of colour type ct (Grey, RGB or RGBA) whose pixels are all
// zero, streaming the rows into zlib: a 7000 x 7000 RGBA one is about 200 KB on the wire and decodes
// into 196 MB (under a 50-megapixel limit), and making it allocates no image.
func BombPNG(w, h int, ct byte, interlaced bool) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		out.WriteString(typ)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data))
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, ct
	if interlaced {
		ihdr[12] = 1
	}
	chunk("IHDR", ihdr)
	bpp := map[byte]int{Grey: 1, RGB: 3, RGBA: 4}[ct]
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+w*bpp)
	rows := h
	if interlaced {
		rows = 2 * h // room for every pass's filter bytes; decoders ignore the excess
	}
	for range rows {
		_, _ = zw.Write(row)
	}
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}
