package weights

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestEmbeddedMatchSums checks that what the binary embeds is what scripts/face-weights.sh extracted
// from the checked tarball.
func TestEmbeddedMatchSums(t *testing.T) {
	t.Parallel()
	sums, err := os.ReadFile("SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		want[name] = sum
	}
	for name, b := range map[string][]byte{
		"face_recognition_model-weights_manifest.json": RecognitionManifest,
		"face_recognition_model.bin":                   RecognitionBin,
		"face_landmark_68_model-weights_manifest.json": Landmark68Manifest,
		"face_landmark_68_model.bin":                   Landmark68Bin,
	} {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want[name] {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %q", name, got, want[name])
		}
	}
}
