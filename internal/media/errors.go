package media

import (
	"errors"
	"fmt"
	"io"

	"kycd/internal/kyc"
)

// damaged is the answer for a file that fails a structure check: a *kyc.ValidationError on the
// field "file" (422), wrapped with what was wrong for the logs. The context must never quote the
// file's bytes.
func damaged(format string, args ...any) error {
	return fmt.Errorf("media: %s: %w", fmt.Sprintf(format, args...),
		kyc.Invalid("file", "the file is damaged or truncated"))
}

// readFailed turns an error met while reading a spooled file into an answer: running out of bytes
// means the file is truncated, which is the uploader's fault; any other read error is the
// server's.
func readFailed(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return damaged("truncated in %s", where)
	}
	return fmt.Errorf("media: read %s: %w", where, err)
}

// ioErrorTracker passes reads through and remembers the first error other than io.EOF, so a disk
// failure during a decoder's header read is not mistaken for a damaged file.
type ioErrorTracker struct {
	r   io.Reader
	err error
}

func (t *ioErrorTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}
