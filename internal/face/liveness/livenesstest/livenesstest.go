// Package livenesstest films a flat face image making the moves of a liveness challenge: frames
// of a phone's front camera (not mirrored) in which the face is moved and scaled as asked, and
// the YUV4MPEG2 video that Chromium's fake camera plays. Nothing in the server imports it.
package livenesstest

import (
	"bufio"
	"image"
	"image/color"
	"io"
	"strconv"

	"golang.org/x/image/draw"

	"kycd/internal/face/liveness"
)

// Pose is where the face image sits in a frame: its centre's offset from the frame's centre, as
// a share of the frame's width (positive is to the right of the captured frame, the user's left),
// and its scale (1 is the neutral size).
type Pose struct {
	X, Scale float64
}

// Geometry of the frames.
const (
	// Step is a sideways move: a sixth of the frame's width, about one width of the neutral face.
	Step = 1.0 / 6
	// Closer is the scale a "come closer" multiplies the face by.
	Closer = 1.45
	// FaceShare is the width of the (400 px) face image in a neutral frame, as a share of the
	// frame's width; the face itself is about half of it.
	FaceShare = 0.4
)

// Poses returns the pose before any move and after each of moves.
func Poses(moves []liveness.Move) []Pose {
	p := Pose{Scale: 1}
	out := []Pose{p}
	for _, m := range moves {
		switch m {
		case liveness.MoveLeft:
			p.X += Step
		case liveness.MoveRight:
			p.X -= Step
		case liveness.MoveCloser:
			p.Scale *= Closer
		}
		out = append(out, p)
	}
	return out
}

// Frame draws img at pose p on a grey w×h frame.
func Frame(img *image.RGBA, p Pose, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, image.NewUniform(color.RGBA{118, 122, 126, 255}), image.Point{}, draw.Src)
	b := img.Bounds()
	fw := FaceShare * float64(w) * p.Scale
	fh := fw * float64(b.Dy()) / float64(b.Dx())
	cx, cy := float64(w)/2+p.X*float64(w), float64(h)/2
	at := image.Rect(int(cx-fw/2), int(cy-fh/2), int(cx+fw/2), int(cy+fh/2))
	draw.CatmullRom.Scale(out, at, img, b, draw.Over, nil)
	return out
}

// Frames films img making moves: the neutral frame, then one after each move.
func Frames(img *image.RGBA, moves []liveness.Move, w, h int) []*image.RGBA {
	var out []*image.RGBA
	for _, p := range Poses(moves) {
		out = append(out, Frame(img, p, w, h))
	}
	return out
}

// WriteY4M writes frames as a YUV4MPEG2 video (4:2:0, full-range BT.601, the format of
// Chromium's --use-file-for-fake-video-capture) at fps frames a second, frame i repeated
// repeat[i] times. All frames must have the first's even width and height.
func WriteY4M(w io.Writer, fps int, frames []*image.RGBA, repeat []int) error {
	fw, fh := frames[0].Rect.Dx(), frames[0].Rect.Dy()
	bw := bufio.NewWriter(w)
	if _, err := io.WriteString(bw, "YUV4MPEG2 W"+strconv.Itoa(fw)+" H"+strconv.Itoa(fh)+" F"+strconv.Itoa(fps)+":1 Ip A1:1 C420jpeg\n"); err != nil {
		return err
	}
	for i, img := range frames {
		planes := yuv(img)
		for range repeat[i] {
			if _, err := io.WriteString(bw, "FRAME\n"); err != nil {
				return err
			}
			if _, err := bw.Write(planes); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// yuv is img's Y plane followed by its quarter-size Cb and Cr planes.
func yuv(img *image.RGBA) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	ys := make([]byte, 0, w*h*3/2)
	cb, cr := make([]byte, 0, w*h/4), make([]byte, 0, w*h/4)
	for y := range h {
		for x := range w {
			p := img.RGBAAt(x, y)
			yy, _, _ := color.RGBToYCbCr(p.R, p.G, p.B)
			ys = append(ys, yy)
		}
	}
	for y := 0; y < h; y += 2 {
		for x := 0; x < w; x += 2 {
			var r, g, b int
			for _, p := range []color.RGBA{img.RGBAAt(x, y), img.RGBAAt(x+1, y), img.RGBAAt(x, y+1), img.RGBAAt(x+1, y+1)} {
				r, g, b = r+int(p.R), g+int(p.G), b+int(p.B)
			}
			_, u, v := color.RGBToYCbCr(uint8(r/4), uint8(g/4), uint8(b/4))
			cb, cr = append(cb, u), append(cr, v)
		}
	}
	return append(append(ys, cb...), cr...)
}
