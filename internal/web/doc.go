// Package web is the hosted verification flow: the page behind a KYC request's gatherer link
// (`{publicURL}/gather/{requestId}?token=...`), server-rendered with html/template and embedded
// assets, no front-end build step. Three screens, as the app document has them: personal details
// and the identity document, a selfie taken with the camera (getUserMedia, with a file input as
// fallback), and the address with its proof; then a status page that follows the request and a
// redirect to the request's redirectUrl with ?info=success|partial|manual|back|token_expired.
//
// The identity screen photographs the document with the rear camera (or takes a chosen file) and
// posts it to /gather/{requestId}/reading, which reads it at once with the Reader and stores
// nothing: the page prefills the form for the end user to check, or asks for a retake with the
// reason (reading.go). The photo itself is sent with the form, like any chosen file.
//
// When the request asks for faceLivenessRequired, the selfie screen is a liveness challenge
// instead (liveness.go, package face/liveness): the page films the moves a server-issued challenge
// asks for with the front camera and posts the frames with its nonce to /gather/{requestId}/liveness;
// a passed challenge's first frame becomes the selfie. No file can be chosen in its place.
//
// Security model: the link's token is signed for one request and expires with it; the first visit
// exchanges it for an HttpOnly, SameSite=Strict cookie scoped to /gather/{requestId} (Secure when
// the public URL is https), and the page drops the token from the address bar. Every form carries a
// CSRF token derived from the session. Pages are served with a strict Content-Security-Policy (no
// inline script or style), and uploaded images come back only through /gather/{requestId}/files/,
// which checks the session and that the file belongs to the request's applicant.
//
// Texts live in messages/<lang>.json (English, Spanish, Chinese), chosen by ?lang=, a cookie or
// Accept-Language. What the end user sends goes through internal/gather, so it becomes the same
// files and KYC documents as /v1 ones.
package web
