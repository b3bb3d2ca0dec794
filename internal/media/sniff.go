package media

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"kycd/internal/kyc"
)

// sniff tells the format from the first bytes of a file. Anything it does not recognise, an empty
// file included, is refused with an error wrapping kyc.ErrUnsupportedMedia.
func sniff(head []byte) (*format, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return formatJPEG, nil
	case bytes.HasPrefix(head, pngSignature):
		return formatPNG, nil
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return formatWebP, nil
	case isHEIF(head):
		return formatHEIC, nil
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return formatPDF, nil
	}
	return nil, fmt.Errorf("media: the file is not of an accepted type (%s): %w", acceptedTypes, kyc.ErrUnsupportedMedia)
}

// isHEIF reports whether head starts with an ISO-BMFF "ftyp" box naming a HEIF brand, as major
// brand or among the compatible brands that fit in head. The generic brands mif1 and msf1 also
// appear in AVIF files, which are not accepted: they count only when no AVIF brand is present.
func isHEIF(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := binary.BigEndian.Uint32(head[0:4])
	if size < 16 {
		return false
	}
	end := int(min(size, uint32(len(head))))
	generic, avif := false, false
	for i := 8; i+4 <= end; i += 4 {
		if i == 12 {
			continue // minor_version, not a brand
		}
		switch string(head[i : i+4]) {
		case "heic", "heix", "hevc", "heim", "heis", "hevm", "hevs":
			return true
		case "mif1", "msf1":
			generic = true
		case "avif", "avis":
			avif = true
		}
	}
	return generic && !avif
}
