package facecompare

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"

	"kycd/internal/face"
	"kycd/internal/verify/check"
)

// Decoder decodes image bytes within a memory budget: *check.Budget. The release function gives
// the image's memory back; it is called once the image is no longer used.
type Decoder interface {
	Decode(ctx context.Context, data []byte, maxPixels int64) (image.Image, func(), error)
}

// Image gives the bytes of one image to compare. Compare calls it once the comparison's turn has
// come, and the other image's only after this one is described and let go, so a comparison that
// waits holds no image and one that runs holds one. Its error is returned as it is.
type Image func(ctx context.Context) ([]byte, error)

// Bytes is an Image already in memory.
func Bytes(b []byte) Image { return func(context.Context) ([]byte, error) { return b, nil } }

// Describer describes the face in a box of an image: *face.Analyzer.
type Describer interface {
	Describe(img image.Image, box image.Rectangle) (*face.Face, error)
}

// Errors of Compare, each wrapped in an *ImageError that says which image it is about. Neither
// quotes the image.
var (
	// ErrNotImage: the bytes are not a JPEG, PNG, WebP or HEIC image that decodes whole within the
	// pixel limit and the decode budget.
	ErrNotImage = errors.New("not an image that can be decoded")
	// ErrNoFace: no frontal face was found in the image (or the one found could not be described).
	ErrNoFace = errors.New("no face found")
)

// Which names one of the two images compared.
type Which string

// The two images of a comparison.
const (
	Source Which = "source"
	Target Which = "target"
)

// ImageError is an error about one of the two images.
type ImageError struct {
	// Image is the image the error is about.
	Image Which
	// Err is ErrNotImage or ErrNoFace, possibly wrapped with a reason.
	Err error
}

// Error says which image and what is wrong with it.
func (e *ImageError) Error() string { return string(e.Image) + " image: " + e.Err.Error() }

// Unwrap returns Err.
func (e *ImageError) Unwrap() error { return e.Err }

// Config tunes a Comparer.
type Config struct {
	// MaxPixels refuses larger images from their header, before any pixel is decoded. Default
	// check.DefaultMaxPixels, as the server's KYCD_MAX_IMAGE_PIXELS.
	MaxPixels int64
	// MaxConcurrent is how many comparisons run at once; the others wait their turn (or their
	// context's end). A comparison is CPU work (two descriptions of about 42 ms each, plus
	// decoding and detection), so it is bounded by the cores, not by who asks. Default
	// GOMAXPROCS.
	MaxConcurrent int
}

// Comparer compares the faces of two photos. It is safe for concurrent use.
type Comparer struct {
	decode Decoder
	faces  Describer
	cfg    Config
	slots  chan struct{}
}

// New returns a Comparer that decodes with dec and describes faces with faces. Share both with
// the rest of the process: one decode budget and one Analyzer (its nets are large).
func New(dec Decoder, faces Describer, cfg Config) *Comparer {
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = check.DefaultMaxPixels
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &Comparer{decode: dec, faces: faces, cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent)}
}

// Seen is what was found in one image.
type Seen struct {
	// Box is the largest face's box, the one compared: the detector's square, in the pixels of the
	// image upright (a JPEG's EXIF orientation applied) counted from its top-left corner, clipped
	// to the image.
	Box image.Rectangle
	// Size is the image's width and height, upright.
	Size image.Point
	// Faces is how many faces were found in the image.
	Faces int
}

// Result is a comparison.
type Result struct {
	// Similarity is face.Similarity of the two faces' embeddings, rounded to 3 decimals.
	Similarity float64
	// Threshold is face.MatchThreshold.
	Threshold float64
	// Matched reports Similarity >= Threshold: the two faces are taken for one person.
	Matched bool
	// Source and Target are what was found in each image.
	Source, Target Seen
}

// Compare compares the largest face of source with the largest face of target, once one of
// MaxConcurrent slots is free. The error is ctx's when it ended while the comparison waited, an
// *ImageError (wrapping ErrNotImage or ErrNoFace) when an image cannot be decoded or shows no face
// (source is looked at first), an Image's own error, or the Describer's.
func (c *Comparer) Compare(ctx context.Context, source, target Image) (*Result, error) {
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	src, srcFace, err := c.largestFace(ctx, source, Source)
	if err != nil {
		return nil, err
	}
	dst, dstFace, err := c.largestFace(ctx, target, Target)
	if err != nil {
		return nil, err
	}
	sim := math.Round(face.Similarity(&srcFace.Embedding, &dstFace.Embedding)*1000) / 1000
	return &Result{Similarity: sim, Threshold: face.MatchThreshold, Matched: sim >= face.MatchThreshold, Source: src, Target: dst}, nil
}

// largestFace reads and decodes img and describes the largest face found in it. The bytes and the
// decoded image are let go when it returns: only the face's description is kept.
func (c *Comparer) largestFace(ctx context.Context, img Image, which Which) (Seen, *face.Face, error) {
	data, err := img(ctx)
	if err != nil {
		return Seen{}, nil, err
	}
	full, release, err := c.decode.Decode(ctx, data, c.cfg.MaxPixels)
	if err != nil {
		if ctx.Err() != nil {
			return Seen{}, nil, ctx.Err()
		}
		return Seen{}, nil, &ImageError{Image: which, Err: fmt.Errorf("%w: %s", ErrNotImage, check.Decoded(err).Detail)}
	}
	defer release()
	bounds := full.Bounds()
	boxes := check.FaceBoxesOf(bounds, check.Normalize(full))
	if len(boxes) == 0 {
		return Seen{}, nil, &ImageError{Image: which, Err: ErrNoFace}
	}
	best := boxes[0]
	for _, b := range boxes[1:] {
		if b.Dx() > best.Dx() {
			best = b
		}
	}
	f, err := c.faces.Describe(full, best)
	if errors.Is(err, face.ErrNoFace) {
		return Seen{}, nil, &ImageError{Image: which, Err: ErrNoFace}
	}
	if err != nil {
		return Seen{}, nil, fmt.Errorf("describe the %s face: %w", which, err)
	}
	return Seen{Box: best.Intersect(bounds).Sub(bounds.Min), Size: bounds.Size(), Faces: len(boxes)}, f, nil
}
