package kyc

import "context"

// requestIDKey holds the id of the HTTP request a context serves.
type requestIDKey struct{}

// WithRequestID returns ctx carrying id, the id of the HTTP request it serves (X-Request-Id), so
// that what the request causes can name it in logs (a decision's line).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id of the HTTP request ctx serves, "" when it serves none (a job).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
