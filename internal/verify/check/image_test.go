package check

import (
	"image"
	"image/color"
	"testing"
)

// testImageNames are the images of testdata that the image checks run on.
var testImageNames = []string{"astronaut", "camera", "chelsea", "coffee", "text"}

func TestSize(t *testing.T) {
	t.Parallel()
	astronaut := testImage(t, "astronaut") // 512 x 512
	up := scale(astronaut, 1.25)           // 640 x 640
	tests := []struct {
		name string
		img  image.Image
		min  int
		want string
	}{
		{"512 px is below the default 600", astronaut, 0, ReasonUnreadable},
		{"upscaled to 640 px", up, 0, "pass"},
		{"cropped below 600 px on one side", crop(up, image.Rect(0, 0, 640, 599)), 0, ReasonUnreadable},
		{"cropped to exactly 600 px", crop(up, image.Rect(0, 0, 600, 640)), 0, "pass"},
		{"coffee is 600 x 400", testImage(t, "coffee"), 0, ReasonUnreadable},
		{"a lower minimum for selfies", astronaut, 480, "pass"},
		{"empty image", image.NewGray(image.Rect(0, 0, 0, 0)), 0, ReasonUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertResult(t, Size(tt.img, tt.min), NameImageSize, tt.want)
		})
	}
}

// TestSharpness runs the blur check on every test image, upscaled 1.5x so that it would pass the
// size check, and on sharp and blurred variants of it.
func TestSharpness(t *testing.T) {
	t.Parallel()
	type variant struct {
		name string
		make func(t *testing.T, img image.Image) image.Image
		want string
	}
	variants := []variant{
		{"clean", func(_ *testing.T, img image.Image) image.Image { return img }, "pass"},
		{"JPEG quality 75", func(t *testing.T, img image.Image) image.Image { return reencode(t, img, 75) }, "pass"},
		{"JPEG quality 10", func(t *testing.T, img image.Image) image.Image { return reencode(t, img, 10) }, "pass"},
		{"Gaussian blur sigma 2", func(_ *testing.T, img image.Image) image.Image { return gaussianBlur(img, 2) }, ReasonUnreadable},
		{"Gaussian blur sigma 3", func(_ *testing.T, img image.Image) image.Image { return gaussianBlur(img, 3) }, ReasonUnreadable},
		{"7 x 7 box blur", func(_ *testing.T, img image.Image) image.Image { return boxBlur(img, 3) }, ReasonUnreadable},
		{"blurred then JPEG quality 30", func(t *testing.T, img image.Image) image.Image {
			return reencode(t, gaussianBlur(img, 3), 30)
		}, ReasonUnreadable},
		{"uniform grey", func(_ *testing.T, img image.Image) image.Image {
			return uniform(img.Bounds().Dx(), img.Bounds().Dy(), 128)
		}, ReasonUnreadable},
	}
	for _, name := range testImageNames {
		base := scale(testImage(t, name), 1.5)
		for _, v := range variants {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				img := v.make(t, base)
				r := Sharpness(img, 0)
				assertResult(t, r, NameImageSharp, v.want)
				if r.Failed {
					t.Logf("sharpness %.1f", SharpnessScore(img))
				}
			})
		}
	}
	if v := LaplacianVariance(image.NewGray(image.Rect(0, 0, 2, 2))); v != 0 {
		t.Errorf("LaplacianVariance of a 2 x 2 image = %v", v)
	}
	assertResult(t, Sharpness(testImage(t, "coffee"), 5000), NameImageSharp, ReasonUnreadable)
}

func TestExposure(t *testing.T) {
	t.Parallel()
	type variant struct {
		name string
		make func(img image.Image) image.Image
		want string
	}
	variants := []variant{
		{"clean", func(img image.Image) image.Image { return img }, "pass"},
		{"darkened to a quarter", func(img image.Image) image.Image { return darken(img, 0.25) }, ReasonUnreadable},
		{"darkened to a tenth", func(img image.Image) image.Image { return darken(img, 0.1) }, ReasonUnreadable},
		{"brightened to white (+150)", func(img image.Image) image.Image { return brighten(img, 150) }, ReasonUnreadable},
		{"brightened to white (+200)", func(img image.Image) image.Image { return brighten(img, 200) }, ReasonUnreadable},
		{"slightly darker (x0.7)", func(img image.Image) image.Image { return darken(img, 0.7) }, "pass"},
		{"slightly brighter (+40)", func(img image.Image) image.Image { return brighten(img, 40) }, "pass"},
	}
	for _, name := range testImageNames {
		base := testImage(t, name)
		for _, v := range variants {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				assertResult(t, Exposure(v.make(base), ExposureLimits{}), NameImageExposure, v.want)
			})
		}
	}
	tests := []struct {
		name   string
		img    image.Image
		limits ExposureLimits
		want   string
	}{
		{"black", uniform(100, 100, 0), ExposureLimits{}, ReasonUnreadable},
		{"white", uniform(100, 100, 255), ExposureLimits{}, ReasonUnreadable},
		{"mid grey", uniform(100, 100, 128), ExposureLimits{}, "pass"},
		{"half black, half light: mean fine, too much black", halfAndHalf(0, 180), ExposureLimits{MaxCrushed: 0.4}, ReasonUnreadable},
		// Half the page clipped white is a bright scan, not a washed-out photo: its print is dark.
		{"half white, half dark print", halfAndHalf(255, 40), ExposureLimits{}, "pass"},
		{"half white, half light grey: no dark print", halfAndHalf(255, 200), ExposureLimits{}, ReasonUnreadable},
		{"stricter highlight", testImage(t, "coffee"), ExposureLimits{MinHighlight: 255}, ReasonUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertResult(t, Exposure(tt.img, tt.limits), NameImageExposure, tt.want)
		})
	}
}

// halfAndHalf is a 100 x 100 image whose left half is level a and right half level b.
func halfAndHalf(a, b uint8) *image.Gray {
	g := uniform(100, 100, b)
	for y := range 100 {
		for x := range 50 {
			g.Pix[y*100+x] = a
		}
	}
	return g
}

func TestMeasureLuminance(t *testing.T) {
	t.Parallel()
	l := MeasureLuminance(halfAndHalf(0, 255))
	if l.Mean != 127.5 || l.Crushed != 0.5 || l.Clipped != 0.5 || l.Shadow != 0 || l.Highlight != 255 {
		t.Errorf("MeasureLuminance = %+v", l)
	}
	if l := MeasureLuminance(image.NewGray(image.Rect(0, 0, 0, 0))); l != (Luminance{}) {
		t.Errorf("empty image: %+v", l)
	}
	// Print the calibration figures of the test images, for whoever changes the defaults.
	for _, name := range testImageNames {
		img := testImage(t, name)
		l := MeasureLuminance(img)
		t.Logf("%-9s Laplacian variance %6.0f, sharpness %6.0f, mean %5.1f, crushed %.3f, clipped %.3f, shadow %3d, highlight %3d", name,
			LaplacianVariance(img), SharpnessScore(img), l.Mean, l.Crushed, l.Clipped, l.Shadow, l.Highlight)
	}
}

// TestGlareOnTestImages: no photograph of testdata shows a glare spot, although the astronaut's
// badge and the coffee cup's highlight are clipped white; a spot laid on text.png does.
func TestGlareOnTestImages(t *testing.T) {
	t.Parallel()
	for _, name := range testImageNames {
		assertResult(t, Glare(scale(testImage(t, name), 2), 0), NameImageGlare, "pass")
	}
	page := brighten(scale(testImage(t, "text"), 2), 60) // text.png as a light page
	b := page.Bounds()
	c := b.Min.Add(b.Max).Div(2)
	for y := c.Y - 40; y < c.Y+40; y++ {
		for x := c.X - 40; x < c.X+40; x++ {
			if (x-c.X)*(x-c.X)+(y-c.Y)*(y-c.Y) < 1600 {
				page.Set(x, y, color.White)
			}
		}
	}
	assertResult(t, Glare(page, 0), NameImageGlare, ReasonUnreadable)
}
