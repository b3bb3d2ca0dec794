package mrzimage

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestReadPhotos reads real photographs and a scan of printed text, which carry no zone, as they
// are, turned, and enlarged to a phone photo's size: nothing may be read from them, and the error
// must say why.
func TestReadPhotos(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"astronaut", "camera", "chelsea", "coffee", "text"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			src, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			rgba := image.NewRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
			for y := 0; y < rgba.Rect.Dy(); y++ {
				for x := 0; x < rgba.Rect.Dx(); x++ {
					rgba.Set(x, y, src.At(src.Bounds().Min.X+x, src.Bounds().Min.Y+y))
				}
			}
			for what, img := range map[string]image.Image{
				"as it is":     src,
				"turned":       quarter(rgba, 1),
				"3000 px wide": resize(rgba, 3000),
				"JPEG 50":      jpegAt(rgba, 50),
			} {
				r, err := ReadAt(img, corpusNow)
				if !errors.Is(err, ErrNotRead) || r != nil {
					t.Errorf("%s: read %v, %v; want ErrNotRead", what, r, err)
					continue
				}
				t.Logf("%s: %v", what, err)
			}
		})
	}
}
