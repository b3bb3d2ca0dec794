package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	"kycd/internal/docread"
	"kycd/internal/kyc"
	vcheck "kycd/internal/verify/check"
)

// Reader reads a document image at once, storing nothing. *docread.Reader satisfies it.
type Reader interface {
	Read(ctx context.Context, data []byte) (*docread.Reading, error)
}

var _ Reader = (*docread.Reader)(nil)

// csrfHeader carries the CSRF token of the page's script requests (the forms carry it as a field).
const csrfHeader = "X-CSRF-Token"

// Verdicts of a reading.
const (
	// verdictOK: the capture is fit to send; Prefill holds what was read, if anything.
	verdictOK = "ok"
	// verdictRetake: take the photo again, for Reason.
	verdictRetake = "retake"
)

// Reasons for a retake, each with its text capture.retake.<reason>.
const (
	retakeBlurred    = "blurred"    // image-sharp failed
	retakeGlare      = "glare"      // image-glare failed
	retakeExposure   = "exposure"   // image-exposure failed
	retakeSmall      = "small"      // image-size failed
	retakeUnreadable = "unreadable" // a passport whose zone was not read
	retakeNotImage   = "not-image"  // not an image the reader decodes (415)
	retakeTooLarge   = "too-large"  // over the upload limit (413)
)

// retakeReasons are the reasons a reading may give.
var retakeReasons = []string{retakeBlurred, retakeGlare, retakeExposure, retakeSmall, retakeUnreadable, retakeNotImage, retakeTooLarge}

// readingOut is the answer of POST /gather/{id}/reading.
type readingOut struct {
	// Verdict is ok or retake.
	Verdict string `json:"verdict"`
	// Reason says why to retake (blurred, glare, exposure, small, unreadable, not-image, too-large).
	Reason string `json:"reason,omitempty"`
	// Message is the text to show, in the page's language.
	Message string `json:"message"`
	// Prefill holds the values read, by form field name: doc_type, doc_number, expiry_date,
	// date_of_birth, issuing_country, nationality (ISO alpha-2), first_name, last_name.
	Prefill map[string]string `json:"prefill,omitempty"`
}

// quality checks that ask for a retake, in the order the end user should fix them.
var qualityRetakes = []struct{ check, reason string }{
	{vcheck.NameImageSize, retakeSmall},
	{vcheck.NameImageSharp, retakeBlurred},
	{vcheck.NameImageGlare, retakeGlare},
	{vcheck.NameImageExposure, retakeExposure},
}

// postReading answers POST /gather/{id}/reading?type=<doc_type>: the body is one image (a photo
// of the identity document's front), read at once and not stored; the page prefills the form
// from the answer or asks for a retake. The session and the CSRF token (header X-CSRF-Token) are
// checked as for the forms, and the identity screen must be open. The upload limit is the flow's.
func (h *Handler) postReading(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s, problem := h.open(r, id)
	if problem != linkOK {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "the session is not valid"})
		return
	}
	if !h.csrfOK(s, r.Header.Get(csrfHeader)) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "the CSRF token is missing or wrong"})
		return
	}
	f, err := h.load(r.Context(), s)
	if err != nil {
		h.d.Log.ErrorContext(r.Context(), "web: reading: load flow", "kyc_request_id", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if !f.allowed(stepIdentity) {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "the identity document is not being asked for"})
		return
	}
	v := h.newView(r, h.msgs.pick(w, r, h.secure))
	data, err := h.readBody(w, r)
	switch {
	case errors.Is(err, kyc.ErrTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, retake(v, retakeTooLarge))
		return
	case err != nil:
		h.d.Log.ErrorContext(r.Context(), "web: reading: body", "kyc_request_id", id, "err", err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the image could not be received"})
		return
	case len(data) == 0:
		writeJSON(w, http.StatusUnsupportedMediaType, retake(v, retakeNotImage))
		return
	}
	rd, err := h.d.Reader.Read(r.Context(), data)
	if err != nil {
		// Only the request's context ending: the end user left or the server is stopping.
		h.d.Log.WarnContext(r.Context(), "web: reading", "kyc_request_id", id, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the image could not be read now"})
		return
	}
	out := verdict(v, rd, r.URL.Query().Get("type"))
	status := http.StatusOK
	if out.Reason == retakeNotImage {
		status = http.StatusUnsupportedMediaType
	}
	writeJSON(w, status, out)
}

// readBody takes the body within the flow's upload limit: it goes through the same spool as
// uploads (which enforces the limit), then into memory for the reader, and the spool is removed.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	sp, err := h.d.Files.Spool(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, kyc.ErrTooLarge
		}
		return nil, err
	}
	defer sp.Remove() //nolint:errcheck // a temp file, removed at once; leftovers are swept at start
	rc, err := sp.Open()
	if err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, sp.Size))
}

// verdict turns a reading into what the page needs: a retake for the first failed quality check,
// or for a passport whose zone was not read; otherwise the values read. typ is the document type
// chosen in the form ("" when none yet, read as a passport: the only type whose front always has
// a zone).
func verdict(v *view, rd *docread.Reading, typ string) readingOut {
	for _, c := range rd.Quality.Checks {
		if c.Name == vcheck.NameImageDecodes && c.Failed {
			return retake(v, retakeNotImage)
		}
	}
	for _, q := range qualityRetakes {
		for _, c := range rd.Quality.Checks {
			if c.Name == q.check && c.Failed {
				return retake(v, q.reason)
			}
		}
	}
	if rd.MRZ == nil {
		if typ == "" || typ == "passport" {
			return retake(v, retakeUnreadable)
		}
		return readingOut{Verdict: verdictOK, Message: v.T("capture.added")}
	}
	return readingOut{Verdict: verdictOK, Message: v.T("capture.read"), Prefill: prefill(rd)}
}

func retake(v *view, reason string) readingOut {
	return readingOut{Verdict: verdictRetake, Reason: reason, Message: v.T("capture.retake." + reason)}
}

// prefill maps a zone to the identity screen's fields. Dates with a part the zone leaves unknown
// and codes that name no country are left out; names are in title case, as people write them.
func prefill(rd *docread.Reading) map[string]string {
	m := rd.MRZ.Fields
	out := map[string]string{}
	set := func(k, val string) {
		if val != "" {
			out[k] = val
		}
	}
	if strings.HasPrefix(m.DocumentCode, "P") {
		set("doc_type", "passport")
	}
	set("doc_number", m.DocumentNumber)
	set("first_name", titleCase(m.GivenNames))
	set("last_name", titleCase(m.Surname))
	set("nationality", vcheck.MRZCountry(m.Nationality))
	if !strings.ContainsAny(m.DateOfBirth, "Xx") {
		set("date_of_birth", m.DateOfBirth)
	}
	if id := rd.Identification; id != nil {
		set("expiry_date", id.ExpiryDate)
		set("issuing_country", id.IssuingCountry)
	}
	return out
}

// titleCase writes an upper-case name as "Mary Ann"; hyphenated parts each get their capital.
func titleCase(s string) string {
	rs := []rune(strings.ToLower(strings.Join(strings.Fields(s), " ")))
	for i := range rs {
		if i == 0 || rs[i-1] == ' ' || rs[i-1] == '-' {
			rs[i] = unicode.ToUpper(rs[i])
		}
	}
	return string(rs)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
