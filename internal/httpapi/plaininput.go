package httpapi

import (
	"log/slog"
	"net/http"

	"kycd/internal/kyc"
)

// plainInput refuses a request whose path, query parameters or Idempotency-Key hold a character
// that kyc.Line does not allow (NUL and other controls, invalid UTF-8) with 400 naming the
// parameter (422), before any handler can store it or filter by it: PostgreSQL cannot hold NUL or
// invalid UTF-8 in text and answered 500. Bodies are checked by the strict JSON decoder.
func plainInput(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p kyc.Problems
		p.CheckText("path", r.URL.Path, kyc.Line)
		if r.URL.RawQuery != "" {
			for name, values := range r.URL.Query() {
				if msg := kyc.TextProblem(name, kyc.Line); msg != "" {
					p.Add("query", "a parameter name %s", msg)
					continue
				}
				for _, v := range values {
					p.CheckText("query."+name, v, kyc.Line)
				}
			}
		}
		p.CheckText("header.Idempotency-Key", r.Header.Get("Idempotency-Key"), kyc.Line)
		if err := p.Err(); err != nil {
			writeProblem(w, r, log, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
