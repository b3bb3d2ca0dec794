package httpapi

import "net/http"

// noStore marks every answer Cache-Control: no-store before the handler runs: /v1 answers, the app
// endpoints and the hosted flow carry personal data (names, dates of birth, document numbers,
// images) that no browser, proxy or CDN may keep. A handler serving something public sets its own
// Cache-Control over it (the hosted flow's static assets do).
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
