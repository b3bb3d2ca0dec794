package check

import (
	"errors"
	"fmt"
	"image"
)

// Image-check defaults, calibrated on the images of testdata and variants generated from them
// (see image_test.go).
const (
	// DefaultMinShortSide is the least shorter side, in pixels, of an identity document's image:
	// at 600 px an ID card's smallest print is still legible.
	DefaultMinShortSide = 600
	// DefaultBlurThreshold is the least LaplacianVariance of a sharp image. On the five test
	// images and their JPEG (quality 10 and up), 1.5x and 2x upscaled copies it is at least 147;
	// after a Gaussian blur of sigma 1.5 or more (even re-encoded as JPEG of quality 30, whose
	// blocks add edges), or a 5 x 5 box blur, it is at most 34. 60 sits between them, near their
	// geometric mean.
	DefaultBlurThreshold = 60
)

// DefaultExposure are the exposure limits calibrated on the test images: their means lie between
// 103 and 130 and at most 18% of their pixels are clipped; darkened to a quarter their means fall
// to 26-33, brightened by 150 levels they rise to 223-252 with 46% to 94% of pixels clipped white.
var DefaultExposure = ExposureLimits{MinMean: 50, MaxMean: 200, MaxClipped: 0.6}

// ExposureLimits bound the brightness of an acceptable image (see MeasureLuminance).
type ExposureLimits struct {
	// MinMean is the least mean level (0-255); darker is too dark. Default 50.
	MinMean float64
	// MaxMean is the greatest mean level; brighter is washed out. Default 200.
	MaxMean float64
	// MaxClipped is the greatest share of pixels clipped to black (level <= 16) or to white
	// (level >= 239), each side counted apart. Default 0.6.
	MaxClipped float64
}

// Decoded turns the error of Decode into a result: passed when err is nil, otherwise failed with
// document-unreadable.
func Decoded(err error) Result {
	switch {
	case err == nil:
		return pass(NameImageDecodes)
	case errors.Is(err, ErrTooManyPixels):
		return fail(NameImageDecodes, ReasonUnreadable, "image has more pixels than allowed")
	case errors.Is(err, ErrOverBudget):
		return fail(NameImageDecodes, ReasonUnreadable, "image needs more memory to decode than allowed")
	}
	return fail(NameImageDecodes, ReasonUnreadable, "file is not a JPEG, PNG, WebP or HEIC image that decodes whole")
}

// Size checks that the image's shorter side is at least minShortSide pixels
// (DefaultMinShortSide when minShortSide <= 0): document-unreadable otherwise.
func Size(img image.Image, minShortSide int) Result {
	if minShortSide <= 0 {
		minShortSide = DefaultMinShortSide
	}
	b := img.Bounds()
	if short := min(b.Dx(), b.Dy()); short < minShortSide {
		return fail(NameImageSize, ReasonUnreadable, fmt.Sprintf("shorter side %d px is below %d px", short, minShortSide))
	}
	return pass(NameImageSize)
}

// Sharpness checks that the image is not blurred: its LaplacianVariance must reach threshold
// (DefaultBlurThreshold when threshold <= 0), otherwise document-unreadable.
func Sharpness(img image.Image, threshold float64) Result {
	if threshold <= 0 {
		threshold = DefaultBlurThreshold
	}
	if v := LaplacianVariance(img); v < threshold {
		return fail(NameImageSharp, ReasonUnreadable, fmt.Sprintf("blurred: Laplacian variance %.0f is below %.0f", v, threshold))
	}
	return pass(NameImageSharp)
}

// Exposure checks that the image is neither too dark nor washed out under limits (a zero field
// takes its value from DefaultExposure): document-unreadable otherwise.
func Exposure(img image.Image, limits ExposureLimits) Result {
	if limits.MinMean == 0 {
		limits.MinMean = DefaultExposure.MinMean
	}
	if limits.MaxMean == 0 {
		limits.MaxMean = DefaultExposure.MaxMean
	}
	if limits.MaxClipped == 0 {
		limits.MaxClipped = DefaultExposure.MaxClipped
	}
	l := MeasureLuminance(img)
	switch {
	case l.Mean < limits.MinMean:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("too dark: mean level %.0f is below %.0f", l.Mean, limits.MinMean))
	case l.Dark > limits.MaxClipped:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("too dark: %.0f%% of pixels are black", 100*l.Dark))
	case l.Mean > limits.MaxMean:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("washed out: mean level %.0f is above %.0f", l.Mean, limits.MaxMean))
	case l.Bright > limits.MaxClipped:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("washed out: %.0f%% of pixels are white", 100*l.Bright))
	}
	return pass(NameImageExposure)
}
