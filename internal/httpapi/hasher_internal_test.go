package httpapi

import (
	"bytes"
	"net/http"
	"testing"
)

// TestRequestHasherIgnoresTheBoundaryWhereverWritesSplit: the same multipart content with two
// boundaries hashes the same however the body is cut into writes, and other content differs.
func TestRequestHasherIgnoresTheBoundaryWhereverWritesSplit(t *testing.T) {
	t.Parallel()
	body := func(b string, file string) []byte {
		return []byte("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + file + "\r\n--" + b + "--\r\n")
	}
	sum := func(boundary string, data []byte, chunk int) string {
		r, _ := http.NewRequest("POST", "/v1/files", nil)
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		h := newRequestHasher(r)
		for len(data) > 0 {
			n := min(chunk, len(data))
			_, _ = h.Write(data[:n])
			data = data[n:]
		}
		return h.sum()
	}
	file := string(bytes.Repeat([]byte("0123456789"), 50))
	want := sum("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", body("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", file), 1<<20)
	for _, chunk := range []int{1, 3, 7, 27, 28, 29, 64, 4096} {
		if got := sum("BBBBBBBBBBBBBBBBBBBBBBBBBBBB", body("BBBBBBBBBBBBBBBBBBBBBBBBBBBB", file), chunk); got != want {
			t.Errorf("chunk %d: the hash depends on the boundary or the split", chunk)
		}
	}
	if got := sum("BBBBBBBBBBBBBBBBBBBBBBBBBBBB", body("BBBBBBBBBBBBBBBBBBBBBBBBBBBB", file+"x"), 64); got == want {
		t.Error("different content hashed the same")
	}
}
