package kyc

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors of the domain. Packages wrap them with context (fmt.Errorf("...: %w", ErrNotFound));
// internal/httpapi turns them into HTTP answers in one place. The status each maps to is given.
var (
	// ErrNotFound: the resource does not exist in the caller's environment (404). A resource of the
	// other environment is reported the same way, so a key cannot probe for ids it may not see.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the resource is in a state that does not allow the change (409).
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated: missing, malformed, unknown or revoked credentials (401).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the credentials are valid but do not allow this action (403).
	ErrForbidden = errors.New("forbidden")
	// ErrTooLarge: the request body or an uploaded file is over the configured limit (413).
	ErrTooLarge = errors.New("too large")
	// ErrUnsupportedMedia: the uploaded bytes are not of an accepted type (415).
	ErrUnsupportedMedia = errors.New("unsupported media type")
	// ErrIdempotencyMismatch: an Idempotency-Key was reused with a different request (422).
	ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")
	// ErrIdempotencyInProgress: a request with the same Idempotency-Key is still being processed (409).
	ErrIdempotencyInProgress = errors.New("a request with this idempotency key is in progress")
	// ErrUnavailable: kycd cannot give a truthful answer yet, such as a screening while no
	// sanctions list is loaded (503).
	ErrUnavailable = errors.New("unavailable")
	// ErrGone: the resource was erased; what remains of it can be read but not changed (410).
	ErrGone = errors.New("gone")
)

// NotFoundError is ErrNotFound about input fields (404, with errors[] naming each): the id given
// in each names nothing in the caller's environment, such as a file id in a request body.
// errors.Is(err, ErrNotFound) holds for it.
type NotFoundError struct {
	// Fields name the fields (dotted paths such as "body.sourceFileId") and say what is missing,
	// without the value when it may be personal data.
	Fields []FieldError
}

func (e *NotFoundError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ") + ": " + ErrNotFound.Error()
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// FieldError names one bad input field. Field is a dotted path in the request, such as
// "body.profile.dateOfBirth" or "body.addresses[0].country".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every bad field of one input at once (422). It is built with Problems and
// returned through Problems.Err, so callers see all problems instead of the first.
type ValidationError struct {
	Fields []FieldError
}

// FieldNames returns the fields err names, sorted, when it is (or wraps) a *ValidationError;
// nil otherwise.
func FieldNames(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = f.Field
	}
	slices.Sort(out)
	return out
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Problems collects field errors during validation. The zero value is ready to use.
type Problems struct {
	fields []FieldError
}

// Add records that field is bad, with a message for the integrator (never the bad value itself when
// it may be personal data).
func (p *Problems) Add(field, format string, args ...any) {
	p.fields = append(p.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge appends the fields of another validation error, if err is one; any other non-nil error is
// returned so the caller can stop.
func (p *Problems) Merge(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		p.fields = append(p.fields, ve.Fields...)
		return nil
	}
	return err
}

// Len reports how many problems were recorded.
func (p *Problems) Len() int { return len(p.fields) }

// Err returns a *ValidationError when any problem was recorded, and nil otherwise.
func (p *Problems) Err() error {
	if len(p.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: append([]FieldError(nil), p.fields...)}
}

// Invalid is a shorthand for a validation error on a single field.
func Invalid(field, format string, args ...any) error {
	var p Problems
	p.Add(field, format, args...)
	return p.Err()
}
