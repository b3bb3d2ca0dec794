package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"image"
	"io"
	"math"

	"github.com/gen2brain/heic"
)

// heifHeaderSize is how much of a HEIF file github.com/gen2brain/heic reads to find the
// dimensions: the ftyp and meta boxes must lie within it, as they do in files from phones.
const heifHeaderSize = 32 << 10

// heicConfig reads a HEIF image's dimensions with github.com/gen2brain/heic (libheif, run in
// WebAssembly unless a system libheif is loaded), which parses the boxes without decoding the
// image. The library reads its header with a single Read, so it gets a reader that cannot return
// short.
//
// libheif only reads files whose major brand is heic or heix, and sniff also accepts HEIF files
// that name a HEVC brand only among the compatible ones, or the generic brands mif1 and msf1: for
// those the major brand in this in-memory copy of the header is changed to heic, which changes
// nothing libheif reads about the dimensions. The file itself is not changed.
func heicConfig(r io.Reader) (image.Config, error) {
	header := make([]byte, heifHeaderSize)
	n, err := io.ReadFull(r, header)
	if err != nil && err != io.ErrUnexpectedEOF {
		return image.Config{}, err
	}
	header = header[:n]
	if n >= 12 && string(header[8:12]) != "heic" && string(header[8:12]) != "heix" {
		copy(header[8:12], "heic")
	}
	return heic.DecodeConfig(bytes.NewReader(header))
}

// verifyHEIC walks the top-level ISO-BMFF boxes, which must end exactly at the end of the file:
// ftyp first, and a meta and an mdat box somewhere. A size of 1 means a 64-bit size follows the
// type; a size of 0 means the box runs to the end of the file.
func verifyHEIC(src *io.SectionReader) error {
	size := src.Size()
	r := bufio.NewReaderSize(src, bufSize)
	sawMeta, sawMdat := false, false
	for pos := int64(0); pos < size; {
		if size-pos < 8 {
			return damaged("HEIF: box header past the end of the file")
		}
		header, err := r.Peek(8)
		if err != nil {
			return readFailed(err, "HEIF box header")
		}
		boxSize, headerLen := int64(binary.BigEndian.Uint32(header[0:4])), int64(8)
		isFtyp := string(header[4:8]) == "ftyp"
		sawMeta = sawMeta || string(header[4:8]) == "meta"
		sawMdat = sawMdat || string(header[4:8]) == "mdat"
		switch boxSize {
		case 0:
			boxSize = size - pos
		case 1:
			large, err := r.Peek(16)
			if err != nil {
				return readFailed(err, "HEIF box size")
			}
			u := binary.BigEndian.Uint64(large[8:16])
			if u > math.MaxInt64 {
				return damaged("HEIF: box size over 2^63")
			}
			boxSize, headerLen = int64(u), 16
		}
		if pos == 0 && !isFtyp {
			return damaged("HEIF: the first box is not ftyp")
		}
		if boxSize < headerLen {
			return damaged("HEIF: box smaller than its header")
		}
		if boxSize > size-pos {
			return damaged("HEIF: box runs past the end of the file")
		}
		if _, err := r.Discard(int(boxSize)); err != nil {
			return readFailed(err, "HEIF box")
		}
		pos += boxSize
	}
	if !sawMeta || !sawMdat {
		return damaged("HEIF: no meta or no mdat box")
	}
	return nil
}
