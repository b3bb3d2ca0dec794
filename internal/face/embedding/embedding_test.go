package embedding

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

// reference is testdata/reference/reference.json: face-api's own embeddings of the .rgb inputs
// beside it, written by reference.mjs (see that folder's README).
type reference struct {
	FaceAPI    string               `json:"faceApi"`
	TFJS       string               `json:"tfjs"`
	Backend    string               `json:"backend"`
	Embeddings map[string][]float64 `json:"embeddings"`
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
	if len(ref.Embeddings) < 3 {
		t.Fatalf("reference.json holds %d embeddings", len(ref.Embeddings))
	}
	n := net(t)
	for name, want := range ref.Embeddings {
		pix, err := os.ReadFile(filepath.Join("testdata", "reference", name+".rgb"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := n.EmbedRGB(pix)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != Dim {
			t.Fatalf("%s: reference has %d values", name, len(want))
		}
		var worst float64
		for i, w := range want {
			worst = max(worst, math.Abs(float64(got[i])-w))
		}
		t.Logf("%s: max |Go - face-api %s/tfjs %s %s| = %.3g", name, ref.FaceAPI, ref.TFJS, ref.Backend, worst)
		if worst > 1e-4 {
			t.Errorf("%s: max abs difference %.3g from face-api, want < 1e-4", name, worst)
		}
	}
}

// TestEmbedImage checks that Embed reads an image as EmbedRGB reads its bytes, wherever its bounds
// start, and refuses other sizes.
func TestEmbedImage(t *testing.T) {
	t.Parallel()
	pix, err := os.ReadFile(filepath.Join("testdata", "reference", "pattern.rgb"))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(10, 20, 10+Size, 20+Size))
	for i := range Size * Size {
		copy(img.Pix[4*i:], pix[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	n := net(t)
	want, err := n.EmbedRGB(pix)
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Embed(img)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Embed and EmbedRGB differ by %g", Distance(&got, &want))
	}
	if _, err := n.Embed(image.NewRGBA(image.Rect(0, 0, Size, Size+1))); !errors.Is(err, ErrSize) {
		t.Errorf("150×151: err %v, want ErrSize", err)
	}
	if _, err := n.EmbedRGB(pix[1:]); !errors.Is(err, ErrSize) {
		t.Errorf("short pixels: err %v, want ErrSize", err)
	}
}
