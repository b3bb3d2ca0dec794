package check

import (
	"image"
	"image/draw"
	"kycd/internal/face/detect"
	"testing"
)

// idCard composes an identity-card-like picture: text.png stretched to 1200 x 760 as the card,
// with a head-and-shoulders crop of the astronaut as its portrait, 300 x 380 px (the 35 x 45 mm
// photo of an ID-1 card), on the left where cards print it.
func idCard(t testing.TB) *image.RGBA {
	t.Helper()
	card := image.NewRGBA(image.Rect(0, 0, 1200, 760))
	draw.Draw(card, card.Rect, scaleTo(testImage(t, "text"), 1200, 760), image.Point{}, draw.Src)
	portrait := scaleTo(crop(testImage(t, "astronaut"), image.Rect(145, 30, 295, 220)), 300, 380)
	draw.Draw(card, portrait.Rect.Add(image.Pt(60, 230)), portrait, image.Point{}, draw.Src)
	return card
}

// scaleTo resizes img to w x h.
func scaleTo(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	return scale(crop(img, b), float64(w)/float64(b.Dx())).SubImage(image.Rect(0, 0, w, h)).(*image.RGBA)
}

// twoPeople puts the astronaut twice side by side.
func twoPeople(t testing.TB) *image.RGBA {
	t.Helper()
	a := testImage(t, "astronaut")
	dst := image.NewRGBA(image.Rect(0, 0, 1024, 512))
	draw.Draw(dst, image.Rect(0, 0, 512, 512), a, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(512, 0, 1024, 512), a, image.Point{}, draw.Src)
	return dst
}

func TestFaces(t *testing.T) {
	t.Parallel()
	astronaut := testImage(t, "astronaut")
	tests := []struct {
		name   string
		img    func(t *testing.T) image.Image
		faces  int
		selfie string
	}{
		{"astronaut", func(t *testing.T) image.Image { return astronaut }, 1, "pass"},
		{"astronaut as JPEG", func(t *testing.T) image.Image { return reencode(t, astronaut, 75) }, 1, "pass"},
		{"astronaut as JPEG of quality 20", func(t *testing.T) image.Image { return reencode(t, astronaut, 20) }, 1, "pass"},
		{"astronaut upscaled 1.5x as JPEG", func(t *testing.T) image.Image { return reencode(t, scale(astronaut, 1.5), 75) }, 1, "pass"},
		{"astronaut downscaled to 300 px", func(t *testing.T) image.Image { return scale(astronaut, 300.0/512) }, 1, "pass"},
		{"astronaut darker (x0.5)", func(t *testing.T) image.Image { return darken(astronaut, 0.5) }, 1, "pass"},
		{"astronaut washed out", func(t *testing.T) image.Image { return brighten(astronaut, 150) }, 0, ReasonUnreadable},
		{"astronaut cropped to her shoulders", func(t *testing.T) image.Image { return crop(astronaut, image.Rect(0, 260, 512, 512)) }, 0, ReasonUnreadable},
		{"an identity card with a portrait", func(t *testing.T) image.Image { return idCard(t) }, 1, "pass"},
		{"the card as JPEG", func(t *testing.T) image.Image { return reencode(t, idCard(t), 75) }, 1, "pass"},
		{"two people", func(t *testing.T) image.Image { return twoPeople(t) }, 2, ReasonThirdParty},
		// camera.png shows a man in profile, looking through a camera: pigo's cascade finds
		// frontal faces only, so it is not a usable selfie.
		{"camera (a face in profile)", func(t *testing.T) image.Image { return testImage(t, "camera") }, 0, ReasonUnreadable},
		{"chelsea (a cat)", func(t *testing.T) image.Image { return testImage(t, "chelsea") }, 0, ReasonUnreadable},
		{"chelsea as JPEG", func(t *testing.T) image.Image { return reencode(t, testImage(t, "chelsea"), 75) }, 0, ReasonUnreadable},
		{"coffee", func(t *testing.T) image.Image { return testImage(t, "coffee") }, 0, ReasonUnreadable},
		{"coffee upscaled", func(t *testing.T) image.Image { return scale(testImage(t, "coffee"), 2) }, 0, ReasonUnreadable},
		{"text", func(t *testing.T) image.Image { return testImage(t, "text") }, 0, ReasonUnreadable},
		{"tiny", func(t *testing.T) image.Image { return uniform(10, 10, 128) }, 0, ReasonUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img := tt.img(t)
			g := Normalize(img)
			if got := CountFaces(g); got != tt.faces {
				t.Fatalf("CountFaces = %d, want %d (faces %+v)", got, tt.faces, FindFaces(g))
			}
			assertResult(t, SelfieFace(g), NameSelfieFace, tt.selfie)
			if CountFaces(img) != tt.faces {
				t.Error("CountFaces differs between an image and its Normalize")
			}
		})
	}
}

// TestFaceScoresCalibration keeps detect.Quality between the scores of faces and of non-faces with
// a margin: every face variant scores at least 1.5 times detect.Quality, and no cluster on an image
// without a frontal face reaches 0.75 times it.
func TestFaceScoresCalibration(t *testing.T) {
	t.Parallel()
	astronaut := testImage(t, "astronaut")
	faces := map[string]image.Image{
		"astronaut": astronaut, "JPEG 20": reencode(t, astronaut, 20), "upscaled": scale(astronaut, 1.5),
		"downscaled": scale(astronaut, 300.0/512), "darker": darken(astronaut, 0.5), "card": idCard(t),
		"blurred": gaussianBlur(astronaut, 2),
	}
	lowest := 1e9
	for name, img := range faces {
		best := 0.0
		for _, d := range detect.All(Normalize(img)) {
			best = max(best, d.Score)
		}
		t.Logf("face %-10s best score %.1f", name, best)
		lowest = min(lowest, best)
	}
	highest := 0.0
	for _, name := range []string{"camera", "chelsea", "coffee", "text"} {
		img := testImage(t, name)
		for vname, v := range map[string]image.Image{"": img, " JPEG": reencode(t, img, 75), " upscaled": scale(img, 2), " blurred": gaussianBlur(img, 2)} {
			best := 0.0
			for _, d := range detect.All(Normalize(v)) {
				best = max(best, d.Score)
			}
			t.Logf("non-face %-18s best score %.1f", name+vname, best)
			highest = max(highest, best)
		}
	}
	if lowest < 1.5*detect.Quality || highest >= 0.75*detect.Quality {
		t.Errorf("faces score from %.1f, non-faces up to %.1f: detect.Quality %d needs recalibrating", lowest, highest, detect.Quality)
	}
}
