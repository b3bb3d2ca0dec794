package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG
	"io"

	"github.com/gen2brain/heic"
	_ "golang.org/x/image/webp" // registers WebP
)

// DefaultMaxPixels is the largest image Decode accepts when given no limit: kycd's default
// KYCD_MAX_IMAGE_PIXELS.
const DefaultMaxPixels = 50_000_000

// Errors of Decode. Neither quotes the file.
var (
	// ErrTooManyPixels: the header claims more pixels than allowed; nothing was decoded.
	ErrTooManyPixels = errors.New("check: image has too many pixels")
	// ErrUndecodable: the bytes are not a JPEG, PNG, WebP or HEIC image that decodes whole.
	ErrUndecodable = errors.New("check: image does not decode")
)

// Decode decodes a JPEG, PNG, WebP or HEIC/HEIF image from r. It reads the dimensions from the
// header first and refuses an image of more than maxPixels pixels (DefaultMaxPixels when
// maxPixels <= 0) with ErrTooManyPixels before decoding any pixel; any other failure wraps
// ErrUndecodable. A JPEG's EXIF orientation is applied, so the image is upright as a phone shows
// it (libheif already applies a HEIC's rotation). r is read to the end of the image, once.
func Decode(r io.Reader, maxPixels int64) (image.Image, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(12); isHEIF(head) {
		return decodeHEIF(br, maxPixels)
	}
	var header bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(br, &header))
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrUndecodable, err)
	}
	if err := checkPixels(cfg, maxPixels); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(io.MultiReader(bytes.NewReader(header.Bytes()), br))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUndecodable, format, err)
	}
	if format == "jpeg" {
		img = orient(img, exifOrientation(header.Bytes()))
	}
	return img, nil
}

// checkPixels refuses empty images and those over the limit.
func checkPixels(cfg image.Config, maxPixels int64) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%w: %dx%d", ErrUndecodable, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return fmt.Errorf("%w: %dx%d is over %d", ErrTooManyPixels, cfg.Width, cfg.Height, maxPixels)
	}
	return nil
}

// isHEIF reports an ISO-BMFF file type box naming a HEIF brand.
func isHEIF(head []byte) bool {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return false
	}
	switch string(head[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
		return true
	}
	return false
}

// decodeHEIF decodes a HEIF image with github.com/gen2brain/heic (libheif in WebAssembly), which
// reads whole files only and opens only files whose major brand is heic or heix: a copy in memory
// of a file with another HEIF brand gets "heic", which changes nothing libheif reads.
func decodeHEIF(r io.Reader, maxPixels int64) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: heic: %w", ErrUndecodable, err)
	}
	if brand := string(data[8:12]); brand != "heic" && brand != "heix" {
		copy(data[8:12], "heic")
	}
	cfg, err := heic.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: heic header: %w", ErrUndecodable, err)
	}
	if err := checkPixels(cfg, maxPixels); err != nil {
		return nil, err
	}
	img, err := heic.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: heic: %w", ErrUndecodable, err)
	}
	return img, nil
}
