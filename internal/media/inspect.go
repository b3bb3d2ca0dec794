package media

import (
	"fmt"
	"io"
	"strconv"

	"kycd/internal/kyc"
)

// Info is what Inspect learnt about a file.
type Info struct {
	// MIME is the sniffed media type: image/jpeg, image/png, image/webp, image/heic (for any HEIF
	// image) or application/pdf.
	MIME string
	// Width and Height are the image's dimensions in pixels as its header states them; both are 0
	// for a PDF.
	Width, Height int
}

// Inspect sniffs the spooled file's type from its bytes, reads an image's dimensions from its
// header, refuses an image of more than maxPixels pixels (width*height) before anything decodes a
// pixel, and walks the whole file to prove it is not truncated or damaged. It reads the file
// through a fixed-size buffer and never decodes pixels.
//
// Errors: kyc.ErrUnsupportedMedia (415) when the bytes are not JPEG, PNG, WebP, HEIC/HEIF or PDF;
// a *kyc.ValidationError on "file" (422) when the image has too many pixels, no pixels, or the
// file is damaged or truncated; anything else is a server error. maxPixels must be positive.
func Inspect(s *Spooled, maxPixels int64) (Info, error) {
	if maxPixels <= 0 {
		return Info{}, fmt.Errorf("media: inspect: maxPixels must be positive, got %d", maxPixels)
	}
	f, err := s.Open()
	if err != nil {
		return Info{}, err
	}
	defer f.Close()

	head := make([]byte, min(s.Size, headSize))
	if _, err := io.ReadFull(f, head); err != nil {
		return Info{}, readFailed(err, "the file's head")
	}
	fm, err := sniff(head)
	if err != nil {
		return Info{}, err
	}
	info := Info{MIME: fm.mime}
	if fm.config != nil {
		info.Width, info.Height, err = dimensions(fm, io.NewSectionReader(f, 0, s.Size), maxPixels)
		if err != nil {
			return Info{}, err
		}
	}
	if err := fm.verify(io.NewSectionReader(f, 0, s.Size)); err != nil {
		return Info{}, err
	}
	return info, nil
}

// dimensions reads an image's width and height with the format's DecodeConfig, which stops after
// the header, and refuses an image with no pixels or more than maxPixels.
func dimensions(fm *format, src io.Reader, maxPixels int64) (width, height int, err error) {
	tracked := &ioErrorTracker{r: src}
	cfg, err := fm.config(tracked)
	if tracked.err != nil {
		return 0, 0, fmt.Errorf("media: read %s header: %w", fm.mime, tracked.err)
	}
	if err != nil {
		return 0, 0, damaged("%s header: %v", fm.mime, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, fmt.Errorf("media: %w", kyc.Invalid("file", "the image has no pixels (%dx%d)", cfg.Width, cfg.Height))
	}
	if pixels := int64(cfg.Width) * int64(cfg.Height); pixels > maxPixels {
		return 0, 0, fmt.Errorf("media: %w", kyc.Invalid("file",
			"the image is %dx%d pixels (%.1f megapixels); the limit is %s megapixels",
			cfg.Width, cfg.Height, float64(pixels)/1e6, megapixels(maxPixels)))
	}
	return cfg.Width, cfg.Height, nil
}

// megapixels formats a pixel count in megapixels without trailing zeros: 40000000 is "40".
func megapixels(pixels int64) string {
	return strconv.FormatFloat(float64(pixels)/1e6, 'f', -1, 64)
}
