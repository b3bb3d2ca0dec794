package httpapi

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"
)

// FuzzDataURLPayload: the payload returned is always the part after the first comma of a
// "data:...;base64," URL, and anything else is refused; no input panics. A payload that the
// upload's base64 reader decodes yields at most three bytes per four characters, and those bytes
// sent again as a data URL come back as the same payload and bytes.
func FuzzDataURLPayload(f *testing.F) {
	for _, s := range []string{"data:image/png;base64,iVBORw0KGgo=", "data:,x", "data:image/png,abc", "data:;base64,", "nodata", "data:a;base64,b,c",
		"data:image/jpeg;name=a.jpg;base64,/9j/\r\n4AAQ", "DATA:image/png;base64,AAAA", "data:image/png;BASE64,AAAA", "data:image/png;base64,AA=A"} {
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
		decoded, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, strings.NewReader(payload)))
		if err != nil {
			return
		}
		if len(decoded) > len(payload)/4*3+3 {
			t.Fatalf("%d characters decoded to %d bytes", len(payload), len(decoded))
		}
		again := base64.StdEncoding.EncodeToString(decoded)
		p2, ok := dataURLPayload("data:image/png;base64," + again)
		if !ok || p2 != again {
			t.Fatalf("the data URL of %q gives %q %v", again, p2, ok)
		}
		if d2, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, strings.NewReader(p2))); err != nil || !bytes.Equal(d2, decoded) {
			t.Fatalf("%q decodes to %q %v, not %q", p2, d2, err, decoded)
		}
	})
}
