package tfjs

import (
	"strings"
	"testing"

	"kycd/internal/face/weights"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	const two = `[{"paths":["m.bin"],"weights":[
		{"name":"f","shape":[2],"dtype":"float32"},
		{"name":"q","shape":[1,3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}]}]`
	// f = [1, -2] as little-endian float32, then q = [0, 2, 255].
	bin := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 2, 255}
	got, err := Decode([]byte(two), bin)
	if err != nil {
		t.Fatal(err)
	}
	if f := got["f"].Data; len(f) != 2 || f[0] != 1 || f[1] != -2 {
		t.Errorf("f = %v, want [1 -2]", f)
	}
	if q := got["q"]; q.Len() != 3 || q.Data[0] != -1 || q.Data[1] != 0 || q.Data[2] != 126.5 {
		t.Errorf("q = %v %v, want [1 3] [-1 0 126.5]", q.Shape, q.Data)
	}

	for _, tc := range []struct {
		name, manifest string
		bin            []byte
		want           string
	}{
		{"short binary", two, bin[:10], "binary ends"},
		{"long binary", two, append(bin[:11:11], 0), "manifest accounts for 11"},
		{"two groups", `[{"paths":["a"],"weights":[]},{"paths":["b"],"weights":[]}]`, nil, "one weight group"},
		{"int32", `[{"paths":["a"],"weights":[{"name":"i","shape":[1],"dtype":"int32"}]}]`, make([]byte, 4), "dtype"},
		{"float16", `[{"paths":["a"],"weights":[{"name":"h","shape":[1],"dtype":"float32","quantization":{"dtype":"float16"}}]}]`, make([]byte, 2), "quantisation"},
		{"twice", `[{"paths":["a"],"weights":[{"name":"f","shape":[1],"dtype":"float32"},{"name":"f","shape":[1],"dtype":"float32"}]}]`, make([]byte, 8), "named twice"},
	} {
		if _, err := Decode([]byte(tc.manifest), tc.bin); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestDecodeShipped decodes the models the repo embeds: every byte of each binary is accounted for.
func TestDecodeShipped(t *testing.T) {
	t.Parallel()
	for name, m := range map[string][2][]byte{
		"recognition": {weights.RecognitionManifest, weights.RecognitionBin},
		"landmark68":  {weights.Landmark68Manifest, weights.Landmark68Bin},
	} {
		ts, err := Decode(m[0], m[1])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ts) == 0 {
			t.Errorf("%s: no tensors", name)
		}
	}
}
