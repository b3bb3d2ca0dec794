package httpapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"kycd/internal/store"
)

// countingReader produces n bytes of a multipart upload whose file part never ends, and counts how
// much of it the server read.
type countingReader struct {
	head []byte
	n    int64
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := copy(p, c.head[min(int64(len(c.head)), c.read):])
	for i := k; i < len(p) && c.read+int64(i) < c.n; i++ {
		p[i] = 0xAB
		k = i + 1
	}
	c.read += int64(k)
	return k, nil
}

// TestOversizedUploadIsRefusedWithoutReadingTheRest: a 100 MB streamed upload (no Content-Length)
// gets 413 after little more than the limit has been read, and one that declares its length gets
// 413 before any of its body is read.
func TestOversizedUploadIsRefusedWithoutReadingTheRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.SQLite)
	apl := e.mustApplicant(e.testKey)
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("applicantId", apl)
	_, _ = mw.CreateFormFile("file", "huge.jpg")
	head.Write([]byte{0xFF, 0xD8, 0xFF})

	const total = 100 << 20
	before := e.stored()
	body := &countingReader{head: head.Bytes(), n: total}
	req := httptest.NewRequest(http.MethodPost, "/v1/files", body)
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.testKey)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if limit := e.maxBytes + 256<<10; body.read > limit {
		t.Fatalf("the server read %d bytes of a %d-byte upload; the limit is %d", body.read, int64(total), e.maxBytes)
	}
	if after := e.stored(); after != before {
		t.Fatalf("a refused upload stored something: %s -> %s", before, after)
	}

	declared := &countingReader{head: head.Bytes(), n: total}
	req = httptest.NewRequest(http.MethodPost, "/v1/files", declared)
	req.ContentLength = total
	req.Header.Set("Authorization", "Bearer "+e.testKey)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec = httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || declared.read != 0 {
		t.Fatalf("declared length: status %d after reading %d bytes", rec.Code, declared.read)
	}
}
