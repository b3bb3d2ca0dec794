package check

import (
	"fmt"
	"image"

	"kycd/internal/face/detect"
)

// FindFaces returns the frontal faces detect.Find sees in Normalize(img) (their centres and sides
// in its pixels), best scored first.
func FindFaces(img image.Image) []detect.Face { return detect.Find(Normalize(img)) }

// CountFaces returns len(FindFaces(img)).
func CountFaces(img image.Image) int { return len(FindFaces(img)) }

// SelfieFace checks that a selfie (a face-proof file) shows exactly one face: no face found is
// document-unreadable (the photo is too poor, or the face is turned away: the cascade finds
// frontal faces only); more than one is third-party-or-mismatch (someone else is in the picture).
func SelfieFace(img image.Image) Result {
	switch n := CountFaces(img); {
	case n == 0:
		return fail(NameSelfieFace, ReasonUnreadable, "no frontal face found")
	case n > 1:
		return fail(NameSelfieFace, ReasonThirdParty, fmt.Sprintf("%d faces found, want exactly one", n))
	}
	return pass(NameSelfieFace)
}

// FaceBoxes returns FindFaces' faces as squares in img's own pixels (FindFaces works on
// Normalize(img), at most NormalSide pixels a side), for package face to describe.
func FaceBoxes(img image.Image) []image.Rectangle { return detect.Boxes(img.Bounds(), Normalize(img)) }

// FaceBoxesOf is FaceBoxes for an image of these bounds whose Normalize copy is grey, already made.
func FaceBoxesOf(bounds image.Rectangle, grey *image.Gray) []image.Rectangle {
	return detect.Boxes(bounds, grey)
}
