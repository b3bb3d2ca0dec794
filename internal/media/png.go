package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// verifyPNG checks the signature, then every chunk's length and CRC-32, with IHDR first, at least
// one IDAT, and IEND last: nothing may follow IEND.
func verifyPNG(src *io.SectionReader) error {
	r := bufio.NewReaderSize(src, bufSize)
	sig, err := r.Peek(len(pngSignature))
	if err != nil {
		return readFailed(err, "PNG signature")
	}
	if !bytes.Equal(sig, pngSignature) {
		return damaged("PNG: bad signature")
	}
	_, _ = r.Discard(len(pngSignature))

	idats := 0
	for i := 0; ; i++ {
		typ, length, err := readPNGChunk(r)
		if err != nil {
			return err
		}
		switch {
		case i == 0 && (typ != "IHDR" || length != 13):
			return damaged("PNG: the first chunk is not IHDR")
		case i > 0 && typ == "IHDR":
			return damaged("PNG: a second IHDR chunk")
		case typ == "IDAT":
			idats++
		case typ == "IEND":
			if idats == 0 {
				return damaged("PNG: no IDAT chunk")
			}
			if _, err := r.ReadByte(); err != io.EOF {
				if err != nil {
					return readFailed(err, "PNG after IEND")
				}
				return damaged("PNG: data after the IEND chunk")
			}
			return nil
		}
	}
}

// readPNGChunk reads one chunk, checks its CRC-32 over the type and data, and returns its type
// and data length.
func readPNGChunk(r *bufio.Reader) (typ string, length uint32, err error) {
	header, err := r.Peek(8)
	if err != nil {
		return "", 0, readFailed(err, "PNG chunk header")
	}
	length = binary.BigEndian.Uint32(header[0:4])
	if length > 1<<31-1 {
		return "", 0, damaged("PNG: chunk length over 2^31-1")
	}
	typ = pngChunkType(header[4:8])
	crc := crc32.Update(0, crc32.IEEETable, header[4:8])
	_, _ = r.Discard(8)

	for remaining := int(length); remaining > 0; {
		data, err := r.Peek(min(remaining, r.Size()))
		if err != nil {
			return "", 0, readFailed(err, "PNG chunk data")
		}
		crc = crc32.Update(crc, crc32.IEEETable, data)
		remaining -= len(data)
		_, _ = r.Discard(len(data))
	}

	stored, err := r.Peek(4)
	if err != nil {
		return "", 0, readFailed(err, "PNG chunk CRC")
	}
	if binary.BigEndian.Uint32(stored) != crc {
		return "", 0, damaged("PNG: CRC mismatch in a %s chunk", typ)
	}
	_, _ = r.Discard(4)
	return typ, length, nil
}

// pngChunkType names the chunk types the walk checks without allocating; any other type is
// returned as "other" (its CRC is still checked).
func pngChunkType(b []byte) string {
	switch string(b) {
	case "IHDR":
		return "IHDR"
	case "IDAT":
		return "IDAT"
	case "IEND":
		return "IEND"
	}
	return "other"
}
