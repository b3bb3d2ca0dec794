package media

import (
	"bufio"
	"encoding/binary"
	"io"
)

// verifyWebP checks that the RIFF size field matches the file's size (one trailing padding byte
// is allowed) and that every chunk inside stays within it. The first chunk must be VP8, VP8L or
// VP8X, and some chunk must carry image data (VP8, VP8L or an animation frame).
func verifyWebP(src *io.SectionReader) error {
	size := src.Size()
	r := bufio.NewReaderSize(src, bufSize)
	header, err := r.Peek(12)
	if err != nil {
		return readFailed(err, "WebP header")
	}
	if string(header[0:4]) != "RIFF" || string(header[8:12]) != "WEBP" {
		return damaged("WebP: bad RIFF header")
	}
	riffEnd := 8 + int64(binary.LittleEndian.Uint32(header[4:8]))
	if riffEnd != size && riffEnd+1 != size {
		return damaged("WebP: the RIFF size field says %d bytes, the file has %d", riffEnd, size)
	}
	_, _ = r.Discard(12)

	sawImage := false
	for pos := int64(12); pos < riffEnd; {
		if riffEnd-pos < 8 {
			return damaged("WebP: chunk header past the end of the RIFF data")
		}
		chunk, err := r.Peek(8)
		if err != nil {
			return readFailed(err, "WebP chunk header")
		}
		fourCC, length := webpChunkType(chunk[0:4]), int64(binary.LittleEndian.Uint32(chunk[4:8]))
		if pos == 12 && fourCC != "VP8 " && fourCC != "VP8L" && fourCC != "VP8X" {
			return damaged("WebP: the first chunk is not VP8, VP8L or VP8X")
		}
		sawImage = sawImage || fourCC == "VP8 " || fourCC == "VP8L" || fourCC == "ANMF"
		dataEnd := pos + 8 + length
		if dataEnd > riffEnd {
			return damaged("WebP: a %s chunk runs past the end of the RIFF data", fourCC)
		}
		next := dataEnd + length&1 // chunks are padded to an even size
		if _, err := r.Discard(int(min(next, size) - pos)); err != nil {
			return readFailed(err, "WebP chunk")
		}
		pos = next
	}
	if !sawImage {
		return damaged("WebP: no image data chunk")
	}
	return nil
}

// webpChunkType names the chunk types the walk checks without allocating.
func webpChunkType(b []byte) string {
	switch string(b) {
	case "VP8 ":
		return "VP8 "
	case "VP8L":
		return "VP8L"
	case "VP8X":
		return "VP8X"
	case "ANMF":
		return "ANMF"
	}
	return "other"
}
