package httpapi

import (
	"strings"
	"testing"
)

// FuzzDataURLPayload: the payload returned is always the part after the first comma of a
// "data:...;base64," URL, and anything else is refused; no input panics.
func FuzzDataURLPayload(f *testing.F) {
	for _, s := range []string{"data:image/png;base64,iVBORw0KGgo=", "data:,x", "data:image/png,abc", "data:;base64,", "nodata", "data:a;base64,b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		payload, ok := dataURLPayload(s)
		if !ok {
			if payload != "" {
				t.Fatalf("refused but returned %q", payload)
			}
			return
		}
		meta, rest, cut := strings.Cut(strings.TrimPrefix(s, "data:"), ",")
		if !strings.HasPrefix(s, "data:") || !cut || rest != payload || !strings.HasSuffix(meta, ";base64") {
			t.Fatalf("accepted %q as %q", s, payload)
		}
	})
}
