// Package httpapi is kycd's /v1 HTTP API: one file per resource, huma for the JSON operations (it
// generates the OpenAPI 3.1 document served at /v1/openapi.json and validates input against it),
// plain handlers where bytes stream (file upload and content), and middleware for API-key
// authentication, Idempotency-Key, metrics and logs. Errors become RFC 9457 problem+json answers in
// one place, errors.go.
package httpapi
