package check

import (
	"errors"
	"fmt"
	"image"
)

// Image-check defaults. "Tuning seed" and "evaluation seed" are the generated captures of
// quality_test.go: photos of bills and passport pages (white paper, light or dark surfaces,
// uneven light, sensor noise, JPEG of quality 40-90) and A4 scans, drawn from seed 1 to choose
// each value and from seed 3 to test it (TestCaptureQuality: every accepted variant accepted,
// every refused variant refused by its check, 24 captures each; seed 2, the first evaluation
// seed, informed the last retune and is no longer held out). The images of testdata and the
// variants image_test.go makes of them (JPEG, scaled, blurred, darkened, brightened) bound the
// values too.
const (
	// DefaultMinShortSide is the least shorter side, in pixels, of an identity document's image:
	// the least at which a photo keeps an ID card's finest print, the strokes of its 7-point data
	// fields (0.25 mm wide, 0.30 mm apart), standing apart (size_test.go simulates a 4:3 photo
	// with the card filling 60-85% of its width, at a random pixel phase, blurred by sigma 0.3-0.7
	// px). On the tuning seed 91.5% of photos keep it at 500 px, 99.5% at 550 and all at 600; on
	// the evaluation seed 99.8% at 600 and 75% at 450 (TestMinShortSide). A passport page, 125 mm
	// wide, has more pixels per millimetre in the same frame.
	DefaultMinShortSide = 600
	// DefaultBlurThreshold is the least SharpnessScore (the Laplacian's variance less its sensor
	// noise) of a sharp image. On the tuning seed, blurred photos (Gaussian sigma 1.25-2.5 px of
	// the 512 px grey copy, with noise, saved as JPEG of quality 40-90) score 0-44 and every sharp
	// or slightly soft capture (sigma up to 0.45) 630 or more; the test images, 1.5x upscaled,
	// score 126 or more clean or as JPEG of quality 10 and up, and 27 or less blurred (Gaussian
	// sigma 2 or 3, 7 x 7 box, blurred then JPEG). 74 is the geometric mean of 44 and 126, the
	// closest values of both sets. The plain Laplacian variance, the former measure, cannot
	// separate them: sensor noise lifts a blurred photo of a page to 140, above the former
	// threshold of 60.
	DefaultBlurThreshold = 74
	// DefaultMaxGlare is the greatest share of the document area that a glare spot (FindGlare) may
	// cover. On the tuning seed a glare spot over the text covers 0.72% to 4.1% of it, and the
	// largest spot found on a capture without glare 0.05%; 0.2% lies between, near their geometric
	// mean: a spot the size of a few characters of body text.
	DefaultMaxGlare = 0.002
)

// DefaultExposure are the exposure limits. They judge the capture, not the paper: white paper
// well lit (a document area of mean level 200-225), a light background and a bright scan whose
// paper is clipped white (70-80% of the document area) all pass, whatever their mean level.
// Figures are of the tuning seed and of the test images.
//
//   - MinHighlight 90: the paper of underexposed photos (gain 0.1-0.3) reaches levels 26-77, that
//     of every accepted capture, dim ones (gain 0.5-0.7) included, 110 or more; the test images
//     darkened to a quarter reach 60 at most, to 0.7 110 or more.
//   - MaxShadow 160: the darkest print of washed-out photos (levels lifted by 130-190) is at 183
//     or more, that of accepted captures at 129 or less (141 on seed 2: a soft JPEG of thin
//     print); text.png lifted by 150 is at 185.
//   - MaxClipped 0.2 with MaxClippedShadow 120: the test images lifted by 150 have 25-90% of the
//     area clipped and their darkest level at 150-185, lifted by 40 at most 14% clipped and 75;
//     a bright scan has 69-79% clipped but print at 101 or darker, a white bill at most 10%
//     clipped.
//   - MaxCrushed 0.9: a backstop for a photo that is black but for a bright patch. A page filling
//     35-50% of the frame on a black table has up to 39% of the central area crushed, every other
//     generated capture 2.5% at most.
var DefaultExposure = ExposureLimits{MinHighlight: 90, MaxCrushed: 0.9, MaxShadow: 160, MaxClipped: 0.2, MaxClippedShadow: 120}

// ExposureLimits bound the exposure of an acceptable image, measured on its document area (see
// MeasureLuminance).
type ExposureLimits struct {
	// MinHighlight is the least Highlight level: when even the paper, the lightest part of the
	// document area, stays below it, the photo is underexposed.
	MinHighlight int
	// MaxCrushed is the greatest share of the document area crushed to black.
	MaxCrushed float64
	// MaxShadow is the greatest Shadow level: when even the print, the darkest part of the
	// document area, is lighter than it, the photo is washed out.
	MaxShadow int
	// MaxClipped and MaxClippedShadow: when more than MaxClipped of the document area is clipped
	// white and its print is lighter than MaxClippedShadow, the photo is overexposed. Clipped
	// paper alone is a bright scan; the two together are highlights blown out and shadows lifted.
	MaxClipped       float64
	MaxClippedShadow int
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
	if v := SharpnessScore(img); v < threshold {
		return fail(NameImageSharp, ReasonUnreadable, fmt.Sprintf("blurred: sharpness %.0f is below %.0f", v, threshold))
	}
	return pass(NameImageSharp)
}

// Exposure checks that the image is neither underexposed nor washed out under limits (a zero
// field takes its value from DefaultExposure): document-unreadable otherwise. The mean level is
// not judged: white paper is bright.
func Exposure(img image.Image, limits ExposureLimits) Result {
	if limits.MinHighlight == 0 {
		limits.MinHighlight = DefaultExposure.MinHighlight
	}
	if limits.MaxCrushed == 0 {
		limits.MaxCrushed = DefaultExposure.MaxCrushed
	}
	if limits.MaxShadow == 0 {
		limits.MaxShadow = DefaultExposure.MaxShadow
	}
	if limits.MaxClipped == 0 {
		limits.MaxClipped = DefaultExposure.MaxClipped
	}
	if limits.MaxClippedShadow == 0 {
		limits.MaxClippedShadow = DefaultExposure.MaxClippedShadow
	}
	l := MeasureLuminance(img)
	switch {
	case l.Highlight < limits.MinHighlight:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("too dark: the lightest part of the document reaches level %d, below %d", l.Highlight, limits.MinHighlight))
	case l.Crushed > limits.MaxCrushed:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("too dark: %.0f%% of the document area is crushed to black", 100*l.Crushed))
	case l.Shadow > limits.MaxShadow:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("washed out: the darkest print is at level %d, above %d", l.Shadow, limits.MaxShadow))
	case l.Clipped > limits.MaxClipped && l.Shadow > limits.MaxClippedShadow:
		return fail(NameImageExposure, ReasonUnreadable, fmt.Sprintf("washed out: %.0f%% of the document area is clipped white and the darkest print is at level %d, above %d",
			100*l.Clipped, l.Shadow, limits.MaxClippedShadow))
	}
	return pass(NameImageExposure)
}

// Glare checks that no glare spot (FindGlare) covers more than maxShare of the document area
// (DefaultMaxGlare when maxShare <= 0): document-unreadable otherwise, since the spot hides what is
// printed beneath it.
func Glare(img image.Image, maxShare float64) Result {
	if maxShare <= 0 {
		maxShare = DefaultMaxGlare
	}
	if s, ok := FindGlare(img); ok && s.Share > maxShare {
		return fail(NameImageGlare, ReasonUnreadable, fmt.Sprintf("glare: a clipped white spot covers %.1f%% of the document area", 100*s.Share))
	}
	return pass(NameImageGlare)
}
