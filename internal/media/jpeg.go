package media

import (
	"bufio"
	"io"
)

// JPEG markers that the walk treats specially (ITU T.81, table B.1).
const (
	jpegSOI = 0xD8
	jpegEOI = 0xD9
	jpegSOS = 0xDA
	jpegDHT = 0xC4
	jpegJPG = 0xC8
	jpegDAC = 0xCC
	jpegTEM = 0x01
)

// verifyJPEG walks a JPEG's marker segments from SOI, checking each length field, and scans the
// entropy-coded data after each SOS for the marker that ends it, until EOI. It requires a frame
// header (SOF) before the first scan. Bytes after EOI are allowed (phones append data there); a
// file that ends before EOI is truncated.
func verifyJPEG(src *io.SectionReader) error {
	r := bufio.NewReaderSize(src, bufSize)
	soi, err := r.Peek(2)
	if err != nil {
		return readFailed(err, "JPEG SOI")
	}
	if soi[0] != 0xFF || soi[1] != jpegSOI {
		return damaged("JPEG: no SOI marker")
	}
	_, _ = r.Discard(2)

	sawSOF := false
	marker, err := nextJPEGMarker(r)
	for err == nil {
		switch {
		case marker == jpegEOI:
			return damaged("JPEG: EOI before any scan")
		case marker == jpegSOI:
			return damaged("JPEG: SOI inside the image")
		case isJPEGStandalone(marker):
			marker, err = nextJPEGMarker(r)
		case marker == jpegSOS:
			if !sawSOF {
				return damaged("JPEG: scan before the frame header")
			}
			marker, err = readJPEGScan(r)
			if err == nil && marker == jpegEOI {
				return nil
			}
		default:
			sawSOF = sawSOF || isJPEGSOF(marker)
			if err = skipJPEGSegment(r, marker); err == nil {
				marker, err = nextJPEGMarker(r)
			}
		}
	}
	return err
}

// skipJPEGSegment reads a marker segment's length field and skips its payload, checking a frame
// header's length against its component count.
func skipJPEGSegment(r *bufio.Reader, marker byte) error {
	payload, err := jpegSegmentPayload(r)
	if err != nil {
		return err
	}
	if isJPEGSOF(marker) {
		return checkJPEGSOF(r, payload)
	}
	if _, err := r.Discard(payload); err != nil {
		return readFailed(err, "JPEG segment")
	}
	return nil
}

// readJPEGScan reads a scan header and the entropy-coded data after it, and returns the marker
// that ends the scan.
func readJPEGScan(r *bufio.Reader) (byte, error) {
	payload, err := jpegSegmentPayload(r)
	if err != nil {
		return 0, err
	}
	if err := checkJPEGSOS(r, payload); err != nil {
		return 0, err
	}
	return scanJPEGEntropy(r)
}

// nextJPEGMarker reads the marker that must start the next segment: 0xFF, any number of 0xFF fill
// bytes, then the marker code.
func nextJPEGMarker(r *bufio.Reader) (byte, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, readFailed(err, "JPEG marker")
	}
	if b != 0xFF {
		return 0, damaged("JPEG: a segment's length does not reach the next marker")
	}
	for b == 0xFF {
		if b, err = r.ReadByte(); err != nil {
			return 0, readFailed(err, "JPEG marker")
		}
	}
	if b == 0x00 {
		return 0, damaged("JPEG: stuffed zero byte outside a scan")
	}
	return b, nil
}

// jpegSegmentPayload reads a segment's length field and returns how many payload bytes follow it.
func jpegSegmentPayload(r *bufio.Reader) (int, error) {
	field, err := r.Peek(2)
	if err != nil {
		return 0, readFailed(err, "JPEG segment length")
	}
	length := int(field[0])<<8 | int(field[1])
	_, _ = r.Discard(2)
	if length < 2 {
		return 0, damaged("JPEG: segment length %d is shorter than the length field", length)
	}
	return length - 2, nil
}

// checkJPEGSOF checks that a frame header's length matches its component count, and skips it.
func checkJPEGSOF(r *bufio.Reader, payload int) error {
	if payload < 6 {
		return damaged("JPEG: frame header of %d bytes", payload)
	}
	fixed, err := r.Peek(6)
	if err != nil {
		return readFailed(err, "JPEG frame header")
	}
	components := int(fixed[5])
	if components == 0 || payload != 6+3*components {
		return damaged("JPEG: frame header length does not match its %d components", components)
	}
	if _, err := r.Discard(payload); err != nil {
		return readFailed(err, "JPEG frame header")
	}
	return nil
}

// checkJPEGSOS checks that a scan header's length matches its component count, and skips it.
func checkJPEGSOS(r *bufio.Reader, payload int) error {
	if payload < 1 {
		return damaged("JPEG: empty scan header")
	}
	fixed, err := r.Peek(1)
	if err != nil {
		return readFailed(err, "JPEG scan header")
	}
	components := int(fixed[0])
	if components < 1 || components > 4 || payload != 4+2*components {
		return damaged("JPEG: scan header length does not match its %d components", components)
	}
	if _, err := r.Discard(payload); err != nil {
		return readFailed(err, "JPEG scan header")
	}
	return nil
}

// scanJPEGEntropy reads a scan's entropy-coded data up to the marker that ends it and returns that
// marker. Stuffed zero bytes (FF 00), fill bytes and restart markers belong to the data.
func scanJPEGEntropy(r *bufio.Reader) (byte, error) {
	for {
		_, err := r.ReadSlice(0xFF)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return 0, readFailed(err, "JPEG scan data (no EOI)")
		}
		b, err := r.ReadByte()
		for err == nil && b == 0xFF {
			b, err = r.ReadByte()
		}
		if err != nil {
			return 0, readFailed(err, "JPEG scan data (no EOI)")
		}
		if b != 0x00 && !isJPEGRestart(b) {
			return b, nil
		}
	}
}

// isJPEGSOF reports whether marker starts a frame header (SOF0 to SOF15, which share their range
// with DHT, JPG and DAC).
func isJPEGSOF(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != jpegDHT && marker != jpegJPG && marker != jpegDAC
}

// isJPEGRestart reports whether marker is one of RST0 to RST7.
func isJPEGRestart(marker byte) bool {
	return marker >= 0xD0 && marker <= 0xD7
}

// isJPEGStandalone reports whether marker stands alone, without a length field.
func isJPEGStandalone(marker byte) bool {
	return isJPEGRestart(marker) || marker == jpegTEM
}
