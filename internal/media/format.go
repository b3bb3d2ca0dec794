package media

import (
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// format is one accepted file type: its MIME type, how to read its dimensions from the header
// (nil for a document) and how to prove the file whole.
type format struct {
	mime   string
	config func(io.Reader) (image.Config, error)
	verify func(src *io.SectionReader) error
}

// The accepted formats. Each reads its dimensions with the decoder's own DecodeConfig rather than
// image.DecodeConfig: sniff has already chosen the format, and the heic package registers itself
// only for the major brand "heic", not for HEIF files whose major brand is "mif1".
var (
	formatJPEG = &format{mime: "image/jpeg", config: jpeg.DecodeConfig, verify: verifyJPEG}
	formatPNG  = &format{mime: "image/png", config: png.DecodeConfig, verify: verifyPNG}
	formatWebP = &format{mime: "image/webp", config: webp.DecodeConfig, verify: verifyWebP}
	formatHEIC = &format{mime: "image/heic", config: heicConfig, verify: verifyHEIC}
	formatPDF  = &format{mime: "application/pdf", verify: verifyPDF}
)

// acceptedTypes names the accepted formats in error messages.
const acceptedTypes = "JPEG, PNG, WebP, HEIC/HEIF or PDF"

// bufSize is the read buffer of every structure walk: the memory an inspection costs, whatever
// the file's size.
const bufSize = 32 << 10
