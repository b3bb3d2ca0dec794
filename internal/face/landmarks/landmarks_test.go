package landmarks

import (
	"encoding/json"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var testNet = sync.OnceValues(New)

func net(t testing.TB) *Net {
	t.Helper()
	n, err := testNet()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// reference is testdata/reference/reference.json: face-api's own raw landmark net outputs for the
// .rgb inputs beside it, written by reference.mjs (see that folder's README).
type reference struct {
	FaceAPI string               `json:"faceApi"`
	TFJS    string               `json:"tfjs"`
	Backend string               `json:"backend"`
	Outputs map[string][]float64 `json:"outputs"`
}

func readRGB(t testing.TB, name string) []byte {
	t.Helper()
	pix, err := os.ReadFile(filepath.Join("testdata", "reference", name+".rgb"))
	if err != nil {
		t.Fatal(err)
	}
	return pix
}

// TestMatchesFaceAPI compares the pure-Go pass with face-api 1.7.15 on tfjs's CPU backend.
func TestMatchesFaceAPI(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "reference", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Outputs) < 3 {
		t.Fatalf("reference.json holds %d outputs", len(ref.Outputs))
	}
	n := net(t)
	for name, want := range ref.Outputs {
		got, err := n.raw(readRGB(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != len(got) {
			t.Fatalf("%s: reference has %d values, want %d", name, len(want), len(got))
		}
		var worst float64
		for i, w := range want {
			worst = max(worst, math.Abs(float64(got[i])-w))
		}
		t.Logf("%s: max abs diff %.3g (face-api %s, tfjs %s, %s)", name, worst, ref.FaceAPI, ref.TFJS, ref.Backend)
		if worst > 1e-4 {
			t.Errorf("%s: max abs diff from face-api %g, want < 1e-4", name, worst)
		}
	}
}

// TestDetect checks that Detect reads an image as DetectRGB reads its bytes, and that the
// astronaut's landmarks fall where a face's do: the jaw's ends level with the eyes, the chin
// below the nose tip below the eyes.
func TestDetect(t *testing.T) {
	t.Parallel()
	n := net(t)
	pix := readRGB(t, "astronaut")
	img := image.NewRGBA(image.Rect(10, 20, 10+Size, 20+Size))
	for i := range Size * Size {
		copy(img.Pix[4*i:], pix[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	got, err := n.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	want, err := n.DetectRGB(pix)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Detect and DetectRGB differ:\n%v\n%v", got, want)
	}
	eyeY := (want[36].Y + want[45].Y) / 2
	if !(want[36].X < want[45].X && eyeY < want[30].Y && want[30].Y < want[8].Y && want[8].Y < 1) {
		t.Errorf("astronaut: eyes %v %v, nose tip %v, chin %v are not laid out as a face's", want[36], want[45], want[30], want[8])
	}
	for i, p := range want {
		if p.X < 0 || p.X > 1 || p.Y < 0 || p.Y > 1 {
			t.Errorf("astronaut: point %d at %v, outside the crop", i, p)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	n := net(t)
	if _, err := n.Detect(image.NewRGBA(image.Rect(0, 0, Size, Size-1))); !errors.Is(err, ErrSize) {
		t.Errorf("111 rows: %v, want ErrSize", err)
	}
	if _, err := n.DetectRGB(make([]byte, 5)); !errors.Is(err, ErrSize) {
		t.Errorf("5 bytes: %v, want ErrSize", err)
	}
}
