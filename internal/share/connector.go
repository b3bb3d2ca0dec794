package share

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"kycd/internal/kyc"
)

// Connector is one partner: its mapping, its rules, its calls, its signing and its callbacks.
// Packages share/interlace, share/alchemypay and share/saintpay implement it.
type Connector interface {
	// Partner is the partner's name in the API: interlace, alchemypay or saintpay.
	Partner() string
	// Validate checks the KYC against the partner's own rules before anything is sent and answers
	// every problem at once (a *kyc.ValidationError naming kycd's field and the partner's).
	Validate(k *KYC) error
	// Submit sends the KYC: authentication, file uploads, submission and, where the partner has
	// one, submit-for-approval. Steps already taken by an earlier attempt are in j and are not
	// repeated. A failure worth retrying (5xx, timeout, rate limit) is a *TemporaryError; the
	// partner refusing the input wraps ErrRefused.
	Submit(ctx context.Context, k *KYC, j Journal) (Outcome, error)
	// Status asks the partner where a submitted share stands (polling, and confirming an unsigned
	// callback). ErrUnknown when the partner has no such submission.
	Status(ctx context.Context, sh kyc.Share) (Outcome, error)
	// Callback verifies what the partner signs and reads the callback. A bad or missing signature
	// wraps kyc.ErrUnauthenticated.
	Callback(h http.Header, body []byte) (Callback, error)
}

// KYC is what is shared: the applicant, their accepted identity document and its files.
type KYC struct {
	// Share is the share being sent: RequestNo, Mode and Options.
	Share kyc.Share
	// Applicant is the applicant as it is now.
	Applicant kyc.Applicant
	// Identity is the newest accepted identity-proof document, nil when there is none.
	Identity *kyc.Document
	// Files are the identity document's files by tag (id-front, id-back, face-proof).
	Files map[string]*File
	// CallbackURL is where the partner should send status callbacks.
	CallbackURL string
}

// File is one of the shared files: its metadata, a signed expiring link to it (for partners that
// fetch files by URL) and its bytes on demand.
type File struct {
	kyc.File
	// URL is a signed kycd link that serves the bytes until it expires.
	URL  string
	open func(ctx context.Context) (io.ReadCloser, error)
}

// Bytes reads the whole file, decrypted.
func (f *File) Bytes(ctx context.Context) ([]byte, error) {
	rc, err := f.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", f.ID, err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(rc, 64<<20)); err != nil {
		return nil, fmt.Errorf("file %s: %w", f.ID, err)
	}
	return b.Bytes(), nil
}

// NewFile is a File whose bytes come from b (tests and tools).
func NewFile(meta kyc.File, b []byte) *File {
	return &File{File: meta, open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// Outcome is where a share stands at the partner.
type Outcome struct {
	// Status is one of kyc.ShareStatuses; "" leaves it as it is.
	Status string
	// Reference is the partner's id for the submission, "" when unchanged.
	Reference string
	// PartnerStatus is the partner's own status word.
	PartnerStatus string
	// Message is the partner's rejection or needs-info message.
	Message string
}

// Callback is a verified partner callback.
type Callback struct {
	// Reference names the share: the partner's reference or kycd's request number.
	Reference string
	// Outcome is what the callback says.
	Outcome Outcome
	// Confirm says the callback is not signed: believe it only after Status confirms it.
	Confirm bool
	// ReplayKey names what the partner signed (a hash of the signed bytes and the signature): a
	// callback whose key its share has already taken is a replay, answered and ignored. "" when
	// the callback is not signed (Confirm).
	ReplayKey string
	// Sent is when the partner says it sent the callback (Interlace's Timestamp header); a
	// callback older than Config.CallbackMaxAge is refused. Zero when the partner does not say.
	Sent time.Time
	// Reply is the body the partner expects back, with ReplyType its content type.
	Reply     []byte
	ReplyType string
}

// Journal remembers the steps of a submission that the partner has taken (an uploaded file's id,
// a submission accepted), so that a retry does not repeat them.
type Journal interface {
	// Step returns the remembered result of step name, or runs do and remembers its result
	// before returning it.
	Step(ctx context.Context, name string, do func() (string, error)) (string, error)
	// Attempt is the attempt number of this submission, 1 for the first.
	Attempt() int
}

// Errors of the connectors.
var (
	// ErrRefused: the partner refused the input (a validation error in its envelope). The share
	// fails with the partner's message; retrying would not help.
	ErrRefused = errors.New("refused by the partner")
	// ErrUnknown: the partner has no such submission.
	ErrUnknown = errors.New("the partner does not know this submission")
)

// TemporaryError is a failure worth retrying: a 5xx, a timeout, a refused connection or a rate
// limit (RetryAfter, when the partner said how long to wait).
type TemporaryError struct {
	Err        error
	RetryAfter time.Duration
}

// Error is the underlying error's text.
func (e *TemporaryError) Error() string { return e.Err.Error() }

// Unwrap gives errors.Is and errors.As the underlying error.
func (e *TemporaryError) Unwrap() error { return e.Err }

// Temporary marks err as worth retrying after, at the earliest, after (0: the retry schedule's).
func Temporary(err error, after time.Duration) error {
	return &TemporaryError{Err: err, RetryAfter: after}
}
